"""Enforcement decisions on failures to comply, and breaches."""

from __future__ import annotations

from django.db import models

from openprobation.contacts.models import Contact
from openprobation.enforcement.choices import BreachOutcome, DecisionStatus, EnforcementAction, WarningLetterType
from openprobation.organisation.models import Staff
from openprobation.people.models import Person
from openprobation.rules.enforcement import POSSIBLE_FAILURES
from openprobation.sentences.models import Event
from openprobation.workitems.models import WorkItem


class Breach(models.Model):
    """A breach of the order (on licence, recall initiated), from the day it became known until it ends with its
    outcome. At most one is in progress on a case. Each step is time-stamped (``rules.breach.Step``): the day it
    became known (``aware_on``) and was decided (``started_on``), the NPS accepting a CRC's referral (2014-2021),
    the report drafted and checked (``BreachReport``), approved by the SPO (with the reason for overriding a failed
    check, when there was one), sent to court, presented, and the outcome (``ended_on``)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="breaches")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="breaches")
    aware_on = models.DateField()
    started_on = models.DateField()
    referral_accepted_on = models.DateField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    override_reason = models.TextField(blank=True, default="")
    sent_on = models.DateField(null=True, blank=True)
    presented_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=BreachOutcome.choices, blank=True, default="")
    ended_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_on__isnull=True), name="breach_one_in_progress_per_person"
            ),
            models.CheckConstraint(condition=models.Q(ended_on__isnull=True, outcome="")
                                   | models.Q(ended_on__isnull=False) & ~models.Q(outcome=""),
                                   name="breach_ended_has_outcome"),
            models.CheckConstraint(condition=models.Q(sent_on__isnull=True) | models.Q(approved_at__isnull=False),
                                   name="breach_sent_after_approval"),
        ]  # fmt: skip


class BreachReport(models.Model):
    """The breach report's draft: the author's sections (``rules.breach.SECTIONS``), the failures it cites (decision
    ids, checked against the record) and the latest pre-submission check (the version it ran on, whether it passed,
    the problems found). Each save makes a new version, so a check of an earlier version does not count."""

    breach = models.OneToOneField(Breach, on_delete=models.CASCADE, related_name="report")
    how_told = models.TextField(blank=True, default="")
    reasons = models.TextField(blank=True, default="")
    steps_taken = models.TextField(blank=True, default="")
    compliance_to_date = models.TextField(blank=True, default="")
    risk_history = models.TextField(blank=True, default="")
    proposal = models.TextField(blank=True, default="")
    cited = models.JSONField(default=list)
    report_date = models.DateField()
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_version = models.PositiveIntegerField(default=0)
    check_passed = models.BooleanField(default=False)
    problems = models.JSONField(default=list)  # [{"section": ..., "message": ...}] of the latest check
    version = models.PositiveIntegerField(default=1)


class EnforcementDecision(models.Model):
    """The decision on one failure to comply: opened (awaiting) when the failure is recorded, with its evidence (the
    contact) and the work item that times it; decided once, acceptable or unacceptable, with its action and reason.

    A warning's letter is generated from the record (``breaches.warning_letter_generate``): ``letter_generated_at``
    records the first, so the warnings whose letters are outstanding can be listed
    (``selectors.warning_letters_outstanding``)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enforcement_decisions")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="enforcement_decision")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    work_item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    failure_outcome = models.CharField(max_length=32)
    failed_on = models.DateField()
    opened_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.AWAITING)
    acceptable = models.BooleanField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=EnforcementAction.choices, blank=True)
    warning_type = models.CharField(max_length=10, choices=WarningLetterType.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    warnings_before = models.PositiveIntegerField(null=True, blank=True)  # warnings given in the period before it
    policy_version = models.CharField(max_length=40, blank=True)
    breach = models.ForeignKey(Breach, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    letter_generated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-failed_on", "-id"]
        indexes = [models.Index(fields=["person", "status"], name="enforcement_person_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=DecisionStatus.AWAITING, action="", acceptable__isnull=True)
                | models.Q(status=DecisionStatus.DECIDED, acceptable__isnull=False, decided_on__isnull=False)
                & ~models.Q(action="")
                & ~models.Q(reason=""),
                name="enforcement_decided_has_action_and_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(action=EnforcementAction.WARNING) & ~models.Q(warning_type="")
                | ~models.Q(action=EnforcementAction.WARNING) & models.Q(warning_type=""),
                name="enforcement_warning_has_its_type",
            ),
        ]

    @property
    def failure_words(self) -> str:
        """What failed: the contact's outcome, or a possible failure found in what was reported."""
        possible = POSSIBLE_FAILURES.get(self.failure_outcome)
        if possible is not None:
            return f"Possible failure to comply: {possible}"
        return str(self.contact.get_outcome_display())
