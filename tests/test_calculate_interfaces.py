"""The calculators through the command line and the API: same input, same result; bad input, field-named errors."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openprobation import cli
from openprobation.core.tokens import token_create
from openprobation.rules.calculators import TOOLS, calculate
from tests.rules.examples import ALL, OGRS3, TIER_V2, TIER_V3


def run_cli(tool: str, payload: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``openprobation calc TOOL --json -`` with the payload (a dict, JSON text or raw bytes) on stdin."""
    if isinstance(payload, bytes):
        data = payload
    else:
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = cli.main(["calc", tool, "--json", "-"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def api(org):
    client = Client()
    headers = {"Authorization": f"Bearer {token_create(username='po')}"}

    def post(tool: str, payload: Any):
        body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        return client.post(f"/api/v1/calculate/{tool}", body, content_type="application/json", headers=headers)

    return post


@pytest.mark.parametrize("tool", sorted(ALL))
def test_cli_prints_the_same_result_as_the_calculator(tool, monkeypatch, capsys):
    code, output = run_cli(tool, ALL[tool], monkeypatch, capsys)
    assert code == 0
    assert output == calculate(tool, ALL[tool])


def test_cli_reads_a_file(tmp_path, capsys):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(OGRS3))
    assert cli.main(["calc", "ogrs3", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["tool"] == "ogrs3"


def test_cli_invalid_input_exits_2_with_errors_as_json(monkeypatch, capsys):
    code, output = run_cli("ogrs3", {**OGRS3, "age_at_first_sanction": 60, "total_sanctions": -1}, monkeypatch, capsys)
    assert code == 2
    assert {e["field"] for e in output["errors"]} >= {"total_sanctions"}


def test_cli_malformed_json_exits_2(monkeypatch, capsys):
    code, output = run_cli("ogrs3", "{oops", monkeypatch, capsys)
    assert code == 2
    assert "Not valid JSON" in output["errors"][0]["message"]


# Bodies json.loads cannot read that are not a JSONDecodeError: each must be reported, never a traceback or a 500.
NOT_UTF8 = b'{"gender": "m\xe9le"}'  # Latin-1 e-acute: not UTF-8
LONG_INTEGER = ('{"total_sanctions": ' + "9" * 4301 + "}").encode()  # over the 4,300-digit conversion limit
DEEP_NESTING = b"[" * 100_000 + b"]" * 100_000  # deeper than the parser's recursion limit
UNREADABLE_BODIES = [NOT_UTF8, LONG_INTEGER, DEEP_NESTING]
UNREADABLE_IDS = ["not_utf8", "integer_over_4300_digits", "nested_too_deep"]


@pytest.mark.parametrize("body", UNREADABLE_BODIES, ids=UNREADABLE_IDS)
def test_cli_unreadable_json_exits_2_with_errors_as_json(body, monkeypatch, capsys):
    code, output = run_cli("ogrs3", body, monkeypatch, capsys)
    assert code == 2
    assert output["errors"][0]["field"] == ""
    assert output["errors"][0]["message"].startswith("Not valid JSON")


def test_cli_non_utf8_file_exits_2_naming_the_encoding(tmp_path, capsys):
    path = tmp_path / "input.json"
    path.write_bytes(NOT_UTF8)
    assert cli.main(["calc", "ogrs3", "--json", str(path)]) == 2
    assert "not UTF-8" in json.loads(capsys.readouterr().out)["errors"][0]["message"]


def test_cli_missing_file_exits_2(capsys):
    assert cli.main(["calc", "ogrs3", "--json", "/nonexistent/input.json"]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.parametrize("tool", sorted(ALL))
def test_api_returns_the_same_result_as_the_calculator(api, tool):
    response = api(tool, ALL[tool])
    assert response.status_code == 200, response.content
    assert response.json() == calculate(tool, ALL[tool])


@pytest.mark.django_db
def test_api_tier_version_3(api):
    assert api("tier", TIER_V3).json()["tier"] == calculate("tier", TIER_V3)["tier"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**OGRS3, "gender": "unknown"}, "gender"),
        ({**OGRS3, "offence_code": "99999"}, "offence_code"),
        ({**OGRS3, "total_sanctions": "three"}, "total_sanctions"),
        ({**OGRS3, "colour": "blue"}, "colour"),
        ({**OGRS3, "age_at_first_sanction": 9}, "age_at_first_sanction"),
    ],
    ids=["enum", "unknown_offence", "wrong_type", "unknown_field", "first_sanction_under_10"],
)
def test_api_invalid_input_is_422_with_the_field(api, payload, field):
    response = api("ogrs3", payload)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.django_db
def test_api_malformed_json_is_400_problem(api):
    response = api("rsr", "{oops")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.parametrize("body", UNREADABLE_BODIES, ids=UNREADABLE_IDS)
def test_api_unreadable_json_is_400_problem_not_500(api, body):
    response = api("ogrs3", body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"].startswith("Not valid JSON")


@pytest.mark.django_db
@pytest.mark.parametrize("body", UNREADABLE_BODIES, ids=UNREADABLE_IDS)
def test_cli_and_api_report_unreadable_json_the_same_way(api, body, monkeypatch, capsys):
    _, cli_output = run_cli("tier", body, monkeypatch, capsys)
    api_errors = api("tier", body).json()["errors"]
    assert [{"field": e["field"], "message": e["message"]} for e in api_errors] == cli_output["errors"]


@pytest.mark.django_db
def test_api_calculators_need_a_token(org):
    response = Client().post("/api/v1/calculate/ogrs3", json.dumps(OGRS3), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_openapi_documents_each_tools_input_fields(org):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for tool in TOOLS:
        schema = paths[f"/api/v1/calculate/{tool}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        if tool == "tier":
            assert {"arp_percent", "csrp_percent"} <= set(schema["oneOf"][1]["properties"])
        else:
            assert "gender" in schema["properties"]
    ogrs3 = paths["/api/v1/calculate/ogrs3"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(OGRS3) <= set(ogrs3["properties"])
    tier = paths["/api/v1/calculate/tier"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    v3 = tier["oneOf"][1]["properties"]
    dc_srp = next(option for option in v3["dc_srp"]["anyOf"] if option.get("type") == "object")
    assert set(dc_srp["properties"]) == {"percent", "band"}  # the spec's dc_srp, as {percent, band}


ogrs3_inputs = st.fixed_dictionaries(
    {
        "gender": st.sampled_from(["male", "female"]),
        "date_of_birth": st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2000, 1, 1)).map(str),
        "conviction_date": st.just("2025-06-01"),
        "follow_up_start": st.just("2025-07-01"),
        "total_sanctions": st.integers(min_value=1, max_value=60),
        "age_at_first_sanction": st.integers(min_value=10, max_value=25),
        "offence_code": st.sampled_from(["00101", "02400", "05400", "09200", "12500", "80400"]),
    }
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=ogrs3_inputs)
def test_cli_and_api_agree_on_any_valid_ogrs3_input(api, monkeypatch, capsys, payload):
    code, cli_output = run_cli("ogrs3", payload, monkeypatch, capsys)
    response = api("ogrs3", payload)
    assert (code == 0) == (response.status_code == 200)
    expected = cli_output if code == 0 else {"errors": cli_output["errors"]}
    actual = (
        response.json()
        if code == 0
        else {"errors": [{"field": e["field"], "message": e["message"]} for e in response.json()["errors"]]}
    )
    assert actual == expected


# Tier RoSH from the registrations (the audit's case: RVHR and MAPP with rosh null was D2, silently).
# RVHR very high 150 points + MAPPA level 1 5 points = 155 -> protect A (>= 150); TIER_V2 has a mandate, a layer 3
# and no needs, so change points 0 -> level 1: A1.
TIER_FROM_REGISTRATIONS = {**TIER_V2, "rosh": None, "registrations": ["RVHR", "MAPP"], "mappa_level": 1,
                           "mappa_category": 1}  # fmt: skip


@pytest.mark.django_db
def test_tier_rosh_from_registrations_is_the_same_through_the_cli_and_the_api(api, monkeypatch, capsys):
    code, cli_output = run_cli("tier", TIER_FROM_REGISTRATIONS, monkeypatch, capsys)
    response = api("tier", TIER_FROM_REGISTRATIONS)
    assert code == 0 and response.status_code == 200
    assert cli_output == response.json()
    assert (cli_output["tier"], cli_output["protect_points"]) == ("A1", 155)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"rosh": "high"}, {"rosh"}),
        ({"mappa_category": None}, {"mappa_category"}),
        ({"mappa_level": None, "mappa_category": None}, {"mappa_level", "mappa_category"}),
    ],
    ids=["rosh_disagrees_with_rvhr", "mappa_level_without_category", "mapp_without_level_and_category"],
)
def test_tier_registration_errors_are_field_named_through_the_cli_and_the_api(api, monkeypatch, capsys, change,
                                                                             fields):  # fmt: skip
    payload = {k: v for k, v in {**TIER_FROM_REGISTRATIONS, **change}.items() if v is not None}
    code, cli_output = run_cli("tier", payload, monkeypatch, capsys)
    response = api("tier", payload)
    assert code == 2 and response.status_code == 422
    assert {e["field"] for e in cli_output["errors"]} == fields
    assert {e["field"] for e in response.json()["errors"]} == fields
