"""Every change to people, addresses, relationships and access lists. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from openprobation.core import clock, followups
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, ValidationFailed
from openprobation.core.records import (
    apply_changes,
    check_lengths,
    lock_for_update,
    reject_nulls,
    reject_unknown,
    snapshot,
)
from openprobation.core.text import text_problem
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Team
from openprobation.people.access import Actor, people_visible_to, require_write
from openprobation.people.choices import Gender, RelationshipType
from openprobation.people.models import Address, Person, Relationship
from openprobation.rules.crn import crn_problem
from openprobation.rules.dates import age_in_years
from openprobation.rules.identifiers import CRO_PROBLEM, PNC_PROBLEM, cro_canonical, pnc_canonical
from openprobation.rules.reminders import MOBILE_EXAMPLE, uk_mobile_number

PERSON_FIELDS = ("crn", "first_name", "last_name", "date_of_birth", "gender", "pnc_number", "cro_number")
PERSON_EDITABLE = ("first_name", "last_name", "date_of_birth", "gender", "pnc_number", "cro_number")
# How to reach the person and whether they agreed to appointment reminders: changed by the same update.
REMINDER_FIELDS = ("mobile_number", "email", "sms_reminders", "email_reminders")
MAX_EMAIL = 254
RELATIONSHIP_FIELDS = (
    "relationship",
    "first_name",
    "last_name",
    "date_of_birth",
    "start_date",
    "end_date",
    "lives_in_household",
    "potential_victim",
    "notes",
)
MIN_AGE_YEARS = 10  # the age of criminal responsibility in England and Wales
# For a CRN already in use by a case the actor may not see: refused without saying that a case exists.
CRN_UNUSABLE = "This CRN cannot be used. Check it, or ask an administrator"


def check_name(c: Collector, path: str, value: str, label: str) -> None:
    if not value or not value.strip():
        c.add(path, f"Enter the {label}")
    elif len(value) > 100:
        c.add(path, f"The {label} must be 100 characters or fewer")


def check_choice(c: Collector, path: str | tuple[str | int, ...], value: str, choices: Any, label: str) -> None:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        c.add(path, f"Choose a {label}: one of {allowed}")


def check_date_order(
    c: Collector, path: str | tuple[str | int, ...], start: dt.date | None, end: dt.date | None, what: str
) -> None:
    if start is not None and end is not None and end < start:
        c.add(path, f"The {what} must be the same as or after the start date")


def _check_person(c: Collector, values: dict[str, Any]) -> None:
    today = clock.today()
    if "first_name" in values:
        check_name(c, "first_name", values["first_name"], "first name")
    if "last_name" in values:
        check_name(c, "last_name", values["last_name"], "last name")
    if "gender" in values:
        check_choice(c, "gender", values["gender"], Gender, "gender")
    dob = values.get("date_of_birth")
    if "date_of_birth" in values:
        if dob is None:
            c.add("date_of_birth", "Enter the date of birth")
        elif dob > today:
            c.add("date_of_birth", "The date of birth must be in the past")
        elif age_in_years(dob, today) < MIN_AGE_YEARS:
            c.add("date_of_birth", f"A person on probation must be at least {MIN_AGE_YEARS} years old")
    # Police identifiers are stored in their canonical spelling (``values`` is changed in place); blank clears them.
    for name, canonical, problem in (("pnc_number", pnc_canonical, PNC_PROBLEM),
                                     ("cro_number", cro_canonical, CRO_PROBLEM)):  # fmt: skip
        if values.get(name):
            spelt = canonical(values[name]) if isinstance(values[name], str) else None
            if spelt is None:
                c.add(name, problem)
            else:
                values[name] = spelt


def person_create(
    *,
    actor: Actor,
    crn: str,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    gender: str,
    team: str | None = None,
    pnc_number: str = "",
    cro_number: str = "",
) -> Person:
    """Add a person on probation. The case is held by ``team`` (a team code), by default the actor's own."""
    staff = require_write(actor)
    c = Collector()
    problem = crn_problem(crn)
    if problem:
        c.add("crn", problem)
    values = {"first_name": first_name, "last_name": last_name, "date_of_birth": date_of_birth, "gender": gender,
              "pnc_number": pnc_number or "", "cro_number": cro_number or ""}  # fmt: skip
    _check_person(c, values)
    holding_team: Team | None = staff.team if staff.role in (Role.PRACTITIONER, Role.SPO) else None
    if team is not None:
        holding_team = Team.objects.filter(code=team).first()
        if holding_team is None:
            c.add("team", f"No team with code {team}")
    if not problem and Person.objects.filter(crn=crn).exists():
        c.add("crn", _crn_taken(actor, crn))
    c.raise_if_any()
    try:
        with transaction.atomic():
            person = Person.objects.create(crn=crn, team=holding_team, created_at=clock.now(), **values)
            audit_record(
                actor=actor,
                action="person.created",
                crn=crn,
                entity="person",
                entity_id=person.pk,
                after={**snapshot(person, PERSON_FIELDS), "team": team},
            )
    except IntegrityError as exc:  # a concurrent create of the same CRN
        raise ValidationFailed.single("crn", _crn_taken(actor, crn)) from exc
    return person


