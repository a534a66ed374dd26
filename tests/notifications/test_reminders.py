"""Appointment reminders (notifications/reminders.py): sent the working day before a booked appointment, only with
consent and a contact detail, at most once per appointment, never for a past appointment or one with an outcome.

Every case books appointments through the contact service on Monday 23 November 2026 and runs the reminders at
another moment; November is GMT, so UK time is UTC.
"""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.contacts.services import contact_record, contact_update
from openprobation.core import clock
from openprobation.core.audit import acting_as_job
from openprobation.core.models import AuditEvent
from openprobation.notifications.backends import OutboxBackend, Outgoing, Sent
from openprobation.notifications.models import AppointmentReminder, Message
from openprobation.notifications.reminders import reminders_send
from openprobation.people.services import person_update
from tests.factories import make_person

pytestmark = pytest.mark.django_db

BOOKED_AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday


def at(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=dt.UTC)


@pytest.fixture
def set_clock(monkeypatch):
    def move(now: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: now)
        monkeypatch.setattr(clock, "today", lambda: now.date())

    move(BOOKED_AT)
    return move


def consenting(org, *, sms: bool = False, email: bool = False):
    person = make_person(org)
    return person_update(actor=org.po.user, person=person, version=person.version, changes={
        "mobile_number": "07700 900982" if sms else "", "email": "alex@example.com" if email else "",
        "sms_reminders": sms, "email_reminders": email,
    })


def book(org, person, when: dt.datetime, type: str = "office_appointment"):
    return contact_record(actor=org.po.user, person=person, type=type, date=when)


class FailingBackend:
    name = "notify"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, message: Outgoing) -> Sent:
        self.sent.append(message)
        return Sent(ok=False, failure="400 - phone_number Not a UK mobile number")


@pytest.mark.parametrize(
    ("sms", "email", "appointment", "run", "expected", "channels"),
    [
        (True, False, at(26, 10), at(25, 9), "sent", ["sms"]),
        (False, True, at(26, 10), at(25, 9), "sent", ["email"]),
        (True, True, at(26, 10), at(25, 9), "sent", ["email", "sms"]),
        (False, False, at(26, 10), at(25, 9), "opted_out", []),
        (True, False, at(26, 10), at(24, 9), None, []),
        (True, False, at(30, 10), at(27, 9), "sent", ["sms"]),
        (True, False, at(30, 10), at(26, 9), None, []),
        (True, False, at(30, 10), at(28, 9), "sent", ["sms"]),
        (True, False, at(26, 15), at(26, 9), None, []),
        (True, False, at(25, 10), at(25, 11), None, []),
    ],
    ids=[
        "sent_by_text_with_consent_and_mobile_number",
        "sent_by_email_with_consent_and_email_address",
        "sent_both_ways_with_both_consents",
        "not_sent_without_consent_recorded_as_opted_out",
        "not_sent_before_the_working_day_before",
        "sent_on_friday_for_monday",
        "not_sent_on_thursday_for_monday",
        "sent_on_saturday_catching_up_for_monday",
        "not_sent_on_the_day_of_the_appointment",
        "not_sent_for_an_appointment_already_past",
    ],
)
def test_reminder_rule(org, set_clock, sms, email, appointment, run, expected, channels):
    person = consenting(org, sms=sms, email=email)
    contact = book(org, person, appointment)
    set_clock(run)
    result = reminders_send(now=run, backend=OutboxBackend())
    reminder = AppointmentReminder.objects.filter(contact=contact).first()
    if expected is None:
        assert reminder is None and result.due == 0
        return
    assert reminder is not None and reminder.status == expected
    messages = list(Message.objects.filter(reminder=reminder).order_by("channel"))
    assert [m.channel for m in messages] == channels
    assert all(m.status == "sent" and m.backend == "outbox" for m in messages)
    recipients = {m.channel: m.recipient for m in messages}
    assert recipients.get("sms", "07700900982") == "07700900982"
    assert recipients.get("email", "alex@example.com") == "alex@example.com"


