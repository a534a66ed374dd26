"""Contacts: appointments, visits, calls, information from other agencies and notes."""

from __future__ import annotations

from django.db import models

from openprobation.contacts.choices import ContactOutcome, ContactType
from openprobation.organisation.models import Staff
from openprobation.people.models import Person
from openprobation.sentences.models import Event, Requirement


class Contact(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    type = models.CharField(max_length=30, choices=ContactType.choices)
    date = models.DateTimeField()
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts")
    outcome = models.CharField(max_length=32, choices=ContactOutcome.choices, blank=True)
    notes = models.TextField(blank=True)
    # An appointment: where, with whom, the requirement it delivers (RAR days are counted from these), and the
    # appointment it replaces when it was rearranged.
    location = models.CharField(max_length=200, blank=True, default="")
    with_staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    rearranged_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rearranged_to"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["person", "-date"], name="contact_person_date")]
