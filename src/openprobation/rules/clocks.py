"""Running clocks: the countdown tag shown on a case while a clock that matters to the court or to the public is
running (a breach to court, a breach referral, an enforcement action, a recall request to PPCS, a risk escalation
awaiting its review). One rule for every such clock: a clock counted in working days (:func:`countdown`) or, where
the work item carries a due time, in hours and minutes (:func:`countdown_hours`, a recall's 24 hours).

Pure: no Django, no clock. Which work-item kinds are such clocks, and the word each tag starts with, is
:data:`CLOCK_LABELS`; any area that times a step by a work item of one of these kinds shows on the caseload, the
case overview and the team view without more code (``workitems.selectors.running_clocks``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openprobation.rules.dates import long_date
from openprobation.rules.timescale_types import ItemKind

# The work-item kinds that are running clocks, in the order their tags are shown, with the word each tag starts with.
CLOCK_LABELS: dict[ItemKind, str] = {
    ItemKind.RECALL_REQUEST: "Recall",
    ItemKind.BREACH_TO_COURT: "Breach to court",
    ItemKind.BREACH_REFERRAL: "Breach referral",
    ItemKind.ENFORCEMENT_ACTION: "Enforcement action",
    ItemKind.RISK_ESCALATION_REVIEW: "Escalation",
}
CLOCK_KINDS = tuple(CLOCK_LABELS)
BREACH_CLOCK_KINDS = (ItemKind.BREACH_TO_COURT, ItemKind.BREACH_REFERRAL, ItemKind.ENFORCEMENT_ACTION)
HOURS_AMBER = 4  # a clock in hours turns from yellow to red with fewer than this many hours left


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
    """The tag of a clock counted in hours and whole minutes (a recall request's 24 hours): "Recall: 5h 20m left"
    (red with fewer than :data:`HOURS_AMBER` hours left, yellow before), "Recall: overdue by 2h 5m" once ``due_at``
    has passed (red)."""
    left = due_at - now
    minutes = int(abs(left).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    span = f"{hours}h {minutes}m" if hours else f"{minutes}m"
    if left < dt.timedelta(0):
        return Countdown(f"{label}: overdue by {span}", "red", True)
    return Countdown(f"{label}: {span} left", "red" if left < dt.timedelta(hours=HOURS_AMBER) else "yellow", False)
