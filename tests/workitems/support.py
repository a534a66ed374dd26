"""Shared by the work-item tests: people, sentences and hand-set work items.

The clock is frozen at Tuesday 24 November 2026. Working days then: Wed 25, Thu 26, Fri 27, Mon 30 Nov, Tue 1,
Wed 2, Thu 3, Fri 4, Mon 7, Tue 8 Dec ... Christmas Day is Friday 25 December; Boxing Day (Saturday) is
substituted on Monday 28 December. The preset is the default, ps2021, unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt

from openprobation.people.models import Person
from openprobation.people.services import person_create
from openprobation.sentences.services import event_create
from openprobation.workitems.models import WorkItem
from tests.factories import Org, limit_access

D = dt.date
UTC = dt.UTC
_crn = iter(range(200001, 299999))
FRIDAY_20_NOVEMBER = D(2026, 11, 20)


def new_person(org: Org) -> Person:
    """A person held by team A with no event yet (so no work items)."""
    return person_create(
        actor=org.admin.user,
        crn=f"W{next(_crn)}",
        first_name="Robin",
        last_name="Hale",
        date_of_birth=D(1985, 6, 1),
        gender="male",
        team=org.team_a.code,
    )


def sentence(
    org: Org,
    person: Person,
    *,
    sentence_type: str = "community_order",
    on: D = FRIDAY_20_NOVEMBER,
    release: D | None = None,
    practitioner: str | None = None,
) -> None:
    event_create(
        actor=org.admin.user,
        person=person,
        offence_code="00101",
        conviction_date=D(2026, 11, 2),
        sentence_date=on,
        sentence_type=sentence_type,
        length_months=12,
        release_date=release,
        practitioner=practitioner,
    )


def open_items(person: Person) -> set[tuple[str, D, str | None]]:
    """(kind, due date, owner's staff code) of the case's open items."""
    return {
        (i.kind, i.due_date, i.owner.code if i.owner else None)
        for i in WorkItem.objects.filter(person=person, status="open").select_related("owner")
    }


def allocated(org: Org) -> Person:
    person = new_person(org)
    sentence(org, person, practitioner=org.po.code)
    WorkItem.objects.filter(person=person).delete()  # start each trigger case from a clean slate
    return person


PO, SPO = "N07A001", "N07A100"


def _item(person: Person, kind: str) -> WorkItem:
    return WorkItem.objects.get(person=person, kind=kind, status="open")


def hand_item(person: Person, owner, due: D, *, status: str = "open", team=None, kind: str = "home_visit") -> WorkItem:
    """An item set by hand (not by a rule), so a count can be checked against a literal."""
    return WorkItem.objects.create(
        person=person,
        kind=kind,
        status=status,
        due_date=due,
        owner_role="practitioner",
        owner=owner,
        team=team or person.team,
        rule_id="hand",
        policy_version="hand",
        trigger="rosh_high_or_very_high",
        clock_started_on=D(2026, 11, 2),
        reason="Set by the test",
        created_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        closed_on=None if status == "open" else D(2026, 11, 20),
        cancel_reason="Not needed" if status == "cancelled" else "",
    )


# Today is Tuesday 24 November 2026. "Due soon" is today to five working days ahead: Tuesday 1 December.
YESTERDAY, TODAY, TOMORROW = D(2026, 11, 23), D(2026, 11, 24), D(2026, 11, 25)


LAST_DUE_SOON, FIRST_AFTER_DUE_SOON = D(2026, 12, 1), D(2026, 12, 2)


def build_hand_set_queue(org: Org) -> tuple[Person, Person]:
    """Team A: po holds a visible case with items due at each boundary and a restricted case; po2 one overdue item;
    one unowned item. Team B: po_b one overdue and one due tomorrow. Closed items are never counted."""
    visible = new_person(org)
    for due in (D(2026, 11, 10), YESTERDAY, TODAY, TOMORROW, LAST_DUE_SOON, FIRST_AFTER_DUE_SOON):
        hand_item(visible, org.po, due)
    hand_item(visible, org.po, YESTERDAY, status="done")
    hand_item(visible, org.po, YESTERDAY, status="cancelled")
    hand_item(visible, org.po2, YESTERDAY)
    hand_item(visible, None, YESTERDAY)  # nobody holds it yet
    hidden = new_person(org)
    limit_access(person=hidden,
        staff_code=org.po2.code,
        kind="restriction",
        reason="Staff member's relative",
    )
    hand_item(hidden, org.po, YESTERDAY)
    hand_item(hidden, org.po, TODAY)
    other_team = person_create(
        actor=org.admin.user,
        crn=f"W{next(_crn)}",
        first_name="Kit",
        last_name="Moss",
        date_of_birth=D(1980, 2, 2),
        gender="female",
        team=org.team_b.code,
    )
    hand_item(other_team, org.po_b, YESTERDAY)
    hand_item(other_team, org.po_b, TOMORROW)
    return visible, hidden


def first_appointment_open(org: Org) -> Person:
    person = new_person(org)
    sentence(org, person, practitioner=PO)
    WorkItem.objects.filter(person=person).exclude(kind="first_appointment").delete()
    return person
