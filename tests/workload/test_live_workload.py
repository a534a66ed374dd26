"""Live workload (workload/selectors.py): each practitioner's points and capacity read from the record when asked,
so a change to a case, a tier, an allocation or a reduction shows at once; reductions in hours (workload/services.py)
recorded by the team's SPO or an administrator, each within the workload policy's rules; the team and staff pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from openprobation.core.errors import PermissionDenied, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.people.models import Person
from openprobation.rules.calculators import calculate
from openprobation.sentences.models import Event
from openprobation.workload import selectors, services
from openprobation.workload.models import WorkloadReduction
from tests.factories import make_person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


def _tiered(org, tier: str, **more) -> Person:
    person = make_person(org, **more)
    Person.objects.filter(pk=person.pk).update(tier=tier)
    return person


def _workload(staff):
    (found,) = selectors.workloads(staff=[staff], on=TODAY)
    return found


def test_a_practitioners_workload_is_the_calculators_answer_for_the_cases_they_hold(org, frozen_clock):
    _tiered(org, "C2")  # community order (make_person), born 1990: not T2A
    _tiered(org, "B2")
    licence = _tiered(org, "A3")
    Event.objects.filter(person=licence).update(sentence_type="licence", release_date=dt.date(2026, 1, 5))
    _tiered(org, "")  # untiered: 0 points
    expected = calculate("workload", {
        "grade": "PO", "contracted_hours": "37", "reduction_hours": "0", "reports": [],
        "cases": [{"tier": "C2", "case_type": "community"}, {"tier": "B2", "case_type": "community"},
                  {"tier": "A3", "case_type": "licence"}, {"tier": None, "case_type": "community"}],
    })  # fmt: skip
    found = _workload(org.po)
    assert found.case_count == 4
    assert (found.total_points, found.available_points) == (expected["total_points"], expected["available_points"])
    assert found.total_points == 63 + 115 + 219  # C2 and B2 community, A3 licence (policy/workload.toml)
    assert found.capacity_percent == Decimal(str(expected["capacity_percent"]))


def test_a_case_with_no_active_event_and_a_grade_with_no_target_count_nothing(org, frozen_clock):
    person = _tiered(org, "C2")
    Event.objects.filter(person=person).update(termination_date=dt.date(2026, 10, 1))
    assert (_workload(org.po).case_count, _workload(org.po).total_points) == (0, 0)
    hos = _workload(org.hos)  # grade "other"
    assert (hos.capacity_percent, hos.total_points, hos.over_capacity) == (None, None, False)


def test_a_young_adult_is_scored_on_the_t2a_table(org, frozen_clock):
    person = _tiered(org, "C2")
    Person.objects.filter(pk=person.pk).update(date_of_birth=dt.date(2004, 1, 1))  # 22 on 24 November 2026
    expected = calculate("workload", {"grade": "PO", "contracted_hours": "37", "reduction_hours": "0", "reports": [],
                                      "cases": [{"tier": "C2", "case_type": "community", "t2a": True}]})
    assert _workload(org.po).total_points == expected["total_points"]


def test_a_reduction_lowers_available_points_from_its_first_day_until_its_last(org, frozen_clock):
    _tiered(org, "C2")
    before = _workload(org.po).available_points
    services.reduction_add(actor=org.spo.user, staff_code=org.po.code, reason="vq3", effective_from=TODAY,
                           effective_to=dt.date(2026, 12, 31))  # 5% of 37 hours: 1.85
    reduction = WorkloadReduction.objects.get(staff=org.po)
    assert reduction.hours == Decimal("1.85")
    after = _workload(org.po)
    assert after.reduction_hours == Decimal("1.85")
    assert after.available_points == int(Decimal(2176) * (Decimal(37) - Decimal("1.85")) / 37) < before
    (later,) = selectors.workloads(staff=[org.po], on=dt.date(2027, 1, 1))
    assert later.available_points == before
    assert AuditEvent.objects.filter(action="workload.reduction_added", entity_id=str(reduction.pk)).exists()


REFUSED = [
    ("hours_above_contracted", {"reason": "other_leave", "hours": Decimal("38")}, "hours"),
    ("above_the_reasons_maximum", {"reason": "spoc_lead", "hours": Decimal("2")}, "hours"),  # 5% of 37 = 1.85
    ("unknown_reason", {"reason": "holiday", "hours": Decimal("1")}, "reason"),
    ("ends_before_it_starts", {"reason": "vq3", "effective_to": dt.date(2026, 11, 1)}, "effective_to"),
    ("no_allowance_and_no_hours", {"reason": "trade_union_facility_time"}, "hours"),
    ("three_decimal_places", {"reason": "other_leave", "hours": Decimal("1.125")}, "hours"),
]


@pytest.mark.parametrize(("changes", "field"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_reduction_the_rules_refuse_is_a_field_error_and_nothing_is_saved(org, frozen_clock, changes, field):
    with pytest.raises(ValidationFailed) as raised:
        services.reduction_add(actor=org.spo.user, staff_code=org.po.code, effective_from=TODAY,
                               **{"reason": "vq3", **changes})  # fmt: skip
    assert field in [e.dotted for e in raised.value.errors]
    assert not WorkloadReduction.objects.exists()


def test_reductions_together_may_not_exceed_the_contracted_hours(org, frozen_clock):
    services.reduction_add(actor=org.spo.user, staff_code=org.po.code, reason="other_leave", hours=Decimal("30"),
                           effective_from=TODAY, effective_to=dt.date(2026, 12, 4))  # fmt: skip
    with pytest.raises(ValidationFailed) as raised:
        services.reduction_add(actor=org.spo.user, staff_code=org.po.code, reason="other_leave", hours=Decimal("8"),
                               effective_from=dt.date(2026, 12, 4))  # fmt: skip
    assert "38 hours reduced on 4 December 2026" in raised.value.errors[0].message
    # the day after the first one ends, 8 hours is fine
    services.reduction_add(actor=org.spo.user, staff_code=org.po.code, reason="other_leave", hours=Decimal("8"),
                           effective_from=dt.date(2026, 12, 5))  # fmt: skip
    assert WorkloadReduction.objects.count() == 2


@pytest.mark.parametrize(("who", "allowed"), [("spo", True), ("admin", True), ("po", False), ("hos", False)])
def test_only_the_teams_spo_or_an_administrator_records_reductions(org, frozen_clock, who, allowed):
    actor = getattr(org, who).user
    if allowed:
        services.reduction_add(actor=actor, staff_code=org.po.code, reason="vq3", effective_from=TODAY)
        assert WorkloadReduction.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.reduction_add(actor=actor, staff_code=org.po.code, reason="vq3", effective_from=TODAY)
        assert not WorkloadReduction.objects.exists()


def test_another_teams_spo_cannot_record_a_reduction(org, frozen_clock):
    with pytest.raises(PermissionDenied):
        services.reduction_add(actor=org.spo.user, staff_code=org.po_b.code, reason="vq3", effective_from=TODAY)


def test_ending_a_reduction(org, frozen_clock):
    reduction = services.reduction_add(actor=org.spo.user, staff_code=org.po.code, reason="vq3",
                                       effective_from=TODAY)  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.reduction_end(actor=org.spo.user, reduction_id=reduction.pk, last_day=dt.date(2026, 11, 1))
    services.reduction_end(actor=org.spo.user, reduction_id=reduction.pk, last_day=dt.date(2026, 11, 30))
    reduction.refresh_from_db()
    assert reduction.effective_to == dt.date(2026, 11, 30)


# ---- pages -----------------------------------------------------------------------------------------------------


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_the_team_page_shows_each_practitioners_capacity_with_a_chart(org, frozen_clock):
    for _ in range(3):
        _tiered(org, "A3")
    page = _client(org.spo).get(f"/team/{org.team_a.code}/").content.decode()
    table = page.split('id="workloads"')[1].split("</table>")[0]
    po = _workload(org.po)
    assert f"{po.capacity_percent}%" in table and str(po.total_points) in table
    assert f'/team/{org.team_a.code}/staff/{org.po.code}/workload/' in table
    assert '<svg class="app-capacity"' in table and 'x="110"' in table  # the threshold line at 110%
    assert "style=" not in table  # no inline styles (the content security policy forbids them)


def test_the_spo_adds_a_reduction_on_the_page_and_sees_the_capacity_change(org, frozen_clock):
    _tiered(org, "A3")
    client = _client(org.spo)
    url = f"/team/{org.team_a.code}/staff/{org.po.code}/reductions/new/"
    refused = client.post(url, {"reason": "other_leave", "hours": "99", "effective_from_day": "24",
                                "effective_from_month": "11", "effective_from_year": "2026"})  # fmt: skip
    assert refused.status_code == 200
    assert 'href="#hours">Reduction hours (99) cannot be more than the contracted hours' in refused.content.decode()
    assert not WorkloadReduction.objects.exists()
    saved = client.post(url, {"reason": "other_leave", "hours": "18.5", "effective_from_day": "24",
                              "effective_from_month": "11", "effective_from_year": "2026"})  # fmt: skip
    assert saved.status_code == 302
    page = client.get(f"/team/{org.team_a.code}/staff/{org.po.code}/workload/").content.decode()
    assert "18.50" in page and "Other leave" in page
    assert f"{_workload(org.po).capacity_percent}%" in page


def test_a_practitioner_cannot_open_the_reduction_form(org, frozen_clock):
    response = _client(org.po).get(f"/team/{org.team_a.code}/staff/{org.po.code}/reductions/new/")
    assert response.status_code in (403, 404)


# ---- API ---------------------------------------------------------------------------------------------------------


def _api(username: str):
    client = Client()
    headers = {"Authorization": f"Bearer {token_create(username=username)}"}

    def call(method: str, path: str, body: dict | None = None):
        if method == "get":
            return client.get(f"/api/v1{path}", headers=headers)
        return client.post(f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers)

    return call


def test_the_api_gives_the_same_workload_and_records_reductions_under_the_same_rules(org, frozen_clock):
    _tiered(org, "A3")
    spo = _api("spo")
    rows = {r["staff_code"]: r for r in spo("get", f"/teams/{org.team_a.code}/workload").json()}
    po = _workload(org.po)
    assert rows[org.po.code]["total_points"] == po.total_points
    assert Decimal(str(rows[org.po.code]["capacity_percent"])) == po.capacity_percent
    body = {"reason": "vq3", "effective_from": "2026-11-24"}
    made = spo("post", f"/staff/{org.po.code}/reductions", body)
    assert made.status_code == 201 and Decimal(str(made.json()["hours"])) == Decimal("1.85")
    too_many = spo("post", f"/staff/{org.po.code}/reductions", {**body, "reason": "other_leave", "hours": "36"})
    assert too_many.status_code == 422
    assert [e["field"] for e in too_many.json()["errors"]] == ["hours"]
    assert _api("po")("post", f"/staff/{org.po.code}/reductions", body).status_code == 403
    assert _api("pob")("get", f"/teams/{org.team_a.code}/workload").status_code == 403
    listed = spo("get", f"/staff/{org.po.code}/reductions").json()
    assert [r["reason"] for r in listed] == ["vq3"]
    ended = spo("post", f"/reductions/{listed[0]['id']}/end", {"last_day": "2026-11-30"})
    assert ended.status_code == 200 and ended.json()["effective_to"] == "2026-11-30"
