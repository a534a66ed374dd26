"""The work pages: What's due, the SPO's team queue, the case page's work and enquiry sections, and the forms
(GOV.UK error summary, nothing saved on error). Clock frozen at Tuesday 24 November 2026."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from openprobation.people.services import case_access_add
from openprobation.safeguarding.models import SafeguardingCheck
from openprobation.safeguarding.services import safeguarding_check_request
from openprobation.workitems.models import WorkItem
from openprobation.workitems.services import reporting_frequency_request
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_whats_due_shows_overdue_items_with_a_tag_and_one_click_to_the_case_and_the_action(org, frozen_clock):
    person = make_person(org, first_name="Amira", last_name="Begum")
    hidden = make_person(org, first_name="Hidden", last_name="Case")
    case_access_add(actor=org.admin.user, person=hidden, staff_code=org.po2.code, kind="restriction", reason="LAO")
    html = client_for(org.po).get("/whats-due/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert f'href="/case/{person.crn}/#work-due"' in html
    screening = WorkItem.objects.get(person=person, kind="rosh_screening")
    assert f'href="/work-items/{screening.pk}/complete/"' in html
    assert f'href="/case/{person.crn}/safeguarding/new/?agency=police_da"' in html
    assert "Hidden" not in html and hidden.crn not in html
    assert 'aria-current="page"><strong class="govuk-service-navigation__active-fallback">What\'s due' in html


def test_team_queue_for_the_spo_and_not_for_practitioners(org, frozen_clock):
    person = make_person(org)
    safeguarding_check_request(
        actor=org.po.user,
        person=person,
        agency="police_da",
        requested_on=dt.date(2026, 11, 2),
        due_by=dt.date(2026, 11, 16),
    )
    response = client_for(org.spo).get(f"/team/{org.team_a.code}/queue/")
    html = response.content.decode()
    assert response.status_code == 200
    overdue = WorkItem.objects.filter(person=person, status="open", due_date__lt=dt.date(2026, 11, 24)).count()
    assert f'id="queue-overdue"><strong>{overdue}</strong>' in html
    assert "Escalated to Spo Tester" in html
    assert client_for(org.po).get(f"/team/{org.team_a.code}/queue/").status_code == 403
    assert client_for(org.spo).get(f"/team/{org.team_b.code}/queue/").status_code == 404


def test_case_page_shows_work_due_and_safeguarding_enquiries(org, frozen_clock):
    person = make_person(org)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="childrens_services", requested_on=dt.date(2026, 11, 20)
    )
    html = client_for(org.po).get(f"/case/{person.crn}/").content.decode()
    assert 'id="work-due"' in html and 'id="safeguarding"' in html
    assert "First appointment" in html
    assert f'href="/case/{person.crn}/safeguarding/{check.pk}/chase/"' in html
    assert "Awaiting response" in html


def test_cancelling_without_a_reason_shows_the_error_summary_and_saves_nothing(org, frozen_clock):
    person = make_person(org)
    item = WorkItem.objects.get(person=person, kind="rosh_screening")
    client = client_for(org.po)
    response = client.post(f"/work-items/{item.pk}/cancel/", {"reason": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'class="govuk-error-summary"' in html
        and '<a href="#reason">Enter why this item is no longer needed</a>' in html
    )
    item.refresh_from_db()
    assert item.status == "open"
    done = client.post(f"/work-items/{item.pk}/cancel/", {"reason": "Screened at court"})
    assert done.status_code == 302 and done["Location"] == f"/case/{person.crn}/#work-due"
    item.refresh_from_db()
    assert (item.status, item.cancel_reason) == ("cancelled", "Screened at court")
    again = client.post(f"/work-items/{item.pk}/complete/", {})
    assert again.status_code == 200 and "already cancelled" in again.content.decode()


def test_response_date_before_the_request_is_refused_on_the_page(org, frozen_clock):
    person = make_person(org)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="police_da", requested_on=dt.date(2026, 11, 10)
    )
    url = f"/case/{person.crn}/safeguarding/{check.pk}/response/"
    response = client_for(org.po).post(
        url, {"received_on_day": "9", "received_on_month": "11", "received_on_year": "2026", "summary": "Early"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#received_on-day">The response cannot be received before the request was made' in html
    assert 'value="9"' in html  # what was typed is shown again
    check.refresh_from_db()
    assert (check.status, check.response_received_on) == ("awaiting_response", None)
    bad_date = client_for(org.po).post(
        url, {"received_on_day": "31", "received_on_month": "2", "received_on_year": "2026", "summary": "x"}
    )
    assert "must be a real date" in bad_date.content.decode()


def test_record_an_enquiry_from_a_work_item_completes_the_item(org, frozen_clock):
    person = make_person(org)
    client = client_for(org.po)
    form = client.get(f"/case/{person.crn}/safeguarding/new/?agency=police_da")
    assert 'value="police_da" checked' in form.content.decode()
    response = client.post(
        f"/case/{person.crn}/safeguarding/new/",
        {
            "agency": "police_da",
            "subject_id": "",
            "requested_on_day": "24",
            "requested_on_month": "11",
            "requested_on_year": "2026",
            "agency_name": "",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert SafeguardingCheck.objects.get(person=person).due_by == dt.date(2026, 12, 8)
    assert WorkItem.objects.get(person=person, kind="police_da_check").status == "done"


def test_spo_countersigns_a_reduction_on_the_page(org, frozen_clock):
    person = make_person(org)
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start")
    change = reporting_frequency_request(actor=org.po.user, person=person, frequency="monthly", reason="Progress")
    assert "Countersign or refuse" not in client_for(org.po).get(f"/case/{person.crn}/").content.decode()
    url = f"/case/{person.crn}/reporting/{change.pk}/decision/"
    assert (
        "Enter why the reduction is refused"
        in client_for(org.spo).post(url, {"decision": "refuse", "reason": ""}).content.decode()
    )
    assert client_for(org.spo).post(url, {"decision": "approve", "reason": ""}).status_code == 302
    html = client_for(org.po).get(f"/case/{person.crn}/").content.decode()
    assert "In force: <strong>Monthly</strong>" in html


# ---- in a real browser ------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_practitioner_works_through_whats_due_in_a_browser(page, live_server, org, frozen_clock):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    person = make_person(org, first_name="Callum", last_name="Doyle")
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("po")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="What's due").click()
    page.wait_for_url(f"{live_server.url}/whats-due/")
    overdue = page.get_by_role("table", name="Overdue")
    assert overdue.get_by_text("Overdue").first.is_visible()
    row = overdue.get_by_role("row").filter(has_text="RoSH screening")
    row.get_by_role("link", name="Mark as done").click()
    page.wait_for_url(f"{live_server.url}/work-items/**/complete/")

    page.get_by_label("Day").fill("30")  # 30 February: not a real date
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Mark as done").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "must be a real date" in summary.inner_text()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert WorkItem.objects.get(person=person, kind="rosh_screening").status == "open"

    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("11")
    page.get_by_role("button", name="Mark as done").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/#work-due")
    assert page.get_by_text("RoSH screening marked as done").is_visible()
    page.get_by_role("link", name="What's due").click()
    assert page.get_by_role("table", name="Overdue").get_by_text("RoSH screening").count() == 0
    assert problems == []
