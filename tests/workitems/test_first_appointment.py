"""The first appointment starts the sentence-plan and contact clocks, by either route, once.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from openprobation.contacts.services import contact_record
from openprobation.people.models import Person
from openprobation.workitems.models import WorkItem
from openprobation.workitems.services import (
    work_item_complete,
)
from tests.factories import Org
from tests.workitems.support import (
    PO,
    UTC,
    D,
    _item,
    first_appointment_open,
    open_items,
)

pytestmark = pytest.mark.django_db


SENTENCE_PLAN_AND_CONTACT = {("sentence_plan", D(2026, 12, 15), PO), ("monthly_contact", D(2026, 12, 24), PO)}


def _attend(org: Org, person: Person, type: str = "office_appointment", hour: int = 10):
    return contact_record(
        actor=org.po.user,
        person=person,
        type=type,
        date=dt.datetime(2026, 11, 24, hour, 0, tzinfo=UTC),
        outcome="attended_complied",
    )


FIRST_APPOINTMENT_ROUTES = [
    (
        "marked_done_by_hand",
        lambda org, p: work_item_complete(
            actor=org.po.user, item_id=_item(p, "first_appointment").pk, completed_on=D(2026, 11, 24)
        ),
    ),
    ("attended_office_appointment", lambda org, p: _attend(org, p, "office_appointment")),
    ("attended_home_visit", lambda org, p: _attend(org, p, "home_visit")),
    ("attended_video", lambda org, p: _attend(org, p, "video")),
]


@pytest.mark.parametrize(
    "route", [r[1] for r in FIRST_APPOINTMENT_ROUTES], ids=[r[0] for r in FIRST_APPOINTMENT_ROUTES]
)
def test_first_appointment_done_starts_the_sentence_plan_and_monthly_contact_clocks(org, frozen_clock, route):
    person = first_appointment_open(org)
    route(org, person)
    assert WorkItem.objects.get(person=person, kind="first_appointment").status == "done"
    assert open_items(person) == SENTENCE_PLAN_AND_CONTACT
    plan = _item(person, "sentence_plan")
    assert (plan.trigger, plan.clock_started_on) == ("first_appointment_attended", D(2026, 11, 24))


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (FIRST_APPOINTMENT_ROUTES[0][1], lambda org, p: _attend(org, p, hour=11)),
        (FIRST_APPOINTMENT_ROUTES[1][1], lambda org, p: _attend(org, p, hour=11)),
        (FIRST_APPOINTMENT_ROUTES[1][1], lambda org, p: _attend(org, p, "video", hour=11)),
    ],
    ids=["by_hand_then_attended_contact", "attended_then_attended_again", "attended_then_video"],
)
def test_the_first_appointment_clock_starts_exactly_once(org, frozen_clock, first, then):
    person = first_appointment_open(org)
    first(org, person)
    then(org, person)
    assert WorkItem.objects.filter(person=person, kind="sentence_plan").count() == 1
    assert WorkItem.objects.filter(person=person, kind="first_appointment").count() == 1
    assert _item(person, "sentence_plan").due_date == D(2026, 12, 15)


def test_nothing_is_inferred_from_a_first_appointment_closed_without_its_clock(org, frozen_clock):
    """A first appointment closed without its clock started (as an old demo load closed them in bulk): a later
    attended contact does not start the sentence plan from the day it was closed, which would cite an attendance
    that never happened (the fault found in the demo)."""
    person = first_appointment_open(org)
    WorkItem.objects.filter(person=person, kind="first_appointment").update(status="done", closed_on=D(2026, 11, 20))
    _attend(org, person)
    assert open_items(person) == set()
    assert not WorkItem.objects.filter(person=person, trigger="first_appointment_attended").exists()


def test_a_first_appointment_marked_done_says_so_in_the_items_it_starts(org, frozen_clock):
    person = first_appointment_open(org)
    work_item_complete(actor=org.po.user, item_id=_item(person, "first_appointment").pk, completed_on=D(2026, 11, 23))
    plan = _item(person, "sentence_plan")
    assert plan.reason.startswith("First appointment marked done on 23 November 2026: sentence plan completed")


def test_an_attended_contact_before_the_sentence_is_not_its_first_appointment(org, frozen_clock):
    person = first_appointment_open(org)  # sentenced Friday 20 November
    contact_record(
        actor=org.po.user,
        person=person,
        type="office_appointment",
        date=dt.datetime(2026, 11, 19, 10, 0, tzinfo=UTC),
        outcome="attended_complied",
    )
    assert open_items(person) == {("first_appointment", D(2026, 11, 27), PO)}


def test_migration_cancels_the_open_items_made_from_first_appointments_closed_in_bulk(org, frozen_clock):
    """Workitems migration 0004: the sentence plan and monthly contact the old rule made from a first appointment
    closed in bulk are cancelled saying why; items made from an attended first appointment are left alone."""
    from django.apps import apps

    migration = importlib.import_module(
        "openprobation.workitems.migrations.0004_items_made_from_bulk_closed_first_appointments"
    )
    bulk = first_appointment_open(org)
    WorkItem.objects.filter(person=bulk, kind="first_appointment").update(status="done", closed_on=D(2026, 11, 20))
    WorkItem.objects.create(
        person=bulk, kind="sentence_plan", due_date=D(2026, 12, 11), owner_role="practitioner", rule_id="sentence_plan",
        policy_version="timescales-ps2021-v2", trigger="first_appointment_attended", clock_started_on=D(2026, 11, 20),
        reason="First appointment attended on 20 November 2026: ...", created_at=frozen_clock,
    )  # fmt: skip
    attended = first_appointment_open(org)
    _attend(org, attended)  # closes the first appointment with its note and starts the clocks properly
    kept = set(WorkItem.objects.filter(person=attended, status="open").values_list("pk", flat=True))
    assert kept

    assert migration.cancel_items_made_from_bulk_closed_first_appointments(apps, None) == 1
    plan = WorkItem.objects.get(person=bulk, kind="sentence_plan")
    assert plan.status == "cancelled"
    assert plan.cancel_reason.startswith("Made from a first appointment closed in bulk on 20 November 2026")
    assert set(WorkItem.objects.filter(person=attended, status="open").values_list("pk", flat=True)) == kept
    assert migration.cancel_items_made_from_bulk_closed_first_appointments(apps, None) == 0  # once
