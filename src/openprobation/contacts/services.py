"""Recording and correcting contacts. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from openprobation.contacts.choices import APPOINTMENT_TYPES, FAILURE_OUTCOMES, ContactOutcome, ContactType
from openprobation.contacts.models import Contact
from openprobation.core import clock, followups
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector
from openprobation.core.records import apply_changes, lock_for_update, reject_nulls, reject_unknown, snapshot
from openprobation.core.text import text_problem
from openprobation.organisation.models import Staff
from openprobation.people.access import Actor, require_write
from openprobation.people.models import Person
from openprobation.people.services import check_choice
from openprobation.rules.dates import long_date
from openprobation.sentences.models import Event, Requirement

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
        if values["outcome"] in FAILURE_OUTCOMES:
            followups.failure_to_comply(actor=actor, person=person, contact=contact)
        if contact.notes.strip():
            followups.contact_notes_recorded(actor=actor, person=person, contact=contact)
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
            if locked.outcome in FAILURE_OUTCOMES:
                followups.failure_to_comply(actor=actor, person=person, contact=locked)
        if ("notes" in after or "type" in after) and locked.notes.strip():
            followups.contact_notes_recorded(actor=actor, person=person, contact=locked)
    return locked


# ---- Appointments: booked ahead, rearranged with a reason, given their outcome once they have happened ----

APPOINTMENT_FIELDS = ("type", "date", "location", "with_staff_id", "event_id", "requirement_id", "notes",
                      "rearranged_from_id")  # fmt: skip


def _check_booking(
    c: Collector, person: Person, *, type: str, when: dt.datetime | None, location: str, with_staff: str | None,
    event_number: int | None, requirement_id: int | None,
) -> tuple[Staff | None, Event | None, Requirement | None]:
    """The checks every booking shares (a new one or a rearranged one): an appointment type, a time still to come,
    where it is, who it is with, and the event and requirement it belongs to (the requirement's own event)."""
    if type not in APPOINTMENT_TYPES:
        c.add("type", "Choose the type of appointment: " + ", ".join(sorted(APPOINTMENT_TYPES)))
    now = clock.now()
    if when is None:
        c.add("date", "Enter the date and time of the appointment")
    elif when <= now:
        c.add("date", "An appointment is booked for a time still to come: record one that has happened as a contact")
    elif when > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        c.add("date", "The appointment must be within a year from today")
    if not location.strip():
        c.add("location", "Enter where the appointment is, like the office's name, their home, or video call")
    elif len(location) > 200:
        c.add("location", "The location must be 200 characters or fewer")
    elif problem := text_problem(location):
        c.add("location", problem)
    staff = None
    if with_staff:
        staff = Staff.objects.filter(code=with_staff).first()
        if staff is None:
            c.add("with_staff", f"No member of staff with code {with_staff}")
    event = None
    if event_number is not None:
        event = Event.objects.filter(person=person, number=event_number, termination_date__isnull=True).first()
        if event is None:
            c.add("event_number", f"No current event {event_number} on case {person.crn}")
    requirement = None
    if requirement_id is not None:
        requirement = Requirement.objects.filter(pk=requirement_id, event__person=person).first()
        if requirement is None:
            c.add("requirement_id", f"No requirement {requirement_id} on case {person.crn}")
        elif event is not None and requirement.event_id != event.pk:
            c.add("requirement_id", "The requirement belongs to another event")
        else:
            event = requirement.event
    return staff, event, requirement


def appointment_book(
    *,
    actor: Actor,
    person: Person,
    type: str,
    when: dt.datetime | None,
    location: str,
    with_staff: str | None = None,
    event_number: int | None = None,
    requirement_id: int | None = None,
    notes: str = "",
) -> Contact:
    """Book an appointment: a contact still to come with no outcome, where, with whom (a staff code; default the
    actor), for which event and (where it counts) which requirement."""
    booker = require_write(actor)
    c = Collector()
    staff, event, requirement = _check_booking(
        c, person, type=type, when=when, location=location, with_staff=with_staff, event_number=event_number,
        requirement_id=requirement_id,
    )  # fmt: skip
    if len(notes) > MAX_NOTES:
        c.add("notes", f"Notes must be {MAX_NOTES} characters or fewer")
    c.raise_if_any()
    assert when is not None  # (checked above)
    with transaction.atomic():
        contact = Contact.objects.create(
            person=person, type=type, date=when, outcome="", notes=notes.strip(), location=location.strip(),
            with_staff=staff or booker, event=event, requirement=requirement, staff=booker, created_at=clock.now(),
        )  # fmt: skip
        audit_record(actor=actor, action="appointment.booked", crn=person.crn, entity="contact",
                     entity_id=contact.pk, after=snapshot(contact, APPOINTMENT_FIELDS))  # fmt: skip
    return contact


def appointment_rearrange(
    *, actor: Actor, person: Person, contact_id: int, version: int, when: dt.datetime | None, reason: str,
    location: str | None = None,
) -> Contact:
    """Move a booked appointment: the old one is kept, with the outcome "rescheduled" and the reason, and a new one
    is booked at the new time (same type, event, requirement and person it is with) that says which it replaces."""
    require_write(actor)
    reason = (reason or "").strip()
    with transaction.atomic():
        old = lock_for_update(Contact.objects.filter(person=person), pk=contact_id, expected_version=version)
        c = Collector()
        if old.type not in APPOINTMENT_TYPES or old.outcome:
            c.add("contact_id", "Only an appointment that has no outcome yet can be rearranged")
        if not reason:
            c.add("reason", "Enter why the appointment is being rearranged")
        elif len(reason) > 1000:
            c.add("reason", "The reason must be 1000 characters or fewer")
        where = old.location if location is None else location
        _check_booking(
            c, person, type=old.type, when=when, location=where, with_staff=None,
            event_number=None, requirement_id=None,
        )  # fmt: skip
        c.raise_if_any()
        assert when is not None  # (checked above)
        before, after = apply_changes(old, {"outcome": ContactOutcome.RESCHEDULED,
                                            "notes": f"{old.notes}\nRearranged: {reason}".strip()})  # fmt: skip
        new = Contact.objects.create(
            person=person, type=old.type, date=when, outcome="", notes=old.notes, location=where.strip(),
            with_staff=old.with_staff, event=old.event, requirement=old.requirement, staff=old.staff,
            rearranged_from=old, created_at=clock.now(),
        )  # fmt: skip
        audit_record(actor=actor, action="appointment.rearranged", crn=person.crn, entity="contact",
                     entity_id=old.pk, before=before, after={**after, "new_appointment": new.pk, "date": when},
                     reason=reason)  # fmt: skip
    return new
