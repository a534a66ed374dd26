"""The reminder day (the last working day before the appointment) and UK mobile numbers (rules/reminders.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.rules.reminders import reminder_day, reminder_window, uk_mobile_number

D = dt.date


@pytest.mark.parametrize(
    ("appointment", "expected"),
    [
        (D(2026, 12, 8), D(2026, 12, 7)),  # Tuesday: Monday
        (D(2026, 12, 7), D(2026, 12, 4)),  # Monday: the Friday before
        (D(2026, 12, 29), D(2026, 12, 24)),  # after Christmas, Boxing Day's substitute and a weekend: Thursday 24th
        (D(2026, 5, 26), D(2026, 5, 22)),  # Tuesday after the spring bank holiday: the Friday before
        (D(2026, 12, 5), D(2026, 12, 4)),  # a Saturday appointment: Friday
    ],
    ids=["tuesday_on_monday", "monday_on_friday", "after_christmas", "after_bank_holiday_monday", "saturday"],
)
def test_reminder_is_due_the_last_working_day_before(appointment, expected):
    assert reminder_day(appointment) == expected


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (D(2026, 12, 3), D(2026, 12, 4), D(2026, 12, 4)),  # Thursday: Friday's only
        (D(2026, 12, 4), D(2026, 12, 5), D(2026, 12, 7)),  # Friday: the weekend's and Monday's
        (D(2026, 12, 5), D(2026, 12, 6), D(2026, 12, 7)),  # Saturday (catching up): Sunday's and Monday's
        (D(2026, 12, 24), D(2026, 12, 25), D(2026, 12, 29)),  # Christmas Eve: up to Tuesday 29th
    ],
    ids=["thursday", "friday", "saturday_catch_up", "christmas_eve"],
)
def test_reminder_window_runs_from_tomorrow_to_the_next_working_day(today, first, last):
    assert reminder_window(today) == (first, last)
    # The window is exactly the appointment days whose reminder day has come and which are still to come.
    for offset in range(1, 10):
        day = today + dt.timedelta(days=offset)
        assert (first <= day <= last) == (reminder_day(day) <= today)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900982", "07700900982"),
        ("07700900982", "07700900982"),
        ("+44 7700 900982", "07700900982"),
        ("+44 (0)7700-900982", "07700900982"),
        ("0044 7700 900982", "07700900982"),
        ("020 7946 0000", None),  # a landline
        ("0770090098", None),  # a digit short
        ("077009009821", None),  # a digit long
        ("+1 202 555 0100", None),  # not UK
        ("07700 9009a2", None),
        ("", None),
    ],
)
def test_uk_mobile_numbers_are_kept_in_one_form(typed, stored):
    assert uk_mobile_number(typed) == stored
