"""Work items made by events in the record, and closing them: each trigger a named case, through the services.

The clock is frozen at Tuesday 24 November 2026. Working days then: Wed 25, Thu 26, Fri 27, Mon 30 Nov, Tue 1,
Wed 2, Thu 3, Fri 4, Mon 7, Tue 8 Dec ... Christmas Day is Friday 25 December; Boxing Day (Saturday) is
substituted on Monday 28 December. The preset is the default, ps2021, unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from openprobation.contacts.services import contact_record, contact_update
from openprobation.core import clock
from openprobation.core.errors import NotFound, PermissionDenied, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.people.models import Person
from openprobation.people.services import person_create, relationship_add, relationship_update
from openprobation.risk.services import registration_add, registration_update
from openprobation.rules.timescales import ItemKind
from openprobation.safeguarding.services import rosh_assessment_complete, rosh_assessment_start
from openprobation.sentences.models import Event
from openprobation.sentences.services import event_allocate, event_create, event_update
from openprobation.workitems import generate, selectors
from openprobation.workitems.models import ContactOutcomeApplied, ReportingChange, WorkItem
from openprobation.workitems.services import (
    reporting_frequency_in_force,
    reporting_frequency_request,
    reporting_reduction_countersign,
    work_item_cancel,
    work_item_complete,
)
from tests.factories import Org, limit_access

pytestmark = pytest.mark.django_db

D = dt.date
UTC = dt.UTC
_crn = iter(range(200001, 299999))
FRIDAY_20_NOVEMBER = D(2026, 11, 20)


def new_person(org: Org) -> Person:
    """A person held by team A with no event yet (so no work items)."""
    return person_create(
        actor=org.admin.user,
        crn=f"W{next(_crn)}",
        first_name="Robin",
        last_name="Hale",
        date_of_birth=D(1985, 6, 1),
        gender="male",
        team=org.team_a.code,
    )


def sentence(
    org: Org,
    person: Person,
    *,
    sentence_type: str = "community_order",
    on: D = FRIDAY_20_NOVEMBER,
    release: D | None = None,
    practitioner: str | None = None,
) -> None:
    event_create(
        actor=org.admin.user,
        person=person,
        offence_code="00101",
        conviction_date=D(2026, 11, 2),
        sentence_date=on,
        sentence_type=sentence_type,
        length_months=12,
        release_date=release,
        practitioner=practitioner,
    )


def open_items(person: Person) -> set[tuple[str, D, str | None]]:
    """(kind, due date, owner's staff code) of the case's open items."""
    return {
        (i.kind, i.due_date, i.owner.code if i.owner else None)
        for i in WorkItem.objects.filter(person=person, status="open").select_related("owner")
    }


def allocated(org: Org) -> Person:
    person = new_person(org)
    sentence(org, person, practitioner=org.po.code)
    WorkItem.objects.filter(person=person).delete()  # start each trigger case from a clean slate
    return person


# ---- each trigger, a named case ---------------------------------------------------------------------------------

PO, SPO = "N07A001", "N07A100"

TRIGGER_CASES: list[tuple[str, Callable[[Org], Person], set[tuple[str, D, str | None]]]] = [
    (
        "sentence_community.unallocated_order_friday_20_november",
        lambda org: (p := new_person(org), sentence(org, p))[0],
        {
            ("allocation", D(2026, 11, 24), SPO),  # 2 working days, owed by the team's SPO
            ("rosh_screening", D(2026, 11, 23), None),  # a working day before allocation; nobody holds the case yet
            ("police_da_check", D(2026, 11, 24), None),
            ("childrens_services_check", D(2026, 11, 24), None),
            ("first_appointment", D(2026, 11, 27), None),  # PS SL004: 5 working days
        },
    ),
    (
        "sentence_community.allocated_at_sentence_closes_allocation_and_gives_items_to_the_practitioner",
        lambda org: (p := new_person(org), sentence(org, p, practitioner=PO))[0],
        {
            ("rosh_screening", D(2026, 11, 23), PO),
            ("police_da_check", D(2026, 11, 24), PO),
            ("childrens_services_check", D(2026, 11, 24), PO),
            ("first_appointment", D(2026, 11, 27), PO),
        },
    ),
    (
        "sentence_licence_release.first_appointment_within_one_working_day",
        lambda org: (
            p := new_person(org),
            sentence(org, p, sentence_type="licence", on=D(2026, 11, 2), release=D(2026, 11, 20), practitioner=PO),
        )[0],
        {("first_appointment", D(2026, 11, 23), PO)},
    ),
    (
        "sentence_licence_release.christmas_eve_release_is_due_after_christmas_and_boxing_day_substitute",
        lambda org: (
            p := new_person(org),
            sentence(org, p, sentence_type="licence", on=D(2026, 11, 2), release=D(2026, 12, 24), practitioner=PO),
        )[0],
        {("first_appointment", D(2026, 12, 29), PO)},
    ),
    (
        "rosh_high_or_very_high.registration_makes_a_home_visit_due_in_10_working_days",
        lambda org: (
            p := allocated(org),
            registration_add(actor=org.po.user, person=p, code="RHRH", start_date=D(2026, 11, 24)),
        )[0],
        {("home_visit", D(2026, 12, 8), PO)},
    ),
    (
        "rosh_high_or_very_high.very_high_too",
        lambda org: (
            p := allocated(org),
            registration_add(actor=org.po.user, person=p, code="RVHR", start_date=D(2026, 11, 24)),
        )[0],
        {("home_visit", D(2026, 12, 8), PO)},
    ),
    (
        "rosh_medium.no_home_visit",
        lambda org: (
            p := allocated(org),
            registration_add(actor=org.po.user, person=p, code="RMRH", start_date=D(2026, 11, 24)),
        )[0],
        set(),
    ),
    (
        "child_protection_registration.home_visit",
        lambda org: (
            p := allocated(org),
            registration_add(actor=org.po.user, person=p, code="RCPR", start_date=D(2026, 11, 24)),
        )[0],
        {("home_visit", D(2026, 12, 8), PO)},
    ),
    (
        "child_protection_and_high_rosh.one_open_home_visit_not_two",
        lambda org: (
            p := allocated(org),
            registration_add(actor=org.po.user, person=p, code="RHRH", start_date=D(2026, 11, 24)),
            registration_add(actor=org.po.user, person=p, code="RCPR", start_date=D(2026, 11, 24)),
        )[0],
        {("home_visit", D(2026, 12, 8), PO)},
    ),
    (
        "partner_joined_household.police_da_check_and_rosh_review",
        lambda org: (
            p := allocated(org),
            relationship_add(
                actor=org.po.user,
                person=p,
                relationship="partner",
                first_name="Jo",
                last_name="Bell",
                start_date=D(2025, 1, 1),
                lives_in_household=True,
            ),
        )[0],
        {("police_da_check", D(2026, 12, 1), PO), ("rosh_review", D(2026, 12, 8), PO)},
    ),
    (
        "partner_not_in_household.nothing",
        lambda org: (
            p := allocated(org),
            relationship_add(
                actor=org.po.user,
                person=p,
                relationship="partner",
                first_name="Jo",
                last_name="Bell",
                start_date=D(2025, 1, 1),
                lives_in_household=False,
            ),
        )[0],
        set(),
    ),
    (
        "ex_partner_in_household.nothing",
        lambda org: (
            p := allocated(org),
            relationship_add(
                actor=org.po.user,
                person=p,
                relationship="ex_partner",
                first_name="Jo",
                last_name="Bell",
                start_date=D(2025, 1, 1),
                lives_in_household=True,
            ),
        )[0],
        set(),
    ),
    (
        "partner_moves_in.update_to_lives_in_household",
        lambda org: (
            p := allocated(org),
            r := relationship_add(
                actor=org.po.user,
                person=p,
                relationship="partner",
                first_name="Jo",
                last_name="Bell",
                start_date=D(2025, 1, 1),
            ),
            relationship_update(
                actor=org.po.user,
                person=p,
                relationship_id=r.pk,
                version=r.version,
                changes={"lives_in_household": True},
            ),
        )[0],
        {("police_da_check", D(2026, 12, 1), PO), ("rosh_review", D(2026, 12, 8), PO)},
    ),
    (
        "partner_already_in_household.editing_notes_starts_nothing",
        lambda org: (
            p := allocated(org),
            r := relationship_add(
                actor=org.po.user,
                person=p,
                relationship="partner",
                first_name="Jo",
                last_name="Bell",
                start_date=D(2025, 1, 1),
                lives_in_household=True,
            ),
            WorkItem.objects.filter(person=p).delete(),
            relationship_update(
                actor=org.po.user, person=p, relationship_id=r.pk, version=r.version, changes={"notes": "Works nights"}
            ),
        )[0],
        set(),
    ),
    (
        "child_joined_household.childrens_services_check",
        lambda org: (
            p := allocated(org),
            relationship_add(
                actor=org.po.user,
                person=p,
                relationship="child",
                first_name="Sky",
                last_name="Bell",
                start_date=D(2026, 11, 1),
                date_of_birth=D(2026, 11, 1),
                lives_in_household=True,
            ),
        )[0],
        {("childrens_services_check", D(2026, 12, 1), PO)},
    ),
    (
        "first_appointment_attended.sentence_plan_in_15_working_days_and_monthly_contact",
        lambda org: (
            p := new_person(org),
            sentence(org, p, practitioner=PO),
            WorkItem.objects.filter(person=p).exclude(kind="first_appointment").delete(),
            contact_record(
                actor=org.po.user,
                person=p,
                type="office_appointment",
                date=dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
                outcome="attended_complied",
            ),
        )[0],
        {("sentence_plan", D(2026, 12, 15), PO), ("monthly_contact", D(2026, 12, 24), PO)},
    ),
    (
        "appointment_missed.follow_up_in_5_working_days",
        lambda org: (
            p := allocated(org),
            contact_record(
                actor=org.po.user,
                person=p,
                type="office_appointment",
                date=dt.datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
                outcome="failed_to_attend_unacceptable",
            ),
        )[0],
        {("non_attendance_follow_up", D(2026, 12, 1), PO)},
    ),
    (
        "home_visit_done.next_visit_in_3_months_while_rosh_is_high",
        lambda org: (
            p := allocated(org),
            registration_add(actor=org.po.user, person=p, code="RHRH", start_date=D(2026, 11, 10)),
            contact_record(
                actor=org.po.user,
                person=p,
                type="home_visit",
                date=dt.datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
                outcome="attended_complied",
            ),
        )[0],
        {("home_visit", D(2027, 2, 24), PO)},
    ),
    (
        "rosh_screening_indicates_risk.full_analysis_and_risk_management_plan",
        lambda org: (
            p := allocated(org),
            a := rosh_assessment_start(actor=org.po.user, person=p, kind="screening"),
            rosh_assessment_complete(actor=org.po.user, person=p, assessment_id=a.pk, indicates_risk=True),
        )[0],
        {("rosh_full_analysis", D(2026, 12, 15), PO), ("risk_management_plan", D(2026, 12, 15), PO)},
    ),
    (
        "rosh_screening_no_risk.nothing_more",
        lambda org: (
            p := allocated(org),
            a := rosh_assessment_start(actor=org.po.user, person=p, kind="screening"),
            rosh_assessment_complete(actor=org.po.user, person=p, assessment_id=a.pk, indicates_risk=False),
        )[0],
        set(),
    ),
    (
        "reporting_reduction_requested.spo_countersigns_within_5_working_days",
        lambda org: (
            p := allocated(org),
            reporting_frequency_request(actor=org.po.user, person=p, frequency="weekly", reason="Start"),
            reporting_frequency_request(actor=org.po.user, person=p, frequency="monthly", reason="Doing well"),
        )[0],
        {("reporting_change_countersign", D(2026, 12, 1), SPO)},
    ),
]


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in TRIGGER_CASES], ids=[c[0] for c in TRIGGER_CASES])
def test_event_makes_work_items_due(org, frozen_clock, build, expected):
    person = build(org)
    assert open_items(person) == expected


def test_each_item_records_the_rule_policy_version_and_why(org, frozen_clock):
    person = new_person(org)
    sentence(org, person)
    item = WorkItem.objects.get(person=person, kind="first_appointment")
    assert (item.rule_id, item.policy_version, item.trigger) == (
        "first_appointment.community",
        "timescales-ps2021-v2",
        "sentence_community",
    )
    assert "20 November 2026" in item.reason and "27 November 2026" in item.reason
    audit = AuditEvent.objects.get(crn=person.crn, action="work_items.created")
    assert {w["kind"] for w in audit.after["work_items"]} == {
        "allocation",
        "rosh_screening",
        "police_da_check",
        "childrens_services_check",
        "first_appointment",
    }


def test_preset_is_a_setting_contracts_2014_starts_first_appointment_at_allocation(org, frozen_clock, settings):
    settings.TIMESCALE_PRESET = "contracts_2014"
    person = new_person(org)
    sentence(org, person)
    assert not WorkItem.objects.filter(person=person, kind="first_appointment").exists()
    event_allocate(actor=org.spo.user, person=person, number=1, practitioner=PO, start_date=D(2026, 11, 23))
    item = WorkItem.objects.get(person=person, kind="first_appointment")
    assert (item.due_date, item.policy_version, item.owner) == (D(2026, 11, 30), "timescales-contracts-2014-v2", org.po)


PRESET_IN_FORCE = [
    ("sentenced_25_june_2021.last_day_of_the_2014_contracts", D(2021, 6, 25), "timescales-contracts-2014-v2"),
    ("sentenced_26_june_2021.first_day_of_the_probation_service", D(2021, 6, 26), "timescales-ps2021-v2"),
]


@pytest.mark.parametrize(("on", "version"), [c[1:] for c in PRESET_IN_FORCE], ids=[c[0] for c in PRESET_IN_FORCE])
def test_the_preset_is_the_one_in_force_on_the_day_the_clock_started(org, frozen_clock, on, version):
    person = new_person(org)
    event_create(
        actor=org.admin.user,
        person=person,
        offence_code="00101",
        conviction_date=on,
        sentence_date=on,
        sentence_type="community_order",
        length_months=12,
    )
    items = WorkItem.objects.filter(person=person)
    assert items.exists()
    assert {i.policy_version for i in items} == {version}


def test_allocation_closes_the_allocation_item_and_moves_open_items_to_the_new_practitioner(org, frozen_clock):
    person = new_person(org)
    sentence(org, person)
    event_allocate(actor=org.spo.user, person=person, number=1, practitioner=org.po2.code, start_date=D(2026, 11, 23))
    allocation = WorkItem.objects.get(person=person, kind="allocation")
    assert (allocation.status, allocation.closed_on) == ("done", D(2026, 11, 23))
    assert {i[2] for i in open_items(person)} == {org.po2.code}
    event_allocate(actor=org.spo.user, person=person, number=1, practitioner=org.po.code, start_date=D(2026, 11, 24))
    assert {i[2] for i in open_items(person)} == {org.po.code}


def test_a_second_event_does_not_duplicate_open_items(org, frozen_clock):
    person = allocated(org)
    sentence(org, person, on=D(2026, 11, 20))
    sentence(org, person, on=D(2026, 11, 23))
    kinds = [i.kind for i in WorkItem.objects.filter(person=person, status="open")]
    assert sorted(kinds) == sorted(set(kinds))


# ---- completing and cancelling ----------------------------------------------------------------------------------


def _item(person: Person, kind: str) -> WorkItem:
    return WorkItem.objects.get(person=person, kind=kind, status="open")


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


# ---- reporting reductions: not in force until countersigned ------------------------------------------------------


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


# ---- queues ---------------------------------------------------------------------------------------------------


def test_whats_due_lists_overdue_first_then_this_week_then_later(org, frozen_clock):
    late = new_person(org)
    sentence(org, late, on=D(2026, 11, 2), practitioner=PO)  # items due 4 and 9 November: overdue
    soon = allocated(org)
    relationship_add(
        actor=org.po.user,
        person=soon,
        relationship="child",
        first_name="Sky",
        last_name="Bell",
        start_date=D(2026, 1, 1),
        lives_in_household=True,
    )  # due Tue 1 Dec: next week
    registration_add(actor=org.po.user, person=soon, code="RHRH", start_date=D(2026, 11, 12))  # due Thu 26 Nov
    due = selectors.work_items_for_practitioner(actor=org.po.user)
    assert [i.due_date for i in due.overdue] == sorted(i.due_date for i in due.overdue)
    assert {i.person.crn for i in due.overdue} == {late.crn}
    assert all(i.overdue for i in due.overdue)
    assert [(i.kind, i.due_date) for i in due.this_week] == [("home_visit", D(2026, 11, 26))]
    assert [(i.kind, i.due_date) for i in due.later] == [("childrens_services_check", D(2026, 12, 1))]
    assert not any(i.overdue for i in due.this_week + due.later)


def hand_item(person: Person, owner, due: D, *, status: str = "open", team=None, kind: str = "home_visit") -> WorkItem:
    """An item set by hand (not by a rule), so a count can be checked against a literal."""
    return WorkItem.objects.create(
        person=person,
        kind=kind,
        status=status,
        due_date=due,
        owner_role="practitioner",
        owner=owner,
        team=team or person.team,
        rule_id="hand",
        policy_version="hand",
        trigger="rosh_high_or_very_high",
        clock_started_on=D(2026, 11, 2),
        reason="Set by the test",
        created_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        closed_on=None if status == "open" else D(2026, 11, 20),
        cancel_reason="Not needed" if status == "cancelled" else "",
    )


# Today is Tuesday 24 November 2026. "Due soon" is today to five working days ahead: Tuesday 1 December.
YESTERDAY, TODAY, TOMORROW = D(2026, 11, 23), D(2026, 11, 24), D(2026, 11, 25)
LAST_DUE_SOON, FIRST_AFTER_DUE_SOON = D(2026, 12, 1), D(2026, 12, 2)


@pytest.fixture
def hand_set_queue(org):
    return build_hand_set_queue(org)


def build_hand_set_queue(org: Org) -> tuple[Person, Person]:
    """Team A: po holds a visible case with items due at each boundary and a restricted case; po2 one overdue item;
    one unowned item. Team B: po_b one overdue and one due tomorrow. Closed items are never counted."""
    visible = new_person(org)
    for due in (D(2026, 11, 10), YESTERDAY, TODAY, TOMORROW, LAST_DUE_SOON, FIRST_AFTER_DUE_SOON):
        hand_item(visible, org.po, due)
    hand_item(visible, org.po, YESTERDAY, status="done")
    hand_item(visible, org.po, YESTERDAY, status="cancelled")
    hand_item(visible, org.po2, YESTERDAY)
    hand_item(visible, None, YESTERDAY)  # nobody holds it yet
    hidden = new_person(org)
    limit_access(person=hidden,
        staff_code=org.po2.code,
        kind="restriction",
        reason="Staff member's relative",
    )
    hand_item(hidden, org.po, YESTERDAY)
    hand_item(hidden, org.po, TODAY)
    other_team = person_create(
        actor=org.admin.user,
        crn=f"W{next(_crn)}",
        first_name="Kit",
        last_name="Moss",
        date_of_birth=D(1980, 2, 2),
        gender="female",
        team=org.team_b.code,
    )
    hand_item(other_team, org.po_b, YESTERDAY)
    hand_item(other_team, org.po_b, TOMORROW)
    return visible, hidden


def test_team_queue_counts_overdue_and_due_soon_at_the_boundaries(org, frozen_clock, hand_set_queue):
    queue = selectors.team_queue(actor=org.spo.user, team=org.team_a)
    rows = {(r.staff.code if r.staff else None): (r.overdue, r.due_soon, r.open) for r in queue.rows}
    # po: overdue 10 Nov and yesterday; due soon today, tomorrow and 1 December; 2 December only open.
    # The restricted case's items (yesterday, today) and the closed ones are not counted.
    assert rows == {
        "N07A001": (2, 3, 6),
        "N07A002": (1, 0, 1),
        "N07A100": (0, 0, 0),
        "N07H001": (0, 0, 0),
        None: (1, 0, 1),
    }
    assert (queue.overdue, queue.due_soon, queue.due_soon_until) == (4, 3, LAST_DUE_SOON)


def test_pdu_overdue_counts_by_team(org, frozen_clock, hand_set_queue):
    counts = {
        c.team.code: (c.overdue, c.open) for c in selectors.pdu_overdue_counts(actor=org.admin.user, pdu_code="N07P1")
    }
    assert counts == {"N07T01": (4, 8), "N07T02": (1, 2)}  # the restricted case is hidden from the administrator too


def test_work_item_list_overdue_filter_leaves_out_cases_the_actor_cannot_see(org, frozen_clock, hand_set_queue):
    visible, _hidden = hand_set_queue
    items = selectors.work_item_list(actor=org.po.user, overdue=True)
    assert sorted(i.due_date for i in items) == [D(2026, 11, 10), YESTERDAY, YESTERDAY, YESTERDAY]
    assert {i.person_id for i in items} == {visible.pk}


@pytest.mark.parametrize(
    ("owner", "count", "expected"),
    [
        ("N07A001", "overdue", [D(2026, 11, 10), YESTERDAY]),
        ("N07A001", "due_soon", [TODAY, TOMORROW, LAST_DUE_SOON]),
        ("N07A001", "open", [D(2026, 11, 10), YESTERDAY, TODAY, TOMORROW, LAST_DUE_SOON, FIRST_AFTER_DUE_SOON]),
        ("N07A002", "overdue", [YESTERDAY]),
        ("none", "overdue", [YESTERDAY]),
        ("N07B001", "overdue", []),  # another team's practitioner: not in this team's queue
    ],
    ids=["po.overdue", "po.due_soon", "po.open", "po2.overdue", "nobody.overdue", "other_team.nothing"],
)
def test_team_queue_items_are_the_items_behind_each_count(org, frozen_clock, hand_set_queue, owner, count, expected):
    items = selectors.team_queue_items(actor=org.spo.user, team=org.team_a, owner_code=owner, count=count)
    assert [i.due_date for i in items] == expected
    assert all(i.overdue == (i.due_date < TODAY) for i in items)


# ---- an outcome recorded later on a contact (contact_update) -------------------------------------------------------

BOOKED_AT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # an hour after the frozen clock: no outcome yet
AFTERWARDS = dt.datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def first_appointment_open(org: Org) -> Person:
    person = new_person(org)
    sentence(org, person, practitioner=PO)
    WorkItem.objects.filter(person=person).exclude(kind="first_appointment").delete()
    return person


def high_rosh_home_visit_open(org: Org) -> Person:
    person = allocated(org)
    registration_add(actor=org.po.user, person=person, code="RHRH", start_date=D(2026, 11, 10))
    return person


OUTCOME_LATER_CASES = [
    (
        "first_appointment_attended.closes_first_appointment_and_starts_sentence_plan_and_monthly_contact",
        first_appointment_open,
        "office_appointment",
        "attended_complied",
        {("sentence_plan", D(2026, 12, 15), PO), ("monthly_contact", D(2026, 12, 24), PO)},
    ),
    (
        "home_visit_attended.closes_the_visit_and_books_the_next",
        high_rosh_home_visit_open,
        "home_visit",
        "attended_complied",
        {("home_visit", D(2027, 2, 24), PO)},
    ),
    (
        "appointment_missed.follow_up_in_5_working_days",
        allocated,
        "office_appointment",
        "failed_to_attend_unacceptable",
        {("non_attendance_follow_up", D(2026, 12, 1), PO)},
    ),
    (
        "acceptable_absence.nothing",
        high_rosh_home_visit_open,
        "home_visit",
        "failed_to_attend_acceptable",
        {("home_visit", D(2026, 11, 24), PO)},
    ),
]


def _book(org: Org, person: Person, type: str):
    return contact_record(actor=org.po.user, person=person, type=type, date=BOOKED_AT)


@pytest.mark.parametrize(
    ("setup", "type", "outcome", "expected"),
    [c[1:] for c in OUTCOME_LATER_CASES],
    ids=[c[0] for c in OUTCOME_LATER_CASES],
)
def test_an_outcome_recorded_later_has_the_same_work_item_effects_as_recording_it_at_once(
    org, frozen_clock, monkeypatch, setup, type, outcome, expected
):
    at_once = setup(org)
    contact_record(
        actor=org.po.user, person=at_once, type=type, date=dt.datetime(2026, 11, 24, 11, 0, tzinfo=UTC), outcome=outcome
    )
    assert open_items(at_once) == expected

    later = setup(org)
    booked = _book(org, later, type)
    before = open_items(later)
    assert {kind for kind, _, _ in before} <= {"first_appointment", "home_visit"}  # booking alone does nothing
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    contact_update(
        actor=org.po.user, person=later, contact_id=booked.pk, version=booked.version, changes={"outcome": outcome}
    )
    assert open_items(later) == expected


def test_setting_the_same_outcome_again_has_no_further_effect(org, frozen_clock, monkeypatch):
    person = high_rosh_home_visit_open(org)
    booked = _book(org, person, "home_visit")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    contact = contact_update(
        actor=org.po.user, person=person, contact_id=booked.pk, version=1, changes={"outcome": "attended_complied"}
    )
    next_visit = _item(person, "home_visit")
    # The same outcome again (no change), then a correction away and back: the visit is counted once.
    for outcome in ("attended_complied", "rescheduled", "attended_complied"):
        contact = contact_update(
            actor=org.po.user,
            person=person,
            contact_id=contact.pk,
            version=contact.version,
            changes={"outcome": outcome},
        )
    assert contact.version == 4
    assert open_items(person) == {("home_visit", D(2027, 2, 24), PO)}
    assert _item(person, "home_visit").pk == next_visit.pk
    assert WorkItem.objects.filter(person=person, kind="home_visit", status="done").count() == 1


def test_a_missed_appointment_recorded_twice_makes_one_follow_up(org, frozen_clock, monkeypatch):
    person = allocated(org)
    booked = _book(org, person, "office_appointment")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    contact = booked
    for outcome in ("failed_to_attend_unacceptable", "rescheduled", "failed_to_attend_unacceptable"):
        contact = contact_update(
            actor=org.po.user,
            person=person,
            contact_id=contact.pk,
            version=contact.version,
            changes={"outcome": outcome},
        )
        if outcome == "failed_to_attend_unacceptable" and contact.version == 2:
            work_item_complete(actor=org.po.user, item_id=_item(person, "non_attendance_follow_up").pk)
    assert WorkItem.objects.filter(person=person, kind="non_attendance_follow_up").count() == 1


def test_a_missed_appointment_corrected_to_attended_closes_the_first_appointment(org, frozen_clock):
    person = first_appointment_open(org)
    contact = contact_record(
        actor=org.po.user,
        person=person,
        type="office_appointment",
        date=dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        outcome="failed_to_attend_unacceptable",
    )
    contact_update(
        actor=org.po.user, person=person, contact_id=contact.pk, version=1, changes={"outcome": "attended_complied"}
    )
    assert open_items(person) == {
        ("non_attendance_follow_up", D(2026, 12, 1), PO),  # made by the first outcome; cancel it if it was wrong
        ("sentence_plan", D(2026, 12, 15), PO),
        ("monthly_contact", D(2026, 12, 24), PO),
    }


def test_what_was_done_is_kept_on_the_record_not_read_from_the_audit_trail(org, frozen_clock, monkeypatch):
    person = first_appointment_open(org)
    booked = _book(org, person, "office_appointment")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    contact_update(
        actor=org.po.user, person=person, contact_id=booked.pk, version=1, changes={"outcome": "attended_complied"}
    )
    assert WorkItem.objects.get(person=person, kind="first_appointment").attended_clock_started
    applied = ContactOutcomeApplied.objects.filter(contact_id=booked.pk)
    assert list(applied.values_list("outcome", flat=True)) == ["attended_complied"]


def test_the_migration_fills_in_what_was_done_by_the_rules_that_applied_before(org, frozen_clock, monkeypatch):
    """Before the record kept it: a first appointment's clock had started if a "first appointment attended" item was
    made after it; a contact's outcome had had its effects if the contact was ever recorded or updated with it."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "openprobation.workitems.migrations.0002_work_item_decisions_record_what_was_done"
    )
    person = first_appointment_open(org)
    booked = _book(org, person, "office_appointment")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)
    for outcome in ("attended_complied", "rescheduled", "failed_to_attend_unacceptable"):
        booked = contact_update(
            actor=org.po.user, person=person, contact_id=booked.pk, version=booked.version, changes={"outcome": outcome}
        )
    kept = set(ContactOutcomeApplied.objects.values_list("contact_id", "outcome"))
    assert kept == {(booked.pk, "attended_complied"), (booked.pk, "failed_to_attend_unacceptable")}
    ContactOutcomeApplied.objects.all().delete()
    WorkItem.objects.update(attended_clock_started=False)

    migration.record_what_was_done(apps, None)

    assert set(ContactOutcomeApplied.objects.values_list("contact_id", "outcome")) == kept
    assert WorkItem.objects.get(person=person, kind="first_appointment").attended_clock_started
    assert not WorkItem.objects.filter(attended_clock_started=True).exclude(kind="first_appointment").exists()


