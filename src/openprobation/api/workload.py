"""Workload: each practitioner of a team with their points and capacity, and their reductions in hours, with the
same rules and access checks as the pages (docs/workload.md, "Live workload")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openprobation.organisation import selectors as organisation_selectors
from openprobation.organisation import services as organisation_services
from openprobation.people.access import TEAM_VIEWERS, require_role
from openprobation.workload import selectors as workload_selectors
from openprobation.workload import services as workload_services

router = Router(tags=["workload"])


class WorkloadOut(Schema):
    staff_code: str
    name: str
    grade: str
    case_count: int
    total_points: int | None = Field(description="None when the grade has no workload target")
    available_points: int | None
    capacity_percent: Decimal | None
    remaining_points: int | None
    over_capacity: bool
    reduction_hours: Decimal = Field(description="Hours reduced today, summed, never above the contracted hours")


class ReductionOut(Schema):
    id: int
    staff_code: str
    reason: str
    hours: Decimal
    effective_from: dt.date
    effective_to: dt.date | None
    notes: str
    recorded_by: str


class ReductionIn(Schema):
    reason: str = Field(max_length=40, description="A reduction reason of the workload policy, e.g. vq3")
    hours: Decimal | None = Field(None, description="A week; omitted: the reason's allowance of the contracted hours")
    effective_from: dt.date
    effective_to: dt.date | None = None
    notes: str = Field("", max_length=2000)


class ReductionEndIn(Schema):
    last_day: dt.date


class WorkforceRecord(Schema):
    grade: str = Field(max_length=10, description="po, pso, pqip, spo or other")
    contracted_hours: Decimal = Field(description="0 to 48, at most one decimal place")
    training_stage: str = Field("", max_length=16, description="pqip_1, pqip_2, newly_qualified, or blank")
    start_date: dt.date | None = None
    leaving_date: dt.date | None = Field(None, description="The last working day")


def _record(staff: Any) -> dict[str, Any]:
    return {"grade": staff.grade, "contracted_hours": staff.contracted_hours, "training_stage": staff.training_stage,
            "start_date": staff.start_date, "leaving_date": staff.leaving_date}  # fmt: skip


def _workload(w: Any) -> dict[str, Any]:
    return {
        "staff_code": w.staff.code, "name": w.staff.name, "grade": w.staff.grade, "case_count": w.case_count,
        "total_points": w.total_points, "available_points": w.available_points,
        "capacity_percent": w.capacity_percent, "remaining_points": w.remaining_points,
        "over_capacity": w.over_capacity, "reduction_hours": w.reduction_hours,
    }  # fmt: skip


def _reduction(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk, "staff_code": r.staff.code, "reason": r.reason, "hours": r.hours,
        "effective_from": r.effective_from, "effective_to": r.effective_to, "notes": r.notes,
        "recorded_by": r.recorded_by.code,
    }  # fmt: skip


def _team_member(request: HttpRequest, staff_code: str) -> Any:
    """A member of staff in a team the actor may view (their SPO, head of service, QA, administrators)."""
    require_role(request.user, *TEAM_VIEWERS)
    return organisation_selectors.staff_in_visible_team(actor=request.user, code=staff_code)


@router.get("/teams/{code}/workload", response=list[WorkloadOut], summary="Each practitioner's workload and capacity")
def team_workload(request: HttpRequest, code: str) -> Any:
    require_role(request.user, *TEAM_VIEWERS)
    team = organisation_selectors.team_get_for_actor(actor=request.user, code=code)
    return [_workload(w) for w in workload_selectors.team_workloads(team=team)]


@router.get("/staff/{code}/workload", response=WorkloadOut, summary="One practitioner's workload and capacity")
def staff_workload(request: HttpRequest, code: str) -> Any:
    staff = _team_member(request, code)
    (workload,) = workload_selectors.workloads(staff=[staff])
    return _workload(workload)


@router.get("/staff/{code}/workforce", response=WorkforceRecord, summary="A member of staff's workforce record")
def workforce_record(request: HttpRequest, code: str) -> Any:
    return _record(_team_member(request, code))


@router.put("/staff/{code}/workforce", response=WorkforceRecord,
            summary="Change the workforce record (the team's SPO or an administrator; audited)")  # fmt: skip
def workforce_change(request: HttpRequest, code: str, payload: WorkforceRecord) -> Any:
    staff = _team_member(request, code)
    changed = organisation_services.staff_workforce_update(actor=request.user, staff_code=staff.code,
                                                           **payload.model_dump())  # fmt: skip
    return _record(changed)


@router.get("/staff/{code}/reductions", response=list[ReductionOut], summary="A practitioner's reductions in hours")
def staff_reductions(request: HttpRequest, code: str) -> Any:
    staff = _team_member(request, code)
    return [_reduction(r) for r in workload_selectors.staff_reductions(staff=staff)]


@router.post(
    "/staff/{code}/reductions",
    response={201: ReductionOut},
    summary="Record a reduction in hours (the team's SPO or an administrator)",
)
def reduction_add(request: HttpRequest, code: str, payload: ReductionIn) -> Status[Any]:
    staff = _team_member(request, code)
    reduction = workload_services.reduction_add(actor=request.user, staff_code=staff.code, **payload.model_dump())
    return Status(201, _reduction(reduction))


@router.post("/reductions/{reduction_id}/end", response=ReductionOut, summary="End a reduction on its last day")
def reduction_end(request: HttpRequest, reduction_id: int, payload: ReductionEndIn) -> Any:
    require_role(request.user, *TEAM_VIEWERS)
    reduction = workload_services.reduction_end(actor=request.user, reduction_id=reduction_id,
                                                last_day=payload.last_day)  # fmt: skip
    return _reduction(reduction)
