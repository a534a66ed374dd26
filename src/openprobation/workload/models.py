"""Reductions of a practitioner's hours (training, leave, facility time), which lower their available points.

Workload itself is never stored: it is worked out from the record when read (``selectors.py``), so no figure is
older than the last change to the cases, tiers, allocations or reductions behind it.
"""

from __future__ import annotations

from django.db import models

from openprobation.organisation.models import Staff, Team


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


class WorkloadSnapshot(models.Model):
    """A practitioner's workload as it stood in a week (``week``: its Monday), taken once a week by the
    ``workload_snapshot`` job for every practitioner at once. The team is the one they were in that week."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="workload_snapshots")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    week = models.DateField()
    taken_on = models.DateField()
    grade = models.CharField(max_length=8, blank=True)  # the workload policy's grade; blank: none
    case_count = models.PositiveIntegerField()
    total_points = models.IntegerField(null=True, blank=True)
    available_points = models.IntegerField(null=True, blank=True)
    capacity_tenths = models.IntegerField(null=True, blank=True)  # capacity in tenths of a percent
    over_capacity = models.BooleanField()
    policy_version = models.CharField(max_length=60)

    class Meta:
        ordering = ["-week", "staff_id"]
        constraints = [models.UniqueConstraint(fields=["staff", "week"], name="workload_snapshot_once_a_week")]
        indexes = [
            models.Index(fields=["team", "week"], name="workload_snapshot_team_week"),
            # A week's snapshots of every practitioner in scope (management information, mi/).
            models.Index(fields=["week", "staff"], name="workload_snapshot_week"),
        ]


class OverloadAlert(models.Model):
    """A practitioner over the capacity threshold for the policy's consecutive weeks (``rules.workload.overload``):
    raised to their team's SPO and head of service (``StaffNotice``), cleared with the first week not over."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="overload_alerts")
    first_week = models.DateField()  # the first week of the run over the threshold
    raised_week = models.DateField()
    raised_at = models.DateTimeField()
    cleared_week = models.DateField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff"], condition=models.Q(cleared_at__isnull=True), name="overload_alert_one_open"
            ),
        ]


class StaffNotice(models.Model):
    """Something a member of staff is told: an overload alert (to the SPO and head of service), or that a case was
    reallocated away from them. Shown on their "What's due" page until cleared (an alert when it ends)."""

    KINDS = (("overload", "Sustained overload"), ("reallocated", "Case reallocated"))

    recipient = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=KINDS)
    message = models.TextField()
    crn = models.CharField(max_length=7, blank=True)  # the case, for a reallocation
    alert = models.ForeignKey(OverloadAlert, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "cleared_at"], name="staff_notice_recipient")]
