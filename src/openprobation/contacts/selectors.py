"""Reading contacts. Callers pass a person obtained from ``people.selectors.person_get`` (access applied)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from openprobation.contacts.choices import APPOINTMENT_TYPES, ATTENDED_OUTCOMES, FAILURE_OUTCOMES, ContactOutcome
from openprobation.contacts.models import Contact
from openprobation.core.errors import NotFound
from openprobation.people.models import Person


def contact_list(
    *, person: Person, type: str | None = None, outcome: str | Iterable[str] | None = None
) -> QuerySet[Contact]:
    """A person's contacts, newest first, optionally filtered by type and outcome (one, or any of several)."""
    contacts = Contact.objects.filter(person=person).select_related("staff", "event", "with_staff", "requirement")
    if type:
        contacts = contacts.filter(type=type)
    if isinstance(outcome, str) and outcome:
        contacts = contacts.filter(outcome=outcome)
    elif outcome and not isinstance(outcome, str):
        contacts = contacts.filter(outcome__in=list(outcome))
    return contacts.order_by("-date", "-id")


def contact_get(*, person: Person, contact_id: int) -> Contact:
    contact = Contact.objects.filter(person=person, pk=contact_id).select_related("staff", "event").first()
    if contact is None:
        raise NotFound(f"No contact {contact_id} on case {person.crn}")
    return contact


def _appointments(person: Person) -> QuerySet[Contact]:
    return Contact.objects.filter(person=person, type__in=APPOINTMENT_TYPES).select_related("staff", "event")


def next_appointment(*, person: Person, now: dt.datetime) -> Contact | None:
    """The soonest appointment still to come (no outcome yet)."""
    return _appointments(person).filter(date__gt=now, outcome="").order_by("date", "id").first()


def last_contact(*, person: Person, now: dt.datetime) -> Contact | None:
    """The newest contact that has happened (any type)."""
    return Contact.objects.filter(person=person, date__lte=now).select_related("staff").order_by("-date", "-id").first()


def outcomes_to_log(*, person: Person, now: dt.datetime) -> QuerySet[Contact]:
    """Appointments whose time has passed with no outcome recorded, oldest first: each needs its outcome logged."""
    return _appointments(person).filter(date__lte=now, outcome="").order_by("date", "id")


@dataclass(frozen=True)
class Compliance:
    """A case's appointments over a period, counted by outcome."""

    since: dt.date
    counts: dict[str, int]
    to_log: int

    @property
    def appointments(self) -> int:
        return sum(self.counts.values()) + self.to_log

    @property
    def failures(self) -> int:
        """Failures to comply: unacceptable absences and attending but failing to comply."""
        return sum(self.counts.get(outcome, 0) for outcome in FAILURE_OUTCOMES)

    @property
    def rows(self) -> list[tuple[str, int]]:
        """(label, count) for every outcome an appointment can have, in the order of the outcome list."""
        return [(label, self.counts.get(value, 0)) for value, label in ContactOutcome.choices]


def compliance_summary(*, person: Person, now: dt.datetime, months: int = 12) -> Compliance:
    """Appointments in the ``months`` up to ``now`` counted by outcome, and those with no outcome logged yet."""
    since = now.date() - dt.timedelta(days=round(months * 365.25 / 12))
    counts = {
        row["outcome"]: row["n"]
        for row in _appointments(person)
        .filter(date__gte=dt.datetime.combine(since, dt.time.min, tzinfo=now.tzinfo), date__lte=now)
        .values("outcome")
        .annotate(n=Count("id"))
        .order_by()
    }
    to_log = counts.pop("", 0)
    return Compliance(since=since, counts=counts, to_log=to_log)


def rar_days_delivered(*, requirement_ids: Iterable[int]) -> dict[int, int]:
    """For each requirement, the RAR days delivered: the days on which an appointment for it was attended (two
    sessions on one day are one day)."""
    ids = list(requirement_ids)
    if not ids:
        return {}
    rows = (
        Contact.objects.filter(requirement_id__in=ids, outcome__in=ATTENDED_OUTCOMES)
        .annotate(day=TruncDate("date"))
        .values("requirement_id")
        .annotate(days=Count("day", distinct=True))
        .order_by()
    )
    return {row["requirement_id"]: row["days"] for row in rows}
