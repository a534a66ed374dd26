"""Escalating overdue work items: the clock-escalation job.

An open item is overdue from the day after its due date (``rules.timescales.is_overdue``; the queues work it out
when read, so nothing depends on this job having run). Each time the job runs, every open item that is overdue and
not yet escalated gets one ``WorkItemEscalation``: the day it went overdue, who owed it, and the senior probation
officer of the case's team it is escalated to (none while the team has none), with an audit event
``work_item.escalated`` on the case, in one transaction per item. An item escalated once is never escalated again,
so the job can run as often as wanted; an item completed or cancelled before the job saw it is not escalated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff
from openprobation.workitems.choices import WorkItemStatus
from openprobation.workitems.models import WorkItem, WorkItemEscalation


@dataclass
class EscalationsResult:
    overdue: int = 0
    escalated: int = 0
    skipped: int = 0  # closed or escalated by another worker meanwhile

    def as_dict(self) -> dict[str, int]:
        return {"overdue": self.overdue, "escalated": self.escalated, "skipped": self.skipped}


def _team_spo(team_id: int | None) -> Staff | None:
    if team_id is None:
        return None
    return Staff.objects.filter(team_id=team_id, role=Role.SPO).order_by("pk").first()


def _escalate(item_id: int, today: dt.date) -> bool:
    with transaction.atomic():
        item = (
            WorkItem.objects.select_for_update(of=("self",)).select_related("person", "owner")
            .filter(pk=item_id, status=WorkItemStatus.OPEN, due_date__lt=today, escalation__isnull=True).first()
        )
        if item is None:
            return False
        spo = _team_spo(item.team_id)
        try:
            with transaction.atomic():
                escalation = WorkItemEscalation.objects.create(
                    work_item=item, overdue_since=item.due_date + dt.timedelta(days=1), recorded_at=clock.now(),
                    owner=item.owner, escalated_to=spo,
                )
        except IntegrityError:
            return False
        audit_record(
            actor=None, action="work_item.escalated", crn=item.person.crn, entity="work_item", entity_id=item.pk,
            after={"kind": item.kind, "due_date": item.due_date, "overdue_since": escalation.overdue_since,
                   "owner": item.owner.code if item.owner else None, "escalated_to": spo.code if spo else None},
        )
    return True


def overdue_items_escalate(*, today: dt.date | None = None) -> EscalationsResult:
    """Escalate every open overdue item not escalated before, oldest due first."""
    today = today or clock.today()
    result = EscalationsResult()
    ids = list(
        WorkItem.objects.filter(status=WorkItemStatus.OPEN, due_date__lt=today, escalation__isnull=True)
        .order_by("due_date", "id").values_list("id", flat=True)
    )
    for item_id in ids:
        result.overdue += 1
        if _escalate(item_id, today):
            result.escalated += 1
        else:
            result.skipped += 1
    return result
