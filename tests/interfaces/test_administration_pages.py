"""Administration in the service's pages: an administrator adds a member of staff with their account in one form,
the team chosen by its name; nobody else can."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from openprobation.core.models import AuditEvent
from openprobation.organisation.models import Staff

pytestmark = pytest.mark.django_db

URL = "/administration/staff/new/"
NEW = {"first_name": "Nia", "last_name": "Okafor", "username": "nokafor", "role": "practitioner", "grade": "pso",
       "team": "N07T01", "contracted_hours": "22.5", "password": "a long enough first password"}  # fmt: skip


def _client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_an_administrator_adds_a_member_of_staff_with_their_account(org):
    client = _client_for(org.admin)
    form = client.get(URL).content.decode()
    assert "Camden Team 1 (N07T01)" in form and 'type="password"' in form  # a team by its name
    response = client.post(URL, NEW)
    assert response.status_code == 302
    staff = Staff.objects.get(user__username="nokafor")
    assert (staff.name, staff.role, staff.grade, staff.team.code, str(staff.contracted_hours)) == (
        "Nia Okafor", "practitioner", "pso", "N07T01", "22.5")
    assert staff.user.check_password(NEW["password"])
    event = AuditEvent.objects.get(action="staff.created", entity_id=str(staff.pk))
    assert event.actor == org.admin.user and "password" not in str(event.after)
    assert Client().login(username="nokafor", password=NEW["password"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "po"}, "The username po is taken"),
        ({"team": ""}, "need a team"),
        ({"contracted_hours": "lots"}, "Enter the hours as a number"),
        ({"contracted_hours": "NaN"}, "Enter the hours as a number"),
        ({"contracted_hours": "49"}, "between 0 and 48"),
        ({"password": "short"}, "too short"),
        ({"role": "king"}, "Select their role"),
        ({"first_name": "x" * 101}, "First name must be 100 characters or fewer"),
        ({"first_name": "Ni\u202ea"}, "control"),
    ],
)
def test_a_new_member_of_staff_with_a_problem_is_not_added(org, changes, message):
    response = _client_for(org.admin).post(URL, {**NEW, **changes})
    assert response.status_code == 200 and message in response.content.decode()
    assert not get_user_model().objects.filter(username=NEW["username"] if "username" not in changes else "x").exists()
    assert 'value="a long enough first password"' not in response.content.decode()  # never echoed back


@pytest.mark.parametrize("role", ["po", "spo", "hos", "qa"])
def test_only_an_administrator_adds_staff(org, role):
    client = _client_for(getattr(org, role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, NEW).status_code == 403
    assert not Staff.objects.filter(user__username="nokafor").exists()
    assert "Administration" not in client.get("/search/").content.decode()


def test_administrators_have_a_link_to_administration(org):
    html = _client_for(org.admin).get("/search/").content.decode()
    assert 'href="/django-admin/">Administration</a>' in html and 'href="/administration/staff/new/"' in html


def test_the_favicon_is_found_for_pages_that_name_none():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and "/static/web/favicon" in response["Location"]
