"""SNSV (static and dynamic) and RSR: worked examples, fallback to static, sum, clamping, constant and bands."""

from __future__ import annotations

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
    # The static example's man with every dynamic answer (examples.SNSV_DYNAMIC_ANSWERS), dynamic coefficients:
    #   intercept                                           2.390228
    #   age 33 x (c0 + c1 33 + c2 33^2 + c3 33^3)          -6.368740
    #   5 sanctions x -0.0182592921752245                  -0.091296
    #   months 6 x (d0 + d1 6 + d2 36 + d3 216)            -0.189629
    #   ln(5 / (16 + 12)) = -1.722767 x 0.689153           -1.187250
    #   2 violent x 0.021160895925655                       0.042322
    #   ln(2 / (16 + 30)) = -3.135494 x 0.054932           -0.172239
    #   offence SNSV -0.006538 + VATP 0.204895              0.198357
    #   weapon used 0.150713; accommodation 1 x 0.061971; unemployed 2 x 0.038911 = 0.077822; partner 0;
    #   alcohol 2 x 0.093567 = 0.187134; binge 1 x 0.056713; impulsivity 1 x 0.077213; temper 2 x 0.048289 =
    #   0.096578; pro-criminal 0; domestic violence 0                                        sum 0.708144
    #   previous wounding/GBH 0.451030 + robbery 0.163248                                     0.614278
    #   y = -4.055826; logistic = 0.017026 -> 1.70%
    result = calculate("snsv", {**SNSV, **SNSV_DYNAMIC_ANSWERS})
    assert (result["model"], result["percent"], result["notes"]) == ("dynamic", 1.70, [])
    terms = {t["name"]: t["contribution"] for t in result["explanation"]}
    assert terms["unemployed"] == pytest.approx(0.077822, abs=1e-6)  # OASys scores unemployment 2
    assert terms["current_alcohol_use"] == pytest.approx(0.187134, abs=1e-6)
    assert terms["previous_robbery"] == pytest.approx(0.163248, abs=1e-6) and terms["previous_homicide"] == 0
    assert sum(terms.values()) == pytest.approx(-4.055826, abs=1e-6)


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
    # The RSR example as a woman. SNSV static, female coefficients:
    #   intercept 3.604077; female -16.622027; age 33 x (female c0..c3) 9.820923; 5 sanctions -0.073748;
    #   months 6 -0.198307; ln(5 / 28) = -1.722767 x 0.793187 = -1.366475; 2 violent 0.037737;
    #   violence rate -0.650435; offence 0.258073
    #   y = -5.190182; logistic = 0.005540 -> 0.55%
    # OSP/DC and OSP/IIC do not apply to women (0%); the constant for a woman with a sexual-offence history is
    # 0.383141762: RSR = round2(0.55 + 0 + 0 + 0.383141762) = round2(0.933141762) = 0.93 -> low.
    result = calculate("rsr", {**RSR, "gender": "female"})
    assert (result["snsv_percent"], result["osp_dc_percent"], result["osp_iic_percent"]) == (0.55, 0, 0)
    assert (result["percent"], result["band"]) == (0.93, "low")


# A man with a sexual-offence history and every dynamic answer: born 1979-01-15, convicted 2024-03-01 of 00101,
# follow-up from 2024-04-01 (45), assessed 2024-10-01 (6 whole months), 6 sanctions (first at 20: 25 career years),
# 2 violent; 1 contact-adult and 2 contact-child sexual sanctions, no images, stranger victim, last sexual sanction
# 2010-05-01 (aged 31).
RSR_DYNAMIC_MAN = {
    "gender": "male", "date_of_birth": "1979-01-15", "conviction_date": "2024-03-01", "follow_up_start": "2024-04-01",
    "assessment_date": "2024-10-01", "total_sanctions": 6, "age_at_first_sanction": 20, "offence_code": "00101",
    "violent_sanctions": 2, "weapon_used": True, "accommodation_suitability": 1, "unemployed": True,
    "partner_relationship": 2, "current_alcohol_use": 1, "binge_drinking": 0, "impulsivity": 2, "temper_control": 1,
    "pro_criminal_attitudes": 1, "domestic_violence_perpetrator": True,
    "previous_convictions": {"homicide": False, "wounding_gbh": True, "kidnapping": False, "firearms": False,
                             "robbery": False, "aggravated_burglary": False, "weapon": True, "criminal_damage": False,
                             "arson": False},
    "has_sexual_offence_history": True, "contact_adult_sexual_sanctions": 1, "contact_child_sexual_sanctions": 2,
    "non_contact_sexual_sanctions": 0, "indecent_image_sanctions": 0, "stranger_victim": True,
    "last_sexual_sanction_date": "2010-05-01",
}  # fmt: skip


