"""Sustained overload (rules/workload/overload.py): over the capacity threshold in each of the policy's consecutive
weekly snapshots (4 in the seed policy) is an excessive workload; a week under, or a week not measured, breaks it."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.rules.workload.overload import WeekMeasured, sustained_overload, week_of, weeks_over_in_a_row
from openprobation.rules.workload.policy import workload_policy

POLICY = workload_policy()
MONDAY = dt.date(2026, 9, 7)


def weeks(pattern: str, start: dt.date = MONDAY) -> list[WeekMeasured]:
    """``"OOOU"``: over, over, over, under, one week apart from ``start``; ``-`` is a week with no snapshot."""
    return [WeekMeasured(start + dt.timedelta(weeks=n), c == "O") for n, c in enumerate(pattern) if c != "-"]


def test_the_seed_policy_is_4_weeks_over_110_percent():
    assert (POLICY.overload_percent, POLICY.consecutive_weeks) == (110, 4)


def test_three_weeks_over_one_under_then_four_over():
    history = weeks("OOOUOOOO")
    raised = [sustained_overload(history[: n + 1], POLICY) for n in range(len(history))]
    assert raised == [False, False, False, False, False, False, False, True]
    assert [weeks_over_in_a_row(history[: n + 1]) for n in range(len(history))] == [1, 2, 3, 0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("pattern", "run", "sustained"),
    [("OOO", 3, False), ("OOOO", 4, True), ("OOOOO", 5, True), ("OOOOU", 0, False), ("OO-OO", 2, False),
     ("", 0, False), ("UOOOO", 4, True)],
    ids=["3_weeks_just_below", "4_weeks_at", "5_weeks_above", "ended_by_a_week_under", "a_missing_week_breaks_it",
         "no_snapshots", "after_a_week_under"],
)  # fmt: skip
def test_consecutive_weeks_at_the_boundary(pattern, run, sustained):
    assert weeks_over_in_a_row(weeks(pattern)) == run
    assert sustained_overload(weeks(pattern), POLICY) is sustained


def test_snapshots_in_any_order_and_the_week_is_its_monday():
    assert weeks_over_in_a_row(list(reversed(weeks("OOOO")))) == 4
    assert week_of(dt.date(2026, 9, 13)) == MONDAY and week_of(MONDAY) == MONDAY
