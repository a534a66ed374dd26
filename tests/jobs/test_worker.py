"""The worker for real, on the database the suite runs on: jobs enqueued (by hand and by the schedule), run by
``openprobation worker --batch`` in this process, their results and what they changed checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection  # noqa: F401 (the skipif conditions read it)
from django_tasks_db.models import DBTaskResult

from openprobation.cli import main
from openprobation.contacts.services import contact_record
from openprobation.core import clock
from openprobation.core.models import AuditEvent
from openprobation.jobs.models import ScheduledRun
from openprobation.jobs.schedule import enqueue_now
from openprobation.jobs.worker import run_worker
from openprobation.notifications.models import AppointmentReminder, Message
from openprobation.people.services import person_update
from openprobation.workitems.models import WorkItemEscalation
from tests.concurrency import run_together
from tests.factories import make_org, make_person

# The worker claims each task in its own transaction and closes stale connections, as in production: the test
# database is committed to, not wrapped in one rolled-back transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BOOKED = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday
RUN = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)  # Wednesday, after the 09:00 reminders


@pytest.fixture
def set_clock(monkeypatch):
    def move(now: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: now)
        monkeypatch.setattr(clock, "today", lambda: now.date())

    move(BOOKED)
    return move


@pytest.fixture
def case_with_appointment(set_clock):
    org = make_org()
    person = make_person(org)
    person = person_update(actor=org.po.user, person=person, version=person.version,
                           changes={"mobile_number": "07700900982", "sms_reminders": True})
    contact = contact_record(actor=org.po.user, person=person, type="office_appointment",
                             date=dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC))
    return org, person, contact


def test_an_enqueued_job_is_run_by_worker_batch(case_with_appointment, set_clock, capsys):
    _, _, contact = case_with_appointment
    set_clock(RUN)
    assert main(["jobs", "enqueue", "appointment_reminders"]) == 0
    assert main(["worker", "--batch", "--no-schedule"]) == 0
    out = capsys.readouterr().out
    assert "appointment_reminders: successful" in out
    assert "Ran 1 job(s), 0 failed" in out
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    assert task.return_value["sent"] == 1
    reminder = AppointmentReminder.objects.get(contact=contact)
    assert reminder.status == "sent"
    assert Message.objects.get(reminder=reminder).recipient == "07700900982"
    enqueued = AuditEvent.objects.get(action="job.enqueued")
    assert (enqueued.entity_id, enqueued.after["task_id"]) == ("appointment_reminders", str(task.id))
    assert enqueued.actor_name.startswith("command line (")
    ran = AuditEvent.objects.get(action="job.ran")
    assert (ran.actor_name, ran.entity_id, ran.after["sent"]) == (
        "job (appointment_reminders)", "appointment_reminders", 1)
    # Run again: nothing is sent twice.
    enqueue_now("appointment_reminders")
    assert main(["worker", "--batch", "--no-schedule"]) == 0
    assert Message.objects.count() == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_the_schedule_enqueues_every_due_job_once_and_the_worker_runs_them(case_with_appointment, set_clock,
                                                                           capsys, settings):
    settings.JOB_SCHEDULE = {"nightly_recompute": "02:00", "overdue_escalations": "06:00",
                             "appointment_reminders": "09:00,15:00"}
    set_clock(RUN)
    assert main(["worker", "--batch"]) == 0
    out = capsys.readouterr().out
    assert "enqueued by the schedule: nightly_recompute, overdue_escalations, appointment_reminders" in out
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"] * 3
    assert ScheduledRun.objects.count() == 3
    assert AppointmentReminder.objects.filter(status="sent").count() == 1
    assert WorkItemEscalation.objects.exists()  # the community order's first items were due in January
    assert main(["worker", "--batch"]) == 0
    assert "Ran 0 job(s)" in capsys.readouterr().out
    set_clock(RUN.replace(hour=15))
    assert main(["worker", "--batch"]) == 0
    assert "enqueued by the schedule: appointment_reminders" in capsys.readouterr().out
    assert Message.objects.count() == 1


def test_a_failing_job_is_recorded_failed(db, settings, set_clock):
    enqueue_now("appointment_reminders")
    settings.MESSAGES_BACKEND = "carrier-pigeon"  # changed after the worker's own check: the job itself fails
    report = run_worker(batch=True, schedule=False)
    assert [(f.task, f.status) for f in report.failed] == [("appointment_reminders", "FAILED")]
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED" and "ImproperlyConfigured" in task.traceback
    assert not AuditEvent.objects.filter(action="job.ran").exists()


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["worker", "--batch", "--interval", "0"], {}, "--interval must be a number of seconds above 0"),
        (["worker", "--batch"], {"JOB_SCHEDULE": {"appointment_reminders": "9am"}},
         "the schedule of appointment_reminders must be times of day"),
        (["worker", "--batch"], {"MESSAGES_BACKEND": "notify", "NOTIFY_API_KEY": ""},
         "OPENPROBATION_MESSAGES_BACKEND=notify needs OPENPROBATION_NOTIFY_API_KEY"),
        (["jobs", "enqueue", "backup"], {}, "no job called 'backup'"),
    ],
    ids=["interval", "schedule", "notify_without_key", "unknown_job"],
)
def test_bad_worker_settings_are_refused_before_anything_runs(db, settings, capsys, argv, env, message):
    for name, value in env.items():
        setattr(settings, name, value)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not DBTaskResult.objects.exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite lets one writer in at a time anyway")
def test_workers_running_at_once_send_one_reminder_and_enqueue_each_slot_once(case_with_appointment, set_clock,
                                                                              settings):
    _, _, contact = case_with_appointment
    set_clock(RUN)
    settings.JOB_SCHEDULE = {"nightly_recompute": "off", "overdue_escalations": "off",
                             "appointment_reminders": "09:00"}
    reports = run_together(4, lambda: run_worker(batch=True))
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sum(len(r.enqueued) for r in reports) == 1
    assert sum(len(r.finished) for r in reports) == 1
    assert ScheduledRun.objects.count() == 1
    for _ in range(3):
        enqueue_now("appointment_reminders")
    reports = run_together(3, lambda: run_worker(batch=True, schedule=False))
    assert sum(len(r.finished) for r in reports) == 3  # each task run by exactly one worker
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 4
    assert AppointmentReminder.objects.filter(contact=contact).count() == 1
    assert Message.objects.count() == 1