def test_an_outcome_recorded_later_is_one_transaction_with_its_work_items(org, frozen_clock, monkeypatch):
    person = first_appointment_open(org)
    booked = _book(org, person, "office_appointment")
    monkeypatch.setattr(clock, "now", lambda: AFTERWARDS)

    def fail(**kwargs):
        raise RuntimeError("work items failed")

    monkeypatch.setattr(generate, "on_contact_recorded", fail)
    with pytest.raises(RuntimeError):
        contact_update(
            actor=org.po.user, person=person, contact_id=booked.pk, version=1, changes={"outcome": "attended_complied"}
        )
    booked.refresh_from_db()
    assert (booked.outcome, booked.version) == ("", 1)
    assert not AuditEvent.objects.filter(crn=person.crn, action="contact.updated").exists()


# ---- ending a registration that called for home visits -------------------------------------------------------------

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


# ---- the first appointment starts the sentence-plan and contact clocks, by either route, once ----------------------

SENTENCE_PLAN_AND_CONTACT = {("sentence_plan", D(2026, 12, 15), PO), ("monthly_contact", D(2026, 12, 24), PO)}


def _attend(org: Org, person: Person, type: str = "office_appointment", hour: int = 10):
    return contact_record(
        actor=org.po.user,
        person=person,
        type=type,
        date=dt.datetime(2026, 11, 24, hour, 0, tzinfo=UTC),
        outcome="attended_complied",
    )


