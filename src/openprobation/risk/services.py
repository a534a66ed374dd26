"""Adding, reviewing and ending registrations (risk flags). One transaction each, audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from openprobation.core import clock, followups
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, VersionConflict
from openprobation.core.records import apply_changes, lock_for_update, reject_unknown, snapshot
from openprobation.people.access import Actor, require_write
from openprobation.people.models import Person
from openprobation.people.services import check_date_order
from openprobation.risk import riskfacts, storage
from openprobation.risk.changes import record_changed
from openprobation.risk.facts import HISTORY_FIELDS, case_row
from openprobation.risk.models import CriminalHistory, OasysAssessment, RecordedScore, Registration, RiskCalculation
from openprobation.rules import case_record as cr
from openprobation.rules.dates import add_months, age_in_years, long_date
from openprobation.rules.registrations import registration_policy, registration_type
from openprobation.rules.tiering.v2 import NEED_SECTIONS

REGISTRATION_FIELDS = ("code", "level", "category", "start_date", "review_date", "end_date", "notes")
REGISTRATION_EDITABLE = ("level", "category", "review_date", "end_date", "notes")


# Registration dates are bounded so that nothing downstream (review work items, due dates) can overflow and a typed
# year (2062 for 2026, 9999) is caught where it is entered.
EARLIEST_REGISTRATION_DATE = dt.date(1900, 1, 1)
START_AT_MOST_YEARS_AHEAD = 1  # a registration may be recorded ahead of its start, by up to a year
LATER_DATES_AT_MOST_YEARS_AHEAD = 10  # review and end dates: at most ten years from today


def _years_after(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)  # 29 Feb + 1 year = 28 Feb


def _check_registration(c: Collector, v: dict[str, Any], *, changed: Collection[str] = REGISTRATION_FIELDS) -> None:
    """Check a registration's values; the date bounds apply to the fields in ``changed`` (all of them when adding)."""
    rtype = registration_type(v["code"])
    if rtype is None:
        known = ", ".join(sorted(registration_policy().types))
        c.add("code", f"Unknown registration code {v['code']!r}: use an nDelius code, one of {known}")
        return
    if rtype.levels:
        if v["level"] not in rtype.levels:
            c.add("level", f"Choose the {rtype.name} level: one of {', '.join(rtype.levels)}")
    elif v["level"]:
        c.add("level", f"A {rtype.name} registration has no level")
    if rtype.categories:
        if v["category"] not in rtype.categories:
            c.add("category", f"Choose the {rtype.name} category: one of {', '.join(rtype.categories)}")
    elif v["category"]:
        c.add("category", f"A {rtype.name} registration has no category")
    _check_registration_dates(c, v, changed)


def _check_registration_dates(c: Collector, v: dict[str, Any], changed: Collection[str]) -> None:
    today = clock.today()
    start, review, end = v["start_date"], v["review_date"], v["end_date"]
    earliest = long_date(EARLIEST_REGISTRATION_DATE)
    if "start_date" in changed and start is not None:
        latest_start = _years_after(today, START_AT_MOST_YEARS_AHEAD)
        if start < EARLIEST_REGISTRATION_DATE:
            c.add("start_date", f"The start date must be on or after {earliest}: check the year")
        elif start > latest_start:
            c.add(
                "start_date",
                f"The start date must be no later than {long_date(latest_start)} (a year from today): check the year",
            )
    latest_later = _years_after(today, LATER_DATES_AT_MOST_YEARS_AHEAD)
    for field, value, what in (("review_date", review, "review date"), ("end_date", end, "end date")):
        if field not in changed or value is None:
            continue
        if value < EARLIEST_REGISTRATION_DATE:
            c.add(field, f"The {what} must be on or after {earliest}: check the year")
        elif value > latest_later:
            c.add(field, f"The {what} must be no later than {long_date(latest_later)} (ten years from today): "
                         "check the year")
        elif field == "review_date" and start is not None and value <= start:
            c.add(field, "The review date must be after the start date")
    check_date_order(c, "end_date", start, end, "end date")


