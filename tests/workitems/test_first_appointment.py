"""The first appointment starts the sentence-plan and contact clocks, by either route, once.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import datetime as dt

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


def test_a_first_appointment_done_before_the_clock_was_started_is_started_by_the_next_attended_contact(
    org, frozen_clock
):
    """A first appointment marked done when that did not start the clock (before this was fixed): the next attended
    contact starts it from the day the first appointment was done, once."""
    person = first_appointment_open(org)
    WorkItem.objects.filter(person=person, kind="first_appointment").update(status="done", closed_on=D(2026, 11, 20))
    _attend(org, person)
    # 15 working days after Friday 20 November; the monthly contact made from 20 November is closed by this
    # (face-to-face) contact and the next one booked a month on.
    assert open_items(person) == {("sentence_plan", D(2026, 12, 11), PO), ("monthly_contact", D(2026, 12, 24), PO)}
    _attend(org, person, hour=11)
    assert WorkItem.objects.filter(person=person, kind="sentence_plan").count() == 1


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
