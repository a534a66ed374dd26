"""The workload of every practitioner at once: the formulas of ``rules.workload.formulas`` evaluated on polars
columns (``ops.ColumnOps``), the same functions the calculator evaluates for one practitioner (decision 0012).

Frames (see the ``*_SCHEMA`` mappings): practitioners (id, grade, contracted and reduction hours in hundredths),
the cases they hold, the reports they wrote and their case-management adjustments. :func:`workload_frame` gives
one row per practitioner with ``case_count``, ``total_points``, ``available_points``, ``capacity_tenths`` (tenths
of a percent), ``remaining_points`` and ``over_capacity``. A case whose tier, type or status is not known scores 0
and is counted in ``invalid_cases``; a practitioner whose grade is not known, or whose reductions exceed their
hours, is flagged ``invalid`` (the calculator would refuse both, naming the field). :func:`potential_frame` gives
each practitioner's capacity if a new case were allocated to them, counting a case they already hold once;
:func:`reduction_hundredths_frame` sums each practitioner's reductions active on a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import polars as pl

from openprobation.rules import ops
from openprobation.rules.workload.formulas import (
    capacity_formula,
    case_checks,
    case_points_formula,
    practitioner_checks,
    reduction_active,
    report_checks,
    report_points_formula,
)
from openprobation.rules.workload.policy import WorkloadPolicy, workload_policy

PRACTITIONER_SCHEMA: dict[str, Any] = {
    "practitioner": pl.Int64,
    "grade": pl.String,
    "contracted_hundredths": pl.Int64,
    "reduction_hundredths": pl.Int64,
}
CASE_SCHEMA: dict[str, Any] = {
    "practitioner": pl.Int64,
    "crn": pl.String,
    "tier": pl.String,  # null: untiered
    "case_type": pl.String,
    "t2a": pl.Boolean,
    "inactive": pl.String,  # null: active
}
REPORT_SCHEMA: dict[str, Any] = {"practitioner": pl.Int64, "type": pl.String}
ADJUSTMENT_SCHEMA: dict[str, Any] = {"practitioner": pl.Int64, "points": pl.Int64}
REDUCTION_SCHEMA: dict[str, Any] = {
    "practitioner": pl.Int64,
    "reason": pl.String,
    "hundredths": pl.Int64,
    "effective_from": pl.Date,
    "effective_to": pl.Date,
}

COLS = ops.COLUMNS  # every expression whole (no let-columns): the formulas are small
RESULT_COLUMNS = ("total_points", "available_points", "capacity_tenths", "remaining_points", "over_capacity")


def _empty(schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def case_points_frame(cases: pl.DataFrame, policy: WorkloadPolicy) -> pl.DataFrame:
    """Each case with its ``hundredths`` (0 when invalid) and ``invalid``."""
    columns = {name: pl.col(name) for name in ("tier", "case_type", "t2a", "inactive")}
    f = case_points_formula(COLS, policy, **columns)
    invalid = ops.fails_any(case_checks(COLS, tier=columns["tier"], case_type=columns["case_type"],
                                        inactive=columns["inactive"]))
    return cases.with_columns(invalid=invalid).with_columns(
        hundredths=pl.when(pl.col("invalid")).then(0).otherwise(f["hundredths"]).cast(pl.Int64)
    )


def workload_frame(
    practitioners: pl.DataFrame,
    cases: pl.DataFrame,
    reports: pl.DataFrame | None = None,
    adjustments: pl.DataFrame | None = None,
    *,
    policy: WorkloadPolicy | None = None,
) -> pl.DataFrame:
    """One row per practitioner: their points, available points and capacity (see the module's docstring)."""
    pol = policy or workload_policy()
    reports = _empty(REPORT_SCHEMA) if reports is None else reports
    adjustments = _empty(ADJUSTMENT_SCHEMA) if adjustments is None else adjustments
    per_case = case_points_frame(cases, pol).group_by("practitioner").agg(
        case_count=pl.len(),
        invalid_cases=pl.col("invalid").sum(),
        case_hundredths=pl.col("hundredths").sum(),
    )
    report_type = pl.col("type")
    per_report = (
        reports.with_columns(
            invalid=ops.fails_any(report_checks(COLS, report_type=report_type)),
            hundredths=report_points_formula(COLS, pol, report_type=report_type) * 100,
        )
        .group_by("practitioner")
        .agg(report_hundredths=pl.when(~pl.col("invalid")).then(pl.col("hundredths")).otherwise(0).sum())
    )
    per_adjustment = adjustments.group_by("practitioner").agg(adjustment_hundredths=pl.col("points").sum() * 100)
    frame = (
        practitioners.join(per_case, on="practitioner", how="left")
        .join(per_report, on="practitioner", how="left")
        .join(per_adjustment, on="practitioner", how="left")
        .with_columns(
            pl.col("case_count", "invalid_cases", "case_hundredths", "report_hundredths", "adjustment_hundredths")
            .fill_null(0)
            .cast(pl.Int64)
        )
        .with_columns(
            points_hundredths=pl.col("case_hundredths") + pl.col("report_hundredths") + pl.col("adjustment_hundredths")
        )
    )
    hours = {
        "grade": pl.col("grade"),
        "contracted_hundredths": pl.col("contracted_hundredths"),
        "reduction_hundredths": pl.col("reduction_hundredths"),
    }
    f = capacity_formula(COLS, pol, points_hundredths=pl.col("points_hundredths"), **hours)
    invalid = ops.fails_any(practitioner_checks(COLS, pol, **hours))
    return frame.with_columns(invalid=invalid, **{name: f[name] for name in RESULT_COLUMNS})


def potential_frame(workloads: pl.DataFrame, new_case: dict[str, Any], holders: Collection[int] = (), *,
                    policy: WorkloadPolicy | None = None) -> pl.DataFrame:
    """:func:`workload_frame`'s rows with ``potential_total_points``, ``potential_capacity_tenths`` and
    ``potential_over_capacity``: the figures if ``new_case`` (``tier``, ``case_type``, ``t2a``, ``inactive``) were
    allocated to each practitioner, not counted again for ``holders`` (the practitioners who already hold it)."""
    pol = policy or workload_policy()
    case = {"tier": None, "t2a": False, "inactive": None, **new_case}
    added = case_points_formula(ops.SCALAR, pol, tier=case["tier"], case_type=case["case_type"], t2a=case["t2a"],
                                inactive=case["inactive"])["hundredths"]
    held = pl.col("practitioner").is_in(list(holders))
    f = capacity_formula(
        COLS,
        pol,
        grade=pl.col("grade"),
        points_hundredths=pl.col("points_hundredths") + pl.when(held).then(0).otherwise(added),
        contracted_hundredths=pl.col("contracted_hundredths"),
        reduction_hundredths=pl.col("reduction_hundredths"),
    )
    return workloads.with_columns(
        potential_total_points=f["total_points"],
        potential_capacity_tenths=f["capacity_tenths"],
        potential_over_capacity=f["over_capacity"],
    )


def reduction_hundredths_frame(practitioners: pl.DataFrame, reductions: pl.DataFrame, on: dt.date, *,
                               policy: WorkloadPolicy | None = None) -> pl.DataFrame:
    """``practitioners`` with ``reduction_hundredths``: their reductions active on ``on`` with an enabled reason,
    summed, never more than their contracted hours."""
    pol = policy or workload_policy()
    enabled = [code for code, reason in pol.reduction_reasons.items() if reason.enabled]
    active = reduction_active(COLS, effective_from=pl.col("effective_from"), effective_to=pl.col("effective_to"),
                              on=pl.lit(on, dtype=pl.Date))
    summed = (
        reductions.filter(active & pl.col("reason").is_in(enabled))
        .group_by("practitioner")
        .agg(active_hundredths=pl.col("hundredths").sum())
    )
    frame = practitioners.drop("reduction_hundredths", strict=False).join(summed, on="practitioner", how="left")
    return frame.with_columns(
        reduction_hundredths=COLS.minimum(pl.col("active_hundredths").fill_null(0), pl.col("contracted_hundredths"))
        .cast(pl.Int64)
    ).drop("active_hundredths")