def test_not_sent_for_an_appointment_with_an_outcome(org, set_clock):
    person = consenting(org, sms=True)
    contact = book(org, person, at(26, 10))
    contact_update(actor=org.po.user, person=person, contact_id=contact.pk, version=contact.version,
                   changes={"outcome": "rescheduled"})
    set_clock(at(25, 9))
    assert reminders_send(now=at(25, 9), backend=OutboxBackend()).due == 0
    assert not AppointmentReminder.objects.exists()


def test_not_sent_for_a_contact_that_is_not_an_appointment(org, set_clock):
    person = consenting(org, sms=True)
    contact_record(actor=org.po.user, person=person, type="note", date=at(26, 10), notes="Planning note")
    set_clock(at(25, 9))
    assert reminders_send(now=at(25, 9), backend=OutboxBackend()).due == 0


def test_not_sent_twice_for_one_appointment(org, set_clock):
    person = consenting(org, sms=True)
    contact = book(org, person, at(30, 10))
    set_clock(at(27, 9))
    first = reminders_send(now=at(27, 9), backend=OutboxBackend())
    # Later the same day, on Saturday, and after the consent changes: the appointment's reminder was dealt with.
    person_update(actor=org.po.user, person=person, version=person.version, changes={"email": "a@example.com",
                  "email_reminders": True})
    again = [reminders_send(now=when, backend=OutboxBackend()) for when in (at(27, 15), at(28, 9))]
    assert (first.sent, again[0].due, again[1].due) == (1, 0, 0)
    assert AppointmentReminder.objects.filter(contact=contact).count() == 1
    assert Message.objects.filter(reminder__contact=contact).count() == 1


def test_a_failed_send_is_shown_and_not_retried(org, set_clock):
    person = consenting(org, sms=True)
    contact = book(org, person, at(26, 10))
    set_clock(at(25, 9))
    backend = FailingBackend()
    result = reminders_send(now=at(25, 9), backend=backend)
    assert (result.failed, result.sent) == (1, 0)
    reminder = AppointmentReminder.objects.get(contact=contact)
    message = reminder.messages.get()
    assert (reminder.status, message.status, message.backend) == ("failed", "failed", "notify")
    assert "Not a UK mobile number" in message.failure
    assert backend.sent[0].recipient == "07700900982"
    assert backend.sent[0].personalisation["date"] == "Thursday 26 November 2026"
    assert backend.sent[0].personalisation["time"] == "10:00"
    assert reminders_send(now=at(25, 15), backend=backend).due == 0
    assert len(backend.sent) == 1


def test_the_message_says_what_when_and_to_whom(org, set_clock):
    person = consenting(org, sms=True)
    book(org, person, at(26, 14), type="home_visit")
    set_clock(at(25, 9))
    reminders_send(now=at(25, 9), backend=OutboxBackend())
    body = Message.objects.get().body
    assert body.startswith("Hello Alex, this is a reminder that you have a home visit")
    assert "on Thursday 26 November 2026 at 14:00" in body


def test_each_reminder_is_audited_as_done_by_the_job(org, set_clock):
    person = consenting(org, sms=True)
    other = consenting(org)
    contact = book(org, person, at(26, 10))
    book(org, other, at(26, 11))
    set_clock(at(25, 9))
    with acting_as_job("appointment_reminders"):
        reminders_send(now=at(25, 9), backend=OutboxBackend())
    events = AuditEvent.objects.filter(action__startswith="appointment_reminder.").order_by("id")
    assert [(e.crn, e.action) for e in events] == [
        (person.crn, "appointment_reminder.sending"),
        (person.crn, "appointment_reminder.sent"),
        (other.crn, "appointment_reminder.opted_out"),
    ]
    assert {e.actor_name for e in events} == {"job (appointment_reminders)"}
    assert events[0].entity_id == str(contact.pk)
