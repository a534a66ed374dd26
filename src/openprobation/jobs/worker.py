"""``openprobation worker``: runs the background jobs (django-tasks' database backend, django-tasks-db).

Each round it enqueues the periodic jobs that are due (``schedule.enqueue_due``), then runs every task waiting in
the queue, oldest first, then sleeps ``interval`` seconds. ``batch`` does one round and returns (for tests and for
cron). Any number of workers may run against PostgreSQL: a task is claimed with ``SELECT … FOR UPDATE SKIP LOCKED``
and each scheduled time is enqueued once. On SQLite one worker beside the server is enough.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker

from openprobation.core import clock
from openprobation.jobs.schedule import enqueue_due, job_schedule


@dataclass(frozen=True)
class Finished:
    task: str
    status: str
    return_value: Any


@dataclass
class WorkerReport:
    enqueued: list[str] = field(default_factory=list)
    finished: list[Finished] = field(default_factory=list)

    @property
    def failed(self) -> list[Finished]:
        return [f for f in self.finished if f.status != "SUCCESSFUL"]


def run_worker(
    *,
    batch: bool,
    schedule: bool = True,
    interval: float = 5.0,
    worker_id: str | None = None,
    on_finished: Callable[[Finished], None] | None = None,
) -> WorkerReport:
    """Enqueue due periodic jobs and run the queue until stopped (SIGINT or SIGTERM: the running task finishes
    first), or with ``batch`` once."""
    timetable = job_schedule() if schedule else {}
    report = WorkerReport()
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False,
        max_tasks=None, worker_id=worker_id or get_random_string(32), excluded_queue_names=[],
    )

    def finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if not task_result.worker_ids or task_result.worker_ids[-1] != worker.worker_id:
            return  # another worker in this process (the signal is process-wide)
        done = Finished(task_result.task.name, task_result.status.name,
                        task_result.return_value if task_result.status.name == "SUCCESSFUL" else None)
        report.finished.append(done)
        if on_finished is not None:
            on_finished(done)

    task_finished.connect(finished, weak=False)
    try:
        if not batch:
            worker.configure_signals()
        while True:
            if timetable:
                report.enqueued += enqueue_due(clock.now(), timetable)
            worker.run()
            if batch or not worker.running:
                return report
            time.sleep(interval)
    finally:
        task_finished.disconnect(finished)
        if not batch:
            worker.reset_signals()
