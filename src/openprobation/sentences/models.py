"""Events (convictions and their sentences), requirements, licence conditions and allocation history."""

from __future__ import annotations

from django.db import models

from openprobation.organisation.models import Staff, Team
from openprobation.people.models import Person
from openprobation.sentences.choices import (
    IndeterminateType,
    LicenceConditionType,
    RequirementType,
    SentenceKind,
    SentenceType,
    TerminationReason,
)


class Event(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events")
    number = models.PositiveIntegerField()
    offence_code = models.CharField(max_length=5)
    offence_category = models.CharField(max_length=100, blank=True)
    conviction_date = models.DateField()
    sentence_date = models.DateField()
    sentence_type = models.CharField(max_length=30, choices=SentenceType.choices)
    # Determinate: the length. Extended: the custodial term and the extension period (the length is their sum).
    # Indeterminate (life, IPP, DPP): the tariff (minimum term) and no length, so no expected end.
    sentence_kind = models.CharField(max_length=14, choices=SentenceKind.choices, default=SentenceKind.DETERMINATE)
    indeterminate_type = models.CharField(max_length=4, choices=IndeterminateType.choices, blank=True, default="")
    length_months = models.PositiveIntegerField(null=True, blank=True)
    custodial_term_months = models.PositiveIntegerField(null=True, blank=True)
    extension_period_months = models.PositiveIntegerField(null=True, blank=True)
    tariff_months = models.PositiveIntegerField(null=True, blank=True)
    sentenced_as_youth = models.BooleanField(default=False)
    release_date = models.DateField(null=True, blank=True)
    licence_expiry_date = models.DateField(null=True, blank=True)
    sentence_expiry_date = models.DateField(null=True, blank=True)
    expected_end_date = models.DateField(null=True, blank=True)
    termination_date = models.DateField(null=True, blank=True)
    termination_reason = models.CharField(max_length=12, choices=TerminationReason.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sentence_date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="event_number_unique_per_person"),
            models.CheckConstraint(
                condition=models.Q(sentence_date__gte=models.F("conviction_date")),
                name="event_sentence_not_before_conviction",
            ),
            models.CheckConstraint(condition=models.Q(length_months__gte=1), name="event_length_positive"),
            # What each kind of sentence holds (the services check the same and say so field by field).
            models.CheckConstraint(
                condition=(
                    models.Q(sentence_kind=SentenceKind.DETERMINATE, length_months__isnull=False, indeterminate_type="",
                             tariff_months__isnull=True, custodial_term_months__isnull=True,
                             extension_period_months__isnull=True)
                    | models.Q(sentence_kind=SentenceKind.EXTENDED, length_months__isnull=False, indeterminate_type="",
                               tariff_months__isnull=True, custodial_term_months__gte=1,
                               extension_period_months__gte=1)
                    | models.Q(sentence_kind=SentenceKind.INDETERMINATE, length_months__isnull=True,
                               tariff_months__gte=1, custodial_term_months__isnull=True,
                               extension_period_months__isnull=True)
                    & ~models.Q(indeterminate_type="")
                ),
                name="event_sentence_kind_terms",
            ),
        ]
        indexes = [models.Index(fields=["person", "termination_date"], name="event_person_active")]

    @property
    def is_active(self) -> bool:
        return self.termination_date is None


class Requirement(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="requirements")
    type = models.CharField(max_length=30, choices=RequirementType.choices)
    length = models.PositiveIntegerField()
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(length__gte=1), name="requirement_length_positive")]


class LicenceCondition(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="licence_conditions")
    type = models.CharField(max_length=30, choices=LicenceConditionType.choices)
    details = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class Allocation(models.Model):
    """Who was responsible for an event, from when to when. The open row (no end date) is the current one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="allocations")
    practitioner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="allocations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="allocations")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=models.Q(end_date__isnull=True), name="allocation_one_open_per_event"
            ),
        ]
