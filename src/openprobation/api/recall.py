"""Licence recall in the API: the recommendation, the SPO's decision, the recall type within what the rules allow,
the countersignatures in order, the Part A sent, and the decision not to recall with its letter. The same services
as the pages (``recall.services``): the same checks, the same audit. See docs/recall.md.

``GET /api/v1/people/{crn}/recalls`` lists a case's recommendations; ``POST`` starts one;
``POST .../{id}/decision`` (SPO), ``.../recall-type``, ``.../countersignatures`` (SPO, then senior manager),
``.../sent``, ``.../no-recall-letter``; ``GET .../{id}/part-a.pdf`` and ``.../no-recall-letter.pdf``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from openprobation.api.schemas import In, StrictBool, Text, Version
from openprobation.core.errors import ValidationFailed
from openprobation.people import selectors as people_selectors
from openprobation.recall import documents as recall_documents
from openprobation.recall import selectors as recall_selectors
from openprobation.recall import services as recall_services
from openprobation.recall.choices import RecallReason, RecallStatus, RecallType, SpoDecision, WhyConsidered
from openprobation.rules.recall import ExclusionCode

router = Router(tags=["recall"])


def _person(request: HttpRequest, crn: str) -> Any:
    return people_selectors.person_get(actor=request.user, crn=crn)


def _code(staff: Any) -> str | None:
    return staff.code if staff is not None else None


class RecallOut(Schema):
    id: int
    status: str = Field(description="awaiting_spo_decision, recall_decided, awaiting_spo_countersignature, "
                                    "awaiting_senior_countersignature, countersigned, sent, no_recall_decided or "
                                    "no_recall_closed")  # fmt: skip
    event_number: int
    started_by: str | None
    started_at: dt.datetime
    circumstances: str
    alternatives_tried: str
    recall_reason: str
    charged_with_serious_offence: bool
    exclusions: list[str]
    mappa_level: int = Field(description="From the record's MAPPA registration when the recommendation started")
    mappa_category: int
    spo_decision: str
    spo_rationale: str
    spo_decided_by: str | None
    spo_decided_at: dt.datetime | None
    clock_due_at: dt.datetime | None = Field(description="The 24-hour clock from the decision to recall to the Part "
                                                         "A sent (the recall_request work item)")  # fmt: skip
    recall_type: str
    emergency: bool | None
    type_reasons: str
    rule_answer: dict[str, Any] = Field(description="The recall-type rule's answer when the type was chosen")
    spo_signed_by: str | None
    spo_signed_at: dt.datetime | None
    spo_comment: str
    senior_signed_by: str | None
    senior_signed_at: dt.datetime | None
    senior_comment: str
    part_a_generated_at: dt.datetime | None
    sent_at: dt.datetime | None
    why_considered: str
    letter_reasons: dict[str, str]
    next_appointment: str
    letter_written_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_event_number(obj: Any) -> int:
        return int(obj.event.number)

    @staticmethod
    def resolve_clock_due_at(obj: Any) -> dt.datetime | None:
        return obj.work_item.due_at if obj.work_item is not None else None

    @staticmethod
    def resolve_rule_answer(obj: Any) -> dict[str, Any]:
        return {k: v for k, v in obj.rule_answer.items() if k != "explanation"}

    @staticmethod
    def resolve_started_by(obj: Any) -> str | None:
        return _code(obj.started_by)

    @staticmethod
    def resolve_spo_decided_by(obj: Any) -> str | None:
        return _code(obj.spo_decided_by)

    @staticmethod
    def resolve_spo_signed_by(obj: Any) -> str | None:
        return _code(obj.spo_signed_by)

    @staticmethod
    def resolve_senior_signed_by(obj: Any) -> str | None:
        return _code(obj.senior_signed_by)


class RecallIn(In):
    circumstances: Text = Field(description="Why recall is being considered; why the risk can no longer be managed")
    recall_reason: RecallReason
    charged_with_serious_offence: StrictBool = False
    exclusions: list[ExclusionCode] = Field(default_factory=list, description="Exclusion codes that apply")
    alternatives_tried: Text = ""


class DecisionIn(In):
    version: Version
    decision: SpoDecision
    rationale: Text


class RecallTypeIn(In):
    version: Version
    recall_type: RecallType = Field(description="standard or fixed_term, within what the recall-type rule allows on "
                                                "the day of the SPO's decision")  # fmt: skip
    emergency: StrictBool
    reasons: Text


class CountersignIn(In):
    version: Version
    level: Literal["spo", "senior"] = Field(description="spo (the SPO) first, then senior (the senior manager)")
    comment: Text


class SentIn(In):
    version: Version


class LetterReasonsIn(In):
    breach: Text
    rationale: Text
    progress: Text
    views: Text
    expectations: Text


class LetterIn(In):
    version: Version
    why_considered: WhyConsidered
    reasons: LetterReasonsIn
    next_appointment: Text = ""


@router.get("/people/{crn}/recalls", response=list[RecallOut], summary="A case's recall recommendations, newest first")
def recall_list(request: HttpRequest, crn: str) -> Any:
    return list(recall_selectors.recommendation_list(person=_person(request, crn)))


@router.post("/people/{crn}/recalls", response={201: RecallOut},
             summary="Start a recall recommendation on the case's licence (the SPO is asked to decide)")  # fmt: skip
def recall_start(request: HttpRequest, crn: str, payload: RecallIn) -> Any:
    person = _person(request, crn)
    rec = recall_services.recommendation_start(actor=request.user, person=person, **payload.model_dump())
    return Status(201, recall_selectors.recommendation_get(person=person, recommendation_id=rec.pk))


@router.get("/people/{crn}/recalls/{recall_id}", response=RecallOut, summary="One recall recommendation")
def recall_get(request: HttpRequest, crn: str, recall_id: int) -> Any:
    return recall_selectors.recommendation_get(person=_person(request, crn), recommendation_id=recall_id)


@router.post("/people/{crn}/recalls/{recall_id}/decision", response=RecallOut,
             summary="The SPO's decision, once, with a rationale: recall (starts the 24-hour clock) or no recall")
def recall_decision(request: HttpRequest, crn: str, recall_id: int, payload: DecisionIn) -> Any:
    person = _person(request, crn)
    recall_services.spo_decision_record(actor=request.user, person=person, recommendation_id=recall_id,
                                        **payload.model_dump())  # fmt: skip
    return recall_selectors.recommendation_get(person=person, recommendation_id=recall_id)


@router.post("/people/{crn}/recalls/{recall_id}/recall-type", response=RecallOut,
             summary="Choose the recall type within what the rules allow (a forbidden type is refused, 422)")
def recall_type(request: HttpRequest, crn: str, recall_id: int, payload: RecallTypeIn) -> Any:
    person = _person(request, crn)
    recall_services.recall_type_choose(actor=request.user, person=person, recommendation_id=recall_id,
                                       **payload.model_dump())  # fmt: skip
    return recall_selectors.recommendation_get(person=person, recommendation_id=recall_id)


@router.post("/people/{crn}/recalls/{recall_id}/countersignatures", response=RecallOut,
             summary="Countersign: the SPO first, then the senior manager (head of service), each once")
def recall_countersign(request: HttpRequest, crn: str, recall_id: int, payload: CountersignIn) -> Any:
    person = _person(request, crn)
    recall_services.countersign(actor=request.user, person=person, recommendation_id=recall_id,
                                **payload.model_dump())  # fmt: skip
    return recall_selectors.recommendation_get(person=person, recommendation_id=recall_id)


@router.post("/people/{crn}/recalls/{recall_id}/sent", response=RecallOut,
             summary="The countersigned Part A sent to PPCS (stops the 24-hour clock); refused before both "
                     "countersignatures")  # fmt: skip
def recall_sent(request: HttpRequest, crn: str, recall_id: int, payload: SentIn) -> Any:
    person = _person(request, crn)
    recall_services.part_a_sent(actor=request.user, person=person, recommendation_id=recall_id,
                                version=payload.version)  # fmt: skip
    return recall_selectors.recommendation_get(person=person, recommendation_id=recall_id)


@router.post("/people/{crn}/recalls/{recall_id}/no-recall-letter", response=RecallOut,
             summary="The decision-not-to-recall letter's words (after the SPO decides not to recall)")
def recall_letter(request: HttpRequest, crn: str, recall_id: int, payload: LetterIn) -> Any:
    person = _person(request, crn)
    data = payload.model_dump()
    recall_services.no_recall_letter_record(actor=request.user, person=person, recommendation_id=recall_id,
                                            **data)  # fmt: skip
    return recall_selectors.recommendation_get(person=person, recommendation_id=recall_id)


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/people/{crn}/recalls/{recall_id}/part-a.pdf", response={200: bytes},
            summary="The countersigned Part A as a PDF (422 before both countersignatures)",
            openapi_extra={"responses": {"200": {"description": "The PDF",
                                                 "content": {"application/pdf": {}}}}})  # fmt: skip
def recall_part_a(request: HttpRequest, crn: str, recall_id: int) -> HttpResponse:
    person = _person(request, crn)
    rec = recall_services.part_a_generated(actor=request.user, person=person, recommendation_id=recall_id)
    return _pdf(recall_documents.part_a_pdf(person=person, recommendation_id=rec.pk), f"part-a-{crn}-{rec.pk}.pdf")


@router.get("/people/{crn}/recalls/{recall_id}/no-recall-letter.pdf", response={200: bytes},
            summary="The decision-not-to-recall letter as a PDF (422 before its words are recorded)",
            openapi_extra={"responses": {"200": {"description": "The PDF",
                                                 "content": {"application/pdf": {}}}}})  # fmt: skip
def recall_letter_pdf(request: HttpRequest, crn: str, recall_id: int) -> HttpResponse:
    person = _person(request, crn)
    rec = recall_selectors.recommendation_get(person=person, recommendation_id=recall_id)
    if rec.status != RecallStatus.NO_RECALL_CLOSED:
        raise ValidationFailed.single("status", "The letter is produced once its words are recorded after a "
                                                "decision not to recall")  # fmt: skip
    return _pdf(recall_documents.no_recall_letter_pdf(person=person, recommendation_id=rec.pk),
                f"decision-not-to-recall-{crn}-{rec.pk}.pdf")  # fmt: skip