FIRST_APPOINTMENT_ROUTES = [
    (
        "marked_done_by_hand",
        lambda org, p: work_item_complete(
            actor=org.po.user, item_id=_item(p, "first_appointment").pk, completed_on=D(2026, 11, 24)
        ),
    ),
    ("attended_office_appointment", lambda org, p: _attend(org, p, "office_appointment")),
    ("attended_home_visit", lambda org, p: _attend(org, p, "home_visit")),
    ("attended_video", lambda org, p: _attend(org, p, "video")),
]


@pytest.mark.parametrize(
    "route", [r[1] for r in FIRST_APPOINTMENT_ROUTES], ids=[r[0] for r in FIRST_APPOINTMENT_ROUTES]
)
def test_first_appointment_done_starts_the_sentence_plan_and_monthly_contact_clocks(org, frozen_clock, route):
    person = first_appointment_open(org)
    route(org, person)
    assert WorkItem.objects.get(person=person, kind="first_appointment").status == "done"
    assert open_items(person) == SENTENCE_PLAN_AND_CONTACT
    plan = _item(person, "sentence_plan")
    assert (plan.trigger, plan.clock_started_on) == ("first_appointment_attended", D(2026, 11, 24))


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (FIRST_APPOINTMENT_ROUTES[0][1], lambda org, p: _attend(org, p, hour=11)),
        (FIRST_APPOINTMENT_ROUTES[1][1], lambda org, p: _attend(org, p, hour=11)),
        (FIRST_APPOINTMENT_ROUTES[1][1], lambda org, p: _attend(org, p, "video", hour=11)),
    ],
    ids=["by_hand_then_attended_contact", "attended_then_attended_again", "attended_then_video"],
)
def test_the_first_appointment_clock_starts_exactly_once(org, frozen_clock, first, then):
    person = first_appointment_open(org)
    first(org, person)
    then(org, person)
    assert WorkItem.objects.filter(person=person, kind="sentence_plan").count() == 1
    assert WorkItem.objects.filter(person=person, kind="first_appointment").count() == 1
    assert _item(person, "sentence_plan").due_date == D(2026, 12, 15)


