"""The API: the same access rules as the pages, problem+json errors with field paths, versions, no 500s."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from openprobation.contacts.models import Contact
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.people import selectors as people_selectors
from openprobation.people.models import CaseAccess, Person, Relationship
from openprobation.risk.models import Registration
from openprobation.sentences.models import Allocation, Event, LicenceCondition, Requirement
from openprobation.workitems.models import WorkItem
from tests.factories import make_person

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, username: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token_create(username=username)}"}

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any):
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: Any):
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json", headers=self.headers)


SNAPSHOT_MODELS = (
    Person,
    Event,
    Requirement,
    LicenceCondition,
    Allocation,
    Contact,
    Registration,
    Relationship,
    WorkItem,
    AuditEvent,
)


def table_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables a request could change, in full: bad input must change no value, not just no count."""
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in SNAPSHOT_MODELS}


def problem_fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    return {e["field"] for e in body["errors"]}


VALID_PERSON = {
    "crn": "A123456",
    "first_name": "Sam",
    "last_name": "Jones",
    "date_of_birth": "1988-03-04",
    "gender": "female",
}
VALID_EVENT = {
    "offence_code": "00101",
    "conviction_date": "2026-02-01",
    "sentence_date": "2026-02-10",
    "sentence_type": "community_order",
    "length_months": 18,
    "requirements": [{"type": "unpaid_work", "length": 120}, {"type": "rar", "length": 20}],
}


def test_no_token_is_401_problem(org):
    response = Client().get("/api/v1/people")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_wrong_token_is_401(org):
    response = Client().get("/api/v1/people", headers={"Authorization": "Bearer op_not-a-real-token"})
    assert response.status_code == 401


def test_create_read_update_a_person_and_its_records(org):
    api = Api("spo")
    created = api.post("/people", VALID_PERSON)
    assert created.status_code == 201, created.content
    assert created.json()["team"] == org.team_a.code
    assert created.json()["version"] == 1

    event = api.post("/people/A123456/events", {**VALID_EVENT, "practitioner": org.po.code})
    assert event.status_code == 201, event.content
    body = event.json()
    assert body["number"] == 1
    assert body["expected_end_date"] == "2027-08-10"
    assert [r["unit"] for r in body["requirements"]] == ["hours", "days"]
    assert body["allocations"][0]["practitioner"] == org.po.code

    person = api.get("/people/A123456").json()
    assert person["practitioner"] == org.po.code

    updated = api.patch("/people/A123456", {"version": 1, "last_name": "Jones-Smith"})
    assert updated.status_code == 200, updated.content
    assert updated.json()["version"] == 2
    assert AuditEvent.objects.filter(crn="A123456", action="person.updated").count() == 1

    contact = api.post(
        "/people/A123456/contacts",
        {
            "type": "office_appointment",
            "date": "2026-03-01T10:00:00Z",
            "outcome": "attended_complied",
            "notes": "Seen.",
        },
    )
    assert contact.status_code == 201, contact.content
    assert contact.json()["staff"] == org.spo.code

    registration = api.post(
        "/people/A123456/registrations", {"code": "MAPP", "level": "M2", "category": "M1", "start_date": "2026-02-10"}
    )
    assert registration.status_code == 201, registration.content
    assert registration.json()["name"] == "MAPPA"

    relationship = api.post(
        "/people/A123456/relationships",
        {
            "relationship": "partner",
            "first_name": "Jo",
            "last_name": "Bloggs",
            "start_date": "2025-06-01",
            "lives_in_household": True,
            "potential_victim": True,
        },
    )
    assert relationship.status_code == 201, relationship.content

    for resource in ("events", "registrations", "relationships", "contacts"):
        listed = api.get(f"/people/A123456/{resource}")
        assert listed.status_code == 200
        body = listed.json()
        assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (1, 1, 50, 1), resource


