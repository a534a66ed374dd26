"""Reductions of a practitioner's hours (training, leave, facility time), which lower their available points.

Workload itself is never stored: it is worked out from the record when read (``selectors.py``), so no figure is
older than the last change to the cases, tiers, allocations or reductions behind it.
"""

from __future__ import annotations

from django.db import models

from openprobation.organisation.models import Staff


class WorkloadReduction(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="workload_reductions")
    reason = models.CharField(max_length=40)  # a reduction reason of the workload policy (rules/policy/workload.toml)
    hours = models.DecimalField(max_digits=5, decimal_places=2)  # a week
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)  # the last day, counted; none: open-ended
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="workload_reduction_hours_not_negative"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="workload_reduction_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["staff", "effective_from"], name="workload_reduction_staff")]
