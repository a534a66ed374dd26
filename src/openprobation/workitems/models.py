"""Work items (what a case owes, by when, and who owes it) and reporting-frequency changes.

A work item is made by an event in the record under a timescale rule (``rules/timescales.py``) and keeps the
rule id and policy version that made it, so a past due date can be explained and replayed. "Overdue" is never
stored: it is worked out from ``due_date`` when read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openprobation.contacts.models import Contact
from openprobation.organisation.models import Staff, Team
from openprobation.people.models import Person, Relationship
from openprobation.sentences.models import Event
from openprobation.workitems.choices import (
    OwnerRole,
    ReportingChangeStatus,
    ReportingFrequency,
    WorkItemKind,
    WorkItemStatus,
)


class WorkItem(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="work_items")
    kind = models.CharField(max_length=32, choices=WorkItemKind.choices)
    status = models.CharField(max_length=10, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN)
    due_date = models.DateField()
    due_at = models.DateTimeField(null=True, blank=True)  # hour-based timescales only
    # Who owes it: the role the rule names, and the member of staff in that role for the case now (a practitioner's
    # item is the team SPO's while the case is unallocated; none when the team has no SPO). ``team`` is the case's
    # team, kept for team queues.
    owner_role = models.CharField(max_length=12, choices=OwnerRole.choices)
    owner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_items")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_items")
    # Why it exists: the rule and policy version that made it, the trigger and the words the rule produced.
    rule_id = models.CharField(max_length=100)
    policy_version = models.CharField(max_length=60)
    trigger = models.CharField(max_length=40)
    clock_started_on = models.DateField()
    reason = models.TextField()
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_items")
    relationship = models.ForeignKey(
        Relationship, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_items"
    )
    created_at = models.DateTimeField()
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    # What has been done, so it is done once: for a first appointment, whether the "first appointment attended"
    # clock (sentence plan, monthly contact) has started from it.
    attended_clock_started = models.BooleanField(default=False, db_default=False)
    # A signal review's signal (``rules.signals``: ``new_relationship``, ...): a repeat of it joins the open review.
    signal = models.CharField(max_length=32, blank=True, default="", db_default="")

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=WorkItemStatus.CANCELLED) | ~models.Q(cancel_reason=""),
                name="work_item_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status=WorkItemStatus.OPEN) | models.Q(closed_on__isnull=False),
                name="work_item_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"], name="work_item_owner_queue"),
            models.Index(fields=["team", "status", "due_date"], name="work_item_team_queue"),
            models.Index(fields=["person", "status"], name="work_item_person_status"),
            # Management information (mi/): counts by kind and status, and by due date over every kind.
            models.Index(fields=["kind", "status", "due_date"], name="work_item_kind_status_due"),
            models.Index(
                fields=["due_date"], include=["kind", "status", "closed_on", "person"], name="work_item_due_counts"
            ),
        ]

    @property
    def label(self) -> str:
        return WorkItemKind(self.kind).label


class ReportingChange(models.Model):
    """A change to how often the person reports. A reduction is not in force until an SPO countersigns it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reporting_changes")
    frequency = models.CharField(max_length=12, choices=ReportingFrequency.choices)
    previous_frequency = models.CharField(max_length=12, choices=ReportingFrequency.choices, blank=True)
    status = models.CharField(max_length=30, choices=ReportingChangeStatus.choices)
    reason = models.TextField()
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    in_force_from = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ReportingChangeStatus.IN_FORCE) | models.Q(in_force_from__isnull=False),
                name="reporting_change_in_force_has_date",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="reporting_change_person")]


class ContactOutcomeApplied(models.Model):
    """A contact's outcome whose work-item effects have been applied, so that setting it again (or correcting it
    away and back) does not apply them twice."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=32)
    applied_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "outcome"], name="contact_outcome_applied_once"),
        ]


class WorkItemEscalation(models.Model):
    """An open item found overdue by the escalations job (``workitems/escalations.py``): when, who owed it and the
    team's senior probation officer it was escalated to. One per item, so the job can run any number of times.
    Overdue itself is still worked out when read; this is the record that someone was told."""

    work_item = models.OneToOneField(WorkItem, on_delete=models.CASCADE, related_name="escalation")
    overdue_since = models.DateField()  # the day after the due date
    recorded_at = models.DateTimeField()
    owner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_to = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
