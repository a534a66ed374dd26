"""OSP/DC (points, bands, probability, risk reduction) and OSP/IIC (hierarchy)."""

from __future__ import annotations

import pytest

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.predictors import osp
from openprobation.rules.predictors.base import band_for, bands

from .examples import OSP_DC, OSP_IIC


def test_osp_dc_worked_example_35_points_high():
    # 2 contact adult -> 10; 1 contact child -> 3; 0 non-contact -> 0; age 43 at follow-up start
    # -> 14 - floor((43 - 18) / 3) = 14 - 8 = 6; 40 at last sexual sanction -> 10; prior sanction -> 6;
    # stranger victim no -> 0. Total 35 -> high (30-35).
    # probability = logistic(-8.633 + 0.1598 x 35) = logistic(-3.040) = 0.045651 -> 4.57%
    result = calculate("osp-dc", OSP_DC)
    assert (result["points"], result["percent"], result["band"]) == (35, 4.57, "high")
    assert [t["contribution"] for t in result["explanation"]] == [10, 3, 0, 6, 10, 6, 0]


@pytest.mark.parametrize(
    ("age", "points"),
    [(17, 14), (18, 14), (20, 14), (21, 13), (23, 13), (24, 12), (57, 1), (59, 1), (60, 0), (75, 0)],
    ids=lambda v: str(v),
)
def test_osp_dc_age_at_follow_up_points(age, points):
    assert osp.dc_age_points(osp.dc_policy(), age) == points


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (0, "low"),
        (21, "low"),
        (22, "medium"),
        (23, "medium"),
        (29, "medium"),
        (30, "high"),
        (31, "high"),
        (35, "high"),
        (36, "very_high"),
        (37, "very_high"),
        (64, "very_high"),
    ],
    ids=lambda v: str(v),
)
def test_osp_dc_points_bands_below_at_above(points, band):
    assert band_for(points, bands(osp.dc_policy()["bands"])) == band


# Whole calculations at each points band edge (low [0, 22), medium [22, 30), high [30, 36), very high [36, 64]).
# A man with a sexual-offence history, born 1980-05-01: 43 at follow-up start 2024-02-01 -> 14 - floor(25 / 3) = 6;
# last sexual sanction 2015-06-01 at 35 -> 10. Points: contact child 1/2/3 -> 3/6/9; non-contact 1/2/3 -> 2/4/6;
# any prior sanction (4 in all) 6; stranger victim 4. percent = logistic(-8.633 + 0.1598 x points), 2 dp half up.
DC_EDGE_CASES = [
    # (child, non-contact, total sanctions, stranger, points, percent, band)
    (1, 1, 1, False, 21, 0.51, "low"),  # 3 + 2 + 6 + 10 = 21; logistic(-5.2772) = 0.005081
    (0, 0, 4, False, 22, 0.60, "medium"),  # 6 + 10 + 6 = 22; logistic(-5.1174) = 0.005956
    (1, 0, 1, True, 23, 0.70, "medium"),  # 3 + 6 + 10 + 4 = 23; logistic(-4.9576) = 0.006981
    (1, 0, 4, True, 29, 1.80, "medium"),  # 3 + 6 + 10 + 6 + 4 = 29; logistic(-3.9988) = 0.018007
    (0, 2, 4, True, 30, 2.11, "high"),  # 4 + 6 + 10 + 6 + 4 = 30; logistic(-3.839) = 0.021062
    (1, 1, 4, True, 31, 2.46, "high"),  # 3 + 2 + 6 + 10 + 6 + 4 = 31; logistic(-3.6792) = 0.024622
    (1, 3, 4, True, 35, 4.57, "high"),  # 3 + 6 + 6 + 10 + 6 + 4 = 35; logistic(-3.04) = 0.045651
    (2, 2, 4, True, 36, 5.31, "very_high"),  # 6 + 4 + 6 + 10 + 6 + 4 = 36; logistic(-2.8802) = 0.053141
    (3, 1, 4, True, 37, 6.18, "very_high"),  # 9 + 2 + 6 + 10 + 6 + 4 = 37; logistic(-2.7204) = 0.061780
]


