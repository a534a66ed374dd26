"""Safeguarding enquiries and the RoSH assessment sign-off. One transaction each, audited.

An enquiry is requested (which completes the matching check work item), chased as often as needed, answered,
and then either used in a RoSH assessment or closed with a reason. While an answer has been received but not used,
a RoSH assessment cannot be completed unless a senior probation officer records an exception with a reason: the
inspectorate found answers that arrived and were never read into the assessment.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, PermissionDenied, ValidationFailed
from openprobation.core.records import check_lengths
from openprobation.organisation.choices import Role
from openprobation.people.access import Actor, can_write, has_role, require_role, require_write
from openprobation.people.models import Person, Relationship
from openprobation.risk import selectors as risk_selectors
from openprobation.risk import services as risk_services
from openprobation.rules.dates import long_date
from openprobation.rules.registrations import rosh_codes
from openprobation.rules.timescales import ItemKind, Trigger
from openprobation.safeguarding.choices import (
    OPEN_CHECK_STATUSES,
    RATED_KINDS,
    Agency,
    AssessmentKind,
    AssessmentStatus,
    CheckStatus,
    RiskGroup,
    RoshLevel,
)
from openprobation.safeguarding.models import RoshAssessment, SafeguardingChase, SafeguardingCheck
from openprobation.workitems import generate

MAX_TEXT = 20000
EARLIEST_DATE = dt.date(1900, 1, 1)
# A reply is due within the local protocol (10 working days by default); a due date more than a year after the
# request is a typing mistake, not a protocol.
MAX_REPLY_DAYS = 365
CHECK_ITEM_KIND: dict[str, ItemKind] = {
    Agency.POLICE_DA: ItemKind.POLICE_DA_CHECK,
    Agency.CHILDRENS_SERVICES: ItemKind.CHILDRENS_SERVICES_CHECK,
}
ASSESSMENT_ITEM_KIND: dict[str, ItemKind] = {
    AssessmentKind.SCREENING: ItemKind.ROSH_SCREENING,
    AssessmentKind.FULL_ANALYSIS: ItemKind.ROSH_FULL_ANALYSIS,
    AssessmentKind.REVIEW: ItemKind.ROSH_REVIEW,
}


def _check_text(c: Collector, path: str, value: str, label: str, *, required: bool) -> None:
    if required and not value.strip():
        c.add(path, f"Enter {label}")
    elif len(value) > MAX_TEXT:
        c.add(path, f"{label[0].upper()}{label[1:]} must be {MAX_TEXT} characters or fewer")


def _not_in_future(c: Collector, path: str, value: dt.date, label: str) -> None:
    if value > clock.today():
        c.add(path, f"The {label} must be today or in the past")


def _locked_check(person: Person, check_id: int) -> SafeguardingCheck:
    check = SafeguardingCheck.objects.select_for_update().filter(person=person, pk=check_id).first()
    if check is None:
        raise NotFound(f"No safeguarding enquiry {check_id} on case {person.crn}")
    return check


def _require_status(check: SafeguardingCheck, allowed: tuple[str, ...], doing: str) -> None:
    if check.status not in allowed:
        raise ValidationFailed.single(
            "status",
            f"This enquiry is {check.get_status_display().lower()}, so you cannot {doing}: nothing was changed",
        )


def safeguarding_check_request(
    *,
    actor: Actor,
    person: Person,
    agency: str,
    requested_on: dt.date,
    subject_id: int | None = None,
    due_by: dt.date | None = None,
    agency_name: str = "",
    notes: str = "",
) -> SafeguardingCheck:
    """Record that an enquiry was sent. The reply is due ``due_by`` (by default the local reply protocol, a number
    of working days after the request); the matching open check work item is done."""
    staff = require_write(actor)
    c = Collector()
    if agency not in Agency.values:
        c.add("agency", f"Choose the agency: one of {', '.join(Agency.values)}")
    if agency == Agency.OTHER:
        _check_text(c, "agency_name", agency_name, "the name of the agency", required=True)
    elif agency_name.strip():
        c.add("agency_name", "Only another agency has a name here: leave it blank for this agency")
    if len(agency_name) <= MAX_TEXT:  # (longer has been reported)
        check_lengths(c, SafeguardingCheck, {"agency_name": agency_name.strip()},
                      {"agency_name": "the name of the agency"})  # fmt: skip
    requested_ok = requested_on >= EARLIEST_DATE
    if not requested_ok:
        c.add("requested_on", f"The date of the request must be on or after {long_date(EARLIEST_DATE)}")
    elif requested_on > clock.today():
        requested_ok = False
        c.add("requested_on", "The date of the request must be today or in the past")
    _check_text(c, "notes", notes, "notes", required=False)
    subject = None
    if subject_id is not None:
        subject = Relationship.objects.filter(person=person, pk=subject_id).first()
        if subject is None:
            c.add("subject_id", f"No relationship {subject_id} on case {person.crn}: choose someone in the household")
    if due_by is None:
        if requested_ok:
            due_by = generate.calendar().add_working_days(requested_on, settings.SAFEGUARDING_REPLY_WORKING_DAYS)
    elif due_by < requested_on:
        c.add("due_by", "The reply due date must be the same as or after the date of the request")
    elif due_by > requested_on + dt.timedelta(days=MAX_REPLY_DAYS):
        c.add("due_by", f"The reply due date must be within {MAX_REPLY_DAYS} days of the date of the request")
    c.raise_if_any()
    assert due_by is not None
    with transaction.atomic():
        check = SafeguardingCheck.objects.create(
            person=person,
            agency=agency,
            agency_name=agency_name.strip(),
            subject=subject,
            requested_on=requested_on,
            due_by=due_by,
            requested_by=staff,
            notes=notes,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="safeguarding_check.requested",
            crn=person.crn,
            entity="safeguarding_check",
            entity_id=check.pk,
            after={"agency": agency, "subject_id": subject_id, "requested_on": requested_on, "due_by": due_by},
        )
        kind = CHECK_ITEM_KIND.get(agency)
        if kind is not None:
            generate.close_open_items(
                actor=actor,
                person=person,
                kinds=[kind],
                on=requested_on,
                note=f"Enquiry {check.pk} requested on {long_date(requested_on)}",
                relationship=subject,
            )
    return check


def safeguarding_check_chase(
    *, actor: Actor, person: Person, check_id: int, chased_on: dt.date, notes: str = ""
) -> SafeguardingChase:
    """Record a chase of an unanswered enquiry (each chase is kept)."""
    staff = require_write(actor)
    c = Collector()
    _not_in_future(c, "chased_on", chased_on, "date of the chase")
    _check_text(c, "notes", notes, "notes", required=False)
    c.raise_if_any()
    with transaction.atomic():
        check = _locked_check(person, check_id)
        _require_status(check, (CheckStatus.AWAITING_RESPONSE,), "chase it")
        if chased_on < check.requested_on:
            raise ValidationFailed.single(
                "chased_on", f"The chase must be on or after the date of the request ({long_date(check.requested_on)})"
            )
        chase = SafeguardingChase.objects.create(
            enquiry=check, chased_on=chased_on, chased_by=staff, notes=notes, created_at=clock.now()
        )
        audit_record(
            actor=actor,
            action="safeguarding_check.chased",
            crn=person.crn,
            entity="safeguarding_check",
            entity_id=check.pk,
            after={"chased_on": chased_on},
            reason=notes,
        )
    return chase


def safeguarding_check_record_response(
    *, actor: Actor, person: Person, check_id: int, received_on: dt.date, summary: str
) -> SafeguardingCheck:
    """Record the agency's answer. It must then be used in a RoSH assessment (or the enquiry closed)."""
    require_write(actor)
    c = Collector()
    _not_in_future(c, "received_on", received_on, "date the response was received")
    _check_text(c, "summary", summary, "a summary of the response", required=True)
    c.raise_if_any()
    with transaction.atomic():
        check = _locked_check(person, check_id)
        _require_status(check, (CheckStatus.AWAITING_RESPONSE,), "record a response")
        if received_on < check.requested_on:
            raise ValidationFailed.single(
                "received_on",
                f"The response cannot be received before the request was made ({long_date(check.requested_on)})",
            )
        check.status = CheckStatus.RESPONSE_RECEIVED
        check.response_received_on = received_on
        check.response_summary = summary.strip()
        check.save(update_fields=["status", "response_received_on", "response_summary"])
        audit_record(
            actor=actor,
            action="safeguarding_check.response_recorded",
            crn=person.crn,
            entity="safeguarding_check",
            entity_id=check.pk,
            before={"status": CheckStatus.AWAITING_RESPONSE},
            after={"status": check.status, "response_received_on": received_on},
        )
    return check


