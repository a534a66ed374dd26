"""The workload calculator for one practitioner: ``calculate("workload", payload)`` (``openprobation calc workload``
and ``POST /api/v1/calculate/workload``).

Input (:class:`WorkloadInput`): the practitioner's ``grade``, ``contracted_hours`` and ``reduction_hours``, the
``cases`` they hold (``tier``, ``case_type``, ``t2a``; ``inactive`` and ``crn`` optional), the ``reports`` they
wrote (``type``), optional case-management ``adjustments`` (signed points), an optional ``new_case`` (potential
capacity if it were allocated to them) and an optional ``points_table`` laid over the policy's case points for a
what-if. The rules are ``rules.workload.formulas``, evaluated here with ``ops.SCALAR``; this module adds the
explanation (one term per group of like cases, per report type, per adjustment, and for each figure) and notes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from openprobation.rules.ops import SCALAR, Check, report
from openprobation.rules.predictors.base import MAXIMUM_COUNT, InputError, Problems, Term
from openprobation.rules.workload.formulas import (
    capacity_formula,
    case_checks,
    case_points_formula,
    practitioner_checks,
    report_checks,
    report_points_formula,
)
from openprobation.rules.workload.policy import (
    TOOL,
    PolicyDataError,
    WorkloadPolicy,
    workload_policy,
)

CaseType = Literal["community", "licence", "custody"]
InactiveStatus = Literal["warrant", "unpaid_work_only", "overdue_termination"]
ReportType = Literal["standard_psr", "fast_psr", "parole"]
MAXIMUM_CASES = 1000  # more cases than anyone holds: a what-if is still answered quickly
MAXIMUM_ADJUSTMENT = 100_000
REPORT_NAMES = {"standard_psr": "standard pre-sentence report", "fast_psr": "fast pre-sentence report",
                "parole": "parole report"}


@dataclass(frozen=True, kw_only=True)
class WorkloadCase:
    """A case the practitioner holds. ``tier`` null: untiered (0 points). ``t2a``: a young adult (18-24) scored on
    the T2A table. ``inactive``: warrant, unpaid work only or termination overdue. ``crn``: to tell whether a new
    case is already held."""

    tier: str | None
    case_type: CaseType
    t2a: bool = False
    inactive: InactiveStatus | None = None
    crn: str | None = None


@dataclass(frozen=True, kw_only=True)
class WorkloadReport:
    type: ReportType


@dataclass(frozen=True, kw_only=True)
class WorkloadAdjustment:
    """Case-management points: added for contacts done on other practitioners' cases, subtracted (negative) for
    contacts others did on this practitioner's cases."""

    points: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class CaseTypePoints:
    community: int | None = None
    licence: int | None = None
    custody: int | None = None


@dataclass(frozen=True, kw_only=True)
class PointsTable:
    """Case points to use instead of the policy's, tier by tier (``{"standard": {"A3": {"licence": 250}}}``); cells
    not given keep the policy's value."""

    standard: dict[str, CaseTypePoints] | None = None
    t2a: dict[str, CaseTypePoints] | None = None


@dataclass(frozen=True, kw_only=True)
class WorkloadInput:
    grade: str
    contracted_hours: Decimal
    reduction_hours: Decimal
    cases: tuple[WorkloadCase, ...]
    reports: tuple[WorkloadReport, ...]
    adjustments: tuple[WorkloadAdjustment, ...] = ()
    new_case: WorkloadCase | None = None
    points_table: PointsTable | None = None


@dataclass(frozen=True, kw_only=True)
class WorkloadResult:
    tool: str
    policy_version: str
    grade: str
    case_count: int
    total_points: int
    available_points: int
    capacity_percent: Decimal
    remaining_points: int
    overload_percent: int
    over_capacity: bool
    potential_total_points: int | None
    potential_capacity_percent: Decimal | None
    potential_over_capacity: bool | None
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def hundredths(hours: Decimal) -> int:
    return int(hours * 100)


def percent_of_tenths(tenths: int) -> Decimal:
    return (Decimal(tenths) / 10).quantize(Decimal("0.1"))


def points_override(table: PointsTable) -> dict[str, Any]:
    """``points_table`` as an override of the policy document's ``case_points``."""
    override: dict[str, Any] = {}
    for name in ("standard", "t2a"):
        rows = getattr(table, name)
        if rows is None:
            continue
        override[name] = {
            tier: {k: v for k, v in vars(cells).items() if v is not None} if cells is not None else cells
            for tier, cells in rows.items()
        }
    return {"policy_version": f"{workload_policy().policy_version}+points_table", "case_points": override}


