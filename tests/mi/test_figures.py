"""Management information (mi/): each figure counts what the record holds, for the cases the reader may see, in the
scope and period chosen; the page, the CSV, the spreadsheet and the API show the same numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openprobation.core import clock
from openprobation.core.errors import PermissionDenied, ValidationFailed
from openprobation.mi import selectors as mi
from openprobation.mi import tables
from openprobation.organisation.models import Staff
from openprobation.people.models import Person
from openprobation.risk import riskfacts
from openprobation.risk.models import Registration, RiskFacts
from openprobation.risk.services import registration_add, registration_update
from openprobation.rules.calendar import england_and_wales
from openprobation.safeguarding.models import SafeguardingCheck
from openprobation.workitems.models import WorkItem
from openprobation.workload.services import workload_snapshot
from tests.factories import limit_access, make_person
from tests.record.test_api import Api

TODAY = dt.date(2026, 11, 24)  # the frozen clock: a Tuesday


def scope(actor, **filters):
    return mi.mi_scope(actor=actor, today=clock.today(), **filters)


def item(person, kind, due, status="open", closed_on=None):
    return WorkItem.objects.create(
        person=person, kind=kind, status=status, due_date=due, owner_role="practitioner", rule_id="test",
        policy_version="test", trigger="test", clock_started_on=due - dt.timedelta(days=10), reason="test",
        created_at=clock.now(), closed_on=closed_on, cancel_reason="test" if status == "cancelled" else "",
    )  # fmt: skip


@pytest.fixture
def person(org, frozen_clock):
    found = make_person(org)
    WorkItem.objects.all().delete()  # only the items each test makes
    return found


DUE = dt.date(2026, 11, 2)


@pytest.mark.parametrize(
    ("status", "closed_on", "due", "counted_as"),
    [
        ("done", DUE - dt.timedelta(days=1), DUE, "on_time"),
        ("done", DUE, DUE, "on_time"),  # done on the due date is on time
        ("done", DUE + dt.timedelta(days=1), DUE, "late"),
        ("open", None, TODAY - dt.timedelta(days=1), "overdue"),
        ("open", None, TODAY, None),  # due today: not yet late
        ("open", None, TODAY + dt.timedelta(days=1), None),  # not yet due, and after the period
        ("cancelled", DUE, DUE, None),
        ("done", TODAY - dt.timedelta(weeks=12), TODAY - dt.timedelta(weeks=12), "on_time"),  # first day of the period
        ("done", TODAY, TODAY - dt.timedelta(weeks=12, days=1), None),  # due the day before the period
    ],
    ids=["done_early", "done_on_due_date", "done_a_day_late", "open_past_due", "open_due_today", "open_not_due",
         "cancelled", "period_first_day", "before_the_period"],
)
def test_timescale_compliance_counts_each_item_once_by_its_due_date(org, person, status, closed_on, due, counted_as):
    item(person, "sentence_plan", due, status, closed_on)
    found = mi.timescale_compliance(scope(org.qa.user))
    if counted_as is None:
        assert found == []
        return
    (row,) = found
    assert (row.kind, row.label) == ("sentence_plan", "Sentence plan")
    assert {"on_time": row.on_time, "late": row.late, "overdue": row.overdue} == {
        k: int(k == counted_as) for k in ("on_time", "late", "overdue")
    }


@pytest.mark.parametrize(
    ("figure", "kind"),
    [(mi.timescale_compliance, "sentence_plan"), (lambda s: mi.enforcement_timeliness(s).compliance,
                                                  "enforcement_decision")],
    ids=["timescales", "enforcement_timescales"],
)  # fmt: skip
@pytest.mark.parametrize("filters", [{}, {"region": "N07"}, {"pdu": "N07P1"}], ids=["service", "region", "pdu"])
def test_timescale_compliance_reads_only_what_the_covering_index_holds(org, person, figure, kind, filters):
    """At national scale the figure is an index-only scan of work_item_due_counts (bench/results/figures.md): its
    statement reads no column of the work items outside that index (counting the id would read the table)."""
    item(person, kind, DUE, "done", DUE)
    index = next(i for i in WorkItem._meta.indexes if i.name == "work_item_due_counts")
    held = {WorkItem._meta.get_field(f).column for f in (*index.fields, *index.include)}
    with CaptureQueriesContext(connection) as ctx:
        (row,) = figure(scope(org.qa.user, **filters))
    assert row.on_time == 1
    (statement,) = [q["sql"] for q in ctx.captured_queries if '"on_time"' in (q["sql"] or "")]
    assert set(re.findall(r'"workitems_workitem"\."(\w+)"', statement)) <= held


def test_the_share_on_time_is_of_the_items_counted(org, person):
    for _ in range(3):
        item(person, "home_visit", DUE, "done", DUE)
    item(person, "home_visit", DUE, "done", DUE + dt.timedelta(days=3))
    item(person, "home_visit", TODAY - dt.timedelta(days=1))
    (row,) = mi.timescale_compliance(scope(org.qa.user))
    assert (row.on_time, row.late, row.overdue, row.counted, str(row.percent_on_time)) == (3, 1, 1, 5, "60.0")


def test_a_restricted_case_is_in_no_figure_for_someone_who_may_not_see_it(org, person):
    hidden = make_person(org, first_name="Hidden")
    WorkItem.objects.filter(person=hidden).delete()
    for who in (person, hidden):
        item(who, "sentence_plan", TODAY - dt.timedelta(days=1))
        SafeguardingCheck.objects.create(
            person=who, agency="police_da", requested_on=TODAY, due_by=TODAY, requested_by=org.po,
            created_at=clock.now(),
        )  # fmt: skip
        registration_add(actor=org.po.user, person=who, code="RHRH", start_date=dt.date(2026, 6, 1))
    limit_access(person=hidden, staff_code=org.po.code, kind="restriction", reason="staff member's relative")
    qa = tables.figures(scope(org.qa.user))
    (row,) = mi.timescale_compliance(qa.scope)
    assert row.overdue == 1
    assert mi.safeguarding_outstanding(qa.scope)[0].total == 1
    assert mi.risk_mix(qa.scope).cases == 1
    assert dict(mi.risk_mix(qa.scope).rosh)["High"] == 1  # the hidden case's registration is not counted either
    assert mi.risk_mix(scope(org.admin.user)).cases == 1  # administrators are not on the list either
    assert dict(mi.risk_mix(scope(org.admin.user)).rosh)["High"] == 1
    assert [n for _, n in mi.risk_mix(scope(org.spo.user)).rosh] == [0, 1, 0, 0, 0]  # the SPO is not on it either


@pytest.mark.parametrize(
    ("working_days_ago", "band"),
    [(0, 0), (5, 0), (6, 1), (10, 1), (11, 2), (20, 2), (21, 3), (60, 3)],
    ids=["today", "5_days", "6_days", "10_days", "11_days", "20_days", "21_days", "60_days"],
)
def test_safeguarding_enquiries_outstanding_by_working_days_since_requested(org, person, working_days_ago, band):
    requested = england_and_wales().subtract_working_days(TODAY, working_days_ago) if working_days_ago else TODAY
    SafeguardingCheck.objects.create(
        person=person, agency="childrens_services", requested_on=requested,
        due_by=england_and_wales().add_working_days(requested, 10), requested_by=org.po, created_at=clock.now(),
    )  # fmt: skip
    SafeguardingCheck.objects.create(  # a closed enquiry is not outstanding
        person=person, agency="childrens_services", requested_on=requested, due_by=requested, requested_by=org.po,
        created_at=clock.now(), status="closed", closed_on=TODAY, close_reason="no longer needed",
    )  # fmt: skip
    found = {a.agency: a for a in mi.safeguarding_outstanding(scope(org.qa.user))}
    children = found["childrens_services"]
    assert [n for _, n in children.bands] == [int(i == band) for i in range(4)]
    assert children.past_due == int(working_days_ago > 10)
    assert found["police_da"].total == 0


def test_risk_mix_counts_the_newest_active_rosh_registration_and_the_tier(org, person):
    other = make_person(org)
    Person.objects.filter(pk=person.pk).update(tier="B2")
    Registration.objects.create(person=person, code="RMRH", start_date=dt.date(2026, 1, 1), end_date=None)
    Registration.objects.create(person=person, code="RHRH", start_date=dt.date(2026, 6, 1))  # newest: high
    Registration.objects.create(person=other, code="RVHR", start_date=dt.date(2026, 6, 1), end_date=TODAY)  # ended
    riskfacts.refresh_cases([person.pk, other.pk])  # registrations written directly: their cases' facts, as services do
    mix = mi.risk_mix(scope(org.qa.user))
    assert dict(mix.rosh) == {"Very high": 0, "High": 1, "Medium": 0, "Low": 0, "No RoSH registration": 1}
    assert dict(mix.tiers)["B2"] == 1 and mix.cases == 2


def test_the_rosh_mix_moves_at_once_with_a_registration_added_reviewed_or_ended(org, person):
    """The figure reads the ready-made risk facts: each change through the services shows in the next figure."""
    def rosh():
        return {label: n for label, n in mi.risk_mix(scope(org.qa.user)).rosh if n}

    assert rosh() == {"No RoSH registration": 1}
    medium = registration_add(actor=org.po.user, person=person, code="RMRH", start_date=dt.date(2026, 1, 1))
    assert rosh() == {"Medium": 1}
    high = registration_add(actor=org.po.user, person=person, code="RHRH", start_date=dt.date(2026, 6, 1))
    assert rosh() == {"High": 1}
    registration_update(actor=org.po.user, person=person, registration_id=high.pk, version=high.version,
                        changes={"end_date": TODAY})  # fmt: skip
    assert rosh() == {"Medium": 1}
    medium.refresh_from_db()
    registration_update(actor=org.po.user, person=person, registration_id=medium.pk, version=medium.version,
                        changes={"end_date": TODAY})  # fmt: skip
    assert rosh() == {"No RoSH registration": 1}


def test_a_rosh_mix_kept_under_another_registration_policy_is_worked_out_again_before_it_is_read(org, person):
    registration_add(actor=org.po.user, person=person, code="RHRH", start_date=dt.date(2026, 6, 1))
    RiskFacts.objects.filter(person=person).update(rosh_code=None, stamp="an-old-policy")  # as under an older policy
    assert dict(mi.risk_mix(scope(org.qa.user)).rosh)["High"] == 1


def test_scope_filters_and_their_errors(org, person):
    assert scope(org.qa.user, region="N07").label == "London"
    assert scope(org.qa.user, pdu="N07P1").people.count() == 1
    for filters, field in (
        ({"region": "ZZZ"}, "region"),
        ({"pdu": "ZZZ"}, "pdu"),
        ({"start": TODAY, "end": TODAY - dt.timedelta(days=1)}, "start"),
        ({"start": TODAY - dt.timedelta(days=4000)}, "start"),
    ):
        with pytest.raises(ValidationFailed) as raised:
            scope(org.qa.user, **filters)
        assert [e.dotted for e in raised.value.errors] == [field]


def test_the_workload_figure_is_worked_out_from_the_record_until_this_weeks_snapshot_is_taken_then_read_from_it(
    org, person
):
    Staff.objects.filter(pk=org.po.pk).update(contracted_hours=Decimal("1.0"))  # 58 points available
    Person.objects.filter(pk=person.pk).update(tier="A3")  # far more than 110% of them
    before = mi.workload_distribution(scope(org.qa.user))
    assert before.week is None
    assert dict(before.bands) == {"under 80%": 2, "80% to 99.9%": 0, "100% to 110%": 0, "over 110%": 1}
    assert tables.figures(scope(org.qa.user), "workload").tables[0].title.endswith("today (no snapshot yet this week)")

    workload_snapshot(on=TODAY)
    found = mi.workload_distribution(scope(org.qa.user))
    assert found.week == dt.date(2026, 11, 23)  # the Monday of the week
    assert (found.bands, found.practitioners, found.not_measured, found.median_percent) == (
        before.bands, before.practitioners, before.not_measured, before.median_percent)  # fmt: skip
    (table,) = tables.figures(scope(org.qa.user), "workload").tables
    assert table.title == "Practitioners by capacity, as at the weekly snapshot of 23 Nov 2026"
    # The SPO's scope is their team's practitioners (org.po and org.po2), in the snapshot as in the record.
    assert mi.workload_distribution(scope(org.spo.user)).practitioners == 2
    # Next week, until its snapshot is taken, the figure is worked out from the record again.
    later = mi.mi_scope(actor=org.qa.user, today=TODAY + dt.timedelta(days=7))
    assert mi.workload_distribution(later).week is None


@pytest.mark.parametrize("who", ["po", "po2", "po_b"])
def test_practitioners_may_not_read_the_figures(org, frozen_clock, who):
    user = getattr(org, who).user
    with pytest.raises(PermissionDenied):
        scope(user)
    client = Client()
    client.force_login(user)
    for name in ("web:mi", "web:mi-csv", "web:mi-xlsx"):
        assert client.get(reverse(name)).status_code == 403
    assert "Figures" not in client.get(reverse("web:caseload")).content.decode()
    assert Api(user.username).get("/figures").status_code == 403


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Each table on the page by id: its body rows as cell texts."""
    found = {}
    for key, body in re.findall(r'<table class="govuk-table" id="([a-z_]+)">.*?<tbody[^>]*>(.*?)</tbody>', html, re.S):
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        cells = (re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows)
        found[key] = [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row] for row in cells]
    return found


