"""The work pages: What's due, the SPO's team queue, the case page's work and enquiry sections, and the forms
(GOV.UK error summary, nothing saved on error). Clock frozen at Tuesday 24 November 2026."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openprobation.core.errors import ValidationFailed
from openprobation.people.services import relationship_add
from openprobation.safeguarding.models import RoshAssessment, SafeguardingCheck
from openprobation.safeguarding.services import (
    rosh_assessment_complete,
    rosh_assessment_start,
    safeguarding_check_record_response,
    safeguarding_check_request,
)
from openprobation.workitems.models import WorkItem
from openprobation.workitems.services import reporting_frequency_request
from tests.factories import PASSWORD, limit_access, make_person
from tests.workitems.support import (
    LAST_DUE_SOON,
    TODAY,
    TOMORROW,
    YESTERDAY,
    build_hand_set_queue,
    hand_item,
    new_person,
)

pytestmark = pytest.mark.django_db

# What the page asks of a full analysis or review: the RoSH level and who is at risk.
RATED_FORM = {"rosh_level": "medium", "risk_to": "public"}


@pytest.fixture
def hand_set_queue(org):
    """Items set by hand at the overdue and due-soon boundaries (``tests.test_work_items.build_hand_set_queue``)."""
    return build_hand_set_queue(org)


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_whats_due_shows_overdue_items_with_a_tag_and_one_click_to_the_case_and_the_action(org, frozen_clock):
    person = make_person(org, first_name="Amira", last_name="Begum")
    hidden = make_person(org, first_name="Hidden", last_name="Case")
    limit_access(person=hidden, staff_code=org.po2.code, kind="restriction", reason="LAO")
    html = client_for(org.po).get("/whats-due/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert f'href="/case/{person.crn}/work-and-checks/#work-due"' in html
    first = WorkItem.objects.get(person=person, kind="first_appointment")
    assert f'href="/work-items/{first.pk}/complete/?from=whats-due"' in html
    assert f'href="/case/{person.crn}/rosh-assessments/new/?kind=screening"' in html
    assert f'href="/case/{person.crn}/safeguarding/new/?agency=police_da"' in html
    assert "Hidden" not in html and hidden.crn not in html
    assert 'aria-current="page"><strong class="govuk-service-navigation__active-fallback">What\'s due' in html


def test_marking_an_item_done_from_whats_due_returns_to_whats_due(org, frozen_clock):
    person = make_person(org)
    first = WorkItem.objects.get(person=person, kind="first_appointment")
    html = client_for(org.po).get("/whats-due/").content.decode()
    assert f'href="/work-items/{first.pk}/complete/?from=whats-due"' in html
    done = client_for(org.po).post(f"/work-items/{first.pk}/complete/?from=whats-due", {"note": ""})
    assert done.status_code == 302 and done["Location"] == "/whats-due/"
    second = make_person(org)  # from anywhere else (or an unknown origin), back to the case
    other = WorkItem.objects.get(person=second, kind="first_appointment")
    elsewhere = client_for(org.po).post(f"/work-items/{other.pk}/complete/?from=https://evil.example/", {})
    assert elsewhere["Location"] == f"/case/{second.crn}/work-and-checks/#work-due"


def test_team_queue_for_the_spo_and_not_for_practitioners(org, frozen_clock, hand_set_queue):
    visible, _hidden = hand_set_queue
    safeguarding_check_request(
        actor=org.po.user,
        person=visible,
        agency="police_da",
        requested_on=dt.date(2026, 11, 2),
        due_by=dt.date(2026, 11, 16),
    )
    response = client_for(org.spo).get(f"/team/{org.team_a.code}/queue/")
    html = response.content.decode()
    assert response.status_code == 200
    # Hand-set items (tests/workitems/support.py): overdue 2 (po) + 1 (po2) + 1 (nobody); due soon 3 (po: today,
    # tomorrow and 1 December). Due yesterday is overdue, due today is not; the restricted case is not counted.
    assert 'id="queue-overdue"><strong>4</strong>' in html
    assert 'id="queue-due-soon"><strong>3</strong>' in html
    row_open = [int(n) for n in re.findall(r'count=open#items">(\d+)<', html)]
    assert row_open and f'id="queue-open"><strong>{sum(row_open)}</strong>' in html  # the Open column has a total
    counts = html.split('id="queue-overdue"')[0].split("<tbody")[1]
    assert 'class="govuk-tag govuk-tag--red">' not in counts  # a count is a link, never a tag inside a link
    assert "Escalated to Spo Tester" in html
    assert client_for(org.po).get(f"/team/{org.team_a.code}/queue/").status_code == 403
    assert client_for(org.spo).get(f"/team/{org.team_b.code}/queue/").status_code == 404


def test_case_page_shows_work_due_and_safeguarding_enquiries(org, frozen_clock):
    person = make_person(org)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="childrens_services", requested_on=dt.date(2026, 11, 20)
    )
    html = client_for(org.po).get(f"/case/{person.crn}/work-and-checks/").content.decode()
    assert 'id="work-due"' in html and 'id="safeguarding"' in html
    assert "First appointment" in html
    assert f'href="/case/{person.crn}/safeguarding/{check.pk}/chase/"' in html
    assert "Awaiting response" in html


def test_cancelling_without_a_reason_shows_the_error_summary_and_saves_nothing(org, frozen_clock):
    person = make_person(org)
    item = WorkItem.objects.get(person=person, kind="first_appointment")
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
    done = client.post(f"/work-items/{item.pk}/cancel/", {"reason": "Transferred out"})
    assert done.status_code == 302 and done["Location"] == f"/case/{person.crn}/work-and-checks/#work-due"
    item.refresh_from_db()
    assert (item.status, item.cancel_reason) == ("cancelled", "Transferred out")
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
    assert "Countersign or refuse" not in client_for(org.po).get(f"/case/{person.crn}/sentence/").content.decode()
    url = f"/case/{person.crn}/reporting/{change.pk}/decision/"
    assert (
        "Enter why the reduction is refused"
        in client_for(org.spo).post(url, {"decision": "refuse", "reason": ""}).content.decode()
    )
    assert client_for(org.spo).post(url, {"decision": "approve", "reason": ""}).status_code == 302
    html = client_for(org.po).get(f"/case/{person.crn}/sentence/").content.decode()
    assert "In force: <strong>Monthly</strong>" in html


# ---- RoSH assessments on the case page ---------------------------------------------------------------------------


def _answered_enquiry(org, person, *, agency: str = "police_da", received_on: dt.date = dt.date(2026, 11, 23)):
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency=agency, requested_on=dt.date(2026, 11, 10)
    )
    return safeguarding_check_record_response(
        actor=org.po.user, person=person, check_id=check.pk, received_on=received_on, summary="Two call-outs"
    )


@pytest.mark.parametrize(
    ("kind", "label"),
    [("screening", "RoSH screening"), ("full_analysis", "Full RoSH analysis"), ("review", "RoSH review")],
)
def test_start_a_rosh_assessment_from_the_case_page(org, frozen_clock, kind, label):
    person = make_person(org)
    client = client_for(org.po)
    case_html = client.get(f"/case/{person.crn}/risk/").content.decode()
    assert 'id="rosh-assessments"' in case_html
    assert f'href="/case/{person.crn}/rosh-assessments/new/"' in case_html
    response = client.post(f"/case/{person.crn}/rosh-assessments/new/", {"kind": kind})
    assert response.status_code == 302 and response["Location"] == f"/case/{person.crn}/risk/#rosh-assessments"
    assessment = RoshAssessment.objects.get(person=person)
    assert (assessment.kind, assessment.status, assessment.started_by) == (kind, "draft", org.po)
    html = client.get(f"/case/{person.crn}/risk/").content.decode()
    assert f"{label} started" in html  # the success message
    assert f'href="/case/{person.crn}/rosh-assessments/{assessment.pk}/complete/"' in html


@pytest.mark.parametrize("posted", [{}, {"kind": "oasys"}], ids=["no_kind", "unknown_kind"])
def test_starting_a_rosh_assessment_without_a_kind_shows_the_error_summary_and_saves_nothing(org, frozen_clock, posted):
    person = make_person(org)
    response = client_for(org.po).post(f"/case/{person.crn}/rosh-assessments/new/", posted)
    html = response.content.decode()
    assert response.status_code == 200 and 'class="govuk-error-summary"' in html and 'href="#kind"' in html
    assert not RoshAssessment.objects.filter(person=person).exists()


def test_read_only_staff_cannot_start_or_complete_a_rosh_assessment(org, frozen_clock):
    person = make_person(org)
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="review")
    qa = client_for(org.qa)
    assert "Start a RoSH assessment" not in qa.get(f"/case/{person.crn}/risk/").content.decode()
    assert qa.post(f"/case/{person.crn}/rosh-assessments/new/", {"kind": "review"}).status_code == 403
    assert qa.post(f"/case/{person.crn}/rosh-assessments/{assessment.pk}/complete/", {}).status_code == 403
    assert RoshAssessment.objects.filter(person=person).count() == 1


def test_mark_a_screening_complete_on_the_page_closes_the_work_item_and_makes_the_full_analysis_due(org, frozen_clock):
    person = make_person(org)
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="screening")
    client = client_for(org.po)
    url = f"/case/{person.crn}/rosh-assessments/{assessment.pk}/complete/"
    missing = client.post(url, {})
    assert missing.status_code == 200
    assert (
        '<a href="#indicates_risk">Select whether the screening indicates a risk that needs a full analysis</a>'
        in missing.content.decode()
    )
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    done = client.post(url, {"indicates_risk": "yes"})
    assert done.status_code == 302 and done["Location"] == f"/case/{person.crn}/risk/#rosh-assessments"
    assessment.refresh_from_db()
    assert (assessment.status, assessment.completed_on, assessment.indicates_risk) == (
        "complete",
        dt.date(2026, 11, 24),
        True,
    )
    assert WorkItem.objects.get(person=person, kind="rosh_screening").status == "done"
    assert WorkItem.objects.filter(person=person, kind="rosh_full_analysis", status="open").exists()
    again = client.post(url, {"indicates_risk": "no"})
    assert again.status_code == 200 and "This assessment is already complete" in again.content.decode()


def test_completion_blocked_by_an_unused_response_says_so_and_names_the_enquiries(org, frozen_clock):
    person = make_person(org)
    police = _answered_enquiry(org, person)
    childrens = _answered_enquiry(org, person, agency="childrens_services", received_on=dt.date(2026, 11, 20))
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="full_analysis")
    url = f"/case/{person.crn}/rosh-assessments/{assessment.pk}/complete/"
    client = client_for(org.po)
    page = client.get(url).content.decode()
    assert "2 safeguarding responses have been received but not yet used" in page
    assert f'href="/case/{person.crn}/safeguarding/{police.pk}/used/?assessment={assessment.pk}"' in page
    assert 'name="exception_reason"' not in page  # a practitioner is not offered the exception
    assert "ask a senior probation officer to record an exception" in page

    response = client.post(url, RATED_FORM)
    html = response.content.decode()
    assert response.status_code == 200
    summary = html.split('class="govuk-error-summary"')[1].split("</div>")[0]
    assert "Safeguarding responses received but not yet used in the assessment" in summary
    assert "Police (domestic abuse call-outs) (received 23 November 2026)" in summary
    assert "Children&#x27;s services (received 20 November 2026)" in summary
    assert "Mark each one used in this assessment, or a senior probation officer must record an exception" in summary
    assessment.refresh_from_db()
    assert assessment.status == "draft"

    # The "used in assessment" form offers (and here pre-selects) the draft started on the page.
    used_url = f"/case/{person.crn}/safeguarding/{police.pk}/used/"
    form = client.get(f"{used_url}?assessment={assessment.pk}").content.decode()
    assert f'value="{assessment.pk}" checked' in form and "Full RoSH analysis started 24 Nov 2026 (draft)" in form
    for check in (police, childrens):
        assert client.post(f"/case/{person.crn}/safeguarding/{check.pk}/used/", {"assessment_id": assessment.pk})[
            "Location"
        ] == (f"/case/{person.crn}/work-and-checks/#safeguarding")
    assert client.post(url, RATED_FORM).status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.exception_reason) == ("complete", "")


def test_spo_records_an_exception_with_a_reason_on_the_page(org, frozen_clock):
    person = make_person(org)
    check = _answered_enquiry(org, person)
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="review")
    url = f"/case/{person.crn}/rosh-assessments/{assessment.pk}/complete/"
    spo = client_for(org.spo)
    assert 'name="exception_reason"' in spo.get(url).content.decode()

    missing = spo.post(url, {**RATED_FORM, "exception_reason": "   "})
    html = missing.content.decode()
    assert missing.status_code == 200 and 'class="govuk-error-summary"' in html
    assert '<a href="#exception_reason">Enter the reason for the exception' in html
    assessment.refresh_from_db()
    assert (assessment.status, assessment.exception_reason) == ("draft", "")

    done = spo.post(url, {**RATED_FORM, "exception_reason": "Parole report due today; response reviewed Friday"})
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.exception_by, assessment.exception_reason) == (
        "complete",
        org.spo,
        "Parole report due today; response reviewed Friday",
    )
    check.refresh_from_db()
    assert check.status == "response_received"  # the exception does not pretend the response was used
    case_html = client_for(org.po).get(f"/case/{person.crn}/risk/").content.decode()
    assert "Exception by Spo Tester: Parole report due today; response reviewed Friday" in case_html


def test_a_practitioner_cannot_record_the_exception(org, frozen_clock):
    person = make_person(org)
    _answered_enquiry(org, person)
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="review")
    url = f"/case/{person.crn}/rosh-assessments/{assessment.pk}/complete/"
    response = client_for(org.po).post(url, {**RATED_FORM, "exception_reason": "I am sure it is fine"})
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert (assessment.status, assessment.exception_reason) == ("draft", "")


def test_an_assessment_on_another_case_is_not_found(org, frozen_clock):
    person = make_person(org)
    other = make_person(org)
    assessment = rosh_assessment_start(actor=org.po.user, person=other, kind="review")
    client = client_for(org.po)
    assert client.get(f"/case/{person.crn}/rosh-assessments/{assessment.pk}/complete/").status_code == 404
    assert client.get(f"/case/{person.crn}/rosh-assessments/999999/complete/").status_code == 404


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("rosh_screening", "complete the RoSH assessment on the case"),
        ("police_da_check", "record the enquiry on the case"),
    ],
)
def test_cancelling_a_check_or_assessment_item_on_the_page_points_to_its_record(org, frozen_clock, kind, message):
    person = make_person(org)
    item = WorkItem.objects.get(person=person, kind=kind)
    response = client_for(org.po).post(f"/work-items/{item.pk}/cancel/", {"reason": "Not needed"})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="govuk-error-summary"' in html and message in html
    item.refresh_from_db()
    assert item.status == "open"


def test_the_used_in_assessment_form_offers_only_assessments_not_yet_complete(org, frozen_clock):
    person = make_person(org)
    completed = rosh_assessment_start(actor=org.po.user, person=person, kind="review")
    rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=completed.pk, rosh_level="low",
                             risk_to=["public"])  # fmt: skip
    check = _answered_enquiry(org, person)
    client = client_for(org.po)
    url = f"/case/{person.crn}/safeguarding/{check.pk}/used/"
    form = client.get(url).content.decode()
    assert f'value="{completed.pk}"' not in form
    assert "No RoSH assessment is in progress: start one from the case page first" in form
    draft = rosh_assessment_start(actor=org.po.user, person=person, kind="full_analysis")
    form = client.get(url).content.decode()
    assert f'value="{draft.pk}"' in form and f'value="{completed.pk}"' not in form
    # Posting the completed one anyway is refused by the service, with the error on the field.
    refused = client.post(url, {"assessment_id": completed.pk})
    assert refused.status_code == 200 and '<a href="#assessment_id' in refused.content.decode()
    check.refresh_from_db()
    assert (check.status, check.used_in_id) == ("response_received", None)


# ---- the SPO's What's due: the team's enquiries escalated to them -------------------------------------------------


def _enquiry(org, person, requested_on: dt.date, due_by: dt.date, agency: str = "police_da"):
    return safeguarding_check_request(
        actor=org.po.user, person=person, agency=agency, requested_on=requested_on, due_by=due_by
    )


def test_escalated_enquiries_are_listed_in_the_spos_whats_due_oldest_first(org, frozen_clock):
    person = make_person(org, first_name="Amira", last_name="Begum")
    older = _enquiry(org, person, dt.date(2026, 10, 20), dt.date(2026, 11, 10))
    late = _enquiry(org, person, dt.date(2026, 11, 2), YESTERDAY, agency="childrens_services")
    _enquiry(org, person, dt.date(2026, 11, 2), TODAY)  # due today: still in time
    _enquiry(org, person, dt.date(2026, 11, 2), TOMORROW)
    answered = _enquiry(org, person, dt.date(2026, 10, 1), dt.date(2026, 10, 15))
    safeguarding_check_record_response(
        actor=org.po.user, person=person, check_id=answered.pk, received_on=dt.date(2026, 11, 20), summary="None"
    )
    hidden = make_person(org, first_name="Hidden", last_name="Case")
    _enquiry(org, hidden, dt.date(2026, 10, 1), dt.date(2026, 10, 15))
    limit_access(person=hidden, staff_code=org.po2.code, kind="restriction", reason="LAO")
    other_team = make_person(org, practitioner=org.po_b, first_name="Other", last_name="Team")
    _enquiry(org, other_team, dt.date(2026, 10, 1), dt.date(2026, 10, 15))

    html = client_for(org.spo).get("/whats-due/").content.decode()
    table = html.split('id="escalated"')[1].split("</table>")[0]
    assert "Safeguarding enquiries escalated to you, oldest first" in table
    rows = table.split("<tbody")[1].split('<tr class="govuk-table__row">')[1:]
    assert len(rows) == 2
    assert f"/case/{person.crn}/safeguarding/{older.pk}/chase/" in rows[0]
    assert f"/case/{person.crn}/safeguarding/{late.pk}/chase/" in rows[1]
    assert all(f'href="/case/{person.crn}/work-and-checks/#safeguarding">Amira Begum</a>' in r for r in rows)
    assert "Hidden" not in table and "Other" not in table
    assert 'id="escalated"' not in client_for(org.po).get("/whats-due/").content.decode()  # escalated to the SPO
    assert 'id="escalated"' not in client_for(org.hos).get("/whats-due/").content.decode()


# ---- the team queue's counts link to the items behind them ----------------------------------------------------------


def test_team_queue_counts_link_to_their_items_each_one_click_from_the_case_and_the_action(
    org, frozen_clock, hand_set_queue
):
    visible, hidden = hand_set_queue
    client = client_for(org.spo)
    queue = client.get(f"/team/{org.team_a.code}/queue/").content.decode()
    for owner, count in (("N07A001", "overdue"), ("N07A001", "due_soon"), ("N07A002", "overdue"), ("none", "overdue")):
        assert f'href="?owner={owner}&amp;count={count}#items"' in queue
    assert 'href="?owner=N07A100&amp;count=overdue#items"' not in queue  # nothing to list: a plain 0

    page = client.get(f"/team/{org.team_a.code}/queue/", {"owner": "N07A001", "count": "overdue"}).content.decode()
    section = page.split('id="items"')[1].split("</table>")[0]
    assert "Overdue: Po Tester" in section
    items = WorkItem.objects.filter(person=visible, owner=org.po, status="open", due_date__lt=TODAY).order_by(
        "due_date"
    )
    assert [i.due_date for i in items] == [dt.date(2026, 11, 10), YESTERDAY]
    for item in items:
        assert f'href="/work-items/{item.pk}/complete/?from=queue"' in section  # the action, one click
    assert section.count(f'href="/case/{visible.crn}/work-and-checks/#work-due"') == 2  # the case, one click
    assert hidden.crn not in section

    soon = client.get(f"/team/{org.team_a.code}/queue/", {"owner": "N07A001", "count": "due_soon"}).content.decode()
    section = soon.split('id="items"')[1].split("</table>")[0]
    assert "Due soon: Po Tester" in section and section.count('href="/work-items/') == 3
    assert "1 Dec 2026" in section and "2 Dec 2026" not in section and LAST_DUE_SOON.day == 1

    nobody = client.get(f"/team/{org.team_a.code}/queue/", {"owner": "none", "count": "overdue"}).content.decode()
    assert "Overdue: Nobody yet (unallocated cases)" in nobody
    assert client.get(f"/team/{org.team_a.code}/queue/", {"owner": "N07B001", "count": "overdue"}).status_code == 404
    assert client.get(f"/team/{org.team_a.code}/queue/", {"owner": "N07A001", "count": "late"}).status_code == 404


def test_team_queue_shows_what_the_escalations_job_escalated_and_to_whom(org, frozen_clock, hand_set_queue):
    from openprobation.workitems.escalations import overdue_items_escalate

    client = client_for(org.spo)
    before = client.get(f"/team/{org.team_a.code}/queue/").content.decode()
    assert 'id="queue-escalated"><strong>0</strong>' in before
    overdue = WorkItem.objects.filter(status="open", due_date__lt=TODAY).count()
    assert overdue_items_escalate(today=TODAY).escalated == overdue
    queue = client.get(f"/team/{org.team_a.code}/queue/").content.decode()
    shown = int(re.search(r'id="queue-escalated"><strong>(\d+)</strong>', queue).group(1))
    visible_overdue = int(re.search(r'id="queue-overdue"><strong>(\d+)</strong>', queue).group(1))
    assert shown == visible_overdue > 0  # every overdue item the SPO can see was escalated; the hidden case's not shown
    assert 'href="?owner=N07A001&amp;count=escalated#items"' in queue
    page = client.get(f"/team/{org.team_a.code}/queue/", {"owner": "N07A001", "count": "escalated"}).content.decode()
    section = page.split('id="items"')[1].split("</table>")[0]
    assert "Escalated: Po Tester" in section
    assert section.count("Escalated 24 Nov 2026 to Spo Tester") == section.count('href="/work-items/') > 0


# ---- a page of items is a fixed number of queries -------------------------------------------------------------------


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


KINDS = ["home_visit", "police_da_check", "rosh_screening", "reporting_change_countersign", "sentence_plan"]


def test_whats_due_is_a_fixed_number_of_queries(org, frozen_clock, django_assert_num_queries):
    client = client_for(org.po)
    first = new_person(org)
    hand_item(first, org.po, YESTERDAY)
    client.get("/whats-due/")  # warm-up
    one_item = _page_queries(client, "/whats-due/")
    for i in range(19):
        person = first if i % 2 else new_person(org)
        hand_item(person, org.po, YESTERDAY + dt.timedelta(days=i), kind=KINDS[i % len(KINDS)])
    with django_assert_num_queries(one_item):
        html = client.get("/whats-due/").content.decode()
    assert html.count('/#work-due">') == 20  # each item's link to its case


def test_the_case_pages_work_items_are_a_fixed_number_of_queries(org, frozen_clock, django_assert_num_queries):
    client = client_for(org.po)
    person = new_person(org)
    hand_item(person, org.po, YESTERDAY)
    url = f"/case/{person.crn}/work-and-checks/"
    client.get(url)
    one_item = _page_queries(client, url)
    for i in range(19):
        hand_item(person, org.po, YESTERDAY + dt.timedelta(days=i), kind=KINDS[i % len(KINDS)])
    with django_assert_num_queries(one_item):
        html = client.get(url).content.decode()
    assert html.count('<span class="govuk-visually-hidden">: ') == 20  # each item's action link
    # Cancel offered on the kinds a practitioner may cancel: the first item, home visits and sentence plans (8)
    assert html.count('<a class="govuk-link govuk-body-s" href="/work-items/') == 8


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
    page.wait_for_url(f"{live_server.url}/caseload/")  # a practitioner starts on their caseload

    page.get_by_role("link", name="What's due").click()
    page.wait_for_url(f"{live_server.url}/whats-due/")
    overdue = page.get_by_role("table", name="Overdue")
    tag = overdue.locator("strong.govuk-tag.govuk-tag--red", has_text="Overdue").first
    assert tag.is_visible() and tag.inner_text() == "Overdue"
    row = overdue.get_by_role("row").filter(has_text="First appointment")
    row.get_by_role("link", name="Mark as done").click()
    page.wait_for_url(f"{live_server.url}/work-items/**/complete/?from=whats-due")

    page.get_by_label("Day").fill("30")  # 30 February: not a real date
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Mark as done").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "must be a real date" in summary.inner_text()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert WorkItem.objects.get(person=person, kind="first_appointment").status == "open"

    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("11")
    page.get_by_role("button", name="Mark as done").click()
    page.wait_for_url(f"{live_server.url}/whats-due/")  # back where they started
    assert page.get_by_text("First appointment marked as done").is_visible()
    assert page.get_by_role("table", name="Overdue").get_by_text("First appointment").count() == 0
    assert problems == []


# ---- The case page offers only the actions the services allow ----------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "viewer", "offered"),
    [
        ("first_appointment", "po", True),
        ("police_da_check", "po", False),  # closed by its enquiry, never cancelled
        ("childrens_services_check", "spo", False),
        ("rosh_screening", "po", False),  # closed by completing the assessment
        ("reporting_change_countersign", "po", False),  # the SPO's decision closes it
        ("reporting_change_countersign", "spo", False),
        ("first_appointment", "qa", False),  # reads, never writes
    ],
)
def test_case_page_offers_cancel_only_where_the_service_allows_it(org, frozen_clock, kind, viewer, offered):
    person = make_person(org)
    if kind == "reporting_change_countersign":
        reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start")
        reporting_frequency_request(actor=org.po.user, person=person, frequency="monthly", reason="Progress")
    item = WorkItem.objects.get(person=person, kind=kind, status="open")
    response = client_for(getattr(org, viewer)).get(f"/case/{person.crn}/work-and-checks/")
    assert response.status_code == 200
    assert (f'href="/work-items/{item.pk}/cancel/"' in response.content.decode()) is offered


@pytest.mark.parametrize(
    ("answered", "viewer", "offered"),
    [
        (False, "po", True),  # awaiting a response: the practitioner may close it with a reason
        (True, "po", False),  # answered but unused: closing it is the SPO's exception
        (True, "spo", True),
        (False, "qa", False),
    ],
)
def test_case_page_offers_close_on_an_enquiry_only_where_the_service_allows_it(
    org, frozen_clock, answered, viewer, offered
):
    person = make_person(org)
    if answered:
        check = _answered_enquiry(org, person)
    else:
        check = safeguarding_check_request(
            actor=org.po.user, person=person, agency="police_da", requested_on=dt.date(2026, 11, 10)
        )
    response = client_for(getattr(org, viewer)).get(f"/case/{person.crn}/work-and-checks/")
    assert response.status_code == 200
    assert (f'href="/case/{person.crn}/safeguarding/{check.pk}/close/"' in response.content.decode()) is offered


# --- the enquiry form's questions --------------------------------------------------------------------------------

ENQUIRY = {"requested_on_day": "20", "requested_on_month": "11", "requested_on_year": "2026", "notes": ""}


@pytest.mark.parametrize(
    ("posted", "saved_name", "message"),
    [
        ({"agency": "other", "agency_name": "Women's Aid"}, "Women's Aid", ""),
        ({"agency": "other", "agency_name": ""}, None, "Enter the name of the agency"),
        ({"agency": "other", "agency_name": "x" * 5000}, None, "Name of the agency must be 200 characters or fewer"),
        ({"agency": "other", "agency_name": "x" * 201}, None, "Name of the agency must be 200 characters or fewer"),
        ({"agency": "other", "agency_name": "x" * 200}, "x" * 200, ""),
        ({"agency": "police_da", "agency_name": "typed, then Police chosen"}, "", ""),  # hidden: not kept
    ],
    ids=["other_named", "other_unnamed", "name_of_5000", "name_of_201", "name_of_200", "name_hidden_not_kept"],
)
def test_the_agency_name_is_asked_under_other_agency(org, frozen_clock, posted, saved_name, message):
    person = make_person(org)
    client = client_for(org.po)
    form = client.get(f"/case/{person.crn}/safeguarding/new/").content.decode()
    assert 'data-aria-controls="conditional-agency-' in form and "govuk-radios__conditional--hidden" in form
    response = client.post(f"/case/{person.crn}/safeguarding/new/", {**ENQUIRY, **posted})
    if saved_name is None:
        assert response.status_code == 200 and message in response.content.decode()
        assert not SafeguardingCheck.objects.filter(person=person).exists()
    else:
        assert response.status_code == 302
        assert SafeguardingCheck.objects.get(person=person).agency_name == saved_name


def test_who_the_enquiry_is_about_is_asked_only_when_there_is_a_choice(org, frozen_clock):
    person = make_person(org)
    client = client_for(org.po)
    assert "Who is the enquiry about?" not in client.get(f"/case/{person.crn}/safeguarding/new/").content.decode()
    relationship_add(actor=org.po.user, person=person, relationship="partner", first_name="Sam", last_name="Jones",
                     start_date=dt.date(2026, 1, 1))  # fmt: skip
    form = client.get(f"/case/{person.crn}/safeguarding/new/").content.decode()
    assert "Who is the enquiry about?" in form and "Sam Jones (partner)" in form


def test_the_api_refuses_an_agency_name_too_long_for_the_record(org, frozen_clock):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        safeguarding_check_request(actor=org.po.user, person=person, agency="other", agency_name="x" * 201,
                                   requested_on=dt.date(2026, 11, 20))  # fmt: skip
    assert [e.path for e in exc.value.errors] == [("agency_name",)]