def test_a_first_appointment_done_before_the_clock_was_started_is_started_by_the_next_attended_contact(
    org, frozen_clock
):
    """A first appointment marked done when that did not start the clock (before this was fixed): the next attended
    contact starts it from the day the first appointment was done, once."""
    person = first_appointment_open(org)
    WorkItem.objects.filter(person=person, kind="first_appointment").update(status="done", closed_on=D(2026, 11, 20))
    _attend(org, person)
    # 15 working days after Friday 20 November; the monthly contact made from 20 November is closed by this
    # (face-to-face) contact and the next one booked a month on.
    assert open_items(person) == {("sentence_plan", D(2026, 12, 11), PO), ("monthly_contact", D(2026, 12, 24), PO)}
    _attend(org, person, hour=11)
    assert WorkItem.objects.filter(person=person, kind="sentence_plan").count() == 1


def test_an_attended_contact_before_the_sentence_is_not_its_first_appointment(org, frozen_clock):
    person = first_appointment_open(org)  # sentenced Friday 20 November
    contact_record(
        actor=org.po.user,
        person=person,
        type="office_appointment",
        date=dt.datetime(2026, 11, 19, 10, 0, tzinfo=UTC),
        outcome="attended_complied",
    )
    assert open_items(person) == {("first_appointment", D(2026, 11, 27), PO)}


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

    monkeypatch.setattr(generate, "on_first_appointment_done", fail)
    with pytest.raises(RuntimeError):
        work_item_complete(actor=org.po.user, item_id=item.pk)
    item.refresh_from_db()
    assert item.status == "open"
    assert not AuditEvent.objects.filter(crn=person.crn, action="work_item.done", entity_id=str(item.pk)).exists()


