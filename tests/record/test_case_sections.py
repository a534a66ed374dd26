"""The case record's sections (overview, activity log, compliance...) and recording an appointment's outcome later.

The clock is frozen at 24 Nov 2026, 12:00 UTC (``frozen_clock``). Appointments booked earlier with no outcome are
made directly, as a booking made before today would have left them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.contacts.models import Contact
from openprobation.contacts.selectors import compliance_summary
from openprobation.contacts.services import contact_record
from openprobation.core.models import AuditEvent
from openprobation.web.case_sections import ANCHOR_SECTION, case_url
from tests.factories import make_person

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _booked(person, when: dt.datetime, *, type: str = "office_appointment", staff=None) -> Contact:
    return Contact.objects.create(person=person, type=type, date=when, staff=staff, created_at=when - dt.timedelta(7))


# --- where each part of the record lives ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "path"),
    [
        ("", "/case/X100001/"),
        ("work-due", "/case/X100001/work-and-checks/#work-due"),
        ("safeguarding", "/case/X100001/work-and-checks/#safeguarding"),
        ("rosh-assessments", "/case/X100001/risk/#rosh-assessments"),
        ("risk-scores", "/case/X100001/risk/#risk-scores"),
        ("reporting", "/case/X100001/sentence/#reporting"),
        ("contacts", "/case/X100001/activity/#contacts"),
        ("household", "/case/X100001/personal-details/#household"),
        ("outcomes-to-log", "/case/X100001/compliance/#outcomes-to-log"),
    ],
)
def test_case_url_names_the_section_that_holds_each_anchor(anchor, path):
    assert case_url("X100001", anchor) == path


def test_case_url_refuses_an_anchor_no_section_holds():
    with pytest.raises(ValueError, match="No case section holds #nowhere"):
        case_url("X100001", "nowhere")


def test_every_anchor_named_is_on_its_section_page(org, frozen_clock):
    person = make_person(org)
    client = _client_for(org.po)
    for anchor in ANCHOR_SECTION:
        html = client.get(case_url(person.crn, anchor)).content.decode()
        assert f'id="{anchor}"' in html, anchor


# --- compliance --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "counted"),
    [(366, False), (365, True), (1, True), (0, True)],
    ids=["a_year_and_a_day_ago_not_counted", "a_year_ago_counted", "yesterday", "earlier_today"],
)
def test_compliance_counts_appointments_in_the_last_12_months(org, frozen_clock, days_ago, counted):
    person = make_person(org)
    when = NOW - dt.timedelta(days=days_ago, hours=1)
    Contact.objects.create(
        person=person, type="office_appointment", date=when, outcome="attended_complied", created_at=when
    )
    summary = compliance_summary(person=person, now=NOW)
    assert summary.appointments == (1 if counted else 0)


def test_compliance_counts_failures_and_outcomes_to_log_but_not_future_or_non_appointments(org, frozen_clock):
    person = make_person(org)
    for days, outcome in [(10, "attended_complied"), (20, "attended_failed_to_comply"),
                          (30, "failed_to_attend_unacceptable"), (40, "failed_to_attend_acceptable")]:  # fmt: skip
        when = NOW - dt.timedelta(days=days)
        Contact.objects.create(person=person, type="home_visit", date=when, outcome=outcome, created_at=when)
    _booked(person, NOW - dt.timedelta(days=2))  # happened, no outcome yet
    _booked(person, NOW + dt.timedelta(days=2))  # still to come: not counted
    Contact.objects.create(person=person, type="note", date=NOW - dt.timedelta(days=1), notes="x", created_at=NOW)
    summary = compliance_summary(person=person, now=NOW)
    assert (summary.appointments, summary.failures, summary.to_log) == (5, 2, 1)


def test_compliance_section_lists_outcomes_to_log_with_a_link_for_practitioners_only(org, frozen_clock):
    person = make_person(org)
    booked = _booked(person, NOW - dt.timedelta(days=2))
    link = reverse("web:contact-outcome", args=[person.crn, booked.pk])
    assert link in _client_for(org.po).get(reverse("web:case-compliance", args=[person.crn])).content.decode()
    qa_html = _client_for(org.qa).get(reverse("web:case-compliance", args=[person.crn])).content.decode()
    assert "Outcomes to log" in qa_html and link not in qa_html


def test_overview_shows_the_next_appointment_and_links_to_outcomes_to_log(org, frozen_clock):
    person = make_person(org)
    _booked(person, NOW - dt.timedelta(days=2))
    _booked(person, NOW + dt.timedelta(days=3), type="home_visit")
    _booked(person, NOW + dt.timedelta(days=9))
    html = _client_for(org.po).get(reverse("web:case", args=[person.crn])).content.decode()
    assert "Home visit, 27 Nov 2026" in html  # the soonest still to come
    assert f'href="{case_url(person.crn, "outcomes-to-log")}">1 outcome to log</a>' in html


# --- recording an appointment's outcome later ------------------------------------------------------------------


def test_record_the_outcome_of_a_booked_appointment(org, frozen_clock):
    person = make_person(org)
    booked = _booked(person, NOW - dt.timedelta(days=1), staff=org.po)
    url = reverse("web:contact-outcome", args=[person.crn, booked.pk])
    client = _client_for(org.po)
    form = client.get(url).content.decode()
    assert 'name="version" value="1"' in form and "Attended: failed to comply" in form
    assert "Not applicable" not in form  # not an outcome an appointment can have
    response = client.post(url, {"outcome": "attended_complied", "notes": "Discussed housing", "version": "1"})
    assert response.status_code == 302 and response["Location"] == case_url(person.crn, "contacts")
    booked.refresh_from_db()
    assert (booked.outcome, booked.notes, booked.version) == ("attended_complied", "Discussed housing", 2)
    assert AuditEvent.objects.filter(action="contact.updated", entity_id=str(booked.pk)).count() == 1
    assert client.get(url).status_code == 404  # it has its outcome now


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Select what happened at the appointment"),
        ({"outcome": "not_applicable"}, "Select what happened at the appointment"),
        ({"outcome": "sideways"}, "Select what happened at the appointment"),
    ],
    ids=["no_outcome", "not_an_appointment_outcome", "not_an_outcome"],
)
def test_an_outcome_form_with_errors_saves_nothing(org, frozen_clock, posted, message):
    person = make_person(org)
    booked = _booked(person, NOW - dt.timedelta(days=1))
    response = _client_for(org.po).post(
        reverse("web:contact-outcome", args=[person.crn, booked.pk]), {"version": "1", **posted}
    )
    assert response.status_code == 200 and message in response.content.decode()
    booked.refresh_from_db()
    assert (booked.outcome, booked.version) == ("", 1)


def test_an_outcome_recorded_by_someone_else_meanwhile_is_reported_and_nothing_saved(org, frozen_clock):
    person = make_person(org)
    booked = _booked(person, NOW - dt.timedelta(days=1))
    booked.notes, booked.version = "Changed elsewhere", 2
    booked.save()
    response = _client_for(org.po).post(
        reverse("web:contact-outcome", args=[person.crn, booked.pk]), {"outcome": "attended_complied", "version": "1"}
    )
    assert response.status_code == 200 and "Someone else changed this record" in response.content.decode()
    booked.refresh_from_db()
    assert booked.outcome == ""


@pytest.mark.parametrize(
    "kind", ["future_appointment", "already_has_outcome", "not_an_appointment", "another_case"]
)
def test_no_outcome_form_for_what_has_no_outcome_to_record(org, frozen_clock, kind):
    person = make_person(org)
    other = make_person(org)
    contact = {
        "future_appointment": lambda: _booked(person, NOW + dt.timedelta(days=1)),
        "already_has_outcome": lambda: contact_record(
            actor=org.po.user, person=person, type="telephone", date=NOW - dt.timedelta(days=1),
            outcome="attended_complied",
        ),
        "not_an_appointment": lambda: contact_record(
            actor=org.po.user, person=person, type="note", date=NOW - dt.timedelta(days=1), notes="Called",
        ),
        "another_case": lambda: _booked(other, NOW - dt.timedelta(days=1)),
    }[kind]()
    client = _client_for(org.po)
    url = reverse("web:contact-outcome", args=[person.crn, contact.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "attended_complied", "version": "1"}).status_code == 404


def test_quality_assurance_cannot_record_an_outcome(org, frozen_clock):
    person = make_person(org)
    booked = _booked(person, NOW - dt.timedelta(days=1))
    url = reverse("web:contact-outcome", args=[person.crn, booked.pk])
    assert _client_for(org.qa).post(url, {"outcome": "attended_complied", "version": "1"}).status_code == 403
    booked.refresh_from_db()
    assert booked.outcome == ""
