"""The workload calculator through ``openprobation calc workload`` and ``POST /api/v1/calculate/workload``: the
same result as ``calculate("workload", ...)``; each kind of bad input a field error (exit 2 / 422), never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from openprobation import cli
from openprobation.core.tokens import token_create
from openprobation.rules.calculators import calculate
from tests.calculators.test_calculate_interfaces import run_cli

WORKLOAD = {
    "grade": "PO",
    "contracted_hours": 37,
    "reduction_hours": 1.8,
    "cases": [
        {"tier": "A3", "case_type": "community", "t2a": False},
        {"tier": "B2", "case_type": "licence", "t2a": False},
        {"tier": "C1", "case_type": "custody", "t2a": True},
        {"tier": None, "case_type": "community", "t2a": False},
    ],
    "reports": [{"type": "standard_psr"}, {"type": "fast_psr"}, {"type": "parole"}],
}
# 206 + 132 + 23 (T2A custody C1) + 0 + 138 + 65 + 120 = 684; 2176 x 35.2 / 37 = 2070.1 -> 2070; 684/2070 = 0.33043
EXPECTED = {"total_points": 684, "available_points": 2070, "capacity_percent": 33.0, "remaining_points": 1386}
WHAT_IF = {**WORKLOAD, "points_table": {"standard": {"A3": {"community": 306}}}}

BAD_INPUTS = [
    ({**WORKLOAD, "reduction_hours": 37.5}, "reduction_hours"),
    ({**WORKLOAD, "cases": [{"tier": "E4", "case_type": "community"}]}, "cases.0.tier"),
    ({**WORKLOAD, "cases": [{"tier": "A3", "case_type": "prison"}]}, "cases.0.case_type"),
    ({**WORKLOAD, "cases": [{"case_type": "community"}]}, "cases.0.tier"),
    ({**WORKLOAD, "reports": [{"type": "oral"}]}, "reports.0.type"),
    ({**WORKLOAD, "grade": "Chief"}, "grade"),
    ({**WORKLOAD, "contracted_hours": "lots"}, "contracted_hours"),
    ({k: v for k, v in WORKLOAD.items() if k != "reduction_hours"}, "reduction_hours"),
    ({**WORKLOAD, "cases": {"tier": "A3"}}, "cases"),
    ({**WORKLOAD, "caseload": []}, "caseload"),
    ({**WORKLOAD, "points_table": {"standard": {"A9": {"community": 1}}}}, "points_table.standard.A9"),
    ({**WORKLOAD, "points_table": {"standard": {"A3": {"community": -5}}}}, "points_table.standard.A3.community"),
    ([WORKLOAD], "body"),
]
BAD_IDS = ["reduction_above_contracted_hours", "unknown_tier", "unknown_case_type", "tier_missing",
           "unknown_report_type", "unknown_grade", "hours_not_a_number", "reduction_hours_missing", "cases_not_a_list",
           "unknown_field", "points_table_unknown_tier", "points_table_negative", "not_an_object"]


@pytest.fixture
def api(org):
    client = Client()
    headers = {"Authorization": f"Bearer {token_create(username='po')}"}

    def post(payload: Any):
        body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        return client.post("/api/v1/calculate/workload", body, content_type="application/json", headers=headers)

    return post


def test_calculator_gives_the_worked_example():
    result = calculate("workload", WORKLOAD)
    assert {k: result[k] for k in EXPECTED} == EXPECTED
    assert result["tool"] == "workload" and result["policy_version"]
    names = [term["name"] for term in result["explanation"]]
    assert names.count("case_points") == 4 and names.count("report_points") == 3
    assert {"total_points", "available_points", "capacity_percent", "remaining_points"} <= set(names)
    for term in result["explanation"]:
        assert set(term) == {"name", "value", "coefficient", "contribution", "detail"}


def test_cli_reads_a_file_and_prints_the_result(tmp_path, capsys):
    path = tmp_path / "workload.json"
    path.write_text(json.dumps(WORKLOAD))
    assert cli.main(["calc", "workload", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == calculate("workload", WORKLOAD)


@pytest.mark.parametrize(("payload", "field"), BAD_INPUTS, ids=BAD_IDS)
def test_cli_bad_input_exits_2_naming_the_field(payload, field, monkeypatch, capsys):
    code, output = run_cli("workload", payload, monkeypatch, capsys)
    assert code == 2
    assert field in {e["field"] for e in output["errors"]}


def test_cli_what_if_points_table(monkeypatch, capsys):
    code, output = run_cli("workload", WHAT_IF, monkeypatch, capsys)
    assert code == 0 and output["total_points"] == EXPECTED["total_points"] + 100


@pytest.mark.django_db
def test_api_gives_the_same_result_as_the_calculator(api):
    response = api(WORKLOAD)
    assert response.status_code == 200, response.content
    assert response.json() == calculate("workload", WORKLOAD)


@pytest.mark.django_db
def test_api_what_if_points_table(api):
    response = api(WHAT_IF)
    assert response.status_code == 200, response.content
    assert response.json()["total_points"] == EXPECTED["total_points"] + 100
    assert response.json()["policy_version"].endswith("+points_table")


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "field"), BAD_INPUTS, ids=BAD_IDS)
def test_api_bad_input_is_422_naming_the_field(api, payload, field, monkeypatch, capsys):
    response = api(payload)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = [{"field": e["field"], "message": e["message"]} for e in response.json()["errors"]]
    assert field in {e["field"] for e in errors}
    _, cli_output = run_cli("workload", payload, monkeypatch, capsys)
    assert errors == cli_output["errors"]  # the same errors through both


@pytest.mark.django_db
def test_api_malformed_json_is_400(api):
    response = api("{oops")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_api_workload_calculator_needs_a_token(org):
    response = Client().post("/api/v1/calculate/workload", json.dumps(WORKLOAD), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_openapi_documents_the_workload_calculator(org):
    operation = Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/calculate/workload"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"grade", "contracted_hours", "reduction_hours", "cases", "reports"}
    assert {"points_table", "new_case", "adjustments"} <= set(schema["properties"])
    case = schema["properties"]["cases"]["items"]
    assert case["properties"]["case_type"]["enum"] == ["community", "licence", "custody"]
    assert schema["properties"]["reports"]["items"]["properties"]["type"]["enum"] == ["standard_psr", "fast_psr",
                                                                                     "parole"]
    assert {str(s) for s in operation["responses"]} >= {"200", "400", "401", "413", "422"}
    assert operation["security"]  # a bearer token, as for the risk tools