def _crn_taken(actor: Actor, crn: str) -> str:
    """Why an existing CRN cannot be used: named as a duplicate only to someone who may see that case."""
    if people_visible_to(actor).filter(crn=crn).exists():
        return f"A case with CRN {crn} already exists"
    return CRN_UNUSABLE


def _reminder_details(c: Collector, changes: dict[str, Any]) -> dict[str, Any]:
    """The contact details in ``changes`` checked and in their stored form (a mobile number as 07123456789, an email
    address trimmed); "" clears one."""
    cleaned = dict(changes)
    if "mobile_number" in changes:
        number = str(changes["mobile_number"]).strip()
        if number:
            normalised = uk_mobile_number(number)
            if normalised is None:
                c.add("mobile_number", f"Enter a UK mobile number, like {MOBILE_EXAMPLE}")
            cleaned["mobile_number"] = normalised or ""
        else:
            cleaned["mobile_number"] = ""
    if "email" in changes:
        address = str(changes["email"]).strip()
        if problem := text_problem(address):
            c.add("email", problem)
        elif len(address) > MAX_EMAIL:
            c.add("email", f"The email address must be {MAX_EMAIL} characters or fewer")
        elif address:
            try:
                validate_email(address)
            except ValidationError:
                c.add("email", "Enter an email address in the correct format, like name@example.com")
        cleaned["email"] = address
    for flag in ("sms_reminders", "email_reminders"):
        if flag in changes and not isinstance(changes[flag], bool):
            c.add(flag, "Choose yes or no")
    return cleaned


def _check_reminder_consent(c: Collector, merged: dict[str, Any]) -> None:
    """Agreeing to reminders by a channel needs the detail it goes to (the database refuses it too)."""
    if merged["sms_reminders"] and not merged["mobile_number"]:
        c.add("mobile_number", "Enter a mobile number, or choose no to text message reminders")
    if merged["email_reminders"] and not merged["email"]:
        c.add("email", "Enter an email address, or choose no to email reminders")


def person_update(*, actor: Actor, person: Person, version: int, changes: dict[str, Any]) -> Person:
    """Change a person's details, or their contact details and consent to reminders (``REMINDER_FIELDS``)."""
    require_write(actor)
    reject_unknown(changes, (*PERSON_EDITABLE, *REMINDER_FIELDS))
    changes = {k: ("" if v is None and k in ("pnc_number", "cro_number") else v) for k, v in changes.items()}
    reject_nulls(changes, nullable=())
    c = Collector()
    _check_person(c, changes)
    changes = _reminder_details(c, changes)
    c.raise_if_any()
    with transaction.atomic():
        locked = lock_for_update(Person.objects.all(), pk=person.pk, expected_version=version)
        if any(f in changes for f in REMINDER_FIELDS):
            _check_reminder_consent(c, {**snapshot(locked, REMINDER_FIELDS), **changes})
            c.raise_if_any()
        before, after = apply_changes(locked, changes)
        if after:
            audit_record(
                actor=actor,
                action="person.updated",
                crn=locked.crn,
                entity="person",
                entity_id=locked.pk,
                before=before,
                after=after,
            )
            followups.person_changed(actor=actor, person=locked, changed=frozenset(after))  # e.g. the risk tools
    return locked


