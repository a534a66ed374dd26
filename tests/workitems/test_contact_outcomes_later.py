"""An outcome recorded later on a booked contact has the work-item effects of recording the contact with it, once.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.contacts.services import contact_record, contact_update
from openprobation.core import clock
from openprobation.core.models import AuditEvent
from openprobation.people.models import Person
from openprobation.risk.services import registration_add
from openprobation.workitems import generate
from openprobation.workitems.models import ContactOutcomeApplied, WorkItem
from openprobation.workitems.services import (
    work_item_complete,
)
from tests.factories import Org
from tests.workitems.support import (
    PO,
    UTC,
    D,
    _item,
    allocated,
    first_appointment_open,
    open_items,
)

pytestmark = pytest.mark.django_db


BOOKED_AT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # an hour after the frozen clock: no outcome yet


AFTERWARDS = dt.datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def high_rosh_home_visit_open(org: Org) -> Person:
    person = allocated(org)
    registration_add(actor=org.po.user, person=person, code="RHRH", start_date=D(2026, 11, 10))
    return person


OUTCOME_LATER_CASES = [
    (
        "first_appointment_attended.closes_first_appointment_and_starts_sentence_plan_and_monthly_contact",
        first_appointment_open,
        "office_appointment",
        "attended_complied",
        {("sentence_plan", D(2026, 12, 15), PO), ("monthly_contact", D(2026, 12, 24), PO)},
    ),
    (
        "home_visit_attended.closes_the_visit_and_books_the_next",
        high_rosh_home_visit_open,
        "home_visit",
        "attended_complied",
        {("home_visit", D(2027, 2, 24), PO)},
    ),
    (
        "appointment_missed.follow_up_in_5_working_days_and_enforcement_decision_in_7_days",
        allocated,
        "office_appointment",
        "failed_to_attend_unacceptable",
        {("non_attendance_follow_up", D(2026, 12, 1), PO), ("enforcement_decision", D(2026, 12, 1), PO)},
    ),
    (
        "acceptable_absence.nothing",
        high_rosh_home_visit_open,
        "home_visit",
        "failed_to_attend_acceptable",
        {("home_visit", D(2026, 11, 24), PO)},
    ),
]


def _book(org: Org, person: Person, type: str):
    return contact_record(actor=org.po.user, person=person, type=type, date=BOOKED_AT)


@pytest.mark.parametrize(
    ("setup", "type", "outcome", "expected"),
    [c[1:] for c in OUTCOME_LATER_CASES],
    ids=[c[0] for c in OUTCOME_LATER_CASES],
)
def test_an_outcome_recorded_later_has_the_same_work_item_effects_as_recording_it_at_once(
    org, frozen_clock, monkeypatch, setup, type, outcome, expected
):
    at_once = setup(org)
    contact_record(
        actor=org.po.user, person=at_once, type=type, date=dt.datetime(2026, 11, 24, 11, 0, tzinfo=UTC), outcome=outcome
    )
    assert open_items(at_once) == expected

    later = setup(org)
    booked = _book(org, later, type)
    before = open_items(later)
    assert {kind for kind, _, _ in before} <= {"first_appointment", "home_visit"}  # booking alone does nothing
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    contact_update(
        actor=org.po.user, person=later, contact_id=booked.pk, version=booked.version, changes={"outcome": outcome}
    )
    assert open_items(later) == expected


def test_setting_the_same_outcome_again_has_no_further_effect(org, frozen_clock, monkeypatch):
    person = high_rosh_home_visit_open(org)
    booked = _book(org, person, "home_visit")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    contact = contact_update(
        actor=org.po.user, person=person, contact_id=booked.pk, version=1, changes={"outcome": "attended_complied"}
    )
    next_visit = _item(person, "home_visit")
    # The same outcome again (no change), then a correction away and back: the visit is counted once.
    for outcome in ("attended_complied", "rescheduled", "attended_complied"):
        contact = contact_update(
            actor=org.po.user,
            person=person,
            contact_id=contact.pk,
            version=contact.version,
            changes={"outcome": outcome},
        )
    assert contact.version == 4
    assert open_items(person) == {("home_visit", D(2027, 2, 24), PO)}
    assert _item(person, "home_visit").pk == next_visit.pk
    assert WorkItem.objects.filter(person=person, kind="home_visit", status="done").count() == 1


def test_a_missed_appointment_recorded_twice_makes_one_follow_up(org, frozen_clock, monkeypatch):
    person = allocated(org)
    booked = _book(org, person, "office_appointment")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    contact = booked
    for outcome in ("failed_to_attend_unacceptable", "rescheduled", "failed_to_attend_unacceptable"):
        contact = contact_update(
            actor=org.po.user,
            person=person,
            contact_id=contact.pk,
            version=contact.version,
            changes={"outcome": outcome},
        )
        if outcome == "failed_to_attend_unacceptable" and contact.version == 2:
            work_item_complete(actor=org.po.user, item_id=_item(person, "non_attendance_follow_up").pk)
    assert WorkItem.objects.filter(person=person, kind="non_attendance_follow_up").count() == 1


def test_a_missed_appointment_corrected_to_attended_closes_the_first_appointment(org, frozen_clock):
    person = first_appointment_open(org)
    contact = contact_record(
        actor=org.po.user,
        person=person,
        type="office_appointment",
        date=dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        outcome="failed_to_attend_unacceptable",
    )
    contact_update(
        actor=org.po.user, person=person, contact_id=contact.pk, version=1, changes={"outcome": "attended_complied"}
    )
    assert open_items(person) == {
        ("non_attendance_follow_up", D(2026, 12, 1), PO),  # made by the first outcome; cancel it if it was wrong
        ("enforcement_decision", D(2026, 12, 1), PO),  # likewise: decided acceptable, with the reason
        ("sentence_plan", D(2026, 12, 15), PO),
        ("monthly_contact", D(2026, 12, 24), PO),
    }


def test_what_was_done_is_kept_on_the_record_not_read_from_the_audit_trail(org, frozen_clock, monkeypatch):
    person = first_appointment_open(org)
    booked = _book(org, person, "office_appointment")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    contact_update(
        actor=org.po.user, person=person, contact_id=booked.pk, version=1, changes={"outcome": "attended_complied"}
    )
    assert WorkItem.objects.get(person=person, kind="first_appointment").attended_clock_started
    applied = ContactOutcomeApplied.objects.filter(contact_id=booked.pk)
    assert list(applied.values_list("outcome", flat=True)) == ["attended_complied"]


def test_the_migration_fills_in_what_was_done_by_the_rules_that_applied_before(org, frozen_clock, monkeypatch):
    """Before the record kept it: a first appointment's clock had started if a "first appointment attended" item was
    made after it; a contact's outcome had had its effects if the contact was ever recorded or updated with it."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "openprobation.workitems.migrations.0002_work_item_decisions_record_what_was_done"
    )
    person = first_appointment_open(org)
    booked = _book(org, person, "office_appointment")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    for outcome in ("attended_complied", "rescheduled", "failed_to_attend_unacceptable"):
        booked = contact_update(
            actor=org.po.user, person=person, contact_id=booked.pk, version=booked.version, changes={"outcome": outcome}
        )
    kept = set(ContactOutcomeApplied.objects.values_list("contact_id", "outcome"))
    assert kept == {(booked.pk, "attended_complied"), (booked.pk, "failed_to_attend_unacceptable")}
    ContactOutcomeApplied.objects.all().delete()
    WorkItem.objects.update(attended_clock_started=False)

    migration.record_what_was_done(apps, None)

    assert set(ContactOutcomeApplied.objects.values_list("contact_id", "outcome")) == kept
    assert WorkItem.objects.get(person=person, kind="first_appointment").attended_clock_started
    assert not WorkItem.objects.filter(attended_clock_started=True).exclude(kind="first_appointment").exists()


def test_an_outcome_recorded_later_is_one_transaction_with_its_work_items(org, frozen_clock, monkeypatch):
    person = first_appointment_open(org)
    booked = _book(org, person, "office_appointment")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)

    def fail(**kwargs):
        raise RuntimeError("work items failed")

    monkeypatch.setattr(generate, "on_contact_recorded", fail)
    with pytest.raises(RuntimeError):
        contact_update(
            actor=org.po.user, person=person, contact_id=booked.pk, version=1, changes={"outcome": "attended_complied"}
        )
    booked.refresh_from_db()
    assert (booked.outcome, booked.version) == ("", 1)
    assert not AuditEvent.objects.filter(crn=person.crn, action="contact.updated").exists()
