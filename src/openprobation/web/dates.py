"""The GOV.UK date input (day, month and year boxes), parsed once for every form that has one: what was typed
becomes a date, or the GOV.UK error message that says what to fix."""

from __future__ import annotations

import datetime as dt
import re

REAL_DATE_EXAMPLE = "27 3 2026"


def parse_date_input(day: str, month: str, year: str, *, label: str, missing: str = "",
                     required: bool = True) -> tuple[dt.date | None, str]:
    """``(date, "")`` or ``(None, message)``. ``label`` names the date in a message ("the date of the contact");
    ``missing`` is the message when all three boxes are empty and the date is required."""
    day, month, year = day.strip(), month.strip(), year.strip()
    named = label[:1].upper() + label[1:]
    empty = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
    if len(empty) == 3:
        return None, (missing or f"Enter {label}") if required else ""
    if empty:
        return None, f"{named} must include a {' and '.join(empty)}"
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return None, f"{named} must be a real date, like {REAL_DATE_EXAMPLE}"
    if len(year) != 4:
        return None, f"The year in {label} must include 4 numbers, like 2026"
    try:
        return dt.date(int(year), int(month), int(day)), ""
    except ValueError:
        return None, f"{named} must be a real date, like {REAL_DATE_EXAMPLE}"


TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_time_input(raw: str, *, label: str, required: bool = True) -> tuple[dt.time | None, str]:
    """``(time, "")`` or ``(None, message)`` for a time typed in 24-hour form ("14:30", "9.15")."""
    match = TIME_PATTERN.match(raw)
    if not raw.strip():
        return None, (f"Enter the time of {label}, like 14:30" if required else "")
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        return None, "Enter the time in 24-hour format, like 09:15 or 14:30"
    return dt.time(int(match[1]), int(match[2])), ""
