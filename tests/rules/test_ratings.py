"""HMIP ratings (rules/ratings.py, policy/hmip_ratings.toml): key-question bands at each boundary, the lowest key
question rule, the overall bands at each edge for the ten- and nine-standard schemes, the override's reason, and the
calculator's field errors."""

from __future__ import annotations

from typing import Any

import pytest

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.ratings import (
    key_question_band,
    overall_rating,
    rating_policy,
    standard_rating,
)

# ---- a key question's band: 49/50, 64/65, 79/80 per cent, and the same shares of other sample sizes ---------------

KEY_QUESTION_BANDS = [
    ("0_percent.inadequate", 0, 100, "inadequate"),
    ("49_percent.inadequate", 49, 100, "inadequate"),
    ("50_percent.requires_improvement", 50, 100, "requires_improvement"),
    ("64_percent.requires_improvement", 64, 100, "requires_improvement"),
    ("65_percent.good", 65, 100, "good"),
    ("79_percent.good", 79, 100, "good"),
    ("80_percent.outstanding", 80, 100, "outstanding"),
    ("100_percent.outstanding", 100, 100, "outstanding"),
    ("79.5_percent.not_rounded_up.good", 159, 200, "good"),
    ("49.9_percent.not_rounded_up.inadequate", 499, 1000, "inadequate"),
    ("4_of_5.80_percent.outstanding", 4, 5, "outstanding"),
    ("2_of_3.66.7_percent.good", 2, 3, "good"),
    ("1_of_2.50_percent.requires_improvement", 1, 2, "requires_improvement"),
    ("1_of_1.outstanding", 1, 1, "outstanding"),
]


@pytest.mark.parametrize(("sufficient", "total", "band"), [c[1:] for c in KEY_QUESTION_BANDS],
                         ids=[c[0] for c in KEY_QUESTION_BANDS])  # fmt: skip
def test_key_question_band(sufficient: int, total: int, band: str) -> None:
    assert key_question_band(sufficient, total) == band


LOWEST = [
    ("all_good.good", {"engagement": "good", "desistance": "good", "keeping_safe": "good"}, "good"),
    ("keeping_safe_inadequate.inadequate",
     {"engagement": "outstanding", "desistance": "outstanding", "keeping_safe": "inadequate"}, "inadequate"),
    ("one_requires_improvement.requires_improvement",
     {"engagement": "good", "desistance": "requires_improvement", "keeping_safe": "outstanding"},
     "requires_improvement"),
]  # fmt: skip


@pytest.mark.parametrize(("bands", "rating"), [c[1:] for c in LOWEST], ids=[c[0] for c in LOWEST])
def test_a_standard_takes_its_lowest_key_questions_band(bands: dict[str, Any], rating: str) -> None:
    assert standard_rating(bands) == rating


# ---- overall bands at each edge --------------------------------------------------------------------------------

OVERALL = [
    ("crc_2018.0.inadequate", "crc_2018", 0, "inadequate"),
    ("crc_2018.5.inadequate", "crc_2018", 5, "inadequate"),
    ("crc_2018.6.requires_improvement", "crc_2018", 6, "requires_improvement"),
    ("crc_2018.15.requires_improvement", "crc_2018", 15, "requires_improvement"),
    ("crc_2018.16.good", "crc_2018", 16, "good"),
    ("crc_2018.25.good", "crc_2018", 25, "good"),
    ("crc_2018.26.outstanding", "crc_2018", 26, "outstanding"),
    ("crc_2018.30.outstanding", "crc_2018", 30, "outstanding"),
    ("pdu_2021.4.inadequate", "pdu_2021", 4, "inadequate"),
    ("pdu_2021.5.requires_improvement", "pdu_2021", 5, "requires_improvement"),
    ("pdu_2021.13.requires_improvement", "pdu_2021", 13, "requires_improvement"),
    ("pdu_2021.14.good", "pdu_2021", 14, "good"),
    ("pdu_2021.22.good", "pdu_2021", 22, "good"),
    ("pdu_2021.23.outstanding", "pdu_2021", 23, "outstanding"),
    ("pdu_2021.27.outstanding", "pdu_2021", 27, "outstanding"),
]


@pytest.mark.parametrize(("scheme", "score", "rating"), [c[1:] for c in OVERALL], ids=[c[0] for c in OVERALL])
def test_overall_band(scheme: str, score: int, rating: str) -> None:
    assert overall_rating(score, rating_policy().schemes[scheme]) == rating


