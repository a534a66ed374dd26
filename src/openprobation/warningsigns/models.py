"""Warning signs found in contact notes (docs/signals.md): the evidence grouped into each signal review, the
disposition that closes a review, and the cursor of the batch scan of every note."""

from __future__ import annotations

from django.db import models

from openprobation.contacts.models import Contact
from openprobation.organisation.models import Staff
from openprobation.people.models import Person
from openprobation.warningsigns.choices import DispositionOutcome
from openprobation.workitems.models import WorkItem


class SignalEvidence(models.Model):
    """A signal found in one contact's notes: the words, the sentence and the rule, grouped into a signal review (the
    review made for it, or the open review of the same signal it joined). Once per contact and signal, so reading a
    note again (an edit, the batch scan run twice) adds nothing."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="signal_evidence")
    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="signal_evidence")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="signal_evidence")
    signal = models.CharField(max_length=32)
    severity = models.CharField(max_length=10)
    evidence = models.CharField(max_length=300)
    sentence = models.TextField()
    rule = models.CharField(max_length=100)
    policy_version = models.CharField(max_length=40)
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["found_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contact", "signal"], name="signal_evidence_once_per_contact")]


class SignalDisposition(models.Model):
    """What was decided on a signal review, which closes it: the action taken, linked to what was done (a work item
    or a contact on the case), or no action with the reason."""

    work_item = models.OneToOneField(WorkItem, on_delete=models.CASCADE, related_name="signal_disposition")
    outcome = models.CharField(max_length=14, choices=DispositionOutcome.choices)
    linked_item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    linked_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    details = models.TextField()  # what was done, or why no action is needed
    decided_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome=DispositionOutcome.NO_ACTION) & ~models.Q(details="")
                | models.Q(outcome=DispositionOutcome.ACTION_TAKEN)
                & (models.Q(linked_item__isnull=False) | models.Q(linked_contact__isnull=False)),
                name="signal_disposition_linked_or_reasoned",
            ),
        ]


class SignalScanCursor(models.Model):
    """The batch scan of every contact note (``services.signals_scan_all``): the last contact read, moved on in the
    same transaction as each batch's results, so a scan stopped part-way resumes after the last batch it stored."""

    name = models.CharField(max_length=40, unique=True)
    last_contact_id = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)  # contacts with notes when the scan started
    notes_read = models.BigIntegerField(default=0)
    notes_with_signals = models.BigIntegerField(default=0)
    prompted_notes = models.BigIntegerField(default=0)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
