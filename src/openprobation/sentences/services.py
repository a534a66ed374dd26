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
    LONG_SENTENCE_TYPES,
    IndeterminateType,
    LicenceConditionType,
    RequirementType,
    SentenceKind,
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
    "sentence_kind",
    "indeterminate_type",
    "length_months",
    "custodial_term_months",
    "extension_period_months",
    "tariff_months",
    "sentenced_as_youth",
    "release_date",
    "licence_expiry_date",
    "sentence_expiry_date",
    "expected_end_date",
    "termination_date",
    "termination_reason",
)
# The terms that say how long a sentence is; which of them a sentence has depends on its kind.
TERM_FIELDS = ("length_months", "custodial_term_months", "extension_period_months", "tariff_months")
EVENT_EDITABLE = (
    "offence_code",
    "conviction_date",
    "sentence_date",
    "sentence_type",
    "sentence_kind",
    "indeterminate_type",
    *TERM_FIELDS,
    "sentenced_as_youth",
    "release_date",
    "licence_expiry_date",
    "sentence_expiry_date",
    "termination_date",
    "termination_reason",
)
EVENT_NULLABLE = (*TERM_FIELDS, "release_date", "licence_expiry_date", "sentence_expiry_date", "termination_date")
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
    _check_sentence_kind(c, v)
    _check_expiry_dates(c, v, latest)
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


def _check_months(c: Collector, v: dict[str, Any], field: str, label: str) -> None:
    value = v.get(field)
    if value is None:
        c.add(field, f"Enter the {label} in months")
    elif not 1 <= value <= MAX_LENGTH_MONTHS:
        c.add(field, f"Enter the {label} between 1 and {MAX_LENGTH_MONTHS} months")


def _refuse(c: Collector, v: dict[str, Any], fields: dict[str, str], kind_words: str) -> None:
    """A term the kind of sentence does not have: ``fields`` maps each to the words for it."""
    for field, what in fields.items():
        if v.get(field) not in (None, ""):
            c.add(field, f"Only {what}: leave it empty for {kind_words} sentence")


KIND_WORDS = {SentenceKind.DETERMINATE: "a determinate", SentenceKind.EXTENDED: "an extended",
              SentenceKind.INDETERMINATE: "an indeterminate"}  # fmt: skip


def _check_sentence_kind(c: Collector, v: dict[str, Any]) -> None:
    """A determinate sentence has a length; an extended one a custodial term and an extension period (its length is
    their sum, worked out by :func:`_with_derived_terms`); an indeterminate one (life, IPP, DPP) a type and a tariff
    and no length. Extended and indeterminate sentences are custodial (in custody or on licence)."""
    kind = v.get("sentence_kind") or SentenceKind.DETERMINATE
    if kind not in SentenceKind.values:
        check_choice(c, "sentence_kind", kind, SentenceKind, "kind of sentence")
        return
    words = KIND_WORDS[SentenceKind(kind)]
    if kind != SentenceKind.DETERMINATE and v["sentence_type"] not in LONG_SENTENCE_TYPES:
        c.add("sentence_kind", f"Only custody or a licence can be {words} sentence")
    if kind != SentenceKind.INDETERMINATE:
        _refuse(c, v, {"indeterminate_type": "an indeterminate sentence is life, IPP or DPP",
                       "tariff_months": "an indeterminate sentence has a tariff"}, words)
    if kind != SentenceKind.EXTENDED:
        _refuse(c, v, {"custodial_term_months": "an extended sentence has a custodial term",
                       "extension_period_months": "an extended sentence has an extension period"}, words)
    if kind == SentenceKind.DETERMINATE:
        _check_months(c, v, "length_months", "sentence length")
    elif kind == SentenceKind.EXTENDED:
        _check_months(c, v, "custodial_term_months", "custodial term")
        _check_months(c, v, "extension_period_months", "extension period")
        terms = (v.get("custodial_term_months") or 0) + (v.get("extension_period_months") or 0)
        if terms > MAX_LENGTH_MONTHS:
            c.add("extension_period_months", f"The custodial term and extension period together must be no more "
                  f"than {MAX_LENGTH_MONTHS} months")
        elif v.get("length_months") is not None and v["length_months"] != terms:
            c.add("length_months", "The length of an extended sentence is its custodial term plus its extension "
                  f"period ({terms} months): leave it empty or enter {terms}")
    else:
        if v.get("length_months") is not None:
            c.add("length_months", "An indeterminate sentence has no fixed length: leave the length empty")
        if not v.get("indeterminate_type"):
            c.add("indeterminate_type", "Select the type of indeterminate sentence: life, IPP or DPP")
        else:
            check_choice(c, "indeterminate_type", v["indeterminate_type"], IndeterminateType,
                         "type of indeterminate sentence")
            if v["indeterminate_type"] == IndeterminateType.DPP and not v.get("sentenced_as_youth"):
                c.add("sentenced_as_youth", "Detention for public protection is a sentence for someone under 18: "
                      "record it as sentenced as a youth, or choose IPP")
        _check_months(c, v, "tariff_months", "tariff (minimum term)")


