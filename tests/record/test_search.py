"""Search by "Surname, Forename", date of birth, PNC ID and CRO number (and CRN and name, as before), within the
access rules: a case the user may not see is never found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.core.errors import ValidationFailed
from openprobation.core.tokens import token_create
from openprobation.people.models import Person
from openprobation.people.selectors import people_search
from openprobation.people.services import person_update
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, frozen_clock):
    ian = make_person(org, crn="X700001", first_name="Ian", last_name="Grant")
    person_update(actor=org.po.user, person=ian, version=ian.version,
                  changes={"date_of_birth": dt.date(1985, 3, 9), "pnc_number": "2004/46583u",
                           "cro_number": "12345/99j"})  # fmt: skip
    make_person(org, crn="X700002", first_name="Grant", last_name="Ianson")  # the same words, the other way round
    make_person(org, crn="X700003", first_name="Isla", last_name="Grantham")
    other_team = make_person(org, crn="X700004", first_name="Ian", last_name="Grant", practitioner=org.po_b)
    Person.objects.filter(pk=other_team.pk).update(pnc_number="2004/0046583U", date_of_birth=dt.date(1985, 3, 9))
    return ian


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Grant, Ian", ["X700001"]),
        ("grant,ian", ["X700001"]),
        ("Gran, I", ["X700001", "X700003"]),  # the start of each name
        ("Ianson, Grant", ["X700002"]),
        ("Grant,", ["X700001", "X700003"]),  # surname only
        ("Grant Ian", ["X700001", "X700002"]),  # words in any order match either name
        ("9/3/1985", ["X700001"]),
        ("09-03-1985", ["X700001"]),
        ("9 March 1985", ["X700001"]),
        ("1985-03-09", ["X700001"]),
        ("10/3/1985", []),
        ("2004/0046583U", ["X700001"]),
        ("2004/46583U", ["X700001"]),
        ("04/46583u", ["X700001"]),
        ("012345/99J", ["X700001"]),
        ("12345/99J", ["X700001"]),
        ("2004/0046584U", []),
    ],
)
def test_search_by_name_date_of_birth_pnc_and_cro(org, people, query, found):
    assert sorted(p.crn for p in people_search(actor=org.po.user, query=query)) == found


def test_the_search_page_finds_surname_comma_forename(org, people):
    client = Client()
    client.force_login(org.po.user)
    html = client.get(reverse("web:search"), {"q": "Grant, Ian"}).content.decode()
    assert 'href="/case/X700001/"' in html and "X700002" not in html and "X700004" not in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"pnc_number": "04/46583U"}, "pnc_number", "four-digit year"),
        ({"pnc_number": "2004/46583"}, "pnc_number", "four-digit year"),
        ({"cro_number": "12345/9J"}, "cro_number", "two-digit year"),
    ],
)
def test_a_malformed_police_identifier_is_refused_and_nothing_saved(org, people, changes, field, message):
    with pytest.raises(ValidationFailed) as exc:
        person_update(actor=org.po.user, person=people, version=people.version, changes=changes)
    assert [(e.path, message in e.message) for e in exc.value.errors] == [((field,), True)]
    people.refresh_from_db()
    assert (people.pnc_number, people.cro_number) == ("2004/0046583U", "012345/99J")


def test_police_identifiers_can_be_cleared_and_are_shown_on_personal_details(org, people):
    client = Client()
    client.force_login(org.po.user)
    html = client.get(reverse("web:case-personal", args=[people.crn])).content.decode()
    assert "2004/0046583U" in html and "012345/99J" in html
    people.refresh_from_db()
    person_update(actor=org.po.user, person=people, version=people.version,
                  changes={"pnc_number": None, "cro_number": ""})  # fmt: skip
    people.refresh_from_db()
    assert (people.pnc_number, people.cro_number) == ("", "")


def test_the_api_takes_and_returns_police_identifiers_in_canonical_spelling(org, frozen_clock):
    client = Client(headers={"Authorization": f"Bearer {token_create(username='po')}"})
    created = client.post(
        "/api/v1/people",
        {"crn": "X700009", "first_name": "Ann", "last_name": "Lee", "date_of_birth": "1980-01-02",
         "gender": "female", "pnc_number": "2001/123a", "cro_number": "sf01/5b"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["pnc_number"], created.json()["cro_number"]) == ("2001/0000123A", "SF01/000005B")
    bad = client.post(
        "/api/v1/people",
        {"crn": "X700010", "first_name": "Ann", "last_name": "Lee", "date_of_birth": "1980-01-02",
         "gender": "female", "pnc_number": "nonsense"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and not Person.objects.filter(crn="X700010").exists()
