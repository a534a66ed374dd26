"""Completing and cancelling work items: who may, the dates a completion may carry, and that the pages offer exactly
what the services do.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import pytest

from openprobation.core.errors import NotFound, PermissionDenied, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.risk.services import registration_add
from openprobation.rules.timescales import ItemKind
from openprobation.workitems import generate
from openprobation.workitems.services import (
    reporting_frequency_request,
    work_item_cancel,
    work_item_complete,
)
from tests.workitems.support import (
    PO,
    TOMORROW,
    D,
    _item,
    allocated,
    first_appointment_open,
    hand_item,
    open_items,
    sentence,
)

pytestmark = pytest.mark.django_db


def test_complete_an_item(org, frozen_clock):
    person = allocated(org)
    sentence(org, person)
    item = work_item_complete(actor=org.po.user, item_id=_item(person, "first_appointment").pk, note="Seen at court")
    item.refresh_from_db()
    assert (item.status, item.closed_on, item.closed_by, item.note) == (
        "done",
        D(2026, 11, 24),
        org.po.user,
        "Seen at court",
    )
    assert AuditEvent.objects.filter(crn=person.crn, action="work_item.done", entity_id=str(item.pk)).count() == 1


def test_completing_an_item_twice_is_refused_and_changes_nothing(org, frozen_clock):
    person = allocated(org)
    sentence(org, person)
    item = _item(person, "first_appointment")
    work_item_complete(actor=org.po.user, item_id=item.pk, completed_on=D(2026, 11, 23))
    audit_count = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        work_item_complete(actor=org.po.user, item_id=item.pk)
    assert [e.dotted for e in exc.value.errors] == ["status"]
    assert "already done on 23 November 2026" in exc.value.errors[0].message
    item.refresh_from_db()
    assert item.closed_on == D(2026, 11, 23)
    assert AuditEvent.objects.count() == audit_count


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_cancelling_without_a_reason_is_refused_and_changes_nothing(org, frozen_clock, reason):
    person = allocated(org)
    sentence(org, person)
    item = _item(person, "first_appointment")
    with pytest.raises(ValidationFailed) as exc:
        work_item_cancel(actor=org.po.user, item_id=item.pk, reason=reason)
    assert [e.dotted for e in exc.value.errors] == ["reason"]
    item.refresh_from_db()
    assert item.status == "open" and item.cancel_reason == ""


def test_cancel_with_a_reason_then_cancel_again_is_refused(org, frozen_clock):
    person = allocated(org)
    sentence(org, person)
    item = _item(person, "first_appointment")
    work_item_cancel(actor=org.po.user, item_id=item.pk, reason="Transferred before the appointment")
    item.refresh_from_db()
    assert (item.status, item.cancel_reason) == ("cancelled", "Transferred before the appointment")
    with pytest.raises(ValidationFailed):
        work_item_cancel(actor=org.po.user, item_id=item.pk, reason="Again")
    with pytest.raises(ValidationFailed):
        work_item_complete(actor=org.po.user, item_id=item.pk)


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("police_da_check", "kind"),  # a check is completed by requesting it as an enquiry
        ("childrens_services_check", "kind"),
        ("rosh_screening", "kind"),  # completed by completing the assessment, so the sign-off rule holds
    ],
)
def test_a_check_or_assessment_item_is_completed_by_its_record_not_by_a_tick(org, frozen_clock, kind, field):
    person = allocated(org)
    sentence(org, person)
    with pytest.raises(ValidationFailed) as exc:
        work_item_complete(actor=org.po.user, item_id=_item(person, kind).pk)
    assert [e.dotted for e in exc.value.errors] == [field]
    assert _item(person, kind).status == "open"


def test_completed_on_in_the_future_is_refused(org, frozen_clock):
    person = allocated(org)
    sentence(org, person)
    with pytest.raises(ValidationFailed) as exc:
        work_item_complete(
            actor=org.po.user, item_id=_item(person, "first_appointment").pk, completed_on=D(2026, 11, 25)
        )
    assert [e.dotted for e in exc.value.errors] == ["completed_on"]


def test_completing_a_recurring_item_books_the_next(org, frozen_clock):
    person = allocated(org)
    registration_add(actor=org.po.user, person=person, code="RCPR", start_date=D(2026, 11, 2))
    work_item_complete(actor=org.po.user, item_id=_item(person, "home_visit").pk, completed_on=D(2026, 11, 20))
    assert _item(person, "home_visit").due_date == D(2027, 2, 19)


def test_items_on_a_case_the_actor_cannot_see_are_not_found(org, frozen_clock):
    person = allocated(org)
    sentence(org, person)
    item = _item(person, "rosh_screening")
    with pytest.raises(NotFound):
        work_item_complete(actor=org.po_b.user, item_id=item.pk)
    with pytest.raises(PermissionDenied):
        work_item_complete(actor=org.qa.user, item_id=item.pk)


# completed_on: not before the item's clock started (20 November here), not after today (24 November)
COMPLETED_ON_BOUNDS = [
    ("day_before_the_clock_started", D(2026, 11, 19), "completed_on"),
    ("day_the_clock_started", D(2026, 11, 20), None),
    ("today", D(2026, 11, 24), None),
    ("tomorrow", D(2026, 11, 25), "completed_on"),
    ("year_1900", D(1900, 1, 1), "completed_on"),
]


@pytest.mark.parametrize(
    ("completed_on", "field"), [c[1:] for c in COMPLETED_ON_BOUNDS], ids=[c[0] for c in COMPLETED_ON_BOUNDS]
)
def test_completed_on_is_between_the_clock_start_and_today(org, frozen_clock, completed_on, field):
    person = first_appointment_open(org)
    item = _item(person, "first_appointment")
    audit_count = AuditEvent.objects.count()
    if field is None:
        work_item_complete(actor=org.po.user, item_id=item.pk, completed_on=completed_on)
        item.refresh_from_db()
        assert (item.status, item.closed_on) == ("done", completed_on)
        return
    with pytest.raises(ValidationFailed) as exc:
        work_item_complete(actor=org.po.user, item_id=item.pk, completed_on=completed_on)
    assert [e.dotted for e in exc.value.errors] == [field]
    item.refresh_from_db()
    assert item.status == "open" and AuditEvent.objects.count() == audit_count
    assert open_items(person) == {("first_appointment", D(2026, 11, 27), PO)}


def test_completing_the_first_appointment_is_one_transaction_with_the_items_it_starts(org, frozen_clock, monkeypatch):
    person = first_appointment_open(org)
    item = _item(person, "first_appointment")

    def fail(**kwargs):
        raise RuntimeError("work items failed")

    monkeypatch.setattr(generate, "apply_decision", fail)
    with pytest.raises(RuntimeError):
        work_item_complete(actor=org.po.user, item_id=item.pk)
    item.refresh_from_db()
    assert item.status == "open"
    assert not AuditEvent.objects.filter(crn=person.crn, action="work_item.done", entity_id=str(item.pk)).exists()


CANCEL_CASES = [
    ("first_appointment.practitioner_may_cancel", "first_appointment", "po", None),
    ("police_da_check.refused_record_the_enquiry", "police_da_check", "po", "record the enquiry"),
    ("childrens_services_check.refused_even_for_an_spo", "childrens_services_check", "spo", "record the enquiry"),
    ("rosh_screening.refused_complete_the_assessment", "rosh_screening", "po", "complete the RoSH assessment"),
    ("rosh_screening.refused_even_for_an_spo", "rosh_screening", "spo", "complete the RoSH assessment"),
    ("countersign.refused_the_spo_decides", "reporting_change_countersign", "po", "approves or refuses"),
    ("countersign.refused_even_for_an_spo", "reporting_change_countersign", "spo", "approves or refuses"),
    ("countersign.refused_for_the_head_of_service", "reporting_change_countersign", "hos", "approves or refuses"),
]


@pytest.mark.parametrize(("kind", "who", "refusal"), [c[1:] for c in CANCEL_CASES], ids=[c[0] for c in CANCEL_CASES])
def test_who_may_cancel_which_item(org, frozen_clock, kind, who, refusal):
    person = allocated(org)
    sentence(org, person)
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start")
    reporting_frequency_request(actor=org.po.user, person=person, frequency="monthly", reason="Doing well")
    item = _item(person, kind)
    audit_count = AuditEvent.objects.count()
    actor = getattr(org, who).user
    if refusal is None:
        work_item_cancel(actor=actor, item_id=item.pk, reason="No longer needed")
        item.refresh_from_db()
        assert (item.status, item.cancel_reason) == ("cancelled", "No longer needed")
        assert AuditEvent.objects.filter(action="work_item.cancelled", entity_id=str(item.pk)).count() == 1
        return
    if refusal is PermissionDenied:
        with pytest.raises(PermissionDenied):
            work_item_cancel(actor=actor, item_id=item.pk, reason="No longer needed")
    else:
        with pytest.raises(ValidationFailed) as exc:
            work_item_cancel(actor=actor, item_id=item.pk, reason="No longer needed")
        assert [e.dotted for e in exc.value.errors] == ["kind"]
        assert refusal in exc.value.errors[0].message and "Nothing was changed" in exc.value.errors[0].message
    item.refresh_from_db()
    assert (item.status, item.cancel_reason) == ("open", "")
    assert AuditEvent.objects.count() == audit_count


@pytest.mark.parametrize("who", ["po", "spo", "hos", "qa", "admin"])
@pytest.mark.parametrize("kind", [k.value for k in ItemKind])
def test_cancel_is_offered_exactly_when_the_service_would_cancel(org, frozen_clock, kind, who):
    from openprobation.core.errors import DomainError
    from openprobation.workitems.services import work_item_cancellable

    person = allocated(org)
    item = hand_item(person, org.po, TOMORROW, kind=kind)
    actor = getattr(org, who).user
    offered = work_item_cancellable(actor=actor, kind=kind)
    try:
        work_item_cancel(actor=actor, item_id=item.pk, reason="No longer needed")
        cancelled = True
    except DomainError:
        cancelled = False
    assert offered is cancelled
