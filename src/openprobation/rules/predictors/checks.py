"""Input checks the tools share, written once as :class:`rules.ops.Check` values (see ``rules.ops``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openprobation.rules.ops import Check, Ops
from openprobation.rules.predictors.base import MAXIMUM_COUNT


def count_checks(o: Ops, name: str, value: Any, *, maximum: int = MAXIMUM_COUNT) -> list[Check]:
    """A count (absent allowed) is 0 or more and at most ``maximum``."""
    return [
        Check(name, o.fill_null(value, 0) < 0, "Enter a number of 0 or more"),
        Check(name, o.fill_null(value, 0) > maximum, f"Enter a number of {maximum} or fewer"),
    ]


def answer_checks(o: Ops, values: Iterable[tuple[str, Any]]) -> list[Check]:
    """OASys-style answers (absent allowed) scored 0 (no problem), 1 (some problems) or 2 (significant problems)."""
    return [
        Check(
            name,
            o.not_(o.is_in(o.fill_null(value, 0), (0, 1, 2))),
            "Enter 0 (no problems), 1 (some problems) or 2 (significant problems)",
        )
        for name, value in values
    ]


def violent_sanctions_checks(o: Ops, violent: Any, total: Any) -> list[Check]:
    """Violent sanctions: a count, not more than the total."""
    return [
        *count_checks(o, "violent_sanctions", violent),
        Check(
            "violent_sanctions",
            o.and_(violent > total, total >= 1),
            lambda: f"Violent sanctions ({violent}) cannot be more than total sanctions ({total})",
        ),
    ]
