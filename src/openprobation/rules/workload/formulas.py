"""The workload rules, each written once over ``rules.ops`` (decision 0012): ``ops.SCALAR`` evaluates them for one
practitioner (the calculator, ``rules.workload.calculator``), a ``ops.ColumnOps`` for every practitioner of the
service at once (``rules.workload.batch``).

Everything is worked in whole numbers, so both evaluators give the same answer to the last digit: points in
hundredths (a case's points times the percent it keeps), hours in hundredths (two decimal places), capacity in
tenths of a percent (the ratio half-up to 3 decimal places).

- a case's points: the cell of the standard or T2A table for its type and tier (0 untiered), times the percent an
  inactive case keeps (:func:`case_points_formula`);
- a report's points (:func:`report_points_formula`);
- available points, capacity and remaining points from the total and the practitioner's grade and hours
  (:func:`capacity_formula`); potential capacity is the same formula with the new case's points added, unless the
  practitioner already holds the case;
- a reduction's hours from an allowance percent (:func:`allowance_hundredths`) and whether it is active on a day
  (:func:`reduction_active`).
"""

from __future__ import annotations

from typing import Any

from openprobation.rules.ops import Check, Ops
from openprobation.rules.workload.policy import (
    ACTIVE,
    ALL_TIERS,
    CASE_TYPES,
    INACTIVE_STATUSES,
    MAXIMUM_HOURS,
    REPORT_TYPES,
    TIER_CHOICES,
    WorkloadPolicy,
    unknown_message,
)

MAXIMUM_HUNDREDTHS = int(MAXIMUM_HOURS * 100)


def half_up_quotient(o: Ops, numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator`` rounded half away from zero to a whole number (``denominator`` above 0)."""
    up = (numerator * 2 + denominator) // (denominator * 2)
    down = -((-numerator * 2 + denominator) // (denominator * 2))
    return o.where(numerator >= 0, up, down)


def case_points_formula(o: Ops, policy: WorkloadPolicy, *, tier: Any, case_type: Any, t2a: Any,
                        inactive: Any) -> dict[str, Any]:
    """One case's points: ``table`` (standard or t2a), ``points`` (the table's cell; 0 untiered or unknown),
    ``percent_kept`` (100 unless inactive) and ``hundredths`` (points x percent kept)."""
    table = o.let(o.where(o.fill_null(t2a, False), "t2a", "standard"))
    cell = o.lookup(o.concat(table, "/", case_type, "/", o.fill_null(tier, "")), policy.case_points)
    points = o.let(o.fill_null(cell, 0))
    kept = o.let(o.fill_null(o.lookup(o.concat(table, "/", o.fill_null(inactive, ACTIVE)), policy.percent_kept), 100))
    return {"table": table, "points": points, "percent_kept": kept, "hundredths": points * kept}


def case_checks(o: Ops, *, tier: Any, case_type: Any, inactive: Any) -> list[Check]:
    """A case's tier is one of the tables' tiers or missing (untiered); its type and inactive status are known."""
    return [
        Check("tier", o.and_(o.not_(o.is_null(tier)), o.not_(o.is_in(tier, ALL_TIERS))),
              lambda: f"Unknown tier {tier!r}: {TIER_CHOICES}; or null when the case is untiered"),
        Check("case_type", o.not_(o.is_in(case_type, CASE_TYPES)), unknown_message("case type", CASE_TYPES)),
        Check("inactive", o.and_(o.not_(o.is_null(inactive)), o.not_(o.is_in(inactive, INACTIVE_STATUSES))),
              unknown_message("inactive status", INACTIVE_STATUSES)),
    ]


def report_points_formula(o: Ops, policy: WorkloadPolicy, *, report_type: Any) -> Any:
    """A report's points (0 for an unknown type, which :func:`report_checks` refuses)."""
    return o.fill_null(o.lookup(report_type, policy.report_points), 0)


def report_checks(o: Ops, *, report_type: Any) -> list[Check]:
    return [Check("type", o.not_(o.is_in(report_type, REPORT_TYPES)), unknown_message("report type", REPORT_TYPES))]


def capacity_formula(o: Ops, policy: WorkloadPolicy, *, grade: Any, points_hundredths: Any,
                     contracted_hundredths: Any, reduction_hundredths: Any) -> dict[str, Any]:
    """From the sum of a practitioner's points (in hundredths) and their grade and hours (in hundredths):

    - ``total_points``: the sum half-up to a whole number;
    - ``available_points``: nominal target x (contracted - reduction) / default hours, truncated; 0 when the
      contracted or the default hours are 0;
    - ``capacity_tenths``: total / available half-up to 3 decimal places x 100, in tenths of a percent (1100 is
      110.0%); 0 when either is 0;
    - ``remaining_points``: available - total; ``over_capacity``: capacity above the policy's threshold.
    """
    total = o.let(half_up_quotient(o, points_hundredths, 100))
    nominal = o.fill_null(o.lookup(grade, policy.nominal_targets), 0)
    default = o.let(o.fill_null(o.lookup(grade, policy.default_hundredths), 0))
    worked = o.maximum(contracted_hundredths - reduction_hundredths, 0)
    no_hours = o.or_(contracted_hundredths <= 0, default <= 0)
    available = o.let(o.where(no_hours, 0, (nominal * worked) // o.maximum(default, 1)))
    ratio = half_up_quotient(o, total * 1000, o.maximum(available, 1))
    capacity = o.let(o.where(o.or_(total == 0, available == 0), 0, ratio))
    return {
        "total_points": total,
        "available_points": available,
        "capacity_tenths": capacity,
        "remaining_points": available - total,
        "over_capacity": capacity > policy.overload_tenths,
    }


def practitioner_checks(o: Ops, policy: WorkloadPolicy, *, grade: Any, contracted_hundredths: Any,
                        reduction_hundredths: Any) -> list[Check]:
    """A known grade; contracted hours from 0 to a week; reduction hours from 0 to the contracted hours."""
    return [
        Check("grade", o.not_(o.is_in(grade, tuple(policy.grades))), unknown_message("grade", tuple(policy.grades))),
        Check("contracted_hours", contracted_hundredths < 0, "Enter hours of 0 or more"),
        Check("contracted_hours", contracted_hundredths > MAXIMUM_HUNDREDTHS,
              f"Enter at most {MAXIMUM_HOURS} hours (a week)"),
        Check("reduction_hours", reduction_hundredths < 0, "Enter hours of 0 or more"),
        Check("reduction_hours", o.and_(reduction_hundredths > contracted_hundredths, contracted_hundredths >= 0),
              lambda: f"Reduction hours ({reduction_hundredths / 100:g}) cannot be more than the contracted hours "
              f"({contracted_hundredths / 100:g})"),
    ]


def allowance_hundredths(o: Ops, contracted_hundredths: Any, percent: Any) -> Any:
    """A reduction's hours from an allowance percent of the contracted hours: half-up to 2 decimal places, never
    more than the contracted hours (in hundredths of an hour)."""
    return o.minimum(half_up_quotient(o, contracted_hundredths * percent, 100), contracted_hundredths)


def reduction_active(o: Ops, *, effective_from: Any, effective_to: Any, on: Any) -> Any:
    """Whether a reduction counts on ``on``: from its first day to its last (no last day: open-ended)."""
    return o.and_(effective_from <= on, o.or_(o.is_null(effective_to), o.fill_null(effective_to, on) >= on))
