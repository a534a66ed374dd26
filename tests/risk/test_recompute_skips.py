"""A re-run of the recompute skips the cases whose risk facts have not changed since it last calculated them as at
the same date under the same policies (risk.changes, decision 0017): every service that changes a fact makes the
next run calculate the case; a change to anything else, or none, leaves it skipped; a new date, a new policy
version or --force calculates every case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from openprobation.cli import main
from openprobation.people.models import Person
from openprobation.people.services import person_update
from openprobation.risk import recompute as rc
from openprobation.risk.facts import case_row
from openprobation.risk.models import CriminalHistory, RiskCalculation
from openprobation.risk.services import (
    criminal_history_set,
    oasys_assessment_record,
    registration_add,
    registration_update,
)
from openprobation.rules import case_record as cr
from openprobation.sentences.models import Event
from openprobation.sentences.services import event_create, event_update
from tests.factories import make_person

AS_OF = dt.date(2026, 11, 24)
CASES = 4
HISTORY = {"total_sanctions": 4, "age_at_first_sanction": 17, "violent_sanctions": 1}


@pytest.fixture
def caseload(org, frozen_clock):
    people = []
    for i in range(CASES):
        person = make_person(org, crn=f"X7{i:05d}")
        criminal_history_set(actor=org.po.user, person=person, values=HISTORY)
        registration_add(actor=org.po.user, person=person, code="RMRH", start_date=dt.date(2026, 2, 1))
        people.append(person)
    first = rc.recompute(as_of=AS_OF)
    assert (first.cases, first.skipped) == (CASES, 0)  # the services' changes: every case calculated once
    return people


def calculated(result: rc.RecomputeResult) -> int:
    return result.cases - result.skipped


def _person(org: Any, person: Person, **changes: Any) -> None:
    person.refresh_from_db()
    person_update(actor=org.po.user, person=person, version=person.version, changes=changes)


def _event(org: Any, person: Person, **changes: Any) -> None:
    event = Event.objects.get(person=person, number=1)
    event_update(actor=org.po.user, person=person, number=1, version=event.version, changes=changes)


def _history(org: Any, person: Person) -> None:
    version = CriminalHistory.objects.get(person=person).version
    criminal_history_set(actor=org.po.user, person=person, values={"total_sanctions": 9}, version=version)


def _end_registration(org: Any, person: Person) -> None:
    registration = person.registrations.get()
    registration_update(actor=org.po.user, person=person, registration_id=registration.pk,
                        version=registration.version, changes={"end_date": dt.date(2026, 11, 1)})  # fmt: skip


def _second_event(org: Any, person: Person) -> None:
    event_create(actor=org.admin.user, person=person, offence_code="00101", conviction_date=dt.date(2026, 6, 1),
                 sentence_date=dt.date(2026, 6, 1), sentence_type="community_order", length_months=6)  # fmt: skip


def _assessment(org: Any, person: Person) -> None:
    oasys_assessment_record(actor=org.po.user, person=person, completed_date=dt.date(2026, 10, 1), layer="layer3",
                            status="complete", answers={name: (1 if kind == cr.ANSWER else True)
                                                        for name, kind in cr.OASYS_ANSWERS.items()})  # fmt: skip


CHANGES_TO_FACTS: dict[str, Callable[[Any, Person], None]] = {
    "date_of_birth": lambda org, p: _person(org, p, date_of_birth=dt.date(1985, 3, 2)),
    "gender": lambda org, p: _person(org, p, gender="female"),
    "event_created": _second_event,
    "offence": lambda org, p: _event(org, p, offence_code="05400"),
    "conviction_date": lambda org, p: _event(org, p, conviction_date=dt.date(2026, 1, 2)),
    "criminal_history": _history,
    "oasys_assessment": _assessment,
    "registration_added": lambda org, p: registration_add(actor=org.po.user, person=p, code="MAPP", level="M2",
                                                          category="M1", start_date=dt.date(2026, 9, 1)),
    "registration_ended": _end_registration,
}  # fmt: skip


@pytest.mark.parametrize("change", list(CHANGES_TO_FACTS))
def test_a_change_to_a_risk_fact_through_its_service_is_calculated_by_the_next_run_and_the_rest_skipped(
    org, caseload, change
):
    CHANGES_TO_FACTS[change](org, caseload[1])
    result = rc.recompute(as_of=AS_OF)
    # read and calculated alone (its facts only), giving what the service's own recalculation stored today
    assert (calculated(result), result.skipped, result.written) == (1, CASES - 1, 0)
    again = rc.recompute(as_of=AS_OF)
    assert (calculated(again), again.skipped, again.written) == (0, CASES, 0)


@pytest.mark.parametrize(
    "change",
    [
        lambda org, p: _person(org, p, first_name="Sam"),  # not a fact any tool reads
        lambda org, p: _person(org, p, mobile_number="07700900123"),
        lambda org, p: None,
    ],
    ids=["first_name", "mobile_number", "nothing"],
)
def test_a_change_to_anything_else_leaves_every_case_skipped(org, caseload, change):
    change(org, caseload[1])
    result = rc.recompute(as_of=AS_OF)
    assert (calculated(result), result.skipped, result.written) == (0, CASES, 0)


def test_a_closed_case_is_no_longer_an_open_case_and_a_reopened_one_is_calculated(org, caseload):
    _event(org, caseload[1], termination_date=dt.date(2026, 11, 20), termination_reason="completed")
    result = rc.recompute(as_of=AS_OF)
    assert (result.cases, result.skipped) == (CASES - 1, CASES - 1)
    _second_event(org, caseload[1])
    result = rc.recompute(as_of=AS_OF)
    assert (result.cases, calculated(result)) == (CASES, 1)


def test_a_new_date_calculates_every_case_once(caseload):
    later = dt.date(2027, 3, 1)
    assert calculated(rc.recompute(as_of=later)) == CASES
    assert rc.recompute(as_of=later).skipped == CASES
    for person in caseload:  # what was stored is what each case's own calculation gives as at the new date
        for tool, outcome in cr.row_calculate(case_row(person, later), later).items():
            newest = RiskCalculation.objects.filter(person=person, tool=tool).first()
            assert newest.result_key == outcome.result_key, (person.crn, tool)


def test_a_new_policy_version_calculates_every_case_once(caseload, monkeypatch):
    real = cr.tool_policy_version
    monkeypatch.setattr(cr, "tool_policy_version", lambda tool: real(tool) + (" v9" if tool == "ogp" else ""))
    result = rc.recompute(as_of=AS_OF)
    assert (calculated(result), result.written_by_tool) == (CASES, {"ogp": CASES})
    assert rc.recompute(as_of=AS_OF).skipped == CASES


def test_a_change_made_outside_the_services_is_skipped_until_a_forced_run(caseload):
    # Facts changed behind the services' back are not counted: the re-run skips the case (its stored results are
    # now stale), and --force, which calculates every case, stores the new results.
    person = caseload[2]
    Person.objects.filter(pk=person.pk).update(date_of_birth=dt.date(1960, 1, 1))
    assert rc.recompute(as_of=AS_OF).written == 0
    forced = rc.recompute(as_of=AS_OF, force=True)
    assert (calculated(forced), forced.skipped) == (CASES, 0)
    assert forced.written > 0
    assert set(RiskCalculation.objects.filter(source="recompute").values_list("person_id", flat=True)) == {person.pk}


def test_a_change_counted_after_a_batch_read_its_facts_is_calculated_by_the_next_run(org, caseload):
    # The batch reads each case's count of changes before its facts and stores that count: a change committed after
    # the read (whether or not the facts read saw it) leaves the stored count behind the case's.
    person = caseload[0]
    lo, hi = min(p.pk for p in caseload), max(p.pk for p in caseload)
    _history(org, person)
    result = rc.RecomputeResult()
    planned = rc.plan_batch(lo, hi, AS_OF, result)
    assert result.skipped == CASES - 1
    _person(org, person, gender="female")
    rc.write_batch(planned, result)
    again = rc.recompute(as_of=AS_OF)
    assert (calculated(again), again.skipped) == (1, CASES - 1)
    assert rc.recompute(as_of=AS_OF).skipped == CASES


def test_cli_recompute_force(caseload, capsys):
    assert main(["recompute", "--quiet", "--as-of", "2026-11-24"]) == 0
    assert f"{CASES} of them skipped as unchanged" in capsys.readouterr().out
    assert main(["recompute", "--quiet", "--force", "--as-of", "2026-11-24"]) == 0
    assert "0 of them skipped as unchanged" in capsys.readouterr().out
