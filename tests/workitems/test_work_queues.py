"""What's due for a practitioner and the team queue for an SPO: overdue, due soon and open at the boundaries.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import pytest

from openprobation.people.services import relationship_add
from openprobation.risk.services import registration_add
from openprobation.workitems import selectors
from tests.workitems.support import (
    FIRST_AFTER_DUE_SOON,
    LAST_DUE_SOON,
    PO,
    TODAY,
    TOMORROW,
    YESTERDAY,
    D,
    allocated,
    build_hand_set_queue,
    new_person,
    sentence,
)

pytestmark = pytest.mark.django_db


def test_whats_due_lists_overdue_first_then_this_week_then_later(org, frozen_clock):
    late = new_person(org)
    sentence(org, late, on=D(2026, 11, 2), practitioner=PO)  # items due 4 and 9 November: overdue
    soon = allocated(org)
    relationship_add(
        actor=org.po.user,
        person=soon,
        relationship="child",
        first_name="Sky",
        last_name="Bell",
        start_date=D(2026, 1, 1),
        lives_in_household=True,
    )  # due Tue 1 Dec: next week
    registration_add(actor=org.po.user, person=soon, code="RHRH", start_date=D(2026, 11, 12))  # due Thu 26 Nov
    due = selectors.work_items_for_practitioner(actor=org.po.user)
    assert [i.due_date for i in due.overdue] == sorted(i.due_date for i in due.overdue)
    assert {i.person.crn for i in due.overdue} == {late.crn}
    assert all(i.overdue for i in due.overdue)
    assert [(i.kind, i.due_date) for i in due.this_week] == [("home_visit", D(2026, 11, 26))]
    assert [(i.kind, i.due_date) for i in due.later] == [("childrens_services_check", D(2026, 12, 1))]
    assert not any(i.overdue for i in due.this_week + due.later)


@pytest.fixture
def hand_set_queue(org):
    return build_hand_set_queue(org)


def test_team_queue_counts_overdue_and_due_soon_at_the_boundaries(org, frozen_clock, hand_set_queue):
    queue = selectors.team_queue(actor=org.spo.user, team=org.team_a)
    rows = {(r.staff.code if r.staff else None): (r.overdue, r.due_soon, r.open) for r in queue.rows}
    # po: overdue 10 Nov and yesterday; due soon today, tomorrow and 1 December; 2 December only open.
    # The restricted case's items (yesterday, today) and the closed ones are not counted.
    assert rows == {
        "N07A001": (2, 3, 6),
        "N07A002": (1, 0, 1),
        "N07A100": (0, 0, 0),
        "N07H001": (0, 0, 0),
        None: (1, 0, 1),
    }
    assert (queue.overdue, queue.due_soon, queue.due_soon_until) == (4, 3, LAST_DUE_SOON)


def test_pdu_overdue_counts_by_team(org, frozen_clock, hand_set_queue):
    counts = {
        c.team.code: (c.overdue, c.open) for c in selectors.pdu_overdue_counts(actor=org.admin.user, pdu_code="N07P1")
    }
    assert counts == {"N07T01": (4, 8), "N07T02": (1, 2)}  # the restricted case is hidden from the administrator too


def test_work_item_list_overdue_filter_leaves_out_cases_the_actor_cannot_see(org, frozen_clock, hand_set_queue):
    visible, _hidden = hand_set_queue
    items = selectors.work_item_list(actor=org.po.user, overdue=True)
    assert sorted(i.due_date for i in items) == [D(2026, 11, 10), YESTERDAY, YESTERDAY, YESTERDAY]
    assert {i.person_id for i in items} == {visible.pk}


@pytest.mark.parametrize(
    ("owner", "count", "expected"),
    [
        ("N07A001", "overdue", [D(2026, 11, 10), YESTERDAY]),
        ("N07A001", "due_soon", [TODAY, TOMORROW, LAST_DUE_SOON]),
        ("N07A001", "open", [D(2026, 11, 10), YESTERDAY, TODAY, TOMORROW, LAST_DUE_SOON, FIRST_AFTER_DUE_SOON]),
        ("N07A002", "overdue", [YESTERDAY]),
        ("none", "overdue", [YESTERDAY]),
        ("N07B001", "overdue", []),  # another team's practitioner: not in this team's queue
    ],
    ids=["po.overdue", "po.due_soon", "po.open", "po2.overdue", "nobody.overdue", "other_team.nothing"],
)
def test_team_queue_items_are_the_items_behind_each_count(org, frozen_clock, hand_set_queue, owner, count, expected):
    items = selectors.team_queue_items(actor=org.spo.user, team=org.team_a, owner_code=owner, count=count)
    assert [i.due_date for i in items] == expected
    assert all(i.overdue == (i.due_date < TODAY) for i in items)