def registration_add(
    *,
    actor: Actor,
    person: Person,
    code: str,
    start_date: dt.date,
    level: str = "",
    category: str = "",
    review_date: dt.date | None = None,
    end_date: dt.date | None = None,
    notes: str = "",
) -> Registration:
    require_write(actor)
    values: dict[str, Any] = {
        "code": code,
        "level": level or "",
        "category": category or "",
        "start_date": start_date,
        "review_date": review_date,
        "end_date": end_date,
        "notes": notes or "",
    }
    c = Collector()
    _check_registration(c, values)
    c.raise_if_any()
    with transaction.atomic():
        registration = Registration.objects.create(person=person, **values)
        audit_record(
            actor=actor,
            action="registration.added",
            crn=person.crn,
            entity="registration",
            entity_id=registration.pk,
            after=values,
        )
        risk_recalculate(actor=actor, person=person)
        followups.registration_added(actor=actor, person=person, registration=registration)
    return registration


def registration_update(
    *, actor: Actor, person: Person, registration_id: int, version: int, changes: dict[str, Any]
) -> Registration:
    """Review or end a registration (its code and start date are fixed; add a new one instead)."""
    require_write(actor)
    reject_unknown(changes, REGISTRATION_EDITABLE)
    changes = {k: ("" if v is None and k in ("level", "category", "notes") else v) for k, v in changes.items()}
    with transaction.atomic():
        locked = lock_for_update(
            Registration.objects.filter(person=person), pk=registration_id, expected_version=version
        )
        c = Collector()
        _check_registration(c, {**snapshot(locked, REGISTRATION_FIELDS), **changes}, changed=changes.keys())
        c.raise_if_any()
        before, after = apply_changes(locked, changes)
        if after:
            audit_record(
                actor=actor,
                action="registration.updated",
                crn=person.crn,
                entity="registration",
                entity_id=locked.pk,
                before=before,
                after=after,
            )
            risk_recalculate(actor=actor, person=person)
            if "end_date" in after:
                followups.registration_ended(actor=actor, person=person, registration=locked)
    return locked


# ---- Risk-tool inputs on the record, recorded scores, and stored calculations ----

MAX_COUNT = 999
HISTORY_COUNTS = (
    "total_sanctions",
    "age_at_first_sanction",
    "violent_sanctions",
    "contact_adult_sexual_sanctions",
    "contact_child_sexual_sanctions",
    "non_contact_sexual_sanctions",
    "indecent_image_sanctions",
)
HISTORY_FLAGS = ("stranger_victim", "recent_breach_or_recall")
HISTORY_DATES = ("last_sexual_sanction_date", "most_recent_offence_date", "most_recent_sexual_offence_date")
RECORDED_KINDS = ("rsr", "tier", "allocation")
RECORDED_ALLOCATIONS = ("nps", "crc", "po", "pso", "pqip")
TIER_PATTERN = re.compile(r"^[A-D][0-3]S?$")


def _check_history(c: Collector, person: Person, v: dict[str, Any]) -> None:
    today = clock.today()
    for name in HISTORY_COUNTS:
        value = v.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            c.add(name, "Enter a whole number")
        elif not 0 <= value <= MAX_COUNT:
            c.add(name, f"Enter a number from 0 to {MAX_COUNT}")
    first = v.get("age_at_first_sanction")
    if isinstance(first, int) and not isinstance(first, bool):
        age_now = age_in_years(person.date_of_birth, today)
        if first < 10:
            c.add("age_at_first_sanction", "Enter an age of 10 or over (the age of criminal responsibility)")
        elif first > age_now:
            c.add("age_at_first_sanction", f"The age at the first sanction cannot be above their age ({age_now})")
    total, violent = v.get("total_sanctions"), v.get("violent_sanctions")
    if isinstance(total, int) and isinstance(violent, int) and violent > total:
        c.add("violent_sanctions", f"Violent sanctions ({violent}) cannot be more than total sanctions ({total})")
    if isinstance(total, int) and total == 0:
        c.add("total_sanctions", "Count the current conviction too: enter 1 or more")
    for name in HISTORY_FLAGS:
        if v.get(name) is not None and not isinstance(v[name], bool):
            c.add(name, "Answer yes or no")
    for name in HISTORY_DATES:
        value = v.get(name)
        if value is None:
            continue
        if not isinstance(value, dt.date):
            c.add(name, "Enter a date")
        elif value > today:
            c.add(name, "The date must be today or in the past")
        elif value <= person.date_of_birth:
            c.add(name, "The date must be after the date of birth")


