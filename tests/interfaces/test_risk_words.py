"""Risk explanations in words on the pages (web/risk_words.py): code names written as a practitioner reads them."""

from __future__ import annotations

import pytest

from openprobation.web.risk_words import name_words, sentence_words, value_words


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("snsv_percent", "SNSV score (%)"),
        ("osp_dc_percent", "OSP/DC score (%)"),
        ("total_sanctions", "Total sanctions"),
        ("needs.drug_misuse", "Needs: drug misuse"),
        ("ogrs3_one_year_band", "OGRS3 one year band"),  # not in the glossary: spelt out, initials kept
        ("age", "Age"),
    ],
)
def test_name_words(code, words):
    assert name_words(code) == words


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "Not recorded"),
        (True, "Yes"),
        ("False", "No"),
        ("not_applicable", "Not applicable"),
        ("very_high", "Very high"),
        ("static", "Static"),
        ("00101", "00101"),  # an offence code stays a code
        (3, "3"),
        ("-1.648659", "-1.648659"),
    ],
)
def test_value_words(value, words):
    assert value_words(value) == words


def test_notes_name_inputs_in_words():
    note = "Dynamic inputs missing (weapon_used, binge_drinking, osp_dc_percent): static SNSV used"
    assert sentence_words(note) == (
        "Dynamic inputs missing (weapon used, binge drinking, OSP/DC score (%)): static SNSV used"
    )
    assert sentence_words("Risk-reduction rule not checked: in_custody not given") == (
        "Risk-reduction rule not checked: in custody not given"
    )
