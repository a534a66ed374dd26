"""Enforcement in the API: the decisions on failures to comply and the compliance summary.

``GET /api/v1/people/{crn}/enforcement-decisions`` lists a case's decisions (awaiting first), each with its evidence
(the contact) and the work item that times it; ``POST .../{id}/decision`` records one, once;
``GET /api/v1/people/{crn}/compliance`` gives the compliance summary; ``POST .../{id}/warning-letter`` generates a
warning's letter (PDF). ``/people/{crn}/breaches`` and ``/breaches/{id}`` read a case's breaches with their steps,
clocks and report; the steps are posted to ``.../report``, ``.../report/check``, ``.../approval`` (SPO),
``.../referral-acceptance``, ``.../sent``, ``.../presented`` and ``.../outcome``; ``.../report.pdf`` is the report.
See docs/enforcement.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from openprobation.api.schemas import In, StrictBool, Text, Version
from openprobation.core import clock
from openprobation.enforcement import breaches
from openprobation.enforcement import selectors as enforcement_selectors
from openprobation.enforcement import services as enforcement_services
from openprobation.enforcement.choices import BreachOutcome, EnforcementAction, WarningLetterType
from openprobation.people import selectors as people_selectors
from openprobation.rules.breach import SECTION_KEYS

router = Router(tags=["enforcement"])


def _person(request: HttpRequest, crn: str) -> Any:
    return people_selectors.person_get(actor=request.user, crn=crn)


class EvidenceOut(Schema):
    contact_id: int
    type: str
    date: dt.datetime
    outcome: str
    notes: str
    requirement: str | None = Field(description="The requirement the appointment delivers (unpaid_work, rar, ...), "
                                                "none for the order as a whole")
    requirement_id: int | None


class EnforcementDecisionOut(Schema):
    id: int
    status: str = Field(description="awaiting (a decision is owed) or decided")
    failed_on: dt.date = Field(description="The day of the failure to comply (the contact's local date)")
    failure_outcome: str = Field(description="attended_failed_to_comply or failed_to_attend_unacceptable")
    evidence: EvidenceOut = Field(description="The contact recording the failure")
    event_number: int | None
    work_item_id: int | None = Field(description="The enforcement_decision work item that times the decision")
    due_date: dt.date | None = Field(description="When the decision is due (the work item's due date)")
    acceptable: bool | None
    action: str = Field(description="no_further_action, warning or breach (on licence, recall initiated); empty while "
                                    "awaiting")
    warning_type: str = Field(description="first, second or final, for a warning")
    reason: str
    decided_on: dt.date | None
    decided_by: str | None = Field(description="Staff code")
    warnings_before: int | None = Field(description="Warnings given in the counting period before this decision")
    policy_version: str
    breach_id: int | None
    version: int

    @staticmethod
    def resolve_evidence(obj: Any) -> dict[str, Any]:
        c = obj.contact
        requirement = c.requirement
        return {"contact_id": c.pk, "type": c.type, "date": c.date, "outcome": c.outcome, "notes": c.notes,
                "requirement": requirement.type if requirement is not None else None,
                "requirement_id": c.requirement_id}  # fmt: skip

    @staticmethod
    def resolve_event_number(obj: Any) -> int | None:
        return obj.event.number if obj.event is not None else None

    @staticmethod
    def resolve_due_date(obj: Any) -> dt.date | None:
        return obj.work_item.due_date if obj.work_item is not None else None

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.code if obj.decided_by is not None else None


class DecisionIn(In):
    version: Version
    acceptable: StrictBool = Field(description="Whether the failure to comply was acceptable")
    action: EnforcementAction = Field(
        description="Acceptable: no_further_action. Unacceptable: warning, or breach (on licence, recall initiated). "
        "Once the warnings the policy allows in the counting period have been given (policy data, "
        "enforcement-1: one), only breach. A breach starts the clock to court (breach_to_court work item)."
    )
    warning_type: WarningLetterType | None = Field(
        None, description="For a warning: first (no warning yet in the period), second (after one) or final"
    )
    reason: Text = Field(description="Why: the reasons the person gave and why they were or were not accepted")
    decided_on: dt.date | None = Field(None, description="Default today; not before the failure nor in the future")


class ComplianceOut(Schema):
    counted_from: dt.date = Field(description="The latest of 12 months ago, the sentence start, the referral and the "
                                              "end of the last breach")
    failures_to_comply: int = Field(description="Distinct days with a failure to comply since counted_from")
    breach_in_progress: bool
    breach_started_on: dt.date | None
    summary: str = Field(description="The compliance banner's words")
    warnings_given: int
    next_unacceptable_failure: str = Field(description="warning_or_breach or breach, under the policy")
    decisions_awaiting: int
    policy_version: str


@router.get(
    "/people/{crn}/enforcement-decisions",
    response=list[EnforcementDecisionOut],
    summary="A case's enforcement decisions on failures to comply, awaiting first",
)
def decision_list(request: HttpRequest, crn: str) -> Any:
    return list(enforcement_selectors.enforcement_decision_list(person=_person(request, crn)))


@router.get("/people/{crn}/enforcement-decisions/{decision_id}", response=EnforcementDecisionOut,
            summary="One enforcement decision")  # fmt: skip
def decision_get(request: HttpRequest, crn: str, decision_id: int) -> Any:
    return enforcement_selectors.enforcement_decision_get(person=_person(request, crn), decision_id=decision_id)


@router.post(
    "/people/{crn}/enforcement-decisions/{decision_id}/decision",
    response=EnforcementDecisionOut,
    summary="Decide a failure to comply (once): acceptable, or unacceptable with a warning or a breach",
)
def decision_record(request: HttpRequest, crn: str, decision_id: int, payload: DecisionIn) -> Any:
    person = _person(request, crn)
    data = payload.model_dump()
    data["warning_type"] = data["warning_type"] or ""
    enforcement_services.enforcement_decision_record(actor=request.user, person=person, decision_id=decision_id,
                                                     **data)  # fmt: skip
    return enforcement_selectors.enforcement_decision_get(person=person, decision_id=decision_id)


@router.get("/people/{crn}/compliance", response=ComplianceOut, summary="A case's compliance summary")
def compliance(request: HttpRequest, crn: str) -> dict[str, Any]:
    status = enforcement_selectors.compliance_status(person=_person(request, crn), now=clock.now())
    return {
        "counted_from": status.counted_from,
        "failures_to_comply": status.failures,
        "breach_in_progress": status.breach_in_progress,
        "breach_started_on": status.breach.started_on if status.breach is not None else None,
        "summary": status.banner.text,
        "warnings_given": status.warnings_given,
        "next_unacceptable_failure": "breach" if status.next_failure.breach_required else "warning_or_breach",
        "decisions_awaiting": status.awaiting,
        "policy_version": status.policy_version,
    }


# ---- breaches ---------------------------------------------------------------------------------------------------


class StepOut(Schema):
    step: str = Field(description="aware, decided, referral_accepted (a CRC's referral, 2014-2021), report_drafted, "
                                  "report_checked, approved, sent, presented, outcome")
    label: str
    at: dt.datetime | dt.date | None = Field(description="When the step was recorded (a day, or a time for the "
                                                         "report's steps and approval); null while still to come")


class ProblemOut(Schema):
    section: str = Field(description="A section key, 'cited' (the failures cited) or 'dates'")
    message: str


class ReportOut(Schema):
    version: int
    report_date: dt.date
    author: str = Field(description="Staff code")
    sections: dict[str, str] = Field(description="how_told, reasons, steps_taken, compliance_to_date, risk_history, "
                                                 "proposal")
    cited: list[int] = Field(description="The enforcement decisions (failures to comply) the report cites")
    checked_version: int = Field(description="The version the latest check ran on (0: never checked)")
    check_passed: bool
    problems: list[ProblemOut] = Field(description="What the latest check found, for the author")


class ClockOut(Schema):
    kind: str
    due_date: dt.date
    text: str
    overdue: bool


class BreachOut(Schema):
    id: int
    event_number: int | None
    aware_on: dt.date
    started_on: dt.date
    in_progress: bool
    outcome: str
    ended_on: dt.date | None
    approved_by: str | None
    override_reason: str
    steps: list[StepOut]
    clocks: list[ClockOut] = Field(description="The breach's clocks still running (to court; the referral, "
                                               "2014-2021), with their countdown")
    failures: list[int] = Field(description="The enforcement decisions that started or joined the breach")
    report: ReportOut | None
    version: int


def _breach_out(person: Any, breach: Any) -> dict[str, Any]:
    view = enforcement_selectors.breach_view(person=person, breach=breach, now=clock.now())
    report = view.report
    return {
        "id": breach.pk, "event_number": breach.event.number if breach.event is not None else None,
        "aware_on": breach.aware_on, "started_on": breach.started_on, "in_progress": breach.ended_on is None,
        "outcome": breach.outcome, "ended_on": breach.ended_on,
        "approved_by": breach.approved_by.code if breach.approved_by is not None else None,
        "override_reason": breach.override_reason,
        "steps": [{"step": s["step"], "label": s["label"], "at": s["at"]} for s in view.steps],
        "clocks": [{"kind": c.kind, "due_date": c.due_date, "text": c.countdown.text, "overdue": c.countdown.overdue}
                   for c in view.clocks],
        "failures": [d.pk for d in view.decisions],
        "report": None if report is None else {
            "version": report.version, "report_date": report.report_date, "author": report.author.code,
            "sections": {key: getattr(report, key) for key in SECTION_KEYS}, "cited": list(report.cited),
            "checked_version": report.checked_version, "check_passed": report.check_passed,
            "problems": report.problems,
        },
        "version": breach.version,
    }  # fmt: skip


def _after_step(request: HttpRequest, crn: str, breach_id: int, step: Callable[..., Any], **fields: Any) -> Any:
    """Take one step of a breach through its service, then return the breach as it now stands."""
    person = _person(request, crn)
    step(actor=request.user, person=person, breach_id=breach_id, **fields)
    return _breach_out(person, enforcement_selectors.breach_get(person=person, breach_id=breach_id))


class ReportIn(In):
    version: int | None = Field(None, description="The report's version you read; null to start the draft")
    sections: dict[str, Text] = Field(description="Any of how_told, reasons, steps_taken, compliance_to_date, "
                                                  "risk_history, proposal (up to 8,000 characters each)")
    cited: list[int] = Field(description="The enforcement decisions (failures to comply) the report cites")


class CheckIn(In):
    version: Version = Field(description="The report's version to check (a stale one gets 409)")


class ApproveIn(In):
    version: Version
    override_reason: Text = Field("", description="Required when the report's check did not pass: why it is "
                                                  "approved all the same")


class StepIn(In):
    version: Version
    on: dt.date | None = Field(None, description="Default today; not before the step before it, nor in the future")


class OutcomeIn(StepIn):
    outcome: BreachOutcome = Field(description="What the court decided, or withdrawn (at any point)")


@router.get("/people/{crn}/breaches", response=list[BreachOut], summary="A case's breaches, the one in progress first")
def breach_list(request: HttpRequest, crn: str) -> Any:
    person = _person(request, crn)
    return [_breach_out(person, b) for b in enforcement_selectors.breach_list(person=person)]


@router.get("/people/{crn}/breaches/{breach_id}", response=BreachOut, summary="One breach: its steps, clock and report")
def breach_get(request: HttpRequest, crn: str, breach_id: int) -> Any:
    person = _person(request, crn)
    return _breach_out(person, enforcement_selectors.breach_get(person=person, breach_id=breach_id))


@router.post("/people/{crn}/breaches/{breach_id}/report", response=BreachOut,
             summary="Save the breach report's draft (until it is approved); any change means checking it again")
def breach_report_save(request: HttpRequest, crn: str, breach_id: int, payload: ReportIn) -> Any:
    return _after_step(request, crn, breach_id, breaches.breach_report_save,
                       version=payload.version, sections=payload.sections, cited=payload.cited)


@router.post("/people/{crn}/breaches/{breach_id}/report/check", response=BreachOut,
             summary="Run the pre-submission check on the report as it stands; its problems are listed in the report")
def breach_report_check(request: HttpRequest, crn: str, breach_id: int, payload: CheckIn) -> Any:
    return _after_step(request, crn, breach_id, breaches.breach_report_check, version=payload.version)


@router.get("/people/{crn}/breaches/{breach_id}/report.pdf", summary="The breach report as a PDF, from the record",
            response={200: None})  # fmt: skip
def breach_report_pdf(request: HttpRequest, crn: str, breach_id: int) -> HttpResponse:
    document = breaches.breach_report_document(person=_person(request, crn), breach_id=breach_id)
    return _pdf(document)


def _pdf(document: Any) -> HttpResponse:
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@router.post("/people/{crn}/breaches/{breach_id}/approval", response=BreachOut,
             summary="The SPO approves the report: only one that passed its check, or with an override reason")
def breach_approve(request: HttpRequest, crn: str, breach_id: int, payload: ApproveIn) -> Any:
    return _after_step(request, crn, breach_id, breaches.breach_approve,
                       version=payload.version, override_reason=payload.override_reason)


@router.post("/people/{crn}/breaches/{breach_id}/referral-acceptance", response=BreachOut,
             summary="The NPS accepts a CRC's breach referral (2014-2021): 2 working days to court from then")
def breach_referral_accept(request: HttpRequest, crn: str, breach_id: int, payload: StepIn) -> Any:
    return _after_step(request, crn, breach_id, breaches.breach_referral_accept, version=payload.version, on=payload.on)


@router.post("/people/{crn}/breaches/{breach_id}/sent", response=BreachOut,
             summary="The approved breach sent to court")
def breach_send(request: HttpRequest, crn: str, breach_id: int, payload: StepIn) -> Any:
    return _after_step(request, crn, breach_id, breaches.breach_send, version=payload.version, on=payload.on)


@router.post("/people/{crn}/breaches/{breach_id}/presented", response=BreachOut,
             summary="The breach presented at court (its clock to court closes)")
def breach_present(request: HttpRequest, crn: str, breach_id: int, payload: StepIn) -> Any:
    return _after_step(request, crn, breach_id, breaches.breach_present, version=payload.version, on=payload.on)


@router.post("/people/{crn}/breaches/{breach_id}/outcome", response=BreachOut,
             summary="The breach's outcome: it ends, and the compliance count starts again from that day")
def breach_outcome(request: HttpRequest, crn: str, breach_id: int, payload: OutcomeIn) -> Any:
    return _after_step(request, crn, breach_id, breaches.breach_outcome_record,
                       version=payload.version, outcome=payload.outcome, on=payload.on)


@router.post("/people/{crn}/enforcement-decisions/{decision_id}/warning-letter", response={200: None},
             summary="Generate the warning letter of a warning (PDF, from the record); the first is recorded")
def warning_letter(request: HttpRequest, crn: str, decision_id: int) -> HttpResponse:
    document = breaches.warning_letter_generate(actor=request.user, person=_person(request, crn),
                                                decision_id=decision_id)  # fmt: skip
    return _pdf(document)
