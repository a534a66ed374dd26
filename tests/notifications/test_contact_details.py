"""A person's mobile number, email address and consent to reminders: validated, versioned and audited like any other
change to the person (people.services.person_update), through the service, the API and the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from openprobation.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.people.models import Person
from openprobation.people.services import person_update
from tests.factories import make_person

pytestmark = pytest.mark.django_db

NONE_GIVEN = {"mobile_number": "", "email": "", "sms_reminders": False, "email_reminders": False}


@pytest.mark.parametrize(
    ("changes", "stored"),
    [
        ({"mobile_number": "+44 7700 900982", "sms_reminders": True}, {"mobile_number": "07700900982",
                                                                       "sms_reminders": True}),
        ({"email": "  alex@example.com ", "email_reminders": True}, {"email": "alex@example.com",
                                                                     "email_reminders": True}),
        ({"mobile_number": "07700 900982"}, {"mobile_number": "07700900982", "sms_reminders": False}),
        ({"sms_reminders": False, "email_reminders": False}, NONE_GIVEN),
    ],
    ids=["mobile_with_consent_kept_as_07", "email_with_consent_trimmed", "number_without_consent", "no_to_both"],
)
def test_contact_details_accepted(org, changes, stored):
    person = make_person(org)
    updated = person_update(actor=org.po.user, person=person, version=person.version, changes=changes)
    assert {k: getattr(updated, k) for k in stored} == stored
    assert updated.version == person.version + (1 if any(getattr(person, k) != v for k, v in stored.items()) else 0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mobile_number": "020 7946 0000"}, "mobile_number", "Enter a UK mobile number, like 07700 900982"),
        ({"email": "alex@"}, "email", "Enter an email address in the correct format, like name@example.com"),
        ({"email": "a" * 250 + "@example.com"}, "email", "The email address must be 254 characters or fewer"),
        ({"sms_reminders": True}, "mobile_number", "Enter a mobile number, or choose no to text message reminders"),
        ({"email_reminders": True}, "email", "Enter an email address, or choose no to email reminders"),
        ({"sms_reminders": "yes"}, "sms_reminders", "Choose yes or no"),
        ({"email": "alex@exa\u202emple.com"}, "email",
         "Remove the direction-control character (such as a right-to-left override) from this text"),
    ],
    ids=["landline_refused", "email_format", "email_too_long", "text_consent_needs_a_number",
         "email_consent_needs_an_address", "consent_is_yes_or_no", "no_direction_control_in_email"],
)
def test_contact_details_refused(org, changes, field, message):
    person = make_person(org)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        person_update(actor=org.po.user, person=person, version=person.version, changes=changes)
    assert [(e.dotted, e.message) for e in caught.value.errors] == [(field, message)]
    assert Person.objects.filter(pk=person.pk, version=person.version, **NONE_GIVEN).exists()
    assert AuditEvent.objects.count() == before


def test_removing_the_number_while_consent_stands_is_refused(org):
    person = make_person(org)
    person = person_update(actor=org.po.user, person=person, version=person.version,
                           changes={"mobile_number": "07700900982", "sms_reminders": True})
    with pytest.raises(ValidationFailed, match="Enter a mobile number, or choose no"):
        person_update(actor=org.po.user, person=person, version=person.version, changes={"mobile_number": ""})


def test_the_database_refuses_consent_without_a_detail(org):
    person = make_person(org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(sms_reminders=True)


def test_a_stale_version_changes_nothing(org):
    person = make_person(org)
    person_update(actor=org.po.user, person=person, version=person.version, changes={"first_name": "Alexander"})
    with pytest.raises(VersionConflict):
        person_update(actor=org.po2.user, person=person, version=person.version,
                      changes={"mobile_number": "07700900982", "sms_reminders": True})
    assert Person.objects.get(pk=person.pk).mobile_number == ""


def test_the_change_is_audited_with_before_and_after(org):
    person = make_person(org)
    person_update(actor=org.po.user, person=person, version=person.version,
                  changes={"mobile_number": "07700 900982", "sms_reminders": True, "email": ""})
    event = AuditEvent.objects.filter(action="person.updated", crn=person.crn).latest("id")
    assert event.actor_name == "po"
    assert event.before == {"mobile_number": "", "sms_reminders": False}
    assert event.after == {"mobile_number": "07700900982", "sms_reminders": True}


def test_quality_assurance_cannot_change_them(org):
    person = make_person(org)
    with pytest.raises(PermissionDenied):
        person_update(actor=org.qa.user, person=person, version=person.version, changes={"email_reminders": False})


# ---- API ----


def _api(username: str) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {token_create(username=username)}"}


def _patch(client: Client, headers: dict[str, str], crn: str, body: dict[str, Any]):
    return client.patch(f"/api/v1/people/{crn}", json.dumps(body), content_type="application/json", headers=headers)


def test_api_changes_and_shows_contact_details(org):
    person = make_person(org)
    client, headers = _api("po")
    response = _patch(client, headers, person.crn, {"version": person.version, "mobile_number": "07700 900982",
                                                    "sms_reminders": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["mobile_number"], body["sms_reminders"], body["email"], body["email_reminders"]) == (
        "07700900982", True, "", False)
    assert client.get(f"/api/v1/people/{person.crn}", headers=headers).json()["version"] == person.version + 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"mobile_number": "12345"}, 422, "mobile_number"),
        ({"sms_reminders": "yes"}, 422, "sms_reminders"),
        ({"email_reminders": True}, 422, "email"),
        ({"email": "a\u202eb@example.com"}, 422, "email"),
    ],
    ids=["not_a_mobile_number", "consent_not_a_boolean", "consent_without_address", "direction_control"],
)
def test_api_refuses_bad_contact_details(org, body, status, field):
    person = make_person(org)
    client, headers = _api("po")
    response = _patch(client, headers, person.crn, {"version": person.version, **body})
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}
    assert Person.objects.filter(pk=person.pk, version=person.version, **NONE_GIVEN).exists()


def test_api_stale_version_is_409(org):
    person = make_person(org)
    client, headers = _api("po")
    assert _patch(client, headers, person.crn, {"version": person.version, "email": "a@example.com"}).status_code == 200
    response = _patch(client, headers, person.crn, {"version": person.version, "email_reminders": True})
    assert response.status_code == 409
    assert response.json()["current_version"] == person.version + 1


def test_api_lists_a_case_reminders(org):
    person = make_person(org)
    client, headers = _api("po")
    response = client.get(f"/api/v1/people/{person.crn}/reminders", headers=headers)
    assert (response.status_code, response.json()) == (200, [])
    other_team, other_headers = _api("pob")
    assert other_team.get(f"/api/v1/people/{person.crn}/reminders", headers=other_headers).status_code == 404
