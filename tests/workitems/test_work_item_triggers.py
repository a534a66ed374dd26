"""Work items made by events in the record: each trigger a named case, through the services; and the preset in
force on the day each clock starts.

The clock is frozen at Tuesday 24 November 2026 (tests/workitems/support.py lists the working days around it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from openprobation.contacts.services import contact_record
from openprobation.core.models import AuditEvent
from openprobation.people.models import Person
from openprobation.people.services import relationship_add, relationship_update
from openprobation.risk.services import registration_add
from openprobation.safeguarding.services import rosh_assessment_complete, rosh_assessment_start
from openprobation.sentences.services import event_allocate, event_create
from openprobation.workitems.models import WorkItem
from openprobation.workitems.services import (
    reporting_frequency_request,
)
from tests.factories import Org
from tests.workitems.support import (
    PO,
    SPO,
    UTC,
    D,
    allocated,
    new_person,
    open_items,
    sentence,
)

pytestmark = pytest.mark.django_db


TRIGGER_CASES: list[tuple[str, Callable[[Org], Person], set[tuple[str, D, str | None]]]] = [
    (
        "sentence_community.unallocated_order_friday_20_november",
        lambda org: (p := new_person(org), sentence(org, p))[0],
        {
            ("allocation", D(2026, 11, 24), SPO),  # 2 working days, owed by the team's SPO
            # a working day before allocation: the SPO owes the practitioner's items until someone holds the case
            ("rosh_screening", D(2026, 11, 23), SPO),
            ("police_da_check", D(2026, 11, 24), SPO),
            ("childrens_services_check", D(2026, 11, 24), SPO),
            ("first_appointment", D(2026, 11, 27), SPO),  # PS SL004: 5 working days
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
        "appointment_missed.follow_up_in_5_working_days_and_enforcement_decision_in_7_days",
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
        {("non_attendance_follow_up", D(2026, 12, 1), PO), ("enforcement_decision", D(2026, 12, 1), PO)},
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
        "timescales-ps2021-v5",
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
    assert (item.due_date, item.policy_version, item.owner) == (D(2026, 11, 30), "timescales-contracts-2014-v5", org.po)


PRESET_IN_FORCE = [
    ("sentenced_25_june_2021.last_day_of_the_2014_contracts", D(2021, 6, 25), "timescales-contracts-2014-v5"),
    ("sentenced_26_june_2021.first_day_of_the_probation_service", D(2021, 6, 26), "timescales-ps2021-v5"),
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
