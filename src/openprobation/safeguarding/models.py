"""Safeguarding enquiries with other agencies, each chase of them, and the RoSH assessment record they feed.

An enquiry moves awaiting response → response received → used in the risk assessment, or is closed with a reason
at any point before it is used. The RoSH assessment here is the minimal record the sign-off rule needs (status,
who completed it and when, and an SPO's exception); a fuller OASys assessment may live in the ``risk`` app.
"""

from __future__ import annotations

from django.db import models

from openprobation.organisation.models import Staff
from openprobation.people.models import Person, Relationship
from openprobation.safeguarding.choices import Agency, AssessmentKind, AssessmentStatus, CheckStatus, RoshLevel


class RoshAssessment(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="rosh_assessments")
    kind = models.CharField(max_length=16, choices=AssessmentKind.choices)
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    # A screening's finding: whether it indicates risk that needs a full analysis (None until completed).
    indicates_risk = models.BooleanField(null=True, blank=True)
    # A full analysis's or review's finding: the RoSH level and who is at risk (blank until completed).
    rosh_level = models.CharField(max_length=10, choices=RoshLevel.choices, blank=True, default="")
    risk_to = models.JSONField(default=list, blank=True)
    started_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    exception_reason = models.TextField(blank=True)
    exception_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=AssessmentStatus.COMPLETE)
                | (models.Q(completed_on__isnull=False) & models.Q(completed_by__isnull=False)),
                name="rosh_assessment_complete_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=models.Q(exception_reason="") | models.Q(exception_by__isnull=False),
                name="rosh_assessment_exception_has_spo",
            ),
        ]


class SafeguardingCheck(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="safeguarding_checks")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    agency_name = models.CharField(max_length=200, blank=True)  # which agency, for "other"
    # The subject: the person on probation when empty, otherwise the partner or child concerned.
    subject = models.ForeignKey(
        Relationship, null=True, blank=True, on_delete=models.SET_NULL, related_name="safeguarding_checks"
    )
    status = models.CharField(max_length=20, choices=CheckStatus.choices, default=CheckStatus.AWAITING_RESPONSE)
    requested_on = models.DateField()
    due_by = models.DateField()
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    response_received_on = models.DateField(null=True, blank=True)
    response_summary = models.TextField(blank=True)
    used_in = models.ForeignKey(
        RoshAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="checks_used"
    )
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_by__gte=models.F("requested_on")), name="check_due_not_before_request"
            ),
            models.CheckConstraint(
                condition=models.Q(response_received_on__isnull=True)
                | models.Q(response_received_on__gte=models.F("requested_on")),
                name="check_response_not_before_request",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CheckStatus.CLOSED) | ~models.Q(close_reason=""),
                name="check_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CheckStatus.USED_IN_ASSESSMENT) | models.Q(used_in__isnull=False),
                name="check_used_names_assessment",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="check_person_status"),
            models.Index(fields=["status", "due_by"], name="check_status_due"),
        ]


class SafeguardingChase(models.Model):
    enquiry = models.ForeignKey(SafeguardingCheck, on_delete=models.CASCADE, related_name="chases")
    chased_on = models.DateField()
    chased_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["chased_on", "id"]