def test_the_page_csv_spreadsheet_and_api_show_the_same_figures(org, person):
    item(person, "sentence_plan", DUE, "done", DUE)
    item(person, "sentence_plan", TODAY - dt.timedelta(days=2))
    SafeguardingCheck.objects.create(
        person=person, agency="police_da", requested_on=TODAY - dt.timedelta(days=30), due_by=TODAY,
        requested_by=org.po, created_at=clock.now(),
    )  # fmt: skip
    client = Client()
    client.force_login(org.qa.user)
    query = {"pdu": "N07P1"}
    page = client.get(reverse("web:mi"), query)
    assert page.status_code == 200
    html = page.content.decode()
    shown = {k: v for k, v in page_tables(html).items() if v and len(v[0]) > 1}
    assert shown["timescales"] == [["Sentence plan", "1", "0", "1", "2", "50.0"]]
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")

    lines = list(csv.reader(io.StringIO(client.get(reverse("web:mi-csv"), query).content.decode())))
    assert lines[0][:2] == ["scope", "Camden and Islington"]
    from_csv: dict[tuple[str, str, str], str] = {(t, r, c): v for t, r, c, v in lines[2:]}
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("web:mi-xlsx"), query).content))
    api = Api("qa").get("/figures", **query).json()
    api_tables = {t["key"]: t for t in api["figures"]}
    assert api["scope"] == "Camden and Islington"
    for key, rows in shown.items():
        api_table = api_tables[key]
        sheet = book[key]
        headings = [c.value for c in sheet[4]]
        assert headings == api_table["columns"]
        for r, row in enumerate(rows):
            sheet_row = [c.value for c in sheet[5 + r]]
            for c, cell in enumerate(row[1:], start=1):
                assert from_csv[(key, row[0], headings[c])] == cell, (key, row, headings[c])
                value = sheet_row[c]
                if value is None or isinstance(value, str):
                    assert (value or "") == cell, (key, row)
                else:
                    assert float(value) == float(cell), (key, row)
                api_value = api_table["rows"][r][c]
                assert ("" if api_value is None else str(api_value)) == cell, (key, row)


def test_the_api_answers_one_figure_and_names_an_unknown_one(org, person):
    item(person, "home_visit", TODAY - dt.timedelta(days=1))
    api = Api("qa")
    body = api.get("/figures/timescales").json()
    assert [t["key"] for t in body["figures"]] == ["timescales"]
    assert body["figures"][0]["rows"] == [["Home visit", 0, 0, 1, 1, 0.0]]
    assert api.get("/figures/nonsense").status_code == 404
    bad = api.get("/figures", pdu="ZZZ")
    assert bad.status_code == 422 and "pdu" in bad.content.decode()


def test_a_bad_period_on_the_page_says_what_to_fix(org, person):
    client = Client()
    client.force_login(org.spo.user)
    page = client.get(reverse("web:mi"), {"start_day": "31", "start_month": "2", "start_year": "2026"})
    assert page.status_code == 400
    assert "The start of the period must be a real date" in page.content.decode()
