"""OGRS3: worked examples, the age/gender table, bands at their edges, and input errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.predictors import ogrs3
from openprobation.rules.predictors.base import band_for, bands

from .examples import OGRS3


def errors_of(tool: str, payload: dict) -> dict[str, str]:
    with pytest.raises(CalculationInputError) as caught:
        calculate(tool, payload)
    return {e.field: e.message for e in caught.value.errors}


def test_worked_example_first_violence_conviction_at_33():
    # Male, 33 at conviction and at follow-up start (band 30-34: -1.326), 5 sanctions (4 previous, status
    # 0.46306), first at 17, offence 00101 violence (weight 0.0).
    # rate = ln((1 + 4) / (10 + 33 - 17)) = ln(5 / 26) = -1.648659; x 1.25112 = -2.062670
    # y = 0.0 - 1.326 + 0.46306 - 2.062670 = -2.925610
    # p1 = logistic(-2.925610 + 1.40256) = logistic(-1.523050) = 0.17904 -> 18%
    # p2 = logistic(-2.925610 + 2.1217) = logistic(-0.803910) = 0.30918 -> 31% -> low
    result = calculate("ogrs3", OGRS3)
    assert (result["one_year_percent"], result["two_year_percent"], result["band"]) == (18, 31, "low")
    assert result["policy_version"] == "ogrs3-52792f4"
    terms = {t["name"]: t for t in result["explanation"]}
    assert terms["age_and_gender"]["coefficient"] == "-1.326"
    assert terms["offending_rate"]["value"] == pytest.approx(-1.648659)


def test_worked_example_from_the_reference_soliciting_at_59():
    # Male, 59 (band 50+: -2.0253), 2 sanctions (status 0.46306), first at 47, 02400 soliciting (0.7606).
    # rate = 1.25112 x ln(2 / (10 + 59 - 47)) = 1.25112 x ln(2/22) = 1.25112 x -2.397895 = -3.000055
    # y = 0.7606 - 2.0253 + 0.46306 - 3.000055 = -3.801695
    # p1 = logistic(-2.399135) = 0.08321 -> 8%; p2 = logistic(-1.679995) = 0.15707 -> 16% -> low
    payload = {
        **OGRS3,
        "date_of_birth": "1967-06-01",
        "conviction_date": "2026-11-01",
        "follow_up_start": "2026-12-06",
        "total_sanctions": 2,
        "age_at_first_sanction": 47,
        "offence_code": "02400",
    }
    result = calculate("ogrs3", payload)
    assert (result["one_year_percent"], result["two_year_percent"], result["band"]) == (8, 16, "low")


def test_first_sanction_uses_the_first_time_status_term():
    result = calculate("ogrs3", {**OGRS3, "total_sanctions": 1, "age_at_first_sanction": 33})
    status = next(t for t in result["explanation"] if t["name"] == "sanction_status")
    assert status["coefficient"] == "0.12614"


@pytest.mark.parametrize(
    ("gender", "age", "coefficient"),
    [
        ("male", 10, "0"),
        ("male", 11, "0"),
        ("male", 12, "0.08392"),
        ("male", 17, "-0.0616"),
        ("male", 18, "-0.6251"),
        ("male", 20, "-0.6251"),
        ("male", 21, "-1.0515"),
        ("male", 49, "-1.4997"),
        ("male", 50, "-2.0253"),
        ("female", 15, "0.66952"),
        ("female", 16, "-0.9592"),
        ("female", 29, "-1.0528"),
        ("female", 30, "-1.1291"),
        ("female", 90, "-2.4498"),
    ],
    ids=lambda v: str(v),
)
def test_age_gender_term_by_age_band(gender, age, coefficient):
    assert ogrs3.age_gender_term(ogrs3.policy(), gender, age)[1] == coefficient


@pytest.mark.parametrize(
    ("two_year_percent", "band"),
    [
        (1, "low"),
        (49, "low"),
        (50, "medium"),
        (51, "medium"),
        (74, "medium"),
        (75, "high"),
        (76, "high"),
        (89, "high"),
        (90, "very_high"),
        (91, "very_high"),
        (99, "very_high"),
    ],
    ids=lambda v: str(v),
)
def test_band_on_two_year_percent_below_at_above_each_threshold(two_year_percent, band):
    assert band_for(Decimal(two_year_percent), bands(ogrs3.policy()["bands"])) == band


# Whole calculations landing just below, at and just above each band edge of the two-year percent (policy bands:
# low [0, 50), medium [50, 75), high [75, 90), very high [90, ...)). All male, convicted 2024-01-10 of 00101
# (violence, weight 0.0), follow-up from 2024-02-01, more than one sanction (status 0.46306):
#   y = 0.0 + age/gender + 0.46306 + 1.25112 x ln(total / (10 + age at conviction - age at first));
#   p2 = logistic(y + 2.1217), p1 = logistic(y + 1.40256), each to 5 dp then whole percent half up.
BAND_EDGE_CASES = [
    # 49: born 2000-01-20 (23 at conviction, 24 at follow-up: -1.0515), 4 sanctions, first at 19:
    #   1.25112 x ln(4/14) = -1.567357; y = -2.155797; p2 = logistic(-0.034097) = 0.49148 -> 49; p1 0.32012 -> 32
    ("2000-01-20", 4, 19, 32, 49, "low"),
    # 50: born 1990-03-15 (33 at conviction and follow-up: -1.326), 4 sanctions, first at 32:
    #   1.25112 x ln(4/11) = -1.265634; y = -2.128574; p2 = logistic(-0.006874) = 0.49828 -> 50 (half up from
    #   49.828); p1 0.32607 -> 33
    ("1990-03-15", 4, 32, 33, 50, "medium"),
    # 51: born 2000-01-20, 3 sanctions, first at 23: 1.25112 x ln(3/10) = -1.506314; y = -2.094754;
    #   p2 = logistic(0.026946) = 0.50674 -> 51; p1 0.33355 -> 33
    ("2000-01-20", 3, 23, 33, 51, "medium"),
    # 74: 8 sanctions, first at 21: 1.25112 x ln(8/12) = -0.507286; y = -1.095726; p2 = logistic(1.025974) = 0.73613
    #   -> 74; p1 0.57611 -> 58
    ("2000-01-20", 8, 21, 58, 74, "medium"),
    # 75: 7 sanctions, first at 23: 1.25112 x ln(7/10) = -0.446243; y = -1.034683; p2 = logistic(1.087017) = 0.74782
    #   -> 75; p1 0.59095 -> 59
    ("2000-01-20", 7, 23, 59, 75, "high"),
    # 76: 8 sanctions, first at 22: 1.25112 x ln(8/11) = -0.398424; y = -0.986864; p2 = logistic(1.134836) = 0.75673
    #   -> 76; p1 0.60245 -> 60
    ("2000-01-20", 8, 22, 60, 76, "high"),
    # 89: 16 sanctions, first at 23: 1.25112 x ln(16/10) = 0.588031; y = -0.000409; p2 = logistic(2.121291) = 0.89296
    #   -> 89; p1 0.80252 -> 80
    ("2000-01-20", 16, 23, 80, 89, "high"),
    # 90: 17 sanctions, first at 23: 1.25112 x ln(17/10) = 0.663880; y = 0.075440; p2 = logistic(2.197140) = 0.89999
    #   -> 90; p1 0.81427 -> 81
    ("2000-01-20", 17, 23, 81, 90, "very_high"),
    # 91: 18 sanctions, first at 23: 1.25112 x ln(18/10) = 0.735392; y = 0.146952; p2 = logistic(2.268652) = 0.90625
    #   -> 91; p1 0.82484 -> 82
    ("2000-01-20", 18, 23, 82, 91, "very_high"),
]


@pytest.mark.parametrize(
    ("born", "total", "first", "one_year", "two_year", "band"),
    BAND_EDGE_CASES,
    ids=["49_low", "50_medium", "51_medium", "74_medium", "75_high", "76_high", "89_high", "90_very_high",
         "91_very_high"],
)  # fmt: skip
def test_whole_calculations_just_below_at_and_above_each_band_edge(born, total, first, one_year, two_year, band):
    payload = {
        "gender": "male", "date_of_birth": born, "conviction_date": "2024-01-10", "follow_up_start": "2024-02-01",
        "total_sanctions": total, "age_at_first_sanction": first, "offence_code": "00101",
    }  # fmt: skip
    result = calculate("ogrs3", payload)
    assert (result["one_year_percent"], result["two_year_percent"], result["band"]) == (one_year, two_year, band)


# The 1-99 limits, each with an input whose unclamped percent is outside them (worked by hand from the policy:
# y = offence + age/gender + status + 1.25112 x ln((1 + previous) / (10 + age at conviction - age at first));
# p = logistic(y + 1.40256) one year, logistic(y + 2.1217) two years; 5 dp, whole percent half up, then 1-99).
CLAMP_CASES = [
    (
        # Lower limit. Woman, 70 at conviction and follow-up (born 1950-03-01, both 2020-06-01), 2 sanctions,
        # first at 18, drug import 07750 (-0.7956):
        #   age/gender 50+ female -2.4498; status repeat 0.46306;
        #   copas 1.25112 x ln(2 / (10 + 70 - 18)) = 1.25112 x ln(0.0322581) = 1.25112 x -3.433987 = -4.296330
        #   y = -0.7956 - 2.4498 + 0.46306 - 4.296330 = -7.078670
        #   one year: logistic(-7.078670 + 1.40256) = logistic(-5.676110) = 0.00342 -> 0.342% -> 0 -> limited to 1
        #   two years: logistic(-7.078670 + 2.1217) = logistic(-4.956970) = 0.00699 -> 0.699% -> 1 (no limit needed)
        {"gender": "female", "date_of_birth": "1950-03-01", "conviction_date": "2020-06-01",
         "follow_up_start": "2020-06-01", "total_sanctions": 2, "age_at_first_sanction": 18, "offence_code": "07750"},
        1, 1,
    ),
    (
        # Upper limit. Girl of 10 (born 2010-01-01, convicted and starting follow-up 2020-06-01), 60 sanctions, first
        # at 10, soliciting 02400 (0.7606):
        #   age/gender 10-11 female 0.785; status repeat 0.46306;
        #   copas 1.25112 x ln(60 / (10 + 10 - 10)) = 1.25112 x ln(6) = 1.25112 x 1.791759 = 2.241706
        #   y = 0.7606 + 0.785 + 0.46306 + 2.241706 = 4.250366
        #   one year: logistic(5.652926) = 0.99651 -> 99.651% -> 100 -> limited to 99
        #   two years: logistic(6.372066) = 0.99829 -> 99.829% -> 100 -> limited to 99
        {"gender": "female", "date_of_birth": "2010-01-01", "conviction_date": "2020-06-01",
         "follow_up_start": "2020-06-01", "total_sanctions": 60, "age_at_first_sanction": 10, "offence_code": "02400"},
        99, 99,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "one_year", "two_year"), CLAMP_CASES, ids=["below_1_percent_limited_to_1", "above_99_limited_to_99"]
)
def test_percent_is_kept_within_1_and_99(payload, one_year, two_year):
    result = calculate("ogrs3", payload)
    assert (result["one_year_percent"], result["two_year_percent"]) == (one_year, two_year)


def test_the_limited_cases_really_are_outside_1_to_99_before_the_limit():
    # The explanation reports the unclamped probabilities: the hand-worked 0.00342 (0.342%, rounds to 0) and
    # 0.99651 / 0.99829 (round to 100), so the limits, not rounding, give 1 and 99.
    details = [
        {t["name"]: t["detail"] for t in calculate("ogrs3", payload)["explanation"]} for payload, _, _ in CLAMP_CASES
    ]
    assert details[0]["one_year_intercept"] == "one-year probability 0.00342"
    assert (details[1]["one_year_intercept"], details[1]["two_year_intercept"]) == (
        "one-year probability 0.99651",
        "two-year probability 0.99829",
    )


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"age_at_first_sanction": 40}, "age_at_first_sanction", "cannot be after the age at the current"),
        ({"age_at_first_sanction": 9}, "age_at_first_sanction", "10 or over"),
        ({"follow_up_start": "2024-01-09"}, "follow_up_start", "cannot start before the conviction"),
        ({"date_of_birth": "2015-01-01", "age_at_first_sanction": 10}, "date_of_birth", "aged 10 or over"),
        ({"total_sanctions": 0}, "total_sanctions", "1 or more"),
        ({"total_sanctions": -3}, "total_sanctions", "1 or more"),
        ({"offence_code": "99999"}, "offence_code", "not a known"),
        ({"offence_code": "1010"}, "offence_code", "5 digits"),
        ({"offence_code": "08800"}, "offence_code", "exact offence"),
        ({"offence_code": "95000"}, "offence_code", "cannot be scored"),
        ({"conviction_date": "1989-01-01"}, "conviction_date", "after the date of birth"),
    ],
    ids=[
        "first_sanction_after_conviction",
        "first_sanction_under_10",
        "follow_up_before_conviction",
        "under_10_at_conviction",
        "no_sanctions",
        "negative_sanctions",
        "unknown_offence_code",
        "malformed_offence_code",
        "code_needs_exact_offence",
        "code_without_weight",
        "conviction_before_birth",
    ],
)
def test_input_errors_name_the_field(change, field, fragment):
    errors = errors_of("ogrs3", {**OGRS3, **change})
    assert fragment in errors[field]


def test_all_problems_are_reported_together():
    errors = errors_of(
        "ogrs3", {**OGRS3, "age_at_first_sanction": 9, "follow_up_start": "2023-01-01", "offence_code": "08800"}
    )
    assert set(errors) == {"age_at_first_sanction", "follow_up_start", "offence_code"}
