"""Allocation: a team's unallocated cases and the cases that need reallocating, the practitioners who could take a
case, and allocating and reallocating it, under the same rules and access checks as the allocation screen
(docs/workload.md, "Allocation")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openprobation.allocation import selectors as allocation_selectors
from openprobation.allocation import services as allocation_services
from openprobation.core.errors import NotFound
from openprobation.organisation import selectors as organisation_selectors
from openprobation.people.access import TEAM_VIEWERS, require_role

router = Router(tags=["allocation"])


class UnallocatedCaseOut(Schema):
    crn: str
    name: str
    tier: str
    rosh: str | None
    rsr_percent: Decimal | None
    mappa_level: int | None = Field(description="null: not a MAPPA case; 0: MAPPA with no level recorded")
    registrations: list[str]
    offences: list[str]
    sentence: str
    requirements: list[str]
    safeguarding_checks_outstanding: int
    history: str = Field(description="New to probation, or previously managed and by whom")
    grade_rule: str = Field(description="The grade policy's rule for the case, or cannot_check")
    grade_reason: str
    grades_allowed: list[str] | None


class CandidateOut(Schema):
    staff_code: str
    name: str
    team: str
    grade: str
    capacity_percent: Decimal | None
    capacity_after_percent: Decimal | None = Field(description="Potential capacity: with this case added")
    over_capacity_after: bool
    allocated_last_7_days: int
    community: int
    licence: int
    custody: int
    excluded: bool = Field(description="Excluded from the case: cannot be chosen")
    holds_case: bool
    grade_fits: bool | None = Field(description="Whether the grade policy allows the grade; null: cannot check")


class NeedsReallocationOut(Schema):
    crn: str
    name: str
    practitioner: str
    reasons: list[str]


class AllocateIn(Schema):
    practitioner: str = Field(max_length=10, description="The staff code of a practitioner offered for the case")
    instructions: str = Field("", max_length=4000)
    justification: str = Field("", max_length=4000, description="Needed against the grade policy or over capacity")
    oversight_notes: str = Field("", max_length=4000)


class ReallocateIn(AllocateIn):
    reason: str = Field(max_length=4000)


class DecisionOut(Schema):
    id: int
    crn: str
    kind: str
    practitioner: str
    previous_practitioner: str | None
    start_date: dt.date
    grade_rule: str
    against_grade_policy: bool
    capacity_before: Decimal | None
    capacity_after: Decimal | None
    over_capacity: bool
    instructions: str
    justification: str
    oversight_notes: str
    reason: str


def _team(request: HttpRequest, code: str) -> Any:
    require_role(request.user, *TEAM_VIEWERS)
    return organisation_selectors.team_get_for_actor(actor=request.user, code=code)


def _case(c: Any) -> dict[str, Any]:
    return {
        "crn": c.person.crn, "name": c.person.name, "tier": c.tier, "rosh": c.rosh, "rsr_percent": c.rsr,
        "mappa_level": c.mappa_level, "registrations": c.registrations, "offences": c.offences,
        "sentence": c.sentence, "requirements": c.requirements, "safeguarding_checks_outstanding": c.checks_outstanding,
        "history": c.history, "grade_rule": c.check.rule, "grade_reason": c.check.reason,
        "grades_allowed": sorted(c.allowed_grades) if c.allowed_grades is not None else None,
    }  # fmt: skip


def _decision(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk, "crn": d.person.crn, "kind": d.kind, "practitioner": d.practitioner.code,
        "previous_practitioner": d.previous_practitioner.code if d.previous_practitioner else None,
        "start_date": d.start_date, "grade_rule": d.grade_rule, "against_grade_policy": d.against_grade_policy,
        "capacity_before": d.capacity_before, "capacity_after": d.capacity_after, "over_capacity": d.over_capacity,
        "instructions": d.instructions, "justification": d.justification, "oversight_notes": d.oversight_notes,
        "reason": d.reason,
    }  # fmt: skip


@router.get("/teams/{code}/unallocated-cases", response=list[UnallocatedCaseOut],
            summary="The team's unallocated cases, with what the allocation screen shows")  # fmt: skip
def unallocated_cases(request: HttpRequest, code: str) -> Any:
    team = _team(request, code)
    return [_case(c) for c in allocation_selectors.unallocated_cases(actor=request.user, team=team)]


@router.get("/teams/{code}/needs-reallocation", response=list[NeedsReallocationOut],
            summary="The team's cases whose practitioner is excluded, has left or is on long-term absence")  # fmt: skip
def needs_reallocation(request: HttpRequest, code: str) -> Any:
    team = _team(request, code)
    return [
        {"crn": n.person.crn, "name": n.person.name, "practitioner": n.practitioner.code, "reasons": n.reasons}
        for n in allocation_selectors.needs_reallocation(actor=request.user, team=team)
    ]


@router.get("/teams/{code}/cases/{crn}/practitioners", response=list[CandidateOut],
            summary="The practitioners who could take the case, in the grade policy's order then lowest capacity")
def practitioners(request: HttpRequest, code: str, crn: str) -> Any:  # fmt: skip
    team = _team(request, code)
    case = allocation_selectors.case_for_allocation(actor=request.user, team=team, crn=crn)
    if case is None:
        raise NotFound(f"No case {crn} in team {team.code}")
    return [
        {"staff_code": c.staff.code, "name": c.staff.name, "team": c.team.code, "grade": c.staff.grade,
         "capacity_percent": c.capacity, "capacity_after_percent": c.capacity_after,
         "over_capacity_after": c.over_after,
         "allocated_last_7_days": c.allocated_recently, **c.by_type, "excluded": c.excluded,
         "holds_case": c.holds_case, "grade_fits": c.grade_fits}
        for c in allocation_selectors.candidates(case=case, team=team)
    ]  # fmt: skip


@router.post("/teams/{code}/cases/{crn}/allocation", response={201: DecisionOut},
             summary="Allocate an unallocated case (the team's SPO or an administrator)")  # fmt: skip
def allocate(request: HttpRequest, code: str, crn: str, payload: AllocateIn) -> Status[Any]:
    team = _team(request, code)
    decision = allocation_services.case_allocate(actor=request.user, team=team, crn=crn, **payload.model_dump())
    return Status(201, _decision(decision))


@router.post("/teams/{code}/cases/{crn}/reallocation", response={201: DecisionOut},
             summary="Reallocate a case, with a reason; the previous practitioner is told")  # fmt: skip
def reallocate(request: HttpRequest, code: str, crn: str, payload: ReallocateIn) -> Status[Any]:
    team = _team(request, code)
    decision = allocation_services.case_allocate(actor=request.user, team=team, crn=crn, reallocate=True,
                                                 **payload.model_dump())  # fmt: skip
    return Status(201, _decision(decision))
