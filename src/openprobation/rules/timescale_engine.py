"""Applying the operating timescales: the items an event makes due, the next of a recurring item, by the working-day
convention of :mod:`openprobation.rules.calendar`.

Facts that a rule's conditions need but the event does not give (the tier, the RoSH level, ...) never drop work:
the rule is applied, and where two rules for the same kind of item compete (tier 1-3 or tier 4, say) the earliest
due date wins. The reason text says which fact was missing.
"""

from __future__ import annotations

import datetime as dt

from openprobation.rules.calendar import WorkingCalendar
from openprobation.rules.dates import add_months
from openprobation.rules.timescale_types import (
    LOCAL_TIME,
    CaseFacts,
    DueItem,
    ItemKind,
    Period,
    TimescalePolicy,
    TimescaleRule,
    TriggerEvent,
    Unit,
)
from openprobation.rules.timescale_wording import (
    assumption_text,
    event_phrase,
    format_date,
    format_datetime,
    item_label,
)

# ---- applying the rules -----------------------------------------------------------------------------------------


def items_due(event: TriggerEvent, policy: TimescalePolicy, calendar: WorkingCalendar) -> list[DueItem]:
    """The work items ``event`` makes due under ``policy``, earliest first.

    At most one item of each kind per event: when several rules for one kind apply (because a fact they depend on
    is not recorded) the earliest due date is kept. Items with ``before`` are due on the date of that other item, or
    ``working_days_before`` working days before it, but never before the clock started (the event's working day).
    """
    chosen: dict[ItemKind, tuple[TimescaleRule, tuple[str, ...], dt.date, dt.datetime | None]] = {}
    competing: set[ItemKind] = set()
    deferred: list[tuple[TimescaleRule, tuple[str, ...]]] = []
    for rule in policy.rules_for(event.trigger):
        applies, assumed = rule.applies(event.facts)
        if not applies:
            continue
        if rule.before is not None:
            deferred.append((rule, assumed))
            continue
        assert rule.offset is not None  # the loader requires offset or before
        due_date, due_at = _due_after(rule, rule.offset, event, calendar)
        current = chosen.get(rule.kind)
        if current is not None:
            competing.add(rule.kind)
            if current[2] <= due_date:
                continue
        chosen[rule.kind] = (rule, assumed, due_date, due_at)

    items = [
        _item(event, policy, rule, due_date, due_at, assumed, rule.kind in competing)
        for rule, assumed, due_date, due_at in chosen.values()
    ]
    for rule, assumed in deferred:
        assert rule.before is not None
        anchor = chosen.get(rule.before)
        # The loader checks that a rule for the anchor kind exists on the same trigger; if its conditions excluded
        # it for this case, the item is due on the event's working day rather than silently dropped.
        start = calendar.working_day_on_or_after(event.day)
        anchor_due = anchor[2] if anchor is not None else None
        due_date, held_back = start if anchor_due is None else anchor_due, False
        if anchor_due is not None and rule.working_days_before:
            ahead = calendar.subtract_working_days(anchor_due, rule.working_days_before)
            due_date, held_back = (ahead, False) if ahead >= start else (min(start, anchor_due), True)
        items.append(
            _item(event, policy, rule, due_date, None, assumed, competing=False, anchor=(anchor_due, held_back))
        )
    return sorted(items, key=lambda i: (i.due_date, i.kind))