def test_people_list_is_paginated_and_filterable(org):
    for _ in range(3):
        make_person(org, practitioner=org.po)
    make_person(org, practitioner=org.po2)
    api = Api("spo")
    first = api.get("/people", page_size=2).json()
    assert first["count"] == 4 and len(first["items"]) == 2
    assert api.get("/people", practitioner=org.po2.code).json()["count"] == 1
    assert api.get("/people", team=org.team_b.code).json()["count"] == 0


def test_stale_version_is_409_and_changes_nothing(org):
    person = make_person(org)
    api = Api("po")
    assert api.patch(f"/people/{person.crn}", {"version": 1, "first_name": "Alexa"}).status_code == 200
    stale = api.patch(f"/people/{person.crn}", {"version": 1, "first_name": "Alexis"})
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["current_version"] == 2
    person.refresh_from_db()
    assert person.first_name == "Alexa"


def test_unknown_crn_is_404(org):
    response = Api("admin").get("/people/Z999999")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


BAD_PEOPLE = [
    pytest.param({**VALID_PERSON, "crn": "a123456"}, {"crn"}, id="crn_lower_case_letter"),
    pytest.param({**VALID_PERSON, "crn": "A12345"}, {"crn"}, id="crn_too_short"),
    pytest.param({**VALID_PERSON, "crn": "AB23456"}, {"crn"}, id="crn_two_letters"),
    pytest.param({**VALID_PERSON, "crn": "A123456\n"}, {"crn"}, id="crn_trailing_newline"),
    pytest.param({**VALID_PERSON, "crn": "A123456\r\n"}, {"crn"}, id="crn_trailing_crlf"),
    pytest.param({**VALID_PERSON, "crn": "\nA123456"}, {"crn"}, id="crn_leading_newline"),
    pytest.param({**VALID_PERSON, "crn": "A123456 "}, {"crn"}, id="crn_trailing_space"),
    pytest.param({**VALID_PERSON, "date_of_birth": "2030-01-01"}, {"date_of_birth"}, id="born_in_the_future"),
    pytest.param({**VALID_PERSON, "date_of_birth": "04/03/1988"}, {"date_of_birth"}, id="date_wrong_format"),
    pytest.param({**VALID_PERSON, "gender": "m"}, {"gender"}, id="gender_not_in_enumeration"),
    pytest.param({**VALID_PERSON, "first_name": ""}, {"first_name"}, id="first_name_empty"),
    pytest.param({**VALID_PERSON, "first_name": 7}, {"first_name"}, id="first_name_wrong_type"),
    pytest.param({**VALID_PERSON, "first_name": "x" * 101}, {"first_name"}, id="first_name_too_long"),
    pytest.param({**VALID_PERSON, "nickname": "Sammy"}, {"nickname"}, id="unknown_field"),
    pytest.param({k: v for k, v in VALID_PERSON.items() if k != "last_name"}, {"last_name"}, id="missing_field"),
    pytest.param({**VALID_PERSON, "team": "NOPE"}, {"team"}, id="unknown_team"),
    pytest.param({**VALID_PERSON, "last_name": "Nul\x00"}, {"last_name"}, id="nul_character"),
]


@pytest.mark.parametrize(("body", "fields"), BAD_PEOPLE)
def test_bad_person_input_is_422_with_field_path_and_changes_nothing(org, body, fields):
    api = Api("spo")
    before = table_snapshot()
    assert problem_fields(api.post("/people", body)) == fields
    assert table_snapshot() == before