def address_add(
    *,
    actor: Actor,
    person: Person,
    line1: str,
    town: str,
    postcode: str,
    start_date: dt.date,
    line2: str = "",
    end_date: dt.date | None = None,
) -> Address:
    require_write(actor)
    c = Collector()
    if not line1.strip():
        c.add("line1", "Enter the first line of the address")
    if not town.strip():
        c.add("town", "Enter the town or city")
    if not postcode.strip() or len(postcode) > 10:
        c.add("postcode", "Enter a postcode, like AA1 1AA")
    check_date_order(c, "end_date", start_date, end_date, "end date")
    check_lengths(c, Address, {"line1": line1, "line2": line2, "town": town},
                  {"line1": "the first line of the address", "line2": "the second line of the address",
                   "town": "the town or city"})  # fmt: skip
    c.raise_if_any()
    with transaction.atomic():
        address = Address.objects.create(
            person=person,
            line1=line1,
            line2=line2,
            town=town,
            postcode=postcode.upper(),
            start_date=start_date,
            end_date=end_date,
        )
        audit_record(
            actor=actor,
            action="address.added",
            crn=person.crn,
            entity="address",
            entity_id=address.pk,
            after=snapshot(address, ("line1", "line2", "town", "postcode", "start_date", "end_date")),
        )
    return address


def _check_relationship(c: Collector, values: dict[str, Any], current: dict[str, Any]) -> None:
    merged = {**current, **values}
    if "relationship" in values:
        check_choice(c, "relationship", values["relationship"], RelationshipType, "relationship")
    if "first_name" in values:
        check_name(c, "first_name", values["first_name"], "first name")
    if "last_name" in values:
        check_name(c, "last_name", values["last_name"], "last name")
    dob = merged.get("date_of_birth")
    if dob is not None and dob > clock.today():
        c.add("date_of_birth", "The date of birth must be in the past")
    if merged.get("start_date") is None:
        c.add("start_date", "Enter the date the relationship started")
    check_date_order(c, "end_date", merged.get("start_date"), merged.get("end_date"), "end date")


def relationship_add(
    *,
    actor: Actor,
    person: Person,
    relationship: str,
    first_name: str,
    last_name: str,
    start_date: dt.date,
    date_of_birth: dt.date | None = None,
    end_date: dt.date | None = None,
    lives_in_household: bool = False,
    potential_victim: bool = False,
    notes: str = "",
) -> Relationship:
    """Record someone in the person's life (partner, ex-partner, child, parent, sibling, other)."""
    require_write(actor)
    values = {
        "relationship": relationship,
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": date_of_birth,
        "start_date": start_date,
        "end_date": end_date,
        "lives_in_household": lives_in_household,
        "potential_victim": potential_victim,
        "notes": notes,
    }
    c = Collector()
    _check_relationship(c, values, {})
    c.raise_if_any()
    with transaction.atomic():
        created = Relationship.objects.create(person=person, **values)
        audit_record(
            actor=actor,
            action="relationship.added",
            crn=person.crn,
            entity="relationship",
            entity_id=created.pk,
            after=values,
        )
        followups.household_changed(
            actor=actor, person=person, relationship=created, was_household_member=None, added=True
        )
    return created


def relationship_update(
    *, actor: Actor, person: Person, relationship_id: int, version: int, changes: dict[str, Any]
) -> Relationship:
    require_write(actor)
    reject_unknown(changes, RELATIONSHIP_FIELDS)
    reject_nulls(changes, nullable=("date_of_birth", "end_date"))
    with transaction.atomic():
        locked = lock_for_update(
            Relationship.objects.filter(person=person), pk=relationship_id, expected_version=version
        )
        c = Collector()
        _check_relationship(c, changes, snapshot(locked, RELATIONSHIP_FIELDS))
        c.raise_if_any()
        was_member = locked.relationship if locked.lives_in_household and locked.end_date is None else None
        before, after = apply_changes(locked, changes)
        if after:
            audit_record(
                actor=actor,
                action="relationship.updated",
                crn=person.crn,
                entity="relationship",
                entity_id=locked.pk,
                before=before,
                after=after,
            )
            followups.household_changed(
                actor=actor, person=person, relationship=locked, was_household_member=was_member
            )
    return locked
