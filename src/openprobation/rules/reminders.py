"""Appointment reminders: when one is due, and the contact details they go to.

A reminder of a booked appointment goes on the last working day before the day of the appointment (so on Friday
for a Monday appointment, and on the Friday before a bank-holiday Monday for a Tuesday one), or at the first run
after that day has begun if the service was not running then, but never on the day of the appointment itself.
Equivalently, on day T the reminders due are those for appointments on a day D with T < D <= the next working day
after T: no working day lies between T and D. Whether the person agreed to reminders, and that none was sent
before, are the service's checks (``notifications/reminders.py``).

Mobile numbers are UK mobile numbers (GOV.UK Notify sends to others only when a service is set up for
international messages): 07 and nine more digits, written with or without +44, spaces, hyphens or brackets, and
kept in the one form ``07123456789``.
"""

from __future__ import annotations

import datetime as dt
import re

from openprobation.rules.calendar import WorkingCalendar, england_and_wales

_PUNCTUATION = re.compile(r"[\s\-().]")
_UK_MOBILE = re.compile(r"\A07\d{9}\Z")
MOBILE_EXAMPLE = "07700 900982"


def reminder_day(appointment_day: dt.date, calendar: WorkingCalendar | None = None) -> dt.date:
    """The day a reminder of an appointment on ``appointment_day`` is due: the last working day before it."""
    return (calendar or england_and_wales()).previous_working_day(appointment_day)


def reminder_window(today: dt.date, calendar: WorkingCalendar | None = None) -> tuple[dt.date, dt.date]:
    """The first and last appointment days whose reminders are due on ``today`` (both inclusive): from tomorrow to
    the next working day after today."""
    return today + dt.timedelta(days=1), (calendar or england_and_wales()).next_working_day(today)


def uk_mobile_number(value: str) -> str | None:
    """``value`` as a UK mobile number in the form 07123456789, or None when it is not one."""
    digits = _PUNCTUATION.sub("", value)
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    return digits if _UK_MOBILE.match(digits) else None