BAD_EVENTS = [
    pytest.param({**VALID_EVENT, "offence_code": "99999"}, {"offence_code"}, id="unknown_offence_code"),
    pytest.param({**VALID_EVENT, "offence_code": "101"}, {"offence_code"}, id="offence_code_not_5_digits"),
    pytest.param({**VALID_EVENT, "sentence_date": "2026-01-01"}, {"sentence_date"}, id="sentenced_before_conviction"),
    pytest.param({**VALID_EVENT, "length_months": 0}, {"length_months"}, id="zero_length"),
    pytest.param({**VALID_EVENT, "length_months": "18"}, {"length_months"}, id="length_as_string"),
    pytest.param({**VALID_EVENT, "length_months": 10**12}, {"length_months"}, id="length_enormous"),
    pytest.param(
        {**VALID_EVENT, "requirements": [{"type": "unpaid_work", "length": -5}]},
        {"requirements.0.length"},
        id="negative_unpaid_work_hours",
    ),
    pytest.param(
        {**VALID_EVENT, "requirements": [{"type": "unpaid_work", "length": 301}]},
        {"requirements.0.length"},
        id="unpaid_work_over_300_hours",
    ),
    pytest.param(
        {**VALID_EVENT, "requirements": [{"type": "tea", "length": 5}]},
        {"requirements.0.type"},
        id="unknown_requirement_type",
    ),
    pytest.param(
        {**VALID_EVENT, "requirements": [{"type": "rar", "length": 5, "colour": "red"}]},
        {"requirements.0.colour"},
        id="unknown_nested_field",
    ),
    pytest.param({**VALID_EVENT, "release_date": "2026-05-01"}, {"release_date"}, id="release_date_on_community_order"),
    pytest.param(
        {**VALID_EVENT, "sentence_type": "licence", "requirements": []},
        {"release_date"},
        id="licence_without_release_date",
    ),
    pytest.param(
        {**VALID_EVENT, "licence_conditions": [{"type": "disclose_relationships"}]},
        {"licence_conditions"},
        id="licence_condition_on_community_order",
    ),
    pytest.param({**VALID_EVENT, "practitioner": "NOBODY"}, {"practitioner"}, id="unknown_practitioner"),
    pytest.param(
        {**VALID_EVENT, "conviction_date": "2040-01-01", "sentence_date": "2040-01-01"},
        {"conviction_date"},
        id="conviction_in_the_future",
    ),
]


@pytest.mark.parametrize(("body", "fields"), BAD_EVENTS)
def test_bad_event_input_is_422_with_field_path_and_changes_nothing(org, body, fields):
    person = make_person(org)
    api = Api("po")
    before = table_snapshot()
    assert problem_fields(api.post(f"/people/{person.crn}/events", body)) == fields
    assert table_snapshot() == before


BAD_OTHER = [
    pytest.param(
        "contacts",
        {"type": "office_appointment", "date": "2026-03-01T10:00:00Z"},
        {"outcome"},
        id="past_appointment_without_outcome",
    ),
    pytest.param("contacts", {"type": "note", "date": "yesterday"}, {"date"}, id="contact_date_not_a_date"),
    pytest.param(
        "contacts", {"type": "note", "date": "2026-03-01T10:00:00Z", "notes": ""}, {"notes"}, id="note_without_text"
    ),
    pytest.param("registrations", {"code": "XXXX", "start_date": "2026-01-01"}, {"code"}, id="unknown_register_code"),
    pytest.param(
        "registrations",
        {"code": "MAPP", "level": "M9", "category": "M1", "start_date": "2026-01-01"},
        {"level"},
        id="mappa_level_out_of_range",
    ),
    pytest.param(
        "registrations",
        {"code": "RHRH", "start_date": "2026-02-01", "end_date": "2026-01-01"},
        {"end_date"},
        id="registration_ends_before_it_starts",
    ),
    pytest.param(
        "relationships",
        {
            "relationship": "partner",
            "first_name": "A",
            "last_name": "B",
            "start_date": "2026-02-01",
            "end_date": "2026-01-01",
        },
        {"end_date"},
        id="relationship_ends_before_it_starts",
    ),
    pytest.param(
        "relationships",
        {"relationship": "cousin", "first_name": "A", "last_name": "B", "start_date": "2026-02-01"},
        {"relationship"},
        id="unknown_relationship",
    ),
    pytest.param(
        "relationships",
        {
            "relationship": "child",
            "first_name": "A",
            "last_name": "B",
            "start_date": "2026-02-01",
            "lives_in_household": "yes",
        },
        {"lives_in_household"},
        id="flag_wrong_type",
    ),
]