def criminal_history_set(
    *, actor: Actor, person: Person, values: dict[str, Any], version: int | None = None
) -> CriminalHistory:
    """Record or change a case's criminal history (the first time without ``version``), then recalculate."""
    require_write(actor)
    reject_unknown(values, HISTORY_FIELDS, "Not a criminal-history field")
    with transaction.atomic():
        record = CriminalHistory.objects.select_for_update().filter(person=person).first()
        merged = {**(snapshot(record, HISTORY_FIELDS) if record else {}), **values}
        c = Collector()
        _check_history(c, person, merged)
        c.raise_if_any()
        if record is None:
            if version is not None:
                raise VersionConflict(0)
            record = CriminalHistory.objects.create(person=person, updated_at=clock.now(), **values)
            audit_record(
                actor=actor,
                action="criminal_history.recorded",
                crn=person.crn,
                entity="criminal_history",
                entity_id=record.pk,
                after=values,
            )
        else:
            if version != record.version:
                raise VersionConflict(record.version)
            before, after = apply_changes(record, values)
            if after:
                record.updated_at = clock.now()
                record.save(update_fields=["updated_at"])
                audit_record(
                    actor=actor,
                    action="criminal_history.updated",
                    crn=person.crn,
                    entity="criminal_history",
                    entity_id=record.pk,
                    before=before,
                    after=after,
                )
        risk_recalculate(actor=actor, person=person)
    return record


def _check_assessment(c: Collector, person: Person, v: dict[str, Any]) -> None:
    if v["completed_date"] > clock.today():
        c.add("completed_date", "The assessment date must be today or in the past")
    elif v["completed_date"] < person.date_of_birth:
        c.add("completed_date", "The assessment date must be after the date of birth")
    if v["layer"] not in cr.ASSESSMENT_LAYERS:
        c.add("layer", "Choose one of: " + ", ".join(cr.ASSESSMENT_LAYERS))
    if v["status"] not in cr.ASSESSMENT_STATUSES:
        c.add("status", "Choose one of: " + ", ".join(cr.ASSESSMENT_STATUSES))
    if v["kind"] not in cr.ASSESSMENT_KINDS:
        c.add("kind", "Choose one of: " + ", ".join(cr.ASSESSMENT_KINDS))
    for name, value in v["answers"].items():
        kind = cr.OASYS_ANSWERS.get(name)
        if kind is None:
            c.add(("answers", name), "Not an OASys answer the risk tools use")
        elif value is None:
            continue
        elif kind == cr.YES_NO and not isinstance(value, bool):
            c.add(("answers", name), "Answer yes (true) or no (false)")
        elif kind == cr.ANSWER and (isinstance(value, bool) or value not in (0, 1, 2)):
            c.add(("answers", name), "Enter 0 (no problems), 1 (some problems) or 2 (significant problems)")
    for name, value in v["section_scores"].items():
        if name not in NEED_SECTIONS:
            c.add(("section_scores", name), "Not an assessment section: one of " + ", ".join(NEED_SECTIONS))
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99):
            c.add(("section_scores", name), "Enter a section score from 0 to 99")


def oasys_assessment_record(
    *,
    actor: Actor,
    person: Person,
    completed_date: dt.date,
    layer: str,
    status: str,
    kind: str = "oasys",
    answers: dict[str, Any] | None = None,
    section_scores: dict[str, Any] | None = None,
) -> OasysAssessment:
    """Record an OASys (or SAN) assessment's date, layer, status and the answers the tools read; recalculate."""
    require_write(actor)
    values: dict[str, Any] = {
        "completed_date": completed_date,
        "layer": layer,
        "status": status,
        "kind": kind,
        "answers": dict(answers or {}),
        "section_scores": dict(section_scores or {}),
    }
    c = Collector()
    _check_assessment(c, person, values)
    c.raise_if_any()
    with transaction.atomic():
        assessment = OasysAssessment.objects.create(person=person, recorded_at=clock.now(), **values)
        audit_record(
            actor=actor,
            action="assessment.recorded",
            crn=person.crn,
            entity="assessment",
            entity_id=assessment.pk,
            after=values,
        )
        risk_recalculate(actor=actor, person=person)
    return assessment


