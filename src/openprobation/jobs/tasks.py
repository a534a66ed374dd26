"""The background jobs, as django-tasks tasks run by ``openprobation worker`` (decision 0016).

Each calls one domain service that is safe to run again (it does only what is still to do), inside
``acting_as_job`` so that what it changes is audited as done by the job, and records the run itself as a
``job.ran`` audit event with its counts. The services write each change in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django_tasks import task

from openprobation.core.audit import acting_as_job, audit_record
from openprobation.notifications.reminders import reminders_send
from openprobation.risk.recompute import recompute
from openprobation.warningsigns.services import signals_scan_all
from openprobation.workitems.escalations import overdue_items_escalate
from openprobation.workload.services import workload_snapshot


def _run(name: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    with acting_as_job(name):
        outcome = work()
        with transaction.atomic():
            audit_record(actor=None, action="job.ran", entity="job", entity_id=name, after=outcome)
    return outcome


def _recompute() -> dict[str, Any]:
    result = recompute()
    return {"cases": result.cases, "skipped": result.skipped, "calculations": result.written,
            "tiers_changed": result.tiers_changed}


def _escalate() -> dict[str, Any]:
    return overdue_items_escalate().as_dict()


def _remind() -> dict[str, Any]:
    return reminders_send().as_dict()


def _scan_notes() -> dict[str, Any]:
    return signals_scan_all().as_dict()


@task()
def signals_scan() -> dict[str, Any]:
    """Read every contact note for warning signs (``warningsigns.services.signals_scan_all``): resumes after the
    last batch stored, prompts each signal once, and only for recent notes."""
    return _run("signals_scan", _scan_notes)
def _snapshot() -> dict[str, Any]:
    return workload_snapshot().as_dict()


@task()
def nightly_recompute() -> dict[str, Any]:
    """Recalculate the risk tools of every open case (``risk.recompute``): tools whose answer moves with the date."""
    return _run("nightly_recompute", _recompute)


@task()
def overdue_escalations() -> dict[str, Any]:
    """Escalate open work items that went overdue to the team's SPO, once each (``workitems.escalations``)."""
    return _run("overdue_escalations", _escalate)


@task()
def appointment_reminders() -> dict[str, Any]:
    """Remind people of their appointments the working day before (``notifications.reminders``)."""
    return _run("appointment_reminders", _remind)


@task()
def weekly_workload_snapshot() -> dict[str, Any]:
    """Snapshot every practitioner's workload once a week and raise or clear the sustained-overload alerts
    (``workload.services.workload_snapshot``; runs daily, takes the week's snapshot once)."""
    return _run("weekly_workload_snapshot", _snapshot)


# The jobs by the name the schedule and the command line use.
JOBS = {
    "nightly_recompute": nightly_recompute,
    "overdue_escalations": overdue_escalations,
    "appointment_reminders": appointment_reminders,
    "signals_scan": signals_scan,
    "weekly_workload_snapshot": weekly_workload_snapshot,
}
