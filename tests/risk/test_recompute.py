"""Whole-caseload recalculation: agrees with the case record's own calculation, is idempotent, survives being
interrupted, and keeps Person.tier in step."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.cli import main
from openprobation.people.models import Person
from openprobation.risk import recompute as rc
from openprobation.risk import storage
from openprobation.risk.models import RiskCalculation
from openprobation.risk.services import (
    criminal_history_set,
    oasys_assessment_record,
    registration_add,
    risk_recalculate,
)
from openprobation.rules import case_record as cr
from tests.factories import make_person

AS_OF = dt.date(2026, 11, 24)
ANSWERS = {name: (1 if kind == cr.ANSWER else True) for name, kind in cr.OASYS_ANSWERS.items()}


@pytest.fixture
def caseload(org, frozen_clock):
    people = []
    for i in range(6):
        person = make_person(org, crn=f"X5{i:05d}")
        if i % 2 == 0:
            criminal_history_set(
                actor=org.po.user,
                person=person,
                values={"total_sanctions": 3 + i, "age_at_first_sanction": 17, "violent_sanctions": i,
                        "contact_adult_sexual_sanctions": 0, "contact_child_sexual_sanctions": 0,
                        "non_contact_sexual_sanctions": 0, "indecent_image_sanctions": 0},
            )  # fmt: skip
        if i % 3 == 0:
            oasys_assessment_record(actor=org.po.user, person=person, completed_date=dt.date(2026, 6, 1),
                                    layer="layer3", status="complete", answers=ANSWERS,
                                    section_scores={"attitudes": 6, "accommodation": 3})  # fmt: skip
        if i == 4:
            registration_add(actor=org.po.user, person=person, code="RVHR", start_date=dt.date(2026, 2, 1))
        people.append(person)
    return people


def test_recompute_on_records_the_services_already_calculated_writes_nothing(caseload):
    before = RiskCalculation.objects.count()
    result = rc.recompute(as_of=AS_OF, batch=4)
    assert result.cases == 6 and result.written == 0 and result.tiers_changed == 0
    assert RiskCalculation.objects.count() == before


def test_a_later_date_stores_new_results_once_and_a_second_run_writes_nothing(caseload):
    later = dt.date(2027, 3, 1)  # months since follow-up move SNSV on; a layer-3 assessment is still current
    first = rc.recompute(as_of=later, batch=4)
    assert first.written > 0
    expected = {p.pk: cr.row_calculate(rc_facts(p, later), later) for p in caseload}
    for person in caseload:
        for tool, outcome in expected[person.pk].items():
            newest = RiskCalculation.objects.filter(person=person, tool=tool).order_by("-id").first()
            assert (newest.status, newest.result_key) == (outcome.status, outcome.result_key), (person.crn, tool)
    second = rc.recompute(as_of=later, batch=4)
    assert second.written == 0 and second.tiers_changed == 0


def rc_facts(person, as_of):
    from openprobation.risk.facts import case_row

    return case_row(person, as_of)


def test_person_tier_follows_the_recalculated_tier(caseload):
    Person.objects.filter(pk=caseload[1].pk).update(tier="A3")  # as if imported wrongly
    result = rc.recompute(as_of=AS_OF, batch=10)
    assert result.tiers_changed == 1
    caseload[1].refresh_from_db()
    assert caseload[1].tier == RiskCalculation.objects.filter(person=caseload[1], tool="tier").first().tier


def test_an_interrupted_run_keeps_finished_batches_and_the_rerun_completes(caseload, monkeypatch):
    later = dt.date(2027, 3, 1)
    real = rc.recompute_batch
    calls = {"n": 0}

    def failing(lo, hi, as_of, result, **options):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real(lo, hi, as_of, result, **options)

    monkeypatch.setattr(rc, "recompute_batch", failing)
    with pytest.raises(KeyboardInterrupt):
        rc.recompute(as_of=later, batch=2)
    partial = RiskCalculation.objects.filter(source="recompute").count()
    assert partial > 0
    monkeypatch.setattr(rc, "recompute_batch", real)
    rerun = rc.recompute(as_of=later, batch=2)
    assert rerun.written > 0
    assert rc.recompute(as_of=later, batch=2).written == 0


def test_the_floor_reads_and_writes_but_keeps_nothing(caseload):
    before = RiskCalculation.objects.count()
    result = rc.recompute(as_of=AS_OF, batch=4, floor=True)
    assert result.written > 0 and RiskCalculation.objects.count() == before


def test_cli_recompute(caseload, capsys):
    assert main(["recompute", "--quiet", "--as-of", "2026-11-24"]) == 0
    assert "Recalculated 6 open cases" in capsys.readouterr().out
    assert main(["recompute", "--quiet", "--as-of", "24/11/2026"]) == 2


def test_stored_rows_hold_the_same_inputs_digest_and_result_as_the_scalar_path(caseload, monkeypatch):
    later = dt.date(2027, 3, 1)
    real = cr.tool_policy_version
    monkeypatch.setattr(cr, "tool_policy_version", lambda tool: real(tool) + " new")  # every tool is stored anew
    assert rc.recompute(as_of=later, batch=4).written == len(caseload) * len(cr.TOOLS)
    checked = 0
    for person in caseload:
        expected = cr.row_calculate(rc_facts(person, later), later)
        for tool, outcome in expected.items():
            newest = RiskCalculation.objects.filter(person=person, tool=tool, source="recompute").first()
            checked += 1
            assert newest.inputs == outcome.inputs and newest.inputs_digest == storage.inputs_digest(outcome.inputs), (
                person.crn,
                tool,
            )
            assert (newest.result, list(newest.reasons)) == (outcome.result, list(outcome.reasons)), (person.crn, tool)
            assert (newest.policy_version, newest.as_of) == (outcome.policy_version, later)
    assert checked == len(caseload) * len(cr.TOOLS)


def test_only_the_calculations_that_differ_from_the_newest_stored_are_written(caseload, monkeypatch):
    person = caseload[0]
    newest = RiskCalculation.objects.filter(person=person, tool="ogrs3").order_by("-id").first()
    RiskCalculation.objects.create(
        person=person, tool="ogrs3", status=newest.status, calculated_at=newest.calculated_at, as_of=newest.as_of,
        policy_version=newest.policy_version, inputs=newest.inputs, inputs_digest=newest.inputs_digest,
        result=newest.result, result_key="stale", reasons=newest.reasons, source="record",
    )  # fmt: skip
    result = rc.recompute(as_of=AS_OF, batch=4)
    assert (result.written, result.written_by_tool) == (1, {"ogrs3": 1})
    assert RiskCalculation.objects.filter(person=person, tool="ogrs3").first().result_key == newest.result_key
    real = cr.tool_policy_version
    monkeypatch.setattr(cr, "tool_policy_version", lambda tool: real(tool) + (" v9" if tool == "tier" else ""))
    result = rc.recompute(as_of=AS_OF, batch=4)
    assert result.written_by_tool == {"tier": len(caseload)}
    assert rc.recompute(as_of=AS_OF, batch=4).written == 0


def test_a_case_recalculated_after_recompute_stored_it_stores_nothing_new(caseload, monkeypatch):
    # Recompute stores every tool (a new policy version); the case's own recalculation then finds the same inputs
    # digest and policy, so it stores nothing: the two paths' digests agree.
    later = dt.date(2027, 3, 1)
    real = cr.tool_policy_version
    monkeypatch.setattr(cr, "tool_policy_version", lambda tool: real(tool) + " new")
    assert rc.recompute(as_of=later, batch=4).written == len(caseload) * len(cr.TOOLS)
    before = RiskCalculation.objects.count()
    for person in caseload:
        assert risk_recalculate(actor=None, person=person, as_of=later) == []
    assert RiskCalculation.objects.count() == before


@pytest.fixture
def refused(org, frozen_clock):
    """A case whose OGRS3, RSR and OGP the calculators refuse on their own checks (first sanction at 36, convicted
    at 35), so a caseload hands it to the scalar path; its record's recalculation stored every tool."""
    person = make_person(org, crn="X600001")
    values = {"total_sanctions": 3, "age_at_first_sanction": 36, "violent_sanctions": 0}
    criminal_history_set(actor=org.po.user, person=person, values=values)
    ogrs3 = RiskCalculation.objects.filter(person=person, tool="ogrs3").first()
    assert ogrs3.status == "not_calculated" and ogrs3.reasons[0]["field"] == "age_at_first_sanction"
    return person