def recorded_score_set(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    value: str,
    source: str,
    effective_date: dt.date,
    notes: str = "",
) -> RecordedScore:
    """Keep a practitioner-entered or imported RSR %, tier or allocation beside the calculated one."""
    staff = require_write(actor)
    value = (value or "").strip()
    c = Collector()
    if kind not in RECORDED_KINDS:
        c.add("kind", "Choose one of: " + ", ".join(RECORDED_KINDS))
    elif kind == "rsr":
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
            c.add("value", "Enter the RSR as a percentage from 0 to 100, like 6.90")
        elif number != number.quantize(Decimal("0.01")):
            c.add("value", "Enter the RSR to at most 2 decimal places")
        else:
            value = str(number.quantize(Decimal("0.01")))
    elif kind == "tier":
        value = value.upper()
        if not TIER_PATTERN.match(value):
            c.add("value", "Enter a tier like B2 (A-D then 0-3, S if unsupervised)")
    elif kind == "allocation" and value not in RECORDED_ALLOCATIONS:
        c.add("value", "Enter one of: " + ", ".join(RECORDED_ALLOCATIONS))
    if not (source or "").strip():
        c.add("source", "Say where the value came from, like 'nDelius import' or 'practitioner'")
    if effective_date > clock.today():
        c.add("effective_date", "The date must be today or in the past")
    c.raise_if_any()
    with transaction.atomic():
        score = RecordedScore.objects.create(
            person=person,
            kind=kind,
            value=value,
            source=source.strip()[:100],
            effective_date=effective_date,
            recorded_at=clock.now(),
            recorded_by=staff.code,
            notes=notes or "",
        )
        audit_record(
            actor=actor,
            action="recorded_score.set",
            crn=person.crn,
            entity="recorded_score",
            entity_id=score.pk,
            after={"kind": kind, "value": value, "source": source, "effective_date": effective_date},
        )
        riskfacts.refresh_cases([person.pk])  # the quality report's row for the case (decision 0030)
    return score


def latest_calculations(person: Person) -> dict[str, RiskCalculation]:
    latest: dict[str, RiskCalculation] = {}
    for calc in RiskCalculation.objects.filter(person=person).order_by("-id"):
        latest.setdefault(calc.tool, calc)
    return latest


def calculation_row(
    person_id: int, outcome: cr.ToolOutcome, *, as_of: dt.date, at: dt.datetime, source: str
) -> RiskCalculation:
    """An unsaved RiskCalculation for an outcome (the headline columns filled in for querying; ``risk.storage``)."""
    return RiskCalculation(
        person_id=person_id,
        tool=outcome.tool,
        status=outcome.status,
        calculated_at=at,
        as_of=as_of,
        policy_version=outcome.policy_version,
        inputs=storage.jsonable(outcome.inputs),
        inputs_digest=storage.inputs_digest(outcome.inputs),
        result=outcome.result,
        result_key=outcome.result_key,
        reasons=list(outcome.reasons),
        score=storage.score_of(outcome.tool, outcome.result if outcome.status == "calculated" else None),
        band=storage.band_of(outcome.tool, outcome.result),
        tier=storage.tier_of(outcome.result),
        source=source,
    )


def risk_recalculate(
    *, actor: Actor | None, person: Person, as_of: dt.date | None = None, source: str = "record"
) -> list[RiskCalculation]:
    """Calculate every tool from the record and store the ones whose inputs or policy version changed.

    Called by the services that change the inputs, inside their transaction; safe to call again (a second call
    with nothing changed stores nothing). Keeps ``Person.tier`` in step with the newest tier calculation, and counts
    the change for ``openprobation recompute`` (``risk.changes``: the next run calculates the case again).
    """
    as_of = as_of or clock.today()
    outcomes = cr.row_calculate(case_row(person, as_of), as_of)
    with transaction.atomic():
        record_changed(person.pk)
        latest = latest_calculations(person)
        at = clock.now()
        new = [
            calculation_row(person.pk, o, as_of=as_of, at=at, source=source)
            for tool, o in outcomes.items()
            if tool not in latest
            or latest[tool].inputs_digest != storage.inputs_digest(o.inputs)
            or latest[tool].policy_version != o.policy_version
        ]
        RiskCalculation.objects.bulk_create(new)
        tier_outcome = outcomes["tier"]
        tier = str(tier_outcome.result["tier"]) if tier_outcome.result else ""
        if Person.objects.filter(pk=person.pk).exclude(tier=tier).update(tier=tier):
            person.tier = tier
        if new:
            audit_record(
                actor=actor,
                action="risk.calculated",
                crn=person.crn,
                entity="person",
                entity_id=person.pk,
                after={c.tool: c.result_key for c in new},
                reason=source,
            )
        riskfacts.refresh_cases([person.pk])  # the quality report's row: calculations, registrations (decision 0030)
    return new
