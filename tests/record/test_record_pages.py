"""Keeping the record up to date from the pages: personal details, addresses, household, registrations and the
reporting frequency, through the same services as the API (validation, versions, audit). The clock is frozen at
24 Nov 2026, 12:00 UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.core.models import AuditEvent
from openprobation.people.models import Address, Person, Relationship
from openprobation.risk.models import Registration
from openprobation.risk.services import registration_add
from openprobation.workitems.models import ReportingChange, WorkItem
from openprobation.workitems.services import reporting_frequency_request
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _date(name: str, day: int, month: int, year: int) -> dict[str, str]:
    return {f"{name}_day": str(day), f"{name}_month": str(month), f"{name}_year": str(year)}


# --- personal details ----------------------------------------------------------------------------------------

PERSONAL = {"first_name": "Alexis", "last_name": "Smith", "gender": "female", "pnc_number": "2004/46583u",
            "cro_number": "", **_date("date_of_birth", 3, 4, 1991)}  # fmt: skip


def test_change_personal_details(org, frozen_clock):
    person = make_person(org)
    url = reverse("web:personal-details-change", args=[person.crn])
    form = _client_for(org.po).get(url).content.decode()
    assert 'value="Alex"' in form and 'name="version" value="1"' in form
    response = _client_for(org.po).post(url, {**PERSONAL, "version": "1"})
    assert response.status_code == 302 and response["Location"] == f"/case/{person.crn}/personal-details/#summary"
    person.refresh_from_db()
    assert (person.first_name, person.date_of_birth, person.pnc_number, person.version) == (
        "Alexis", dt.date(1991, 4, 3), "2004/0046583U", 2)
    assert AuditEvent.objects.filter(action="person.updated", crn=person.crn).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Enter the first name"),
        ({"first_name": "A" * 101}, "First name must be 100 characters or fewer"),
        ({"pnc_number": "04/46583U"}, "four-digit year"),
        ({"date_of_birth_month": "13"}, "must be a real date"),
        ({**_date("date_of_birth", 1, 1, 2020)}, "at least 10 years old"),
        ({"gender": "sideways"}, "Select the gender"),
        ({"version": "7"}, "Someone else changed this record"),
        ({"version": "x"}, "Someone else changed this record"),
    ],
)
def test_personal_details_with_a_problem_save_nothing(org, frozen_clock, changes, message):
    person = make_person(org)
    response = _client_for(org.po).post(
        reverse("web:personal-details-change", args=[person.crn]), {**PERSONAL, "version": "1", **changes}
    )
    assert response.status_code == 200 and message in response.content.decode()
    person.refresh_from_db()
    assert (person.first_name, person.version) == ("Alex", 1)


# --- addresses and household ---------------------------------------------------------------------------------


def test_add_an_address(org, frozen_clock):
    person = make_person(org)
    url = reverse("web:address-new", args=[person.crn])
    posted = {"line1": "2 Low Road", "line2": "", "town": "Leeds", "postcode": "ls1 1aa",
              **_date("start_date", 1, 11, 2026)}
    assert _client_for(org.po).post(url, posted).status_code == 302
    address = Address.objects.get(person=person)
    assert (address.line1, address.postcode, address.start_date) == ("2 Low Road", "LS1 1AA", dt.date(2026, 11, 1))
    too_long = _client_for(org.po).post(url, {**posted, "line1": "x" * 5000})
    assert too_long.status_code == 200 and "Address line 1 must be 100 characters or fewer" in too_long.content.decode()
    assert Address.objects.filter(person=person).count() == 1


HOUSEHOLD = {"relationship": "partner", "first_name": "Sam", "last_name": "Jones", "lives_in_household": "yes",
             "potential_victim": "no", "notes": "", **_date("start_date", 20, 11, 2026)}  # fmt: skip


def test_add_a_household_member_starts_the_household_clocks(org, frozen_clock):
    person = make_person(org)
    response = _client_for(org.po).post(reverse("web:relationship-new", args=[person.crn]), HOUSEHOLD)
    assert response.status_code == 302 and response["Location"] == f"/case/{person.crn}/personal-details/#household"
    relationship = Relationship.objects.get(person=person)
    assert (relationship.name, relationship.lives_in_household, relationship.potential_victim) == (
        "Sam Jones", True, False)
    assert WorkItem.objects.filter(person=person, relationship=relationship).exists()  # the household checks


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lives_in_household": ""}, "Select yes if they live in the same household"),
        ({"lives_in_household": "maybe"}, "Select yes if they live in the same household"),
        ({"relationship": "cousin"}, "Select the relationship"),
        ({"last_name": ""}, "Enter their last name"),
        ({**_date("date_of_birth", 1, 1, 2030)}, "The date of birth must be in the past"),
    ],
)
def test_a_household_member_with_a_problem_is_not_added(org, frozen_clock, changes, message):
    person = make_person(org)
    response = _client_for(org.po).post(reverse("web:relationship-new", args=[person.crn]), {**HOUSEHOLD, **changes})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Relationship.objects.filter(person=person).exists()


def test_end_a_relationship(org, frozen_clock):
    person = make_person(org)
    _client_for(org.po).post(reverse("web:relationship-new", args=[person.crn]), HOUSEHOLD)
    relationship = Relationship.objects.get(person=person)
    url = reverse("web:relationship-change", args=[person.crn, relationship.pk])
    assert 'value="yes" checked' in _client_for(org.po).get(url).content.decode()
    posted = {"lives_in_household": "no", "potential_victim": "no", "notes": "Moved out",
              "version": str(relationship.version), **_date("end_date", 23, 11, 2026)}  # fmt: skip
    assert _client_for(org.po).post(url, posted).status_code == 302
    relationship.refresh_from_db()
    assert (relationship.end_date, relationship.lives_in_household, relationship.notes) == (
        dt.date(2026, 11, 23), False, "Moved out")
    stale = _client_for(org.po).post(url, {**posted, "notes": "Again"})  # the old version
    assert "Someone else changed this record" in stale.content.decode()


# --- registrations -----------------------------------------------------------------------------------------


def test_add_a_mappa_registration_in_two_steps(org, frozen_clock):
    person = make_person(org)
    client = _client_for(org.po)
    step1 = client.post(reverse("web:registration-new", args=[person.crn]), {"code": "MAPP"})
    assert step1.status_code == 302 and step1["Location"] == f"/case/{person.crn}/registrations/new/MAPP/"
    form = client.get(step1["Location"]).content.decode()
    assert "M3" in form and "M4" in form  # the type's levels and categories
    missing = client.post(step1["Location"], _date("start_date", 1, 11, 2026))
    assert "Select the MAPPA level" in missing.content.decode() and not Registration.objects.filter(person=person)
    done = client.post(step1["Location"], {"level": "M2", "category": "M1", "notes": "",
                                           **_date("start_date", 1, 11, 2026)})
    assert done.status_code == 302 and done["Location"] == f"/case/{person.crn}/risk/#registrations"
    registration = Registration.objects.get(person=person)
    assert (registration.code, registration.level, registration.category) == ("MAPP", "M2", "M1")


@pytest.mark.parametrize("code", ["", "NOPE"])
def test_an_unknown_registration_type_is_refused(org, frozen_clock, code):
    person = make_person(org)
    response = _client_for(org.po).post(reverse("web:registration-new", args=[person.crn]), {"code": code})
    assert response.status_code == 200 and "Select the type of registration" in response.content.decode()
    assert _client_for(org.po).get(f"/case/{person.crn}/registrations/new/NOPE/").status_code == 404


def test_review_then_end_a_registration(org, frozen_clock):
    person = make_person(org)
    registration = registration_add(actor=org.po.user, person=person, code="RHRH", start_date=dt.date(2026, 6, 1),
                                    notes="Initial")  # fmt: skip
    client = _client_for(org.po)
    review_url = reverse("web:registration-change", args=[person.crn, registration.pk, "review"])
    reviewed = client.post(review_url, {"notes": "Still high", "version": "1", **_date("review_date", 1, 5, 2027)})
    assert reviewed.status_code == 302
    registration.refresh_from_db()
    assert (registration.review_date, registration.notes) == (dt.date(2027, 5, 1), "Initial\nStill high")
    end_url = reverse("web:registration-change", args=[person.crn, registration.pk, "end"])
    no_reason = client.post(end_url, {"version": str(registration.version), **_date("end_date", 24, 11, 2026)})
    assert "Enter why the registration is ending" in no_reason.content.decode()
    ended = client.post(end_url, {"notes": "Risk reduced", "version": str(registration.version),
                                  **_date("end_date", 24, 11, 2026)})  # fmt: skip
    assert ended.status_code == 302
    registration.refresh_from_db()
    assert registration.end_date == dt.date(2026, 11, 24)
    assert client.get(end_url).status_code == 404  # ended: nothing more to do
    delete_url = reverse("web:registration-change", args=[person.crn, registration.pk, "delete"])
    assert client.get(delete_url).status_code == 404


def test_an_end_date_before_the_start_is_refused(org, frozen_clock):
    person = make_person(org)
    registration = registration_add(actor=org.po.user, person=person, code="RHRH", start_date=dt.date(2026, 6, 1))
    response = _client_for(org.po).post(
        reverse("web:registration-change", args=[person.crn, registration.pk, "end"]),
        {"notes": "Mistake", "version": "1", **_date("end_date", 1, 5, 2026)},
    )
    assert response.status_code == 200 and "must be the same as or after the start date" in response.content.decode()
    registration.refresh_from_db()
    assert registration.end_date is None


# --- reporting frequency -------------------------------------------------------------------------------------


def test_a_reduction_is_requested_in_the_pages_and_the_spo_sees_everything_to_decide(org, frozen_clock):
    person = make_person(org)
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start of order")
    response = _client_for(org.po).post(
        reverse("web:reporting-change-new", args=[person.crn]), {"frequency": "monthly", "reason": "Stable work"}
    )
    assert response.status_code == 302
    change = ReportingChange.objects.get(person=person, frequency="monthly")
    assert change.status == "awaiting_countersignature"
    page = _client_for(org.spo).get(reverse("web:reporting-decision", args=[person.crn, change.pk])).content.decode()
    request = page[page.index('id="reporting-request"') :]
    assert "Weekly" in request and "Monthly" in request and "Po Tester" in request and "Stable work" in request
    assert 'id="reporting-compliance"' in page and "Appointments in all" in page


def test_qa_cannot_change_the_record_in_the_pages(org, frozen_clock):
    person = make_person(org)
    qa = _client_for(org.qa)
    for name, args in [("web:personal-details-change", []), ("web:address-new", []), ("web:relationship-new", []),
                       ("web:registration-new", []), ("web:reporting-change-new", [])]:  # fmt: skip
        assert qa.post(reverse(name, args=[person.crn, *args]), {}).status_code == 403, name
    assert Person.objects.get(pk=person.pk).version == 1
