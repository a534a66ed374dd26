"""Licence recall recommendations: from the practitioner's recommendation to the Part A sent, or to the decision not
to recall and its letter. Every step keeps who and when; the rule's answer on the recall types is kept with the
type chosen."""

from __future__ import annotations

from django.db import models

from openprobation.organisation.models import Staff
from openprobation.people.models import Person
from openprobation.recall.choices import RecallReason, RecallStatus, RecallType, SpoDecision, WhyConsidered
from openprobation.sentences.models import Event
from openprobation.workitems.models import WorkItem


class RecallRecommendation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="recall_recommendations")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="recall_recommendations")
    status = models.CharField(max_length=40, choices=RecallStatus.choices, default=RecallStatus.AWAITING_SPO_DECISION)
    # The practitioner's recommendation (Part A sections 5, 18, 19) and the facts the recall-type rule needs.
    started_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    circumstances = models.TextField()
    alternatives_tried = models.TextField(blank=True)
    recall_reason = models.CharField(max_length=12, choices=RecallReason.choices)
    charged_with_serious_offence = models.BooleanField(default=False)
    exclusions = models.JSONField(default=list, blank=True)
    mappa_level = models.PositiveSmallIntegerField(default=0)
    mappa_category = models.PositiveSmallIntegerField(default=0)
    # The SPO's decision and rationale.
    spo_decision = models.CharField(max_length=10, choices=SpoDecision.choices, blank=True)
    spo_rationale = models.TextField(blank=True)
    spo_decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    spo_decided_at = models.DateTimeField(null=True, blank=True)
    # The recall type, chosen within what the rule allows (its answer kept: rules.recall).
    recall_type = models.CharField(max_length=10, choices=RecallType.choices, blank=True)
    emergency = models.BooleanField(null=True, blank=True)
    type_reasons = models.TextField(blank=True)
    rule_answer = models.JSONField(default=dict, blank=True)
    type_chosen_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    type_chosen_at = models.DateTimeField(null=True, blank=True)
    # The countersignatures, in order: the SPO (line manager), then the senior manager.
    spo_signed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    spo_signed_at = models.DateTimeField(null=True, blank=True)
    spo_comment = models.TextField(blank=True)
    senior_signed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    senior_signed_at = models.DateTimeField(null=True, blank=True)
    senior_comment = models.TextField(blank=True)
    part_a_generated_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    # The 24-hour clock from the decision to recall to the Part A sent (a recall_request work item).
    work_item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The decision-not-to-recall letter.
    why_considered = models.CharField(max_length=8, choices=WhyConsidered.choices, blank=True)
    letter_reasons = models.JSONField(default=dict, blank=True)
    next_appointment = models.CharField(max_length=200, blank=True)
    letter_written_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    letter_written_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["person", "status"], name="recall_person_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(senior_signed_at__isnull=True) | models.Q(spo_signed_at__isnull=False),
                name="recall_spo_signs_before_senior",
            ),
            models.CheckConstraint(
                condition=models.Q(sent_at__isnull=True) | models.Q(senior_signed_at__isnull=False),
                name="recall_sent_only_when_countersigned",
            ),
        ]