# ---- a release on licence from custody ------------------------------------------------------------------------------


def custody(org: Org, person: Person, release: D | None = None) -> Event:
    return event_create(
        actor=org.admin.user,
        person=person,
        offence_code="00101",
        conviction_date=D(2025, 6, 2),
        sentence_date=D(2025, 6, 2),
        sentence_type="custody",
        length_months=36,
        release_date=release,
        practitioner=PO,
    )


def _release(org: Org, person: Person, event: Event, on: D) -> Event:
    event.refresh_from_db()
    return event_update(
        actor=org.po.user, person=person, number=event.number, version=event.version, changes={"release_date": on}
    )


CUSTODY_RELEASE_CASES = [
    (
        "release_date_recorded_with_the_sentence.first_appointment_next_working_day",
        lambda org, p: custody(org, p, release=D(2026, 11, 20)),
        {("first_appointment", D(2026, 11, 23), PO)},
    ),
    (
        "released_on_christmas_eve.due_after_christmas_and_the_boxing_day_substitute",
        lambda org, p: custody(org, p, release=D(2026, 12, 24)),
        {("first_appointment", D(2026, 12, 29), PO)},
    ),
    ("no_release_date.nothing_under_ps2021", lambda org, p: custody(org, p), set()),
    (
        "release_date_added_later_by_update",
        lambda org, p: _release(org, p, custody(org, p), D(2026, 11, 20)),
        {("first_appointment", D(2026, 11, 23), PO)},
    ),
    (
        "release_date_changed_while_the_first_appointment_is_open.re_dated_from_the_new_date",
        lambda org, p: _release(org, p, custody(org, p, release=D(2026, 11, 20)), D(2026, 11, 24)),
        {("first_appointment", D(2026, 11, 25), PO)},
    ),
]


