"""Messages to people on probation (appointment reminders), and the one reminder each appointment gets.

``AppointmentReminder`` is the record that an appointment's reminder was dealt with: one row per appointment at
most (a unique contact), written before anything is sent, so no appointment is ever reminded twice, whatever runs
at the same time or runs again. ``Message`` is each text message or email: with the outbox backend (demo and
tests) it is the whole of the sending; with GOV.UK Notify it also keeps Notify's reference.
"""

from __future__ import annotations

from django.db import models

from openprobation.contacts.models import Contact
from openprobation.notifications.choices import Channel, MessageStatus, ReminderStatus
from openprobation.people.models import Person


class AppointmentReminder(models.Model):
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="reminder")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="appointment_reminders")
    status = models.CharField(max_length=10, choices=ReminderStatus.choices)
    appointment_at = models.DateTimeField()  # the appointment's date and time when the reminder was dealt with
    decided_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-appointment_at", "-id"]
        indexes = [models.Index(fields=["person", "-appointment_at"], name="reminder_person_date")]


class Message(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="messages")
    reminder = models.ForeignKey(
        AppointmentReminder, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    backend = models.CharField(max_length=10)  # "outbox" or "notify"
    provider_reference = models.CharField(max_length=64, blank=True)  # Notify's notification id
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="message_person_created")]
