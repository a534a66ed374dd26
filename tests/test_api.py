"""The API: the same access rules as the pages, problem+json errors with field paths, versions, no 500s."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from openprobation.contacts.models import Contact
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.people.models import CaseAccess, Person, Relationship
from openprobation.risk.models import Registration
from openprobation.sentences.models import Event, Requirement
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
        return self.client.patch(f"/api/v1{path}", json.dumps(body), content_type="application/json",
                                 headers=self.headers)


def table_counts() -> dict[str, int]:
    models = (Person, Event, Requirement, Contact, Registration, Relationship)
    return {m.__name__: m.objects.count() for m in models}


def problem_fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    return {e["field"] for e in body["errors"]}


VALID_PERSON = {"crn": "A123456", "first_name": "Sam", "last_name": "Jones", "date_of_birth": "1988-03-04",
                "gender": "female"}
VALID_EVENT = {"offence_code": "00101", "conviction_date": "2026-02-01", "sentence_date": "2026-02-10",
               "sentence_type": "community_order", "length_months": 18,
               "requirements": [{"type": "unpaid_work", "length": 120}, {"type": "rar", "length": 20}]}


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

    contact = api.post("/people/A123456/contacts", {"type": "office_appointment", "date": "2026-03-01T10:00:00Z",
                                                    "outcome": "attended_complied", "notes": "Seen."})
    assert contact.status_code == 201, contact.content
    assert contact.json()["staff"] == org.spo.code

    registration = api.post("/people/A123456/registrations", {"code": "MAPP", "level": "M2", "category": "M1",
                                                              "start_date": "2026-02-10"})
    assert registration.status_code == 201, registration.content
    assert registration.json()["name"] == "MAPPA"

    relationship = api.post("/people/A123456/relationships", {
        "relationship": "partner", "first_name": "Jo", "last_name": "Bloggs", "start_date": "2025-06-01",
        "lives_in_household": True, "potential_victim": True})
    assert relationship.status_code == 201, relationship.content

    for resource in ("events", "registrations", "relationships"):
        listed = api.get(f"/people/A123456/{resource}")
        assert listed.status_code == 200
        assert len(listed.json()) == 1
    assert api.get("/people/A123456/contacts").json()["count"] == 1


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
    before = table_counts()
    assert problem_fields(api.post("/people", body)) == fields
    assert table_counts() == before


BAD_EVENTS = [
    pytest.param({**VALID_EVENT, "offence_code": "99999"}, {"offence_code"}, id="unknown_offence_code"),
    pytest.param({**VALID_EVENT, "offence_code": "101"}, {"offence_code"}, id="offence_code_not_5_digits"),
    pytest.param({**VALID_EVENT, "sentence_date": "2026-01-01"}, {"sentence_date"}, id="sentenced_before_conviction"),
    pytest.param({**VALID_EVENT, "length_months": 0}, {"length_months"}, id="zero_length"),
    pytest.param({**VALID_EVENT, "length_months": "18"}, {"length_months"}, id="length_as_string"),
    pytest.param({**VALID_EVENT, "length_months": 10**12}, {"length_months"}, id="length_enormous"),
    pytest.param({**VALID_EVENT, "requirements": [{"type": "unpaid_work", "length": -5}]},
                 {"requirements.0.length"}, id="negative_unpaid_work_hours"),
    pytest.param({**VALID_EVENT, "requirements": [{"type": "unpaid_work", "length": 301}]},
                 {"requirements.0.length"}, id="unpaid_work_over_300_hours"),
    pytest.param({**VALID_EVENT, "requirements": [{"type": "tea", "length": 5}]},
                 {"requirements.0.type"}, id="unknown_requirement_type"),
    pytest.param({**VALID_EVENT, "requirements": [{"type": "rar", "length": 5, "colour": "red"}]},
                 {"requirements.0.colour"}, id="unknown_nested_field"),
    pytest.param({**VALID_EVENT, "release_date": "2026-05-01"}, {"release_date"}, id="release_date_on_community_order"),
    pytest.param({**VALID_EVENT, "sentence_type": "licence", "requirements": []}, {"release_date"},
                 id="licence_without_release_date"),
    pytest.param({**VALID_EVENT, "licence_conditions": [{"type": "disclose_relationships"}]},
                 {"licence_conditions"}, id="licence_condition_on_community_order"),
    pytest.param({**VALID_EVENT, "practitioner": "NOBODY"}, {"practitioner"}, id="unknown_practitioner"),
    pytest.param({**VALID_EVENT, "conviction_date": "2999-01-01", "sentence_date": "2999-01-01"},
                 {"conviction_date"}, id="conviction_in_the_future"),
]


@pytest.mark.parametrize(("body", "fields"), BAD_EVENTS)
def test_bad_event_input_is_422_with_field_path_and_changes_nothing(org, body, fields):
    person = make_person(org)
    before = table_counts()
    assert problem_fields(Api("po").post(f"/people/{person.crn}/events", body)) == fields
    assert table_counts() == before


BAD_OTHER = [
    pytest.param("contacts", {"type": "office_appointment", "date": "2026-03-01T10:00:00Z"}, {"outcome"},
                 id="past_appointment_without_outcome"),
    pytest.param("contacts", {"type": "note", "date": "yesterday"}, {"date"}, id="contact_date_not_a_date"),
    pytest.param("contacts", {"type": "note", "date": "2026-03-01T10:00:00Z", "notes": ""}, {"notes"},
                 id="note_without_text"),
    pytest.param("registrations", {"code": "XXXX", "start_date": "2026-01-01"}, {"code"}, id="unknown_register_code"),
    pytest.param("registrations", {"code": "MAPP", "level": "M9", "category": "M1", "start_date": "2026-01-01"},
                 {"level"}, id="mappa_level_out_of_range"),
    pytest.param("registrations", {"code": "RHRH", "start_date": "2026-02-01", "end_date": "2026-01-01"},
                 {"end_date"}, id="registration_ends_before_it_starts"),
    pytest.param("relationships", {"relationship": "partner", "first_name": "A", "last_name": "B",
                                   "start_date": "2026-02-01", "end_date": "2026-01-01"}, {"end_date"},
                 id="relationship_ends_before_it_starts"),
    pytest.param("relationships", {"relationship": "cousin", "first_name": "A", "last_name": "B",
                                   "start_date": "2026-02-01"}, {"relationship"}, id="unknown_relationship"),
    pytest.param("relationships", {"relationship": "child", "first_name": "A", "last_name": "B",
                                   "start_date": "2026-02-01", "lives_in_household": "yes"},
                 {"lives_in_household"}, id="flag_wrong_type"),
]


@pytest.mark.parametrize(("resource", "body", "fields"), BAD_OTHER)
def test_bad_record_input_is_422_with_field_path_and_changes_nothing(org, resource, body, fields):
    person = make_person(org)
    before = table_counts()
    assert problem_fields(Api("po").post(f"/people/{person.crn}/{resource}", body)) == fields
    assert table_counts() == before


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
    before = table_counts()
    response = api.post(f"/people/{person.crn}/contacts", {"type": "note", "date": "2026-03-01T10:00:00Z",
                                                          "notes": "QA note"})
    assert response.status_code == 403
    assert table_counts() == before


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
    assert set(event_props) >= {"offence_code", "conviction_date", "sentence_date", "sentence_type", "length_months",
                                "release_date", "requirements", "licence_conditions"}
    assert set(schemas["SentenceType"]["enum"]) == {"community_order", "suspended_sentence_order", "custody",
                                                    "licence", "post_sentence_supervision"}
    assert "disclose_relationships" in schemas["LicenceConditionType"]["enum"]


def test_docs_page_is_served_without_a_cdn(org):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_contact_date_without_offset_is_taken_as_uk_time(org):
    person = make_person(org)
    response = Api("po").post(f"/people/{person.crn}/contacts", {
        "type": "telephone", "date": "2026-07-01T09:30:00", "outcome": "attended_complied"})
    assert response.status_code == 201, response.content
    assert response.json()["date"].startswith("2026-07-01T08:30:00")  # 09:30 BST is 08:30 UTC
    assert dt.datetime.fromisoformat(response.json()["date"]).utcoffset() is not None


@pytest.mark.parametrize("params", [{"q": "Smi\x00th"}, {"team": "N07\x00"}, {"practitioner": "\x00"}],
                         ids=["search", "team", "practitioner"])
def test_nul_characters_in_filters_do_not_break_the_list(org, params):
    make_person(org)
    response = Api("po").get("/people", **params)
    assert response.status_code == 200


@pytest.mark.parametrize("crn", ["x123456", "X12", "X1234567", "%00"])
def test_malformed_crn_in_the_path_is_404(org, crn):
    assert Api("admin").get(f"/people/{crn}").status_code == 404
