"""Recording a practitioner's reductions in hours: added by their team's SPO or an administrator, ended by the same,
each one transaction, audited. The rules (reasons, allowed hours, dates) are the workload policy's
(``rules.workload.reductions``); a reduction that would take the active reductions on any day past the contracted
hours is refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, PermissionDenied, ValidationFailed
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff
from openprobation.organisation.roles import Actor, manages_staff, require_write
from openprobation.rules.workload.overload import WeekMeasured, sustained_overload, week_of, weeks_over_in_a_row
from openprobation.rules.workload.policy import WorkloadPolicy, workload_policy
from openprobation.rules.workload.reductions import Reduction, default_hours, reduction_problems
from openprobation.workload import selectors as workload_selectors
from openprobation.workload.models import OverloadAlert, StaffNotice, WorkloadReduction, WorkloadSnapshot

MAX_NOTES = 2000


def hours_from_text(text: str, *, field: str = "hours") -> Decimal | None:
    """Hours as typed in a form: blank is none (the reason's allowance), otherwise a number or a field error."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed.single(field, "Enter the hours as a number, like 7.5") from None
    if not hours.is_finite():
        raise ValidationFailed.single(field, "Enter the hours as a number, like 7.5")
    return hours


def can_manage_reductions(*, manager: Staff, staff: Staff) -> bool:
    """An administrator, or the SPO of the member of staff's team (``organisation.roles.manages_staff``)."""
    return manages_staff(manager, staff)


def _staff_for_manager(actor: Actor, staff_code: str) -> tuple[Staff, Staff]:
    manager = require_write(actor)
    staff = Staff.objects.select_for_update().filter(code=staff_code.replace("\x00", "")).first()
    if staff is None:
        raise NotFound(f"No member of staff {staff_code}")
    if not can_manage_reductions(manager=manager, staff=staff):
        raise PermissionDenied("Only the team's senior probation officer or an administrator can change reductions")
    return manager, staff


def reduction_add(
    *,
    actor: Actor,
    staff_code: str,
    reason: str,
    effective_from: dt.date,
    hours: Decimal | None = None,
    effective_to: dt.date | None = None,
    notes: str = "",
) -> WorkloadReduction:
    """Record a reduction; without ``hours``, the reason's allowance of the contracted hours (a field error when the
    reason has none)."""
    notes = (notes or "").strip()
    with transaction.atomic():
        manager, staff = _staff_for_manager(actor, staff_code)
        policy = workload_policy()
        c = Collector()
        known = policy.reduction_reasons.get(reason)
        if hours is None:
            suggested = default_hours(staff.contracted_hours, known) if known is not None else None
            if known is not None and suggested is None:
                c.add("hours", f"Enter the hours: {known.name} has no set allowance")
            hours = suggested if suggested is not None else Decimal(0)
        asked = Reduction(reason, hours, effective_from, effective_to)
        for problem in reduction_problems(asked, staff.contracted_hours, policy):
            c.add(problem.field, problem.message)
        if len(notes) > MAX_NOTES:
            c.add("notes", f"The notes must be {MAX_NOTES:,} characters or fewer")
        c.raise_if_any()
        _refuse_more_than_contracted(staff, hours, effective_from, effective_to)
        reduction = WorkloadReduction.objects.create(
            staff=staff, reason=reason, hours=hours, effective_from=effective_from, effective_to=effective_to,
            notes=notes, recorded_by=manager, recorded_at=clock.now(),
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="workload.reduction_added",
            entity="workload_reduction",
            entity_id=reduction.pk,
            after={
                "staff": staff.code,
                "reason": reason,
                "hours": hours,
                "effective_from": effective_from,
                "effective_to": effective_to,
            },
            reason=notes,
        )
    return reduction


def _refuse_more_than_contracted(staff: Staff, hours: Decimal, start: dt.date, end: dt.date | None) -> None:
    """The reductions active together on any day of the new one may not exceed the contracted hours."""
    others = WorkloadReduction.objects.filter(staff=staff)
    if end is not None:
        others = others.filter(effective_from__lte=end)
    others = others.exclude(effective_to__lt=start)
    days = sorted({start, *(max(start, r.effective_from) for r in others)})
    for day in days:
        on_day = sum(
            (r.hours for r in others if r.effective_from <= day and (r.effective_to is None or r.effective_to >= day)),
            Decimal(0),
        )
        if on_day + hours > staff.contracted_hours:
            raise ValidationFailed.single(
                "hours",
                f"With the reductions already recorded, {staff.name} would have {(on_day + hours).normalize():f} hours "
                f"reduced on {day.day} {day:%B %Y}, more than their contracted "
                f"{staff.contracted_hours.normalize():f} hours",
            )


def reduction_end(*, actor: Actor, reduction_id: int, last_day: dt.date) -> WorkloadReduction:
    """End a reduction on ``last_day`` (counted), not before it started nor after an end it already has."""
    with transaction.atomic():
        locked = WorkloadReduction.objects.select_for_update(of=("self",)).select_related("staff")
        reduction = locked.filter(pk=reduction_id).first()
        if reduction is None:
            raise NotFound(f"No reduction {reduction_id}")
        _staff_for_manager(actor, reduction.staff.code)
        if last_day < reduction.effective_from:
            raise ValidationFailed.single("last_day", "The last day cannot be before the reduction started")
        if reduction.effective_to is not None and last_day > reduction.effective_to:
            raise ValidationFailed.single("last_day", "The reduction already ends earlier: nothing was changed")
        before = reduction.effective_to
        reduction.effective_to = last_day
        reduction.save(update_fields=["effective_to"])
        audit_record(
            actor=actor,
            action="workload.reduction_ended",
            entity="workload_reduction",
            entity_id=reduction.pk,
            before={"effective_to": before},
            after={"staff": reduction.staff.code, "effective_to": last_day},
        )
    return reduction


# ---- notices to staff --------------------------------------------------------------------------------------------


def notice_send(*, recipient: Staff, kind: str, message: str, crn: str = "", alert: OverloadAlert | None = None
                ) -> StaffNotice:  # fmt: skip
    """Tell a member of staff something (in the caller's transaction); shown on their "What's due" page."""
    return StaffNotice.objects.create(recipient=recipient, kind=kind, message=message, crn=crn, alert=alert,
                                      created_at=clock.now())  # fmt: skip


def notice_dismiss(*, actor: Actor, notice_id: int) -> StaffNotice:
    """The recipient marks a notice read (an overload alert's notice clears itself when the overload ends)."""
    staff = require_write(actor)
    with transaction.atomic():
        notice = StaffNotice.objects.select_for_update().filter(pk=notice_id, recipient=staff).first()
        if notice is None:
            raise NotFound(f"No notice {notice_id} for you")
        if notice.cleared_at is None:
            notice.cleared_at = clock.now()
            notice.save(update_fields=["cleared_at"])
    return notice


# ---- weekly snapshots and the sustained-overload alert ------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotResult:
    week: dt.date
    practitioners: int
    taken: int  # snapshots written this run (0 when the week's were already taken)
    alerts_raised: int
    alerts_cleared: int

    def as_dict(self) -> dict[str, Any]:
        return {"week": self.week.isoformat(), "practitioners": self.practitioners, "taken": self.taken,
                "alerts_raised": self.alerts_raised, "alerts_cleared": self.alerts_cleared}  # fmt: skip


def workload_snapshot(*, on: dt.date | None = None) -> SnapshotResult:
    """Take the week's snapshot of every practitioner's workload (once a week: a practitioner already snapshotted
    this week is left alone), then raise or clear the sustained-overload alerts from the snapshots. Safe to run any
    number of times: the ``workload_snapshot`` job runs it daily."""
    on = on or clock.today()
    policy = workload_policy()
    week = week_of(on)
    staff = list(Staff.objects.filter(role=Role.PRACTITIONER).select_related("team"))
    staff = [s for s in staff if not s.has_left(on)]
    done = set(WorkloadSnapshot.objects.filter(week=week).values_list("staff_id", flat=True))
    to_take = [s for s in staff if s.pk not in done]  # a rerun in the week works nothing out again
    frame, _ = workload_selectors.workload_tables(staff=to_take, on=on, policy=policy)
    teams = {s.pk: s.team_id for s in staff}
    with transaction.atomic():
        rows = [
            WorkloadSnapshot(
                staff_id=r["practitioner"], team_id=teams[r["practitioner"]], week=week, taken_on=on,
                grade=r["grade"] or "", case_count=r["case_count"],
                total_points=r["total_points"] if r["grade"] and not r["invalid"] else None,
                available_points=r["available_points"] if r["grade"] and not r["invalid"] else None,
                capacity_tenths=r["capacity_tenths"] if r["grade"] and not r["invalid"] else None,
                over_capacity=bool(r["over_capacity"]) and bool(r["grade"]) and not r["invalid"],
                policy_version=policy.policy_version,
            )
            for r in frame.iter_rows(named=True)
            if r["practitioner"] not in done
        ]  # fmt: skip
        WorkloadSnapshot.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        raised, cleared = _overload_alerts(week, policy)
        if rows or raised or cleared:
            audit_record(actor=None, action="workload.snapshot_taken", entity="workload_snapshot",
                         entity_id=week.isoformat(),
                         after={"week": week, "taken": len(rows), "alerts_raised": raised,
                                "alerts_cleared": cleared})  # fmt: skip
    return SnapshotResult(week, len(staff), len(rows), raised, cleared)


def _overload_alerts(week: dt.date, policy: WorkloadPolicy) -> tuple[int, int]:
    """Raise an alert for each practitioner whose snapshots make a sustained overload and who has no open one;
    clear each open alert whose practitioner's latest snapshot is not over. Reads the last weeks' snapshots in one
    query."""
    since = week - dt.timedelta(weeks=policy.consecutive_weeks - 1)
    history: dict[int, list[WeekMeasured]] = {}
    for staff_id, when, over in WorkloadSnapshot.objects.filter(week__gte=since, week__lte=week).values_list(
        "staff_id", "week", "over_capacity"
    ):
        history.setdefault(staff_id, []).append(WeekMeasured(when, over))
    open_alerts = {a.staff_id: a for a in OverloadAlert.objects.filter(cleared_at__isnull=True)}
    now = clock.now()
    raised = cleared = 0
    for staff_id, alert in open_alerts.items():
        latest = history.get(staff_id, [])
        this_week = next((m for m in latest if m.week == week), None)
        if this_week is not None and not this_week.over:
            alert.cleared_week, alert.cleared_at = week, now
            alert.save(update_fields=["cleared_week", "cleared_at"])
            StaffNotice.objects.filter(alert=alert, cleared_at__isnull=True).update(cleared_at=now)
            cleared += 1
    over_staff = [sid for sid, weeks in history.items() if sid not in open_alerts and sustained_overload(weeks, policy)]
    for member in Staff.objects.filter(pk__in=over_staff).select_related("team__pdu"):
        run = weeks_over_in_a_row(history[member.pk])
        alert = OverloadAlert.objects.create(staff=member, first_week=week - dt.timedelta(weeks=run - 1),
                                             raised_week=week, raised_at=now)  # fmt: skip
        message = (f"{member.name} has been over {policy.overload_percent}% capacity for {run} consecutive weeks "
                   f"(since the week of {alert.first_week.day} {alert.first_week:%B %Y})")  # fmt: skip
        for recipient in _managers_of(member):
            notice_send(recipient=recipient, kind="overload", message=message, alert=alert)
        audit_record(actor=None, action="workload.overload_alert_raised", entity="staff", entity_id=member.pk,
                     after={"staff": member.code, "weeks": run, "first_week": alert.first_week})  # fmt: skip
        raised += 1
    return raised, cleared


def _managers_of(member: Staff) -> list[Staff]:
    """The SPO of the practitioner's team and the heads of service of its PDU."""
    if member.team is None:
        return []
    return list(
        Staff.objects.filter(
            Q(role=Role.SPO, team_id=member.team_id) | Q(role=Role.HEAD_OF_SERVICE, team__pdu_id=member.team.pdu_id)
        ).order_by("pk")
    )
