"""Calendar arithmetic that sentences need (pure)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def age_in_years(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole years of age on a date."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def long_date(day: dt.date) -> str:
    """A date as messages and reasons write it: ``3 February 2026`` (no leading zero)."""
    return _long_date(day)


@lru_cache(maxsize=16384)  # a caseload's reasons name the same days over and over
def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


_MONTHS = {m.lower(): n for n, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}  # fmt: skip
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WORDS_DATE = re.compile(r"(\d{1,2}) ([A-Za-z]{3,9}) (\d{4})")


def date_in_text(text: str) -> dt.date | None:
    """A whole query that is a date, written the ways people write them in the UK: ``17/5/1990``, ``17-05-1990``,
    ``17.5.1990``, ``17 5 1990``, ``1990-05-17``, ``17 May 1990`` or ``17 Sept 1990``. None when it is not one (or
    names no real day)."""
    text = " ".join(text.split())
    day = month = year = 0
    if match := _NUMERIC_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _WORDS_DATE.fullmatch(text):
        month = _MONTHS.get(match.group(2).lower()[:3], 0)
        day, year = int(match.group(1)), int(match.group(3))
    try:
        return dt.date(year, month, day) if year else None
    except ValueError:
        return None
