"""Registrations: the risk flags on a case (RoSH, MAPPA, domestic abuse, child protection and others)."""

from __future__ import annotations

from django.db import models

from openprobation.people.models import Person


class Registration(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="registrations")
    code = models.CharField(max_length=8)
    level = models.CharField(max_length=4, blank=True)
    category = models.CharField(max_length=4, blank=True)
    start_date = models.DateField()
    review_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="registration_end_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["person", "code"], name="registration_person_code")]