@pytest.mark.parametrize(
    ("build", "expected"), [c[1:] for c in CUSTODY_RELEASE_CASES], ids=[c[0] for c in CUSTODY_RELEASE_CASES]
)
def test_release_on_licence_from_custody_makes_the_first_appointment_due(org, frozen_clock, build, expected):
    person = new_person(org)
    build(org, person)
    assert open_items(person) == expected
    for item in WorkItem.objects.filter(person=person):
        assert (item.trigger, item.rule_id) == ("sentence_licence_release", "first_appointment.licence")


def test_the_licence_release_clock_starts_once_per_release_date(org, frozen_clock):
    person = new_person(org)
    event = custody(org, person, release=D(2026, 11, 20))
    work_item_complete(actor=org.po.user, item_id=_item(person, "first_appointment").pk)
    event.refresh_from_db()
    event_update(actor=org.po.user, person=person, number=1, version=event.version, changes={"length_months": 48})
    assert WorkItem.objects.filter(person=person, kind="first_appointment").count() == 1  # no new release date

    _release(org, person, event, D(2026, 11, 23))  # a corrected date starts its own clock
    assert {
        (i.due_date, i.clock_started_on)
        for i in WorkItem.objects.filter(person=person, status="open", kind="first_appointment")
    } == {(D(2026, 11, 24), D(2026, 11, 23))}
    work_item_complete(actor=org.po.user, item_id=_item(person, "first_appointment").pk)
    _release(org, person, event, D(2026, 11, 20))  # back to a date whose clock has already started: nothing
    assert WorkItem.objects.filter(person=person, kind="first_appointment").count() == 2
    assert not WorkItem.objects.filter(person=person, kind="first_appointment", status="open").exists()