@pytest.mark.parametrize(
    ("child", "non_contact", "total", "stranger", "points", "percent", "band"),
    DC_EDGE_CASES,
    ids=[f"{c[4]}_points_{c[6]}" for c in DC_EDGE_CASES],
)
def test_osp_dc_whole_calculations_below_at_above_each_points_band_edge(
    child, non_contact, total, stranger, points, percent, band
):
    payload = {
        "gender": "male", "has_sexual_offence_history": True, "date_of_birth": "1980-05-01",
        "follow_up_start": "2024-02-01", "assessment_date": "2024-08-01", "total_sanctions": total,
        "contact_adult_sexual_sanctions": 0, "contact_child_sexual_sanctions": child,
        "non_contact_sexual_sanctions": non_contact, "indecent_image_sanctions": 0, "stranger_victim": stranger,
        "last_sexual_sanction_date": "2015-06-01",
    }  # fmt: skip
    result = calculate("osp-dc", payload)
    assert (result["points"], result["percent"], result["band"]) == (points, percent, band)


@pytest.mark.parametrize(
    ("field", "counts", "points"),
    [
        ("contact_adult_sexual_sanctions", [0, 1, 2, 3, 7], [0, 5, 10, 15, 15]),
        ("contact_child_sexual_sanctions", [0, 1, 2, 3, 7], [0, 3, 6, 9, 9]),
        ("non_contact_sexual_sanctions", [0, 1, 2, 3, 7], [0, 2, 4, 6, 6]),
    ],
    ids=["contact_adult", "contact_child", "non_contact"],
)
def test_osp_dc_sanction_points(field, counts, points):
    got = []
    for count in counts:
        result = calculate("osp-dc", {**OSP_DC, field: count})
        got.append(next(t["contribution"] for t in result["explanation"] if t["name"] == field))
    assert got == points


@pytest.mark.parametrize(
    ("last_sanction", "points"),
    [("1995-04-30", 0), ("1996-05-01", 5), ("1998-04-30", 5), ("1998-05-01", 10)],
    ids=["age_14", "age_16", "age_17", "age_18"],
)
def test_osp_dc_age_at_last_sexual_sanction(last_sanction, points):
    result = calculate("osp-dc", {**OSP_DC, "last_sexual_sanction_date": last_sanction})
    assert (
        next(t["contribution"] for t in result["explanation"] if t["name"] == "age_at_last_sexual_sanction") == points
    )


def test_osp_dc_zero_points_is_zero_probability():
    payload = {
        **OSP_DC,
        "contact_adult_sexual_sanctions": 0,
        "contact_child_sexual_sanctions": 0,
        "date_of_birth": "1950-01-01",
        "total_sanctions": 1,
        "last_sexual_sanction_date": None,
    }
    result = calculate("osp-dc", payload)
    assert (result["points"], result["percent"], result["band"]) == (0, 0.0, "low")


@pytest.mark.parametrize(
    ("change", "applied", "band"),
    [
        ({}, True, "medium"),
        ({"in_custody": True}, False, "high"),
        ({"most_recent_offence_date": "2019-08-02"}, False, "high"),
        ({"most_recent_sexual_offence_date": "2019-08-01"}, True, "medium"),
        ({"follow_up_start": "2019-08-02"}, False, "high"),
        ({"gender": "female"}, False, "not_applicable"),
    ],
    ids=[
        "five_years_free_in_community",
        "in_custody",
        "offence_under_5_years",
        "sexual_offence_exactly_5_years",
        "follow_up_under_5_years",
        "woman_not_applicable",
    ],
)
def test_osp_dc_risk_reduction_rule(change, applied, band):
    # 1 contact adult 5 + 1 contact child 3 + age 38 at follow-up 8 + last sanction at 38 10 + prior 6 = 32: high.
    payload = {
        **OSP_DC,
        "follow_up_start": "2019-01-01",
        "assessment_date": "2024-08-01",
        "in_custody": False,
        "contact_adult_sexual_sanctions": 1,
        "most_recent_offence_date": "2018-01-01",
        "most_recent_sexual_offence_date": "2018-01-01",
        "last_sexual_sanction_date": "2018-06-01",
        **change,
    }
    result = calculate("osp-dc", payload)
    assert (result["risk_reduction_applied"], result["band"]) == (applied, band)


