"""Recording a practitioner's reductions in hours: added by their team's SPO or an administrator, ended by the same,
each one transaction, audited. The rules (reasons, allowed hours, dates) are the workload policy's
(``rules.workload.reductions``); a reduction that would take the active reductions on any day past the contracted
hours is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, PermissionDenied, ValidationFailed
from openprobation.organisation.models import Staff
from openprobation.organisation.roles import Actor, manages_staff, require_write
from openprobation.rules.workload.policy import workload_policy
from openprobation.rules.workload.reductions import Reduction, default_hours, reduction_problems
from openprobation.workload.models import WorkloadReduction

MAX_NOTES = 2000


def hours_from_text(text: str) -> Decimal | None:
    """Hours as typed in a form: blank is none (the reason's allowance), otherwise a number or a field error."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed.single("hours", "Enter the hours as a number, like 7.5") from None
    if not hours.is_finite():
        raise ValidationFailed.single("hours", "Enter the hours as a number, like 7.5")
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
        locked = WorkloadReduction.objects.select_for_update().select_related("staff")
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