def test_rsr_worked_example_dynamic_man_with_sexual_history():
    # SNSV dynamic:
    #   intercept 2.390228; age 45 x (c0 + c1 45 + c2 45^2 + c3 45^3) -6.725951; 6 sanctions x -0.018259 = -0.109556;
    #   months 6 -0.189629; ln(6 / (25 + 12)) = -1.819158 x 0.689153 = -1.253679; 2 violent 0.042322;
    #   ln(2 / (25 + 30)) = -3.314186 x 0.054932 = -0.182055; offence -0.006538 + 0.204895 = 0.198357;
    #   weapon 0.150713 + accommodation 1 x 0.061971 + unemployed 2 x 0.038911 = 0.077822 + partner 2 x 0.025911 =
    #   0.051821 + alcohol 1 x 0.093567 + binge 0 + impulsivity 2 x 0.077213 = 0.154426 + temper 1 x 0.048289 +
    #   pro-criminal 1 x 0.130831 + domestic violence 0.084784 = 0.854224;
    #   previous wounding/GBH 0.451030 + weapon 0.184105 = 0.635134
    #   y = -4.340604; logistic = 0.012861 -> 1.29%
    # OSP/DC: contact adult 1 -> 5; contact child 2 -> 6; non-contact 0 -> 0; age 45 -> 14 - floor(27 / 3) = 5;
    #   last sexual sanction at 31 -> 10; prior sanctions 6; stranger 4 = 36 points (very high)
    #   -> logistic(-8.633 + 0.1598 x 36) = logistic(-2.8802) = 0.053141 -> 5.31%
    # OSP/IIC: no images, 2 contact-child sanctions -> 0.00926 -> 0.93%
    # RSR = 1.29 + 5.31 + 0.93 = 7.53% -> high (6.9 and over).
    result = calculate("rsr", RSR_DYNAMIC_MAN)
    assert result["snsv_model"] == "dynamic"
    assert (result["snsv_percent"], result["osp_dc_percent"], result["osp_iic_percent"]) == (1.29, 5.31, 0.93)
    assert (result["osp_dc"]["points"], result["osp_dc"]["unreduced_band"]) == (36, "very_high")
    assert (result["percent"], result["band"]) == (7.53, "high")


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


# Whole RSR calculations just below, at and just above 3.00 and 6.90 (bands low [0, 3), medium [3, 6.9), high
# [6.9, ...)). Men without a sexual-offence history, so RSR = SNSV (static). All born 2000-01-20 (23 at conviction
# 2024-01-10, 24 at follow-up start 2024-02-01), offence 00101, assessed 2024-08-01 (6 months). Shared terms:
#   intercept 3.604077; age 24 x (c0 + c1 24 + c2 24^2 + c3 24^3) = -6.164780; months 6 -0.198307;
#   offence SNSV 0.019270 + VATP 0.238803 = 0.258073
# and per case (career = 23 - age at first): total x -0.014750; 0.769214 x ln(total / (career + 12));
# violent x 0.018869; 0.207442 x ln(violent / (career + 30)).
RSR_EDGE_CASES = [
    # 10 sanctions, first 17 (career 6), 4 violent: -0.147496 + 0.769214 x ln(10/18) = -0.452134 + 0.075474
    #   + 0.207442 x ln(4/36) = -0.455798 -> y = -3.480891; logistic = 0.029861 -> 2.99 low
    (10, 17, 4, 2.99, "low"),
    # 6 sanctions, first 21 (career 2), 6 violent: -0.088498 + ln(6/14) x 0.769214 = -0.651753 + 0.113212
    #   + ln(6/32) x 0.207442 = -0.347254 -> y = -3.475231; logistic = 0.030025 -> 3.00 medium
    (6, 21, 6, 3.00, "medium"),
    # 9 sanctions, first 16 (career 7), 6 violent: -0.132746 - 0.574768 + 0.113212 - 0.377371 -> y = -3.472611;
    #   logistic = 0.030102 -> 3.01 medium
    (9, 16, 6, 3.01, "medium"),
    # 23 sanctions, first 18 (career 5), 12 violent: -0.339241 + 0.232519 + 0.226423 - 0.222055 -> y = -2.603292;
    #   logistic = 0.068927 -> 6.89 medium
    (23, 18, 12, 6.89, "medium"),
    # 18 sanctions, first 22 (career 1), 9 violent: -0.265493 + 0.250319 + 0.169817 - 0.256557 -> y = -2.602851;
    #   logistic = 0.068955 -> 6.8955 -> 6.90 high
    (18, 22, 9, 6.90, "high"),
    # 21 sanctions, first 23 (career 0), 6 violent: -0.309741 + 0.430464 + 0.113212 - 0.333866 -> y = -2.600869;
    #   logistic = 0.069083 -> 6.91 high
    (21, 23, 6, 6.91, "high"),
]


@pytest.mark.parametrize(
    ("total", "first", "violent", "percent", "band"),
    RSR_EDGE_CASES,
    ids=["2_99_low", "3_00_medium", "3_01_medium", "6_89_medium", "6_90_high", "6_91_high"],
)
def test_rsr_whole_calculations_just_below_at_and_above_3_and_6_9(total, first, violent, percent, band):
    payload = {
        "gender": "male", "date_of_birth": "2000-01-20", "conviction_date": "2024-01-10",
        "follow_up_start": "2024-02-01", "assessment_date": "2024-08-01", "offence_code": "00101",
        "total_sanctions": total, "age_at_first_sanction": first, "violent_sanctions": violent,
        "has_sexual_offence_history": False,
    }  # fmt: skip
    result = calculate("rsr", payload)
    assert (result["snsv_model"], result["osp_dc_percent"], result["osp_iic_percent"]) == ("static", 0, 0)
    assert (result["percent"], result["band"]) == (percent, band)


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
