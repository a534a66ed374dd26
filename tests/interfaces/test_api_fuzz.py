"""No input through the API produces a server error, and every answer is one the OpenAPI document declares.

Every operation in the OpenAPI document is called with bodies and query strings drawn from its own schema, bent
towards the values that break services: dates at the ends of the calendar, offsets, huge and negative numbers,
NUL and very long strings, wrong types, missing and unknown fields. Whatever the input, the answer is a success or
a problem document (application/problem+json) with a 4xx status, never a 500 or an exception, and its status is
one of the responses the document lists for that operation. The run ends with a line of figures: operations,
examples, requests and the statuses seen.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openprobation.api.v1 import api
from openprobation.core.tokens import token_create
from tests.factories import make_person

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema()
COMPONENTS = SCHEMA.get("components", {}).get("schemas", {})
OPERATIONS = sorted(
    (method.upper(), path, op)
    for path, ops in SCHEMA["paths"].items()
    for method, op in ops.items()
    if method in ("get", "post", "put", "patch")
)

AWKWARD_TEXT = st.sampled_from(
    ["", " ", "\x00", "A123456\n", "x" * 5000, "é\u202e", "'; DROP TABLE people_person; --", "null", "1e309"]
)
AWKWARD_NUMBERS = st.sampled_from([0, -1, 1, 2**31, -(2**31) - 1, 2**63, 10**30, 99999999999999999999])
JUNK: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    AWKWARD_NUMBERS,
    st.floats(allow_nan=False, allow_infinity=False),
    AWKWARD_TEXT,
    st.text(max_size=20),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
DATES = st.one_of(
    st.dates(dt.date(1950, 1, 1), dt.date(2030, 12, 31)),
    st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.sampled_from([dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(9999, 12, 31), dt.date(2026, 11, 24)]),
).map(dt.date.isoformat)
DATE_TIMES = st.builds(
    lambda day, minutes, offset: f"{day}T{minutes // 60:02d}:{minutes % 60:02d}:00{offset}",
    DATES,
    st.integers(0, 24 * 60 - 1),
    st.sampled_from(["", "Z", "+00:00", "+05:00", "-12:00", "+14:00"]),
)
# Plausible values for fields whose free text is almost never valid when drawn at random, so that most bodies get
# past the first checks and reach the services (where overflowing dates and the like used to surface as 500s).
HINTS: dict[str, st.SearchStrategy[Any]] = {
    "crn": st.sampled_from(["A123456", "X100001"]),
    "offence_code": st.sampled_from(["00101", "02801", "19900", "09200"]),
    "code": st.sampled_from(["RHRH", "RVHR", "MAPP", "ADVP", "RCPR", "STRG", "IIOM"]),
    "level": st.sampled_from(["M1", "M2", "M3"]),
    "category": st.sampled_from(["M1", "M2", "M4"]),
    "team": st.sampled_from(["N07T01", "N07T02"]),
    "practitioner": st.sampled_from(["N07A001", "N07B001"]),
    "owner": st.sampled_from(["N07A001", "N07A100"]),
    "version": st.integers(1, 3),
    "reason": st.sampled_from(["Moved out of area", ""]),
}


# Figures for the whole run, written out when the module's tests are done.
SEEN: Counter[int] = Counter()
EXAMPLES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_figures(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and EXAMPLES:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(SEEN.items()))
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nAPI fuzz: {len(EXAMPLES)} of {len(OPERATIONS)} operations, {sum(EXAMPLES.values())} examples, "
                f"{sum(SEEN.values())} requests; statuses seen: {statuses}"
            )


def declared_statuses(op: dict[str, Any]) -> set[str]:
    return {str(status) for status in op.get("responses", {})}


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def from_schema(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of the schema's shape, with awkward ones of the right type, and now and then junk of any type."""
    schema = resolve(schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(s, depth) for s in schema[key]])
    if "allOf" in schema:
        return from_schema(schema["allOf"][0], depth)
    return _typed(schema, depth)


def _typed(schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        fields = {
            name: st.one_of(HINTS[name], HINTS[name], from_schema(sub, depth + 1))
            if name in HINTS
            else from_schema(sub, depth + 1)
            for name, sub in properties.items()
            if depth < 3
        }
        return st.fixed_dictionaries(
            {k: v for k, v in fields.items() if k in required},
            optional={k: v for k, v in fields.items() if k not in required},
        )
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), depth + 1), max_size=3)
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return st.one_of(DATES, st.sampled_from(["2026-02-30", "24/11/2026", "2026-1-1"]))
        if fmt == "date-time":
            return st.one_of(DATE_TIMES, st.sampled_from(["2026-11-24T25:00:00", "2026-11-24"]))
        return st.one_of(st.text(max_size=30), AWKWARD_TEXT)
    if kind == "integer":
        return st.one_of(st.integers(-5, 500), AWKWARD_NUMBERS)
    if kind == "number":
        return st.one_of(st.floats(-1e6, 1e6), st.sampled_from([-0.0, 1e308, 0.005, 6.895]), AWKWARD_NUMBERS)
    if kind == "boolean":
        return st.booleans()
    return JUNK


@st.composite
def mutated(draw: st.DrawFn, body: st.SearchStrategy[Any]) -> Any:
    """A body of the right shape, and in about half the draws one thing wrong with it: a field of the wrong type,
    a field left out, an unknown field, or not an object at all."""
    value = draw(body)
    how = draw(st.sampled_from(["none", "none", "none", "junk", "drop", "unknown", "whole"]), label="mutation")
    if how == "whole" or not isinstance(value, dict):
        return draw(JUNK) if how == "whole" else value
    if how == "junk" and value:
        value[draw(st.sampled_from(sorted(value)))] = draw(JUNK)
    elif how == "drop" and value:
        del value[draw(st.sampled_from(sorted(value)))]
    elif how == "unknown":
        value["not_a_field"] = draw(JUNK)
    return value


