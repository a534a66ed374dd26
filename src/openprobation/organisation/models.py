"""The organisation: provider → region → probation delivery unit (PDU) → team, and the staff in it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models

from openprobation.core.text import validate_single_line_text
from openprobation.organisation.choices import Grade, Role, TrainingStage


class Provider(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="regions")
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Pdu(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="pdus")
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name = "probation delivery unit"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    pdu = models.ForeignKey(Pdu, on_delete=models.PROTECT, related_name="teams")
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    code = models.CharField(max_length=10, unique=True)
    first_name = models.CharField(max_length=100, validators=[validate_single_line_text])
    last_name = models.CharField(max_length=100, validators=[validate_single_line_text])
    grade = models.CharField(max_length=10, choices=Grade.choices)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    contracted_hours = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("37.0"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    # May manage the restriction and exclusion lists of limited-access cases (people/access_lists.py). Granted and
    # withdrawn only by `openprobation access-manager`, never through the admin, and never by oneself.
    access_manager = models.BooleanField(default=False, db_default=False)
    # Workforce record (changed by the team's SPO or an administrator, audited: organisation/services.py).
    training_stage = models.CharField(
        max_length=16, choices=TrainingStage.choices, blank=True, default="", db_default=""
    )  # blank: qualified (or not a practitioner grade)
    start_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)  # the last working day; after it, the person has left

    class Meta:
        verbose_name_plural = "staff"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contracted_hours__gte=0) & models.Q(contracted_hours__lte=48),
                name="staff_contracted_hours_0_to_48",
            ),
            models.CheckConstraint(
                condition=models.Q(leaving_date__isnull=True) | models.Q(start_date__isnull=True)
                | models.Q(leaving_date__gte=models.F("start_date")),
                name="staff_leaves_after_starting",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def has_left(self, on: date) -> bool:
        """Whether the member of staff has left by ``on`` (their leaving date has passed)."""
        return self.leaving_date is not None and self.leaving_date < on