def safeguarding_check_mark_used(
    *, actor: Actor, person: Person, check_id: int, assessment_id: int
) -> SafeguardingCheck:
    """Link a received response to the RoSH assessment that takes it into account: one not yet complete (a draft),
    since a completed assessment was signed off without it."""
    require_write(actor)
    with transaction.atomic():
        check = _locked_check(person, check_id)
        _require_status(check, (CheckStatus.RESPONSE_RECEIVED,), "mark it used in an assessment")
        # Locked, so the assessment cannot be completed between this check and the link.
        assessment = RoshAssessment.objects.select_for_update().filter(person=person, pk=assessment_id).first()
        if assessment is None:
            raise ValidationFailed.single("assessment_id", f"No RoSH assessment {assessment_id} on case {person.crn}")
        if assessment.status != AssessmentStatus.DRAFT:
            when = f" on {long_date(assessment.completed_on)}" if assessment.completed_on else ""
            raise ValidationFailed.single(
                "assessment_id",
                f"This {assessment.get_kind_display()} was completed{when}, so a response cannot be used in it: "
                "choose an assessment that is not yet complete, or start one. Nothing was changed",
            )
        check.status = CheckStatus.USED_IN_ASSESSMENT
        check.used_in = assessment
        check.save(update_fields=["status", "used_in"])
        audit_record(
            actor=actor,
            action="safeguarding_check.used_in_assessment",
            crn=person.crn,
            entity="safeguarding_check",
            entity_id=check.pk,
            before={"status": CheckStatus.RESPONSE_RECEIVED},
            after={"status": check.status, "assessment_id": assessment.pk},
        )
    return check


