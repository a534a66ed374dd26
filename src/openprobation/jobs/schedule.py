"""When the periodic jobs run, and enqueuing the ones that are due (decision 0016).

The schedule is times of day in the service's time zone (UK time) per job, from settings (``JOB_SCHEDULE``, each
job's times overridable by an environment variable). A job is due when the latest of its scheduled times at or
before now (today's, or else yesterday's last) has not been enqueued yet: ``openprobation worker`` checks every
time it looks for work, and enqueues it with a ``ScheduledRun`` row for that job and time in the same transaction.
The row is unique, so however many workers check, each scheduled time is enqueued once; a worker that was stopped
over a scheduled time enqueues it when it starts again (once, however many times were missed).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from openprobation.core.audit import audit_record
from openprobation.jobs.models import ScheduledRun
from openprobation.jobs.tasks import JOBS

_TIME = re.compile(r"\A([01]\d|2[0-3]):([0-5]\d)\Z")
OFF = "off"


def parse_times(text: str, *, job: str) -> tuple[dt.time, ...]:
    """``"09:00,15:00"`` as times of day, sorted; ``"off"`` (or nothing) for none. ValueError naming the job."""
    text = text.strip()
    if not text or text.lower() == OFF:
        return ()
    times = []
    for part in text.split(","):
        match = _TIME.match(part.strip())
        if match is None:
            raise ValueError(f"the schedule of {job} must be times of day like 09:00,15:00 (24-hour, UK time) or "
                             f"'off', not {text!r}")
        times.append(dt.time(int(match[1]), int(match[2])))
    return tuple(sorted(set(times)))


def job_schedule(raw: Mapping[str, str] | None = None) -> dict[str, tuple[dt.time, ...]]:
    """Each job's times of day (``settings.JOB_SCHEDULE`` unless ``raw``); ValueError for an unknown job or time."""
    raw = settings.JOB_SCHEDULE if raw is None else raw
    unknown = sorted(set(raw) - set(JOBS))
    if unknown:
        raise ValueError(f"the schedule names no such job: {', '.join(unknown)} (jobs: {', '.join(JOBS)})")
    return {job: parse_times(text, job=job) for job, text in raw.items()}


def latest_slot(times: tuple[dt.time, ...], now: dt.datetime) -> dt.datetime | None:
    """The latest of ``times`` (UK time) at or before ``now``: today's, or else yesterday's last; None for none."""
    if not times:
        return None
    local = timezone.localtime(now)
    for day in (local.date(), local.date() - dt.timedelta(days=1)):
        for time in reversed(times):
            slot = timezone.make_aware(dt.datetime.combine(day, time))
            if slot <= now:
                return slot
    return None  # unreachable: yesterday's last time is always before now


def enqueue_due(now: dt.datetime, schedule: Mapping[str, tuple[dt.time, ...]] | None = None) -> list[str]:
    """Enqueue each job whose latest scheduled time has not been enqueued; the names of those enqueued."""
    enqueued = []
    for job, times in (job_schedule() if schedule is None else schedule).items():
        slot = latest_slot(times, now)
        if slot is None or ScheduledRun.objects.filter(job=job, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job, slot=slot, enqueued_at=now, task_id="")
                run.task_id = str(JOBS[job].enqueue().id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker enqueued this slot first
        enqueued.append(job)
    return enqueued


def enqueue_now(job: str) -> str:
    """Enqueue one job now, outside its schedule (``openprobation jobs enqueue``, audited as the operator's); the task
    id."""
    if job not in JOBS:
        raise ValueError(f"no job called {job!r} (jobs: {', '.join(JOBS)})")
    with transaction.atomic():
        task_id = str(JOBS[job].enqueue().id)
        audit_record(actor=None, action="job.enqueued", entity="job", entity_id=job, after={"task_id": task_id})
    return task_id
