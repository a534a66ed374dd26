"""The warning-sign scan through the command line and the API: same input, same result; bad input, field errors
(CLI exit 2, API 422 or 400), never a 500; the API needs a token and is in the OpenAPI document."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from django.test import Client

from openprobation import cli
from openprobation.api.v1 import api as api_v1
from openprobation.core.tokens import token_create
from openprobation.rules.signal_requests import MAX_TEXT_CHARACTERS, signals_request

NOTE = {"text": "Ex partner rang: he keeps turning up at her work and she is scared. He denies any new relationship."}
EXPECTED = {
    "signals": [
        {"signal": "stalking_harassment", "severity": "high", "evidence": "turning up at her work",
         "sentence": "Ex partner rang: he keeps turning up at her work and she is scared.",
         "rule": "stalking_harassment.following_and_loitering"},
        {"signal": "feels_unsafe", "severity": "high", "evidence": "scared",
         "sentence": "Ex partner rang: he keeps turning up at her work and she is scared.",
         "rule": "feels_unsafe.fear"},
    ]
}  # fmt: skip

# (case id, body, field named in the error)
BAD_INPUT = [
    ("missing_text", {}, "text"),
    ("text_not_a_string", {"text": 42}, "text"),
    ("text_null", {"text": None}, "text"),
    ("text_too_long", {"text": "x" * (MAX_TEXT_CHARACTERS + 1)}, "text"),
    ("unknown_field", {"text": "ok", "crn": "X123456"}, "crn"),
    ("not_an_object", ["text"], "body"),
]


def run_cli(payload: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = cli.main(["signals", "scan", "--json", "-"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def post(org):
    client = Client()
    headers = {"Authorization": f"Bearer {token_create(username='po')}"}

    def send(body: Any, *, auth: bool = True):
        data = body if isinstance(body, bytes) else json.dumps(body)
        return client.post("/api/v1/calculate/signals", data, content_type="application/json",
                           headers=headers if auth else {})  # fmt: skip

    return send


def test_cli_scan_prints_the_signals(monkeypatch, capsys):
    assert run_cli(NOTE, monkeypatch, capsys) == (0, EXPECTED)


def test_cli_scan_reads_a_file(tmp_path, capsys):
    path = tmp_path / "note.json"
    path.write_text(json.dumps(NOTE))
    assert cli.main(["signals", "scan", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED


def test_cli_scan_missing_file_exits_2(tmp_path, capsys):
    assert cli.main(["signals", "scan", "--json", str(tmp_path / "none.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_cli_scan_bad_input_exits_2_naming_the_field(body, field, monkeypatch, capsys):
    code, output = run_cli(body, monkeypatch, capsys)
    assert code == 2
    assert field in {e["field"] for e in output["errors"]}


def test_cli_scan_not_json_exits_2(monkeypatch, capsys):
    code, output = run_cli(b"{oops", monkeypatch, capsys)
    assert code == 2 and "Not valid JSON" in output["errors"][0]["message"]


def test_cli_evaluate_prints_figures_and_exits_0_when_targets_are_met(capsys):
    assert cli.main(["signals", "evaluate"]) == 0
    out = capsys.readouterr().out
    assert "All notes: " in out and "Held-out notes: " in out and "Development notes: " in out
    assert "stalking_harassment" in out and "false prompts:" in out and "targets: all met" in out


def test_cli_evaluate_exits_1_below_target(tmp_path, capsys):
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "He is fine.", "expected": ["threats"]}) + "\n")
    assert cli.main(["signals", "evaluate", "--file", str(path), "--show-misses"]) == 1
    out = capsys.readouterr().out
    assert "NOT MET" in out and "missed: threats in 1" in out


@pytest.mark.parametrize(
    "content", ["{oops\n", json.dumps({"text": "x", "expected": ["nope"]})], ids=["not_json", "unknown_signal"]
)
def test_cli_evaluate_bad_file_exits_2(tmp_path, capsys, content):
    path = tmp_path / "notes.jsonl"
    path.write_text(content)
    assert cli.main(["signals", "evaluate", "--file", str(path)]) == 2
    assert "line 1" in capsys.readouterr().err


@pytest.mark.django_db
def test_api_gives_the_same_result_as_the_cli(post):
    response = post(NOTE)
    assert response.status_code == 200
    assert response.json() == EXPECTED == signals_request(NOTE)


@pytest.mark.django_db
def test_api_empty_text_raises_nothing(post):
    response = post({"text": ""})
    assert (response.status_code, response.json()) == (200, {"signals": []})


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_api_bad_input_is_422_naming_the_field(post, body, field):
    response = post(body)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.django_db
def test_api_not_json_is_400(post):
    response = post(b"{oops")
    assert response.status_code == 400 and "Not valid JSON" in response.json()["detail"]


@pytest.mark.django_db
def test_api_needs_a_token(post):
    response = post(NOTE, auth=False)
    assert response.status_code == 401


def test_openapi_documents_the_operation_its_body_and_its_errors():
    operation = api_v1.get_openapi_schema()["paths"]["/api/v1/calculate/signals"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["text"] and body["properties"]["text"]["maxLength"] == MAX_TEXT_CHARACTERS
    assert operation["security"]
    statuses = {int(s) for s in operation["responses"]}
    assert statuses == {200, 400, 401, 413, 422}
    result = operation["responses"][200]["content"]["application/json"]["schema"]
    assert result["properties"]["signals"]["items"]["required"] == ["signal", "severity", "evidence", "sentence",
                                                                    "rule"]  # fmt: skip
