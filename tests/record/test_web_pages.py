"""The server-rendered pages: sign-in, caseload, case page, recording a contact, search, team and audit pages.

Each test drives the pages through Django's test client against the real database; data is built through the
services, the way users build it. Access rules are checked from the outside: a case a user may not see is absent
from every page and its URL is a 404, never a hint that it exists.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.contacts.models import Contact
from openprobation.contacts.services import contact_record
from openprobation.core.models import AuditEvent
from openprobation.people.models import CaseAccess, Person
from openprobation.people.services import address_add, person_create, relationship_add
from openprobation.risk.services import registration_add
from openprobation.sentences.services import LicenceConditionInput, RequirementInput, event_create
from openprobation.web.audit_words import ACTIONS, value_words
from tests.factories import PASSWORD, Org, make_person

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _crns_in_order(html: str) -> list[str]:
    """The CRNs of the case links on a page, in the order they appear (each once)."""
    seen: list[str] = []
    for crn in re.findall(r'href="/case/([A-Z]\d{6})/"', html):
        if crn not in seen:
            seen.append(crn)
    return seen


def _person(
    org: Org,
    *,
    crn: str,
    first: str,
    last: str,
    tier: str = "",
    rosh_code: str | None = None,
    appointment: dt.datetime | None = None,
    sentence_date: dt.date = dt.date(2026, 1, 5),
    months: int = 12,
    practitioner=None,
) -> Person:
    holder = practitioner or org.po
    person = person_create(
        actor=org.admin.user,
        crn=crn,
        first_name=first,
        last_name=last,
        date_of_birth=dt.date(1990, 5, 17),
        gender="female",
        team=holder.team.code,
    )
    event_create(
        actor=org.admin.user,
        person=person,
        offence_code="00101",
        conviction_date=sentence_date,
        sentence_date=sentence_date,
        sentence_type="community_order",
        length_months=months,
        requirements=[RequirementInput(type="unpaid_work", length=100)],
        practitioner=holder.code,
    )
    if rosh_code:
        registration_add(actor=org.admin.user, person=person, code=rosh_code, start_date=dt.date(2026, 2, 1))
    # After the registration: a change to the record recalculates the tier, and these tests need set ones.
    Person.objects.filter(pk=person.pk).update(tier=tier)
    if appointment:
        contact_record(actor=org.po.user, person=person, type="office_appointment", date=appointment)
    person.refresh_from_db()
    return person


@pytest.fixture
def caseload(org, frozen_clock):
    """Three cases held by org.po, chosen so that every column sorts them differently."""
    return {
        "adams": _person(
            org,
            crn="X200001",
            first="Zoe",
            last="Adams",
            tier="A1",
            rosh_code="RVHR",
            appointment=dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
            months=12,
        ),
        "brown": _person(
            org,
            crn="X200003",
            first="Yan",
            last="Brown",
            tier="B2",
            rosh_code="RLRH",
            appointment=dt.datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
            months=24,
        ),
        "clark": _person(org, crn="X200002", first="Xavi", last="Clark", months=6),
    }


# --- signing in and out ---------------------------------------------------------------------------------------


def test_sign_in_with_correct_credentials_opens_the_start_page(org):
    client = Client()
    response = client.post(reverse("web:sign-in"), {"username": "po", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.get(reverse("web:caseload")).status_code == 200


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("po", "/caseload/"),
        ("spo", "/team/N07T01/queue/"),
        ("hos", "/team/"),
        ("qa", "/search/"),
        ("admin", "/django-admin/"),
    ],
)
def test_each_role_lands_on_its_own_page(org, role, landing):
    client = _client_for(getattr(org, role))
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_an_spo_without_a_team_lands_on_the_caseload(org):
    org.spo.team = None
    org.spo.save()
    assert _client_for(org.spo).get(reverse("web:home"))["Location"] == reverse("web:caseload")


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(org):
    client = Client()
    response = client.post(reverse("web:sign-in") + "?next=/search/", {"username": "po", "password": PASSWORD})
    assert response["Location"] == "/search/"
    response = Client().post(
        reverse("web:sign-in"), {"username": "po", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("web:home")


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("po", "wrong-password", "Enter a correct username and password"),
        ("nobody", PASSWORD, "Enter a correct username and password"),
        ("", PASSWORD, "Enter your username"),
        ("po", "", "Enter your password"),
    ],
    ids=["wrong_password", "unknown_user", "missing_username", "missing_password"],
)
def test_sign_in_problems_are_shown_in_the_error_summary(org, username, password, message):
    client = Client()
    response = client.post(reverse("web:sign-in"), {"username": username, "password": password})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert message in html
    assert client.get(reverse("web:caseload")).status_code == 302  # still signed out


def test_sign_in_is_refused_with_a_clear_message_after_too_many_failures(org, settings):
    settings.SIGN_IN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        client.post(reverse("web:sign-in"), {"username": "po", "password": "wrong-password"})
    response = client.post(reverse("web:sign-in"), {"username": "po", "password": PASSWORD})
    html = response.content.decode()
    assert "too many failed attempts" in html
    assert "govuk-error-summary" in html
    assert client.get(reverse("web:caseload")).status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/case/X100001/",
        "/case/X100001/contacts/new/",
        "/case/X100001/audit/",
        "/team/",
        "/team/N07T01/",
        "/search/?q=smith",
    ],
)
def test_every_page_needs_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in") + "?next=")


def test_sign_out_is_a_post_that_ends_the_session(org):
    client = _client_for(org.po)
    assert client.get(reverse("web:sign-out")).status_code == 405
    page = client.get(reverse("web:caseload")).content.decode()
    assert f'action="{reverse("web:sign-out")}"' in page
    response = client.post(reverse("web:sign-out"))
    assert response["Location"] == reverse("web:sign-in")
    assert client.get(reverse("web:caseload")).status_code == 302


# --- navigation, layout and security headers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_team_link"),
    [
        ("po", False),
        ("spo", True),
        ("hos", True),
        ("qa", True),
        ("admin", True),
    ],
)
def test_team_link_is_shown_only_to_roles_that_may_open_it(org, role, sees_team_link):
    html = _client_for(getattr(org, role)).get(reverse("web:search")).content.decode()
    assert (f'href="{reverse("web:team")}"' in html) is sees_team_link
    assert "Skip to main content" in html
    assert 'id="main-content"' in html


@pytest.mark.parametrize("url", ["/", "/search/", "/sign-in/", "/case/X999999/"])
def test_pages_carry_a_strict_content_security_policy_and_no_inline_script_or_style(org, url):
    response = _client_for(org.po).get(url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert " style=" not in html and "<style" not in html


def test_demo_mode_shows_the_demo_phase_banner(org, settings):
    settings.DEMO_MODE = True
    html = _client_for(org.po).get(reverse("web:search")).content.decode()
    assert "govuk-phase-banner" in html and ">Demo<" in html
    settings.DEMO_MODE = False
    assert "govuk-phase-banner" not in _client_for(org.po).get(reverse("web:search")).content.decode()


# --- caseload -----------------------------------------------------------------------------------------------------


def test_caseload_shows_the_practitioners_own_cases_with_the_count_in_the_heading(org, caseload):
    make_person(org, practitioner=org.po2, crn="X300001", last_name="Other")  # same team, another practitioner
    html = _client_for(org.po).get(reverse("web:caseload")).content.decode()
    assert "My caseload (3 cases)" in html
    assert set(_crns_in_order(html)) == {"X200001", "X200002", "X200003"}


def test_caseload_count_is_singular_for_one_case(org, frozen_clock):
    make_person(org, crn="X300002")
    assert "My caseload (1 case)" in _client_for(org.po).get(reverse("web:caseload")).content.decode()


CASELOAD_ORDER_ASCENDING = {
    "name": ["X200001", "X200003", "X200002"],  # Adams, Brown, Clark
    "crn": ["X200001", "X200002", "X200003"],
    "tier": ["X200001", "X200003", "X200002"],  # A1, B2, not tiered last
    "rosh": ["X200001", "X200003", "X200002"],  # very high, low, not recorded
    "next_appointment": ["X200003", "X200001", "X200002"],  # 30 Nov, 1 Dec, none booked last
    "sentence_end": ["X200002", "X200001", "X200003"],  # 6, 12, 24 months from 5 Jan 2026
}


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("sort", list(CASELOAD_ORDER_ASCENDING))
def test_caseload_sorts_on_the_server_by_each_column(org, caseload, sort, order):
    html = _client_for(org.po).get(reverse("web:caseload"), {"sort": sort, "order": order}).content.decode()
    expected = CASELOAD_ORDER_ASCENDING[sort]
    assert _crns_in_order(html) == (expected if order == "asc" else expected[::-1])
    aria = "ascending" if order == "asc" else "descending"
    sorted_headers = re.findall(r'aria-sort="(ascending|descending)"><a [^>]*href="\?sort=(\w+)', html)
    assert sorted_headers == [(aria, sort)]
    assert html.count('aria-sort="none"') == len(CASELOAD_ORDER_ASCENDING) - 1


def test_caseload_ignores_an_unknown_sort_and_sorts_by_name(org, caseload):
    html = _client_for(org.po).get(reverse("web:caseload"), {"sort": "password", "order": "sideways"}).content
    assert _crns_in_order(html.decode()) == CASELOAD_ORDER_ASCENDING["name"]


def test_caseload_shows_uk_dates_and_rosh_tags_coloured_by_level(org, caseload):
    html = _client_for(org.po).get(reverse("web:caseload")).content.decode()
    assert "1 Dec 2026, 10:00" in html  # next appointment, UK time (GMT in December)
    assert "30 Nov 2026, 09:30" in html
    assert re.search(r'govuk-tag--red">Very high<', html)
    assert re.search(r'govuk-tag--green">Low<', html)
    assert re.search(r'govuk-tag--grey">Not recorded<', html)
    assert "None booked" in html


# --- the case page ------------------------------------------------------------------------------------------------


@pytest.fixture
def full_case(org, frozen_clock):
    person = _person(org, crn="X400001", first="Dana", last="Evans", tier="B1", rosh_code="RHRH")
    address_add(
        actor=org.po.user,
        person=person,
        line1="1 High Street",
        town="London",
        postcode="n1 1aa",
        start_date=dt.date(2025, 3, 1),
    )
    relationship_add(
        actor=org.po.user,
        person=person,
        relationship="partner",
        first_name="Sam",
        last_name="Evans",
        start_date=dt.date(2020, 1, 1),
        date_of_birth=dt.date(1991, 2, 3),
        lives_in_household=True,
        potential_victim=True,
    )
    event_create(
        actor=org.admin.user,
        person=person,
        offence_code="00101",
        conviction_date=dt.date(2024, 6, 1),
        sentence_date=dt.date(2024, 7, 1),
        sentence_type="licence",
        length_months=18,
        release_date=dt.date(2025, 1, 10),
        licence_conditions=[LicenceConditionInput(type="non_contact", details="No contact with J Doe")],
        practitioner=org.po.code,
    )
    registration_add(
        actor=org.admin.user,
        person=person,
        code="MAPP",
        level="M2",
        category="M1",
        start_date=dt.date(2026, 3, 1),
        review_date=dt.date(2026, 12, 1),
    )
    for when, kind, outcome, notes in [
        (dt.datetime(2026, 2, 3, 10, 0, tzinfo=UTC), "office_appointment", "attended_complied", "First meeting"),
        (dt.datetime(2026, 5, 4, 11, 0, tzinfo=UTC), "telephone", "failed_to_attend_unacceptable", "No answer"),
        (dt.datetime(2026, 8, 5, 12, 0, tzinfo=UTC), "note", "", "Police report received"),
    ]:
        contact_record(actor=org.po.user, person=person, type=kind, date=when, outcome=outcome, notes=notes)
    return person


def _section(client, name, crn, params=None):
    response = client.get(reverse(name, args=[crn]), params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_every_case_section_shows_the_header_with_rosh_prominently_and_the_sub_navigation(org, full_case):
    client = _client_for(org.po)
    for name in ("web:case", "web:case-personal", "web:case-risk", "web:case-sentence", "web:case-activity",
                 "web:case-compliance", "web:case-work"):  # fmt: skip
        html = _section(client, name, full_case.crn)
        assert "RoSH: High" in html and html.index("RoSH: High") < html.index('class="moj-sub-navigation"'), name
        assert "17 May 1990 (age 36)" in html and "Po Tester" in html, name
        assert html.count('aria-current="page"') == 1, name
        assert f'href="{reverse(name, args=[full_case.crn])}" aria-current="page"' in html, name


def test_personal_details_section_shows_the_summary_addresses_and_household(org, full_case):
    html = _section(_client_for(org.po), "web:case-personal", full_case.crn)
    assert "Camden Team 1" in html
    assert "1 High Street" in html and "N1 1AA" in html
    household = html[html.index('id="household"') :]
    assert "Partner" in household and "Sam Evans" in household and "Yes" in household


def test_sentence_section_shows_events_requirements_conditions_and_release(org, full_case):
    html = _section(_client_for(org.po), "web:case-sentence", full_case.crn)
    sentences = html[html.index('id="sentences"') : html.index('id="reporting"')]
    assert "Community order" in sentences and "Licence" in sentences
    assert "Unpaid work: 100 hours" in sentences
    assert "No contact with a named person: No contact with J Doe" in sentences
    assert "Release date" in sentences and "10 Jan 2025" in sentences


def test_risk_section_shows_registrations_with_level_and_review(org, full_case):
    html = _section(_client_for(org.po), "web:case-risk", full_case.crn)
    registrations = html[html.index('id="registrations"') : html.index('id="risk-scores"')]
    assert "RoSH: high" in registrations and "MAPPA" in registrations.upper()
    assert "M2" in registrations and "1 Dec 2026" in registrations


def test_overview_shows_appointments_compliance_risk_work_and_sentence_end(org, full_case):
    html = _section(_client_for(org.po), "web:case", full_case.crn)
    appointments = html[html.index('id="overview-appointments"') : html.index('id="overview-risk"')]
    assert "Next appointment" in appointments and "Last contact" in appointments
    assert "2 appointments; 1 failure to comply" in appointments  # the attended office visit and the missed call
    risk = html[html.index('id="overview-risk"') : html.index('id="overview-work"')]
    assert "High" in risk and "Category M1, level M2" in risk
    sentence = html[html.index('id="overview-sentence"') :]
    assert "Licence (18 months)" in sentence and "Sentence end" in sentence


def test_case_page_says_when_rosh_is_not_recorded(org, frozen_clock):
    person = make_person(org, crn="X400002")
    assert "RoSH not recorded" in _client_for(org.po).get(reverse("web:case", args=[person.crn])).content.decode()


def test_activity_log_lists_contacts_newest_first(org, full_case):
    html = _section(_client_for(org.po), "web:case-activity", full_case.crn)
    timeline = html[html.index('id="contact-timeline"') :]
    positions = [timeline.index(text) for text in ("Police report received", "No answer", "First meeting")]
    assert positions == sorted(positions)
    assert "3 Feb 2026, 10:00" in timeline


@pytest.mark.parametrize(
    ("filters", "shown", "hidden"),
    [
        ({"type": "telephone"}, ["No answer"], ["First meeting", "Police report received"]),
        ({"outcome": "attended_complied"}, ["First meeting"], ["No answer", "Police report received"]),
        ({"type": "telephone", "outcome": "attended_complied"}, [], ["First meeting", "No answer"]),
        ({"type": "not-a-type"}, ["First meeting", "No answer", "Police report received"], []),
        ({"type": "not-a-type", "outcome": "attended_complied"}, ["First meeting"], ["No answer"]),
        ({"type": "telephone", "outcome": "sideways"}, ["No answer"], ["First meeting"]),
    ],
    ids=["by_type", "by_outcome", "both_no_match", "unknown_type_ignored", "bad_type_keeps_outcome",
         "bad_outcome_keeps_type"],
)
def test_contact_filters_narrow_the_timeline(org, full_case, filters, shown, hidden):
    response = _client_for(org.po).get(reverse("web:case-activity", args=[full_case.crn]), filters)
    assert response.status_code == 200
    html = response.content.decode()
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html
    if not shown:
        assert "No contacts match the filters" in html


def test_contact_timeline_is_paginated_fifty_to_a_page(org, frozen_clock):
    person = make_person(org, crn="X400003")
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    Contact.objects.bulk_create(
        [
            Contact(
                person=person,
                type="note",
                date=start + dt.timedelta(days=n),
                notes=f"Note number {n:03d}",
                created_at=start,
            )
            for n in range(55)
        ]
    )
    client = _client_for(org.po)
    first = client.get(reverse("web:case-activity", args=[person.crn])).content.decode()
    assert "Showing 1 to 50 of 55 contacts" in first
    assert 'href="?page=2#contacts"' in first  # the next page keeps the place on the page
    assert "Note number 054" in first and "Note number 004" not in first
    second = client.get(reverse("web:case-activity", args=[person.crn]), {"page": 2}).content.decode()
    assert "Note number 004" in second and "Note number 054" not in second
    assert client.get(reverse("web:case-activity", args=[person.crn]), {"page": "x"}).status_code == 200


# --- recording a contact ------------------------------------------------------------------------------------------

VALID_CONTACT = {
    "type": "office_appointment",
    "date_day": "3",
    "date_month": "2",
    "date_year": "2026",
    "time": "14:30",
    "outcome": "attended_complied",
    "notes": "Discussed housing",
}


@pytest.mark.parametrize(
    ("changes", "field_anchor", "message"),
    [
        ({"type": ""}, "type", "Select the type of contact"),
        ({"date_day": "", "date_month": "", "date_year": ""}, "date-day", "Enter the date of the contact"),
        ({"date_month": ""}, "date-day", "The date of the contact must include a month"),
        ({"date_day": "31"}, "date-day", "The date of the contact must be a real date"),
        ({"time": ""}, "time", "Enter the time of the contact"),
        ({"time": "25:00"}, "time", "Enter the time in 24-hour format"),
        ({"outcome": ""}, "outcome", "Choose the outcome of this appointment"),  # from the service
        ({"type": "note", "outcome": "not_applicable", "notes": " "}, "notes", "Enter what was said or reported"),
        ({"notes": " \n\t "}, "notes", "Notes cannot be only spaces"),  # an attended appointment
        ({"date_year": "2028", "outcome": "none"}, "date-day", "within a year from today"),
        ({"date_day": "1", "date_month": "1", "date_year": "0001"}, "date-day", "on or after 1 January 1900"),
        ({"date_day": "31", "date_month": "12", "date_year": "1899"}, "date-day", "on or after 1 January 1900"),
        (
            {"date_day": "16", "date_month": "5", "date_year": "1990"},
            "date-day",
            "on or after the person&#x27;s date of birth, 17 May 1990",
        ),
    ],
    ids=[
        "missing_type",
        "missing_date",
        "missing_month",
        "not_a_real_date",
        "missing_time",
        "bad_time",
        "past_appointment_without_outcome",
        "note_without_notes",
        "attended_with_whitespace_notes",
        "too_far_ahead",
        "year_one",
        "before_1900",
        "before_date_of_birth",
    ],
)
def test_record_contact_problem_shows_error_summary_keeps_values_and_saves_nothing(
    org, frozen_clock, changes, field_anchor, message
):
    person = make_person(org, crn="X500001")
    before = Contact.objects.filter(person=person).count()
    response = _client_for(org.po).post(reverse("web:record-contact", args=[person.crn]), {**VALID_CONTACT, **changes})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    assert re.search(rf'<a href="#{field_anchor}">[^<]*{re.escape(message)}', summary)
    assert f'id="{field_anchor.split("-")[0]}-error"' in html  # inline message beside the field
    assert "govuk-form-group--error" in html
    assert 'value="Discussed housing"' in html or "Discussed housing</textarea>" in html or changes.get("notes")
    assert Contact.objects.filter(person=person).count() == before


def test_record_contact_saves_and_returns_to_the_case_with_a_success_banner(org, frozen_clock):
    person = make_person(org, crn="X500002")
    client = _client_for(org.po)
    response = client.post(reverse("web:record-contact", args=[person.crn]), VALID_CONTACT, follow=True)
    assert response.redirect_chain == [(reverse("web:case-activity", args=[person.crn]) + "#contacts", 302)]
    html = response.content.decode()
    assert "govuk-notification-banner--success" in html and "Contact recorded" in html
    assert "3 Feb 2026, 14:30" in html and "Discussed housing" in html
    contact = Contact.objects.get(person=person)
    assert contact.staff == org.po and contact.outcome == "attended_complied"
    assert contact.date == dt.datetime(2026, 2, 3, 14, 30, tzinfo=UTC)  # GMT in February


def test_record_contact_time_is_uk_local_time(org, frozen_clock):
    person = make_person(org, crn="X500003")
    _client_for(org.po).post(reverse("web:record-contact", args=[person.crn]), {**VALID_CONTACT, "date_month": "7"})
    assert Contact.objects.get(person=person).date == dt.datetime(2026, 7, 3, 13, 30, tzinfo=UTC)  # BST


def test_future_appointment_can_be_booked_without_outcome(org, frozen_clock):
    person = make_person(org, crn="X500004")
    response = _client_for(org.po).post(
        reverse("web:record-contact", args=[person.crn]),
        {**VALID_CONTACT, "date_day": "10", "date_month": "12", "outcome": "none", "notes": ""},
    )
    assert response.status_code == 302
    assert Contact.objects.get(person=person).outcome == ""


def test_read_only_role_cannot_record_a_contact(org, frozen_clock):
    person = make_person(org, crn="X500005")
    response = _client_for(org.qa).post(reverse("web:record-contact", args=[person.crn]), VALID_CONTACT)
    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()
    assert not Contact.objects.filter(person=person).exists()
    assert _client_for(org.qa).get(reverse("web:record-contact", args=[person.crn])).status_code == 403  # no form


# --- search, team and audit pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("X200002", ["X200002"]),
        ("x200002", ["X200002"]),
        ("brown", ["X200003"]),
        ("Yan Brown", ["X200003"]),
        ("nobody", []),
    ],
    ids=["crn", "crn_lower_case", "last_name", "full_name", "no_match"],
)
def test_search_finds_cases_by_crn_or_name(org, caseload, query, found):
    html = _client_for(org.po).get(reverse("web:search"), {"q": query}).content.decode()
    assert _crns_in_order(html) == found
    if not found:
        assert "No cases found" in html


def test_search_survives_odd_input(org, caseload):
    for query in ["\x00", "%", "'; drop table people; --", "a" * 500]:
        assert _client_for(org.po).get(reverse("web:search"), {"q": query}).status_code == 200


def test_team_page_shows_each_practitioner_with_caseload_count_and_total(org, caseload):
    make_person(org, practitioner=org.po2, crn="X300003")
    client = _client_for(org.spo)
    teams = client.get(reverse("web:team")).content.decode()
    assert "Camden Team 1" in teams and "Islington Team 1" not in teams  # an SPO sees their own team
    html = client.get(reverse("web:team-detail", args=[org.team_a.code])).content.decode()
    name_then_count = (
        r">(\w+ Tester)<span class=\"govuk-visually-hidden\">: open work</span></a></td>.*?numeric\">(\d+)</td>"
    )
    rows = dict(re.findall(name_then_count, html, re.S))
    assert f'href="/team/N07T01/queue/?owner={org.po.code}&amp;count=open#items"' in html  # each name a link
    assert rows["Po Tester"] == "3" and rows["Po2 Tester"] == "1"
    assert "Camden Team 1 (4 cases)" in html
    assert client.get(reverse("web:team-detail", args=[org.team_b.code])).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/team/%00/", id="nul"),
        pytest.param("/team/%00/queue/", id="nul_queue"),
        pytest.param("/team/N07T01%00/", id="code_then_nul"),
        pytest.param("/team/N07T01%00/queue/", id="code_then_nul_queue"),
        pytest.param("/team/" + "N" * 5000 + "/", id="oversized"),
        pytest.param("/team/" + "N" * 5000 + "/queue/", id="oversized_queue"),
        pytest.param("/team/NOPE/", id="unknown"),
    ],
)
@pytest.mark.parametrize("role", ["spo", "admin"])
def test_team_code_with_nul_or_oversized_is_404_not_500(org, path, role):
    response = _client_for(getattr(org, role)).get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_search_of_1300_words_is_answered_not_a_500(org, frozen_clock):
    make_person(org, crn="X300010", first_name="Alex", last_name="Smith")
    response = _client_for(org.po).get(reverse("web:search"), {"q": " ".join(["Alex"] * 1300)})
    assert response.status_code == 200
    assert _crns_in_order(response.content.decode()) == ["X300010"]


@pytest.mark.parametrize(("role", "status"), [("po", 403), ("spo", 200), ("hos", 200), ("qa", 200), ("admin", 200)])
def test_team_pages_are_for_managers_qa_and_admin(org, role, status):
    assert _client_for(getattr(org, role)).get(reverse("web:team")).status_code == status


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("qa", 200), ("po", 403), ("spo", 403)])
def test_audit_history_is_for_administrators_and_quality_assurance_only(org, full_case, role, status):
    response = _client_for(getattr(org, role)).get(reverse("web:audit", args=[full_case.crn]))
    assert response.status_code == status
    case_page = _client_for(getattr(org, role)).get(reverse("web:case", args=[full_case.crn])).content.decode()
    assert (reverse("web:audit", args=[full_case.crn]) in case_page) is (status == 200)
    if status == 200:
        html = response.content.decode()
        assert "Recorded a contact" in html and "Created the case" in html


def test_audit_history_is_in_words_with_names_labels_and_dates(org, full_case):
    html = _client_for(org.qa).get(reverse("web:audit", args=[full_case.crn])).content.decode()
    rows = html[html.index("<tbody") :]
    assert "contact.recorded" not in rows and "office_appointment" not in rows and "attended_complied" not in rows
    assert "Po Tester" in rows and "Recorded a contact" in rows  # who by name, what in words
    assert "Office appointment" in rows and "Attended and complied" in rows  # codes as their labels
    assert "3 February 2026, 10:00" in rows  # a stored time as a date in words, in UK time
    assert "Lives in household" in rows and "2026-02-03" not in rows


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "(empty)"),
        ("", "(empty)"),
        (True, "Yes"),
        (False, "No"),
        ("2026-02-03", "3 February 2026"),
        ("2026-07-03T09:30:00+00:00", "3 July 2026, 10:30"),  # British Summer Time
        ("2026-12-03T09:30:00+00:00", "3 December 2026, 09:30"),
        ("office_appointment", "Office appointment"),
        ("failed_to_attend_unacceptable", "Failed to attend: unacceptable absence"),
        ("2026-13-45", "2026-13-45"),  # not a date: shown as stored
        (["home_visit", "telephone"], "Home visit, Telephone"),
        ({"first_name": "Sam"}, "First name: Sam"),
        (3, "3"),
    ],
)
def test_audit_values_in_words(value, words):
    assert value_words(value) == words


def test_every_audited_action_has_words():
    source = Path(__file__).resolve().parents[2] / "src" / "openprobation"
    actions = {
        match
        for path in source.rglob("*.py")
        for match in re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8"))
    }
    assert actions - set(ACTIONS) == {"admin.user.password_set", "sign_in.failed", "sign_in.refused_throttled",
                                      "sign_in.throttle_cleared", "staff.created", "user.password_changed",
                                      "user.password_set", "user.signed_in", "user.signed_out"}  # not about a case


# --- access: other teams, unknown and restricted cases ----------------------------------------------------------


@pytest.mark.parametrize("crn", ["X999999", "not-a-crn", "X1"])
def test_unknown_case_is_a_404_page(org, crn):
    response = _client_for(org.po).get(f"/case/{crn}/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_practitioner_in_another_team_gets_404_for_the_case_and_its_pages(org, frozen_clock):
    person = make_person(org, crn="X600001")
    client = _client_for(org.po_b)
    for name in ("web:case", "web:record-contact"):
        response = client.get(reverse(name, args=[person.crn]))
        assert response.status_code == 404
        assert person.name not in response.content.decode()
    assert client.post(reverse("web:record-contact", args=[person.crn]), VALID_CONTACT).status_code == 404
    assert not Contact.objects.filter(person=person).exists()


def _visible_everywhere(org: Org, staff, person: Person) -> dict[str, bool]:
    client = _client_for(staff)
    return {
        "caseload": person.crn in _crns_in_order(client.get(reverse("web:caseload")).content.decode()),
        "search": person.crn in _crns_in_order(client.get(reverse("web:search"), {"q": person.crn}).content.decode()),
        "case": client.get(reverse("web:case", args=[person.crn])).status_code == 200,
    }


def _caseload_heading_count(staff) -> int:
    """The count in the heading of the staff member's own caseload page, "My caseload (N cases)"."""
    html = _client_for(staff).get(reverse("web:caseload")).content.decode()
    match = re.search(r"My caseload \((\d+) cases?\)", html)
    assert match, html
    return int(match[1])


