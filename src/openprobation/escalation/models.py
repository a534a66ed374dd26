"""Risk escalations: a request to move a case to a higher level of management, with its evidence gathered from the
record when it was made (a snapshot: later changes to the record do not rewrite it), the review clock, and the
receiving manager's decision with what it changed."""

from __future__ import annotations

from django.db import models

from openprobation.escalation.choices import EscalationDecision, EscalationStatus, EscalationTarget
from openprobation.organisation.models import Staff, Team
from openprobation.people.models import Person
from openprobation.risk.models import Registration
from openprobation.workitems.models import WorkItem


class RiskEscalation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="risk_escalations")
    target = models.CharField(max_length=20, choices=EscalationTarget.choices)
    status = models.CharField(max_length=20, choices=EscalationStatus.choices,
                              default=EscalationStatus.AWAITING_REVIEW)  # fmt: skip
    # The request: who, when, why, and the team whose manager reviews it (the case's own; for the CRC to NPS
    # referral, the NPS team chosen).
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    reason = models.TextField()
    receiving_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="risk_escalations")
    # Who held the case when it was asked (kept: the allocation may change before the review).
    holder = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    holder_grade = models.CharField(max_length=10, blank=True)
    # The evidence, gathered from the record at the request and never changed: the baseline, the changed risk
    # factors, new or raised registrations, the contacts and reports behind them, the current scores.
    evidence = models.JSONField(default=dict)
    preset = models.CharField(max_length=40)  # the timescale preset in force for the request
    work_item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The decision.
    decision = models.CharField(max_length=10, choices=EscalationDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # What accepting changed: the probation officer the case moved to, or the MAPPA registration made.
    moved_to = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mappa_registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+")  # fmt: skip
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["person", "status"], name="escalation_person_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="awaiting_review"), name="escalation_one_open_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(status="awaiting_review") | models.Q(decided_at__isnull=False),
                name="escalation_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decision_reason=""),
                name="escalation_declined_has_reason",
            ),
        ]
