"""Calendar arithmetic that sentences need (pure)."""

from __future__ import annotations

import calendar
import datetime as dt


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
    return f"{day.day} {day:%B %Y}"
