"""Input that no page expects is a clear 4xx, never a 500: the Django admin's own views, the access-list pages and
the API's text fields (what a second attack on the service found)."""

from __future__ import annotations

import pytest
from django.test import Client

from openprobation.core.tokens import token_create
from openprobation.organisation.services import staff_set_access_manager
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/django-admin/core/auditevent/?at__year=99999999999999999999", None),
        ("get", "/django-admin/core/auditevent/?at__year=2026&at__month=99999999999999999999", None),
        ("get", "/django-admin/core/auditevent/?crn=%00", None),
        ("get", "/django-admin/core/auditevent/?action__exact=%00", None),
        ("get", "/django-admin/organisation/staff/?role__exact=%00", None),
        ("post", "/django-admin/organisation/staff/", {"action": "delete_selected", "_selected_action": "x",
                                                      "index": "0"}),
        ("post", "/django-admin/core/apitoken/", {"action": "revoke_tokens", "_selected_action": "x", "index": "0"}),
    ],
    ids=["huge_year", "huge_month", "nul_crn_filter", "nul_action_filter", "nul_role_filter",
         "action_on_a_non_number", "token_action_on_a_non_number"],
)
def test_the_admin_answers_bad_input_without_a_500(org, method, url, data):
    response = getattr(_client("admin"), method)(url, data or {})
    assert response.status_code < 500, response.status_code


@pytest.mark.parametrize("crn", ["%00", "a%00b", "X123456%00"])
def test_lifting_a_restriction_on_a_crn_with_a_nul_is_not_found(org, crn):
    staff_set_access_manager(username="hos", grant=True)
    response = _client("hos").post(f"/access-lists/lift/{crn}/", {"reason": "Trial over"})
    assert response.status_code == 404


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_an_unpaired_surrogate_in_api_text_is_a_422_naming_the_field(org, field):
    token = token_create(username="po")
    body = ('{"crn": "Z123455", "first_name": "Sam", "last_name": "Hill", "date_of_birth": "1990-01-01", '
            '"gender": "male", "team": "N07T01"}').replace(f'"{field}": "', f'"{field}": "\\ud800', 1)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post("/api/v1/people", body,
                                                                  content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("text", "multiline", "problem"),
    [
        ("Alex Smith", False, ""),
        ("Line one\nline two\ttabbed", True, ""),
        ("Line one\nline two", False, "control character"),
        ("a\x00b", True, "NUL"),
        ("\ud800", True, "surrogate"),
        ("Al\u202eex", False, "direction-control"),
        ("Al\u2066ex", True, "direction-control"),
        ("bell\x07", True, "control character"),
        ("Zoë Ødegård 名前 😀", False, ""),
    ],
    ids=["plain", "lines_where_allowed", "line_break_in_a_name", "nul", "half_surrogate", "right_to_left_override",
         "isolate", "bell", "letters_of_any_script"],
)
def test_what_text_the_service_stores(text, multiline, problem):
    from openprobation.core.text import text_problem

    found = text_problem(text, multiline=multiline)
    assert (problem in found and bool(found)) if problem else found == ""


def test_a_direction_override_in_a_staff_name_is_refused_in_the_admin_and_the_command(org):
    from openprobation.core.errors import ValidationFailed
    from openprobation.organisation.services import staff_create

    with pytest.raises(ValidationFailed) as exc:
        staff_create(username="spoof", password=None, first_name="\u202eH", last_name="Jones", grade="po",
                     role="practitioner", team=org.team_a.code)
    assert [e.dotted for e in exc.value.errors] == ["first_name"]
    client = _client("admin")
    page = client.get(f"/django-admin/organisation/staff/{org.po.pk}/change/")
    assert page.status_code == 200
    response = client.post(f"/django-admin/organisation/staff/{org.po.pk}/change/", {
        "code": org.po.code, "first_name": "\u202eH", "last_name": "Tester", "grade": "po", "role": "practitioner",
        "contracted_hours": "37.0", "team": org.team_a.pk, "_save": "Save"})
    assert response.status_code == 200 and "direction-control" in response.content.decode()
    org.po.refresh_from_db()
    assert org.po.first_name == "Po"