def test_osp_dc_risk_reduction_not_checked_without_its_inputs_says_so():
    result = calculate("osp-dc", OSP_DC)
    assert not result["risk_reduction_applied"]
    assert any("Risk-reduction rule not checked" in n for n in result["notes"])


@pytest.mark.parametrize(
    ("counts", "rule", "percent", "band"),
    [
        ((0, 0, 0, 2), "two_or_more_indecent_image_sanctions", 10.31, "high"),
        ((3, 2, 0, 1), "one_indecent_image_sanction", 3.33, "medium"),
        ((0, 2, 0, 0), "two_or_more_contact_child_sanctions", 0.93, "low"),
        ((1, 1, 0, 0), "one_contact_child_sanction", 0.63, "low"),
        ((0, 0, 0, 0), "no_sexual_sanctions", 0.06, "low"),
        ((1, 0, 1, 0), "other", 0.28, "low"),
    ],
    ids=["images_2_plus", "images_1", "contact_child_2_plus", "contact_child_1", "no_sexual_sanctions", "other"],
)
def test_osp_iic_hierarchy_first_match_wins(counts, rule, percent, band):
    adult, child, non_contact, images = counts
    payload = {
        **OSP_IIC,
        "contact_adult_sexual_sanctions": adult,
        "contact_child_sexual_sanctions": child,
        "non_contact_sexual_sanctions": non_contact,
        "indecent_image_sanctions": images,
    }
    result = calculate("osp-iic", payload)
    assert (result["rule"], result["percent"], result["band"]) == (rule, percent, band)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"indecent_image_sanctions": -1}, "indecent_image_sanctions"),
        ({"contact_child_sexual_sanctions": None}, "contact_child_sexual_sanctions"),
        ({"has_sexual_offence_history": False}, "has_sexual_offence_history"),
    ],
    ids=["negative_count", "count_missing_for_man_with_history", "counts_contradict_history"],
)
def test_osp_iic_input_errors(change, field):
    with pytest.raises(CalculationInputError) as caught:
        calculate("osp-iic", {**OSP_IIC, **change})
    assert field in {e.field for e in caught.value.errors}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stranger_victim": None}, "stranger_victim"),
        ({"last_sexual_sanction_date": "1985-01-01"}, "last_sexual_sanction_date"),
        ({"last_sexual_sanction_date": "2025-01-01"}, "last_sexual_sanction_date"),
        ({"date_of_birth": "2016-01-01"}, "date_of_birth"),
        ({"total_sanctions": 0}, "total_sanctions"),
    ],
    ids=[
        "stranger_victim_missing",
        "last_sanction_under_10",
        "last_sanction_after_assessment",
        "under_10",
        "no_sanctions",
    ],
)
def test_osp_dc_input_errors(change, field):
    with pytest.raises(CalculationInputError) as caught:
        calculate("osp-dc", {**OSP_DC, **change})
    assert field in {e.field for e in caught.value.errors}


def test_women_and_men_without_history_are_not_applicable_and_need_no_counts():
    woman = calculate("osp-iic", {"gender": "female", "has_sexual_offence_history": True})
    man = calculate("osp-iic", {"gender": "male", "has_sexual_offence_history": False})
    assert woman["band"] == man["band"] == "not_applicable"
    assert woman["percent"] == man["percent"] == 0
    assert "men only" in woman["notes"][0] and "no sexual-offence history" in man["notes"][0]
