"""The GOV.UK date input, parsed once for every form (web/dates.py): each mistake gets the message that says what
to fix."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.web.dates import parse_date_input


@pytest.mark.parametrize(
    ("typed", "required", "expected"),
    [
        (("27", "3", "2026"), True, (dt.date(2026, 3, 27), "")),
        ((" 7 ", "03", "2026"), True, (dt.date(2026, 3, 7), "")),
        (("", "", ""), True, (None, "Enter the start date")),
        (("", "", ""), False, (None, "")),
        (("27", "", "2026"), True, (None, "The start date must include a month")),
        (("", "", "2026"), True, (None, "The start date must include a day and month")),
        (("27", "3", "26"), True, (None, "The year in the start date must include 4 numbers, like 2026")),
        (("27", "3", "20266"), True, (None, "The year in the start date must include 4 numbers, like 2026")),
        (("31", "2", "2026"), True, (None, "The start date must be a real date, like 27 3 2026")),
        (("27", "13", "2026"), True, (None, "The start date must be a real date, like 27 3 2026")),
        (("x", "3", "2026"), True, (None, "The start date must be a real date, like 27 3 2026")),
        (("29", "2", "2024"), True, (dt.date(2024, 2, 29), "")),
        (("29", "2", "2023"), True, (None, "The start date must be a real date, like 27 3 2026")),
    ],
    ids=["real", "spaces_and_zero", "missing", "optional_blank", "no_month", "no_day_or_month", "two_digit_year",
         "five_digit_year", "no_31_february", "month_13", "not_a_number", "leap_day", "not_a_leap_year"],
)
def test_date_input(typed, required, expected):
    assert parse_date_input(*typed, label="the start date", missing="Enter the start date",
                            required=required) == expected  # fmt: skip