def query_strategy(op: dict[str, Any]) -> st.SearchStrategy[dict[str, str]]:
    names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
    if not names:
        return st.just({})
    value = st.one_of(st.text(max_size=10), AWKWARD_TEXT, AWKWARD_NUMBERS.map(str), st.sampled_from(["true", "-1"]))
    # numbers that page through results: the edges that overflow an OFFSET are drawn often, not left to chance
    paging = st.one_of(st.sampled_from(["99999999999999999999", "1000001", "0", "-1", "2"]), value)
    return st.fixed_dictionaries(
        {}, optional={name: paging if name in ("page", "page_size") else value for name in names}
    )


def body_strategy(op: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "requestBody" not in op:
        return st.none()
    return mutated(from_schema(op["requestBody"]["content"]["application/json"]["schema"]))


@pytest.fixture
def world(org, frozen_clock):
    """A case with an event, its generated work items, and an id of each kind of record to aim at."""
    person = make_person(org)
    client = Client()
    headers = {"Authorization": f"Bearer {token_create(username='po')}"}
    ids: dict[str, str] = {"crn": person.crn, "number": "1"}
    lists = {
        "contact_id": f"/api/v1/people/{person.crn}/contacts",
        "registration_id": f"/api/v1/people/{person.crn}/registrations",
        "relationship_id": f"/api/v1/people/{person.crn}/relationships",
        "item_id": f"/api/v1/people/{person.crn}/work-items",
        "check_id": f"/api/v1/people/{person.crn}/safeguarding-checks",
        "assessment_id": f"/api/v1/people/{person.crn}/rosh-assessments",
    }
    for name, path in lists.items():
        body = client.get(path, headers=headers).json()
        items = body.get("items", body) if isinstance(body, dict) else body
        ids[name] = str(items[0]["id"]) if items else "1"
    # Quality assurance reads the reports a practitioner may not (403 would hide what the input does).
    headers_by_prefix = {"/api/v1/quality/": {"Authorization": f"Bearer {token_create(username='qa')}"}}
    return client, headers, ids, headers_by_prefix


def _path(template: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "1"), template)


NOT_JSON = "{'not': json"


def _call(client: Client, headers: dict[str, str], method: str, path: str, query: dict[str, str], body: Any):
    if method == "GET":
        return client.get(path, query, headers=headers)
    data = body if body is NOT_JSON else json.dumps(body, allow_nan=False) if body is not None else ""
    if query:
        path = f"{path}?{urlencode(query)}"
    return client.generic(method, path, data, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("method", "template", "op"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_input_gives_a_server_error(world, method, template, op, data):
    client, headers, ids, headers_by_prefix = world
    headers = next((h for prefix, h in headers_by_prefix.items() if template.startswith(prefix)), headers)
    if "{" in template and data.draw(st.sampled_from([False] * 9 + [True]), label="aim at a record not there"):
        ids = {**ids, **{k: data.draw(st.sampled_from(["0", "999999999", "X999999"]), label=k) for k in ids}}
    query = data.draw(query_strategy(op), label="query")
    body = data.draw(body_strategy(op), label="body")
    # Now and then no token, a token that is not one, or a body that is not JSON at all.
    token = data.draw(st.sampled_from(["valid"] * 18 + ["none", "not a token"]), label="token")
    if token == "none":
        headers = {}
    elif token == "not a token":
        headers = {"Authorization": "Bearer op_not-a-token"}
    if "requestBody" in op and data.draw(st.sampled_from([False] * 19 + [True]), label="body not JSON"):
        body = NOT_JSON
    response = _call(client, headers, method, _path(template, ids), query, body)
    EXAMPLES[f"{method} {template}"] += 1
    SEEN[response.status_code] += 1
    assert response.status_code < 500, (response.status_code, response.content[:500])
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json", response.content[:300]
    assert str(response.status_code) in declared_statuses(op), (
        f"{method} {template} answered {response.status_code}, which its OpenAPI operation does not declare "
        f"(it declares {sorted(declared_statuses(op))})",
        response.content[:300],
    )


def test_every_operation_declares_its_problem_responses():
    """401 wherever a token is needed, 422 wherever there is input, 404 for a named record, 400 and 413 for a body,
    403 on writes and 409 where a version is sent; each a problem document of the shared Problem schema."""
    assert {"type", "title", "status", "detail"} <= set(COMPONENTS["Problem"]["properties"])
    assert set(resolve(COMPONENTS["Problem"]["properties"]["errors"]["items"])["properties"]) == {
        "field", "pointer", "message",
    }
    for method, path, op in OPERATIONS:
        declared = declared_statuses(op)
        stateless = path.startswith("/api/v1/calculate/")
        expected = {"401", "422"}
        if "requestBody" in op:
            expected |= {"400", "413"}
        if "{" in path:
            expected.add("404")
        if method != "GET" and not stateless:
            expected.add("403")
        if method == "PATCH":
            expected.add("409")
        assert expected <= declared, (method, path, sorted(expected - declared))
        if stateless:
            assert not {"403", "404", "409"} & declared, (method, path)
        for status in declared - {"200", "201", "204"}:
            content = op["responses"][int(status)]["content"]
            assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
