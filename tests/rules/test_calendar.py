"""Working-day calendar: England and Wales bank holidays (substitute and one-off days included) and the day-counting
convention that every timescale uses (the event day is day 0)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openprobation.rules.calendar import (
    FIRST_SUPPORTED_DAY,
    LAST_SUPPORTED_DAY,
    CalendarRangeError,
    WorkingCalendar,
    england_and_wales,
)

D = dt.date
CAL = england_and_wales()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(D(2026, 3, 6), True, id="ordinary_friday"),
        pytest.param(D(2026, 3, 7), False, id="saturday"),
        pytest.param(D(2026, 3, 8), False, id="sunday"),
        pytest.param(D(2021, 12, 24), True, id="christmas_eve_2021_is_a_working_day"),
        pytest.param(D(2021, 12, 25), False, id="christmas_2021_on_saturday"),
        pytest.param(D(2021, 12, 27), False, id="christmas_2021_substitute_monday"),
        pytest.param(D(2021, 12, 28), False, id="boxing_day_2021_substitute_tuesday"),
        pytest.param(D(2021, 12, 29), True, id="after_christmas_2021"),
        pytest.param(D(2022, 12, 26), False, id="boxing_day_2022_monday"),
        pytest.param(D(2022, 12, 27), False, id="christmas_2022_substitute_tuesday"),
        pytest.param(D(2022, 12, 28), True, id="after_christmas_2022"),
        pytest.param(D(2027, 12, 27), False, id="christmas_2027_substitute_monday"),
        pytest.param(D(2027, 12, 28), False, id="boxing_day_2027_substitute_tuesday"),
        pytest.param(D(2027, 12, 29), True, id="after_christmas_2027"),
        pytest.param(D(2022, 1, 3), False, id="new_year_2022_substitute_monday"),
        pytest.param(D(2023, 1, 2), False, id="new_year_2023_substitute_monday"),
        pytest.param(D(2026, 4, 3), False, id="good_friday_2026"),
        pytest.param(D(2026, 4, 6), False, id="easter_monday_2026"),
        pytest.param(D(2026, 4, 2), True, id="maundy_thursday_2026"),
        pytest.param(D(2026, 4, 7), True, id="easter_tuesday_2026"),
        pytest.param(D(2026, 5, 4), False, id="early_may_2026"),
        pytest.param(D(2026, 5, 25), False, id="spring_bank_holiday_2026"),
        pytest.param(D(2026, 8, 31), False, id="summer_bank_holiday_2026"),
        pytest.param(D(2020, 5, 8), False, id="early_may_2020_moved_to_ve_day"),
        pytest.param(D(2020, 5, 4), True, id="first_monday_of_may_2020_worked"),
        pytest.param(D(2022, 6, 2), False, id="spring_bank_holiday_2022_moved_to_thursday"),
        pytest.param(D(2022, 6, 3), False, id="platinum_jubilee_2022"),
        pytest.param(D(2022, 5, 30), True, id="last_monday_of_may_2022_worked"),
        pytest.param(D(2022, 9, 19), False, id="state_funeral_queen_elizabeth_2022"),
        pytest.param(D(2023, 5, 8), False, id="coronation_2023"),
        pytest.param(D(2011, 4, 29), False, id="royal_wedding_2011"),
        pytest.param(D(2012, 6, 5), False, id="diamond_jubilee_2012"),
    ],
)
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(D(2026, 3, 6), 5, D(2026, 3, 13), id="five_after_a_friday_is_the_next_friday"),
        pytest.param(D(2026, 3, 7), 5, D(2026, 3, 13), id="five_after_a_saturday_counts_from_monday"),
        pytest.param(D(2026, 3, 8), 1, D(2026, 3, 9), id="one_after_a_sunday_is_monday"),
        pytest.param(D(2026, 3, 6), 1, D(2026, 3, 9), id="one_after_a_friday_is_monday"),
        pytest.param(D(2026, 3, 4), 0, D(2026, 3, 4), id="zero_on_a_working_day_is_that_day"),
        pytest.param(D(2026, 3, 7), 0, D(2026, 3, 9), id="zero_on_a_saturday_is_monday"),
        pytest.param(D(2021, 12, 23), 1, D(2021, 12, 24), id="christmas_2021_eve_still_works"),
        pytest.param(D(2021, 12, 24), 1, D(2021, 12, 29), id="christmas_2021_skips_two_substitutes"),
        pytest.param(D(2022, 12, 23), 1, D(2022, 12, 28), id="christmas_2022_skips_boxing_day_and_substitute"),
        pytest.param(D(2022, 12, 30), 1, D(2023, 1, 3), id="new_year_2023_substitute"),
        pytest.param(D(2027, 12, 24), 1, D(2027, 12, 29), id="christmas_2027_skips_two_substitutes"),
        pytest.param(D(2026, 4, 2), 1, D(2026, 4, 7), id="easter_2026_skips_good_friday_and_monday"),
        pytest.param(D(2026, 4, 3), 1, D(2026, 4, 7), id="from_good_friday_counts_as_from_thursday"),
        pytest.param(D(2026, 5, 1), 1, D(2026, 5, 5), id="early_may_2026"),
        pytest.param(D(2026, 5, 22), 2, D(2026, 5, 27), id="spring_bank_holiday_2026"),
        pytest.param(D(2026, 8, 28), 1, D(2026, 9, 1), id="summer_bank_holiday_2026"),
        pytest.param(D(2022, 9, 16), 1, D(2022, 9, 20), id="state_funeral_2022"),
        pytest.param(D(2023, 5, 5), 1, D(2023, 5, 9), id="coronation_2023"),
        pytest.param(D(2022, 6, 1), 1, D(2022, 6, 6), id="platinum_jubilee_long_weekend_2022"),
        pytest.param(D(2026, 12, 23), 15, D(2027, 1, 18), id="fifteen_across_christmas_and_new_year_2026"),
    ],
)
def test_add_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert CAL.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(D(2026, 3, 6), D(2026, 3, 13), 5, id="friday_to_friday"),
        pytest.param(D(2026, 3, 6), D(2026, 3, 6), 0, id="same_day"),
        pytest.param(D(2026, 3, 7), D(2026, 3, 8), 0, id="weekend_only"),
        pytest.param(D(2021, 12, 24), D(2021, 12, 29), 1, id="christmas_2021"),
        pytest.param(D(2026, 4, 2), D(2026, 4, 7), 1, id="easter_2026"),
        pytest.param(D(2026, 3, 13), D(2026, 3, 6), -5, id="backwards_is_negative"),
        pytest.param(D(2026, 1, 1), D(2027, 1, 1), 253, id="whole_year_2026"),
    ],
)
def test_working_days_between(start: dt.date, end: dt.date, expected: int) -> None:
    assert CAL.working_days_between(start, end) == expected


def test_next_and_previous_working_day_are_strict() -> None:
    assert CAL.next_working_day(D(2026, 3, 4)) == D(2026, 3, 5)
    assert CAL.next_working_day(D(2022, 12, 24)) == D(2022, 12, 28)
    assert CAL.previous_working_day(D(2026, 3, 9)) == D(2026, 3, 6)
    assert CAL.previous_working_day(D(2026, 4, 7)) == D(2026, 4, 2)


def test_rolling_to_a_working_day() -> None:
    assert CAL.working_day_on_or_after(D(2026, 4, 3)) == D(2026, 4, 7)
    assert CAL.working_day_on_or_before(D(2026, 4, 6)) == D(2026, 4, 2)
    assert CAL.working_day_on_or_before(D(2026, 4, 7)) == D(2026, 4, 7)


def test_subtract_working_days_mirrors_add() -> None:
    assert CAL.subtract_working_days(D(2026, 4, 7), 1) == D(2026, 4, 2)
    assert CAL.subtract_working_days(D(2026, 3, 13), 5) == D(2026, 3, 6)


def test_local_closure_days_are_configurable_and_default_to_none() -> None:
    closed = WorkingCalendar.with_closures([D(2026, 3, 9)])
    assert CAL.is_working_day(D(2026, 3, 9))
    assert not closed.is_working_day(D(2026, 3, 9))
    assert closed.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)
    assert closed.working_days_between(D(2026, 3, 6), D(2026, 3, 13)) == 4
    assert not closed.is_bank_holiday(D(2026, 3, 9))


def test_far_dates_extend_the_table() -> None:
    assert CAL.add_working_days(D(1999, 12, 24), 1) == D(1999, 12, 29)
    assert CAL.add_working_days(D(2048, 12, 24), 1) == D(2048, 12, 29)  # Christmas on a Friday, Boxing Day Monday
    ten_years_on = CAL.add_working_days(D(2026, 1, 5), 2530)
    assert CAL.working_days_between(D(2026, 1, 5), ten_years_on) == 2530


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        CAL.add_working_days(D(2026, 3, 6), -1)
    with pytest.raises(TypeError, match="takes a date"):
        CAL.add_working_days(dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC), 1)


# Supported days: 1 January 1900 to 31 December 2199. Below, at and above each bound; out of range is a clear
# CalendarRangeError (a ValueError naming the date and the range), never an error from inside the date arithmetic.
CALENDAR_RANGE = [
    pytest.param(D(1899, 12, 31), 0, None, id="day_before_first_supported_day_refused"),
    pytest.param(D(1900, 1, 1), 0, D(1900, 1, 1), id="first_supported_day"),
    pytest.param(D(1900, 1, 2), 1, D(1900, 1, 3), id="day_after_first_supported_day"),
    pytest.param(D(2199, 12, 30), 1, D(2199, 12, 31), id="day_before_last_supported_day"),
    pytest.param(D(2199, 12, 31), 0, D(2199, 12, 31), id="last_supported_day"),  # a Tuesday
    pytest.param(D(2200, 1, 1), 0, None, id="day_after_last_supported_day_refused"),
    pytest.param(D(9999, 12, 20), 5, None, id="far_future_9999_refused"),
    pytest.param(D(2026, 3, 6), 10**9, None, id="count_running_past_the_range_refused"),
]


@pytest.mark.parametrize(("start", "n", "expected"), CALENDAR_RANGE)
def test_dates_outside_the_supported_range_are_a_clear_error(start: dt.date, n: int, expected: dt.date | None) -> None:
    if expected is not None:
        assert CAL.add_working_days(start, n) == expected
        return
    with pytest.raises(CalendarRangeError) as caught:
        CAL.add_working_days(start, n)
    assert isinstance(caught.value, ValueError)
    assert "1 January 1900" in str(caught.value) or "31 December 2199" in str(caught.value)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: CAL.is_working_day(D(9999, 12, 31)), id="is_working_day"),
        pytest.param(lambda: CAL.is_bank_holiday(D(1066, 10, 14)), id="is_bank_holiday"),
        pytest.param(lambda: CAL.next_working_day(D(9999, 12, 31)), id="next_working_day"),
        pytest.param(lambda: CAL.previous_working_day(D(1, 1, 1)), id="previous_working_day"),
        pytest.param(lambda: CAL.working_day_on_or_before(D(2200, 1, 1)), id="working_day_on_or_before"),
        pytest.param(lambda: CAL.subtract_working_days(D(9999, 12, 31), 1), id="subtract_working_days"),
        pytest.param(lambda: CAL.subtract_working_days(D(1900, 1, 2), 800), id="subtract_past_the_range"),
        pytest.param(lambda: CAL.working_days_between(D(2026, 1, 1), D(9999, 12, 31)), id="working_days_between"),
    ],
)
def test_every_question_refuses_out_of_range_dates(call) -> None:
    with pytest.raises(CalendarRangeError, match=r"1900|2199"):
        call()


def test_supported_range_constants() -> None:
    assert (FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY) == (D(1900, 1, 1), D(2199, 12, 31))


def test_fast_enough_to_schedule_a_whole_caseload() -> None:
    days = [D(2026, 1, 1) + dt.timedelta(days=i % 700) for i in range(50_000)]
    started = time.perf_counter()
    for day in days:
        CAL.add_working_days(day, 5)
    assert time.perf_counter() - started < 2.0


# ---- properties -------------------------------------------------------------------------------------------------

dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2045, 12, 31))
counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=300, deadline=None)
@given(dates, counts)
def test_add_working_days_lands_on_a_working_day_after_the_start(start: dt.date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.is_working_day(due)
    assert due >= start
    if n >= 1:
        assert due > start


@settings(max_examples=300, deadline=None)
@given(dates, counts)
def test_working_days_between_inverts_add_working_days(start: dt.date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    expected = n if (n >= 1 or CAL.is_working_day(start)) else 1
    assert CAL.working_days_between(start, due) == expected


@settings(max_examples=300, deadline=None)
@given(dates, dates, counts)
def test_add_working_days_is_monotone(a: dt.date, b: dt.date, n: int) -> None:
    a, b = min(a, b), max(a, b)
    assert CAL.add_working_days(a, n) <= CAL.add_working_days(b, n)
    assert CAL.add_working_days(a, n) <= CAL.add_working_days(a, n + 1)
    if n >= 1 or CAL.is_working_day(a):
        assert CAL.add_working_days(a, n) < CAL.add_working_days(a, n + 1)


@settings(max_examples=300, deadline=None)
@given(dates, dates, dates)
def test_working_days_between_adds_up(a: dt.date, b: dt.date, c: dt.date) -> None:
    assert CAL.working_days_between(a, b) + CAL.working_days_between(b, c) == CAL.working_days_between(a, c)


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(min_value=1, max_value=400))
def test_subtract_undoes_add_from_a_working_day(start: dt.date, n: int) -> None:
    start = CAL.working_day_on_or_after(start)
    assert CAL.subtract_working_days(CAL.add_working_days(start, n), n) == start
