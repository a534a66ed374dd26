"""``/api/v1/people/{crn}/reminders``: a case's appointment reminders and what became of each message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from openprobation.notifications import selectors as notification_selectors
from openprobation.notifications.choices import Channel, MessageStatus, ReminderStatus
from openprobation.people import selectors as people_selectors

router = Router(tags=["people"])


class MessageOut(Schema):
    channel: Channel
    recipient: str
    body: str
    status: MessageStatus
    backend: str
    failure: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


class ReminderOut(Schema):
    contact_id: int
    appointment_at: dt.datetime
    status: ReminderStatus
    decided_at: dt.datetime
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(obj: Any) -> list[Any]:
        return list(obj.messages.all())


@router.get(
    "/people/{crn}/reminders",
    response=list[ReminderOut],
    summary="A case's appointment reminders, newest appointment first: sent, failed or not sent (no consent)",
)
def person_reminders(request: HttpRequest, crn: str) -> Any:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    return notification_selectors.reminders_for_person(person=person)