def safeguarding_check_closable(*, actor: Actor | None, status: str) -> bool:
    """Whether ``actor`` may close an enquiry in this status: the rule ``safeguarding_check_close`` applies, for
    pages to offer the action only where it can succeed."""
    if status not in OPEN_CHECK_STATUSES or not can_write(actor):
        return False
    return status != CheckStatus.RESPONSE_RECEIVED or has_role(actor, Role.SPO)


def safeguarding_check_close(*, actor: Actor, person: Person, check_id: int, reason: str) -> SafeguardingCheck:
    """Close an enquiry that will not be used (no longer needed, or the answer is not relevant), saying why.

    Closing one whose response has been received but not used lets a RoSH assessment be signed off without it,
    which is the SPO's exception by another name: only a senior probation officer may do that."""
    require_write(actor)
    c = Collector()
    _check_text(c, "reason", reason, "why the enquiry is being closed", required=True)
    c.raise_if_any()
    with transaction.atomic():
        check = _locked_check(person, check_id)
        _require_status(check, OPEN_CHECK_STATUSES, "close it")
        if check.status == CheckStatus.RESPONSE_RECEIVED:
            try:
                require_role(actor, Role.SPO)
            except PermissionDenied as denied:
                raise PermissionDenied(
                    "Only a senior probation officer can close an enquiry whose response has been received but not "
                    "used in the risk assessment"
                ) from denied
        before = check.status
        check.status = CheckStatus.CLOSED
        check.closed_on = clock.today()
        check.close_reason = reason.strip()
        check.save(update_fields=["status", "closed_on", "close_reason"])
        audit_record(
            actor=actor,
            action="safeguarding_check.closed",
            crn=person.crn,
            entity="safeguarding_check",
            entity_id=check.pk,
            before={"status": before},
            after={"status": check.status},
            reason=check.close_reason,
        )
    return check


# ---- RoSH assessment ----------------------------------------------------------------------------------------


def rosh_assessment_start(*, actor: Actor, person: Person, kind: str) -> RoshAssessment:
    """Start a RoSH screening, full analysis or review (a draft until completed)."""
    staff = require_write(actor)
    if kind not in AssessmentKind.values:
        raise ValidationFailed.single("kind", f"Choose the assessment: one of {', '.join(AssessmentKind.values)}")
    with transaction.atomic():
        assessment = RoshAssessment.objects.create(person=person, kind=kind, started_by=staff, started_at=clock.now())
        audit_record(
            actor=actor,
            action="rosh_assessment.started",
            crn=person.crn,
            entity="rosh_assessment",
            entity_id=assessment.pk,
            after={"kind": kind, "status": assessment.status},
        )
    return assessment


