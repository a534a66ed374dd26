"""Risk escalation in the API: the request with its evidence (gathered from the record when it is made and stored),
and the receiving manager's decision. The same services as the pages (``escalation.services``): the same checks,
the same audit. See docs/recall.md, "Risk escalation".

``GET /api/v1/people/{crn}/risk-escalations`` lists a case's escalations; ``POST`` requests one;
``GET .../{id}`` reads one; ``POST .../{id}/decision`` (the SPO) accepts or declines it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from openprobation.api.schemas import In, Text, Version
from openprobation.escalation import selectors as escalation_selectors
from openprobation.escalation import services as escalation_services
from openprobation.escalation.choices import EscalationDecision, EscalationTarget
from openprobation.people import selectors as people_selectors

router = Router(tags=["risk escalation"])


def _person(request: HttpRequest, crn: str) -> Any:
    return people_selectors.person_get(actor=request.user, crn=crn)


def _code(staff: Any) -> str | None:
    return staff.code if staff is not None else None


class EscalationOut(Schema):
    id: int
    target: str = Field(description="probation_officer, mappa_level_2, mappa_level_3 or nps (the CRC to NPS "
                                    "referral, 2014-2021 only)")  # fmt: skip
    status: str = Field(description="awaiting_review, accepted or declined")
    requested_by: str | None
    requested_at: dt.datetime
    reason: str
    receiving_team: str
    holder: str | None = Field(description="Who held the case when it was asked")
    holder_grade: str
    evidence: dict[str, Any] = Field(description="Gathered from the record when the escalation was requested and "
                                                 "never changed: baseline, current, changes, registrations, "
                                                 "contacts, assessments, rosh_assessments, scores")  # fmt: skip
    review_due_date: dt.date | None = Field(description="The review clock (the risk_escalation_review work item)")
    review_policy_version: str | None
    decision: str
    decision_reason: str
    decided_by: str | None
    decided_at: dt.datetime | None
    moved_to: str | None = Field(description="The probation officer the case moved to, when accepted")
    mappa_registration_id: int | None = Field(description="The MAPPA registration made, when accepted")
    version: int

    @staticmethod
    def resolve_requested_by(obj: Any) -> str | None:
        return _code(obj.requested_by)

    @staticmethod
    def resolve_receiving_team(obj: Any) -> str:
        return str(obj.receiving_team.code)

    @staticmethod
    def resolve_holder(obj: Any) -> str | None:
        return _code(obj.holder)

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return _code(obj.decided_by)

    @staticmethod
    def resolve_moved_to(obj: Any) -> str | None:
        return _code(obj.moved_to)

    @staticmethod
    def resolve_review_due_date(obj: Any) -> dt.date | None:
        return obj.work_item.due_date if obj.work_item is not None else None

    @staticmethod
    def resolve_review_policy_version(obj: Any) -> str | None:
        return obj.work_item.policy_version if obj.work_item is not None else None


class EscalationIn(In):
    target: EscalationTarget
    reason: Text = Field(description="What has changed and why the case should be managed at the higher level")
    contact_ids: list[int] = Field(default_factory=list, description="Contacts on the case behind the request "
                                                                     "(at most 50)")  # fmt: skip
    receiving_team: Text | None = Field(None, description="The NPS team's code: the CRC to NPS referral only")


class DecisionIn(In):
    version: Version
    decision: EscalationDecision
    reason: Text = Field("", description="Required to decline")
    practitioner: Text = Field("", description="Accepting a move to a probation officer (or the NPS referral): the "
                                               "officer's staff code, in the receiving team")  # fmt: skip
    mappa_category: Text = Field("", description="Accepting a MAPPA level for a case with no MAPPA registration: "
                                                 "M1-M4")  # fmt: skip


@router.get("/people/{crn}/risk-escalations", response=list[EscalationOut],
            summary="A case's risk escalations, newest first")  # fmt: skip
def escalation_list(request: HttpRequest, crn: str) -> Any:
    return list(escalation_selectors.escalation_list(person=_person(request, crn)))


@router.post("/people/{crn}/risk-escalations", response={201: EscalationOut},
             summary="Request a risk escalation: its evidence is gathered from the record now and kept with it; the "
                     "receiving manager's review clock starts")  # fmt: skip
def escalation_request(request: HttpRequest, crn: str, payload: EscalationIn) -> Any:
    person = _person(request, crn)
    esc = escalation_services.escalation_request(actor=request.user, person=person, **payload.model_dump())
    return Status(201, escalation_selectors.escalation_get(person=person, escalation_id=esc.pk))


@router.get("/people/{crn}/risk-escalations/{escalation_id}", response=EscalationOut, summary="One risk escalation")
def escalation_get(request: HttpRequest, crn: str, escalation_id: int) -> Any:
    return escalation_selectors.escalation_get(person=_person(request, crn), escalation_id=escalation_id)


@router.post("/people/{crn}/risk-escalations/{escalation_id}/decision", response=EscalationOut,
             summary="The SPO's decision, once: accept (the case moves, with history) or decline with a reason")
def escalation_decision(request: HttpRequest, crn: str, escalation_id: int, payload: DecisionIn) -> Any:
    person = _person(request, crn)
    escalation_services.escalation_decide(actor=request.user, person=person, escalation_id=escalation_id,
                                          **payload.model_dump())  # fmt: skip
    return escalation_selectors.escalation_get(person=person, escalation_id=escalation_id)
