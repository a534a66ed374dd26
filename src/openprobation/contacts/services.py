"""Recording and correcting contacts. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from openprobation.contacts.choices import APPOINTMENT_TYPES, ContactOutcome, ContactType
from openprobation.contacts.models import Contact
from openprobation.core import clock, followups
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector
from openprobation.core.records import apply_changes, lock_for_update, reject_nulls, reject_unknown, snapshot
from openprobation.people.access import Actor, require_write
from openprobation.people.models import Person
from openprobation.people.services import check_choice
from openprobation.rules.dates import long_date
from openprobation.sentences.models import Event

CONTACT_FIELDS = ("type", "date", "outcome", "notes", "event_id")
CONTACT_EDITABLE = ("type", "date", "outcome", "notes")
MAX_NOTES = 20000
# A contact recorded more than this far ahead is almost certainly a typing error in the year.
MAX_DAYS_AHEAD = 366
# And none is recorded before this (nor before the person was born): a year like 0001 is a typing error too, and
# could not even be stored once converted to UTC.
EARLIEST_CONTACT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def _check_contact(c: Collector, v: dict[str, Any], *, born: dt.date | None) -> None:
    check_choice(c, "type", v["type"], ContactType, "contact type")
    if v["outcome"]:
        check_choice(c, "outcome", v["outcome"], ContactOutcome, "outcome")
    date: dt.datetime | None = v["date"]
    now = clock.now()
    if date is None:
        c.add("date", "Enter the date and time of the contact")
    else:
        # Bounds first: only a date between them can be converted to UK time (year 1 or 9999 may overflow).
        if date < EARLIEST_CONTACT:
            c.add("date", f"The contact date must be on or after {long_date(EARLIEST_CONTACT.date())}")
        elif date > now + dt.timedelta(days=MAX_DAYS_AHEAD):
            c.add("date", "The contact date must be within a year from today")
        elif born is not None and timezone.localdate(date) < born:
            c.add("date", f"The contact date must be on or after the person's date of birth, {long_date(born)}")
        if date > now and v["outcome"] and v["outcome"] != ContactOutcome.RESCHEDULED:
            c.add("outcome", "A contact in the future cannot have an outcome yet")
        if date <= now and not v["outcome"] and v["type"] in APPOINTMENT_TYPES:
            c.add("outcome", "Choose the outcome of this appointment")
    if v["type"] not in APPOINTMENT_TYPES and v["outcome"] not in ("", ContactOutcome.NOT_APPLICABLE):
        c.add("outcome", "Only appointments have an attendance outcome: choose 'not applicable'")
    if len(v["notes"]) > MAX_NOTES:
        c.add("notes", f"Notes must be {MAX_NOTES} characters or fewer")
    elif v["type"] in (ContactType.NOTE, ContactType.THIRD_PARTY_REPORT, ContactType.OTHER_AGENCY_INFORMATION) and not (
        v["notes"].strip()
    ):
        c.add("notes", "Enter what was said or reported")
    elif v["notes"] and not v["notes"].strip():
        c.add("notes", "Notes cannot be only spaces: enter what happened, or leave them empty")


def contact_record(
    *,
    actor: Actor,
    person: Person,
    type: str,
    date: dt.datetime | None,
    outcome: str = "",
    notes: str = "",
    event_number: int | None = None,
) -> Contact:
    """Record a contact with the person; the actor is recorded as who made it."""
    staff = require_write(actor)
    values: dict[str, Any] = {"type": type, "date": date, "outcome": outcome or "", "notes": notes or ""}
    c = Collector()
    _check_contact(c, values, born=person.date_of_birth)
    event = None
    if event_number is not None:
        event = Event.objects.filter(person=person, number=event_number).first()
        if event is None:
            c.add("event_number", f"No event {event_number} on case {person.crn}")
    c.raise_if_any()
    with transaction.atomic():
        contact = Contact.objects.create(person=person, event=event, staff=staff, created_at=clock.now(), **values)
        audit_record(
            actor=actor,
            action="contact.recorded",
            crn=person.crn,
            entity="contact",
            entity_id=contact.pk,
            after=snapshot(contact, CONTACT_FIELDS),
        )
        if date is not None:
            followups.contact_recorded(actor=actor, person=person, type=type, when=date, outcome=values["outcome"])
    return contact


def contact_update(*, actor: Actor, person: Person, contact_id: int, version: int, changes: dict[str, Any]) -> Contact:
    """Correct a contact, e.g. record the outcome of an appointment once it has happened. A new outcome has the same
    work-item effects as recording the contact with it (once per outcome per contact)."""
    require_write(actor)
    reject_unknown(changes, CONTACT_EDITABLE)
    changes = {k: ("" if v is None and k in ("outcome", "notes") else v) for k, v in changes.items()}
    reject_nulls(changes, nullable=())
    with transaction.atomic():
        locked = lock_for_update(Contact.objects.filter(person=person), pk=contact_id, expected_version=version)
        merged = {**snapshot(locked, CONTACT_EDITABLE), **changes}
        c = Collector()
        _check_contact(c, merged, born=person.date_of_birth)
        c.raise_if_any()
        before, after = apply_changes(locked, changes)
        if after:
            audit_record(
                actor=actor,
                action="contact.updated",
                crn=person.crn,
                entity="contact",
                entity_id=locked.pk,
                before=before,
                after=after,
            )
        if "outcome" in after:
            followups.contact_outcome_changed(
                actor=actor,
                person=person,
                contact_id=locked.pk,
                type=locked.type,
                when=locked.date,
                outcome=locked.outcome,
            )
    return locked
