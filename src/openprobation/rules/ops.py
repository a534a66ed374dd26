"""Each risk tool's formula and input checks are written once, against this small numeric interface, and evaluated
two ways: :data:`SCALAR` on plain Python values (one case: a request, or a case record's own recalculation) and
:data:`COLUMNS` on polars expressions (a whole caseload at once, ``rules.vectorised``).

A formula is an ordinary function ``f(o, ...)`` whose first argument is one of the two evaluators and whose other
arguments are the tool's inputs: Python values for :data:`SCALAR`, ``pl.Expr`` columns for :data:`COLUMNS`.
Arithmetic (``+ - * / //``) and comparisons use Python's operators, which both kinds of value support; anything
else goes through ``o``: ``where``, ``and_``/``or_``/``not_``, ``log``, ``logistic``, table lookups (``lookup``,
``step``, ``band``), rounding (``percent_whole``, ``hundredths``), ages and months between dates, and
``tabulate`` (a function of a small whole number, evaluated in Python for every value it can take and looked up,
so a points-to-percent step rounds exactly as one case does).

Both evaluators are total: ``where`` evaluates both branches, so nothing raises on a value the other branch
guards against (``log(0)`` is ``-inf``, a table miss is ``None``), as polars does for a column.

Input checks are :class:`Check` values (field, whether it fails, message): one case reports every failing check
by field (:func:`report`); a caseload only needs to know which rows fail any (:func:`fails_any`), and hands those
rows to the one-case path so that the reasons stored are the same.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import polars as pl

from openprobation.rules.dates import age_in_years
from openprobation.rules.predictors.base import Problems, band_for, bands, logistic, percent_2dp, percent_whole


@dataclass(frozen=True)
class Check:
    """One input check: the field it is reported on, whether it fails (a bool for one case, a boolean column for a
    caseload) and the message (a callable when it quotes the case's values: only one case ever builds it)."""

    field: str
    fails: Any
    message: str | Callable[[], str]


def report(problems: Problems, checks: Iterable[Check]) -> None:
    """One case: add every failing check to ``problems``, in order."""
    for check in checks:
        if check.fails:
            problems.add(check.field, check.message if isinstance(check.message, str) else check.message())


def fails_any(checks: Iterable[Check]) -> pl.Expr:
    """A caseload: whether any check fails on the row (a null, which one case would not have, counts as failing)."""
    conditions = [c.fails if isinstance(c.fails, pl.Expr) else pl.lit(bool(c.fails)) for c in checks]
    return pl.any_horizontal(conditions).fill_null(True) if conditions else pl.lit(False)


def _steps(rows: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return sorted(rows, key=lambda row: row[0])


class ScalarOps:
    """One case: plain Python values."""

    columns = False

    def let(self, value: Any) -> Any:
        """A value the formula uses more than once (a caseload computes it once, as a column)."""
        return value

    def where(self, condition: Any, then: Any, otherwise: Any) -> Any:
        return then if condition else otherwise

    def and_(self, *values: Any) -> Any:
        return all(values)

    def or_(self, *values: Any) -> Any:
        return any(values)

    def not_(self, value: Any) -> Any:
        return not value

    def is_null(self, value: Any) -> Any:
        return value is None

    def fill_null(self, value: Any, default: Any) -> Any:
        return default if value is None else value

    def minimum(self, a: Any, b: Any) -> Any:
        return min(a, b)

    def maximum(self, a: Any, b: Any) -> Any:
        return max(a, b)

    def to_float(self, value: Any) -> Any:
        return float(value)

    def log(self, value: Any) -> Any:
        if value > 0:
            return math.log(value)
        return -math.inf if value == 0 else math.nan

    def logistic(self, y: Any) -> Any:
        return logistic(y)

    def is_in(self, value: Any, values: Sequence[Any]) -> Any:
        return value in values

    def at_least(self, value: Any, bound: Any) -> Any:
        """``value >= bound``; false for a missing value."""
        return value is not None and value >= bound

    def below(self, value: Any, bound: Any) -> Any:
        """``value < bound``; false for a missing value."""
        return value is not None and value < bound

    def matches(self, value: Any, pattern: re.Pattern[str]) -> Any:
        return bool(pattern.match(value))

    def lookup(self, value: Any, table: Mapping[Any, Any], default: Any = None) -> Any:
        return table.get(value, default)

    def step(self, value: Any, rows: Iterable[tuple[Any, Any]], below: Any = None) -> Any:
        """The output of the row with the largest start not above ``value`` (``below`` under the first)."""
        chosen = below
        for start, output in _steps(rows):
            if value >= start:
                chosen = output
        return chosen

    def band(self, value: Any, spec: Iterable[Mapping[str, Any]], *, scale: int = 1) -> Any:
        """The half-open band of a policy band table that ``value / scale`` falls in (None below the first)."""
        try:
            return band_for(Decimal(value) / scale if scale != 1 else value, bands(spec))
        except ValueError:
            return None

    def tabulate(self, value: Any, fn: Callable[[int], Any], domain: range) -> Any:
        return fn(value) if value in domain else None

    def contains(self, codes: Any, code: str) -> Any:
        """Whether a list of codes holds ``code``."""
        return code in codes

    def without(self, codes: Any, values: Sequence[str]) -> Any:
        """A list of codes without any of ``values``."""
        return tuple(code for code in codes if code not in values)

    def count_in(self, codes: Any, values: Sequence[str]) -> Any:
        """How many different codes of ``values`` a list of codes holds."""
        return len(set(codes) & set(values))

    def first_in(self, codes: Any, ordered: Sequence[str]) -> Any:
        """The first of ``ordered`` that a list of codes holds (None if none)."""
        return next((code for code in ordered if code in codes), None)

    def concat(self, *parts: Any) -> Any:
        return "".join(str(part) for part in parts)

    def key_text(self, value: Any, *, hundredths: bool = False) -> Any:
        """A value as text for a key: "" when missing, a percent as whole hundredths."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(round(value * 100)) if hundredths else str(value)

    def join_text(self, parts: Sequence[Any], separator: str) -> Any:
        return separator.join(parts)

    def join_list(self, values: Any, separator: str) -> Any:
        return separator.join(values)

    def sort(self, codes: Any) -> Any:
        return sorted(codes)

    def record(self, fields: Mapping[str, Any]) -> Any:
        """Named values kept together (an object in the stored inputs)."""
        return dict(fields)

    def field(self, record: Any, name: str) -> Any:
        return None if record is None else record.get(name)

    def days_between(self, start: dt.date, end: dt.date) -> Any:
        return (end - start).days

    def percent_whole(self, probability: Any) -> Any:
        return percent_whole(probability)

    def from_hundredths(self, hundredths: Any) -> Any:
        """Whole hundredths as the nearest float (114 -> 1.14)."""
        return hundredths / 100

    def hundredths(self, probability: Any) -> Any:
        """A probability as a percentage in whole hundredths, half-up (``percent_2dp`` x 100)."""
        return int(percent_2dp(probability) * 100)

    def age(self, born: dt.date, on: dt.date) -> Any:
        return age_in_years(born, on)

    def whole_months(self, start: dt.date, end: dt.date) -> Any:
        if end <= start:
            return 0
        months = (end.year - start.year) * 12 + (end.month - start.month) - (end.day < start.day)
        return max(months, 0)


def _lit(value: Any) -> Any:
    """A Python string as a literal (polars would read a bare string as a column name)."""
    return pl.lit(value) if isinstance(value, str) else value


def _number(value: Decimal) -> int | float:
    return int(value) if value == int(value) else float(value)


def _dtype(values: Iterable[Any]) -> Any:
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool}:
        return pl.Boolean
    if kinds <= {int}:
        return pl.Int64
    if kinds <= {int, float}:
        return pl.Float64
    return pl.String


class ColumnOps:
    """A caseload: polars expressions, one row per case.

    A polars expression is a tree, so a value used in several places is copied into each; ``let`` gives it a
    column instead. An evaluator made with ``bind=True`` collects those columns, and :meth:`bind` adds them to a
    frame (in order) before the expressions that read them are evaluated; :data:`COLUMNS` keeps every expression
    whole.
    """

    columns = True

    def __init__(self, *, bind: bool = False) -> None:
        self._bind = bind
        self._pending: list[tuple[str, pl.Expr]] = []
        self._count = 0

    def let(self, value: Any) -> Any:
        if not self._bind or not isinstance(value, pl.Expr):
            return value
        self._count += 1
        name = f"__let{self._count}"
        self._pending.append((name, value))
        return pl.col(name)

    def bind(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add the columns ``let`` gave out so far."""
        for name, value in self._pending:
            frame = frame.with_columns(value.alias(name))
        self._pending.clear()
        return frame

    def drop(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Drop the columns ``let`` added."""
        return frame.drop([c for c in frame.columns if c.startswith("__let")])

    def where(self, condition: Any, then: Any, otherwise: Any) -> Any:
        return pl.when(condition).then(_lit(then)).otherwise(_lit(otherwise))

    def and_(self, *values: Any) -> Any:
        return pl.all_horizontal(list(values))

    def or_(self, *values: Any) -> Any:
        return pl.any_horizontal(list(values))

    def not_(self, value: Any) -> Any:
        return ~value

    def is_null(self, value: Any) -> Any:
        return value.is_null()

    def fill_null(self, value: Any, default: Any) -> Any:
        return value.fill_null(_lit(default))

    def minimum(self, a: Any, b: Any) -> Any:
        return pl.min_horizontal(a, b)

    def maximum(self, a: Any, b: Any) -> Any:
        return pl.max_horizontal(a, b)

    def to_float(self, value: Any) -> Any:
        return value.cast(pl.Float64)

    def log(self, value: Any) -> Any:
        return value.log()

    def logistic(self, y: Any) -> Any:
        return pl.when(y < -700).then(0.0).otherwise(1.0 / (1.0 + (-y).exp()))

    def is_in(self, value: Any, values: Sequence[Any]) -> Any:
        return value.is_in(list(values))

    def at_least(self, value: Any, bound: Any) -> Any:
        return (value >= bound).fill_null(False)

    def below(self, value: Any, bound: Any) -> Any:
        return (value < bound).fill_null(False)

    def matches(self, value: Any, pattern: re.Pattern[str]) -> Any:
        return value.str.contains(pattern.pattern)

    def lookup(self, value: Any, table: Mapping[Any, Any], default: Any = None) -> Any:
        dtype = _dtype([*table.values(), default])
        return value.replace_strict(dict(table), default=pl.lit(default, dtype=dtype), return_dtype=dtype)

    def step(self, value: Any, rows: Iterable[tuple[Any, Any]], below: Any = None) -> Any:
        ordered = _steps(rows)
        expr: Any = pl.lit(below, dtype=_dtype([below, *(out for _, out in ordered)]))
        for start, output in ordered:
            expr = pl.when(value >= start).then(_lit(output)).otherwise(expr)
        return expr

    def band(self, value: Any, spec: Iterable[Mapping[str, Any]], *, scale: int = 1) -> Any:
        table = bands(spec)  # refuses gaps and overlaps, as one case does
        return self.step(value, [(_number(b.lower * scale), b.name) for b in table], None)

    def tabulate(self, value: Any, fn: Callable[[int], Any], domain: range) -> Any:
        table = _tabulated(fn, domain)
        return value.replace_strict(table, default=None, return_dtype=_dtype(table.values()))

    def contains(self, codes: Any, code: str) -> Any:
        return codes.list.contains(code)

    def without(self, codes: Any, values: Sequence[str]) -> Any:
        return codes.list.set_difference(pl.lit(list(values), dtype=pl.List(pl.String)))

    def count_in(self, codes: Any, values: Sequence[str]) -> Any:
        return codes.list.set_intersection(pl.lit(list(values), dtype=pl.List(pl.String))).list.len()

    def first_in(self, codes: Any, ordered: Sequence[str]) -> Any:
        expr: Any = pl.lit(None, dtype=pl.String)
        for code in reversed(ordered):
            expr = pl.when(codes.list.contains(code)).then(pl.lit(code)).otherwise(expr)
        return expr

    def concat(self, *parts: Any) -> Any:
        return pl.concat_str([_lit(part) if isinstance(part, str) else part.cast(pl.String) for part in parts])

    def key_text(self, value: Any, *, hundredths: bool = False) -> Any:
        # No headline value is a boolean, so casting to text is the one-case str().
        text = (value * 100).round(0).cast(pl.Int64).cast(pl.String) if hundredths else value.cast(pl.String)
        return text.fill_null("")

    def join_text(self, parts: Sequence[Any], separator: str) -> Any:
        return pl.concat_str(list(parts), separator=separator)

    def join_list(self, values: Any, separator: str) -> Any:
        return values.list.join(separator)

    def sort(self, codes: Any) -> Any:
        return codes.list.sort()

    def record(self, fields: Mapping[str, Any]) -> Any:
        return pl.struct(**{name: _lit(value) for name, value in fields.items()})

    def field(self, record: Any, name: str) -> Any:
        return record.struct.field(name)

    def days_between(self, start: Any, end: Any) -> Any:
        return (end - start).dt.total_days()

    def percent_whole(self, probability: Any) -> Any:
        """As ``percent_whole``: 5 dp half-up, x100 half-up, kept within 1..99."""
        k5 = (probability * 100000 + 0.5).floor().cast(pl.Int64, strict=False)
        return ((k5 + 500) // 1000).clip(1, 99)

    def hundredths(self, probability: Any) -> Any:
        return (probability * 10000 + 0.5).floor().cast(pl.Int64, strict=False)

    def from_hundredths(self, hundredths: Any) -> Any:
        # Read from its decimal text: polars divides by multiplying by 0.01, which is not always the nearest float.
        text = pl.concat_str(
            [(hundredths // 100).cast(pl.String), pl.lit("."), (hundredths % 100).cast(pl.String).str.zfill(2)]
        )
        return text.cast(pl.Float64)

    def age(self, born: Any, on: Any) -> Any:
        def month_day(d: pl.Expr) -> pl.Expr:  # month() and day() are Int8: widen before multiplying
            return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

        earlier = month_day(on) < month_day(born)
        return (on.dt.year().cast(pl.Int64) - born.dt.year().cast(pl.Int64) - earlier.cast(pl.Int64)).cast(pl.Int64)

    def whole_months(self, start: Any, end: Any) -> Any:
        months = (end.dt.year().cast(pl.Int64) - start.dt.year().cast(pl.Int64)) * 12 + (
            end.dt.month().cast(pl.Int64) - start.dt.month().cast(pl.Int64)
        )
        months = months - (end.dt.day() < start.dt.day()).cast(pl.Int64)
        return pl.when(end <= start).then(0).otherwise(pl.max_horizontal(months, pl.lit(0))).cast(pl.Int64)


@cache
def _tabulated(fn: Callable[[int], Any], domain: range) -> dict[int, Any]:
    return {value: fn(value) for value in domain}


SCALAR = ScalarOps()
COLUMNS = ColumnOps()
Ops = ScalarOps | ColumnOps