def next_occurrence(
    kind: ItemKind,
    done_on: dt.date,
    facts: CaseFacts,
    policy: TimescalePolicy,
    calendar: WorkingCalendar,
) -> DueItem | None:
    """The next item of a recurring kind (home visit, monthly contact) after one was done on ``done_on``.

    Uses every recurring rule for ``kind`` whose conditions still hold for ``facts`` (the soonest wins); ``None``
    when none holds any more (RoSH lowered and child protection ended, say), so the series stops.
    """
    kind = ItemKind(kind)
    best: tuple[TimescaleRule, tuple[str, ...], dt.date] | None = None
    for rule in policy.rules:
        if rule.kind is not kind or rule.recurrence is None:
            continue
        applies, assumed = rule.applies(facts)
        if not applies:
            continue
        due_date = _add_period(done_on, rule.recurrence, calendar)
        if best is None or due_date < best[2]:
            best = (rule, assumed, due_date)
    if best is None:
        return None
    rule, assumed, due_date = best
    assert rule.recurrence is not None
    reason = (
        f"{item_label(kind)} done on {format_date(done_on)}: next {rule.due} within {rule.recurrence.describe()}, "
        f"by {format_date(due_date)} ({policy.name})"
    )
    return DueItem(
        kind=kind,
        due_date=due_date,
        owner=rule.owner,
        rule_id=rule.id,
        policy_version=policy.policy_version,
        reason=reason + assumption_text(assumed, competing=False),
        trigger=rule.trigger,
        clock_started_on=done_on,
        recurrence=rule.recurrence,
        unverified=rule.unverified,
        assumed_facts=assumed,
    )


def _due_after(
    rule: TimescaleRule, offset: Period, event: TriggerEvent, calendar: WorkingCalendar
) -> tuple[dt.date, dt.datetime | None]:
    if offset.unit is Unit.HOURS:
        if event.at is None:
            raise ValueError(
                f"rule {rule.id} counts {offset.describe()}, so the {event.trigger} event needs the time it "
                "happened: pass occurred_on as a timezone-aware datetime"
            )
        due_at = event.at + dt.timedelta(hours=offset.amount)
        return due_at.astimezone(LOCAL_TIME).date(), due_at
    return _add_period(event.day, offset, calendar), None


def _add_period(start: dt.date, period: Period, calendar: WorkingCalendar) -> dt.date:
    """Working days count forward; a calendar period that ends on a non-working day is due the working day before,
    so the period is never exceeded."""
    if period.unit is Unit.WORKING_DAYS:
        return calendar.add_working_days(start, period.amount)
    if period.unit is Unit.DAYS:
        end = start + dt.timedelta(days=period.amount)
    elif period.unit is Unit.WEEKS:
        end = start + dt.timedelta(weeks=period.amount)
    elif period.unit is Unit.MONTHS:
        end = add_months(start, period.amount)
    else:
        raise ValueError(f"{period.describe()} cannot be added to a date")
    return calendar.working_day_on_or_before(end)


def _item(
    event: TriggerEvent,
    policy: TimescalePolicy,
    rule: TimescaleRule,
    due_date: dt.date,
    due_at: dt.datetime | None,
    assumed: tuple[str, ...],
    competing: bool,
    anchor: tuple[dt.date | None, bool] = (None, False),
) -> DueItem:
    when = f"by {format_datetime(due_at)}" if due_at is not None else f"by {format_date(due_date)}"
    if rule.before is not None:
        label, (anchor_due, held_back) = item_label(rule.before).lower(), anchor
        if not rule.working_days_before or anchor_due is None:
            timing = f"{when}, when the {label} is due"
        elif held_back:
            timing = (
                f"{when}, as it cannot be due before the clock started (the {label} is due by "
                f"{format_date(anchor_due)})"
            )
        else:
            days = Period(Unit.WORKING_DAYS, rule.working_days_before).describe()
            timing = f"{when}, {days} before the {label} is due ({format_date(anchor_due)})"
    else:
        assert rule.offset is not None
        timing = f"within {rule.offset.describe()}, {when}"
    occurred = f"at {format_datetime(event.at)}" if event.at is not None else f"on {format_date(event.day)}"
    reason = f"{event_phrase(event)} {occurred}: {rule.due}, {timing} ({policy.name})"
    return DueItem(
        kind=rule.kind,
        due_date=due_date,
        due_at=due_at,
        owner=rule.owner,
        rule_id=rule.id,
        policy_version=policy.policy_version,
        reason=reason + assumption_text(assumed, competing),
        trigger=event.trigger,
        clock_started_on=event.day,
        before=rule.before,
        recurrence=rule.recurrence,
        unverified=rule.unverified,
        assumed_facts=assumed,
    )
