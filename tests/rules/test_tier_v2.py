"""Tier V2: protect level (RSR, RoSH, MAPPA, complexity, women's factors), change level, "S" suffix, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.predictors.base import band_for, bands
from openprobation.rules.tiering import v2

from .examples import TIER_V2


def tier(**change):
    return calculate("tier", {**TIER_V2, **change})


def errors_of(**change) -> dict[str, str]:
    with pytest.raises(CalculationInputError) as caught:
        tier(**change)
    return {e.field: e.message for e in caught.value.errors}


@pytest.mark.parametrize(
    ("rsr", "points"),
    [
        (0, 0),
        (2.99, 0),
        (3.00, 10),
        (3.01, 10),
        (6.99, 10),
        ("6.995", 10),
        (7.00, 20),
        (7.01, 20),
        (99.99, 20),
        (100, 20),
    ],
    ids=lambda v: str(v),
)
def test_protect_rsr_points_below_at_above_3_and_7(rsr, points):
    assert tier(rsr_percent=rsr)["protect_points"] == points


@pytest.mark.parametrize(
    ("rosh", "points", "level"),
    [(None, 0, "D"), ("low", 0, "D"), ("medium", 10, "C"), ("high", 20, "B"), ("very_high", 150, "A")],
    ids=["no_rosh", "low", "medium", "high", "very_high"],
)
def test_protect_rosh_points(rosh, points, level):
    result = tier(rosh=rosh)
    assert (result["protect_points"], result["protect_level"]) == (points, level)


@pytest.mark.parametrize(
    ("rsr", "rosh", "points"),
    [(7.5, "high", 20), (7.5, "medium", 20), (4, "high", 20), (4, "very_high", 150), (8, "low", 20)],
    ids=["equal_counts_once", "rsr_larger", "rosh_larger", "rosh_very_high", "rsr_only"],
)
def test_protect_only_the_larger_of_rsr_and_rosh_counts(rsr, rosh, points):
    assert tier(rsr_percent=rsr, rosh=rosh)["protect_points"] == points


@pytest.mark.parametrize(("level", "points"), [(1, 5), (2, 150), (3, 150)], ids=["M1", "M2", "M3"])
def test_protect_mappa_level_points(level, points):
    assert tier(mappa_level=level, mappa_category=1)["protect_points"] == points


def test_protect_complexity_two_points_each_distinct_code():
    assert tier(registrations=["RMDO", "ALSH", "RMDO", "ADVP"])["protect_points"] == 4


def test_protect_complexity_all_ten_codes_is_twenty():
    codes = ["RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO"]
    assert tier(registrations=codes)["protect_points"] == 20


@pytest.mark.parametrize(
    ("points", "level"),
    [(0, "D"), (9, "D"), (10, "C"), (11, "C"), (19, "C"), (20, "B"), (21, "B"), (149, "B"), (150, "A"), (151, "A")],
    ids=lambda v: str(v),
)
def test_protect_level_thresholds(points, level):
    assert band_for(points, bands(v2.policy()["protect"]["levels"])) == level


@pytest.mark.parametrize(
    ("change", "points", "level"),
    [
        ({"mappa_level": 1, "mappa_category": 1, "registrations": ["RMDO", "ALSH"]}, 9, "D"),
        ({"rosh": "medium"}, 10, "C"),
        ({"rosh": "medium", "mappa_level": 1, "mappa_category": 1, "registrations": ["RMDO", "ALSH"]}, 19, "C"),
        ({"rosh": "high"}, 20, "B"),
        ({"rsr_percent": 7, "mappa_level": 2, "mappa_category": 2}, 170, "A"),
    ],
    ids=["9_is_D", "10_is_C", "19_is_C", "20_is_B", "170_is_A"],
)
def test_protect_level_from_combined_points(change, points, level):
    result = tier(**change)
    assert (result["protect_points"], result["protect_level"]) == (points, level)


@pytest.mark.parametrize(
    ("change", "points"),
    [
        ({"parental_responsibilities": True}, 2),
        ({"impulsivity": 1}, 2),
        ({"impulsivity": 2, "temper_control": 1}, 2),
        ({"temper_control": 0, "impulsivity": 0}, 0),
        ({"recent_breach_or_recall": True}, 2),
        ({"parental_responsibilities": True, "temper_control": 2, "recent_breach_or_recall": True}, 6),
        ({"parental_responsibilities": True, "has_layer3_assessment": False}, 0),
        ({"recent_breach_or_recall": True, "has_layer3_assessment": False}, 2),
    ],
    ids=[
        "parenting",
        "impulsivity",
        "impulsivity_and_temper_count_once",
        "no_factor",
        "breach_or_recall",
        "all_three",
        "oasys_factor_needs_assessment",
        "breach_counts_without_assessment",
    ],
)
def test_additional_factors_for_women(change, points):
    assert tier(gender="female", **change)["protect_points"] == points


def test_additional_factors_ignored_for_men_and_noted():
    result = tier(parental_responsibilities=True, recent_breach_or_recall=True)
    assert result["protect_points"] == 0
    assert any("not counted for a man" in n for n in result["notes"])


def test_no_mandate_for_change_is_change_level_0():
    result = tier(mandate_for_change=False)
    assert (result["change_level"], result["change_points"], result["tier"]) == (0, 0, "D0")


def test_no_valid_layer3_assessment_is_change_level_2():
    result = tier(has_layer3_assessment=False, ogrs_percent=99, needs=None, needs_assessment_type=None)
    assert (result["change_level"], result["change_points"]) == (2, 0)


def test_mandate_and_assessment_with_no_points_is_change_level_1():
    result = tier(ogrs_percent=0)
    assert (result["change_level"], result["change_points"], result["tier"]) == (1, 0, "D1")


@pytest.mark.parametrize(
    ("convictions", "mandate"),
    [
        ([{"sentence_type": "NC"}], True),
        ([{"sentence_type": "SC"}], True),
        ([{"sentence_type": "SP", "requirements": [{"main_category": "F", "restrictive": False}]}], True),
        ([{"sentence_type": "SP", "requirements": [{"main_category": "W", "restrictive": False}]}], False),
        ([{"sentence_type": "SP", "requirements": [{"main_category": "W1", "restrictive": False}]}], False),
        ([{"sentence_type": "SP", "requirements": [{"main_category": "J", "restrictive": True}]}], False),
        ([{"sentence_type": "SP"}, {"sentence_type": "NC"}], True),
        ([], False),
    ],
    ids=[
        "custody_NC",
        "custody_SC",
        "rehabilitative_requirement",
        "unpaid_work_only",
        "order_extended_only",
        "restrictive_only",
        "any_conviction_counts",
        "no_current_convictions",
    ],
)
def test_mandate_for_change_worked_out_from_convictions(convictions, mandate):
    result = tier(mandate_for_change=None, current_convictions=convictions, ogrs_percent=0)
    assert (result["change_level"] != 0) is mandate


@pytest.mark.parametrize(
    ("ogrs", "needs", "points", "level"),
    [
        (90, {}, 9, 1),
        (100, {}, 10, 2),
        (99, {"accommodation": 2}, 10, 2),
        # severe thinking 2 x 2 + severe attitudes 2 x 2 + severe drugs 2 x 1 = 10 need points
        (90, {"thinking_behaviour": 7, "attitudes": 7, "drug_misuse": 8}, 19, 2),
        (100, {"thinking_behaviour": 7, "attitudes": 7, "drug_misuse": 8}, 20, 3),
        (59, {}, 5, 1),
        # just above each edge: OGRS 90 -> 9 + severe accommodation (score 7) 1 x 2 = 11
        (90, {"accommodation": 7}, 11, 2),
        # OGRS 100 -> 10 + severe thinking 2 x 2 + severe attitudes 2 x 2 + severe drugs 1 x 2 = 20,
        # + standard accommodation (score 2) 1 x 1 = 21
        (100, {"thinking_behaviour": 7, "attitudes": 7, "drug_misuse": 8, "accommodation": 2}, 21, 3),
        (0, {}, 0, 1),  # the lowest: no points is level 1
    ],
    ids=[
        "9_is_1", "10_is_2", "needs_plus_ogrs_10_is_2", "19_is_2", "20_is_3", "ogrs_59_is_5_points", "11_is_2",
        "21_is_3", "0_is_1",
    ],
)  # fmt: skip
def test_change_level_thresholds(ogrs, needs, points, level):
    result = tier(ogrs_percent=ogrs, needs=needs)
    assert (result["change_points"], result["change_level"]) == (points, level)


def test_iom_nominal_adds_two_change_points():
    assert tier(ogrs_percent=0, registrations=["IIOM"])["change_points"] == 2


SECTIONS = [
    ("accommodation", 1, "oasys", 2, 7),
    ("education_training_employment", 1, "oasys", 3, 7),
    ("relationships", 1, "oasys", 2, 5),
    ("lifestyle_associates", 1, "oasys", 2, 5),
    ("drug_misuse", 1, "oasys", 2, 8),
    ("alcohol_misuse", 1, "oasys", 4, 7),
    ("thinking_behaviour", 2, "oasys", 4, 7),
    ("attitudes", 2, "oasys", 2, 7),
    ("accommodation", 1, "san", 3, 5),
    ("drug_misuse", 1, "san", 2, 6),
    ("alcohol_misuse", 1, "san", 2, 4),
    ("thinking_behaviour", 2, "san", 3, 5),
    ("attitudes", 2, "san", 1, 5),
]


@pytest.mark.parametrize(
    ("section", "weight", "kind", "standard", "severe"), SECTIONS, ids=[f"{s[2]}_{s[0]}" for s in SECTIONS]
)
def test_need_severity_below_at_each_threshold(section, weight, kind, standard, severe):
    def points(score: int) -> int:
        return tier(ogrs_percent=0, needs_assessment_type=kind, needs={section: score})["change_points"]

    assert [points(standard - 1), points(standard), points(severe - 1), points(severe), points(severe + 1)] == [
        0,
        weight,
        weight,
        2 * weight,
        2 * weight,
    ]


def test_financial_and_emotional_wellbeing_carry_no_weight():
    assert tier(ogrs_percent=0, needs={"financial": 9, "emotional_wellbeing": 9})["change_points"] == 0


def test_unsupervised_marker_adds_s():
    result = tier(rosh="high", ogrs_percent=59, needs={"attitudes": 7}, registrations=["PRC"])
    assert result["tier"] == "B1S"
    assert result["unsupervised"] is True


def test_worked_example_b2():
    # Protect: RSR 7.00 -> 20, RoSH high 20 (only the larger counts: 20), MAPPA level 1 -> 5, one complexity
    # registration (RMDO) -> 2: 27 -> B. Change: accommodation 7 severe x 1 = 2, attitudes 3 standard x 2 = 2,
    # OGRS 59 -> 5, IOM 2: 11 -> 2. Tier B2.
    result = tier(
        rsr_percent="7.00",
        rosh="high",
        mappa_level=1,
        mappa_category=2,
        registrations=["RMDO", "IIOM"],
        ogrs_percent=59,
        needs={"accommodation": 7, "attitudes": 3},
    )
    assert (result["protect_points"], result["change_points"], result["tier"]) == (27, 11, "B2")
    assert result["version"] == 2 and result["policy_version"] == "tier-v2-affac98a"


def test_unknown_and_ignored_registrations_are_noted_not_counted():
    result = tier(registrations=["HREG", "ZZZZ"])
    assert result["protect_points"] == 0
    assert any("HREG" in n for n in result["notes"]) and any("ZZZZ" in n for n in result["notes"])


# RoSH from the registrations (tiering.v2.read_rosh / check_registrations). Points (policy tier_v2.toml protect.rosh):
# low 0, medium 10, high 20, very high 150. TIER_V2 has no RSR, so protect points = the RoSH points alone
# (+ MAPPA level points where given: M1 5, M2 150). Protect levels: D < 10 <= C < 20 <= B < 150 <= A.
@pytest.mark.parametrize(
    ("registrations", "rosh", "points", "level"),
    [
        (["RVHR", "MAPP"], "very_high", 150 + 5, "A"),  # the audit's case (was D2): RVHR 150 + MAPPA M1 5
        (["RHRH"], "high", 20, "B"),
        (["RMRH", "ADVP"], "medium", 10, "C"),
        (["RLRH"], "low", 0, "D"),
        (["RMRH", "RHRH"], "high", 20, "B"),  # two RoSH registrations: the highest
        (["ADVP"], None, 0, "D"),  # no RoSH registration: no RoSH
    ],
    ids=["rvhr_and_mapp_is_A", "rhrh_is_B", "rmrh_is_C", "rlrh_is_D", "highest_of_two", "none_registered"],
)
def test_rosh_null_is_taken_from_the_highest_rosh_registration_and_said(registrations, rosh, points, level):
    mappa = {"mappa_level": 1, "mappa_category": 1} if "MAPP" in registrations else {}
    result = tier(rosh=None, registrations=registrations, **mappa)
    assert (result["protect_points"], result["protect_level"]) == (points, level)
    term = next(t for t in result["explanation"] if t["name"] == "rosh")
    assert term["value"] == rosh
    if rosh is not None:
        assert "from the RoSH registration" in term["detail"] and "(rosh not given)" in term["detail"]
        assert any(n.startswith(f"No rosh given: RoSH {rosh} taken from the") for n in result["notes"])


@pytest.mark.parametrize(
    ("rosh", "registrations"),
    [("high", ["RVHR"]), ("low", ["RMRH"]), ("medium", ["RMRH", "RHRH"])],
    ids=["high_given_very_high_registered", "low_given_medium_registered", "medium_given_highest_registered_high"],
)
def test_rosh_given_and_registered_must_agree(rosh, registrations):
    errors = errors_of(rosh=rosh, registrations=registrations)
    assert "rosh" in errors and "disagrees with the RoSH registration" in errors["rosh"]


def test_rosh_given_and_registered_agreeing_is_accepted():
    assert tier(rosh="high", registrations=["RHRH"])["protect_points"] == 20


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"mappa_level": 2}, {"mappa_category"}),
        ({"mappa_category": 1}, {"mappa_level"}),
        ({"registrations": ["MAPP"]}, {"mappa_level", "mappa_category"}),
    ],
    ids=["level_without_category", "category_without_level", "mapp_registration_without_either"],
)
def test_mappa_level_and_category_come_together(change, fields):
    assert set(errors_of(**change)) == fields


def test_missing_rsr_and_ogrs_are_noted():
    result = tier()
    assert "No RSR given: 0 RSR points" in result["notes"] and "No OGRS given: 0 OGRS points" in result["notes"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rsr_percent": 100.01}, "rsr_percent"),
        ({"rsr_percent": -1}, "rsr_percent"),
        ({"mappa_level": 4, "mappa_category": 1}, "mappa_level"),
        ({"mappa_level": 1, "mappa_category": 5}, "mappa_category"),
        ({"ogrs_percent": 101}, "ogrs_percent"),
        ({"mandate_for_change": None}, "mandate_for_change"),
        ({"current_convictions": [{"sentence_type": "NC"}]}, "mandate_for_change"),
        ({"needs": None}, "needs"),
        ({"needs_assessment_type": None}, "needs_assessment_type"),
        ({"needs": {"accommodation": -1}}, "needs.accommodation"),
        ({"needs": {"housing": 1}}, "needs.housing"),
        ({"rosh": "extreme"}, "rosh"),
        ({"impulsivity": 3}, "impulsivity"),
        (
            {"current_convictions": [{"requirements": []}], "mandate_for_change": None},
            "current_convictions.0.sentence_type",
        ),
    ],
    ids=[
        "rsr_above_100",
        "rsr_negative",
        "mappa_level_4",
        "mappa_category_5",
        "ogrs_above_100",
        "mandate_missing",
        "mandate_given_twice",
        "needs_missing",
        "assessment_type_missing",
        "negative_need_score",
        "unknown_need_section",
        "unknown_rosh",
        "impulsivity_out_of_range",
        "nested_conviction_field_missing",
    ],
)
def test_tier_v2_input_errors(change, field):
    assert field in errors_of(**change)


def test_rsr_compared_as_decimal_not_float():
    assert tier(rsr_percent="6.9999")["protect_points"] == 10
    assert v2.policy().policy_version.startswith("tier-v2")
    assert Decimal("7") == Decimal("7.00")