def test_schemes_have_ten_and_nine_standards_and_the_crc_scheme_is_the_default() -> None:
    policy = rating_policy()
    assert policy.default_scheme == "crc_2018"
    assert policy.schemes["crc_2018"].standards == (
        "leadership", "staff", "services", "information_and_facilities", "assessment", "planning",
        "implementation_and_delivery", "reviewing", "unpaid_work", "through_the_gate",
    )  # fmt: skip
    assert (policy.schemes["crc_2018"].maximum, policy.schemes["pdu_2021"].maximum) == (30, 27)
    assert policy.unverified  # the recalled values are flagged


# ---- the calculator ---------------------------------------------------------------------------------------------


def counts(engagement: int, desistance: int, keeping_safe: int, total: int = 10) -> dict[str, Any]:
    return {"key_questions": {
        "engagement": {"sufficient": engagement, "total": total},
        "desistance": {"sufficient": desistance, "total": total},
        "keeping_safe": {"sufficient": keeping_safe, "total": total},
    }}  # fmt: skip


def provider(score_each: str, **changed: str) -> dict[str, Any]:
    standards = {name: score_each for name in rating_policy().schemes["crc_2018"].standards}
    return {"standards": {**standards, **changed}}


def test_one_standard_from_key_question_counts() -> None:
    result = calculate("rating", counts(8, 7, 6))
    assert (result["level"], result["rating"], result["points"], result["maximum_points"]) == (
        "standard", "requires_improvement", 1, 3)  # fmt: skip
    lines = [(t["value"], t["contribution"]) for t in result["explanation"] if t["name"] == "key_question"]
    assert lines == [("engagement", "Outstanding"), ("desistance", "Good"), ("keeping_safe", "Requires improvement")]


def test_a_provider_from_its_standards_defaults_to_the_crc_scheme() -> None:
    result = calculate("rating", provider("good", leadership="requires_improvement", reviewing="inadequate"))
    assert (result["scheme"], result["points"], result["maximum_points"]) == ("crc_2018", 17, 30)
    assert result["rating"] == "good"
    assert next(t["value"] for t in result["explanation"] if t["name"] == "standard") == "leadership"


def test_the_nine_standard_scheme() -> None:
    standards = {name: "requires_improvement" for name in rating_policy().schemes["pdu_2021"].standards}
    result = calculate("rating", {"scheme": "pdu_2021", "standards": standards})
    assert (result["points"], result["maximum_points"], result["rating"]) == (9, 27, "requires_improvement")


def test_a_rating_panel_override_keeps_the_calculated_rating_beside_it() -> None:
    body = {**provider("good"), "override": {"rating": "requires_improvement", "reason": "Keeping people safe weak"}}
    result = calculate("rating", body)
    assert (result["rating"], result["calculated_rating"], result["overridden"]) == (
        "requires_improvement", "good", True)  # fmt: skip
    assert any("Keeping people safe weak" in t["detail"] for t in result["explanation"])


FIELD_ERRORS = [
    ("override.blank_reason", {**provider("good"), "override": {"rating": "good", "reason": " "}}, "override.reason"),
    ("override.without_reason", {**provider("good"), "override": {"rating": "good"}}, "override.reason"),
    ("neither_key_questions_nor_standards", {}, "body"),
    ("both_key_questions_and_standards", {**counts(1, 1, 1), **provider("good")}, "body"),
    ("sufficient_above_total", counts(11, 1, 1), "key_questions.engagement.sufficient"),
    ("sufficient_negative", counts(1, -1, 1), "key_questions.desistance.sufficient"),
    ("no_cases_judged", counts(0, 0, 0, total=0), "key_questions.engagement.total"),
    ("unknown_scheme", {**provider("good"), "scheme": "ofsted"}, "scheme"),
    ("scheme_with_key_questions", {**counts(1, 1, 1), "scheme": "crc_2018"}, "scheme"),
    ("unknown_standard", provider("good", parole="good"), "standards.parole"),
    ("missing_standard", {"standards": {"leadership": "good"}}, "standards.staff"),
    ("unknown_rating", provider("good", leadership="excellent"), "standards.leadership"),
]


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in FIELD_ERRORS], ids=[c[0] for c in FIELD_ERRORS])
def test_field_errors(body: dict[str, Any], field: str) -> None:
    with pytest.raises(CalculationInputError) as raised:
        calculate("rating", body)
    assert field in [e.field for e in raised.value.errors]
