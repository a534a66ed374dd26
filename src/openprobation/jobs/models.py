"""The periodic jobs the scheduler has enqueued: one row per job and scheduled time, so that a slot is enqueued
once however many workers look at the schedule (decision 0016)."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    job = models.CharField(max_length=40)
    slot = models.DateTimeField()  # the scheduled time this run is for
    enqueued_at = models.DateTimeField()
    task_id = models.CharField(max_length=64)  # the django-tasks result id

    class Meta:
        ordering = ["-slot", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]
