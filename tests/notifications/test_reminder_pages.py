"""The case page's contact details and reminders, and the form that changes them (GOV.UK question pages: error
summary, values kept, nothing saved on any error; a stale page is a conflict)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from openprobation.contacts.services import contact_record
from openprobation.core import clock
from openprobation.notifications.backends import OutboxBackend
from openprobation.notifications.reminders import reminders_send
from openprobation.people.models import Person
from openprobation.people.services import person_update
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _form(person, **values: str) -> dict[str, str]:
    return {"version": str(person.version), "mobile_number": "", "email": "", "sms_reminders": "no",
            "email_reminders": "no", **values}


def test_the_form_saves_and_the_case_page_shows_the_details(org):
    person = make_person(org)
    client = _client(org.po)
    page = client.get(f"/case/{person.crn}/contact-details/change/")
    assert page.status_code == 200
    assert 'type="tel"' in page.content.decode()
    response = client.post(f"/case/{person.crn}/contact-details/change/",
                           _form(person, mobile_number="07700 900982", sms_reminders="yes"))
    assert response.status_code == 302
    assert response["Location"] == f"/case/{person.crn}/personal-details/#contact-details"
    saved = Person.objects.get(pk=person.pk)
    assert (saved.mobile_number, saved.sms_reminders, saved.version) == ("07700900982", True, person.version + 1)
    case = client.get(f"/case/{person.crn}/personal-details/").content.decode()
    assert 'id="contact-details"' in case and "07700900982" in case
    assert "Change contact details and reminders" in case
    assert "No appointment reminders yet." in case


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"mobile_number": "12345"}, "Enter a UK mobile number, like 07700 900982"),
        ({"sms_reminders": "yes"}, "Enter a mobile number, or choose no to text message reminders"),
        ({"email_reminders": ""}, "Select yes if they want email reminders of their appointments"),
        ({"email": "not-an-address", "email_reminders": "yes"},
         "Enter an email address in the correct format, like name@example.com"),
    ],
    ids=["not_a_mobile_number", "text_consent_without_number", "consent_not_answered", "email_format"],
)
def test_the_form_shows_what_to_fix_and_saves_nothing(org, values, message):
    person = make_person(org)
    response = _client(org.po).post(f"/case/{person.crn}/contact-details/change/", _form(person, **values))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert "<title>Error:" in html
    assert Person.objects.get(pk=person.pk).version == person.version


def test_a_stale_form_is_a_conflict_and_saves_nothing(org):
    person = make_person(org)
    person_update(actor=org.po2.user, person=person, version=person.version, changes={"email": "a@example.com"})
    response = _client(org.po).post(f"/case/{person.crn}/contact-details/change/",
                                    _form(person, mobile_number="07700900982", sms_reminders="yes"))
    assert response.status_code == 409
    assert "Someone else changed this person" in response.content.decode()
    assert Person.objects.get(pk=person.pk).mobile_number == ""


def test_who_may_change_them(org):
    person = make_person(org)
    assert _client(org.qa).get(f"/case/{person.crn}/contact-details/change/").status_code == 403
    assert _client(org.po_b).get(f"/case/{person.crn}/contact-details/change/").status_code == 404
    case = _client(org.qa).get(f"/case/{person.crn}/personal-details/").content.decode()
    assert 'id="contact-details"' in case and "Change contact details and reminders" not in case


def test_the_case_page_shows_sent_and_not_sent_reminders(org, monkeypatch):
    booked = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: booked)
    monkeypatch.setattr(clock, "today", lambda: booked.date())
    person = make_person(org)
    person = person_update(actor=org.po.user, person=person, version=person.version,
                           changes={"mobile_number": "07700900982", "sms_reminders": True})
    contact_record(actor=org.po.user, person=person, type="office_appointment",
                   date=dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC))
    reminders_send(now=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), backend=OutboxBackend())
    html = _client(org.po).get(f"/case/{person.crn}/personal-details/").content.decode()
    assert 'id="reminder-list"' in html
    assert "Sent</strong>" in html
    assert "Text message to 07700900982: sent to the outbox" in html
    assert "this is a reminder that you have an appointment at the probation office" in html
