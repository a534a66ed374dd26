"""The generator's fast paths give exactly what the plain ones give, so a seed's demo stays the same."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openprobation.demo.generate import Draws, Stamps


@given(seed=st.text(max_size=20), bounds=st.lists(st.tuples(st.integers(-500, 500), st.integers(1, 5000)),
                                                  min_size=1, max_size=40))
def test_draws_are_the_same_as_random_for_the_same_seed(seed, bounds):
    fast, plain = Draws(seed), random.Random(seed)
    for low, width in bounds:
        assert fast.randint(low, low + width - 1) == plain.randint(low, low + width - 1)
        assert fast.randrange(width) == plain.randrange(width)
        assert fast.randrange(low, low + width) == plain.randrange(low, low + width)
        assert fast.choice(range(width)) == plain.choice(range(width))
        assert fast.random() == plain.random()
    assert fast.randrange(0, 100, 7) == plain.randrange(0, 100, 7)


def test_draws_refuse_empty_ranges_as_random_does():
    draws = Draws(1)
    with pytest.raises(ValueError):
        draws.randint(5, 4)
    with pytest.raises(ValueError):
        draws.randrange(0)
    with pytest.raises(IndexError):
        draws.choice([])


@pytest.mark.parametrize(
    ("day", "minutes", "stamp"),
    [
        (dt.date(2026, 3, 28), 9 * 60 + 30, "2026-03-28 09:30:00+00"),  # the day before the clocks go forward
        (dt.date(2026, 3, 29), 9 * 60 + 30, "2026-03-29 08:30:00+00"),  # British Summer Time from 29 March
        (dt.date(2026, 10, 24), 10 * 60, "2026-10-24 09:00:00+00"),
        (dt.date(2026, 10, 25), 10 * 60, "2026-10-25 10:00:00+00"),  # back to GMT on 25 October
    ],
)
def test_stamps_write_london_times_in_utc_and_remember_them(day, minutes, stamp):
    stamps = Stamps("+00")
    assert stamps.at(day, minutes) == stamp
    assert stamps.at(day, minutes) == stamp  # the remembered one