def _check_expiry_dates(c: Collector, v: dict[str, Any], latest: dt.date) -> None:
    """Licence and sentence expiry dates belong to custodial sentences, after the sentence (and the release); the
    licence never outlasts the sentence. An indeterminate sentence has no sentence expiry date, and a life licence
    does not expire."""
    led, sed = v.get("licence_expiry_date"), v.get("sentence_expiry_date")
    bad = {
        "licence_expiry_date": _date_out_of_bounds(c, "licence_expiry_date", led, "licence expiry date", latest),
        "sentence_expiry_date": _date_out_of_bounds(c, "sentence_expiry_date", sed, "sentence expiry date", latest),
    }
    for field, value, label in (("licence_expiry_date", led, "licence"), ("sentence_expiry_date", sed, "sentence")):
        if value is None or bad[field]:
            continue
        if v["sentence_type"] not in CUSTODIAL_SENTENCE_TYPES:
            c.add(field, f"Only a custodial sentence, licence or post-sentence supervision has a {label} expiry date")
        elif value < v["sentence_date"]:
            c.add(field, f"The {label} expiry date must be the same as or after the sentence date")
        elif v.get("release_date") is not None and value < v["release_date"]:
            c.add(field, f"The {label} expiry date must be the same as or after the release date")
    if led is not None and sed is not None and not any(bad.values()) and led > sed:
        c.add("licence_expiry_date", "The licence expiry date must be the same as or before the sentence expiry date")
    if v.get("sentence_kind") == SentenceKind.INDETERMINATE:
        if sed is not None:
            c.add("sentence_expiry_date", "An indeterminate sentence has no sentence expiry date")
        if led is not None and v.get("indeterminate_type") == IndeterminateType.LIFE:
            c.add("licence_expiry_date", "A life licence has no expiry date")


def _with_derived_terms(v: dict[str, Any]) -> dict[str, Any]:
    """The values as stored: an extended sentence's length is its custodial term plus its extension period; the
    expected end is the sentence date plus the length (none for an indeterminate sentence)."""
    out = dict(v)
    if out.get("sentence_kind") == SentenceKind.EXTENDED:
        out["length_months"] = out["custodial_term_months"] + out["extension_period_months"]
    length = out.get("length_months")
    out["expected_end_date"] = add_months(out["sentence_date"], length) if length is not None else None
    return out


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
    length_months: int | None = None,
    release_date: dt.date | None = None,
    sentence_kind: str = SentenceKind.DETERMINATE,
    indeterminate_type: str = "",
    custodial_term_months: int | None = None,
    extension_period_months: int | None = None,
    tariff_months: int | None = None,
    sentenced_as_youth: bool = False,
    licence_expiry_date: dt.date | None = None,
    sentence_expiry_date: dt.date | None = None,
    requirements: Sequence[RequirementInput] = (),
    licence_conditions: Sequence[LicenceConditionInput] = (),
    practitioner: str | None = None,
) -> Event:
    """Record a conviction and its sentence; with ``practitioner`` (a staff code) allocate it too. A determinate
    sentence has ``length_months``; an extended one ``custodial_term_months`` and ``extension_period_months`` (its
    length is their sum); an indeterminate one ``indeterminate_type`` and ``tariff_months`` and no length."""
    require_write(actor)
    values: dict[str, Any] = {
        "offence_code": offence_code,
        "conviction_date": conviction_date,
        "sentence_date": sentence_date,
        "sentence_type": sentence_type,
        "sentence_kind": sentence_kind,
        "indeterminate_type": indeterminate_type,
        "length_months": length_months,
        "custodial_term_months": custodial_term_months,
        "extension_period_months": extension_period_months,
        "tariff_months": tariff_months,
        "sentenced_as_youth": sentenced_as_youth,
        "release_date": release_date,
        "licence_expiry_date": licence_expiry_date,
        "sentence_expiry_date": sentence_expiry_date,
    }
    c = Collector()
    _check_event(c, values)
    _check_requirements(c, sentence_type, requirements)
    _check_licence_conditions(c, sentence_type, licence_conditions)
    staff = _practitioner(c, practitioner)
    c.raise_if_any()
    values = _with_derived_terms(values)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise event numbering per person
        number = (Event.objects.filter(person=person).aggregate(n=Max("number"))["n"] or 0) + 1
        event = Event.objects.create(
            person=person,
            number=number,
            offence_category=offence_table()[offence_code].ogrs3_category,
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
    for blankable in ("termination_reason", "indeterminate_type"):
        if blankable in changes and changes[blankable] is None:
            changes = {**changes, blankable: ""}
    reject_nulls(changes, nullable=EVENT_NULLABLE)
    with transaction.atomic():
        event = Event.objects.filter(person=person, number=number).first()
        if event is None:
            raise NotFound(f"No event {number} on case {person.crn}")
        locked = lock_for_update(Event.objects.all(), pk=event.pk, expected_version=version)
        merged = {**snapshot(locked, EVENT_FIELDS), **changes}
        if merged["sentence_kind"] == SentenceKind.EXTENDED and "length_months" not in changes:
            merged["length_months"] = None  # worked out again from the terms
        c = Collector()
        _check_event(c, merged)
        c.raise_if_any()
        derived = _with_derived_terms(merged)
        changes = {**changes, **{f: derived[f] for f in ("length_months", "expected_end_date")
                                 if derived[f] != getattr(locked, f)}}  # fmt: skip
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


def case_allocate(*, actor: Actor, person: Person, staff: Staff, start_date: dt.date, reason: str) -> list[Allocation]:
    """Make ``staff`` responsible for every active event of the case from ``start_date`` (each event's previous
    allocation ends that day; an event already with them is left as it is). Runs in the caller's transaction; the
    caller has checked who may allocate and to whom (``allocation.services``)."""
    require_write(actor)
    made = []
    for event in Event.objects.filter(person=person, termination_date__isnull=True).order_by("number"):
        current = Allocation.objects.filter(event=event, end_date__isnull=True).first()
        if current is not None and current.practitioner_id == staff.pk:
            continue
        made.append(_allocate(actor=actor, event=event, staff=staff, start_date=start_date, reason=reason))
    return made
