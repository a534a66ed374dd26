"""SNSV (static and dynamic) and RSR: worked examples, fallback to static, sum, clamping, constant and bands."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.predictors import rsr
from openprobation.rules.predictors.base import band_for, bands

from .examples import RSR, SNSV, SNSV_DYNAMIC_ANSWERS


def errors_of(tool: str, payload: dict) -> dict[str, str]:
    with pytest.raises(CalculationInputError) as caught:
        calculate(tool, payload)
    return {e.field: e.message for e in caught.value.errors}


def test_static_worked_example_violent_man_33():
    # Male, 33 at follow-up start, 5 sanctions (first at 17: 16 career years), 2 violent, 6 whole months from
    # follow-up start (2024-02-01) to assessment (2024-08-01), offence 00101 (SNSV violence, VATP ABH+).
    #   intercept                                   3.604077
    #   age 33 x (c0 + c1 33 + c2 33^2 + c3 33^3)  -6.566939
    #   5 sanctions x -0.0147495874606046          -0.073748
    #   ln(5 / (16 + 12)) = -1.722767 x 0.769214   -1.325176
    #   months 6 x (d0 + d1 6 + d2 36 + d3 216)    -0.198307
    #   2 violent x 0.0188685880078656              0.037737
    #   ln(2 / (16 + 30)) = -3.135494 x 0.207442   -0.650435
    #   offence SNSV 0.01927038224 + VATP 0.238802610774108 = 0.258073
    #   sum = -4.914717; logistic = 0.007278 -> 0.73%
    result = calculate("snsv", SNSV)
    assert result["percent"] == 0.73
    assert result["model"] == "static"
    total = sum(t["contribution"] for t in result["explanation"])
    assert total == pytest.approx(-4.914717, abs=1e-6)


def test_missing_dynamic_inputs_fall_back_to_static_and_say_which():
    result = calculate("snsv", {**SNSV, **SNSV_DYNAMIC_ANSWERS, "impulsivity": None})
    assert result["model"] == "static"
    assert "impulsivity" in result["notes"][0] and "static SNSV used" in result["notes"][0]


def test_all_dynamic_inputs_give_the_dynamic_model():
    result = calculate("snsv", {**SNSV, **SNSV_DYNAMIC_ANSWERS})
    assert result["model"] == "dynamic"
    assert result["notes"] == []
    terms = {t["name"]: t for t in result["explanation"]}
    # Unemployment is scored 2 in OASys: 2 x 0.0389109699626767.
    assert terms["unemployed"]["contribution"] == pytest.approx(0.0778219399253534)
    assert terms["current_alcohol_use"]["contribution"] == pytest.approx(2 * 0.0935672441515258)
    assert terms["previous_robbery"]["contribution"] == pytest.approx(0.163248217650296)
    assert terms["previous_homicide"]["contribution"] == 0
    p = 1 / (1 + math.exp(-sum(t["contribution"] for t in result["explanation"])))
    assert result["percent"] == round(p * 100, 2)


def test_forcing_dynamic_with_missing_answers_names_each_missing_field():
    errors = errors_of("snsv", {**SNSV, "snsv_model": "dynamic", "weapon_used": True})
    assert "impulsivity" in errors and "previous_convictions" in errors and "weapon_used" not in errors


def test_forcing_static_ignores_dynamic_answers_and_says_so():
    result = calculate("snsv", {**SNSV, **SNSV_DYNAMIC_ANSWERS, "snsv_model": "static"})
    assert result["model"] == "static" and "as requested" in result["notes"][0]


def test_months_since_follow_up_start_are_zero_before_release_and_capped_at_36():
    before = calculate("snsv", {**SNSV, "assessment_date": "2024-01-20"})
    late = calculate("snsv", {**SNSV, "assessment_date": "2030-01-01"})
    value = [t["value"] for t in before["explanation"] if t["name"] == "months_since_follow_up_start"]
    capped = [t["value"] for t in late["explanation"] if t["name"] == "months_since_follow_up_start"]
    assert (value, capped) == ([0], [36])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"violent_sanctions": 6}, "violent_sanctions"),
        ({"violent_sanctions": -1}, "violent_sanctions"),
        ({"temper_control": 3}, "temper_control"),
        ({"previous_convictions": {"homicide": True}}, "previous_convictions.wounding_gbh"),
    ],
    ids=["more_violent_than_total", "negative_violent", "answer_out_of_range", "nested_field_missing"],
)
def test_snsv_input_errors(change, field):
    assert field in errors_of("snsv", {**SNSV, **change})


def test_rsr_worked_example_is_the_sum_of_its_components():
    # SNSV 0.73 (as above) + OSP/DC: 2 contact adult 10 + 1 contact child 3 + age 33 at follow-up
    # (14 - floor(15/3) = 9) + last sexual sanction at 30 (10) + prior sanction 6 + no stranger 0 = 38 points
    # -> logistic(-8.633 + 0.1598 x 38) = logistic(-2.5606) = 0.07173 -> 7.17%
    # + OSP/IIC one image sanction 0.03328 -> 3.33%. RSR = 0.73 + 7.17 + 3.33 = 11.23% -> high.
    result = calculate("rsr", RSR)
    assert (result["snsv_percent"], result["osp_dc_percent"], result["osp_iic_percent"]) == (0.73, 7.17, 3.33)
    assert result["osp_dc"]["points"] == 38
    assert (result["percent"], result["band"]) == (11.23, "high")
    assert result["snsv_model"] == "static"


def test_rsr_for_a_man_without_sexual_history_is_snsv_alone():
    payload = {k: v for k, v in RSR.items() if "sexual" not in k and k not in ("indecent_image_sanctions",)}
    result = calculate("rsr", {**payload, "has_sexual_offence_history": False})
    assert result["percent"] == result["snsv_percent"] == 0.73
    assert result["osp_dc"]["band"] == "not_applicable"


def test_rsr_adds_the_constant_for_a_woman_with_sexual_history():
    # Female SNSV is tiny (female term about -16.6); OSP/DC and OSP/IIC do not apply to women, so
    # RSR = round2(SNSV% + 0.383141762) = 0.00 + 0.38.
    result = calculate("rsr", {**RSR, "gender": "female"})
    assert result["osp_dc_percent"] == 0 and result["osp_iic_percent"] == 0
    assert result["percent"] == round(result["snsv_percent"] + 0.383141762, 2)


def test_rsr_error_in_a_component_means_no_rsr():
    errors = errors_of("rsr", {**RSR, "stranger_victim": None, "violent_sanctions": 9})
    assert set(errors) == {"stranger_victim", "violent_sanctions"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("-0.01", "0.00"), ("0", "0.00"), ("99.98", "99.98"), ("99.99", "99.99"), ("100", "99.99"), ("130.5", "99.99")],
    ids=["below_zero", "zero", "just_below_limit", "at_limit", "hundred", "above_hundred"],
)
def test_rsr_clamping(raw, expected):
    from openprobation.rules.predictors.osp import OspDcResult, OspIicResult
    from openprobation.rules.predictors.snsv import SnsvResult

    snsv = SnsvResult(tool="snsv", policy_version="x", percent=Decimal(raw), model="static", band=None, explanation=())
    dc = OspDcResult(
        tool="osp-dc",
        policy_version="x",
        points=0,
        percent=Decimal(0),
        band="not_applicable",
        unreduced_band="not_applicable",
        risk_reduction_applied=False,
        explanation=(),
    )
    iic = OspIicResult(
        tool="osp-iic",
        policy_version="x",
        percent=Decimal(0),
        band="not_applicable",
        rule="not_applicable",
        explanation=(),
    )
    assert rsr.combine(snsv, dc, iic, female_with_sexual_history=False).percent == Decimal(expected)


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        ("0", "low"),
        ("2.99", "low"),
        ("3.00", "medium"),
        ("3.01", "medium"),
        ("6.89", "medium"),
        ("6.90", "high"),
        ("6.91", "high"),
        ("99.99", "high"),
    ],
    ids=lambda v: str(v),
)
def test_rsr_bands_below_at_above_3_and_6_9(percent, band):
    assert band_for(Decimal(percent), bands(rsr.policy()["bands"])) == band
