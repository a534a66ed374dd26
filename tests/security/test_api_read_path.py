"""The API's read path: the token and its user, and the case with its lists, each read by one statement compiled
once per process (core/prepared.py) and, on PostgreSQL, prepared on the server. What it reads is what the ORM reads;
whether a token works is decided on every request; and the pages and the API answer from the same access rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from openprobation.core import clock
from openprobation.core.models import ApiToken, AuditEvent
from openprobation.core.prepared import Prepared
from openprobation.core.tokens import token_create, token_issue, token_revoke, token_user
from openprobation.people.access import case_with_lists, people_visible_to
from openprobation.people.models import CaseAccess, Person
from openprobation.people.services import person_create
from tests.factories import PASSWORD, limit_access, make_person

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def _api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _fields(instance: object) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}  # type: ignore[attr-defined]


# --- what the prepared reads give ----------------------------------------------------------------------------------

def test_the_case_and_its_lists_are_what_the_orm_reads_in_one_statement(org, django_assert_num_queries):
    person = make_person(org)
    limit_access(person=person, staff_code=org.po2.code, kind="exclusion", reason="Neighbour")
    limit_access(person=person, staff_code=org.po.code, kind="restriction", reason="High profile")
    limit_access(person=person, staff_code=org.spo.code, kind="restriction", reason="High profile")
    with django_assert_num_queries(1):
        found, entries = case_with_lists(person.crn)
        assert found is not None
        assert (found.team.code, found.practitioner.code) == (org.team_a.code, org.po.code)  # no further query
    orm = Person.objects.select_related("team", "practitioner").get(crn=person.crn)
    assert _fields(found) == _fields(orm)
    assert _fields(found.team) == _fields(orm.team)
    assert _fields(found.practitioner) == _fields(orm.practitioner)
    assert sorted(entries) == sorted(CaseAccess.objects.filter(person=person).values_list("staff_id", "kind"))
    assert found._state.db == "default" and not found._state.adding


def test_a_case_without_lists_an_unallocated_case_and_no_case(org, django_assert_num_queries):
    person = make_person(org)
    unallocated = person_create(actor=org.admin.user, crn="Z999001", first_name="Una", last_name="Llocated",
                                date_of_birth=dt.date(1990, 5, 17), gender="female", team=None)
    assert case_with_lists(person.crn)[1] == []
    found, entries = case_with_lists(unallocated.crn)
    assert found is not None and found.team is None and found.practitioner is None and entries == []
    with django_assert_num_queries(1):  # the same one statement when there is no such case
        assert case_with_lists("X000000") == (None, [])


def test_the_token_its_user_and_their_staff_record_come_in_one_statement(org, django_assert_num_queries):
    token = token_create(username="po")
    token_user(token)  # records last use: the next minute's reads only read
    with django_assert_num_queries(1):
        user = token_user(token)
        assert user is not None
        staff = user.staff  # type: ignore[attr-defined]
        assert (staff.role, staff.team.pdu_id) == (org.po.role, org.team_a.pdu_id)
    assert _fields(user) == _fields(org.po.user)
    assert _fields(staff) == _fields(org.po)


def test_a_user_without_a_staff_record_reads_as_none(db):
    get_user_model().objects.create_user(username="nostaff", password=PASSWORD)
    user = token_user(token_create(username="nostaff"))
    assert user is not None
    with pytest.raises(get_user_model().staff.RelatedObjectDoesNotExist):  # type: ignore[attr-defined]
        user.staff  # type: ignore[attr-defined]  # noqa: B018


def test_a_prepared_query_takes_its_value_exactly_once(db):
    twice = Prepared(lambda crn: Person.objects.filter(crn=crn) | Person.objects.filter(first_name=crn))
    with pytest.raises(ValueError, match="exactly once, not 2 times"):
        twice.all("X100001")
    transformed = Prepared(lambda name: Person.objects.filter(first_name__icontains=name))
    with pytest.raises(ValueError, match="exactly once, not 0 times"):
        transformed.all("Al")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements; SQLite caches its own")
def test_on_postgresql_the_statements_are_prepared_once_per_connection(org):
    token = token_create(username="po")
    person = make_person(org)
    for _ in range(3):
        assert token_user(token) is not None
        assert case_with_lists(person.crn)[0] is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len([s for s in prepared if '"core_apitoken"."digest" = $1' in s]) == 1
    assert len([s for s in prepared if '"people_person"."crn" = $1' in s]) == 1


def test_with_prepared_statements_off_the_reads_are_the_same(org, settings):
    settings.DB_PREPARED_STATEMENTS = False
    token = token_create(username="po")
    person = make_person(org)
    assert token_user(token) == org.po.user
    found, entries = case_with_lists(person.crn)
    assert found == person and entries == []


# --- a token is checked on every request ---------------------------------------------------------------------------

def test_a_revoked_token_is_refused_on_the_next_request(org):
    token = token_create(username="po")
    person = make_person(org)
    client = _api(token)
    assert client.get(f"/api/v1/people/{person.crn}").status_code == 200
    token_revoke(token, actor=None)
    assert client.get(f"/api/v1/people/{person.crn}").status_code == 401


def test_an_expired_token_is_refused_from_the_instant_it_expires(org, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    issued = token_issue(username="po", days=1)
    person = make_person(org)
    client = _api(issued.token)
    monkeypatch.setattr(clock, "now", lambda: issued.expires_at - dt.timedelta(microseconds=1))
    assert client.get(f"/api/v1/people/{person.crn}").status_code == 200
    monkeypatch.setattr(clock, "now", lambda: issued.expires_at)
    assert client.get(f"/api/v1/people/{person.crn}").status_code == 401


def test_a_deactivated_user_and_a_token_without_expiry_are_refused_at_once(org):
    token = token_create(username="po")
    person = make_person(org)
    client = _api(token)
    assert client.get(f"/api/v1/people/{person.crn}").status_code == 200
    type(org.po.user).objects.filter(pk=org.po.user.pk).update(is_active=False)
    assert client.get(f"/api/v1/people/{person.crn}").status_code == 401
    type(org.po.user).objects.filter(pk=org.po.user.pk).update(is_active=True)
    ApiToken.objects.update(expires_at=None)
    assert client.get(f"/api/v1/people/{person.crn}").status_code == 401


# --- the API and the pages answer from the same rule ---------------------------------------------------------------

VIEWERS = ["po", "po2", "po_b", "spo", "hos", "qa", "admin"]
LISTS = ["none", "excludes_po2", "restricted_to_po_and_qa"]


@pytest.mark.parametrize("lists", LISTS)
def test_the_api_the_case_page_and_the_query_agree_for_every_role(org, lists):
    people = {"team_a": make_person(org), "team_b": make_person(org, practitioner=org.po_b)}
    for person in people.values():
        if lists == "excludes_po2":
            limit_access(person=person, staff_code=org.po2.code, kind="exclusion", reason="Neighbour")
        elif lists == "restricted_to_po_and_qa":
            for code in (org.po.code, org.qa.code):
                limit_access(person=person, staff_code=code, kind="restriction", reason="High profile")
    for viewer_name in VIEWERS:
        viewer = getattr(org, viewer_name)
        api_client = _api(token_create(username=viewer.user.username))
        page_client = Client()
        assert page_client.login(username=viewer.user.username, password=PASSWORD)
        for person in people.values():
            in_query = people_visible_to(viewer.user).filter(pk=person.pk).exists()
            api = api_client.get(f"/api/v1/people/{person.crn}")
            case_page = page_client.get(f"/case/{person.crn}/")
            assert (api.status_code == 200) is in_query, (viewer_name, lists, api.status_code)
            assert (case_page.status_code == 200) is in_query, (viewer_name, lists, case_page.status_code)
            if in_query:
                assert api.json()["crn"] == person.crn
            else:
                assert api.status_code == 404 and case_page.status_code == 404


def test_a_refused_case_and_a_limited_access_view_are_still_audited(org):
    person = make_person(org)
    limit_access(person=person, staff_code=org.po2.code, kind="exclusion", reason="Neighbour")
    assert _api(token_create(username="po2")).get(f"/api/v1/people/{person.crn}").status_code == 404
    assert _api(token_create(username="po")).get(f"/api/v1/people/{person.crn}").status_code == 200
    assert _api(token_create(username="po")).get("/api/v1/people/X000000").status_code == 404
    refused = AuditEvent.objects.filter(action="case.open_refused").order_by("id")
    assert [(e.actor_id, e.crn, e.after["case_exists"]) for e in refused] == [
        (org.po2.user.pk, person.crn, True), (org.po.user.pk, "X000000", False)]
    viewed = AuditEvent.objects.get(action="case.viewed")
    assert (viewed.actor_id, viewed.crn) == (org.po.user.pk, person.crn)