def _team_counts(staff, team) -> dict[str, int]:
    """The cases counted for ``team`` on /team/ (its row of the teams table) and on /team/<code>/ (heading)."""
    client = _client_for(staff)
    teams = client.get(reverse("web:team")).content.decode()
    row = re.search(rf"\({team.code}\)</td>.*?numeric\">\d+</td>\s*<td[^>]*numeric\">(\d+)</td>", teams, re.S)
    detail = client.get(reverse("web:team-detail", args=[team.code])).content.decode()
    heading = re.search(rf"{team.name} \((\d+) cases?\)", detail)
    assert row and heading, (teams, detail)
    return {"teams": int(row[1]), "team": int(heading[1])}


def test_excluded_practitioner_cannot_see_the_case_anywhere(org, frozen_clock):
    person = make_person(org, crn="X700001")
    make_person(org, crn="X700005")
    assert _visible_everywhere(org, org.po, person) == {"caseload": True, "search": True, "case": True}
    assert _caseload_heading_count(org.po) == 2
    CaseAccess.objects.create(person=person, staff=org.po, kind="exclusion", reason="Known to the officer")
    assert _visible_everywhere(org, org.po, person) == {"caseload": False, "search": False, "case": False}
    assert _caseload_heading_count(org.po) == 1


def test_excluded_manager_does_not_count_the_case_in_team_counts(org, frozen_clock):
    person = make_person(org, crn="X700002")
    make_person(org, crn="X700003")
    assert _team_counts(org.spo, org.team_a) == {"teams": 2, "team": 2}
    CaseAccess.objects.create(person=person, staff=org.spo, kind="exclusion", reason="Conflict of interest")
    assert _team_counts(org.spo, org.team_a) == {"teams": 1, "team": 1}
    assert _team_counts(org.hos, org.team_a) == {"teams": 2, "team": 2}  # only the excluded manager loses it


