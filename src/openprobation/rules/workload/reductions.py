"""Reductions of a practitioner's weekly hours (training, leave, facility time), for one practitioner.

A reduction has a reason (``reduction_reasons`` in ``policy/workload.toml``), hours (2 decimal places) and the days
it runs (``effective_from`` to ``effective_to``, both counted; no end: open-ended). A reason with an
``allowance_percent`` suggests that share of the contracted hours; one with ``max_allowance_percent`` allows no
more than that share; no reduction, and no set of reductions active together, exceeds the contracted hours. The
rules themselves (:func:`formulas.allowance_hundredths`, :func:`formulas.reduction_active`) are written once; the
whole service's reductions are summed by ``batch.reduction_hundredths_frame``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openprobation.rules.ops import SCALAR
from openprobation.rules.predictors.base import InputError
from openprobation.rules.workload.formulas import allowance_hundredths, reduction_active
from openprobation.rules.workload.policy import ReductionReason, WorkloadPolicy, unknown_message


@dataclass(frozen=True)
class Reduction:
    reason: str
    hours: Decimal
    effective_from: dt.date
    effective_to: dt.date | None = None


def _hundredths(hours: Decimal) -> int:
    return int(hours * 100)


def _hours(hundredths: int) -> Decimal:
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


def allowance_hours(contracted_hours: Decimal, percent: int) -> Decimal:
    """``percent`` of the contracted hours, half-up to 2 decimal places, never more than the contracted hours."""
    return _hours(allowance_hundredths(SCALAR, _hundredths(contracted_hours), percent))


def default_hours(contracted_hours: Decimal, reason: ReductionReason) -> Decimal | None:
    """The hours a reason suggests (None when it has no allowance percent)."""
    if reason.allowance_percent is None:
        return None
    return allowance_hours(contracted_hours, reason.allowance_percent)


def maximum_hours(contracted_hours: Decimal, reason: ReductionReason) -> Decimal:
    """The most hours the reason allows: its maximum share, or else the contracted hours."""
    if reason.max_allowance_percent is None:
        return _hours(_hundredths(contracted_hours))
    return allowance_hours(contracted_hours, reason.max_allowance_percent)


def reduction_problems(reduction: Reduction, contracted_hours: Decimal, policy: WorkloadPolicy) -> list[InputError]:
    """Every problem with one reduction, by field (``reason``, ``hours``, ``effective_to``)."""
    problems: list[InputError] = []
    reason = policy.reduction_reasons.get(reduction.reason)
    if reason is None or not reason.enabled:
        choices = tuple(code for code, r in policy.reduction_reasons.items() if r.enabled)
        problems.append(InputError("reason", unknown_message("reduction reason", choices)))
    hours = reduction.hours
    if not hours.is_finite() or hours != round(hours, 2):
        problems.append(InputError("hours", "Enter hours to at most 2 decimal places"))
    elif hours < 0:
        problems.append(InputError("hours", "Enter hours of 0 or more"))
    elif hours > contracted_hours:
        problems.append(InputError("hours", f"Reduction hours ({hours:f}) cannot be more than the contracted hours "
                                            f"({contracted_hours:f})"))
    elif reason is not None and hours > maximum_hours(contracted_hours, reason):
        problems.append(InputError("hours", f"{reason.name} allows at most {maximum_hours(contracted_hours, reason):f} "
                                            f"hours ({reason.max_allowance_percent}% of {contracted_hours:f})"))
    if reduction.effective_to is not None and reduction.effective_to < reduction.effective_from:
        problems.append(InputError("effective_to", "The last day cannot be before the first"))
    return problems


def is_active(reduction: Reduction, on: dt.date) -> bool:
    return bool(reduction_active(SCALAR, effective_from=reduction.effective_from,
                                 effective_to=reduction.effective_to, on=on))


def active_reduction_hours(reductions: Iterable[Reduction], contracted_hours: Decimal, on: dt.date,
                           policy: WorkloadPolicy) -> Decimal:
    """The hours reduced on ``on``: the active reductions whose reason is enabled, summed, never more than the
    contracted hours."""
    total = sum(
        _hundredths(r.hours)
        for r in reductions
        if is_active(r, on) and (reason := policy.reduction_reasons.get(r.reason)) is not None and reason.enabled
    )
    return _hours(min(total, _hundredths(contracted_hours)))