@pytest.mark.parametrize(
    ("as_of", "policy_suffix", "first", "again"),
    [
        # every tool's inputs digest and policy are the stored ones: nothing to calculate
        (AS_OF, "", (0, 1, 0), (0, 1, 0)),
        # RSR's assessment date is the day, so its inputs changed but its result (not calculated) did not: nothing is
        # written, and the stored digest stays the older one, so the case is calculated again on every run that day
        (dt.date(2026, 11, 25), "", (1, 0, 0), (1, 0, 0)),
        # the tier's policy changed: the tier is stored anew, and then the case is unchanged
        (AS_OF, " v9", (1, 0, 1), (0, 1, 0)),
    ],
    ids=["unchanged", "inputs_changed_result_not", "policy_changed"],
)
def test_a_case_handed_to_the_scalar_path_is_calculated_one_by_one_only_when_its_inputs_or_policy_changed(
    refused, monkeypatch, as_of, policy_suffix, first, again
):
    real = cr.tool_policy_version
    monkeypatch.setattr(cr, "tool_policy_version", lambda tool: real(tool) + (policy_suffix if tool == "tier" else ""))
    result = rc.recompute(as_of=as_of)
    assert (result.scalar_cases, result.scalar_unchanged, result.written) == first
    assert f"{first[0]} cases checked one by one ({first[1]} more handed over" in result.summary()
    rerun = rc.recompute(as_of=as_of, force=True)  # forced: not skipped as unchanged since the first run
    assert (rerun.scalar_cases, rerun.scalar_unchanged, rerun.written) == again
    unforced = rc.recompute(as_of=as_of)  # the record has not changed since: skipped, its facts not even read
    assert (unforced.skipped, unforced.scalar_cases, unforced.scalar_unchanged, unforced.written) == (1, 0, 0, 0)
    refused.refresh_from_db()
    assert refused.tier == RiskCalculation.objects.filter(person=refused, tool="tier").first().tier


