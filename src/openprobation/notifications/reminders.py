"""Appointment reminders: a text message or email the working day before a booked appointment.

A booked appointment is a contact of an appointment type (``contacts.choices.APPOINTMENT_TYPES``) in the future
with no outcome yet. Its reminder is due on the last working day before its day (``rules.reminders``) and goes by
each channel the person agreed to and has a detail for (``Person.sms_reminders`` with ``mobile_number``,
``email_reminders`` with ``email``). Without any such agreement it is recorded as not sent ("opted out"), so the
case shows that too.

At most once per appointment: the ``AppointmentReminder`` row (unique per contact) is written, with the messages
to send, in one transaction before anything is sent; the send's outcome is recorded in a second. An appointment
that already has the row is never picked again, whether the send worked, failed or was cut short, and two workers
cannot both write it. A failed message is shown on the case and not retried (the practitioner can remind the person
another way). Each transaction writes its audit event; actor is the job running this (``acting_as_job``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from openprobation.contacts.choices import APPOINTMENT_TYPES, ContactType
from openprobation.contacts.models import Contact
from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.notifications.backends import MessagesBackend, Outgoing, messages_backend
from openprobation.notifications.choices import Channel, MessageStatus, ReminderStatus
from openprobation.notifications.models import AppointmentReminder, Message
from openprobation.people.models import Person
from openprobation.rules.dates import long_date
from openprobation.rules.reminders import reminder_window

# How each kind of appointment reads in a reminder.
APPOINTMENT_WORDS = {
    ContactType.OFFICE_APPOINTMENT: "an appointment at the probation office",
    ContactType.HOME_VISIT: "a home visit from your probation practitioner",
    ContactType.TELEPHONE: "a telephone appointment with your probation practitioner",
    ContactType.VIDEO: "a video appointment with your probation practitioner",
    ContactType.INDUCTION: "an induction appointment with the probation service",
    ContactType.GROUP_INDUCTION: "a group induction session with the probation service",
}


@dataclass
class RemindersResult:
    due: int = 0
    sent: int = 0
    failed: int = 0
    opted_out: int = 0
    skipped: int = 0  # dealt with meanwhile by another worker, or changed since it was picked
    messages: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"due": self.due, "sent": self.sent, "failed": self.failed, "opted_out": self.opted_out,
                "skipped": self.skipped, "messages": dict(self.messages)}


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def appointments_due_reminders(*, now: dt.datetime) -> QuerySet[Contact]:
    """Booked appointments whose reminder is due at ``now`` and not yet dealt with, soonest first."""
    first, last = reminder_window(timezone.localdate(now))
    return (
        Contact.objects.filter(
            type__in=APPOINTMENT_TYPES,
            outcome="",
            date__gte=max(_local_midnight(first), now),
            date__lt=_local_midnight(last + dt.timedelta(days=1)),
            reminder__isnull=True,
        )
        .select_related("person")
        .order_by("date", "id")
    )


def reminder_text(*, person: Person, contact: Contact) -> tuple[str, dict[str, str]]:
    """The reminder as the outbox shows it, and the same words as a Notify template's fields."""
    local = timezone.localtime(contact.date)
    fields = {
        "first_name": person.first_name,
        "appointment": APPOINTMENT_WORDS.get(ContactType(contact.type), "an appointment with the probation service"),
        "date": f"{local:%A} {long_date(local.date())}",
        "time": local.strftime("%H:%M"),
    }
    body = (f"Hello {fields['first_name']}, this is a reminder that you have {fields['appointment']} on "
            f"{fields['date']} at {fields['time']}. If you cannot attend, contact your probation practitioner "
            "before then.")
    return body, fields


def _channels(person: Person) -> list[tuple[str, str]]:
    channels = []
    if person.sms_reminders and person.mobile_number:
        channels.append((Channel.SMS.value, person.mobile_number))
    if person.email_reminders and person.email:
        channels.append((Channel.EMAIL.value, person.email))
    return channels


