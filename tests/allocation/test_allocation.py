"""The allocation screen (allocation/selectors.py, allocation/services.py): a team's unallocated cases, the
practitioners of the team and its PDU ordered by the grade policy then lowest capacity, allocation and reallocation
under the same figures, and the team's cases that need reallocating."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from openprobation.allocation import selectors, services
from openprobation.allocation.models import AllocationDecision
from openprobation.core.errors import NotFound, PermissionDenied, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.organisation.models import Staff
from openprobation.people.models import Person
from openprobation.people.services import person_create
from openprobation.risk.models import Registration
from openprobation.sentences.models import Allocation
from openprobation.sentences.services import event_create
from openprobation.workitems.models import WorkItem
from openprobation.workload import selectors as workload_selectors
from openprobation.workload.models import StaffNotice
from openprobation.workload.services import reduction_add
from tests.factories import limit_access, make_person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)
_crns = iter(range(300001, 399999))


def unallocated(org, *, tier: str = "C2", rosh: str | None = None, sentence_type: str = "community_order") -> Person:
    """A case of team A with a sentence and no practitioner."""
    person = person_create(actor=org.admin.user, crn=f"U{next(_crns)}", first_name="Jo", last_name="Unallocated",
                           date_of_birth=dt.date(1980, 3, 1), gender="male", team=org.team_a.code)  # fmt: skip
    extra = {"release_date": dt.date(2026, 6, 1)} if sentence_type == "licence" else {}
    event_create(actor=org.admin.user, person=person, offence_code="00101", conviction_date=dt.date(2026, 11, 2),
                 sentence_date=dt.date(2026, 11, 2), sentence_type=sentence_type, length_months=12, **extra)
    Person.objects.filter(pk=person.pk).update(tier=tier)
    if rosh is not None:
        Registration.objects.create(person=person, code=rosh, start_date=dt.date(2026, 11, 2))
    person.refresh_from_db()
    return person


def _case(org, person, actor=None):
    return selectors.case_for_allocation(actor=(actor or org.spo).user, team=org.team_a, crn=person.crn)


def _candidates(org, person):
    return selectors.candidates(case=_case(org, person), team=org.team_a, on=TODAY)


def _allocate(org, person, staff, **more):
    return services.case_allocate(actor=org.spo.user, team=org.team_a, crn=person.crn, practitioner=staff.code,
                                  **more)  # fmt: skip


def test_the_teams_unallocated_cases_with_the_columns_the_spo_needs(org, frozen_clock):
    person = unallocated(org, tier="B2", rosh="RHRH")
    make_person(org)  # allocated: not listed
    (row,) = selectors.unallocated_cases(actor=org.spo.user, team=org.team_a)
    assert row.person.crn == person.crn and row.tier == "B2" and row.rosh == "high"
    assert row.history == "New to probation" and row.sentence.startswith("Community order, 12 months")
    assert row.case_type == "community" and row.checks_outstanding == 0
    assert row.check.rule == "rosh_high_or_very_high_needs_a_po"


def test_unallocated_work_items_belong_to_the_team_spo_until_allocated(org, frozen_clock):
    person = unallocated(org)
    items = WorkItem.objects.filter(person=person, status="open", owner_role="practitioner")
    assert items.exists() and set(items.values_list("owner_id", flat=True)) == {org.spo.pk}
    _allocate(org, person, org.po)
    assert set(items.values_list("owner_id", flat=True)) == {org.po.pk}


def test_practitioners_of_the_team_and_its_pdu_in_grade_order_then_lowest_capacity(org, frozen_clock):
    for _ in range(3):
        make_person(org, practitioner=org.po)  # PO in team A: higher capacity
    person = unallocated(org, tier="B2")  # tier B: a PO holds it
    found = _candidates(org, person)
    assert [c.staff.code for c in found] == [org.po_b.code, org.po.code, org.po2.code]  # PO, PO (busier), PSO
    assert [c.grade_fits for c in found] == [True, True, False]
    assert found[0].team == org.team_b  # a neighbouring team (same PDU)
    po = next(c for c in found if c.staff == org.po)
    (now,) = workload_selectors.workloads(staff=[org.po], on=TODAY)
    assert po.capacity == now.capacity_percent and po.by_type == {"community": 3, "licence": 0, "custody": 0}
    assert po.capacity_after > po.capacity and po.allocated_recently == 0


@pytest.mark.parametrize(
    ("tier", "rosh", "pso_fits"),
    [("C1", "RLRH", True), ("B1", "RLRH", False), ("C1", "RMRH", False), ("D0", "RLRH", True)],
    ids=["low_rosh_tier_c_pso_allowed", "low_rosh_tier_b_po_only", "medium_rosh_po_or_pqip", "low_rosh_tier_d"],
)
def test_the_grade_policy_at_its_boundaries_orders_the_pso(org, frozen_clock, tier, rosh, pso_fits):
    person = unallocated(org, tier=tier, rosh=rosh)
    pso = next(c for c in _candidates(org, person) if c.staff == org.po2)
    assert pso.grade_fits is pso_fits


def test_allocating_against_the_grade_policy_without_a_justification_is_refused_and_nothing_changes(org, frozen_clock):
    person = unallocated(org, tier="B2")
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _allocate(org, person, org.po2)
    assert [e.path for e in refused.value.errors] == [("justification",)]
    assert "Tier A or B: a probation officer holds the case" in refused.value.errors[0].message
    person.refresh_from_db()
    assert person.practitioner is None and not Allocation.objects.filter(event__person=person).exists()
    assert not AllocationDecision.objects.exists() and AuditEvent.objects.count() == audits
    decision = _allocate(org, person, org.po2, justification="The PSO knows the family well", instructions="Call")
    assert decision.against_grade_policy and decision.grade_rule == "tier_a_or_b_needs_a_po"
    assert (decision.justification, decision.instructions) == ("The PSO knows the family well", "Call")
    person.refresh_from_db()
    assert person.practitioner == org.po2


def test_allocating_over_the_capacity_threshold_needs_a_justification(org, frozen_clock):
    Staff.objects.filter(pk=org.po.pk).update(contracted_hours=Decimal("1.0"))  # 58 available points
    person = unallocated(org, tier="C3")  # 79 points of 58: 136.2%, over
    po = next(c for c in _candidates(org, person) if c.staff.code == org.po.code)
    assert po.over_after and po.capacity_after > 110
    with pytest.raises(ValidationFailed) as refused:
        _allocate(org, person, org.po)
    assert "over 110%" in refused.value.errors[0].message
    decision = _allocate(org, person, org.po, justification="Short-term, until the new starter joins")
    assert decision.over_capacity and decision.capacity_after == po.capacity_after


def test_an_excluded_practitioner_is_shown_as_excluded_and_cannot_be_chosen(org, frozen_clock):
    person = unallocated(org)
    limit_access(person=person, staff_code=org.po.code, kind="exclusion", reason="Knows the victim")
    po = next(c for c in _candidates(org, person) if c.staff == org.po)
    assert po.excluded and not po.choosable
    assert _candidates(org, person)[-1].staff == org.po  # listed last
    with pytest.raises(ValidationFailed) as refused:
        _allocate(org, person, org.po, justification="anything")
    assert "excluded" in refused.value.errors[0].message
    assert Person.objects.get(pk=person.pk).practitioner is None


def test_a_restricted_case_is_in_no_list_or_count_for_those_not_on_its_list(org, frozen_clock):
    person = unallocated(org)
    limit_access(person=person, staff_code=org.po.code, kind="restriction", reason="Staff member's relative")
    assert selectors.unallocated_cases(actor=org.spo.user, team=org.team_a) == []
    assert selectors.unallocated_count(actor=org.spo.user, team=org.team_a) == 0
    assert _case(org, person) is None
    with pytest.raises(NotFound):
        _allocate(org, person, org.po)
    assert [c.person for c in selectors.unallocated_cases(actor=org.admin.user, team=org.team_a)] == []


def test_only_the_teams_spo_or_an_administrator_allocates(org, frozen_clock):
    person = unallocated(org)
    for who in (org.po, org.qa):
        with pytest.raises(PermissionDenied):
            services.case_allocate(actor=who.user, team=org.team_a, crn=person.crn, practitioner=org.po.code)
    services.case_allocate(actor=org.admin.user, team=org.team_a, crn=person.crn, practitioner=org.po.code)


def test_reallocation_needs_a_reason_tells_the_previous_practitioner_and_keeps_the_history(org, frozen_clock):
    person = unallocated(org)
    _allocate(org, person, org.po, oversight_notes="Check in after the first appointment")
    with pytest.raises(ValidationFailed) as refused:
        _allocate(org, person, org.po_b, reallocate=True)
    assert [e.path for e in refused.value.errors] == [("reason",)]
    with pytest.raises(ValidationFailed):
        _allocate(org, person, org.po_b)  # already allocated: reallocate instead
    _allocate(org, person, org.po_b, reallocate=True, reason="Moved to Islington")
    person.refresh_from_db()
    assert person.practitioner == org.po_b and person.team == org.team_b
    notice = StaffNotice.objects.get(recipient=org.po)
    assert notice.kind == "reallocated" and "Moved to Islington" in notice.message and notice.crn == person.crn
    history = selectors.allocation_history(person=person)
    assert [(d.kind, d.practitioner, d.previous_practitioner) for d in history] == [
        ("reallocation", org.po_b, org.po), ("allocation", org.po, None)]
    assert list(Allocation.objects.filter(event__person=person).values_list("practitioner_id", "end_date")) == [
        (org.po_b.pk, None), (org.po.pk, TODAY)]


def test_cases_allocated_in_the_last_7_days_are_counted(org, frozen_clock):
    _allocate(org, unallocated(org), org.po)
    _allocate(org, unallocated(org), org.po)
    po = next(c for c in _candidates(org, unallocated(org)) if c.staff == org.po)
    assert po.allocated_recently == 2


def test_cases_that_need_reallocation(org, frozen_clock):
    left = make_person(org, practitioner=org.po, last_name="Left")
    excluded = make_person(org, practitioner=org.po2, last_name="Excluded")
    make_person(org, practitioner=org.po2, last_name="Fine")
    Staff.objects.filter(pk=org.po.pk).update(leaving_date=TODAY - dt.timedelta(days=1))
    limit_access(person=excluded, staff_code=org.po2.code, kind="exclusion", reason="Conflict of interest")
    found = {n.person.crn: n.reasons for n in selectors.needs_reallocation(actor=org.spo.user, team=org.team_a)}
    assert found == {left.crn: ["The practitioner left on 23 November 2026"],
                     excluded.crn: ["The practitioner is excluded from the case"]}  # fmt: skip
    # The leaving day itself is not passed yet; a 100% reduction (long-term sickness) is long-term absence.
    Staff.objects.filter(pk=org.po.pk).update(leaving_date=TODAY)
    reduction_add(actor=org.spo.user, staff_code=org.po2.code, reason="long_term_sickness", effective_from=TODAY)
    found = {n.person.crn: n.reasons for n in selectors.needs_reallocation(actor=org.spo.user, team=org.team_a)}
    assert left.crn not in found
    assert "long-term absence" in found[excluded.crn][-1] and len(found) == 2


# ---- pages and API --------------------------------------------------------------------------------------------


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_the_allocation_pages(org, frozen_clock):
    person = unallocated(org, tier="B2")
    client = _client(org.spo)
    listing = client.get(f"/team/{org.team_a.code}/allocations/").content.decode()
    assert person.crn in listing and "New to probation" in listing
    url = f"/team/{org.team_a.code}/allocations/{person.crn}/"
    page = client.get(url).content.decode()
    assert org.po2.name in page and "Tier A or B: a probation officer holds the case" in page
    refused = client.post(url, {"practitioner": org.po2.code})
    assert refused.status_code == 200 and 'href="#justification"' in refused.content.decode()
    assert Person.objects.get(pk=person.pk).practitioner is None
    saved = client.post(url, {"practitioner": org.po.code, "instructions": "Book the first appointment"})
    assert saved.status_code == 302
    assert Person.objects.get(pk=person.pk).practitioner == org.po
    assert _client(org.po).get(url).status_code in (403, 404)


def _api(username: str):
    client = Client()
    headers = {"Authorization": f"Bearer {token_create(username=username)}"}

    def call(method: str, path: str, body: dict | None = None):
        if method == "get":
            return client.get(f"/api/v1{path}", headers=headers)
        return client.post(f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers)

    return call


def test_the_api_allocates_and_reallocates_under_the_same_rules(org, frozen_clock):
    person = unallocated(org, tier="B2")
    spo = _api("spo")
    team = org.team_a.code
    (row,) = spo("get", f"/teams/{team}/unallocated-cases").json()
    assert row["crn"] == person.crn and row["grade_rule"] == "tier_a_or_b_needs_a_po"
    offered = spo("get", f"/teams/{team}/cases/{person.crn}/practitioners").json()
    assert {p["staff_code"] for p in offered[:2]} == {org.po_b.code, org.po.code}  # the POs, both at 0%
    assert offered[2]["staff_code"] == org.po2.code and offered[2]["grade_fits"] is False
    refused = spo("post", f"/teams/{team}/cases/{person.crn}/allocation", {"practitioner": org.po2.code})
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["justification"]
    assert _api("po")("post", f"/teams/{team}/cases/{person.crn}/allocation",
                      {"practitioner": org.po.code}).status_code == 403  # fmt: skip
    made = spo("post", f"/teams/{team}/cases/{person.crn}/allocation", {"practitioner": org.po.code})
    assert made.status_code == 201 and made.json()["practitioner"] == org.po.code
    moved = spo("post", f"/teams/{team}/cases/{person.crn}/reallocation",
                {"practitioner": org.po_b.code, "reason": "Caseload balance"})  # fmt: skip
    assert moved.status_code == 201 and moved.json()["previous_practitioner"] == org.po.code
    mine = _api("hos")("get", f"/staff/{org.po_b.code}/workload").json()  # the head of service sees the PDU
    assert mine["case_count"] == 1
    assert spo("get", f"/teams/{team}/needs-reallocation").json() == []


def test_the_previous_practitioner_sees_the_notice_on_whats_due_and_marks_it_read(org, frozen_clock):
    person = unallocated(org)
    _allocate(org, person, org.po)
    _allocate(org, person, org.po2, reallocate=True, reason="Language needs")
    client = _client(org.po)
    page = client.get("/whats-due/").content.decode()
    assert f"Case {person.crn} has been reallocated from you to {org.po2.name}: Language needs" in page
    notice = StaffNotice.objects.get(recipient=org.po)
    assert _client(org.po2).post(f"/notices/{notice.pk}/read/").status_code == 404  # not theirs
    assert client.post(f"/notices/{notice.pk}/read/").status_code == 302
    assert "Language needs" not in client.get("/whats-due/").content.decode()