def rosh_assessment_complete(
    *,
    actor: Actor,
    person: Person,
    assessment_id: int,
    completed_on: dt.date | None = None,
    indicates_risk: bool | None = None,
    exception_reason: str = "",
    rosh_level: str = "",
    risk_to: list[str] | None = None,
) -> RoshAssessment:
    """Sign off a RoSH assessment. Refused while a safeguarding response has been received but not used, unless a
    senior probation officer records an exception with a reason. A screening says whether it indicates risk (then
    a full analysis and a risk management plan are due); a full analysis or review records the RoSH level and who
    is at risk, and the case's RoSH registration follows that level. The matching assessment work item is done."""
    staff = require_write(actor)
    completed_on = completed_on or clock.today()
    exception_reason = (exception_reason or "").strip()
    risk_to = list(risk_to or [])
    with transaction.atomic():
        assessment = RoshAssessment.objects.select_for_update().filter(person=person, pk=assessment_id).first()
        if assessment is None:
            raise NotFound(f"No RoSH assessment {assessment_id} on case {person.crn}")
        c = Collector()
        if assessment.status != AssessmentStatus.DRAFT:
            c.add("status", "This assessment is already complete: nothing was changed")
        _not_in_future(c, "completed_on", completed_on, "completion date")
        started_on = timezone.localdate(assessment.started_at)
        if completed_on < started_on:
            c.add("completed_on", f"The completion date must be on or after the day it was started, "
                                  f"{long_date(started_on)}")  # fmt: skip
        if assessment.kind == AssessmentKind.SCREENING and indicates_risk is None:
            c.add("indicates_risk", "Say whether the screening indicates a risk that needs a full analysis")
        if assessment.kind in RATED_KINDS:
            if rosh_level not in RoshLevel.values:
                c.add("rosh_level", "Choose the RoSH level: low, medium, high or very high")
            if not risk_to:
                c.add("risk_to", "Choose who is at risk of serious harm")
            elif unknown := sorted(set(risk_to) - set(RiskGroup.values)):
                c.add("risk_to", f"Unknown group at risk: {', '.join(unknown)}; use {', '.join(RiskGroup.values)}")
        elif rosh_level or risk_to:
            c.add("rosh_level", "A screening records whether a full analysis is needed, not a RoSH level")
        c.raise_if_any()
        unused = list(
            SafeguardingCheck.objects.filter(person=person, status=CheckStatus.RESPONSE_RECEIVED).order_by("pk")
        )
        if unused and not exception_reason:
            which = ", ".join(
                f"{u.get_agency_display()} (received {long_date(u.response_received_on)})"  # type: ignore[arg-type]
                for u in unused
            )
            raise ValidationFailed.single(
                "safeguarding_checks",
                f"Safeguarding responses received but not yet used in the assessment: {which}. Mark each one used "
                "in this assessment, or a senior probation officer must record an exception with a reason",
            )
        if exception_reason:
            if not unused:
                raise ValidationFailed.single(
                    "exception_reason", "No exception is needed: every safeguarding response received has been used"
                )
            if staff.role != Role.SPO:
                raise PermissionDenied(
                    "Only a senior probation officer can record an exception to complete this "
                    "assessment with safeguarding responses not yet used"
                )
            assessment.exception_reason = exception_reason
            assessment.exception_by = staff
        assessment.status = AssessmentStatus.COMPLETE
        assessment.completed_on = completed_on
        assessment.completed_by = staff
        assessment.indicates_risk = indicates_risk
        assessment.rosh_level = rosh_level
        assessment.risk_to = sorted(set(risk_to), key=RiskGroup.values.index)
        assessment.save()
        audit_record(
            actor=actor,
            action="rosh_assessment.completed",
            crn=person.crn,
            entity="rosh_assessment",
            entity_id=assessment.pk,
            before={"status": AssessmentStatus.DRAFT},
            after={
                "status": assessment.status,
                "completed_on": completed_on,
                "indicates_risk": indicates_risk,
                "rosh_level": rosh_level,
                "risk_to": assessment.risk_to,
                "unused_checks": [u.pk for u in unused],
            },
            reason=exception_reason,
        )
        generate.close_open_items(
            actor=actor,
            person=person,
            kinds=[ASSESSMENT_ITEM_KIND[assessment.kind]],
            on=completed_on,
            note=f"{assessment.get_kind_display()} {assessment.pk} completed",
            any_relationship=True,
        )
        if assessment.kind == AssessmentKind.SCREENING and indicates_risk:
            generate.work_items_generate_for(
                actor=actor, trigger=Trigger.ROSH_SCREENING_INDICATES_RISK, person=person, occurred_on=completed_on
            )
        if rosh_level:
            _rosh_registration_follows(actor, person, assessment)
    return assessment


def _rosh_registration_follows(actor: Actor, person: Person, assessment: RoshAssessment) -> None:
    """The case's RoSH registration says what the newest full analysis or review found: any active RoSH
    registration at another level is ended on the day it was completed and one at the new level added (with the
    registration's own work and recalculation), all in the same transaction as the assessment."""
    assert assessment.completed_on is not None
    levels = rosh_codes()  # nDelius code -> level
    code_for = {level: code for code, level in levels.items()}
    active = [r for r in risk_selectors.registration_list(person=person, active_only=True) if r.code in levels]
    if active and levels[active[0].code] == assessment.rosh_level:
        return
    note = f"From the {assessment.get_kind_display()} completed on {long_date(assessment.completed_on)}"
    for registration in active:
        risk_services.registration_update(
            actor=actor, person=person, registration_id=registration.pk, version=registration.version,
            changes={"end_date": max(assessment.completed_on, registration.start_date),
                     "notes": f"{registration.notes}\n{note}".strip()},
        )  # fmt: skip
    risk_services.registration_add(
        actor=actor, person=person, code=code_for[assessment.rosh_level], start_date=assessment.completed_on,
        notes=note,
    )  # fmt: skip
