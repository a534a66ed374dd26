"""The quality assurance report on risk scores: ``GET /api/v1/quality/risk-disagreements``.

Same selector, filters and access as the page: every visible case whose recorded RSR or tier disagrees with the
calculation, or whose allocation does not follow the chosen policy (``2014-split`` or ``2021-unified``; by default
the one in force today), with counts by team and region; every allocation against a rule of the policy not yet
verified against a published source (kind ``allocation_unverified``), counted apart in ``unverified``; and every
allocation the policy cannot check (kind ``allocation_cannot_check``, the missing facts in ``missing``), counted
apart in ``cannot_check``. An unknown policy, team or region is a 422 with the field named.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import BaseModel, Field

from openprobation.risk import quality

router = Router(tags=["quality assurance"])


# The items and the page are plain pydantic models given plain values (``_item``): a ninja Schema reads each field of
# each object through its attribute wrapper and resolvers, several milliseconds for a page of items and its counts.
class DisagreementOut(BaseModel):
    crn: str
    name: str
    team: str | None = Field(description="Team code; null for an unallocated case")
    team_name: str | None
    region: str | None = Field(description="Region code")
    region_name: str | None
    practitioner: str | None
    kind: str = Field(
        description="rsr, tier or allocation (disagreements); allocation_unverified: the allocation is not what a "
        "rule of the policy marked unverified allows (not counted as a disagreement); or allocation_cannot_check: "
        "no rule of the policy applies because facts are missing (see missing)"
    )
    recorded: str
    calculated: str = Field(description="The calculated value, or for allocation what the policy allows")
    difference: str
    reason: str
    rule: str = Field(description="The policy rule that applied (cannot_check when none could)")
    missing: list[str] = Field(
        description="For allocation_cannot_check: the facts the policy's rules read that the case lacks "
        "(rosh: no active RoSH registration; rsr: no calculated RSR; tier: no calculated tier)"
    )


def _item(row: quality.Disagreement) -> dict[str, Any]:
    return {
        "crn": row.crn, "name": row.name, "team": row.team_code, "team_name": row.team_name,
        "region": row.region_code, "region_name": row.region_name, "practitioner": row.practitioner,
        "kind": row.kind, "recorded": row.recorded, "calculated": row.calculated, "difference": row.difference,
        "reason": row.reason, "rule": row.rule, "missing": list(row.missing),
    }  # fmt: skip


# The counts likewise: quality assurance has a row for each of some 650 teams.
class CountOut(BaseModel):
    code: str | None
    name: str
    region: str | None
    rsr: int
    tier: int
    allocation: int
    total: int = Field(description="Disagreements: rsr + tier + allocation")
    unverified: int = Field(description="Allocations against a rule not yet verified (not in total)")
    cannot_check: int = Field(description="Allocations no rule of the policy could check (not in total)")


def _count(row: quality.CountRow) -> dict[str, Any]:
    return {
        "code": row.code, "name": row.name, "region": row.region_code, "rsr": row.rsr, "tier": row.tier,
        "allocation": row.allocation, "total": row.total, "unverified": row.unverified,
        "cannot_check": row.cannot_check,
    }  # fmt: skip


class CountsOut(BaseModel):
    teams: list[CountOut]
    regions: list[CountOut]
    total: CountOut


class DisagreementPageOut(BaseModel):
    policy: str
    policy_title: str
    policy_effective_from: str = Field(description="The day the policy came into force (ISO date)")
    policy_effective_to: str | None = Field(description="The day it ceased to be in force, if it has")
    policy_version: str
    policy_unverified: list[str]
    rsr_tolerance_points: str
    items: list[DisagreementOut]
    count: int = Field(
        description="Items listed: the disagreements, the allocations against unverified rules and those that "
        "cannot be checked"
    )
    page: int
    page_size: int
    counts: CountsOut


class DisagreementFilters(Schema):
    policy: str | None = Field(
        None, description="2014-split or 2021-unified; by default the policy in force today (2021-unified)"
    )
    team: str | None = Field(None, description="Team code")
    region: str | None = Field(None, description="Region code")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=500)


@router.get(
    "/quality/risk-disagreements",
    response=DisagreementPageOut,
    summary="Recorded risk scores and allocations that disagree with the calculation or the allocation policy",
)
def risk_disagreements(request: HttpRequest, filters: Query[DisagreementFilters]) -> HttpResponse:
    report = quality.risk_disagreements(actor=request.user, **filters.dict())
    page = DisagreementPageOut.model_validate({
        "policy": report.policy.name,
        "policy_title": report.policy.title,
        "policy_effective_from": report.policy.effective_from.isoformat(),
        "policy_effective_to": report.policy.effective_to.isoformat() if report.policy.effective_to else None,
        "policy_version": report.policy.policy_version,
        "policy_unverified": list(report.policy.unverified),
        "rsr_tolerance_points": str(report.tolerance),
        "items": [_item(row) for row in report.rows],
        "count": report.count,
        "page": report.page,
        "page_size": report.page_size,
        "counts": {
            "teams": [_count(row) for row in report.counts.teams],
            "regions": [_count(row) for row in report.counts.regions],
            "total": _count(report.counts.total),
        },
    })  # fmt: skip
    # Validated against the documented response model above and written by pydantic's own encoder: the national
    # report's 651 teams' counts took a millisecond or two more through ninja's validation and the json module.
    return HttpResponse(page.model_dump_json(), content_type="application/json; charset=utf-8")