def what_if_policy(table: PointsTable, problems: Problems) -> WorkloadPolicy | None:
    """The policy with ``points_table`` laid over it; its problems reported under ``points_table``."""
    try:
        policy = workload_policy(points_override(table))
    except PolicyDataError as exc:
        for error in exc.errors:
            problems.add(error.field.replace("case_points.", "points_table.", 1), error.message)
        return None
    return policy


def _hours_checks(data: WorkloadInput) -> list[Check]:
    return [
        Check(name, hours != round(hours, 2), "Enter hours to at most 2 decimal places")
        for name, hours in (("contracted_hours", data.contracted_hours), ("reduction_hours", data.reduction_hours))
    ]


def _case_problems(problems: Problems, path: str, case: WorkloadCase) -> None:
    for error in _reported(case_checks(SCALAR, tier=case.tier, case_type=case.case_type, inactive=case.inactive)):
        problems.add(f"{path}.{error.field}", error.message)


def workload_check(data: WorkloadInput, problems: Problems) -> WorkloadPolicy | None:
    """Every problem with the input, by field; the policy to use (the shipped one, or with ``points_table``)."""
    policy = workload_policy() if data.points_table is None else what_if_policy(data.points_table, problems)
    report(problems, _hours_checks(data))
    # a points_table changes no grade or hours: check those against the policy itself when the what-if is refused
    report(problems, practitioner_checks(SCALAR, policy or workload_policy(), grade=data.grade,
                                         contracted_hundredths=hundredths(data.contracted_hours),
                                         reduction_hundredths=hundredths(data.reduction_hours)))
    if len(data.cases) > MAXIMUM_CASES:
        problems.add("cases", f"Enter at most {MAXIMUM_CASES:,} cases")
    for i, case in enumerate(data.cases[:MAXIMUM_CASES]):
        _case_problems(problems, f"cases.{i}", case)
    if data.new_case is not None:
        _case_problems(problems, "new_case", data.new_case)
    if len(data.reports) > MAXIMUM_COUNT:
        problems.add("reports", f"Enter at most {MAXIMUM_COUNT:,} reports")
    for i, rep in enumerate(data.reports):
        for error in _reported(report_checks(SCALAR, report_type=rep.type)):
            problems.add(f"reports.{i}.{error.field}", error.message)
    for i, adjustment in enumerate(data.adjustments):
        if abs(adjustment.points) > MAXIMUM_ADJUSTMENT:
            problems.add(f"adjustments.{i}.points", f"Enter points from -{MAXIMUM_ADJUSTMENT:,} to "
                                                    f"{MAXIMUM_ADJUSTMENT:,}")
    return policy


def _reported(checks: list[Check]) -> list[InputError]:
    found = Problems()
    report(found, checks)
    return found.errors


def workload_calculate(data: WorkloadInput) -> WorkloadResult:
    problems = Problems()
    policy = workload_check(data, problems)
    problems.raise_if_any()
    assert policy is not None
    return _score(data, policy)


def _case(policy: WorkloadPolicy, case: WorkloadCase) -> dict[str, Any]:
    return case_points_formula(SCALAR, policy, tier=case.tier, case_type=case.case_type, t2a=case.t2a,
                               inactive=case.inactive)


def _figures(data: WorkloadInput, policy: WorkloadPolicy, points_hundredths: int) -> dict[str, Any]:
    return capacity_formula(SCALAR, policy, grade=data.grade, points_hundredths=points_hundredths,
                            contracted_hundredths=hundredths(data.contracted_hours),
                            reduction_hundredths=hundredths(data.reduction_hours))


def _points(value_hundredths: int) -> int | float:
    return value_hundredths // 100 if value_hundredths % 100 == 0 else value_hundredths / 100


