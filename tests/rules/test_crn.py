"""CRN format: the whole value is one capital letter and six digits, with nothing before or after it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openprobation.rules.crn import crn_problem


@pytest.mark.parametrize("crn", ["X123456", "A000000", "Z999999"])
def test_crn_format_accepts_one_capital_letter_and_six_digits(crn):
    assert crn_problem(crn) is None


@pytest.mark.parametrize(
    "crn",
    [
        pytest.param("A123456\n", id="trailing_newline"),
        pytest.param("A123456\r\n", id="trailing_crlf"),
        pytest.param("\nA123456", id="leading_newline"),
        pytest.param("A123456\nB654321", id="two_lines"),
        pytest.param("A123456 ", id="trailing_space"),
        pytest.param(" A123456", id="leading_space"),
        pytest.param("A123456\x00", id="trailing_nul"),
        pytest.param("a123456", id="lower_case_letter"),
        pytest.param("A12345", id="five_digits"),
        pytest.param("A1234567", id="seven_digits"),
        pytest.param("AB23456", id="two_letters"),
        pytest.param("A12345\u0661", id="arabic_indic_digit"),
        pytest.param("\u00c9123456", id="accented_letter"),
        pytest.param("", id="empty"),
    ],
)
def test_crn_format_refuses_anything_else_including_a_trailing_newline(crn):
    assert crn_problem(crn) == "Enter a CRN of one capital letter and six digits, like X123456"


@given(st.text(min_size=1, max_size=3), st.sampled_from(["prefix", "suffix"]))
def test_crn_format_refuses_any_text_added_to_a_valid_crn(extra, where):
    crn = extra + "X123456" if where == "prefix" else "X123456" + extra
    assert crn_problem(crn) is not None