@pytest.mark.parametrize(("resource", "body", "fields"), BAD_OTHER)
def test_bad_record_input_is_422_with_field_path_and_changes_nothing(org, resource, body, fields):
    person = make_person(org)
    api = Api("po")
    before = table_snapshot()
    assert problem_fields(api.post(f"/people/{person.crn}/{resource}", body)) == fields
    assert table_snapshot() == before


def test_malformed_json_is_a_problem_not_a_500(org):
    response = Api("spo").post("/people", "{not json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_patch_cannot_clear_a_required_field(org):
    person = make_person(org)
    response = Api("po").patch(f"/people/{person.crn}", {"version": 1, "date_of_birth": None})
    assert problem_fields(response) == {"date_of_birth"}


def test_bad_pagination_is_422(org):
    assert problem_fields(Api("po").get("/people", page=0)) == {"page"}


def test_quality_assurance_can_read_but_not_write(org):
    person = make_person(org)
    api = Api("qa")
    assert api.get(f"/people/{person.crn}").status_code == 200
    before = table_snapshot()
    response = api.post(
        f"/people/{person.crn}/contacts", {"type": "note", "date": "2026-03-01T10:00:00Z", "notes": "QA note"}
    )
    assert response.status_code == 403
    assert table_snapshot() == before


# Access: a restricted case is absent everywhere for those who may not see it ----------------------


def test_practitioner_in_another_team_gets_404_not_403(org):
    person = make_person(org, practitioner=org.po)
    response = Api("pob").get(f"/people/{person.crn}")
    assert response.status_code == 404


def test_excluded_practitioner_cannot_see_the_case_in_list_or_detail(org):
    visible = make_person(org, practitioner=org.po)
    hidden = make_person(org, practitioner=org.po)
    CaseAccess.objects.create(person=hidden, staff=org.po2, kind="exclusion", reason="Known to the family")
    api = Api("po2")
    listed = api.get("/people").json()
    assert [p["crn"] for p in listed["items"]] == [visible.crn]
    assert listed["count"] == 1
    assert api.get(f"/people/{hidden.crn}").status_code == 404
    assert api.get(f"/people/{hidden.crn}/contacts").status_code == 404
    assert api.get("/people", q=hidden.crn).json()["count"] == 0


def test_restriction_list_hides_the_case_from_everyone_not_named(org):
    person = make_person(org, practitioner=org.po)
    CaseAccess.objects.create(person=person, staff=org.po, kind="restriction", reason="Staff member's relative")
    assert Api("po").get(f"/people/{person.crn}").status_code == 200
    for username in ("po2", "spo", "hos", "qa", "admin"):
        assert Api(username).get(f"/people/{person.crn}").status_code == 404, username
        assert Api(username).get("/people").json()["count"] == 0, username


def test_viewing_a_restricted_case_through_the_api_is_audited(org):
    person = make_person(org, practitioner=org.po)
    CaseAccess.objects.create(person=person, staff=org.po, kind="restriction", reason="Staff member's relative")
    Api("po").get(f"/people/{person.crn}")
    viewed = AuditEvent.objects.filter(crn=person.crn, action="case.viewed")
    assert [e.actor_name for e in viewed] == ["po"]


def test_openapi_document_describes_the_snake_case_contract(org):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schemas = response.json()["components"]["schemas"]
    assert set(schemas["PersonIn"]["properties"]) >= {"crn", "first_name", "last_name", "date_of_birth", "gender"}
    event_props = schemas["EventIn"]["properties"]
    assert set(event_props) >= {
        "offence_code",
        "conviction_date",
        "sentence_date",
        "sentence_type",
        "length_months",
        "release_date",
        "requirements",
        "licence_conditions",
    }
    assert set(schemas["SentenceType"]["enum"]) == {
        "community_order",
        "suspended_sentence_order",
        "custody",
        "licence",
        "post_sentence_supervision",
    }
    assert "disclose_relationships" in schemas["LicenceConditionType"]["enum"]


def test_docs_page_is_served_without_a_cdn(org):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_contact_date_without_offset_is_taken_as_uk_time(org):
    person = make_person(org)
    response = Api("po").post(
        f"/people/{person.crn}/contacts",
        {"type": "telephone", "date": "2026-07-01T09:30:00", "outcome": "attended_complied"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["date"].startswith("2026-07-01T08:30:00")  # 09:30 BST is 08:30 UTC
    assert dt.datetime.fromisoformat(response.json()["date"]).utcoffset() is not None


@pytest.mark.parametrize(
    "params",
    [{"q": "Smi\x00th"}, {"team": "N07\x00"}, {"practitioner": "\x00"}],
    ids=["search", "team", "practitioner"],
)
def test_nul_characters_in_filters_do_not_break_the_list(org, params):
    make_person(org)
    response = Api("po").get("/people", **params)
    assert response.status_code == 200


@pytest.mark.parametrize("crn", ["x123456", "X12", "X1234567", "%00"])
def test_malformed_crn_in_the_path_is_404(org, crn):
    assert Api("admin").get(f"/people/{crn}").status_code == 404


# CRN format: the database refuses what the service refuses -------------------------------------------------------


@pytest.mark.parametrize("crn", ["A123456\n", "A123456\r\n", "\nA123456"], ids=["newline", "crlf", "leading"])
def test_crn_format_constraint_in_the_database_refuses_a_newline(org, crn):
    # Past the service, straight to the table: PostgreSQL refuses it as too long or by the check, SQLite by the
    # check (anchored with \A…\Z, since SQLite's REGEXP is Python's re, where $ matches before a final newline).
    with pytest.raises(DatabaseError), transaction.atomic():
        Person.objects.create(
            crn=crn,
            first_name="Sam",
            last_name="Jones",
            date_of_birth=dt.date(1988, 3, 4),
            gender="female",
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
    assert not Person.objects.exists()


# Search: a bounded query, never a 500 -----------------------------------------------------------------------------


def test_search_q_longer_than_100_characters_is_422_on_q(org):
    make_person(org)
    api = Api("po")
    before = table_snapshot()
    assert problem_fields(api.get("/people", q="Smith " * 17)) == {"q"}
    assert table_snapshot() == before


@pytest.mark.parametrize(
    ("q", "found"),
    [
        pytest.param("Alex Smith", True, id="two_words"),
        pytest.param("A " * 49 + "A", True, id="fifty_words_within_100_characters"),
        pytest.param("Alex Smith Alex Smith Alex Nobody", True, id="sixth_word_ignored"),
        pytest.param("Alex Smith Alex Smith Nobody", False, id="fifth_word_used"),
    ],
)
def test_search_uses_the_first_five_words_of_q(org, q, found):
    make_person(org, first_name="Alex", last_name="Smith")
    response = Api("po").get("/people", q=q)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == (1 if found else 0)


def test_search_selector_caps_a_query_of_1300_words_for_web_and_api_alike(org):
    make_person(org, first_name="Alex", last_name="Smith")
    query = " ".join(["Alex"] * 1300)  # once 'expression tree too large' on SQLite
    assert people_selectors.people_list(actor=org.po.user, query=query).count() == 1
    assert [p.last_name for p in people_selectors.people_search(actor=org.po.user, query=query)] == ["Smith"]


# Duplicate CRN: refused without revealing a case the caller may not see -------------------------------------------


@pytest.mark.parametrize(
    ("username", "message"),
    [
        pytest.param("pob", "This CRN cannot be used. Check it, or ask an administrator", id="excluded_practitioner"),
        pytest.param("po", "This CRN cannot be used. Check it, or ask an administrator", id="other_team"),
        pytest.param("admin", "A case with CRN X199001 already exists", id="administrator_who_can_see_it"),
    ],
)
def test_duplicate_crn_is_named_as_a_duplicate_only_to_someone_who_can_see_that_case(org, username, message):
    hidden = make_person(org, practitioner=org.po_b, crn="X199001")
    CaseAccess.objects.create(person=hidden, staff=org.po_b, kind="exclusion", reason="Known to the officer")
    api = Api(username)
    before = table_snapshot()
    response = api.post("/people", {**VALID_PERSON, "crn": hidden.crn})
    assert problem_fields(response) == {"crn"}
    assert [e["message"] for e in response.json()["errors"]] == [message]
    assert table_snapshot() == before


# Contact dates: bounded in the past as well as the future ---------------------------------------------------------


@pytest.mark.parametrize(
    "date",
    [
        pytest.param("0001-01-01T00:00:00+05:00", id="year_one_with_offset"),
        pytest.param("0001-01-01T00:00:00", id="year_one_local"),
        pytest.param("1899-12-31T23:59:59Z", id="before_1900"),
        pytest.param("1990-05-16T12:00:00+01:00", id="day_before_date_of_birth"),
        pytest.param("9999-12-31T23:59:59-05:00", id="year_9999"),
    ],
)
def test_contact_date_out_of_bounds_is_422_on_date(org, date):
    person = make_person(org)  # born 17 May 1990
    api = Api("po")
    before = table_snapshot()
    response = api.post(f"/people/{person.crn}/contacts", {"type": "note", "date": date, "notes": "Seen."})
    assert problem_fields(response) == {"date"}
    assert table_snapshot() == before


def test_contact_on_the_date_of_birth_is_accepted(org):
    person = make_person(org)
    response = Api("po").post(
        f"/people/{person.crn}/contacts",
        {"type": "note", "date": "1990-05-17T12:00:00+01:00", "notes": "Birth record."},
    )
    assert response.status_code == 201, response.content


# Lists of a case's records are paginated like people and contacts -------------------------------------------------


def test_case_record_lists_are_paginated_with_items_count_page_and_page_size(org):
    person = make_person(org)  # one event already
    api = Api("po")
    for n in range(3):
        assert (
            api.post(
                f"/people/{person.crn}/relationships",
                {
                    "relationship": "child",
                    "first_name": f"Child{n}",
                    "last_name": "Smith",
                    "start_date": f"201{n}-01-01",
                },
            ).status_code
            == 201
        )
        assert (
            api.post(
                f"/people/{person.crn}/registrations", {"code": "RCCO", "start_date": f"2026-0{n + 1}-01"}
            ).status_code
            == 201
        )
    assert api.post(f"/people/{person.crn}/events", VALID_EVENT).status_code == 201
    for resource, total in (("events", 2), ("registrations", 3), ("relationships", 3)):
        first = api.get(f"/people/{person.crn}/{resource}", page_size=2).json()
        second = api.get(f"/people/{person.crn}/{resource}", page_size=2, page=2).json()
        assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (total, 1, 2, 2)
        assert (second["count"], second["page"], len(second["items"])) == (total, 2, total - 2)
        ids = [i.get("id", i.get("number")) for i in first["items"] + second["items"]]
        assert len(set(ids)) == total, resource
        assert problem_fields(api.get(f"/people/{person.crn}/{resource}", page_size=0)) == {"page_size"}
    active = api.get(f"/people/{person.crn}/registrations", active=True).json()
    assert active["count"] == 3


# PATCH: bad input is a 422 naming the field, an unknown record 404, a stale version 409; nothing changes -------


@pytest.fixture
def case(org):
    """A case with one of each patchable record, and the path of each."""
    person = make_person(org)  # event 1: community order sentenced 5 Jan 2026
    api = Api("po")
    contact = api.post(
        f"/people/{person.crn}/contacts", {"type": "note", "date": "2026-03-01T10:00:00Z", "notes": "Seen."}
    ).json()
    registration = api.post(f"/people/{person.crn}/registrations", {"code": "RHRH", "start_date": "2026-02-10"}).json()
    relationship = api.post(
        f"/people/{person.crn}/relationships",
        {
            "relationship": "ex_partner",
            "first_name": "Jo",
            "last_name": "Bloggs",
            "start_date": "2025-06-01",
            "end_date": "2026-01-01",
        },
    ).json()
    base = f"/people/{person.crn}"
    return {
        "person": base,
        "event": f"{base}/events/1",
        "contact": f"{base}/contacts/{contact['id']}",
        "registration": f"{base}/registrations/{registration['id']}",
        "relationship": f"{base}/relationships/{relationship['id']}",
    }


BAD_PATCHES = [
    pytest.param("person", {"version": 1, "first_name": 7}, {"first_name"}, id="person_name_wrong_type"),
    pytest.param("person", {"version": "1", "first_name": "Alexa"}, {"version"}, id="person_version_as_string"),
    pytest.param("person", {"first_name": "Alexa"}, {"version"}, id="person_without_version"),
    pytest.param("person", {"version": 1, "crn": "B123456"}, {"crn"}, id="person_crn_cannot_be_patched"),
    pytest.param("person", {"version": 1, "nickname": "Al"}, {"nickname"}, id="person_unknown_field"),
    pytest.param(
        "person", {"version": 1, "date_of_birth": "2030-01-01"}, {"date_of_birth"}, id="person_born_in_the_future"
    ),
    pytest.param("person", {"version": 1, "gender": "m"}, {"gender"}, id="person_gender_not_in_enumeration"),
    pytest.param("person", {"version": 1, "last_name": None}, {"last_name"}, id="person_required_field_cleared"),
    pytest.param(
        "event",
        {"version": 1, "sentence_date": "2025-12-01"},
        {"sentence_date"},
        id="event_sentence_moved_before_conviction",
    ),
    pytest.param(
        "event",
        {"version": 1, "conviction_date": "2026-02-01"},
        {"sentence_date"},
        id="event_conviction_moved_after_sentence",
    ),
    pytest.param(
        "event",
        {"version": 1, "termination_date": "2025-01-01", "termination_reason": "completed"},
        {"termination_date"},
        id="event_terminated_before_sentence",
    ),
    pytest.param("event", {"version": 1, "length_months": "12"}, {"length_months"}, id="event_length_as_string"),
    pytest.param("event", {"version": 1, "length_months": -1}, {"length_months"}, id="event_negative_length"),
    pytest.param(
        "event",
        {"version": 1, "release_date": "2026-06-01"},
        {"release_date"},
        id="event_release_date_on_community_order",
    ),
    pytest.param("event", {"version": 1, "requirements": []}, {"requirements"}, id="event_unknown_field"),
    pytest.param("contact", {"version": 1, "date": "0001-01-01T00:00:00+05:00"}, {"date"}, id="contact_year_one"),
    pytest.param(
        "contact", {"version": 1, "date": "1990-05-16T12:00:00Z"}, {"date"}, id="contact_before_date_of_birth"
    ),
    pytest.param("contact", {"version": 1, "outcome": "maybe"}, {"outcome"}, id="contact_outcome_not_in_enumeration"),
    pytest.param("contact", {"version": 1, "notes": 5}, {"notes"}, id="contact_notes_wrong_type"),
    pytest.param("contact", {"version": 1, "staff": "N07A002"}, {"staff"}, id="contact_unknown_field"),
    pytest.param(
        "registration", {"version": 1, "end_date": "2025-01-01"}, {"end_date"}, id="registration_ends_before_it_starts"
    ),
    pytest.param("registration", {"version": 1, "code": "RMRH"}, {"code"}, id="registration_code_cannot_be_patched"),
    pytest.param(
        "relationship",
        {"version": 1, "start_date": "2026-06-01"},
        {"end_date"},
        id="relationship_start_moved_after_end",
    ),
    pytest.param(
        "relationship", {"version": 1, "end_date": "2025-01-01"}, {"end_date"}, id="relationship_ends_before_it_starts"
    ),
    pytest.param(
        "relationship",
        {"version": 1, "lives_in_household": "yes"},
        {"lives_in_household"},
        id="relationship_flag_wrong_type",
    ),
    pytest.param(
        "relationship", {"version": 1, "relationship": "cousin"}, {"relationship"}, id="relationship_not_in_enumeration"
    ),
]


@pytest.mark.parametrize(("record", "body", "fields"), BAD_PATCHES)
def test_bad_patch_is_422_with_field_path_and_changes_no_value(case, record, body, fields):
    api = Api("po")
    before = table_snapshot()
    assert problem_fields(api.patch(case[record], body)) == fields
    assert table_snapshot() == before


@pytest.mark.parametrize(
    ("record", "change"),
    [
        ("person", {"first_name": "Alexa"}),
        ("event", {"length_months": 18}),
        ("contact", {"notes": "Seen at the office."}),
        ("registration", {"notes": "Reviewed."}),
        ("relationship", {"notes": "Moved away."}),
    ],
)
def test_patch_with_a_stale_version_is_409_and_changes_no_value(case, record, change):
    api = Api("po")
    assert api.patch(case[record], {"version": 1, **change}).status_code == 200
    before = table_snapshot()
    stale = api.patch(case[record], {"version": 1, **{k: "x" if isinstance(v, str) else 24 for k, v in change.items()}})
    assert stale.status_code == 409, stale.content
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["current_version"] == 2
    assert table_snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/events/99", {"version": 1, "length_months": 18}),
        ("patch", "/events/99", {"version": 1}),
        ("post", "/events/99/allocations", {"practitioner": "N07A001", "start_date": "2026-03-01"}),
        ("patch", "/contacts/999999", {"version": 1, "notes": "x"}),
        ("patch", "/registrations/999999", {"version": 1, "notes": "x"}),
        ("patch", "/relationships/999999", {"version": 1, "notes": "x"}),
        ("get", "/events/99", None),
    ],
    ids=[
        "event_patch",
        "event_patch_version_only",
        "event_allocation",
        "contact",
        "registration",
        "relationship",
        "event_get",
    ],
)
def test_unknown_record_of_a_case_is_404_problem_and_changes_nothing(case, method, path, body):
    api = Api("po")
    before = table_snapshot()
    url = case["person"] + path
    response = api.get(url) if method == "get" else getattr(api, method)(url, body)
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert table_snapshot() == before


# Anything else under /api/v1/: problem+json, not the site's HTML pages ---------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/nothing-here", "/people/X100001/nothing", "/people/", "/nothing/", "/people/X100001/events/1/nothing"],
    ids=["top_level", "under_a_case", "trailing_slash", "with_slash", "under_an_event"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_api_path_is_404_problem(org, path, method):
    api = Api("po")
    response = api.get(path) if method == "get" else api.post(path, {})
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_unknown_api_path_is_404_problem_even_without_a_token(org):
    response = Client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/people", {"GET", "POST"}),
        ("put", "/people/X100001", {"GET", "PATCH"}),
        ("delete", "/people/X100001/contacts", {"GET", "POST"}),
    ],
)
def test_method_an_endpoint_lacks_is_405_problem_with_allow(org, method, path, allowed):
    client = Api("po")
    response = getattr(client.client, method)(f"/api/v1{path}", headers=client.headers)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 405
    assert {m.strip() for m in response["Allow"].split(",")} == allowed
