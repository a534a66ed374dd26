"""Ending a registration that called for home visits cancels what is no longer owed.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.contacts.services import contact_record
from openprobation.core.models import AuditEvent
from openprobation.risk.services import registration_add, registration_update
from openprobation.workitems import generate
from openprobation.workitems.models import WorkItem
from tests.workitems.support import (
    UTC,
    D,
    _item,
    allocated,
)

pytestmark = pytest.mark.django_db


REGISTRATION_END_CASES = [
    ("rosh_high_ended.home_visit_cancelled", ["RHRH"], "RHRH", "RHRH registration (RoSH: high)"),
    ("rosh_very_high_ended.home_visit_cancelled", ["RVHR"], "RVHR", "RVHR registration (RoSH: very high)"),
    ("child_protection_ended.home_visit_cancelled", ["RCPR"], "RCPR", "RCPR registration (Child protection)"),
    ("rosh_high_ended_while_child_protection_remains.visit_stays", ["RHRH", "RCPR"], "RHRH", None),
    ("child_protection_ended_while_very_high_rosh_remains.visit_stays", ["RCPR", "RVHR"], "RCPR", None),
    ("medium_rosh_ended_while_child_protection_remains.visit_stays", ["RCPR", "RMRH"], "RMRH", None),
]


@pytest.mark.parametrize(
    ("codes", "ended", "named"), [c[1:] for c in REGISTRATION_END_CASES], ids=[c[0] for c in REGISTRATION_END_CASES]
)
def test_ending_the_registration_that_called_for_home_visits_cancels_the_open_visit(
    org, frozen_clock, codes, ended, named
):
    person = allocated(org)
    registrations = {
        code: registration_add(actor=org.po.user, person=person, code=code, start_date=D(2026, 11, 10))
        for code in codes
    }
    visit = _item(person, "home_visit")
    reg = registrations[ended]
    registration_update(
        actor=org.po.user,
        person=person,
        registration_id=reg.pk,
        version=reg.version,
        changes={"end_date": D(2026, 11, 24)},
    )
    visit.refresh_from_db()
    if named is None:
        assert visit.status == "open"
        assert not AuditEvent.objects.filter(crn=person.crn, action="work_item.cancelled").exists()
        return
    reason = f"Home visits no longer required: {named} ended on 24 November 2026"
    assert (visit.status, visit.cancel_reason, visit.closed_on, visit.closed_by) == (
        "cancelled",
        reason,
        D(2026, 11, 24),
        org.po.user,
    )
    audit = AuditEvent.objects.get(crn=person.crn, action="work_item.cancelled", entity_id=str(visit.pk))
    assert audit.reason == reason
    assert not WorkItem.objects.filter(person=person, kind="home_visit", status="open").exists()


@pytest.mark.parametrize(
    ("visited_on", "closed"),
    [(D(2026, 11, 9), False), (D(2026, 11, 10), True), (D(2026, 11, 11), True)],
    ids=["visit_the_day_before_the_clock_started.stays_open", "visit_on_the_day.done", "visit_the_day_after.done"],
)
def test_an_attended_home_visit_closes_only_a_visit_already_owed(org, frozen_clock, visited_on, closed):
    person = allocated(org)
    registration_add(actor=org.po.user, person=person, code="RHRH", start_date=D(2026, 11, 10))
    visit = _item(person, "home_visit")
    assert visit.clock_started_on == D(2026, 11, 10)
    contact_record(
        actor=org.po.user,
        person=person,
        type="home_visit",
        date=dt.datetime(visited_on.year, visited_on.month, visited_on.day, 10, 0, tzinfo=UTC),
        outcome="attended_complied",
    )
    visit.refresh_from_db()
    assert (visit.status == "done") is closed


def test_reviewing_a_registration_without_ending_it_leaves_the_home_visit(org, frozen_clock):
    person = allocated(org)
    reg = registration_add(actor=org.po.user, person=person, code="RHRH", start_date=D(2026, 11, 10))
    registration_update(
        actor=org.po.user,
        person=person,
        registration_id=reg.pk,
        version=reg.version,
        changes={"review_date": D(2027, 5, 10), "notes": "Reviewed"},
    )
    assert _item(person, "home_visit").status == "open"


def test_ending_a_registration_is_one_transaction_with_the_cancelled_visit(org, frozen_clock, monkeypatch):
    person = allocated(org)
    reg = registration_add(actor=org.po.user, person=person, code="RCPR", start_date=D(2026, 11, 10))

    def fail(**kwargs):
        raise RuntimeError("work items failed")

    monkeypatch.setattr(generate, "on_registration_ended", fail)
    with pytest.raises(RuntimeError):
        registration_update(
            actor=org.po.user,
            person=person,
            registration_id=reg.pk,
            version=reg.version,
            changes={"end_date": D(2026, 11, 24)},
        )
    reg.refresh_from_db()
    assert (reg.end_date, reg.version) == (None, 1)
    assert _item(person, "home_visit").status == "open"
