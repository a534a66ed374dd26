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
