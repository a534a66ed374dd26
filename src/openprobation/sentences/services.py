"""Every change to events, requirements, licence conditions and allocations. One transaction each, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from openprobation.core import clock, followups
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, ValidationFailed
from openprobation.core.records import apply_changes, lock_for_update, reject_nulls, reject_unknown, snapshot
from openprobation.organisation.models import Staff
from openprobation.people.access import Actor, barred_from, require_write
from openprobation.people.models import Person
from openprobation.people.services import check_choice, check_date_order
from openprobation.rules.dates import add_months, long_date
from openprobation.rules.offences import offence_code_problem, offence_table
from openprobation.sentences.choices import (
    CUSTODIAL_SENTENCE_TYPES,
    LicenceConditionType,
    RequirementType,
    SentenceType,
    TerminationReason,
)
from openprobation.sentences.models import Allocation, Event, LicenceCondition, Requirement

EVENT_FIELDS = (
    "number",
    "offence_code",
    "conviction_date",
    "sentence_date",
    "sentence_type",
    "length_months",
    "release_date",
    "expected_end_date",
    "termination_date",
    "termination_reason",
)
EVENT_EDITABLE = (
    "offence_code",
    "conviction_date",
    "sentence_date",
    "sentence_type",
    "length_months",
    "release_date",
    "termination_date",
    "termination_reason",
)
MAX_LENGTH_MONTHS = 1200
# Event dates are on or after 1 January 1900 and at most this many years ahead (a planned release, say): anything
# further is a typing mistake, and no timescale can be counted from it.
EARLIEST_EVENT_DATE = dt.date(1900, 1, 1)
MAX_YEARS_AHEAD = 50
MAX_REQUIREMENT_LENGTH = {"unpaid_work": 300, "rar": 400}  # hours, days (Sentencing Act 2020 limits)
COMMUNITY_SENTENCE_TYPES = frozenset({SentenceType.COMMUNITY_ORDER, SentenceType.SUSPENDED_SENTENCE_ORDER})


@dataclass(frozen=True)
class RequirementInput:
    type: str
    length: int
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass(frozen=True)
class LicenceConditionInput:
    type: str
    details: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None


def _date_out_of_bounds(c: Collector, field: str, value: dt.date | None, label: str, latest: dt.date) -> bool:
    """Add a field error when ``value`` is before 1900 or more than ``MAX_YEARS_AHEAD`` years ahead."""
    if value is None:
        return False
    if value < EARLIEST_EVENT_DATE:
        c.add(field, f"The {label} must be on or after {long_date(EARLIEST_EVENT_DATE)}")
        return True
    if value > latest:
        c.add(field, f"The {label} must be no more than {MAX_YEARS_AHEAD} years ahead (by {long_date(latest)})")
        return True
    return False


def _check_event(c: Collector, v: dict[str, Any]) -> None:
    today = clock.today()
    latest = add_months(today, 12 * MAX_YEARS_AHEAD)
    problem = offence_code_problem(v["offence_code"])
    if problem:
        c.add("offence_code", problem)
    check_choice(c, "sentence_type", v["sentence_type"], SentenceType, "sentence type")
    if v["conviction_date"] > today:
        c.add("conviction_date", "The conviction date must be today or in the past")
    else:
        _date_out_of_bounds(c, "conviction_date", v["conviction_date"], "conviction date", today)
    if not _date_out_of_bounds(c, "sentence_date", v["sentence_date"], "sentence date", latest) and (
        v["sentence_date"] < v["conviction_date"]
    ):
        c.add("sentence_date", "The sentence date must be the same as or after the conviction date")
    if not 1 <= v["length_months"] <= MAX_LENGTH_MONTHS:
        c.add("length_months", f"Enter a sentence length between 1 and {MAX_LENGTH_MONTHS} months")
    release = v.get("release_date")
    if _date_out_of_bounds(c, "release_date", release, "release date", latest):
        pass
    elif release is not None:
        if v["sentence_type"] not in CUSTODIAL_SENTENCE_TYPES:
            c.add("release_date", "Only a custodial sentence, licence or post-sentence supervision has a release date")
        elif release < v["sentence_date"]:
            c.add("release_date", "The release date must be the same as or after the sentence date")
    elif v["sentence_type"] in (SentenceType.LICENCE, SentenceType.POST_SENTENCE_SUPERVISION):
        c.add("release_date", "Enter the release date for a licence or post-sentence supervision")
    termination = v.get("termination_date")
    if _date_out_of_bounds(c, "termination_date", termination, "termination date", latest):
        pass
    elif termination is not None and termination < v["sentence_date"]:
        c.add("termination_date", "The termination date must be the same as or after the sentence date")
    if termination is not None and not v.get("termination_reason"):
        c.add("termination_reason", "Enter why the event ended")
    if v.get("termination_reason"):
        check_choice(c, "termination_reason", v["termination_reason"], TerminationReason, "termination reason")
        if termination is None:
            c.add("termination_date", "Enter the date the event ended")


def _check_requirements(c: Collector, sentence_type: str, requirements: Sequence[RequirementInput]) -> None:
    if requirements and sentence_type not in COMMUNITY_SENTENCE_TYPES:
        c.add("requirements", "Only a community order or suspended sentence order has requirements")
    for i, r in enumerate(requirements):
        check_choice(c, ("requirements", i, "type"), r.type, RequirementType, "requirement type")
        limit = MAX_REQUIREMENT_LENGTH.get(r.type, MAX_LENGTH_MONTHS)
        if not 1 <= r.length <= limit:
            c.add(("requirements", i, "length"), f"Enter a length between 1 and {limit}")
        check_date_order(c, ("requirements", i, "end_date"), r.start_date, r.end_date, "end date")


def _check_licence_conditions(c: Collector, sentence_type: str, conditions: Sequence[LicenceConditionInput]) -> None:
    if conditions and sentence_type not in CUSTODIAL_SENTENCE_TYPES:
        c.add("licence_conditions", "Only a custodial sentence, licence or post-sentence supervision has conditions")
    for i, lc in enumerate(conditions):
        check_choice(c, ("licence_conditions", i, "type"), lc.type, LicenceConditionType, "licence condition")
        check_date_order(c, ("licence_conditions", i, "end_date"), lc.start_date, lc.end_date, "end date")


def _practitioner(c: Collector, code: str | None) -> Staff | None:
    if code is None:
        return None
    staff = Staff.objects.select_related("team").filter(code=code).first()
    if staff is None:
        c.add("practitioner", f"No member of staff with code {code}")
    elif staff.team is None:
        c.add("practitioner", f"{staff.name} is not in a team, so cannot hold cases")
    return staff


def event_create(
    *,
    actor: Actor,
    person: Person,
    offence_code: str,
    conviction_date: dt.date,
    sentence_date: dt.date,
    sentence_type: str,
    length_months: int,
    release_date: dt.date | None = None,
    requirements: Sequence[RequirementInput] = (),
    licence_conditions: Sequence[LicenceConditionInput] = (),
    practitioner: str | None = None,
) -> Event:
    """Record a conviction and its sentence; with ``practitioner`` (a staff code) allocate it too."""
    require_write(actor)
    values: dict[str, Any] = {
        "offence_code": offence_code,
        "conviction_date": conviction_date,
        "sentence_date": sentence_date,
        "sentence_type": sentence_type,
        "length_months": length_months,
        "release_date": release_date,
    }
    c = Collector()
    _check_event(c, values)
    _check_requirements(c, sentence_type, requirements)
    _check_licence_conditions(c, sentence_type, licence_conditions)
    staff = _practitioner(c, practitioner)
    c.raise_if_any()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise event numbering per person
        number = (Event.objects.filter(person=person).aggregate(n=Max("number"))["n"] or 0) + 1
        event = Event.objects.create(
            person=person,
            number=number,
            offence_category=offence_table()[offence_code].ogrs3_category,
            expected_end_date=add_months(sentence_date, length_months),
            **values,
        )
        Requirement.objects.bulk_create(Requirement(event=event, **asdict(r)) for r in requirements)
        LicenceCondition.objects.bulk_create(LicenceCondition(event=event, **asdict(lc)) for lc in licence_conditions)
        audit_record(
            actor=actor,
            action="event.created",
            crn=person.crn,
            entity="event",
            entity_id=event.pk,
            after={
                **snapshot(event, EVENT_FIELDS),
                "requirements": [asdict(r) for r in requirements],
                "licence_conditions": [asdict(lc) for lc in licence_conditions],
            },
        )
        followups.event_created(actor=actor, person=person, event=event)  # clocks started, risk tools recalculated
        if staff is not None:
            _allocate(actor=actor, event=event, staff=staff, start_date=sentence_date, reason="New event")
    return event


def event_update(*, actor: Actor, person: Person, number: int, version: int, changes: dict[str, Any]) -> Event:
    require_write(actor)
    reject_unknown(changes, EVENT_EDITABLE)
    reject_nulls(changes, nullable=("release_date", "termination_date"))
    if changes.get("termination_reason") is None and "termination_reason" in changes:
        changes = {**changes, "termination_reason": ""}
    with transaction.atomic():
        event = Event.objects.filter(person=person, number=number).first()
        if event is None:
            raise NotFound(f"No event {number} on case {person.crn}")
        locked = lock_for_update(Event.objects.all(), pk=event.pk, expected_version=version)
        merged = {**snapshot(locked, EVENT_FIELDS), **changes}
        c = Collector()
        _check_event(c, merged)
        c.raise_if_any()
        if {"sentence_date", "length_months"} & set(changes):
            changes = {**changes, "expected_end_date": add_months(merged["sentence_date"], merged["length_months"])}
        if "offence_code" in changes:
            changes["offence_category"] = offence_table()[changes["offence_code"]].ogrs3_category
        before, after = apply_changes(locked, changes)
        if after:
            audit_record(
                actor=actor,
                action="event.updated",
                crn=person.crn,
                entity="event",
                entity_id=locked.pk,
                before=before,
                after=after,
            )
            # The licence-release clock follows the release date (started once per date, re-dated or cancelled when
            # the date moves or no release applies any more); the risk tools are recalculated.
            followups.event_changed(actor=actor, person=person, event=locked, changed=frozenset(after))
    return locked


def _allocate(*, actor: Actor, event: Event, staff: Staff, start_date: dt.date, reason: str) -> Allocation:
    # The case's row is locked before its lists are read, as people/access_lists.py does before changing them, so an
    # allocation and a list change cannot pass each other.
    Person.objects.select_for_update().filter(pk=event.person_id).first()
    if barred_from(event.person, staff):
        raise ValidationFailed.single(
            "practitioner",
            f"{staff.name} may not see this case (it has a restriction or exclusion list): ask an access manager to "
            "change the lists first",
        )
    current = Allocation.objects.select_for_update().filter(event=event, end_date__isnull=True).first()
    before = None
    if current is not None:
        if start_date < current.start_date:
            raise ValidationFailed.single("start_date", "The allocation cannot start before the current one started")
        before = {"practitioner": current.practitioner.code, "team": current.team.code}
        current.end_date = start_date
        current.save(update_fields=["end_date"])
    assert staff.team is not None
    allocation = Allocation.objects.create(
        event=event, practitioner=staff, team=staff.team, start_date=start_date, reason=reason
    )
    Person.objects.filter(pk=event.person_id).update(practitioner=staff, team=staff.team)
    audit_record(
        actor=actor,
        action="event.allocated",
        crn=event.person.crn,
        entity="event",
        entity_id=event.pk,
        before=before,
        after={"practitioner": staff.code, "team": staff.team.code, "start_date": start_date},
        reason=reason,
    )
    followups.event_allocated(actor=actor, person=event.person, event=event, staff=staff, start_date=start_date)
    return allocation


def event_allocate(
    *, actor: Actor, person: Person, number: int, practitioner: str, start_date: dt.date, reason: str = ""
) -> Allocation:
    """Make a practitioner responsible for an event from a date; the previous allocation ends that day."""
    require_write(actor)
    event = Event.objects.filter(person=person, number=number).first()
    if event is None:
        raise NotFound(f"No event {number} on case {person.crn}")
    c = Collector()
    staff = _practitioner(c, practitioner)
    if start_date < event.sentence_date:
        c.add("start_date", "An allocation cannot start before the sentence date")
    c.raise_if_any()
    assert staff is not None
    with transaction.atomic():
        return _allocate(actor=actor, event=event, staff=staff, start_date=start_date, reason=reason)
