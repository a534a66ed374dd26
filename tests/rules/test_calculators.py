"""The calculate() contract: every tool round-trips through plain JSON, and bad payloads get field-named errors."""

from __future__ import annotations

import json

import pytest

from openprobation.rules.calculators import TOOLS, CalculationInputError, calculate

from .examples import ALL, TIER_V3

SCORES = {
    "ogrs3": {"one_year_percent", "two_year_percent", "band"},
    "snsv": {"percent", "model", "band"},
    "osp-dc": {"points", "percent", "band", "unreduced_band", "risk_reduction_applied"},
    "osp-iic": {"percent", "band", "rule"},
    "rsr": {"percent", "band", "snsv_percent", "osp_dc_percent", "osp_iic_percent", "snsv_model"},
    "ovp": {"points", "one_year_percent", "two_year_percent", "band"},
    "ogp": {"points", "one_year_percent", "two_year_percent", "band", "ogrs3"},
    "tier": {"tier", "protect_level", "protect_points", "change_level", "change_points", "unsupervised", "version"},
}


def test_registry_lists_every_tool():
    assert set(TOOLS) == {
        "ogrs3", "snsv", "osp-dc", "osp-iic", "rsr", "ovp", "ogp", "tier", "workload", "rating", "recall-type"
    }


@pytest.mark.parametrize("tool", sorted(ALL))
def test_round_trip_through_json(tool):
    payload = json.loads(json.dumps(ALL[tool]))
    result = calculate(tool, payload)
    assert json.loads(json.dumps(result)) == result
    assert result["tool"] == tool
    assert result["policy_version"]
    assert SCORES[tool] <= set(result)
    assert isinstance(result["notes"], list)
    for term in result["explanation"]:
        assert set(term) == {"name", "value", "coefficient", "contribution", "detail"}


def test_tier_version_3_round_trip():
    result = calculate("tier", json.loads(json.dumps(TIER_V3)))
    assert {"tier", "provisional", "version"} <= set(result) and result["version"] == 3


def test_same_input_gives_the_same_result():
    assert calculate("rsr", ALL["rsr"]) == calculate("rsr", ALL["rsr"])


def test_unknown_tool_is_an_input_error():
    with pytest.raises(CalculationInputError) as caught:
        calculate("ogrs4", {})
    assert caught.value.errors[0].field == "tool"


@pytest.mark.parametrize("tool", sorted(ALL))
def test_unknown_fields_are_refused(tool):
    with pytest.raises(CalculationInputError) as caught:
        calculate(tool, {**ALL[tool], "gendr": "male"})
    assert "gendr" in {e.field for e in caught.value.errors}


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("date_of_birth", "15/03/1990", "YYYY-MM-DD"),
        ("date_of_birth", "1990-02-30", "not a real date"),
        ("date_of_birth", 19900315, "YYYY-MM-DD"),
        ("total_sanctions", "5", "whole number"),
        ("total_sanctions", 5.5, "whole number"),
        ("total_sanctions", True, "whole number"),
        ("gender", "M", "male, female"),
        ("offence_code", "", "text"),
        ("offence_code", None, "not null"),
    ],
    ids=[
        "date_wrong_format",
        "date_not_real",
        "date_as_number",
        "count_as_text",
        "count_fraction",
        "count_bool",
        "gender_not_in_enum",
        "empty_text",
        "null_required",
    ],
)
def test_type_errors_name_the_field(field, value, fragment):
    with pytest.raises(CalculationInputError) as caught:
        calculate("ogrs3", {**ALL["ogrs3"], field: value})
    errors = {e.field: e.message for e in caught.value.errors}
    assert fragment in errors[field]


def test_missing_required_fields_are_each_named():
    with pytest.raises(CalculationInputError) as caught:
        calculate("ovp", {"gender": "male"})
    assert {"date_of_birth", "follow_up_start", "unemployed", "temper_control"} <= {
        e.field for e in caught.value.errors
    }


def test_payload_must_be_an_object():
    with pytest.raises(CalculationInputError) as caught:
        calculate("ogrs3", ["male"])  # type: ignore[arg-type]
    assert caught.value.errors[0].field == "body"


def test_decimal_fields_take_numbers_or_numeric_text():
    assert calculate("tier", {**ALL["tier"], "rsr_percent": "7.00"})["protect_points"] == 20
    with pytest.raises(CalculationInputError) as caught:
        calculate("tier", {**ALL["tier"], "rsr_percent": "high"})
    assert caught.value.errors[0].field == "rsr_percent"


def test_errors_serialise_for_problem_json():
    with pytest.raises(CalculationInputError) as caught:
        calculate("ogrs3", {**ALL["ogrs3"], "age_at_first_sanction": 9})
    assert caught.value.as_dicts() == [
        {"field": "age_at_first_sanction", "message": "Age at first sanction must be 10 or over"}
    ]
