"""Appointments: booked ahead (where, with whom, for which event and requirement), rearranged with a reason, and
RAR days counted from the attended appointments that deliver them; the hook for a failure to comply. The clock is
frozen at 24 Nov 2026, 12:00 UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from openprobation.contacts.models import Contact
from openprobation.contacts.selectors import rar_days_delivered
from openprobation.contacts.services import appointment_book, appointment_rearrange, contact_update
from openprobation.core import followups
from openprobation.core.errors import ValidationFailed, VersionConflict
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.sentences.models import Requirement
from openprobation.sentences.services import RequirementInput, event_create
from tests.factories import make_person

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TOMORROW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _book(org, person, **changes):
    values = {"type": "office_appointment", "when": TOMORROW, "location": "Camden office"} | changes
    return appointment_book(actor=org.po.user, person=person, **values)


def test_book_an_appointment_with_whom_and_where(org, frozen_clock):
    person = make_person(org)
    booked = _book(org, person, with_staff=org.po2.code, notes="Bring ID")
    assert (booked.outcome, booked.location, booked.with_staff, booked.staff, booked.notes) == (
        "", "Camden office", org.po2, org.po, "Bring ID")
    assert booked.event is None and booked.requirement is None
    assert AuditEvent.objects.filter(action="appointment.booked", entity_id=str(booked.pk)).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "note"}, "type"),
        ({"when": NOW - dt.timedelta(minutes=1)}, "date"),
        ({"when": NOW}, "date"),  # now is not still to come
        ({"when": NOW + dt.timedelta(days=367)}, "date"),
        ({"when": None}, "date"),
        ({"location": "  "}, "location"),
        ({"location": "x" * 201}, "location"),
        ({"with_staff": "NOPE"}, "with_staff"),
        ({"event_number": 9}, "event_number"),
        ({"requirement_id": 999999}, "requirement_id"),
    ],
)
def test_a_booking_with_a_problem_saves_nothing(org, frozen_clock, changes, field):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        _book(org, person, **changes)
    assert [e.path[0] for e in exc.value.errors] == [field]
    assert not Contact.objects.filter(person=person).exists()


def test_a_booking_just_inside_a_year_is_accepted(org, frozen_clock):
    assert _book(org, make_person(org), when=NOW + dt.timedelta(days=366)).pk


def test_rearrange_keeps_the_old_appointment_as_rescheduled_with_the_reason(org, frozen_clock):
    person = make_person(org)
    booked = _book(org, person)
    later = TOMORROW + dt.timedelta(days=2)
    new = appointment_rearrange(actor=org.po.user, person=person, contact_id=booked.pk, version=booked.version,
                                when=later, reason="Hospital appointment")  # fmt: skip
    booked.refresh_from_db()
    assert (booked.outcome, booked.notes) == ("rescheduled", "Rearranged: Hospital appointment")
    assert (new.date, new.outcome, new.location, new.rearranged_from) == (later, "", "Camden office", booked)
    with pytest.raises(VersionConflict):  # the old version
        appointment_rearrange(actor=org.po.user, person=person, contact_id=booked.pk, version=1, when=later,
                              reason="Again")  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:  # it has an outcome now
        appointment_rearrange(actor=org.po.user, person=person, contact_id=booked.pk, version=booked.version,
                              when=later, reason="Again")  # fmt: skip
    assert [e.path[0] for e in exc.value.errors] == ["contact_id"]
    with pytest.raises(ValidationFailed) as exc:
        appointment_rearrange(actor=org.po.user, person=person, contact_id=new.pk, version=new.version,
                              when=later, reason=" ")  # fmt: skip
    assert [e.path[0] for e in exc.value.errors] == ["reason"]


def _rar_case(org):
    person = make_person(org)
    event = event_create(actor=org.admin.user, person=person, offence_code="00101", conviction_date=dt.date(2026, 9, 1),
                         sentence_date=dt.date(2026, 9, 1), sentence_type="community_order", length_months=12,
                         requirements=[RequirementInput(type="rar", length=20)], practitioner=org.po.code)  # fmt: skip
    return person, event, Requirement.objects.get(event=event, type="rar")


def test_rar_days_are_the_days_attended_for_the_rar(org, frozen_clock):
    person, event, rar = _rar_case(org)
    for when, outcome in [
        (dt.datetime(2026, 11, 2, 10, tzinfo=UTC), "attended_complied"),
        (dt.datetime(2026, 11, 2, 14, tzinfo=UTC), "attended_complied"),  # the same day: one RAR day
        (dt.datetime(2026, 11, 9, 10, tzinfo=UTC), "attended_failed_to_comply"),  # attended: delivered
        (dt.datetime(2026, 11, 16, 10, tzinfo=UTC), "failed_to_attend_unacceptable"),  # not delivered
        (dt.datetime(2026, 11, 17, 10, tzinfo=UTC), ""),  # no outcome yet
    ]:
        Contact.objects.create(person=person, type="office_appointment", date=when, outcome=outcome,
                               requirement=rar, event=event, created_at=when)  # fmt: skip
    assert rar_days_delivered(requirement_ids=[rar.pk]) == {rar.pk: 2}
    client = Client()
    client.force_login(org.po.user)
    html = client.get(f"/case/{person.crn}/sentence/").content.decode()
    assert f'<span id="rar-days-{rar.pk}">2 delivered</span>' in html


def test_booking_for_a_requirement_takes_its_event(org, frozen_clock):
    person, event, rar = _rar_case(org)
    booked = _book(org, person, requirement_id=rar.pk)
    assert (booked.requirement, booked.event) == (rar, event)


def test_a_failure_to_comply_is_handed_to_whatever_follows_it(org, frozen_clock, monkeypatch):
    seen = []

    class Enforcement:
        def failure_to_comply(self, *, actor, person, contact):
            seen.append((person.crn, contact.outcome))

    monkeypatch.setattr(followups, "_handlers", [*followups.handlers(), Enforcement()])
    person = make_person(org)
    booked = Contact.objects.create(person=person, type="office_appointment", date=NOW - dt.timedelta(hours=2),
                                    created_at=NOW - dt.timedelta(days=3))  # fmt: skip
    contact_update(actor=org.po.user, person=person, contact_id=booked.pk, version=1,
                   changes={"outcome": "attended_complied"})  # fmt: skip
    assert seen == []
    other = Contact.objects.create(person=person, type="home_visit", date=NOW - dt.timedelta(hours=1),
                                   created_at=NOW - dt.timedelta(days=3))  # fmt: skip
    contact_update(actor=org.po.user, person=person, contact_id=other.pk, version=1,
                   changes={"outcome": "failed_to_attend_unacceptable"})  # fmt: skip
    assert seen == [(person.crn, "failed_to_attend_unacceptable")]


def test_book_and_rearrange_through_the_api(org, frozen_clock):
    person = make_person(org)
    api = Client(headers={"Authorization": f"Bearer {token_create(username='po')}"})
    booked = api.post(f"/api/v1/people/{person.crn}/appointments",
                      {"type": "home_visit", "date": "2026-11-26T10:00:00", "location": "Home"},
                      content_type="application/json")  # fmt: skip
    assert booked.status_code == 201, booked.content
    body = booked.json()
    assert (body["location"], body["with_staff"], body["outcome"]) == ("Home", org.po.code, None)
    moved = api.post(f"/api/v1/people/{person.crn}/appointments/{body['id']}/rearrange",
                     {"version": body["version"], "date": "2026-11-27T10:00:00", "reason": "Not in"},
                     content_type="application/json")  # fmt: skip
    assert moved.status_code == 201 and moved.json()["rearranged_from"] == body["id"]
    past = api.post(f"/api/v1/people/{person.crn}/appointments",
                    {"type": "home_visit", "date": "2026-11-20T10:00:00", "location": "Home"},
                    content_type="application/json")  # fmt: skip
    assert past.status_code == 422 and Contact.objects.filter(person=person).count() == 2


def test_book_then_rearrange_in_the_pages(org, frozen_clock):
    person = make_person(org)
    client = Client()
    client.force_login(org.po.user)
    form = client.get(f"/case/{person.crn}/appointments/new/").content.decode()
    assert "Induction (group)" in form and f'<option value="{org.po.code}" selected>' in form
    posted = {"type": "office_appointment", "date_day": "26", "date_month": "11", "date_year": "2026",
              "time": "14:30", "location": "Camden office", "with_staff": org.po.code, "notes": ""}  # fmt: skip
    bad = client.post(f"/case/{person.crn}/appointments/new/", {**posted, "time": "25:00"})
    assert "Enter the time in 24-hour format" in bad.content.decode() and not Contact.objects.exists()
    done = client.post(f"/case/{person.crn}/appointments/new/", posted)
    assert done.status_code == 302 and done["Location"] == f"/case/{person.crn}/activity/#contacts"
    booked = Contact.objects.get(person=person)
    assert booked.date == dt.datetime(2026, 11, 26, 14, 30, tzinfo=UTC)  # UK time (GMT in November)
    activity = client.get(f"/case/{person.crn}/activity/").content.decode()
    url = f"/case/{person.crn}/appointments/{booked.pk}/rearrange/"
    assert url in activity
    moved = client.post(url, {"date_day": "27", "date_month": "11", "date_year": "2026", "time": "09:00",
                              "location": "Camden office", "reason": "Clash with work", "version": "1"})  # fmt: skip
    assert moved.status_code == 302
    assert Contact.objects.filter(person=person, outcome="").get().date == dt.datetime(2026, 11, 27, 9, tzinfo=UTC)
    assert client.get(url).status_code == 404  # the old one has been moved


def test_a_contact_recorded_in_the_pages_belongs_to_the_sentence(org, frozen_clock):
    person = make_person(org)  # one community order
    client = Client()
    client.force_login(org.po.user)
    posted = {"type": "telephone", "date_day": "23", "date_month": "11", "date_year": "2026", "time": "10:00",
              "outcome": "attended_complied", "notes": "Checked in"}  # fmt: skip
    assert client.post(f"/case/{person.crn}/contacts/new/", posted).status_code == 302
    only = person.events.get()
    assert Contact.objects.get(person=person).event == only
    second = event_create(actor=org.admin.user, person=person, offence_code="00101",
                          conviction_date=dt.date(2026, 9, 1), sentence_date=dt.date(2026, 9, 1),
                          sentence_type="community_order", length_months=6, practitioner=org.po.code)  # fmt: skip
    form = client.get(f"/case/{person.crn}/contacts/new/").content.decode()
    assert "Which sentence is it for?" in form
    chosen = client.post(f"/case/{person.crn}/contacts/new/", {**posted, "event_number": str(second.number)})
    assert chosen.status_code == 302
    assert Contact.objects.filter(person=person).order_by("-id").first().event == second
    bad = client.post(f"/case/{person.crn}/contacts/new/", {**posted, "event_number": "99"})
    assert bad.status_code == 200 and "No event 99" in bad.content.decode()
