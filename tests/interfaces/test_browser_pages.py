"""Every page in a real browser (Debian's Chromium): axe-core finds no accessibility violations on any of them, for
each role that uses them; the case sections fit a phone's width; and an appointment booked in the pages gets its
outcome recorded later in the pages.
"""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.contacts.models import Contact
from openprobation.contacts.services import contact_record
from openprobation.core import clock
from openprobation.enforcement.models import EnforcementDecision
from openprobation.people.services import address_add, relationship_add
from openprobation.risk.services import registration_add
from openprobation.safeguarding.services import rosh_assessment_start, safeguarding_check_request
from openprobation.workitems.models import ReportingChange
from openprobation.workitems.services import reporting_frequency_request
from tests.factories import make_person
from tests.interfaces.browser import axe_violations, scrolls_sideways, sign_in, too_wide

UTC = dt.UTC
CASE_SECTIONS = ("", "personal-details/", "risk/", "sentence/", "activity/", "compliance/", "work-and-checks/")


@pytest.fixture
def busy_case(org, frozen_clock):
    """A case with something in every section: registrations, household, contacts (one booked appointment that has
    happened with no outcome yet, one failure to comply awaiting its decision), a safeguarding enquiry, a RoSH
    assessment and a reporting change to decide."""
    person = make_person(org, first_name="Dana", last_name="Evans")
    registration_add(actor=org.po.user, person=person, code="RHRH", start_date=dt.date(2026, 3, 2))
    registration_add(actor=org.po.user, person=person, code="MAPP", level="M2", category="M1",
                     start_date=dt.date(2026, 3, 2), review_date=dt.date(2026, 12, 1))  # fmt: skip
    address_add(actor=org.po.user, person=person, line1="1 High Street", town="London", postcode="n1 1aa",
                start_date=dt.date(2025, 3, 1))  # fmt: skip
    relationship_add(actor=org.po.user, person=person, relationship="partner", first_name="Sam", last_name="Evans",
                     start_date=dt.date(2020, 1, 1), lives_in_household=True, potential_victim=True)  # fmt: skip
    contact_record(actor=org.po.user, person=person, type="office_appointment",
                   date=dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC), outcome="attended_complied",
                   notes="A long note " * 40)  # fmt: skip
    contact_record(actor=org.po.user, person=person, type="office_appointment",
                   date=dt.datetime(2026, 11, 16, 10, 0, tzinfo=UTC), outcome="failed_to_attend_unacceptable",
                   notes="No call, no reason given")  # fmt: skip
    Contact.objects.create(person=person, type="home_visit", date=dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                           staff=org.po, created_at=dt.datetime(2026, 11, 10, 9, 0, tzinfo=UTC))  # fmt: skip
    safeguarding_check_request(actor=org.po.user, person=person, agency="police_da",
                               requested_on=dt.date(2026, 11, 10))  # fmt: skip
    rosh_assessment_start(actor=org.po.user, person=person, kind="review")
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start")
    reporting_frequency_request(actor=org.po.user, person=person, frequency="monthly", reason="Progress")
    return person


def _pages_for(role: str, org, person) -> list[str]:
    crn, team = person.crn, org.team_a.code
    booked = Contact.objects.get(person=person, type="home_visit")
    pending = ReportingChange.objects.get(person=person, status="awaiting_countersignature")
    decision = EnforcementDecision.objects.get(person=person)
    case_pages = [f"/case/{crn}/{section}" for section in CASE_SECTIONS]
    return {
        "po": ["/", "/whats-due/", f"/search/?q={person.last_name}", *case_pages, f"/case/{crn}/contacts/new/",
               f"/case/{crn}/contacts/{booked.pk}/outcome/", f"/case/{crn}/safeguarding/new/?agency=police_da",
               f"/case/{crn}/rosh-assessments/new/", f"/case/{crn}/risk/criminal-history/",
               f"/case/{crn}/personal-details/change/", f"/case/{crn}/addresses/new/",
               f"/case/{crn}/relationships/new/", f"/case/{crn}/registrations/new/",
               f"/case/{crn}/registrations/new/MAPP/", f"/case/{crn}/reporting/new/",
               f"/case/{crn}/appointments/new/", f"/case/{crn}/contact-details/change/",
               f"/case/{crn}/events/new/", f"/case/{crn}/events/1/sentence/",
               f"/case/{crn}/enforcement-decisions/{decision.pk}/"],
        "spo": ["/team/", f"/team/{team}/", f"/team/{team}/queue/", f"/case/{crn}/sentence/",
                f"/case/{crn}/reporting/{pending.pk}/decision/"],
        "qa": ["/quality/risk/", f"/case/{crn}/audit/", f"/case/{crn}/"],
        "hos": ["/access-lists/"],
        "admin": ["/administration/staff/new/"],
    }[role]  # fmt: skip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["po", "spo", "qa", "hos", "admin"])
