"""The recall-type rule (rules/recall.py, policy/recall.toml) as tables: every sentence kind, adult and sentenced as a
youth, each exclusion code, each recall reason, each MAPPA level and category, and decision dates either side of
each change (2 April 2024, 2 September 2025, 31 March 2026, 29 July 2026)."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.recall import (
    EXCLUSION_CODES,
    RecallTypeInput,
    parse_policy,
    recall_policy,
    recall_type_calculate,
    recall_type_problem,
)

# The day before and the day of each change.
BEFORE_2024, FROM_2024 = "2024-04-01", "2024-04-02"
BEFORE_FTR48, FROM_FTR48 = "2025-09-01", "2025-09-02"
BEFORE_FTR56, FROM_FTR56 = "2026-03-30", "2026-03-31"
BEFORE_CONVICTION, FROM_CONVICTION = "2026-07-28", "2026-07-29"
ALL_DATES = [BEFORE_2024, FROM_2024, BEFORE_FTR48, FROM_FTR48, BEFORE_FTR56, FROM_FTR56, BEFORE_CONVICTION,
             FROM_CONVICTION]  # fmt: skip

# An adult, 6-month determinate sentence, no further offence, not MAPPA, no exclusions.
BASE: dict[str, Any] = {
    "sentence_kind": "determinate",
    "sentenced_as_youth": False,
    "sentence_length_months": 6,
    "recall_reason": "no_offence",
    "charged_with_serious_offence": False,
    "mappa_level": 0,
    "mappa_category": 0,
    "exclusions": [],
    "decision_date": FROM_CONVICTION,
}

# What the rule answers, as (fixed_term_allowed, fixed_term_mandatory, standard_allowed, fixed_term_days).
EITHER_14 = (True, False, True, 14)
EITHER_28 = (True, False, True, 28)
MANDATORY_14 = (True, True, False, 14)
MANDATORY_28 = (True, True, False, 28)
MANDATORY_56 = (True, True, False, 56)
EITHER_56 = (True, False, True, 56)
STANDARD_ONLY = (False, False, True, None)


def answer(**changes: Any) -> tuple[bool, bool, bool, int | None]:
    result = calculate("recall-type", {**BASE, **changes})
    return (result["fixed_term_allowed"], result["fixed_term_mandatory"], result["standard_allowed"],
            result["fixed_term_days"])  # fmt: skip


def case_id(changes: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in changes.items())


# ---- extended and indeterminate: standard only, whatever else ------------------------------------------------------


@pytest.mark.parametrize("date", ALL_DATES)
@pytest.mark.parametrize("youth", [False, True], ids=["adult", "youth"])
@pytest.mark.parametrize(("kind", "length"), [("extended", 60), ("indeterminate", None)], ids=["extended",
                                                                                               "indeterminate"])
def test_extended_and_indeterminate_sentences_are_standard_recall_only(kind, length, youth, date):
    assert answer(sentence_kind=kind, sentence_length_months=length, sentenced_as_youth=youth,
                  decision_date=date) == STANDARD_ONLY  # fmt: skip


# ---- determinate: by decision date, adult and youth ----------------------------------------------------------------

BY_DATE = [
    # date, adult 6 months, youth 6 months
    (BEFORE_2024, EITHER_14, EITHER_14),  # old s.255A(4): risk test only
    (FROM_2024, MANDATORY_14, EITHER_14),  # 2024 Order: under 12 months mandatory (adults; youth unverified)
    (BEFORE_FTR48, MANDATORY_14, EITHER_14),
    (FROM_FTR48, MANDATORY_14, EITHER_14),  # FTR48: no mandatory FTR for a youth
    (BEFORE_FTR56, MANDATORY_14, EITHER_14),
    (FROM_FTR56, MANDATORY_56, MANDATORY_14),  # FTR56: 56 days for adults; youth rule with 14/28 days
    (BEFORE_CONVICTION, MANDATORY_56, MANDATORY_14),
    (FROM_CONVICTION, MANDATORY_56, MANDATORY_14),
]


@pytest.mark.parametrize(("date", "adult", "youth"), BY_DATE, ids=[row[0] for row in BY_DATE])
def test_a_short_determinate_sentence_by_decision_date(date, adult, youth):
    assert answer(decision_date=date) == adult
    assert answer(decision_date=date, sentenced_as_youth=True) == youth


LENGTHS = [
    # date, length, youth, answer: the length limits just below, at and above
    (BEFORE_2024, 11, False, EITHER_14),
    (BEFORE_2024, 12, False, EITHER_28),
    (BEFORE_2024, None, False, EITHER_28),  # unknown counts as 12 months or over
    (FROM_2024, 11, False, MANDATORY_14),
    (FROM_2024, 12, False, EITHER_28),
    (FROM_2024, 13, False, EITHER_28),
    (FROM_2024, None, False, EITHER_28),
    (FROM_FTR48, 11, False, MANDATORY_14),
    (FROM_FTR48, 12, False, MANDATORY_28),
    (FROM_FTR48, 47, False, MANDATORY_28),
    (FROM_FTR48, 48, False, EITHER_28),
    (FROM_FTR48, 49, False, EITHER_28),
    (FROM_FTR48, None, False, EITHER_28),  # unknown: not under 48 months
    (FROM_FTR56, 48, False, MANDATORY_56),  # no adult length limit from 31 March 2026
    (FROM_FTR56, 600, False, MANDATORY_56),
    (FROM_FTR56, None, False, MANDATORY_56),
    (FROM_FTR56, 11, True, MANDATORY_14),
    (FROM_FTR56, 12, True, EITHER_28),
    (FROM_FTR56, 13, True, EITHER_28),
    (FROM_FTR56, None, True, EITHER_28),
    (FROM_CONVICTION, 11, True, MANDATORY_14),
    (FROM_CONVICTION, 12, True, EITHER_28),
    (BEFORE_FTR56, 11, True, EITHER_14),
    (BEFORE_FTR56, 12, True, EITHER_28),
]


@pytest.mark.parametrize(("date", "length", "youth", "expected"), LENGTHS,
                         ids=[f"{d}-{n}m-{'youth' if y else 'adult'}" for d, n, y, _ in LENGTHS])  # fmt: skip
def test_sentence_length_limits(date, length, youth, expected):
    assert answer(decision_date=date, sentence_length_months=length, sentenced_as_youth=youth) == expected


# ---- each exclusion code, adult and youth, in each rule version ---------------------------------------------------

FTR56_CODES = {"parole_board_244zb", "repatriated_murder", "sopc_sentence", "dcr_sentence", "terrorism_offence",
               "foreign_power_threat"}  # fmt: skip
FTR48_CODES = {"terrorism_offence", "charged_terrorism_or_state_threat"}


def expected_for_code(code: str, date: str, youth: bool) -> tuple[bool, bool, bool, int | None]:
    if youth:  # the youth rule ignores the adult codes
        return dict(BY_DATE_YOUTH)[date]
    if date in (BEFORE_2024,):
        return EITHER_14
    if date in (FROM_2024, BEFORE_FTR48):  # the 2024 Order names none of the codes
        return MANDATORY_14
    if date in (FROM_FTR48, BEFORE_FTR56):
        return EITHER_14 if code in FTR48_CODES else MANDATORY_14
    return STANDARD_ONLY if code in FTR56_CODES else MANDATORY_56


BY_DATE_YOUTH = [(date, youth) for date, _, youth in BY_DATE]
CODE_CASES = [(code, date, youth) for code in EXCLUSION_CODES for date in ALL_DATES for youth in (False, True)]


@pytest.mark.parametrize(("code", "date", "youth"), CODE_CASES,
                         ids=[f"{c}-{d}-{'youth' if y else 'adult'}" for c, d, y in CODE_CASES])  # fmt: skip
def test_each_exclusion_code(code, date, youth):
    assert answer(exclusions=[code], decision_date=date, sentenced_as_youth=youth) == expected_for_code(
        code, date, youth
    )


def test_the_exclusion_codes_are_the_seven_of_the_domain_notes():
    assert set(EXCLUSION_CODES) == FTR56_CODES | FTR48_CODES
    assert len(EXCLUSION_CODES) == 7


# ---- each recall reason ------------------------------------------------------------------------------------------

REASONS = [
    # date, no_offence, charged, convicted (adult, 6 months)
    (BEFORE_2024, EITHER_14, EITHER_14, EITHER_14),
    (FROM_2024, MANDATORY_14, MANDATORY_14, MANDATORY_14),  # only a serious-offence charge excludes
    (BEFORE_FTR48, MANDATORY_14, MANDATORY_14, MANDATORY_14),
    (FROM_FTR48, MANDATORY_14, EITHER_14, EITHER_14),  # convicted read as charged (unverified)
    (BEFORE_FTR56, MANDATORY_14, EITHER_14, EITHER_14),
    (FROM_FTR56, MANDATORY_56, STANDARD_ONLY, STANDARD_ONLY),
    (BEFORE_CONVICTION, MANDATORY_56, STANDARD_ONLY, STANDARD_ONLY),
    (FROM_CONVICTION, MANDATORY_56, STANDARD_ONLY, MANDATORY_56),  # a conviction no longer excludes
]


@pytest.mark.parametrize(("date", "no_offence", "charged", "convicted"), REASONS, ids=[r[0] for r in REASONS])
def test_each_recall_reason_adult(date, no_offence, charged, convicted):
    assert answer(decision_date=date, recall_reason="no_offence") == no_offence
    assert answer(decision_date=date, recall_reason="charged") == charged
    assert answer(decision_date=date, recall_reason="convicted") == convicted


@pytest.mark.parametrize("date", ALL_DATES)
@pytest.mark.parametrize("reason", ["no_offence", "charged", "convicted"])
def test_the_recall_reason_does_not_move_the_youth_rule(date, reason):
    assert answer(decision_date=date, recall_reason=reason, sentenced_as_youth=True) == dict(BY_DATE_YOUTH)[date]


SERIOUS_CHARGE = [
    # date, youth, answer when charged with a serious offence (recall reason: charged)
    (BEFORE_2024, False, EITHER_14),
    (FROM_2024, False, EITHER_14),  # the 2024 Order: a serious-offence charge excludes
    (FROM_FTR48, False, EITHER_14),  # charged excludes anyway under FTR48
    (FROM_FTR56, False, STANDARD_ONLY),
    (FROM_FTR56, True, EITHER_14),  # youth: excluded, never standard-mandatory
    (FROM_CONVICTION, True, EITHER_14),
    (BEFORE_FTR56, True, EITHER_14),
]


@pytest.mark.parametrize(("date", "youth", "expected"), SERIOUS_CHARGE,
                         ids=[f"{d}-{'youth' if y else 'adult'}" for d, y, _ in SERIOUS_CHARGE])  # fmt: skip
def test_a_serious_offence_charge(date, youth, expected):
    assert answer(decision_date=date, sentenced_as_youth=youth, recall_reason="charged",
                  charged_with_serious_offence=True) == expected  # fmt: skip


# ---- MAPPA level and category ------------------------------------------------------------------------------------

MAPPA_LEVELS = [
    # date, youth, levels 0, 1, 2, 3 (category 2)
    (BEFORE_2024, False, [EITHER_14] * 4),
    (FROM_2024, False, [MANDATORY_14, MANDATORY_14, EITHER_14, EITHER_14]),
    (FROM_FTR48, False, [MANDATORY_14, MANDATORY_14, EITHER_14, EITHER_14]),
    (FROM_FTR56, False, [MANDATORY_56, MANDATORY_56, STANDARD_ONLY, STANDARD_ONLY]),
    (FROM_CONVICTION, False, [MANDATORY_56, MANDATORY_56, STANDARD_ONLY, STANDARD_ONLY]),
    (BEFORE_FTR56, True, [EITHER_14] * 4),
    (FROM_FTR56, True, [MANDATORY_14, MANDATORY_14, EITHER_14, EITHER_14]),
    (FROM_CONVICTION, True, [MANDATORY_14, MANDATORY_14, EITHER_14, EITHER_14]),
]


@pytest.mark.parametrize(("date", "youth", "by_level"), MAPPA_LEVELS,
                         ids=[f"{d}-{'youth' if y else 'adult'}" for d, y, _ in MAPPA_LEVELS])  # fmt: skip
def test_each_mappa_level(date, youth, by_level):
    for level, expected in enumerate(by_level):
        category = 2 if level else 0
        assert answer(decision_date=date, sentenced_as_youth=youth, mappa_level=level,
                      mappa_category=category) == expected, level  # fmt: skip


CATEGORY_4 = [
    # date, youth, answer at MAPPA level 1 category 4
    (BEFORE_2024, False, EITHER_14),
    (FROM_2024, False, MANDATORY_14),  # the 2024 Order does not look at the category
    (BEFORE_FTR48, False, MANDATORY_14),
    (FROM_FTR48, False, EITHER_14),
    (FROM_FTR56, False, STANDARD_ONLY),
    (FROM_CONVICTION, False, STANDARD_ONLY),
    (FROM_FTR56, True, MANDATORY_14),  # the youth rule ignores category 4
]


@pytest.mark.parametrize(("date", "youth", "expected"), CATEGORY_4,
                         ids=[f"{d}-{'youth' if y else 'adult'}" for d, y, _ in CATEGORY_4])  # fmt: skip
def test_mappa_category_4(date, youth, expected):
    assert answer(decision_date=date, sentenced_as_youth=youth, mappa_level=1, mappa_category=4) == expected


@pytest.mark.parametrize("category", [0, 1, 2, 3])
def test_mappa_categories_1_to_3_do_not_exclude(category):
    assert answer(mappa_level=1, mappa_category=category) == MANDATORY_56


# ---- the worked examples of the domain notes (enforcement-recall section 2.4) ------------------------------------


def test_example_1_youth_charged_not_serious_under_12_months():
    assert answer(sentenced_as_youth=True, sentence_length_months=10, recall_reason="charged", mappa_level=1,
                  mappa_category=1, decision_date="2026-08-20") == MANDATORY_14  # fmt: skip


def test_example_2_adult_40_months_charged_ftr48():
    assert answer(sentence_length_months=40, recall_reason="charged", decision_date="2025-11-15") == EITHER_28


def test_example_3_adult_category_4_after_july_2026():
    assert answer(sentence_length_months=9, mappa_level=1, mappa_category=4, decision_date="2026-09-15") == (
        STANDARD_ONLY
    )


# ---- the answer is always consistent -----------------------------------------------------------------------------

inputs = st.fixed_dictionaries({
    "sentence_kind": st.sampled_from(["determinate", "extended", "indeterminate"]),
    "sentenced_as_youth": st.booleans(),
    "sentence_length_months": st.one_of(st.none(), st.integers(1, 240)),
    "recall_reason": st.sampled_from(["no_offence", "charged", "convicted"]),
    "charged_with_serious_offence": st.booleans(),
    "mappa_level": st.integers(0, 3),
    "mappa_category": st.integers(0, 4),
    "exclusions": st.lists(st.sampled_from(EXCLUSION_CODES), unique=True, max_size=3),
    "decision_date": st.dates(dt.date(2020, 1, 1), dt.date(2028, 12, 31)).map(str),
})  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_the_answer_is_consistent(payload):
    if payload["sentence_kind"] == "indeterminate":
        payload = {**payload, "sentence_length_months": None}
    result = calculate("recall-type", payload)
    assert result["fixed_term_allowed"] or result["standard_allowed"]  # some recall is always possible
    if result["fixed_term_mandatory"]:
        assert result["fixed_term_allowed"] and not result["standard_allowed"]
    assert (result["fixed_term_days"] is None) == (not result["fixed_term_allowed"])
    assert result["fixed_term_days"] in (None, 14, 28, 56)
    if result["fixed_term_days"] == 56:
        assert not payload["sentenced_as_youth"] and payload["decision_date"] >= FROM_FTR56
    assert result["explanation"][0]["name"] == "decision_date"


# ---- the workflow's check ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "recall_type", "refused"),
    [
        ({}, "fixed_term", False),
        ({}, "standard", True),  # mandatory fixed-term
        ({"mappa_level": 2, "mappa_category": 2}, "fixed_term", True),  # standard mandatory
        ({"mappa_level": 2, "mappa_category": 2}, "standard", False),
        ({"sentence_kind": "extended", "sentence_length_months": 60}, "fixed_term", True),
        ({"decision_date": BEFORE_2024}, "fixed_term", False),
        ({"decision_date": BEFORE_2024}, "standard", False),
        ({}, "emergency", True),
    ],
    ids=["mandatory_ftr_chosen", "standard_where_ftr_mandatory", "ftr_where_standard_mandatory",
         "standard_where_standard_mandatory", "ftr_on_extended", "either_ftr", "either_standard", "unknown_type"],
)  # fmt: skip
def test_recall_type_problem(changes, recall_type, refused):
    result = recall_type_calculate(RecallTypeInput(**_typed({**BASE, **changes})))
    assert (recall_type_problem(result, recall_type) is not None) == refused


def _typed(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "exclusions": tuple(payload["exclusions"]),
            "decision_date": dt.date.fromisoformat(payload["decision_date"])}  # fmt: skip


# ---- input errors: each named by its field -----------------------------------------------------------------------

ERRORS = [
    ({"sentence_kind": "indeterminate", "sentence_length_months": 120}, "sentence_length_months"),
    ({"sentence_length_months": 0}, "sentence_length_months"),
    ({"sentence_length_months": 1201}, "sentence_length_months"),
    ({"sentence_length_months": 6.5}, "sentence_length_months"),
    ({"sentence_kind": "life"}, "sentence_kind"),
    ({"sentenced_as_youth": "no"}, "sentenced_as_youth"),
    ({"recall_reason": "arrested"}, "recall_reason"),
    ({"charged_with_serious_offence": None}, "charged_with_serious_offence"),
    ({"mappa_level": -1}, "mappa_level"),
    ({"mappa_level": 4}, "mappa_level"),
    ({"mappa_category": -1}, "mappa_category"),
    ({"mappa_category": 5}, "mappa_category"),
    ({"exclusions": ["terrorism"]}, "exclusions.0"),
    ({"exclusions": ["sopc_sentence", "sopc_sentence"]}, "exclusions.1"),
    ({"exclusions": "sopc_sentence"}, "exclusions"),
    ({"decision_date": "2026-02-30"}, "decision_date"),
    ({"decision_date": "20/08/2026"}, "decision_date"),
    ({"colour": "blue"}, "colour"),
]


@pytest.mark.parametrize(("changes", "field"), ERRORS, ids=[case_id(c) for c, _ in ERRORS])
def test_invalid_input_is_refused_naming_the_field(changes, field):
    with pytest.raises(CalculationInputError) as caught:
        calculate("recall-type", {**BASE, **changes})
    assert field in {e.field for e in caught.value.errors}


@pytest.mark.parametrize("missing", sorted(BASE))
def test_every_field_is_required(missing):
    with pytest.raises(CalculationInputError) as caught:
        calculate("recall-type", {k: v for k, v in BASE.items() if k != missing})
    assert [e.field for e in caught.value.errors] == [missing]


def test_a_determinate_sentence_of_unknown_length_is_noted():
    result = calculate("recall-type", {**BASE, "sentence_length_months": None, "decision_date": FROM_2024})
    assert "Sentence length not given: counted as 12 months or over" in result["notes"]


def test_unverified_values_are_noted_where_they_bear_on_the_answer():
    youth_ftr48 = calculate("recall-type", {**BASE, "sentenced_as_youth": True, "decision_date": FROM_FTR48})
    assert any("adults" in note for note in youth_ftr48["notes"])
    adult_old = calculate("recall-type", {**BASE, "decision_date": BEFORE_2024})
    assert adult_old["notes"] == []


# ---- the policy file -----------------------------------------------------------------------------------------------


def _raw() -> dict[str, Any]:
    return tomllib.loads(resources.files("openprobation.rules").joinpath("policy/recall.toml").read_text())


def test_the_policy_dates_each_change():
    policy = recall_policy()
    assert [v.effective_from for v in policy.versions] == [None, dt.date(2024, 4, 2), dt.date(2025, 9, 2),
                                                           dt.date(2026, 3, 31), dt.date(2026, 7, 29)]  # fmt: skip
    assert policy.policy_version == "recall-1"
    assert _raw()["source"]["repository"].startswith("ministryofjustice/")


def test_the_policy_refuses_versions_out_of_order():
    raw = _raw()
    raw["versions"] = [raw["versions"][0], raw["versions"][2], raw["versions"][1]]
    with pytest.raises(ValueError, match="oldest first"):
        parse_policy(raw)


def test_the_policy_refuses_an_unknown_exclusion_code():
    raw = _raw()
    raw["versions"][3]["adult"]["excluding_codes"] = ["murder"]
    with pytest.raises(ValueError, match="unknown"):
        parse_policy(raw)
