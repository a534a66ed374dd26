"""Enforcement in the API: the decisions on failures to comply and the compliance summary.

``GET /api/v1/people/{crn}/enforcement-decisions`` lists a case's decisions (awaiting first), each with its evidence
(the contact) and the work item that times it; ``POST .../{id}/decision`` records one, once;
``GET /api/v1/people/{crn}/compliance`` gives the compliance summary. See docs/enforcement.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from openprobation.api.schemas import In, StrictBool, Text, Version
from openprobation.core import clock
from openprobation.enforcement import selectors as enforcement_selectors
from openprobation.enforcement import services as enforcement_services
from openprobation.enforcement.choices import EnforcementAction, WarningLetterType
from openprobation.people import selectors as people_selectors

router = Router(tags=["enforcement"])


def _person(request: HttpRequest, crn: str) -> Any:
    return people_selectors.person_get(actor=request.user, crn=crn)


class EvidenceOut(Schema):
    contact_id: int
    type: str
    date: dt.datetime
    outcome: str
    notes: str


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
        return {"contact_id": c.pk, "type": c.type, "date": c.date, "outcome": c.outcome, "notes": c.notes}

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
