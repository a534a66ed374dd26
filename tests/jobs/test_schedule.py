"""The periodic-job schedule (jobs/schedule.py): times of day in UK time, the latest one at or before now enqueued
once however often and by however many workers it is checked."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.jobs.models import ScheduledRun
from openprobation.jobs.schedule import enqueue_due, job_schedule, latest_slot, parse_times

T = dt.time
LONDON_SUMMER = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 11, 25, 8, 59, tzinfo=dt.UTC), dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)),
        (dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)),
        (dt.datetime(2026, 11, 25, 14, 59, tzinfo=dt.UTC), dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)),
        (dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)),
        # In summer, 09:00 UK time is 08:00 UTC.
        (dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, 9, 0, tzinfo=LONDON_SUMMER)),
    ],
    ids=["before_the_first_time_yesterdays_last", "at_a_time_that_time", "between_times_the_earlier",
         "after_the_last_time", "uk_summer_time"],
)
def test_latest_slot(now, expected):
    assert latest_slot((T(9, 0), T(15, 0)), now) == expected


def test_no_times_no_slot():
    assert latest_slot((), dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)) is None


@pytest.mark.parametrize(
    ("text", "times"),
    [("09:00", (T(9, 0),)), ("15:00, 09:00,09:00", (T(9, 0), T(15, 0))), ("off", ()), ("", ()), ("OFF", ())],
)
def test_schedule_times(text, times):
    assert parse_times(text, job="appointment_reminders") == times


@pytest.mark.parametrize("text", ["9am", "24:00", "09:60", "09:00;15:00", "9:00"])
def test_schedule_times_refused_naming_the_job(text):
    with pytest.raises(ValueError, match="the schedule of appointment_reminders must be times of day like 09:00"):
        parse_times(text, job="appointment_reminders")


def test_schedule_naming_no_such_job_is_refused():
    with pytest.raises(ValueError, match="no such job: nightly_backup"):
        job_schedule({"nightly_backup": "01:00"})


@pytest.mark.django_db
def test_each_scheduled_time_is_enqueued_once():
    schedule = {"overdue_escalations": (T(6, 0),), "appointment_reminders": (T(9, 0), T(15, 0))}
    morning = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
    assert enqueue_due(morning, schedule) == ["overdue_escalations", "appointment_reminders"]
    assert enqueue_due(morning + dt.timedelta(minutes=5), schedule) == []
    assert enqueue_due(morning.replace(hour=15), schedule) == ["appointment_reminders"]
    slots = sorted((r.job, r.slot.hour) for r in ScheduledRun.objects.all())
    assert slots == [("appointment_reminders", 9), ("appointment_reminders", 15), ("overdue_escalations", 6)]
    assert all(r.task_id for r in ScheduledRun.objects.all())
