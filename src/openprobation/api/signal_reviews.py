"""Signal reviews in the API: a warning sign found in a contact note, its evidence, and its disposition.

``GET /api/v1/work-items/{id}/signal-review`` shows a review's signal, each sentence that raised it (the first and
any repeats grouped into it) and, once closed, its disposition. ``POST /api/v1/work-items/{id}/disposition`` closes
it: the action taken, linked to what was done (a work item or a contact on the case), or no action with the reason,
under the same rules and access checks as the page (``warningsigns.services.signal_review_dispose``). A review is
never closed by ``complete`` or ``cancel``, nor in bulk. See docs/signals.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from openprobation.api.schemas import In, Text
from openprobation.warningsigns import selectors as signal_selectors
from openprobation.warningsigns import services as signal_services
from openprobation.warningsigns.choices import DispositionOutcome

router = Router(tags=["warning signs"])


class EvidenceOut(Schema):
    contact: int = Field(description="The contact whose notes raised it")
    contact_type: str
    contact_date: dt.datetime
    signal: str
    severity: str
    evidence: str = Field(description="The words that raised the signal, as written")
    sentence: str
    rule: str
    policy_version: str
    found_at: dt.datetime

    @staticmethod
    def resolve_contact(obj: Any) -> int:
        return int(obj.contact_id)

    @staticmethod
    def resolve_contact_type(obj: Any) -> str:
        return str(obj.contact.type)

    @staticmethod
    def resolve_contact_date(obj: Any) -> dt.datetime:
        return obj.contact.date


class DispositionOut(Schema):
    outcome: str
    linked_item: int | None
    linked_contact: int | None
    details: str
    decided_by: str
    decided_at: dt.datetime

    @staticmethod
    def resolve_linked_item(obj: Any) -> int | None:
        return obj.linked_item_id

    @staticmethod
    def resolve_linked_contact(obj: Any) -> int | None:
        return obj.linked_contact_id

    @staticmethod
    def resolve_decided_by(obj: Any) -> str:
        return str(obj.decided_by.code)


class SignalReviewOut(Schema):
    id: int
    crn: str
    signal: str
    label: str
    status: str
    due_date: dt.date
    owner: str | None
    reason: str
    evidence: list[EvidenceOut]
    disposition: DispositionOut | None


def _out(review: Any) -> dict[str, Any]:
    item = review.item
    return {
        "id": item.pk, "crn": item.person.crn, "signal": item.signal, "label": review.label, "status": item.status,
        "due_date": item.due_date, "owner": item.owner.code if item.owner_id else None, "reason": item.reason,
        "evidence": list(review.evidence), "disposition": review.disposition,
    }  # fmt: skip


class DispositionIn(In):
    outcome: DispositionOutcome = Field(description="action_taken (link what was done) or no_action (give the reason)")
    details: Text = Field("", description="What was done, or why no action is needed (required for no_action)")
    linked_item_id: int | None = Field(None, description="A work item on the case for what was done")
    linked_contact_id: int | None = Field(None, description="A contact on the case for what was done")


@router.get("/work-items/{item_id}/signal-review", response=SignalReviewOut,
            summary="A signal review: the warning sign, its sentences and its disposition")  # fmt: skip
def signal_review_get(request: HttpRequest, item_id: int) -> Any:
    return _out(signal_selectors.signal_review_get(actor=request.user, item_id=item_id))


@router.post("/work-items/{item_id}/disposition", response=SignalReviewOut,
             summary="Close a signal review with its disposition")  # fmt: skip
def signal_review_dispose(request: HttpRequest, item_id: int, payload: DispositionIn) -> Any:
    signal_services.signal_review_dispose(
        actor=request.user, item_id=item_id, outcome=payload.outcome.value, details=payload.details,
        linked_item_id=payload.linked_item_id, linked_contact_id=payload.linked_contact_id,
    )  # fmt: skip
    return _out(signal_selectors.signal_review_get(actor=request.user, item_id=item_id))
