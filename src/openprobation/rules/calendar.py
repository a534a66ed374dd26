"""Working days in England and Wales: weekends and bank holidays (substitute days included) are not working days.

Bank holidays come from the ``holidays`` package (``subdiv="ENG"``; England and Wales share the same dates), so
one-off days such as the State Funeral of Queen Elizabeth II (19 Sep 2022) and the Coronation (8 May 2023) are
included and no holiday list is written by hand. Local closure days (a non-statutory office closure, say) can be
added per calendar.

Counting convention, used by every timescale in ``timescales.py``:

* "N working days after D" is the N-th working day *strictly after* D. The day of the event is day 0 and never
  counts, whether or not it is a working day. So 5 working days after Friday 6 March 2026 is Friday 13 March, and
  5 working days after Saturday 7 March is also Friday 13 March: an event on a weekend or bank holiday starts the
  clock as if it had happened at the close of the previous working day.
* ``add_working_days(D, 0)`` is D itself when D is a working day, otherwise the next working day ("on the day").
* ``working_days_between(A, B)`` counts the working days in the half-open range (A, B], so it inverts
  ``add_working_days``: ``working_days_between(A, add_working_days(A, n)) == n`` for every n >= 1 (and for n = 0
  when A is a working day). It is negative when B is before A.

Lookups are a binary search in a sorted table of working-day ordinals, built once per span of years and extended
on demand, so scheduling a whole caseload costs a few microseconds per deadline.

Supported dates: 1 January 1900 to 31 December 2199 (``FIRST_SUPPORTED_DAY``, ``LAST_SUPPORTED_DAY``). A date outside
them, or arithmetic that would run beyond them, raises :class:`CalendarRangeError` (a ``ValueError`` that names the
date and the range) instead of failing somewhere inside the date arithmetic; services check their dates first.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import holidays

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())
_SPAN_MARGIN_YEARS = 2  # build a little beyond what was asked, so neighbouring queries reuse the table
FIRST_SUPPORTED_DAY = dt.date(1900, 1, 1)
LAST_SUPPORTED_DAY = dt.date(2199, 12, 31)
# The table may reach a little past the supported days, so that arithmetic starting on them still works.
_TABLE_FIRST_YEAR = FIRST_SUPPORTED_DAY.year - _SPAN_MARGIN_YEARS
_TABLE_LAST_YEAR = LAST_SUPPORTED_DAY.year + _SPAN_MARGIN_YEARS


class CalendarRangeError(ValueError):
    """A date, or the result of working-day arithmetic, outside the days the calendar supports."""


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays in one calendar year, substitute ("observed") days included."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@dataclass
class _WorkingDayTable:
    """Sorted ordinals of every working day from 1 Jan ``first_year`` to 31 Dec ``last_year``."""

    first_year: int
    last_year: int
    ordinals: list[int]

    def covers(self, first_ordinal: int, last_ordinal: int) -> bool:
        return (
            dt.date(self.first_year, 1, 1).toordinal() <= first_ordinal
            and last_ordinal <= dt.date(self.last_year, 12, 31).toordinal()
        )


@dataclass(frozen=True)
class WorkingCalendar:
    """England and Wales working days, optionally with extra local closure days.

    Pure and immutable from the outside; the working-day table it builds for speed is a private cache.
    """

    closures: frozenset[dt.date] = frozenset()
    _table: list[_WorkingDayTable] = field(default_factory=list, init=False, repr=False, compare=False, hash=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False, hash=False)

    @classmethod
    def with_closures(cls, closures: Iterable[dt.date]) -> WorkingCalendar:
        """A calendar that also treats the given dates (e.g. a local office closure) as non-working days."""
        return cls(closures=frozenset(closures))

    # ---- single-day questions -------------------------------------------------------------------------------

    def is_bank_holiday(self, day: dt.date) -> bool:
        return _as_date(day) in _bank_holidays(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        day = _as_date(day)
        return day.weekday() not in WEEKEND and day not in _bank_holidays(day.year) and day not in self.closures

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day`` (the day after a Friday is the following Monday)."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day``."""
        day = _as_date(day)
        ordinals = self._ordinals_covering(day.toordinal() - 400, day.toordinal())
        return dt.date.fromordinal(ordinals[bisect_left(ordinals, day.toordinal()) - 1])

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        """``day`` when it is a working day, otherwise the next one."""
        return self.add_working_days(day, 0)

    def working_day_on_or_before(self, day: dt.date) -> dt.date:
        """``day`` when it is a working day, otherwise the last one before it."""
        day = _as_date(day)
        return day if self.is_working_day(day) else self.previous_working_day(day)

    # ---- arithmetic -----------------------------------------------------------------------------------------

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is day 0 and never counts; see module doc)."""
        if n < 0:
            raise ValueError(f"n must be zero or more (got {n}); count backwards with subtract_working_days")
        start = _as_date(start)
        origin = start.toordinal()
        # n working days never span more than about 1.6 n calendar days; 30 extra covers the longest closures.
        ordinals = self._ordinals_covering(origin, origin + 2 * n + 30)
        if n == 0:
            return dt.date.fromordinal(ordinals[bisect_left(ordinals, origin)])
        return dt.date.fromordinal(ordinals[bisect_right(ordinals, origin) + n - 1])

    def subtract_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day before ``start`` (``n`` >= 1); the mirror image of :meth:`add_working_days`."""
        if n < 1:
            raise ValueError(f"n must be one or more (got {n})")
        start = _as_date(start)
        origin = start.toordinal()
        ordinals = self._ordinals_covering(origin - 2 * n - 30, origin)
        return dt.date.fromordinal(ordinals[bisect_left(ordinals, origin) - n])

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        ordinals = self._ordinals_covering(start.toordinal(), end.toordinal())
        return bisect_right(ordinals, end.toordinal()) - bisect_right(ordinals, start.toordinal())

    # ---- the table --------------------------------------------------------------------------------------------

    def _ordinals_covering(self, first_ordinal: int, last_ordinal: int) -> list[int]:
        table = self._table[0] if self._table else None
        if table is not None and table.covers(first_ordinal, last_ordinal):
            return table.ordinals
        if first_ordinal < dt.date(_TABLE_FIRST_YEAR, 1, 1).toordinal():
            raise CalendarRangeError(
                f"Working-day arithmetic would run before {_format(FIRST_SUPPORTED_DAY)}, the earliest day the "
                "calendar supports"
            )
        if last_ordinal > dt.date(_TABLE_LAST_YEAR, 12, 31).toordinal():
            raise CalendarRangeError(
                f"Working-day arithmetic would run beyond {_format(LAST_SUPPORTED_DAY)}, the latest day the "
                "calendar supports"
            )
        with self._lock:
            table = self._table[0] if self._table else None
            if table is not None and table.covers(first_ordinal, last_ordinal):
                return table.ordinals
            first_year = dt.date.fromordinal(first_ordinal).year - _SPAN_MARGIN_YEARS
            last_year = dt.date.fromordinal(last_ordinal).year + _SPAN_MARGIN_YEARS
            if table is not None:
                first_year, last_year = min(first_year, table.first_year), max(last_year, table.last_year)
            first_year, last_year = max(first_year, _TABLE_FIRST_YEAR), min(last_year, _TABLE_LAST_YEAR)
            built = _WorkingDayTable(first_year, last_year, self._build(first_year, last_year))
            self._table[:] = [built]
            return built.ordinals

    def _build(self, first_year: int, last_year: int) -> list[int]:
        closed = {day.toordinal() for day in self.closures}
        for year in range(first_year, last_year + 1):
            closed.update(day.toordinal() for day in _bank_holidays(year))
        first, last = dt.date(first_year, 1, 1).toordinal(), dt.date(last_year, 12, 31).toordinal()
        # date.fromordinal(o).weekday() == (o + 6) % 7, so no date object is built per day
        return [o for o in range(first, last + 1) if (o + 6) % 7 not in WEEKEND and o not in closed]


def _as_date(day: dt.date) -> dt.date:
    """Working-day arithmetic is on dates; a datetime is not accepted silently (its time zone would matter). A date
    outside the supported days is refused with a message that names it."""
    if isinstance(day, dt.datetime):
        raise TypeError("working-day arithmetic takes a date; convert the datetime to a local date first")
    if not FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY:
        raise CalendarRangeError(
            f"{_format(day)} is outside the days the working-day calendar supports "
            f"({_format(FIRST_SUPPORTED_DAY)} to {_format(LAST_SUPPORTED_DAY)})"
        )
    return day


def _format(day: dt.date) -> str:
    return f"{day.day} {day:%B} {day.year}"


@cache
def england_and_wales() -> WorkingCalendar:
    """The shared calendar with bank holidays only (no local closures)."""
    return WorkingCalendar()