def _claim(contact_id: int, at: dt.datetime) -> tuple[AppointmentReminder, list[Message]] | None:
    """Write the appointment's reminder row (and its messages, not yet sent) in one transaction; None when the
    appointment is no longer due one (an outcome recorded, moved, or reminded by another worker meanwhile)."""
    with transaction.atomic():
        contact = (
            Contact.objects.select_for_update(of=("self",)).select_related("person")
            .filter(pk=contact_id, outcome="", date__gt=at, reminder__isnull=True).first()
        )
        if contact is None:
            return None
        person = contact.person
        channels = _channels(person)
        try:
            with transaction.atomic():
                reminder = AppointmentReminder.objects.create(
                    contact=contact, person=person, appointment_at=contact.date, decided_at=at,
                    status=ReminderStatus.SENDING if channels else ReminderStatus.OPTED_OUT,
                    finished_at=None if channels else at,
                )
        except IntegrityError:
            return None
        body, _ = reminder_text(person=person, contact=contact)
        messages = [
            Message.objects.create(person=person, reminder=reminder, channel=channel, recipient=recipient, body=body,
                                   status=MessageStatus.SENDING, backend="", created_at=at)
            for channel, recipient in channels
        ]
        audit_record(
            actor=None,
            action="appointment_reminder.sending" if channels else "appointment_reminder.opted_out",
            crn=person.crn, entity="contact", entity_id=contact.pk,
            after={"appointment_at": contact.date, "status": reminder.status,
                   "channels": [channel for channel, _ in channels]},
        )
    return reminder, messages


def _send(reminder: AppointmentReminder, messages: list[Message], backend: MessagesBackend) -> bool:
    """Send the claimed messages, then record each outcome and the reminder's in one transaction."""
    contact = reminder.contact
    _, fields = reminder_text(person=reminder.person, contact=contact)
    outcomes = [
        backend.send(Outgoing(channel=m.channel, recipient=m.recipient, body=m.body, personalisation=fields,
                              reference=f"appointment-reminder-{m.pk}"))
        for m in messages
    ]
    at = clock.now()
    with transaction.atomic():
        for message, sent in zip(messages, outcomes, strict=True):
            message.status = MessageStatus.SENT if sent.ok else MessageStatus.FAILED
            message.backend = backend.name
            message.provider_reference = sent.reference
            message.failure = sent.failure
            message.sent_at = at if sent.ok else None
            message.save(update_fields=["status", "backend", "provider_reference", "failure", "sent_at"])
        ok = any(sent.ok for sent in outcomes)
        reminder.status = ReminderStatus.SENT if ok else ReminderStatus.FAILED
        reminder.finished_at = at
        reminder.save(update_fields=["status", "finished_at"])
        audit_record(
            actor=None, action=f"appointment_reminder.{reminder.status}", crn=reminder.person.crn, entity="contact",
            entity_id=contact.pk,
            after={"status": reminder.status, "backend": backend.name,
                   "messages": [{"channel": m.channel, "status": m.status, "failure": m.failure} for m in messages]},
        )
    return ok


def reminders_send(*, now: dt.datetime | None = None, backend: MessagesBackend | None = None) -> RemindersResult:
    """Deal with every appointment whose reminder is due: send it, or record why not. Safe to run again at any time:
    an appointment is reminded once."""
    backend = backend or messages_backend()
    now = now or clock.now()
    result = RemindersResult()
    for contact_id in list(appointments_due_reminders(now=now).values_list("id", flat=True)):
        result.due += 1
        claimed = _claim(contact_id, now)
        if claimed is None:
            result.skipped += 1
            continue
        reminder, messages = claimed
        if not messages:
            result.opted_out += 1
            continue
        if _send(reminder, messages, backend):
            result.sent += 1
        else:
            result.failed += 1
        for m in messages:
            key = f"{m.channel}_{m.status}"
            result.messages[key] = result.messages.get(key, 0) + 1
    return result
