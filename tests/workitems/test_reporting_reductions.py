"""A reduction in reporting is not in force until an SPO countersigns it.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import pytest

from openprobation.core.errors import PermissionDenied, ValidationFailed
from openprobation.workitems.models import ReportingChange, WorkItem
from openprobation.workitems.services import (
    reporting_frequency_in_force,
    reporting_frequency_request,
    reporting_reduction_countersign,
)
from tests.workitems.support import (
    allocated,
)

pytestmark = pytest.mark.django_db


def test_a_reduction_in_reporting_is_not_in_force_until_an_spo_countersigns(org, frozen_clock):
    person = allocated(org)
    first = reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start")
    assert first.status == "in_force"
    reduction = reporting_frequency_request(
        actor=org.po.user, person=person, frequency="monthly", reason="Complying well"
    )
    assert reduction.status == "awaiting_countersignature"
    assert reporting_frequency_in_force(person=person).frequency == "weekly"  # type: ignore[union-attr]

    with pytest.raises(PermissionDenied):
        reporting_reduction_countersign(actor=org.po.user, person=person, change_id=reduction.pk, approve=True)
    assert reporting_frequency_in_force(person=person).frequency == "weekly"  # type: ignore[union-attr]

    reporting_reduction_countersign(actor=org.spo.user, person=person, change_id=reduction.pk, approve=True)
    assert reporting_frequency_in_force(person=person).frequency == "monthly"  # type: ignore[union-attr]
    item = WorkItem.objects.get(person=person, kind="reporting_change_countersign")
    assert (item.status, item.owner) == ("done", org.spo)


def test_a_refused_reduction_leaves_reporting_as_it_was_and_needs_a_reason(org, frozen_clock):
    person = allocated(org)
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start")
    reduction = reporting_frequency_request(actor=org.po.user, person=person, frequency="fortnightly", reason="Why")
    with pytest.raises(ValidationFailed) as exc:
        reporting_reduction_countersign(actor=org.spo.user, person=person, change_id=reduction.pk, approve=False)
    assert [e.dotted for e in exc.value.errors] == ["reason"]
    reporting_reduction_countersign(
        actor=org.spo.user, person=person, change_id=reduction.pk, approve=False, reason="New partner: keep weekly"
    )
    assert reporting_frequency_in_force(person=person).frequency == "weekly"  # type: ignore[union-attr]
    reduction.refresh_from_db()
    assert reduction.status == "refused"


def test_an_increase_in_reporting_is_in_force_at_once(org, frozen_clock):
    person = allocated(org)
    reporting_frequency_request(actor=org.po.user, person=person, frequency="monthly", reason="Start")
    change = reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Concerns")
    assert change.status == "in_force"
    assert not WorkItem.objects.filter(person=person, kind="reporting_change_countersign").exists()


def test_only_one_reduction_may_wait_and_an_spo_cannot_countersign_their_own(org, frozen_clock):
    person = allocated(org)
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start")
    own = reporting_frequency_request(actor=org.spo.user, person=person, frequency="monthly", reason="Mine")
    with pytest.raises(ValidationFailed) as exc:
        reporting_frequency_request(actor=org.po.user, person=person, frequency="fortnightly", reason="Also")
    assert [e.dotted for e in exc.value.errors] == ["frequency"]
    with pytest.raises(ValidationFailed) as exc:
        reporting_reduction_countersign(actor=org.spo.user, person=person, change_id=own.pk, approve=True)
    assert [e.dotted for e in exc.value.errors] == ["approve"]
    assert ReportingChange.objects.filter(person=person).count() == 2