def _case_terms(data: WorkloadInput, policy: WorkloadPolicy) -> tuple[list[Term], int]:
    groups: Counter[WorkloadCase] = Counter(
        WorkloadCase(tier=c.tier, case_type=c.case_type, t2a=c.t2a, inactive=c.inactive) for c in data.cases
    )
    what_if = data.points_table is not None
    terms, total = [], 0
    for case, count in groups.items():
        f = _case(policy, case)
        total += f["hundredths"] * count
        table = "T2A table" if case.t2a else "standard table"
        source = "points_table" if what_if else "policy"
        kept = f" x {f['percent_kept']}% ({case.inactive.replace('_', ' ')})" if case.inactive else ""
        detail = (
            f"{count} case{'s' if count != 1 else ''}, {table} ({source}): "
            + (f"{f['points']} points each{kept}" if case.tier else "untiered, 0 points")
        )
        terms.append(Term("case_points", f"{case.case_type} {case.tier or 'untiered'}" + (" T2A" if case.t2a else ""),
                          f"{f['points']}" + (f" x {f['percent_kept']}%" if case.inactive else ""),
                          _points(f["hundredths"] * count), detail=detail))
    return terms, total


def _report_terms(data: WorkloadInput, policy: WorkloadPolicy) -> tuple[list[Term], int]:
    counts = Counter(r.type for r in data.reports)
    terms, total = [], 0
    for kind, count in counts.items():
        points = report_points_formula(SCALAR, policy, report_type=kind)
        total += points * count * 100
        terms.append(Term("report_points", kind, str(points), points * count,
                          detail=f"{count} {REPORT_NAMES[kind]}{'s' if count != 1 else ''}, {points} points each"))
    return terms, total


def _score(data: WorkloadInput, policy: WorkloadPolicy) -> WorkloadResult:
    case_terms, case_hundredths = _case_terms(data, policy)
    report_terms, report_hundredths = _report_terms(data, policy)
    adjustment_terms = [Term("adjustment", a.reason, None, a.points, detail="case-management adjustment")
                         for a in data.adjustments]
    points = case_hundredths + report_hundredths + sum(a.points for a in data.adjustments) * 100
    f = _figures(data, policy, points)
    grade = policy.grades[data.grade]
    c, r = data.contracted_hours.normalize(), data.reduction_hours.normalize()
    notes: list[str] = []
    terms = [
        *case_terms,
        *report_terms,
        *adjustment_terms,
        Term("total_points", None, None, f["total_points"],
             detail="the sum of the points above" + (", half-up to a whole number" if points % 100 else "")),
        Term("available_points", data.grade,
             f"{grade.nominal_target} x ({c:f} - {r:f}) / {grade.default_hours.normalize():f}",
             f["available_points"],
             detail=f"{grade.name}: nominal target x hours worked / the grade's default hours, truncated"),
        Term("capacity_percent", None, "total / available, half-up to 3 decimal places, x 100",
             float(percent_of_tenths(f["capacity_tenths"])), detail=f"{f['total_points']} / {f['available_points']}"),
        Term("remaining_points", None, None, f["remaining_points"], detail="available - total"),
    ]
    if f["available_points"] == 0:
        notes.append("No available points (no contracted or default hours for the grade, or all hours reduced): "
                     "capacity is given as 0")
    if any(c.inactive and not c.t2a for c in data.cases):
        notes.append("Inactive ordinary (not T2A) cases keep the standard table's inactive_percent_kept, which is "
                     "unverified (docs/workload.md)")
    potential: dict[str, Any] = {"total_points": None, "capacity_tenths": None, "over_capacity": None}
    if data.new_case is not None:
        new = data.new_case
        held = new.crn is not None and any(case.crn == new.crn for case in data.cases)
        added = 0 if held else _case(policy, new)["hundredths"]
        potential = _figures(data, policy, points + added)
        terms.append(Term("potential_capacity_percent", f"{new.case_type} {new.tier or 'untiered'}"
                          + (" T2A" if new.t2a else ""), None,
                          float(percent_of_tenths(potential["capacity_tenths"])),
                          detail=f"with the new case: {potential['total_points']} / {potential['available_points']}"))
        if held:
            notes.append(f"The new case ({new.crn}) is already held: its points are counted once")
    return WorkloadResult(
        tool=TOOL,
        policy_version=policy.policy_version,
        grade=data.grade,
        case_count=len(data.cases),
        total_points=f["total_points"],
        available_points=f["available_points"],
        capacity_percent=percent_of_tenths(f["capacity_tenths"]),
        remaining_points=f["remaining_points"],
        overload_percent=policy.overload_percent,
        over_capacity=f["over_capacity"],
        potential_total_points=potential["total_points"],
        potential_capacity_percent=(None if potential["capacity_tenths"] is None
                                    else percent_of_tenths(potential["capacity_tenths"])),
        potential_over_capacity=potential["over_capacity"],
        explanation=tuple(terms),
        notes=tuple(notes),
    )
