"""Quality and inspection: audit rounds, the cases sampled for them and the auditors' judgements, the inspector's
ratings of the standards a case audit does not cover, and the serious further offence register."""

from __future__ import annotations

from django.db import models

from openprobation.organisation.models import Pdu, Provider, Region, Staff, Team
from openprobation.people.models import Person
from openprobation.quality.choices import AuditStatus, KeyQuestion, Rating, ScopeLevel


class AuditRound(models.Model):
    """One inspection-style audit of a provider, region or PDU: its sample (drawn once, from a stored seed), the
    standards it is rated on (its scheme), and a rating panel's override of the overall rating, with the reason."""

    name = models.CharField(max_length=200)
    scope_level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pdu = models.ForeignKey(Pdu, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scheme = models.CharField(max_length=20)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # The sample: drawn once, reproducible from the seed, the size asked for and the population it was drawn from.
    sample_seed = models.BigIntegerField(null=True, blank=True)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    sample_population = models.PositiveIntegerField(null=True, blank=True)
    sample_policy_version = models.CharField(max_length=40, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    # A rating panel's overall rating in place of the calculated one, and why (a reason is required).
    override_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    override_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-ends_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="audit_round_dates"),
            models.CheckConstraint(
                condition=models.Q(override_rating="") | ~models.Q(override_reason=""),
                name="audit_round_override_has_reason",
            ),
            models.CheckConstraint(
                condition=(models.Q(scope_level=ScopeLevel.PROVIDER) & models.Q(provider__isnull=False))
                | (models.Q(scope_level=ScopeLevel.REGION) & models.Q(region__isnull=False))
                | (models.Q(scope_level=ScopeLevel.PDU) & models.Q(pdu__isnull=False)),
                name="audit_round_scope_named",
            ),
        ]


class AuditCase(models.Model):
    """A case drawn into a round's sample, with its team and RoSH level at the draw (its stratum)."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="cases")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rosh_at_draw = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=12, choices=AuditStatus.choices, default=AuditStatus.NOT_STARTED)
    auditor = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    audited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["person__crn"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="audit_case_once_per_round")]


class AuditJudgement(models.Model):
    """The auditor's judgement of one key question of one standard on one case: sufficient or not, and why."""

    audit_case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="judgements")
    standard = models.CharField(max_length=30)
    key_question = models.CharField(max_length=14, choices=KeyQuestion.choices)
    sufficient = models.BooleanField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["audit_case", "standard", "key_question"], name="audit_judgement_once"),
        ]


class StandardRating(models.Model):
    """An inspector's rating of a standard the case audit does not cover (organisational delivery, provider-specific),
    with the evidence for it."""

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="standard_ratings")
    standard = models.CharField(max_length=40)
    rating = models.CharField(max_length=24, choices=Rating.choices)
    evidence = models.TextField()
    rated_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "standard"], name="standard_rating_once_per_round")]


class SeriousFurtherOffence(models.Model):
    """A serious further offence notification on a case, its review (due under the policy) and what was learnt.
    The RoSH level is the one on the case at notification, kept for the statistics."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    offence = models.CharField(max_length=40)
    offence_date = models.DateField()
    charged_on = models.DateField()
    notified_on = models.DateField()
    rosh_at_notification = models.CharField(max_length=10, blank=True)
    team_at_notification = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_due_on = models.DateField()
    policy_version = models.CharField(max_length=40)
    reviewer = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review_completed_on = models.DateField(null=True, blank=True)
    findings = models.TextField(blank=True)
    learning_actions = models.TextField(blank=True)
    notified_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-notified_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(charged_on__gte=models.F("offence_date")), name="sfo_charged_not_before_offence"
            ),
            models.CheckConstraint(
                condition=models.Q(notified_on__gte=models.F("charged_on")), name="sfo_notified_not_before_charge"
            ),
            models.CheckConstraint(
                condition=models.Q(review_completed_on__isnull=True)
                | (~models.Q(findings="") & models.Q(reviewer__isnull=False)),
                name="sfo_completed_review_has_findings",
            ),
        ]