def test_stored_json_is_canonical_text_whichever_path_wrote_it(caseload, monkeypatch):
    # A case's own recalculation (the model field) and recompute (columns, COPY or executemany) store the same
    # canonical JSON text; the inputs digest is SHA-1 of the stored inputs text.
    from django.db import connection

    later = dt.date(2027, 3, 1)
    real = cr.tool_policy_version
    monkeypatch.setattr(cr, "tool_policy_version", lambda tool: real(tool) + " new")
    rc.recompute(as_of=later, batch=4)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, source, inputs, inputs_digest, result, reasons FROM risk_riskcalculation")
        rows = cursor.fetchall()
    assert {source for _, source, *_ in rows} == {"record", "recompute"}
    for pk, _, inputs, digest, result, reasons in rows:
        calc = RiskCalculation.objects.get(pk=pk)
        assert inputs == storage.canonical_json(calc.inputs) and storage.digest_of_text(inputs) == digest
        assert result == (None if calc.result is None else storage.canonical_json(calc.result))
        assert reasons == storage.canonical_json(calc.reasons)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_on_postgresql_batches_are_written_beside_the_next_ones_calculation(
    caseload, monkeypatch
):
    # The command runs outside any transaction: on PostgreSQL each batch is written by a second thread, in a
    # transaction of its own, while the next is calculated. What is stored is what the case's own calculation gives.
    from django.db import connection

    real_pipelined = rc._pipelined
    used = []
    monkeypatch.setattr(rc, "_pipelined", lambda *a, **k: used.append(1) or real_pipelined(*a, **k))
    later = dt.date(2027, 3, 1)
    real = cr.tool_policy_version
    monkeypatch.setattr(cr, "tool_policy_version", lambda tool: real(tool) + " new")  # every tool is stored anew
    done = []
    result = rc.recompute(as_of=later, batch=4, progress=done.append)
    assert bool(used) == (connection.vendor == "postgresql")
    assert (result.written, result.batches, sum(done)) == (len(caseload) * len(cr.TOOLS), 2, len(caseload))
    for person in caseload:
        expected = cr.row_calculate(rc_facts(person, later), later)
        for tool, outcome in expected.items():
            newest = RiskCalculation.objects.filter(person=person, tool=tool).first()
            assert (newest.source, newest.inputs, newest.result, newest.result_key) == (
                "recompute", outcome.inputs, outcome.result, outcome.result_key
            )
    assert rc.recompute(as_of=later, batch=4).written == 0
    stored = RiskCalculation.objects.count()
    floor = rc.recompute(as_of=later, batch=4, floor=True)  # the floor is written the same way, then rolled back
    assert floor.written == len(caseload) * len(cr.TOOLS) and RiskCalculation.objects.count() == stored


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_failed_write_stops_the_run_keeping_the_batches_written_before(
    caseload, monkeypatch
):
    later = dt.date(2027, 3, 1)
    real_write = rc.write_batch
    calls = {"n": 0}

    def failing(batch, result):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real_write(batch, result)

    monkeypatch.setattr(rc, "write_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        rc.recompute(as_of=later, batch=2)
    written = RiskCalculation.objects.filter(source="recompute").count()
    assert 0 < written < len(caseload) * len(cr.TOOLS)  # the first batch kept, the failed one rolled back
    monkeypatch.setattr(rc, "write_batch", real_write)
    assert rc.recompute(as_of=later, batch=2).written > 0
    assert rc.recompute(as_of=later, batch=2).written == 0