def test_restricted_case_is_visible_only_to_named_staff_and_each_view_is_audited(org, frozen_clock):
    person = make_person(org, crn="X700004")
    make_person(org, crn="X700006", practitioner=org.po2)
    CaseAccess.objects.create(person=person, staff=org.po, kind="restriction", reason="High-profile case")
    assert _visible_everywhere(org, org.po, person) == {"caseload": True, "search": True, "case": True}
    assert _visible_everywhere(org, org.po2, person) == {"caseload": False, "search": False, "case": False}
    assert AuditEvent.objects.filter(crn=person.crn, action="case.viewed", actor=org.po.user).count() == 1
    assert not AuditEvent.objects.filter(crn=person.crn, action="case.viewed", actor=org.po2.user).exists()
    assert (_caseload_heading_count(org.po), _caseload_heading_count(org.po2)) == (1, 1)
    for manager in (org.spo, org.hos, org.qa, org.admin):
        assert _team_counts(manager, org.team_a) == {"teams": 1, "team": 1}, manager.user.username


@pytest.mark.parametrize(
    ("username", "shown"),
    [("po", True), ("spo", True), ("qa", False)],
    ids=["practitioner_may_record", "spo_may_record", "quality_assurance_reads_only"],
)
def test_record_contact_action_only_for_roles_that_may_write(org, username, shown):
    person = make_person(org)
    client = Client()
    client.force_login(getattr(org, username).user)
    html = client.get(f"/case/{person.crn}/").content.decode()
    assert ("Record a contact" in html) is shown