def test_axe_finds_no_violations_on_any_page(watched_page, live_server, org, busy_case, role):
    page = watched_page
    org.hos.access_manager = True  # the head of service manages the access lists, as in the demo
    org.hos.save()
    sign_in(page, live_server, role)
    violations = []
    for path in _pages_for(role, org, busy_case):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        violations += axe_violations(page)
    assert violations == []
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_fit_a_phone_without_scrolling_sideways(watched_page, live_server, org, busy_case):
    page = watched_page
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, live_server)
    for section in CASE_SECTIONS:
        page.goto(f"{live_server.url}/case/{busy_case.crn}/{section}")
        assert not scrolls_sideways(page), (section, too_wide(page))
    for path in ("/caseload/", "/whats-due/", f"/search/?q={busy_case.last_name}",
                 f"/case/{busy_case.crn}/appointments/new/"):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        assert not scrolls_sideways(page), (path, too_wide(page))
    page.context.clear_cookies()
    sign_in(page, live_server, "spo")
    for path in ("/team/", f"/team/{org.team_a.code}/", f"/team/{org.team_a.code}/queue/"):
        page.goto(f"{live_server.url}{path}")
        assert not scrolls_sideways(page), (path, too_wide(page))
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_book_an_appointment_then_record_its_outcome_when_it_has_happened(
    watched_page, live_server, org, frozen_clock, monkeypatch
):
    page = watched_page
    person = make_person(org, first_name="Callum", last_name="Doyle")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/case/{person.crn}/")
    page.get_by_role("link", name="Record a contact").click()
    page.get_by_label("Office appointment").check()
    page.get_by_label("Day").fill("26")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Time of the contact").fill("10:00")
    page.get_by_label("No outcome yet").check()
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/activity/#contacts")
    page.goto(f"{live_server.url}/case/{person.crn}/")
    assert "Office appointment, 26 Nov 2026, 10:00" in page.locator("#overview-appointments").inner_text()

    # Two days later the appointment has happened: it is waiting for its outcome.
    later = dt.datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: later)
    monkeypatch.setattr(clock, "today", lambda: later.date())
    page.goto(f"{live_server.url}/case/{person.crn}/")
    page.get_by_role("link", name="1 outcome to log").click()
    page.get_by_role("link", name="Record outcome").click()
    page.get_by_role("button", name="Record the outcome").click()  # nothing chosen yet
    page.locator(".govuk-error-summary").get_by_role("link", name="Select what happened at the appointment").click()
    page.get_by_label("Attended: failed to comply").check()
    page.get_by_label("Notes").fill("Arrived but refused to take part in the session")
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/activity/#contacts")
    assert "Outcome recorded: attended: failed to comply" in page.locator(".govuk-notification-banner").inner_text()
    contact = Contact.objects.get(person=person, type="office_appointment")
    assert (contact.outcome, contact.notes) == ("attended_failed_to_comply", "Arrived but refused to take part in "
                                                "the session")  # fmt: skip
    page.goto(f"{live_server.url}/case/{person.crn}/compliance/")
    assert "No outcomes to log." in page.locator("main").inner_text()
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_add_a_registration_then_end_it(watched_page, live_server, org, frozen_clock):
    page = watched_page
    person = make_person(org, first_name="Grace", last_name="Evans")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/case/{person.crn}/risk/")
    page.get_by_role("link", name="Add a registration").click()
    page.get_by_label("Type of registration").select_option("MAPP")
    page.get_by_role("button", name="Continue").click()
    page.locator("#level-2").check()  # M2
    page.locator("#category").check()  # M1
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("2")
    start.get_by_label("Month").fill("11")
    start.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Add the registration").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/risk/#registrations")
    assert "MAPPA registration added" in page.locator(".govuk-notification-banner").inner_text()
    assert "MAPPA (M2)" in page.locator("#rosh").inner_text()  # a flag in the header

    page.get_by_role("link", name="End MAPPA").click()
    page.get_by_label("Day").fill("24")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Why is it ending?").fill("Managed at level 1 now")
    page.get_by_role("button", name="End the registration").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/risk/#registrations")
    assert "MAPPA" not in page.locator("#rosh").inner_text()
    assert "Ended" in page.locator("#registrations ~ .app-table-scroll").first.inner_text()
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_add_a_household_member(watched_page, live_server, org, frozen_clock):
    page = watched_page
    person = make_person(org, first_name="Tomasz", last_name="Kowalski")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/case/{person.crn}/personal-details/")
    page.get_by_role("link", name="Add someone in Tomasz's life").click()
    page.get_by_label("Partner", exact=True).check()
    page.get_by_label("First name").fill("Ola")
    page.get_by_label("Last name").fill("Nowak")
    page.locator("#start_date-day").fill("20")
    page.locator("#start_date-month").fill("11")
    page.locator("#start_date-year").fill("2026")
    page.locator("#lives_in_household").check()  # Yes
    page.locator("#potential_victim").check()  # Yes
    page.get_by_role("button", name="Add them").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/personal-details/#household")
    household = page.locator("#household ~ .app-table-scroll").first.inner_text()
    assert "Ola Nowak" in household and "Partner" in household
    page.goto(f"{live_server.url}/case/{person.crn}/work-and-checks/")
    assert "Ola Nowak" in page.locator("main").inner_text()  # the household checks are due
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reduction_in_reporting_is_requested_and_the_spo_decides_with_the_facts(
    watched_page, live_server, org, frozen_clock
):
    page = watched_page
    person = make_person(org, first_name="Priya", last_name="Nair")
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start of order")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/case/{person.crn}/sentence/")
    page.get_by_role("link", name="Change how often they report").click()
    page.get_by_label("Monthly").check()
    page.get_by_label("Why is it changing?").fill("Working full time; attended every appointment")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/sentence/#reporting")
    assert "countersigns it" in page.locator(".govuk-notification-banner").inner_text()

    page.context.clear_cookies()
    sign_in(page, live_server, "spo")
    page.goto(f"{live_server.url}/case/{person.crn}/sentence/")
    page.get_by_role("link", name="Countersign or refuse").click()
    facts = page.locator("#reporting-request").inner_text()
    assert "Weekly" in facts and "Monthly" in facts and "Po Tester" in facts and "attended every appointment" in facts
    assert page.locator("#reporting-compliance").is_visible()
    page.get_by_label("Countersign: the reduction is in force from today").check()
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/sentence/#reporting")
    assert "In force: Monthly" in page.locator("main").inner_text()
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_missed_appointment_is_decided_with_a_warning_and_a_life_licence_recorded(
    watched_page, live_server, org, frozen_clock
):
    page = watched_page
    person = make_person(org, first_name="Robin", last_name="Hale")
    contact_record(actor=org.po.user, person=person, type="office_appointment",
                   date=dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC), outcome="failed_to_attend_unacceptable")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/case/{person.crn}/compliance/")
    assert "1 failure to comply within 12 months" in page.locator("#compliance-banner").inner_text()
    page.get_by_role("link", name="Decide").click()
    assert not page.get_by_label("First warning").is_visible()  # revealed only under a warning
    page.get_by_label("Unacceptable: give a warning").check()
    page.get_by_label("First warning").check()
    page.get_by_label("Reason").fill("No reason given for missing the appointment")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/compliance/#enforcement")
    assert "Unacceptable: first warning" in page.locator("#enforcement-decisions").inner_text()

    page.goto(f"{live_server.url}/case/{person.crn}/sentence/")
    page.get_by_role("link", name="Record a sentence").click()
    page.get_by_label("Offence code").fill("00101")
    for legend, (day, month, year) in (("Conviction date", ("4", "5", "2010")), ("Sentence date", ("4", "5", "2010")),
                                       ("Release date (optional)", ("2", "6", "2025"))):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_label("Licence", exact=True).check()
    page.get_by_label("Indeterminate").check()
    page.get_by_label("Life", exact=True).check()
    page.get_by_label("Tariff (minimum term)").fill("144")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Record the sentence").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/sentence/#sentences")
    assert "Indeterminate: Life" in page.locator("#sentence-kind-2").inner_text()
    assert page.problems == []  # type: ignore[attr-defined]
