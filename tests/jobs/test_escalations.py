"""Overdue work items escalated to the team's SPO (workitems/escalations.py): once per item, only while open and
overdue (due today is still in time), each audited on the case."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.core.models import AuditEvent
from openprobation.workitems.escalations import overdue_items_escalate
from openprobation.workitems.models import WorkItem, WorkItemEscalation
from openprobation.workitems.services import work_item_cancel, work_item_cancellable
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_overdue_items_are_escalated_once_each(org, frozen_clock):
    person = make_person(org)
    items = list(WorkItem.objects.filter(person=person, status="open").order_by("due_date", "id"))
    assert items
    first_due = items[0].due_date
    on_the_day = overdue_items_escalate(today=first_due)
    assert on_the_day.escalated == 0  # due today is still in time
    next_day = overdue_items_escalate(today=first_due + dt.timedelta(days=1))
    assert next_day.escalated == len([i for i in items if i.due_date == first_due])
    escalation = WorkItemEscalation.objects.get(work_item=items[0])
    assert escalation.overdue_since == first_due + dt.timedelta(days=1)
    assert escalation.escalated_to == org.spo
    assert overdue_items_escalate(today=first_due + dt.timedelta(days=1)).escalated == 0  # run again: nothing new
    later = first_due + dt.timedelta(days=2)
    newly_overdue = [i for i in items if first_due < i.due_date < later]
    assert overdue_items_escalate(today=later).escalated == len(newly_overdue)
    assert WorkItemEscalation.objects.count() == len([i for i in items if i.due_date < later])
    event = AuditEvent.objects.filter(action="work_item.escalated", entity_id=str(items[0].pk)).get()
    assert event.crn == person.crn and event.after["escalated_to"] == org.spo.code


def test_closed_items_are_not_escalated(org, frozen_clock):
    person = make_person(org)
    item = next(i for i in WorkItem.objects.filter(person=person, status="open")
                if work_item_cancellable(actor=org.po.user, kind=i.kind))
    work_item_cancel(actor=org.po.user, item_id=item.pk, reason="Not needed on this case")
    overdue_items_escalate(today=dt.date(2027, 6, 1))
    assert not WorkItemEscalation.objects.filter(work_item=item).exists()
    assert WorkItemEscalation.objects.filter(work_item__person=person).exists()