def test_a_moved_release_date_re_dates_the_open_first_appointment(org, frozen_clock):
    person = new_person(org)
    event = custody(org, person, release=D(2026, 11, 20))
    first = _item(person, "first_appointment")
    assert (first.clock_started_on, first.due_date) == (D(2026, 11, 20), D(2026, 11, 23))
    _release(org, person, event, D(2026, 11, 27))  # release put back a week before the first appointment was done
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert first.cancel_reason == "Release date changed from 20 November 2026 to 27 November 2026"
    assert AuditEvent.objects.filter(action="work_item.cancelled", entity_id=first.pk).exists()
    # Friday 27 November 2026: one working day later is Monday 30 November
    assert {
        (i.clock_started_on, i.due_date)
        for i in WorkItem.objects.filter(person=person, status="open", kind="first_appointment")
    } == {(D(2026, 11, 27), D(2026, 11, 30))}


def _release_items(person: Person) -> set[tuple[str, D, str]]:
    return {
        (i.status, i.clock_started_on, i.cancel_reason)
        for i in WorkItem.objects.filter(person=person, trigger="sentence_licence_release", kind="first_appointment")
    }


def _licence(org: Org, person: Person, release: D) -> Event:
    sentence(org, person, sentence_type="licence", on=D(2026, 11, 2), release=release, practitioner=PO)
    return Event.objects.get(person=person)


