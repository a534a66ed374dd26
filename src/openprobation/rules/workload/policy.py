"""The workload policy: ``policy/workload.toml`` (the seed values, with their source), or the same values with an
override laid over them (an administrator's change, or the calculator's ``points_table`` for one what-if).

:func:`workload_policy` reads the shipped file, lays the override over it (tables merge key by key; any other
value, a list included, is replaced) and checks the result: every problem is reported by its path in the policy
document (``case_points.standard.A3.community``) as a :class:`PolicyDataError`, so an override is refused whole,
never half-applied. Each policy carries its ``policy_version`` and ``effective_from``; :func:`policy_in_effect`
picks the one in force on a date.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from openprobation.rules.allocation import POLICY_FILES as _ALLOCATION_POLICY_FILES
from openprobation.rules.predictors.base import CalculationInputError, InputError

TOOL = "workload"
TIERS = tuple(f"{letter}{level}" for letter in "ABCD" for level in "3210")  # A3, A2, ... D0
UNSUPERVISED_TIERS = tuple(f"{tier}S" for tier in TIERS)
ALL_TIERS = TIERS + UNSUPERVISED_TIERS
CASE_TYPES = ("community", "licence", "custody")
TABLES = ("standard", "t2a")
REPORT_TYPES = ("standard_psr", "fast_psr", "parole")
INACTIVE_STATUSES = ("warrant", "unpaid_work_only", "overdue_termination")
ACTIVE = "active"  # the status key of a case that is not inactive (keeps 100% of its points)
MAXIMUM_POINTS = 100_000  # per table cell or report: a larger value is a typing error
MAXIMUM_HOURS = Decimal(168)  # hours in a week
ALLOCATION_POLICIES = tuple(_ALLOCATION_POLICY_FILES)


class PolicyDataError(CalculationInputError):
    """The policy values (the file with an override laid over it) are not usable; each problem names its path."""


@dataclass(frozen=True)
class Grade:
    code: str
    name: str
    nominal_target: int  # available points at the default hours
    default_hours: Decimal

    @property
    def default_hundredths(self) -> int:
        return int(self.default_hours * 100)


@dataclass(frozen=True)
class ReductionReason:
    code: str
    name: str
    allowance_percent: int | None = None  # default hours = this share of the contracted hours
    max_allowance_percent: int | None = None  # at most this share (no limit but the contracted hours when None)
    months: int | None = None  # how long the reduction usually lasts
    enabled: bool = True


@dataclass(frozen=True)
class WorkloadPolicy:
    policy_version: str
    effective_from: dt.date
    source: Mapping[str, Any]
    unverified: tuple[Mapping[str, str], ...]
    case_points: Mapping[str, int]  # "standard/community/A3" -> 206
    percent_kept: Mapping[str, int]  # "t2a/warrant" -> 0, "t2a/active" -> 100
    report_points: Mapping[str, int]
    grades: Mapping[str, Grade]
    overload_percent: int
    consecutive_weeks: int
    reduction_reasons: Mapping[str, ReductionReason]
    allocation_grade_policy: str  # the allocation policy (rules/allocation.py) the allocation screen orders by
    data: Mapping[str, Any] = field(repr=False)

    def cell(self, table: str, case_type: str, tier: str) -> int:
        return self.case_points[cell_key(table, case_type, tier)]

    @property
    def nominal_targets(self) -> dict[str, int]:
        return {code: g.nominal_target for code, g in self.grades.items()}

    @property
    def default_hundredths(self) -> dict[str, int]:
        return {code: g.default_hundredths for code, g in self.grades.items()}

    @property
    def overload_tenths(self) -> int:
        """The threshold in tenths of a percent, the unit capacity is worked out in."""
        return self.overload_percent * 10


def cell_key(table: str, case_type: str, tier: str) -> str:
    """The key of a points cell, as the formulas build it (``rules.workload.formulas``)."""
    return f"{table}/{case_type}/{tier}"


# ---- Loading ----


@cache
def _shipped() -> dict[str, Any]:
    text = resources.files("openprobation.rules").joinpath("policy/workload.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def _default() -> WorkloadPolicy:
    return build_policy(_shipped())


def workload_policy(override: Mapping[str, Any] | None = None) -> WorkloadPolicy:
    """The shipped policy, or the shipped policy with ``override`` laid over it (same shape as the file; give the
    override its own ``policy_version`` and ``effective_from``). Raises :class:`PolicyDataError` listing every
    problem."""
    if not override:
        return _default()
    return build_policy(merge(_shipped(), override))


def policy_in_effect(policies: Iterable[WorkloadPolicy], on: dt.date) -> WorkloadPolicy:
    """The policy in force on ``on``: the latest ``effective_from`` not after it."""
    candidates = [p for p in policies if p.effective_from <= on]
    if not candidates:
        raise ValueError(f"no workload policy is in force on {on.isoformat()}")
    return max(candidates, key=lambda p: p.effective_from)


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it: tables merged key by key, anything else replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def build_policy(raw: Mapping[str, Any]) -> WorkloadPolicy:
    """Check a whole policy document and build the policy, or raise :class:`PolicyDataError`."""
    errors: list[InputError] = []
    reader = _Reader(errors)
    version = reader.text(raw, "policy_version")
    effective = reader.date(raw, "effective_from")
    case_points = _case_points(reader, raw.get("case_points"))
    percent_kept = _percent_kept(reader, raw.get("inactive_percent_kept"))
    reports = {
        kind: reader.whole(raw["report_points"], f"report_points.{kind}", 0, MAXIMUM_POINTS)
        for kind in reader.keys(raw.get("report_points"), "report_points", REPORT_TYPES, "report type", every=True)
    }
    grades = _grades(reader, raw.get("grades"))
    capacity = raw.get("capacity")
    overload = reader.whole(capacity, "capacity.overload_percent", 1, 1000)
    weeks = reader.whole(capacity, "capacity.consecutive_weeks", 1, 52)
    reasons = _reasons(reader, raw.get("reduction_reasons"))
    grade_policy = reader.text(raw.get("allocation"), "allocation.grade_policy")
    if grade_policy and grade_policy not in ALLOCATION_POLICIES:
        reader.add("allocation.grade_policy", unknown_message("allocation policy", ALLOCATION_POLICIES))
    if errors:
        raise PolicyDataError(errors)
    return WorkloadPolicy(
        policy_version=version,
        effective_from=effective,
        source=raw.get("source", {}),
        unverified=tuple(raw.get("unverified", ())),
        case_points=case_points,
        percent_kept=percent_kept,
        report_points=reports,
        grades=grades,
        overload_percent=overload,
        consecutive_weeks=weeks,
        reduction_reasons=reasons,
        allocation_grade_policy=grade_policy,
        data=raw,
    )


def _case_points(reader: _Reader, node: Any) -> dict[str, int]:
    cells: dict[str, int] = {}
    for table in reader.keys(node, "case_points", TABLES, "table", every=True):
        rows = node[table]
        for tier in reader.keys(rows, f"case_points.{table}", ALL_TIERS, "tier", every=True):
            row = rows[tier]
            path = f"case_points.{table}.{tier}"
            for case_type in reader.keys(row, path, CASE_TYPES, "case type", every=True):
                cells[cell_key(table, case_type, tier)] = reader.whole(row, f"{path}.{case_type}", 0, MAXIMUM_POINTS)
    return cells


def _percent_kept(reader: _Reader, node: Any) -> dict[str, int]:
    kept: dict[str, int] = {}
    for table in reader.keys(node, "inactive_percent_kept", TABLES, "table", every=True):
        path = f"inactive_percent_kept.{table}"
        for status in reader.keys(node[table], path, INACTIVE_STATUSES, "inactive status", every=True):
            kept[f"{table}/{status}"] = reader.whole(node[table], f"{path}.{status}", 0, 100)
        kept[f"{table}/{ACTIVE}"] = 100
    return kept


def _grades(reader: _Reader, node: Any) -> dict[str, Grade]:
    grades: dict[str, Grade] = {}
    if not isinstance(node, Mapping) or not node:
        reader.add("grades", "Give at least one grade")
        return grades
    for code, spec in node.items():
        path = f"grades.{code}"
        if not isinstance(spec, Mapping):
            reader.add(path, "Expected a table of name, nominal_target and default_hours")
            continue
        reader.unknown(spec, path, ("name", "nominal_target", "default_hours"))
        grades[code] = Grade(
            code=code,
            name=reader.text(spec, f"{path}.name"),
            nominal_target=reader.whole(spec, f"{path}.nominal_target", 0, MAXIMUM_POINTS),
            default_hours=reader.hours(spec, f"{path}.default_hours"),
        )
    return grades


REASON_NUMBERS = {"allowance_percent": (0, 100), "max_allowance_percent": (0, 100), "months": (1, 120)}


def _reasons(reader: _Reader, node: Any) -> dict[str, ReductionReason]:
    reasons: dict[str, ReductionReason] = {}
    if not isinstance(node, list):
        reader.add("reduction_reasons", "Expected a list of reduction reasons")
        return reasons
    known = ("code", "name", *REASON_NUMBERS, "enabled")
    for i, spec in enumerate(node):
        path = f"reduction_reasons.{i}"
        if not isinstance(spec, Mapping):
            reader.add(path, "Expected a table")
            continue
        reader.unknown(spec, path, known)
        code = reader.text(spec, f"{path}.code")
        if code in reasons:
            reader.add(f"{path}.code", f"Reason {code} is given twice")
        optional = {
            name: reader.whole(spec, f"{path}.{name}", low, high)
            for name, (low, high) in REASON_NUMBERS.items()
            if name in spec
        }
        enabled = spec.get("enabled", True)
        if not isinstance(enabled, bool):
            reader.add(f"{path}.enabled", "Expected true or false")
        reasons[code] = ReductionReason(code=code, name=reader.text(spec, f"{path}.name"),
                                        enabled=bool(enabled), **optional)
    return reasons


class _Reader:
    """Reads values out of a policy document, recording a problem (by path) for each one it cannot use."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors

    def add(self, path: str, message: str) -> None:
        self.errors.append(InputError(path, message))

    def _value(self, node: Any, path: str) -> Any:
        """The value at ``path`` (the last part of the path is its key in ``node``)."""
        key = path.rsplit(".", 1)[-1]
        if not isinstance(node, Mapping) or key not in node:
            self.add(path, "Required: enter a value")
            return None
        return node[key]

    def text(self, node: Any, path: str) -> str:
        value = self._value(node, path)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            self.add(path, "Expected text")
        return value if isinstance(value, str) else ""

    def date(self, node: Any, path: str) -> dt.date:
        value = self._value(node, path)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        if value is not None:
            self.add(path, "Expected a date as YYYY-MM-DD")
        return dt.date.min

    def whole(self, node: Any, path: str, low: int, high: int) -> int:
        value = self._value(node, path)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"Enter a whole number from {low:,} to {high:,}")
            return 0
        if not low <= value <= high:
            self.add(path, f"Enter a whole number from {low:,} to {high:,}")
        return value

    def hours(self, node: Any, path: str) -> Decimal:
        value = self._value(node, path)
        if value is None:
            return Decimal(0)
        try:
            hours = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            hours = None
        if hours is None or not hours.is_finite() or not 0 <= hours <= MAXIMUM_HOURS or hours != round(hours, 2):
            self.add(path, f"Enter hours from 0 to {MAXIMUM_HOURS}, to at most 2 decimal places")
            return Decimal(0)
        return hours

    def unknown(self, node: Mapping[str, Any], path: str, known: Iterable[str]) -> None:
        for key in node:
            if key not in known:
                self.add(f"{path}.{key}", "Unknown field: check the spelling")

    def keys(self, node: Any, path: str, choices: tuple[str, ...], what: str, *, every: bool) -> list[str]:
        """The keys of a table that are among ``choices`` (each other key a problem; with ``every``, each choice
        missing a problem too)."""
        if not isinstance(node, Mapping):
            self.add(path, "Required: expected a table")
            return []
        for key in node:
            if key not in choices:
                self.add(f"{path}.{key}", unknown_message(what, choices))
        if every:
            for key in choices:
                if key not in node:
                    self.add(f"{path}.{key}", f"Required: enter the {what} {key}")
        return [key for key in choices if key in node]


TIER_CHOICES = "choose A3 to D0 (A3, A2, A1, A0, B3 ... D0), or the same with S when unsupervised (A3S ... D0S)"


def unknown_message(what: str, choices: tuple[str, ...]) -> str:
    if choices == ALL_TIERS:
        return f"Unknown tier: {TIER_CHOICES}"
    return f"Unknown {what}: choose one of {', '.join(choices)}"
