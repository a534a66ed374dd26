"""Escalating overdue work items: the clock-escalation job.

An open item is overdue from the day after its due date (``rules.timescales.is_overdue``; the queues work it out
when read, so nothing depends on this job having run). Each time the job runs, every open item that is overdue and
not yet escalated gets one ``WorkItemEscalation``: the day it went overdue, who owed it, and the senior probation
officer of the case's team it is escalated to (none while the team has none), with an audit event
``work_item.escalated`` on the case, in one transaction per item. An item escalated once is never escalated again,
so the job can run as often as wanted; an item completed or cancelled before the job saw it is not escalated.

An hour-based item (a recall request, due 24 hours after the decision) is overdue once its due time has passed, not
only from the next day: it is escalated on the first run after its due time, overdue since its due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

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


def _overdue(today: dt.date, now: dt.datetime) -> Q:
    """Overdue: past its due date or, for an hour-based item, past its due time."""
    return Q(due_date__lt=today) | Q(due_at__isnull=False, due_at__lt=now)


def _escalate(item_id: int, today: dt.date, now: dt.datetime) -> bool:
    with transaction.atomic():
        item = (
            WorkItem.objects.select_for_update(of=("self",)).select_related("person", "owner")
            .filter(_overdue(today, now), pk=item_id, status=WorkItemStatus.OPEN, escalation__isnull=True).first()
        )
        if item is None:
            return False
        spo = _team_spo(item.team_id)
        try:
            with transaction.atomic():
                escalation = WorkItemEscalation.objects.create(
                    work_item=item, overdue_since=_overdue_since(item), recorded_at=clock.now(),
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


def _overdue_since(item: WorkItem) -> dt.date:
    """The day after the due date; for an hour-based item, the due date itself (it went overdue that day)."""
    return item.due_date if item.due_at is not None else item.due_date + dt.timedelta(days=1)


def overdue_items_escalate(*, today: dt.date | None = None, now: dt.datetime | None = None) -> EscalationsResult:
    """Escalate every open overdue item not escalated before, oldest due first, as at ``now`` (default the clock's;
    ``today`` defaults to its UK date)."""
    if today is None:
        today = clock.today() if now is None else timezone.localdate(now)
    now = now or clock.now()
    result = EscalationsResult()
    ids = list(
        WorkItem.objects.filter(_overdue(today, now), status=WorkItemStatus.OPEN, escalation__isnull=True)
        .order_by("due_date", "id").values_list("id", flat=True)
    )
    for item_id in ids:
        result.overdue += 1
        if _escalate(item_id, today, now):
            result.escalated += 1
        else:
            result.skipped += 1
    return result
