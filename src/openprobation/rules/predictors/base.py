"""What every risk-tool calculator shares: input errors, explanation terms, policy files, bands and rounding.

A calculator takes a frozen input, checks it (collecting every problem, each named by its field), and returns a
frozen result that carries the tool name, the policy version, the score(s), the band and an explanation: one
:class:`Term` per coefficient or point that went into the score, so a practitioner can see why.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Any

from openprobation.rules.dates import age_in_years

JsonScalar = str | int | float | bool | None
MAXIMUM_COUNT = 999  # sanction counts above this are data-entry errors


@dataclass(frozen=True)
class InputError:
    """One thing wrong with the input: the field (dotted path for nested fields) and what to do about it."""

    field: str
    message: str


class CalculationInputError(ValueError):
    """The input cannot be scored. ``errors`` lists every problem found, not only the first."""

    def __init__(self, errors: Iterable[InputError]) -> None:
        self.errors: tuple[InputError, ...] = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors) or "invalid input")

    def as_dicts(self) -> list[dict[str, str]]:
        return [{"field": e.field, "message": e.message} for e in self.errors]


class Problems:
    """Collects input errors while a calculator checks its input, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def add(self, field_name: str, message: str) -> None:
        error = InputError(field=field_name, message=message)
        if error not in self.errors:  # tools built from others (RSR) check shared fields more than once
            self.errors.append(error)

    def has(self, field_name: str) -> bool:
        return any(e.field == field_name for e in self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise CalculationInputError(self.errors)


@dataclass(frozen=True)
class Term:
    """One line of an explanation: what the input was, the coefficient or points rule, and what it added."""

    name: str
    value: JsonScalar
    coefficient: str | None
    contribution: float | int | str  # a tier letter for the tier V3 steps
    detail: str = ""


@dataclass(frozen=True)
class Policy:
    """A versioned policy file: coefficients, bands and the source they were read from."""

    tool: str
    policy_version: str
    effective_from: dt.date
    source: Mapping[str, Any]
    unverified: tuple[Mapping[str, str], ...]
    data: Mapping[str, Any] = field(repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def float(self, *path: str) -> float:
        """A coefficient stored as a string, as a float (the logistic models work in binary floating point)."""
        return float(self._lookup(path))

    def decimal(self, *path: str) -> Decimal:
        return Decimal(str(self._lookup(path)))

    def text(self, *path: str) -> str:
        return str(self._lookup(path))

    def _lookup(self, path: tuple[str, ...]) -> Any:
        node: Any = self.data
        for key in path:
            node = node[key]
        return node


@cache
def load_policy(name: str) -> Policy:
    """Read ``policy/<name>.toml`` shipped inside the package."""
    text = resources.files("openprobation.rules").joinpath(f"policy/{name}.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    effective = raw["effective_from"]
    return Policy(
        tool=raw["tool"],
        policy_version=raw["policy_version"],
        effective_from=effective if isinstance(effective, dt.date) else dt.date.fromisoformat(effective),
        source=raw["source"],
        unverified=tuple(raw.get("unverified", ())),
        data=raw,
    )


@dataclass(frozen=True)
class Band:
    name: str
    lower: Decimal
    upper: Decimal | None  # exclusive; None = no upper bound


def bands(spec: Iterable[Mapping[str, Any]]) -> tuple[Band, ...]:
    """Half-open bands ``[from, to)`` in ascending order; refuses gaps and overlaps so policy edits cannot add them."""
    result: list[Band] = []
    for item in spec:
        upper = item.get("to")
        band = Band(
            name=item["band"], lower=Decimal(str(item["from"])), upper=None if upper is None else Decimal(str(upper))
        )
        if result and result[-1].upper != band.lower:
            raise ValueError(f"band {band.name} starts at {band.lower}, previous band ends at {result[-1].upper}")
        if band.upper is not None and band.upper <= band.lower:
            raise ValueError(f"band {band.name} is empty")
        result.append(band)
    if not result or result[-1].upper is not None:
        raise ValueError("the last band must be open-ended")
    return tuple(result)


def band_for(value: Decimal | int, table: Iterable[Band]) -> str:
    v = Decimal(value)
    for band in table:
        if v >= band.lower and (band.upper is None or v < band.upper):
            return band.name
    raise ValueError(f"{value} is below the lowest band")


def points_for(value: int, table: Iterable[Mapping[str, Any]]) -> int:
    """Points from a ``[[...]] from = n, points = p`` table: the row with the largest ``from`` not above ``value``."""
    chosen: int | None = None
    for row in table:
        if value >= int(row["from"]):
            chosen = int(row["points"])
    if chosen is None:
        raise ValueError(f"{value} is below the first row of the points table")
    return chosen


def logistic(y: float) -> float:
    if y < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-y))


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent_whole(probability: float, *, low: int = 1, high: int = 99) -> int:
    """Probability -> whole percent as the OASys tools report it: 5 dp, x100 half-up, then kept within 1..99."""
    p5 = round_half_up(Decimal(probability), 5)
    percent = int(round_half_up(p5 * 100, 0))
    return min(max(percent, low), high)


def percent_2dp(probability: float) -> Decimal:
    """Probability -> percent rounded half-up to 2 dp (the RSR components)."""
    return round_half_up(Decimal(probability) * 100, 2)


def whole_years(start: dt.date, end: dt.date) -> int:
    return age_in_years(start, end)


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)
