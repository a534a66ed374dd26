"""Reading the background jobs' state: each job's schedule and its latest run, for ``openprobation jobs list``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django_tasks_db.models import DBTaskResult

from openprobation.jobs.tasks import JOBS


@dataclass(frozen=True)
class JobRow:
    job: str
    times: tuple[dt.time, ...]
    last_status: str
    last_enqueued_at: dt.datetime | None
    last_finished_at: dt.datetime | None


def job_overview(schedule: Mapping[str, tuple[dt.time, ...]]) -> list[JobRow]:
    rows = []
    for job, task in JOBS.items():
        last = DBTaskResult.objects.filter(task_path=task.module_path).order_by("-enqueued_at").first()
        rows.append(JobRow(job, schedule.get(job, ()), last.status if last else "",
                           last.enqueued_at if last else None, last.finished_at if last else None))
    return rows
