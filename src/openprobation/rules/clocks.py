"""Running clocks: the countdown tag shown on a case while a clock that matters to the court or to the public is
running (a breach to court, a breach referral, an enforcement action). A recall request to PPCS has its own tag, in
hours and minutes, from the recall app (``recall.selectors.running_clocks``), so it is not listed here as well.

Pure: no Django, no clock. Which work-item kinds are such clocks is :data:`CLOCK_KINDS`; any area that times a step
by a work item of one of these kinds shows on the caseload, the case overview and the team view without more code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openprobation.rules.dates import long_date
from openprobation.rules.timescale_types import ItemKind

# The work-item kinds that are running clocks, in the order their tags are shown.
CLOCK_KINDS = (ItemKind.BREACH_TO_COURT, ItemKind.BREACH_REFERRAL, ItemKind.ENFORCEMENT_ACTION)


@dataclass(frozen=True)
class Countdown:
    """A running clock's tag: its words and a GOV.UK tag colour."""

    text: str
    colour: str
    overdue: bool
    working_days_left: int | None = None


def countdown(label: str, due: dt.date, today: dt.date, working_days_left: int) -> Countdown:
    """The tag of a clock due on ``due``: overdue (red) from the day after; due today (red); 1 or 2 working days left
    (orange, ``yellow`` in GOV.UK's tag colours); more (blue). ``working_days_left`` is the number of working days
    after today up to the due date (``WorkingCalendar.working_days_between(today, due)``)."""
    if due < today:
        return Countdown(f"{label}: overdue since {long_date(due + dt.timedelta(days=1))}", "red", True)
    if due == today:
        return Countdown(f"{label}: due today", "red", False, 0)
    days = "1 working day" if working_days_left == 1 else f"{working_days_left} working days"
    colour = "yellow" if working_days_left <= 2 else "blue"
    return Countdown(f"{label}: {days} left", colour, False, working_days_left)


def countdown_hours(label: str, due_at: dt.datetime, now: dt.datetime) -> Countdown:
    """The tag of a clock counted in hours (a recall request's 24 hours): overdue once ``due_at`` has passed."""
    left = due_at - now
    if left.total_seconds() < 0:
        return Countdown(f"{label}: overdue", "red", True)
    hours = int(left.total_seconds() // 3600)
    words = "under 1 hour" if hours == 0 else "1 hour" if hours == 1 else f"{hours} hours"
    return Countdown(f"{label}: {words} left", "red" if hours < 4 else "yellow", False)
