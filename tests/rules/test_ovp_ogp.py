"""OVP and OGP: worked examples, points tables, bands at their edges, and input errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.predictors import ogp, ovp
from openprobation.rules.predictors.base import band_for, bands, points_for

from .examples import OGP, OVP


def test_ovp_worked_example_54_points():
    # any sanction 5 + 3 violent 9 + 3 non-violent 2 + age 33 (31-35) 8 + male 5 + does not recognise
    # impact 4 + no NFA 0 + unemployed 4 + alcohol ceil(2.5 x (1 + 2)) = ceil(7.5) = 8 + no psychiatric
    # treatment 0 + temper 3 x 1 = 3 + pro-criminal 3 x 2 = 6  = 54 points
    # p1 = logistic(0.0722 x 54 - 4.5215) = logistic(-0.6227) = 0.34917 -> 35%
    # p2 = logistic(3.8988 - 3.8773) = logistic(0.0215) = 0.50537 -> 51% -> medium
    result = calculate("ovp", OVP)
    assert (result["points"], result["one_year_percent"], result["two_year_percent"]) == (54, 35, 51)
    assert result["band"] == "medium"


@pytest.mark.parametrize(
    ("violent", "points"),
    [(0, 0), (1, 4), (2, 7), (3, 9), (4, 11), (5, 12), (6, 13), (17, 24), (18, 25), (40, 25)],
    ids=lambda v: str(v),
)
def test_ovp_violent_sanction_points(violent, points):
    assert points_for(violent, ovp.policy()["points"]["violent_sanctions"]) == points


@pytest.mark.parametrize(
    ("non_violent", "points"),
    [(0, 0), (2, 0), (3, 2), (4, 2), (5, 3), (10, 3), (11, 4), (20, 4), (21, 5)],
    ids=lambda v: str(v),
)
def test_ovp_non_violent_sanction_points(non_violent, points):
    assert points_for(non_violent, ovp.policy()["points"]["non_violent_sanctions"]) == points


@pytest.mark.parametrize(
    ("age", "points"),
    [
        (18, 20),
        (19, 20),
        (20, 17),
        (22, 14),
        (24, 12),
        (25, 12),
        (26, 10),
        (30, 10),
        (31, 8),
        (36, 6),
        (41, 4),
        (46, 2),
        (50, 2),
        (51, 0),
        (80, 0),
    ],
    ids=lambda v: str(v),
)
def test_ovp_age_points(age, points):
    assert points_for(age, ovp.policy()["points"]["age_at_follow_up"]) == points


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (1, "low"),
        (29, "low"),
        (30, "medium"),
        (31, "medium"),
        (59, "medium"),
        (60, "high"),
        (61, "high"),
        (79, "high"),
        (80, "very_high"),
        (81, "very_high"),
        (99, "very_high"),
    ],
    ids=lambda v: str(v),
)
def test_ovp_bands_below_at_above(percent, band):
    assert band_for(Decimal(percent), bands(ovp.policy()["bands"])) == band


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "2007-01-01"}, "date_of_birth"),
        ({"violent_sanctions": 7}, "violent_sanctions"),
        ({"binge_drinking": 5}, "binge_drinking"),
        ({"unemployed": None}, "unemployed"),
        ({"total_sanctions": -1}, "total_sanctions"),
    ],
    ids=["under_18", "more_violent_than_total", "answer_out_of_range", "answer_missing", "negative_sanctions"],
)
def test_ovp_input_errors(change, field):
    with pytest.raises(CalculationInputError) as caught:
        calculate("ovp", {**OVP, **change})
    assert field in {e.field for e in caught.value.errors}


def test_ogp_worked_example_43_points():
    # OGRS3 two-year 31% (see test_ogrs3) -> half-up(0.6 x 31 = 18.6) = 19; NFA 5; employed 0;
    # activities 1 -> 3; drugs half-up(3.75 x (2 + 0) = 7.5) = 8; thinking half-up(5/6 x 3 = 2.5) = 3;
    # pro-criminal 2 -> 5. Total 43.
    # p1 = logistic(0.0616 x 43 - 3.6832) = logistic(-1.0344) = 0.26223 -> 26%
    # p2 = logistic(2.6488 - 3.0795) = logistic(-0.4307) = 0.39396 -> 39% -> medium
    result = calculate("ogp", OGP)
    assert result["ogrs3"]["two_year_percent"] == 31
    assert [t["contribution"] for t in result["explanation"]] == [19, 5, 0, 3, 8, 3, 5]
    assert (result["points"], result["one_year_percent"], result["two_year_percent"], result["band"]) == (
        43,
        26,
        39,
        "medium",
    )


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (1, "low"),
        (33, "low"),
        (34, "medium"),
        (35, "medium"),
        (66, "medium"),
        (67, "high"),
        (68, "high"),
        (84, "high"),
        (85, "very_high"),
        (86, "very_high"),
        (99, "very_high"),
    ],
    ids=lambda v: str(v),
)
def test_ogp_bands_below_at_above(percent, band):
    assert band_for(Decimal(percent), bands(ogp.policy()["bands"])) == band


def test_ogp_rounds_halves_up():
    # 3.75 x 6 = 22.5 would round to 22 with banker's rounding; the rule is half-up: 23.
    result = calculate("ogp", {**OGP, "drug_misuse": 2, "motivation_to_tackle_drug_misuse": 2})
    drugs = next(t for t in result["explanation"] if t["name"] == "drug_misuse")
    assert (drugs["value"], drugs["contribution"]) == (4, 15)


def test_ogp_input_errors_include_ogrs3_ones():
    with pytest.raises(CalculationInputError) as caught:
        calculate("ogp", {**OGP, "problem_solving": 3, "age_at_first_sanction": 50})
    assert {e.field for e in caught.value.errors} == {"problem_solving", "age_at_first_sanction"}
