"""HTTP hardening: 413 for a body over the limit (never a 500, nothing changed), no-store and Permissions-Policy
headers, __Host- cookies, one-line 403s, a reporting decision only on its own case, capped error lists, and the
OpenAPI document built once with every operation's problem responses."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from openprobation.api import problems
from openprobation.api.v1 import api
from openprobation.contacts.models import Contact
from openprobation.core.middleware import PERMISSIONS_POLICY
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.rules.calculators import MAX_REPORTED_ERRORS, InputError, reported_errors
from openprobation.workitems.models import ReportingChange
from openprobation.workitems.services import reporting_frequency_request
from tests.factories import PASSWORD, make_person
from tests.rules.examples import OGRS3

pytestmark = pytest.mark.django_db

THREE_MB = 3 * 1000 * 1000


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def token_headers(username: str = "po") -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(username=username)}"}


def snapshot() -> tuple[list[dict[str, Any]], int]:
    return list(Contact.objects.order_by("pk").values()), AuditEvent.objects.count()


def padded(body: dict[str, Any], size: int) -> str:
    """``body`` as JSON of exactly ``size`` bytes (trailing white space is still JSON)."""
    text = json.dumps(body)
    assert len(text) <= size
    return text + " " * (size - len(text))


def contact_body() -> dict[str, Any]:
    return {"type": "office_appointment", "date": "2026-11-20T10:00:00Z", "outcome": "attended_complied",
            "notes": "Seen"}


# ---- 413: a body over the limit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "refused"),
    [(4095, False), (4096, False), (4097, True)],
    ids=["one_below_limit", "at_limit", "one_above_limit"],
)
def test_api_body_over_the_limit_is_413_problem_and_changes_nothing(org, frozen_clock, settings, size, refused):
    settings.MAX_REQUEST_BYTES = 4096
    person = make_person(org)
    headers = token_headers()
    before = snapshot()
    response = Client().post(
        f"/api/v1/people/{person.crn}/contacts", padded(contact_body(), size), content_type="application/json",
        headers=headers,
    )
    if refused:
        assert response.status_code == 413
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 413 and body["title"] == "Content too large"
        assert "4.0 KB" in body["detail"] and "nothing was saved" in body["detail"]
        assert snapshot() == before
    else:
        assert response.status_code == 201, response.content
        assert Contact.objects.filter(person=person).count() == len(before[0]) + 1


@pytest.mark.parametrize(
    ("size", "refused"),
    [(4095, False), (4096, False), (4097, True)],
    ids=["one_below_limit", "at_limit", "one_above_limit"],
)
def test_page_body_over_the_limit_is_the_413_page_and_changes_nothing(org, frozen_clock, settings, size, refused):
    settings.MAX_REQUEST_BYTES = 4096
    person = make_person(org)
    client = client_for(org.po)
    form = "type=note&date_day=20&date_month=11&date_year=2026&time=10:00&notes="
    data = form + "x" * (size - len(form))
    before = snapshot()
    response = client.post(
        f"/case/{person.crn}/contacts/new/", data, content_type="application/x-www-form-urlencoded"
    )
    if refused:
        assert response.status_code == 413
        html = response.content.decode()
        assert "What you sent is too large" in html and "4.0 KB" in html and "Nothing you sent has been saved" in html
        assert 'class="govuk-heading-l"' in html
        assert snapshot() == before
    else:
        assert response.status_code != 413


def test_a_3_mb_body_is_413_for_the_api_and_the_pages_and_changes_nothing(org, frozen_clock):
    """At the default limit (2.5 MB): a 3 MB note is refused before it is read, for a token or a session."""
    assert django_settings.MAX_REQUEST_BYTES == int(2.5 * 1024 * 1024)
    person = make_person(org)
    headers, page_client = token_headers(), client_for(org.po)
    before = snapshot()
    api_response = Client().post(
        f"/api/v1/people/{person.crn}/contacts", json.dumps({**contact_body(), "notes": "x" * THREE_MB}),
        content_type="application/json", headers=headers,
    )
    page_response = page_client.post(
        f"/case/{person.crn}/contacts/new/",
        {"type": "note", "date_day": "20", "date_month": "11", "date_year": "2026", "time": "10:00",
         "notes": "x" * THREE_MB},
    )
    assert (api_response.status_code, api_response["Content-Type"]) == (413, "application/problem+json")
    assert page_response.status_code == 413 and "too large" in page_response.content.decode()
    assert snapshot() == before


def test_a_body_found_too_large_while_read_is_413_not_500(org, frozen_clock, settings):
    """A body that passes the Content-Length check but that Django refuses while reading it (RequestDataTooBig,
    as for a chunked upload) is a 413 on the API and on the pages, not the API's 500 or Django's 400."""
    settings.MAX_REQUEST_BYTES = 10_000_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    person = make_person(org)
    headers, page_client = token_headers(), client_for(org.po)
    before = snapshot()
    api_response = Client().post(
        f"/api/v1/people/{person.crn}/contacts", json.dumps({**contact_body(), "notes": "x" * 5000}),
        content_type="application/json", headers=headers,
    )
    page_response = page_client.post(f"/case/{person.crn}/contacts/new/", {"notes": "x" * 5000})
    assert (api_response.status_code, api_response["Content-Type"]) == (413, "application/problem+json")
    assert page_response.status_code == 413 and "too large" in page_response.content.decode()
    assert snapshot() == before


BODY_OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in api.get_openapi_schema()["paths"].items()
    for method, operation in operations.items()
    if "requestBody" in operation
)


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS, ids=[f"{m} {p}" for m, p in BODY_OPERATIONS])
def test_every_operation_with_a_body_answers_413_as_its_openapi_operation_declares(settings, method, path):
    settings.MAX_REQUEST_BYTES = 1000
    url = path.replace("{crn}", "X100001").replace("{", "").replace("}", "")  # any path: refused before routing
    response = Client().generic(method, url, "[" + " " * 999 + "]", content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    operation = api.get_openapi_schema()["paths"][path][method.lower()]
    assert 413 in operation["responses"]


# ---- Headers ----------------------------------------------------------------------------------------------------


def _responses(org, person) -> dict[str, Any]:
    po = client_for(org.po)
    headers = token_headers()
    return {
        "case page": po.get(f"/case/{person.crn}/"),
        "caseload": po.get("/caseload/"),
        "search": po.get("/search/", {"q": person.last_name}),
        "api person": Client().get(f"/api/v1/people/{person.crn}", headers=headers),
        "api list": Client().get("/api/v1/people", headers=headers),
        "api 401": Client().get("/api/v1/people"),
        "api 404": Client().get("/api/v1/people/X999999", headers=headers),
        "openapi": Client().get("/api/v1/openapi.json"),
        "sign-in page": Client().get("/sign-in/"),
        "404 page": po.get("/no-such-page/"),
        "403 page": po.get("/quality/risk/"),
    }


def test_every_dynamic_response_is_no_store_and_has_a_permissions_policy(org, frozen_clock):
    person = make_person(org)
    for name, response in _responses(org, person).items():
        assert response["Cache-Control"] == "no-store", name
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY, name
    assert _responses(org, person)["case page"].status_code == 200


@pytest.mark.parametrize(
    "feature", ["camera", "microphone", "geolocation", "payment", "usb", "serial", "display-capture"]
)
def test_permissions_policy_denies_powerful_features(feature):
    assert f"{feature}=()" in PERMISSIONS_POLICY.split(", ")


def test_static_files_keep_their_caching_and_get_the_permissions_policy(settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from the source tree: no collectstatic in tests
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/web/favicon.svg")
    assert response.status_code == 200
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "no-store" not in response.get("Cache-Control", "")


def test_session_and_csrf_cookies_have_the_host_prefix_over_https(org):
    if not django_settings.HTTPS:
        pytest.skip("running with OPENPROBATION_HTTPS off")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/sign-in/")
    csrf = page.cookies["__Host-csrftoken"]
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post("/sign-in/", {"username": "po", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, response.content.decode()[:300]
    session = response.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        # What browsers require of a __Host- cookie: Secure, Path=/, no Domain.
        assert cookie["secure"] is True and cookie["path"] == "/" and not cookie["domain"]
    assert "sessionid" not in response.cookies and "csrftoken" not in page.cookies


@pytest.mark.parametrize(
    ("https", "session_cookie", "csrf_cookie"),
    [("true", "__Host-sessionid", "__Host-csrftoken"), ("false", "sessionid", "csrftoken")],
    ids=["https_on", "https_off"],
)
def test_cookie_names_have_the_host_prefix_only_when_https_is_on(tmp_path, https, session_cookie, csrf_cookie):
    env = {**os.environ, "OPENPROBATION_DATA_DIR": str(tmp_path), "OPENPROBATION_HTTPS": https,
           "DJANGO_SETTINGS_MODULE": "openprobation.settings"}
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split() == [session_cookie, csrf_cookie]


# ---- 403: one line, no traceback ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["page_a_role_may_not_open", "change_a_role_may_not_make"])
def test_a_refusal_is_the_403_page_logged_in_one_line_without_a_traceback(org, frozen_clock, caplog, how):
    person = make_person(org)
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start")
    change = reporting_frequency_request(actor=org.po.user, person=person, frequency="monthly", reason="Progress")
    client = client_for(org.po)
    with caplog.at_level(logging.INFO):
        if how == "page_a_role_may_not_open":
            response = client.get("/quality/risk/")
        else:  # only an SPO countersigns: the service refuses the practitioner
            response = client.post(
                f"/case/{person.crn}/reporting/{change.pk}/decision/", {"decision": "approve", "reason": ""}
            )
    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()
    refusals = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in refusals] == [f"Forbidden: {response.request['PATH_INFO']}"]
    assert all(r.exc_info is None and r.exc_text is None for r in caplog.records)
    assert ReportingChange.objects.get(pk=change.pk).status == "awaiting_countersignature"


# ---- A reporting decision only on its own case -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("whose", "status"),
    [("this_case", 200), ("another_case", 404), ("no_such_change", 404)],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_reporting_decision_page_is_404_for_a_change_of_another_case(org, frozen_clock, whose, status, method):
    person, other = make_person(org), make_person(org)
    reporting_frequency_request(actor=org.po.user, person=other, frequency="weekly", reason="Start")
    change = reporting_frequency_request(actor=org.po.user, person=other, frequency="monthly", reason="Progress")
    crn = other.crn if whose == "this_case" else person.crn
    change_id = 999999 if whose == "no_such_change" else change.pk
    url = f"/case/{crn}/reporting/{change_id}/decision/"
    client = client_for(org.spo)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {"decision": "refuse", "reason": "Not yet"})
        status = 302 if status == 200 else status
    assert response.status_code == status
    expected = "refused" if method == "POST" and whose == "this_case" else "awaiting_countersignature"
    assert ReportingChange.objects.get(pk=change.pk).status == expected


# ---- Error lists are capped -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "listed", "summary"),
    [(49, 49, None), (50, 50, None), (51, 50, "1 more problem not listed"),
     (100_000, 50, "99,950 more problems not listed")],
    ids=["one_below_cap", "at_cap", "one_above_cap", "100000"],
)
def test_error_lists_stop_at_50_and_count_the_rest(count, listed, summary):
    assert MAX_REPORTED_ERRORS == 50
    errors = [InputError(f"k{i}", "Unknown field: check the spelling") for i in range(count)]
    for entries in (
        reported_errors(errors),
        problems.reported(problems.field_entry([e.field], e.message) for e in errors),
    ):
        assert [e["field"] for e in entries[:listed]] == [f"k{i}" for i in range(listed)]
        if summary is None:
            assert len(entries) == listed
        else:
            assert len(entries) == listed + 1
            assert entries[-1]["field"] == "" and entries[-1]["message"].startswith(summary)


UNKNOWN_KEYS = {f"unknown_{i:06d}": 0 for i in range(100_000)}


def test_api_calculator_with_100000_unknown_fields_lists_50_and_a_count(org):
    response = Client().post(
        "/api/v1/calculate/ogrs3", json.dumps({**OGRS3, **UNKNOWN_KEYS}), content_type="application/json",
        headers=token_headers(),
    )
    assert response.status_code == 422
    assert len(response.content) < 20_000
    errors = response.json()["errors"]
    assert len(errors) == 51
    assert errors[0]["field"] == "unknown_000000"
    assert errors[-1] == {"field": "", "pointer": "#/", "message": errors[-1]["message"]}
    assert errors[-1]["message"].startswith("99,950 more problems not listed")


def test_api_body_with_100000_unknown_fields_lists_50_and_a_count(org, frozen_clock):
    person = make_person(org)
    response = Client().patch(
        f"/api/v1/people/{person.crn}", json.dumps({"version": 1, **UNKNOWN_KEYS}), content_type="application/json",
        headers=token_headers(),
    )
    assert response.status_code == 422
    assert len(response.content) < 20_000
    errors = response.json()["errors"]
    assert len(errors) == 51 and errors[-1]["message"].startswith("99,950 more problems not listed")


# ---- The OpenAPI document -------------------------------------------------------------------------------------


def test_openapi_document_is_built_once_per_process(org, monkeypatch):
    from openprobation.api import openapi

    built = []
    declare = openapi.declare_problems
    from openprobation.api import v1

    monkeypatch.setattr(api, "_schemas", {})
    monkeypatch.setattr(v1, "_DOCUMENT_BYTES", {})
    monkeypatch.setattr(openapi, "declare_problems", lambda schema: built.append(1) or declare(schema))
    first = Client().get("/api/v1/openapi.json")
    second = Client().get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(built) == 1


def test_served_openapi_document_declares_problem_responses(org):
    document = Client().get("/api/v1/openapi.json").json()
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    operations = [(m, p, op) for p, ops in document["paths"].items() for m, op in ops.items()]
    assert len(operations) > 50
    for method, path, op in operations:
        assert "401" in op["responses"], (method, path)
        assert op["responses"]["401"]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    people = document["paths"]["/api/v1/people/{crn}"]
    assert set(people["get"]["responses"]) == {"200", "401", "404", "413", "422"}  # any request may carry a body
    assert set(people["patch"]["responses"]) == {"200", "400", "401", "403", "404", "409", "413", "422"}
    calculate = document["paths"]["/api/v1/calculate/ogrs3"]["post"]
    assert set(calculate["responses"]) == {"200", "400", "401", "413", "422"}
    quality = document["paths"]["/api/v1/quality/risk-disagreements"]["get"]
    assert set(quality["responses"]) == {"200", "401", "403", "413", "422"}
