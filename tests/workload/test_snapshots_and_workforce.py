"""The weekly workload snapshot (workload.services.workload_snapshot, the ``weekly_workload_snapshot`` job): every
practitioner once a week, the sustained-overload alert raised to the SPO and the head of service after the
policy's weeks over and cleared when it ends, the team's trend and case mix; and the workforce record (grade,
hours, training stage, start and leaving dates) changed by the team's SPO or an administrator, audited."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from openprobation.core.errors import PermissionDenied, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.core.tokens import token_create
from openprobation.organisation.models import Staff
from openprobation.organisation.services import staff_workforce_update
from openprobation.people.models import Person
from openprobation.workload import selectors
from openprobation.workload.models import OverloadAlert, StaffNotice, WorkloadSnapshot
from openprobation.workload.services import workload_snapshot
from tests.factories import limit_access, make_person

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 2)


def _overloaded(org, cases: int = 3) -> None:
    """org.po at 1 contracted hour (58 points available) with tier A3 cases: far over 110%."""
    Staff.objects.filter(pk=org.po.pk).update(contracted_hours=Decimal("1.0"))
    for _ in range(cases):
        person = make_person(org)
        Person.objects.filter(pk=person.pk).update(tier="A3")


def _week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=n, days=2)  # a Wednesday


def test_the_snapshot_is_taken_once_a_week_for_every_practitioner(org):
    _overloaded(org, 1)
    first = workload_snapshot(on=_week(0))
    again = workload_snapshot(on=_week(0) + dt.timedelta(days=1))
    assert (first.week, first.taken, again.taken) == (MONDAY, 3, 0)  # po, po2, po_b; SPOs and others are not
    snap = WorkloadSnapshot.objects.get(staff=org.po, week=MONDAY)
    (now,) = selectors.workloads(staff=[Staff.objects.get(pk=org.po.pk)], on=_week(0))
    assert (snap.total_points, snap.available_points, snap.over_capacity) == (206, 58, True)
    assert Decimal(snap.capacity_tenths) / 10 == now.capacity_percent and snap.team == org.team_a


def test_four_weeks_over_raise_an_alert_to_the_spo_and_head_of_service_and_a_week_under_clears_it(org):
    _overloaded(org)
    for n in range(3):
        assert workload_snapshot(on=_week(n)).alerts_raised == 0
    assert workload_snapshot(on=_week(3)).alerts_raised == 1
    alert = OverloadAlert.objects.get(staff=org.po, cleared_at__isnull=True)
    assert alert.first_week == MONDAY
    notices = StaffNotice.objects.filter(alert=alert)
    assert {n.recipient for n in notices} == {org.spo, org.hos}
    assert "over 110% capacity for 4 consecutive weeks" in notices[0].message
    assert workload_snapshot(on=_week(4)).alerts_raised == 0  # still over: the one alert stays open
    Staff.objects.filter(pk=org.po.pk).update(contracted_hours=Decimal("37.0"))
    assert workload_snapshot(on=_week(5)).alerts_cleared == 1
    alert.refresh_from_db()
    assert alert.cleared_week == MONDAY + dt.timedelta(weeks=5)
    assert not StaffNotice.objects.filter(alert=alert, cleared_at__isnull=True).exists()


def test_the_team_page_shows_the_trend_case_mix_and_open_alerts(org):
    _overloaded(org)
    hidden = make_person(org)
    Person.objects.filter(pk=hidden.pk).update(tier="D1")
    limit_access(person=hidden, staff_code=org.po.code, kind="restriction", reason="Sensitive")
    for n in range(4):
        workload_snapshot(on=_week(n))
    trend = selectors.team_trend(team=org.team_a)
    assert [w.week for w in trend] == [MONDAY + dt.timedelta(weeks=n) for n in range(4)]
    assert trend[0].over_capacity == 1
    client = Client()
    client.force_login(org.spo.user)
    page = client.get(f"/team/{org.team_a.code}/").content.decode()
    mix = page.split('id="case-mix-table"')[1].split("</table>")[0]
    assert "A3" in mix and "D1" not in mix  # the restricted case is not counted for the SPO
    assert 'id="trend-table"' in page and '<svg class="app-trend"' in page and "style=" not in page
    assert 'id="overload-alerts"' in page and org.po.name in page
    due = client.get("/whats-due/").content.decode()
    assert "Sustained overload" in due


def test_the_spo_changes_the_workforce_record_audited(org):
    changed = staff_workforce_update(actor=org.spo.user, staff_code=org.po.code, grade="po",
                                     contracted_hours=Decimal("30"), training_stage="newly_qualified",
                                     start_date=dt.date(2025, 9, 1), leaving_date=None)  # fmt: skip
    assert (changed.training_stage, changed.contracted_hours) == ("newly_qualified", Decimal("30"))
    event = AuditEvent.objects.get(action="staff.workforce_changed")
    assert event.after["training_stage"] == "newly_qualified" and event.before["contracted_hours"] == "37.0"
    assert selectors.policy_grade(changed) == "NQO"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"grade": "po", "training_stage": "pqip_1"}, "training_stage"),
     ({"grade": "pso", "training_stage": "newly_qualified"}, "training_stage"),
     ({"contracted_hours": Decimal("48.1")}, "contracted_hours"),
     ({"contracted_hours": Decimal("37.25")}, "contracted_hours"),
     ({"start_date": dt.date(2026, 1, 2), "leaving_date": dt.date(2026, 1, 1)}, "leaving_date"),
     ({"grade": "boss"}, "grade")],
    ids=["pqip_year_needs_pqip_grade", "nqo_is_a_po", "hours_above_48", "hours_two_places", "leaves_before_start",
         "unknown_grade"],
)  # fmt: skip
def test_a_bad_workforce_record_is_a_field_error_and_nothing_changes(org, changes, field):
    values = {"grade": "po", "contracted_hours": Decimal("37"), "training_stage": "", **changes}
    with pytest.raises(ValidationFailed) as refused:
        staff_workforce_update(actor=org.spo.user, staff_code=org.po.code, **values)
    assert [e.path for e in refused.value.errors] == [(field,)]
    assert Staff.objects.get(pk=org.po.pk).contracted_hours == Decimal("37.0")


def test_only_the_teams_spo_or_an_administrator_changes_the_workforce_record(org):
    values = {"grade": "pqip", "contracted_hours": Decimal("37"), "training_stage": "pqip_2"}
    for who in (org.po, org.hos):
        with pytest.raises(PermissionDenied):
            staff_workforce_update(actor=who.user, staff_code=org.po.code, **values)
    with pytest.raises(PermissionDenied):
        staff_workforce_update(actor=org.spo.user, staff_code=org.po_b.code, **values)  # another team's
    staff_workforce_update(actor=org.admin.user, staff_code=org.po_b.code, **values)


def test_the_workforce_page(org):
    client = Client()
    client.force_login(org.spo.user)
    url = f"/team/{org.team_a.code}/staff/{org.po.code}/workforce/"
    assert 'value="37"' in client.get(url).content.decode()
    refused = client.post(url, {"grade": "po", "contracted_hours": "lots", "training_stage": ""})
    assert refused.status_code == 200 and 'href="#contracted_hours"' in refused.content.decode()
    saved = client.post(url, {"grade": "po", "contracted_hours": "22.5", "training_stage": "",
                              "leaving_date_day": "31", "leaving_date_month": "12", "leaving_date_year": "2026"})
    assert saved.status_code == 302
    page = client.get(f"/team/{org.team_a.code}/staff/{org.po.code}/workload/").content.decode()
    assert "31 Dec 2026" in page and "22.5" in page


def test_the_api_reads_and_changes_the_workforce_record_under_the_same_rules(org):
    def call(username: str, method: str, body: dict | None = None):
        headers = {"Authorization": f"Bearer {token_create(username=username)}"}
        url = f"/api/v1/staff/{org.po.code}/workforce"
        if method == "get":
            return Client().get(url, headers=headers)
        return Client().put(url, json.dumps(body), content_type="application/json", headers=headers)

    assert call("spo", "get").json()["grade"] == "po"
    body = {"grade": "po", "contracted_hours": "37", "training_stage": "pqip_1"}
    refused = call("spo", "put", body)
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["training_stage"]
    assert call("po", "put", {**body, "training_stage": ""}).status_code == 403
    saved = call("spo", "put", {**body, "training_stage": "newly_qualified", "leaving_date": "2027-03-31"})
    assert saved.status_code == 200 and saved.json()["leaving_date"] == "2027-03-31"
    assert Staff.objects.get(pk=org.po.pk).training_stage == "newly_qualified"
