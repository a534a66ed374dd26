"""The quality assurance report on risk scores: recorded RSR, tier and allocation against the calculation and the
allocation policy, by team and region, on the page, the CSV and the API; restricted cases absent for those who may
not see them; who may open it."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openprobation.core import clock
from openprobation.core.errors import PermissionDenied, ValidationFailed
from openprobation.people.models import Person
from openprobation.risk import quality, riskfacts
from openprobation.risk.models import RecordedScore, Registration, RiskCalculation
from openprobation.risk.services import recorded_score_set, registration_add
from openprobation.rules import allocation as alloc
from openprobation.web.views import quality as quality_views
from tests.factories import limit_access, make_person
from tests.record.test_api import Api, problem_fields

UNVERIFIED = quality.UNVERIFIED
ALLOCATION_KINDS = ("allocation", UNVERIFIED, quality.CANNOT_CHECK)


def calc(person, tool, *, score=None, tier=""):
    """Store a calculation with a chosen headline (the report reads only the newest row's score or tier), as data
    written outside the services would be, then refresh the case's row of risk facts as the services do."""
    status = "calculated" if (score is not None or tier) else "not_calculated"
    stored = RiskCalculation.objects.create(
        person=person, tool=tool, status=status, calculated_at=clock.now(), as_of=clock.today(),
        policy_version="test", inputs={}, inputs_digest="x", result_key="x", source="record",
        score=None if score is None else Decimal(score), tier=tier,
    )  # fmt: skip
    riskfacts.refresh_cases([person.pk])
    return stored


def record(org, person, kind, value):
    recorded_score_set(actor=org.po.user, person=person, kind=kind, value=value, source="nDelius import",
                       effective_date=dt.date(2026, 2, 1))  # fmt: skip


def register(org, person, code, level=""):
    registration_add(actor=org.po.user, person=person, code=code, level=level, category="M2" if level else "",
                     start_date=dt.date(2026, 2, 1))  # fmt: skip


def rows(actor, policy="2014-split", **filters):
    report = quality.risk_disagreements(actor=actor, policy=policy, page_size=500, **filters)
    return {(r.crn, r.kind) for r in report.rows}, report


# ---- the disagreement kinds ----


@pytest.mark.parametrize(
    ("recorded", "calculated", "flagged"),
    [("6.90", "6.90", False), ("6.91", "6.90", True), ("6.89", "6.90", True), ("7.40", "6.90", True)],
    ids=["equal_not_flagged", "one_hundredth_above_flagged", "one_hundredth_below_flagged", "half_a_point_flagged"],
)
def test_recorded_rsr_against_the_calculation(org, frozen_clock, recorded, calculated, flagged):
    person = make_person(org)
    calc(person, "rsr", score=calculated)
    record(org, person, "rsr", recorded)
    found, report = rows(org.qa.user)
    assert ((person.crn, "rsr") in found) is flagged
    if flagged:
        row = next(r for r in report.rows if r.kind == "rsr")
        diff = Decimal(recorded) - Decimal(calculated)
        assert row.recorded == f"{recorded}%" and row.calculated == f"{calculated}%"
        assert row.difference == f"{diff:+.2f} percentage points" and "rounding" in row.reason


def test_rsr_tolerance_is_policy_data(org, frozen_clock, monkeypatch):
    person = make_person(org)
    calc(person, "rsr", score="6.90")
    record(org, person, "rsr", "6.93")
    assert (person.crn, "rsr") in rows(org.qa.user)[0]
    wider = alloc.QualityPolicy("test", Decimal("0.05"))
    monkeypatch.setattr(alloc, "quality_policy", lambda: wider)
    assert (person.crn, "rsr") not in rows(org.qa.user)[0]


def test_no_rsr_calculation_means_nothing_to_disagree_with(org, frozen_clock):
    person = make_person(org)
    calc(person, "rsr")  # newest: not calculated
    record(org, person, "rsr", "9.00")
    assert (person.crn, "rsr") not in rows(org.qa.user)[0]


def test_recorded_tier_against_the_calculated_tier(org, frozen_clock):
    same, different = make_person(org), make_person(org)
    record(org, same, "tier", "D0")  # make_person's case calculates D0
    record(org, different, "tier", "B2")
    found, report = rows(org.qa.user)
    assert (different.crn, "tier") in found and (same.crn, "tier") not in found
    row = next(r for r in report.rows if r.kind == "tier")
    assert (row.recorded, row.calculated) == ("B2", "D0") and row.difference == "protect B → D; change 2 → 0"


@pytest.mark.parametrize(
    ("registrations", "rsr", "recorded", "kind", "rule"),
    [
        ([("RHRH", "")], "1.00", "crc", "allocation", "rosh_high_or_very_high_stays_with_nps"),
        ([("RVHR", "")], "1.00", "crc", "allocation", "rosh_high_or_very_high_stays_with_nps"),
        ([("RHRH", "")], "1.00", "nps", None, None),
        # the rules resting on the 6.9% RSR edge are unverified: listed and counted apart, not as disagreements
        ([("RMRH", "")], "6.90", "crc", UNVERIFIED, "rsr_6_9_or_more_stays_with_nps"),
        ([("RMRH", "")], "6.89", "crc", None, None),
        ([("RMRH", "")], "6.89", "nps", UNVERIFIED, "low_or_medium_rosh_and_rsr_below_6_9_goes_to_crc"),
        ([("RLRH", ""), ("MAPP", "M1")], "1.00", "crc", "allocation", "mappa_case_stays_with_nps"),
        ([("RLRH", "")], "1.00", "crc", None, None),
        ([], "1.00", "crc", None, None),  # no RoSH: cannot be checked (listed apart, below)
    ],
    ids=[
        "rosh_high_at_crc",
        "rosh_very_high_at_crc",
        "rosh_high_at_nps",
        "rsr_6_90_at_crc",
        "rsr_6_89_at_crc",
        "rsr_6_89_at_nps",
        "mappa_at_crc",
        "no_mappa_at_crc",
        "no_rosh_cannot_check",
    ],
)
def test_allocation_under_the_2014_split(org, frozen_clock, registrations, rsr, recorded, kind, rule):
    person = make_person(org)
    for code, level in registrations:
        register(org, person, code, level)
    calc(person, "rsr", score=rsr)
    record(org, person, "allocation", recorded)
    found, report = rows(org.qa.user, "2014-split")
    assert {k for crn, k in found if k in ("allocation", UNVERIFIED)} == ({kind} if kind else set())
    if kind:
        row = next(r for r in report.rows if r.kind == kind)
        assert row.rule == rule and row.reason and row.recorded == recorded.upper()
        counts = report.counts.total
        assert (counts.allocation, counts.unverified) == ((1, 0) if kind == "allocation" else (0, 1))
        assert counts.total == counts.allocation  # an unverified rule's disagreement is not in the total


# Allocations no rule applies to: listed as "allocation_cannot_check" with the missing facts, counted apart from the
# disagreements (never silently agreeing). 2014 split: recorded CRC; 2021 unified: held by the PSO (po2).
CANNOT_CHECK_CASES = [
    # (policy, registrations, rsr score ("" = not calculated, None = no RSR row), tier, missing or None if checked)
    ("2014-split", [], "1.00", "D1", ("rosh",)),
    ("2014-split", [], "6.89", "D1", ("rosh",)),  # just below 6.9: no NPS rule, and no RoSH for the CRC rule
    ("2014-split", [], "6.90", "D1", None),  # at 6.9: the RSR rule applies (NPS), a disagreement, not unchecked
    ("2014-split", [("RLRH", "")], "", "D1", ("rsr",)),  # RSR not calculated
    ("2014-split", [("RMRH", "")], None, "D1", ("rsr",)),  # no RSR calculation at all
    ("2014-split", [], "", "D1", ("rosh", "rsr")),
    ("2014-split", [("MAPP", "M1")], "", "D1", None),  # MAPPA: the NPS rule applies without RoSH or RSR
    ("2021-unified", [], "1.00", "C1", ("rosh",)),
    ("2021-unified", [("RLRH", "")], "1.00", "", ("tier",)),  # tier not calculated
    ("2021-unified", [], "1.00", "", ("rosh", "tier")),
    ("2021-unified", [], "1.00", "B1", None),  # tier B: the PO rule applies without RoSH
]
CANNOT_CHECK_IDS = [
    "split_no_rosh", "split_no_rosh_rsr_6_89", "split_no_rosh_rsr_6_90_checked", "split_rsr_not_calculated",
    "split_no_rsr_row", "split_no_rosh_no_rsr", "split_mappa_checked", "unified_no_rosh_tier_c",
    "unified_low_rosh_tier_not_calculated", "unified_no_rosh_no_tier", "unified_no_rosh_tier_b_checked",
]  # fmt: skip


@pytest.mark.parametrize(("policy", "registrations", "rsr", "tier", "missing"), CANNOT_CHECK_CASES,
                         ids=CANNOT_CHECK_IDS)  # fmt: skip
def test_allocation_that_no_rule_applies_to_is_listed_and_counted_as_cannot_check(
    org, frozen_clock, policy, registrations, rsr, tier, missing
):
    person = make_person(org, practitioner=org.po2)  # a PSO
    for code, level in registrations:
        register(org, person, code, level)
    if rsr is not None:
        calc(person, "rsr", score=rsr or None)
    calc(person, "tier", tier=tier)
    record(org, person, "allocation", "crc")
    found, report = rows(org.qa.user, policy)
    unchecked = [r for r in report.rows if r.kind == "allocation_cannot_check"]
    if missing is None:
        assert not unchecked and report.counts.total.cannot_check == 0
        # checked, and here against what the policy expects (NPS / PO)
        assert {k for crn, k in found if k in ALLOCATION_KINDS} & {"allocation", UNVERIFIED}
        return
    (row,) = unchecked
    assert not {k for crn, k in found if k in ("allocation", UNVERIFIED)}
    assert row.missing == missing and row.rule == "cannot_check" and row.kind_label == "Allocation: cannot check"
    assert row.reason.startswith(f"Cannot check under the {policy} policy: missing")
    assert ("RoSH (no active RoSH registration)" in row.difference) is ("rosh" in missing)
    counts = report.counts
    assert (counts.total.cannot_check, counts.total.allocation, counts.total.total) == (1, 0, 0)
    assert [(t.code, t.cannot_check) for t in counts.teams] == [(org.team_a.code, 1)]
    assert [r.cannot_check for r in counts.regions] == [1]
    assert report.count == 1  # the listed rows: disagreements and cannot-check together


@pytest.mark.parametrize(
    ("holder", "rosh", "flagged"),
    [("po", "RHRH", False), ("po2", "RHRH", True), ("po2", "RMRH", True), ("po2", "RLRH", False)],
    ids=["po_holds_high", "pso_holds_high", "pso_holds_medium", "pso_holds_low_tier_d"],
)
def test_allocation_under_the_2021_grade_rules(org, frozen_clock, holder, rosh, flagged):
    """Every grade rule of the unified service is unverified: an allocation against one is listed as such and
    counted apart from the disagreements."""
    person = make_person(org, practitioner=getattr(org, holder))  # po2 is a PSO
    register(org, person, rosh)
    calc(person, "tier", tier="D1")
    found, report = rows(org.qa.user, "2021-unified")
    assert ((person.crn, UNVERIFIED) in found) is flagged
    assert (person.crn, "allocation") not in found
    if flagged:
        row = next(r for r in report.rows if r.kind == UNVERIFIED)
        assert row.recorded == "PSO" and row.difference.startswith("Held by a PSO")
        assert row.kind_label == "Allocation: against a rule not yet verified" and "not yet verified" in row.reason
        assert (report.counts.total.unverified, report.counts.total.total, report.count) == (1, 0, 1)


def test_the_sql_reading_of_each_policy_agrees_with_the_rules_on_every_combination(org, frozen_clock):
    """Every combination of RoSH, MAPPA, RSR around 6.9, tier letter and allocation: the report flags exactly the
    cases the pure rules say disagree."""
    rosh = [None, "RLRH", "RMRH", "RHRH", "RVHR"]
    mappa = [None, "M1", "M2", ""]
    rsr = [None, "6.89", "6.90"]
    tier = ["", "B1", "C1", "D1"]
    combos = list(itertools.product(rosh, mappa, rsr, tier))
    people = Person.objects.bulk_create(
        Person(crn=f"Z{n:06d}", first_name="Grid", last_name=f"{n:04d}", date_of_birth=dt.date(1990, 1, 1),
               gender="male", team=org.team_a, practitioner=[org.po, org.po2][n % 2], created_at=clock.now())
        for n in range(len(combos))
    )  # fmt: skip
    regs, calcs, recorded = [], [], []
    for n, (person, (r, m, s, t)) in enumerate(zip(people, combos, strict=True)):
        if r:
            regs.append(Registration(person=person, code=r, start_date=dt.date(2026, 1, 1)))
        if m is not None:
            regs.append(Registration(person=person, code="MAPP", level=m, start_date=dt.date(2026, 1, 1)))
        for tool, score, tier_value in (("rsr", s, ""), ("tier", None, t)):
            calcs.append(RiskCalculation(
                person=person, tool=tool, status="calculated", calculated_at=clock.now(), as_of=clock.today(),
                policy_version="test", inputs={}, inputs_digest="x", result_key="x", source="record",
                score=None if score is None else Decimal(score), tier=tier_value,
            ))  # fmt: skip
        recorded.append(RecordedScore(
            person=person, kind="allocation", value=["nps", "crc"][n % 2], source="test",
            effective_date=dt.date(2026, 2, 1), recorded_at=clock.now(), recorded_by="x",
        ))  # fmt: skip
    Registration.objects.bulk_create(regs)
    RiskCalculation.objects.bulk_create(calcs)
    RecordedScore.objects.bulk_create(recorded)
    riskfacts.refresh_cases(p.pk for p in people)  # written outside the services
    for name in alloc.policy_names():
        policy = alloc.allocation_policy(name)
        listed, report = rows(org.admin.user, name, team=org.team_a.code)
        found = {crn for crn, kind in listed if kind == "allocation"}
        found_unverified = {crn for crn, kind in listed if kind == UNVERIFIED}
        found_unchecked = {r.crn: r.missing for r in report.rows if r.kind == "allocation_cannot_check"}
        expected, expected_unverified, expected_unchecked = set(), set(), {}
        for n, (person, (r, m, s, t)) in enumerate(zip(people, combos, strict=True)):
            facts = alloc.AllocationFacts(
                rosh={"RLRH": "low", "RMRH": "medium", "RHRH": "high", "RVHR": "very_high"}.get(r or ""),
                mappa_level=None if m is None else (int(m[1:]) if m else 0),
                rsr_percent=None if s is None else Decimal(s),
                tier=t or None,
            )
            actual = ["nps", "crc"][n % 2] if name == "2014-split" else ["po", "pso"][n % 2]
            check = alloc.allocation_check(facts, policy)
            if isinstance(check, alloc.AllocationCannotCheck):
                expected_unchecked[person.crn] = check.missing
            elif not check.agrees(actual):
                (expected_unverified if check.unverified else expected).add(person.crn)
        assert found == expected, name
        assert found_unverified == expected_unverified, name
        assert report.counts.total.unverified == len(expected_unverified), name
        assert found_unchecked == expected_unchecked, name
        assert report.counts.total.cannot_check == len(expected_unchecked), name


# ---- scope, access and filters ----


@pytest.fixture
def mixed(org, frozen_clock):
    """One tier disagreement in each of team A and team B, one restricted to the SPO, one excluding QA."""
    a, b = make_person(org, last_name="Able"), make_person(org, practitioner=org.po_b, last_name="Baker")
    restricted, excluded = make_person(org, last_name="Restricted"), make_person(org, last_name="Excluded")
    for person in (a, b, restricted, excluded):
        record(org, person, "tier", "A3")
    limit_access(person=restricted, staff_code=org.spo.code, kind="restriction", reason="LAO")
    limit_access(person=excluded, staff_code=org.qa.code, kind="exclusion", reason="Known")
    return {"a": a, "b": b, "restricted": restricted, "excluded": excluded}


def crns(actor, **filters):
    return {crn for crn, _ in rows(actor, **filters)[0]}


def test_who_sees_which_cases(org, mixed):
    m = {k: p.crn for k, p in mixed.items()}
    assert crns(org.qa.user) == {m["a"], m["b"]}  # not the restricted case, not the one excluding QA
    assert crns(org.spo.user) == {m["a"], m["restricted"], m["excluded"]}  # own team only, named on the restriction
    assert crns(org.hos.user) == {m["a"], m["b"], m["excluded"]}
    assert crns(org.admin.user) == {m["a"], m["b"], m["excluded"]}
    assert crns(org.qa.user, team=org.team_b.code) == {m["b"]}
    assert crns(org.qa.user, region="N07") == {m["a"], m["b"]}


def test_counts_leave_out_cases_the_viewer_cannot_see(org, mixed):
    counts = quality.risk_disagreement_counts(actor=org.qa.user, policy="2014-split")
    assert counts.total.tier == 2
    assert {(t.code, t.tier) for t in counts.teams} == {(org.team_a.code, 1), (org.team_b.code, 1)}
    assert [(r.code, r.tier) for r in counts.regions] == [("N07", 2)]
    spo = quality.risk_disagreement_counts(actor=org.spo.user, policy="2014-split")
    assert spo.total.tier == 3 and [t.code for t in spo.teams] == [org.team_a.code]


@pytest.mark.parametrize("who", ["po", "po2", "po_b"])
def test_practitioners_may_not_open_the_report(org, frozen_clock, who):
    with pytest.raises(PermissionDenied):
        quality.risk_disagreements(actor=getattr(org, who).user)
    client = Client()
    client.force_login(getattr(org, who).user)
    assert client.get(reverse("web:quality-risk")).status_code == 403
    assert client.get(reverse("web:quality-risk-csv")).status_code == 403
    assert "Risk QA" not in client.get(reverse("web:caseload")).content.decode()
    assert Api(getattr(org, who).user.username).get("/quality/risk-disagreements").status_code == 403


@pytest.mark.parametrize("field", ["policy", "team", "region"])
def test_unknown_filters_are_field_errors(org, frozen_clock, field):
    with pytest.raises(ValidationFailed) as exc:
        quality.risk_disagreements(actor=org.qa.user, **{field: "NOPE"})
    assert [e.dotted for e in exc.value.errors] == [field]


def test_the_number_of_queries_does_not_grow_with_the_caseload(org, frozen_clock):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            quality.risk_disagreements(actor=org.qa.user, policy="2021-unified")
        return len(ctx.captured_queries)

    record(org, make_person(org), "tier", "A3")
    few = queries()
    for _ in range(6):
        person = make_person(org, practitioner=org.po2)
        register(org, person, "RHRH")
        record(org, person, "tier", "A3")
    assert queries() == few


# ---- the page, the CSV and the API ----


def test_the_page_shows_counts_rows_and_links(org, mixed):
    client = Client()
    client.force_login(org.qa.user)
    page = client.get(reverse("web:quality-risk"), {"policy": "2014-split"})
    html = page.content.decode()
    assert page.status_code == 200 and "Risk QA" in html
    assert 'id="total-disagreements"><strong>2</strong>' in html
    assert reverse("web:case", args=[mixed["a"].crn]) in html and mixed["restricted"].crn not in html
    assert "Download all as CSV" in html


@pytest.mark.parametrize(
    ("name", "teams_shown", "filters", "table"),
    [
        ("teams_below_the_limit_are_listed", 3, {}, True),
        ("teams_at_the_limit_are_listed", 2, {}, True),
        ("teams_above_the_limit_are_left_to_the_region", 1, {}, False),
        ("a_chosen_region_lists_its_teams_whatever_their_number", 1, {"region": "N07"}, True),
        ("a_chosen_team_is_listed", 1, {"team": "N07T02"}, True),
    ],
)  # fmt: skip
def test_the_page_lists_each_teams_counts_up_to_a_limit_then_by_region(org, mixed, monkeypatch, name, teams_shown,
                                                                       filters, table):
    """Two teams have rows (``mixed``). A national reader over more teams than the page lists sees the regions, each
    a link to its teams' counts; a region or team chosen always lists its teams."""
    monkeypatch.setattr(quality_views, "TEAM_ROWS_SHOWN", teams_shown)
    client = Client()
    client.force_login(org.qa.user)
    html = client.get(reverse("web:quality-risk"), {"policy": "2014-split", **filters}).content.decode()
    assert ('id="counts-by-team"' in html) is table
    assert ('id="teams-by-region"' in html) is not table
    region_link = f'{reverse("web:quality-risk")}?policy=2014-split&amp;region=N07'
    assert f'<a class="govuk-link" href="{region_link}">' in html
    if not table:
        assert "2 teams have cases listed: choose a region" in html


def test_the_page_shows_a_govuk_error_for_an_unknown_team(org, frozen_clock):
    client = Client()
    client.force_login(org.qa.user)
    page = client.get(reverse("web:quality-risk"), {"team": "NOPE"})
    html = page.content.decode()
    assert page.status_code == 400 and "govuk-error-summary" in html and "No team with code" in html


def test_csv_has_every_row_and_no_hidden_case(org, mixed):
    client = Client()
    client.force_login(org.qa.user)
    response = client.get(reverse("web:quality-risk-csv"), {"policy": "2014-split"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {line["crn"] for line in lines} == {mixed["a"].crn, mixed["b"].crn}
    assert {line["kind"] for line in lines} == {"tier"} and lines[0]["policy_version"]
    client.force_login(org.spo.user)
    body = b"".join(client.get(reverse("web:quality-risk-csv")).streaming_content).decode()
    assert mixed["restricted"].crn in body and mixed["b"].crn not in body


def test_api_lists_items_with_counts_and_refuses_bad_filters(org, mixed):
    api = Api("qa")
    body = api.get("/quality/risk-disagreements", policy="2014-split", page_size=1).json()
    assert body["count"] == 2 and len(body["items"]) == 1 and body["counts"]["total"]["tier"] == 2
    assert body["policy"] == "2014-split" and body["items"][0]["kind"] == "tier"
    assert body["rsr_tolerance_points"] == "0.01"
    second = api.get("/quality/risk-disagreements", policy="2014-split", page_size=1, page=2).json()
    assert {body["items"][0]["crn"], second["items"][0]["crn"]} == {mixed["a"].crn, mixed["b"].crn}
    assert problem_fields(api.get("/quality/risk-disagreements", policy="1999")) == {"policy"}
    assert problem_fields(api.get("/quality/risk-disagreements", team="NOPE")) == {"team"}
    assert problem_fields(api.get("/quality/risk-disagreements", page=0)) == {"page"}
    # The SPO under the default policy (2021 unified, grade of the holder): the three tier disagreements, and each
    # of those cases (held by a practitioner, no RoSH registration, no calculated tier...) cannot be checked.
    spo = Api("spo").get("/quality/risk-disagreements").json()
    assert spo["counts"]["total"]["total"] == 3
    assert spo["count"] == 3 + spo["counts"]["total"]["cannot_check"]
    assert {i["kind"] for i in spo["items"]} == {"tier", "allocation_cannot_check"}
    unchecked = [i for i in spo["items"] if i["kind"] == "allocation_cannot_check"]
    assert unchecked and all("rosh" in i["missing"] for i in unchecked)


def test_cannot_check_on_the_page_csv_and_api(org, frozen_clock):
    person = make_person(org)
    calc(person, "rsr", score="1.00")
    record(org, person, "allocation", "crc")  # 2014 split: no RoSH registration, RSR below 6.9 -> cannot check
    client = Client()
    client.force_login(org.qa.user)
    html = client.get(reverse("web:quality-risk"), {"policy": "2014-split"}).content.decode()
    assert 'id="total-cannot-check"><strong>1</strong>' in html
    assert 'id="total-disagreements"><strong>0</strong>' in html
    assert "Allocation: cannot check" in html and "RoSH (no active RoSH registration)" in html
    response = client.get(reverse("web:quality-risk-csv"), {"policy": "2014-split"})
    (line,) = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert (line["crn"], line["kind"], line["rule"], line["missing"]) == (
        person.crn,
        "allocation_cannot_check",
        "cannot_check",
        "rosh",
    )
    body = Api("qa").get("/quality/risk-disagreements", policy="2014-split").json()
    assert body["counts"]["total"]["cannot_check"] == 1 and body["counts"]["total"]["total"] == 0
    assert [(i["crn"], i["kind"], i["missing"]) for i in body["items"]] == [
        (person.crn, "allocation_cannot_check", ["rosh"])
    ]


@pytest.mark.parametrize(
    ("page", "status"),
    [("1000000", 200), ("1000001", 422), ("10000000000000000000", 422), ("0", 422)],
    ids=["last_allowed_page", "just_past_the_limit", "past_the_database_integer", "page_zero"],
)
def test_api_page_numbers_are_bounded(org, frozen_clock, page, status):
    response = Api("qa").get("/quality/risk-disagreements", page=page)
    assert response.status_code == status, response.content
    if status == 422:
        assert problem_fields(response) == {"page"}
    else:
        assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("page", "status"),
    [("1000000", 200), ("1000001", 400), ("10000000000000000000", 200), ("abc", 200)],
    ids=["last_allowed_page", "just_past_the_limit_says_so", "absurd_number_shows_page_one", "not_a_number_page_one"],
)
def test_report_page_numbers_never_give_a_server_error(org, frozen_clock, page, status):
    client = Client()
    client.force_login(org.qa.user)
    response = client.get("/quality/risk/", {"page": page})
    assert response.status_code == status


def test_with_no_policy_chosen_the_report_uses_the_policy_in_force_and_says_which(org, frozen_clock, client):
    """The default is the allocation policy in force on the day (its file's dates), named on the page with its
    dates and unverified notes in words (no code names), the version under technical details."""
    report = quality.risk_disagreements(actor=org.qa.user)
    assert report.policy == alloc.policy_in_force(clock.today()) == alloc.allocation_policy("2021-unified")
    client.force_login(org.qa.user)
    page = client.get(reverse("web:quality-risk")).content.decode()
    applied = page[page.index('id="policy-applied"') :].split("</div>\n</div>")[0]
    assert "Probation Service: grade by RoSH and tier (2021+, unverified)" in applied
    assert "in force from 26 Jun 2021" in applied
    assert "No published grade rule for the unified Probation Service was found" in applied
    assert "Technical details" in applied and report.policy.policy_version in applied
    assert "domain rules" not in page


@pytest.mark.parametrize(("day", "policy"), [
    (dt.date(2014, 6, 1), "2014-split"), (dt.date(2021, 6, 25), "2014-split"), (dt.date(2021, 6, 26), "2021-unified"),
], ids=["split_first_day", "split_last_day", "unified_first_day"])  # fmt: skip
def test_the_default_policy_follows_the_date(org, frozen_clock, monkeypatch, day, policy):
    monkeypatch.setattr(clock, "today", lambda: day)
    assert quality.risk_disagreements(actor=org.qa.user).policy.name == policy


def test_the_api_names_the_policy_applied_and_counts_unverified_rules_apart(org, frozen_clock):
    person = make_person(org, practitioner=org.po2)  # a PSO holding a high RoSH case
    register(org, person, "RHRH")
    body = Api("qa").get("/quality/risk-disagreements").json()
    assert (body["policy"], body["policy_effective_from"], body["policy_effective_to"]) == (
        "2021-unified", "2021-06-26", None
    )
    assert body["policy_title"] == alloc.allocation_policy("2021-unified").title
    assert [(i["crn"], i["kind"]) for i in body["items"]] == [(person.crn, UNVERIFIED)]
    assert (body["counts"]["total"]["unverified"], body["counts"]["total"]["total"], body["count"]) == (1, 0, 1)


# ---- the page's long tables: built by tags, the same markup the template loops gave ----

TEMPLATE_OPTIONS = (
    '{% for code, name in choices %}<option value="{{ code }}"{% if selected == code %} selected{% endif %}>'
    "{{ name }}</option>{% endfor %}"
)
TEMPLATE_COUNT_ROWS = (
    '{% for row in rows %}<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{{ row.name }}'
    '{% if codes and row.code %} <span class="govuk-body-s">({{ row.code }})</span>{% endif %}</th>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{{ row.rsr }}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{{ row.tier }}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{{ row.allocation }}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{{ row.total }}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{{ row.unverified }}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{{ row.cannot_check }}</td></tr>'
    "{% if not forloop.last %}\n{% endif %}{% endfor %}"
)


@pytest.mark.parametrize("selected", [None, "N07T02", "<T&\"'>"], ids=["none", "one", "markup_in_the_value"])
def test_select_options_are_the_markup_the_template_loop_gave(selected):
    choices = [("N07T01", "Camden Team 1"), ("N07T02", "Islington & <Team> \"2\""), ("<T&\"'>", "O'Brien's")]
    expected = Template(TEMPLATE_OPTIONS).render(Context({"choices": choices, "selected": selected}))
    tag = Template("{% load web_tables %}{% select_options choices selected %}")
    assert tag.render(Context({"choices": choices, "selected": selected})) == expected
    assert expected.count(" selected") == (1 if selected else 0)


@pytest.mark.parametrize("codes", [False, True], ids=["regions", "teams_with_codes"])
def test_count_rows_are_the_markup_the_template_loop_gave(codes):
    rows = [
        quality.CountRow("N07T01", "Camden & <Islington>", "N07", 1, 2, 3, cannot_check=4, unverified=5),
        quality.CountRow(None, "Unallocated", None, 0, 0, 0),
        quality.CountRow("X\"1'", "O'Brien \"team\"", "N07", 10, 0, 7, unverified=1_234),
    ]
    expected = Template(TEMPLATE_COUNT_ROWS).render(Context({"rows": rows, "codes": codes}))
    tag = Template("{% load web_tables %}{% count_rows rows codes=codes %}")
    assert tag.render(Context({"rows": rows, "codes": codes})) == expected
    assert "&lt;Islington&gt;" in expected and ("(N07T01)" in expected) is codes


# The page's rows as its template loop wrote them before the tag (one row per line).
TEMPLATE_DISAGREEMENT_ROWS = (
    "{% for row in rows %}"
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{% url \'web:case\' row.crn %}#risk-scores">'
    '{{ row.name }}</a><br><span class="govuk-body-s">{{ row.crn }}{% if row.practitioner %}, {{ row.practitioner }}'
    "{% endif %}</span></td>"
    '<td class="govuk-table__cell">{{ row.team_name|default:"Unallocated" }}{% if row.region_name %}<br>'
    '<span class="govuk-body-s">{{ row.region_name }}</span>{% endif %}</td>'
    '<td class="govuk-table__cell">{{ row.kind_label }}</td>'
    '<td class="govuk-table__cell">{{ row.recorded }}</td>'
    '<td class="govuk-table__cell">{{ row.calculated }}</td>'
    '<td class="govuk-table__cell">{{ row.difference }}<br><span class="govuk-body-s">{{ row.reason }}</span></td>'
    "</tr>{% if not forloop.last %}\n{% endif %}{% endfor %}"
)


def test_disagreement_rows_are_the_markup_the_template_loop_gave():
    row = quality.Disagreement(
        crn="X123456", name="Ann <O'Brien>", team_code="N07T01", team_name="Camden & Islington", region_code="N07",
        region_name="London \"North\"", practitioner="Zoe <Jenkins>", kind="tier", recorded="A3", calculated="B2",
        difference="protect A → B", reason="The recorded tier is not the calculated tier (V2)",
        rule="tier_recorded_differs",
    )  # fmt: skip
    unallocated = quality.Disagreement(
        crn="X654321", name="Bob Smith", team_code=None, team_name=None, region_code=None, region_name=None,
        practitioner=None, kind=quality.CANNOT_CHECK, recorded="", calculated="", difference="Recorded ; <none>",
        reason="No rule applies & so", rule="cannot_check", missing=("rosh",),
    )  # fmt: skip
    rows = [row, unallocated, dataclasses.replace(row, crn="X1 2&3")]  # a CRN the URL must quote
    expected = Template(TEMPLATE_DISAGREEMENT_ROWS).render(Context({"rows": rows}))
    tag = Template("{% load web_tables %}{% disagreement_rows rows %}")
    assert tag.render(Context({"rows": rows})) == expected
    assert "Ann &lt;O&#x27;Brien&gt;" in expected and ">Unallocated</td>" in expected
    assert "/case/X1%202&amp;3/#risk-scores" in expected
    assert expected.count("<tr ") == 3 and Template(TEMPLATE_DISAGREEMENT_ROWS).render(Context({"rows": []})) == ""
