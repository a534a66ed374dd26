"""PNC IDs, CRO numbers and dates typed into a search, each read into one canonical form (rules/identifiers.py,
rules/dates.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.rules.dates import date_in_text
from openprobation.rules.identifiers import cro_canonical, pnc_canonical, pnc_forms


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("2004/0046583U", "2004/0046583U"),
        ("2004/46583U", "2004/0046583U"),  # serial padded to seven digits
        (" 2004 / 0046583u ", "2004/0046583U"),  # spaces and lower case
        ("2004/1234567A", "2004/1234567A"),
        ("2004/12345678A", None),  # eight-digit serial
        ("04/0046583U", None),  # a two-digit year is ambiguous in a record
        ("2004/0046583", None),  # no check letter
        ("2004-0046583U", None),
        ("", None),
    ],
)
def test_pnc_canonical(typed, canonical):
    assert pnc_canonical(typed) == canonical


def test_a_two_digit_pnc_year_means_either_century_in_a_search():
    assert pnc_forms("04/46583U") == ("1904/0046583U", "2004/0046583U")
    assert pnc_forms("Smith") == ()


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("012345/99J", "012345/99J"),
        ("12345/99j", "012345/99J"),
        ("1/99J", "000001/99J"),
        ("1234567/99J", None),  # seven-digit serial
        ("012345/9J", None),  # one-digit year
        ("SF99/012345J", "SF99/012345J"),
        ("sf99/12345j", "SF99/012345J"),
        ("SF999/012345J", None),
        ("012345/99", None),
    ],
)
def test_cro_canonical(typed, canonical):
    assert cro_canonical(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("17/5/1990", dt.date(1990, 5, 17)),
        ("17/05/1990", dt.date(1990, 5, 17)),
        ("17-05-1990", dt.date(1990, 5, 17)),
        ("17.5.1990", dt.date(1990, 5, 17)),
        ("17 5 1990", dt.date(1990, 5, 17)),
        ("1990-05-17", dt.date(1990, 5, 17)),
        ("17 May 1990", dt.date(1990, 5, 17)),
        ("17 september 1990", dt.date(1990, 9, 17)),
        ("17 Sept 1990", dt.date(1990, 9, 17)),
        ("29/2/2024", dt.date(2024, 2, 29)),
        ("29/2/2023", None),  # no such day
        ("31/4/1990", None),
        ("17 Smarch 1990", None),
        ("5/17/1990", None),  # month first is not a UK date
        ("17/5/90", None),  # two-digit year
        ("Smith", None),
        ("", None),
    ],
)
def test_date_in_text(typed, day):
    assert date_in_text(typed) == day
