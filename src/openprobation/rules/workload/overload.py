"""Sustained overload: a practitioner over the capacity threshold in each of the policy's consecutive weekly
snapshots (``capacity.overload_percent`` and ``capacity.consecutive_weeks`` in ``policy/workload.toml``: above 110%
for 4 consecutive weeks is an excessive workload). The alert it raises clears with the first week that is not over.

A week is identified by its Monday. Weeks follow each other when they are 7 days apart: a week with no snapshot
(the practitioner was not measured) breaks the run, as a week under the threshold does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from openprobation.rules.workload.policy import WorkloadPolicy


@dataclass(frozen=True)
class WeekMeasured:
    week: dt.date  # the Monday
    over: bool  # capacity above the threshold in that week's snapshot


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week ``day`` falls in."""
    return day - dt.timedelta(days=day.weekday())


def weeks_over_in_a_row(weeks: Iterable[WeekMeasured]) -> int:
    """How many consecutive weeks, ending with the latest snapshot, were over the threshold (0 when the latest was
    not). Snapshots may come in any order; one per week."""
    ordered = sorted(weeks, key=lambda w: w.week, reverse=True)
    run = 0
    expected: dt.date | None = None
    for measured in ordered:
        if not measured.over or (expected is not None and measured.week != expected):
            break
        run += 1
        expected = measured.week - dt.timedelta(days=7)
    return run


def sustained_overload(weeks: Iterable[WeekMeasured], policy: WorkloadPolicy) -> bool:
    """Whether the latest snapshots make an excessive workload: over the threshold for the policy's number of
    consecutive weeks or more."""
    return weeks_over_in_a_row(weeks) >= policy.consecutive_weeks