RELEASE_MOVES = [
    (
        "custody.moved_and_moved_back.the_first_date_is_owed_again",
        lambda org, p: _release(org, p, _release(org, p, custody(org, p, release=D(2026, 11, 20)), D(2026, 11, 27)),
                                D(2026, 11, 20)),
        {
            ("cancelled", D(2026, 11, 20), "Release date changed from 20 November 2026 to 27 November 2026"),
            ("cancelled", D(2026, 11, 27), "Release date changed from 27 November 2026 to 20 November 2026"),
            ("open", D(2026, 11, 20), ""),
        },
    ),
    (
        "custody.release_date_cleared.nothing_left_open",
        lambda org, p: _release(org, p, custody(org, p, release=D(2026, 11, 20)), None),
        {("cancelled", D(2026, 11, 20),
          "No release on 20 November 2026 any more (release date cleared or sentence type changed)")},
    ),
    (
        "licence.release_moved.re_dated_like_custody",
        lambda org, p: _release(org, p, _licence(org, p, D(2026, 11, 20)), D(2026, 12, 10)),
        {
            ("cancelled", D(2026, 11, 20), "Release date changed from 20 November 2026 to 10 December 2026"),
            ("open", D(2026, 12, 10), ""),
        },
    ),
]


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in RELEASE_MOVES], ids=[c[0] for c in RELEASE_MOVES])
def test_the_release_clock_follows_the_release_date(org, frozen_clock, build, expected):
    person = new_person(org)
    build(org, person)
    assert _release_items(person) == expected
    cancelled = WorkItem.objects.filter(person=person, status="cancelled").values_list("pk", flat=True)
    audited = AuditEvent.objects.filter(action="work_item.cancelled").values_list("entity_id", flat=True)
    assert {str(pk) for pk in cancelled} <= {str(e) for e in audited}


def test_a_release_date_update_is_one_transaction_with_its_work_items(org, frozen_clock, monkeypatch):
    person = new_person(org)
    event = custody(org, person)

    def fail(**kwargs):
        raise RuntimeError("work items failed")

    monkeypatch.setattr(generate, "on_release_date_changed", fail)
    with pytest.raises(RuntimeError):
        _release(org, person, event, D(2026, 11, 20))
    event.refresh_from_db()
    assert (event.release_date, event.version) == (None, 1)


# ---- cancelling: not the items closed by their own record; the countersignature only by an SPO --------------------

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


# ---- what pages offer is what the service does ---------------------------------------------------------------------


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
