"""Each case's risk facts and flags are kept ready for the quality report (decision 0030): every service that changes
a fact the report reads refreshes the case's row in the same transaction, so the report shows the new figure at once;
a change of policy is never served stale; data changed outside the services is refreshed by the command."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection, transaction  # noqa: F401 (connection: read by the skipif condition)
from django.db.models import F
from django.test import Client

from openprobation.cli import main
from openprobation.organisation.services import staff_create
from openprobation.risk import quality, riskfacts
from openprobation.risk.models import Registration, RiskFacts, RiskFactsTally
from openprobation.risk.recompute import recompute
from openprobation.risk.services import recorded_score_set, registration_add, registration_update
from openprobation.rules import allocation as alloc
from openprobation.sentences.models import Event
from openprobation.sentences.services import event_allocate
from tests.concurrency import run_together
from tests.factories import limit_access, make_org, make_person

UNVERIFIED = quality.UNVERIFIED


def listed(org, policy="2021-unified"):
    report = quality.risk_disagreements(actor=org.qa.user, policy=policy, page_size=500)
    return {(r.crn, r.kind) for r in report.rows}


def register(org, person, code):
    return registration_add(actor=org.po.user, person=person, code=code, start_date=dt.date(2026, 2, 1))


def record(org, person, kind, value):
    recorded_score_set(actor=org.po.user, person=person, kind=kind, value=value, source="practitioner",
                       effective_date=dt.date(2026, 2, 1))  # fmt: skip


def row(person) -> RiskFacts:
    return RiskFacts.objects.get(person=person)


# ---- every service that changes a fact the report reads ----


def test_a_recorded_score_shows_at_once(org, frozen_clock):
    person = make_person(org)  # calculates tier D0
    record(org, person, "tier", "B2")
    assert (person.crn, "tier") in listed(org)
    record(org, person, "tier", "D0")
    assert (person.crn, "tier") not in listed(org)


def test_a_registration_added_and_ended_shows_at_once(org, frozen_clock):
    """Through risk_recalculate: the RoSH code and the newest tier calculation change together."""
    person = make_person(org, practitioner=org.po2)  # a PSO
    record(org, person, "tier", "D0")
    before = row(person).calc_tier
    registration = register(org, person, "RHRH")
    facts = row(person)
    assert facts.rosh_code == "RHRH" and facts.calc_tier != before  # recalculated in the same transaction
    assert {(person.crn, UNVERIFIED), (person.crn, "tier")} <= listed(org)  # a PSO holds a high RoSH case
    registration_update(actor=org.po.user, person=person, registration_id=registration.pk,
                        version=registration.version, changes={"end_date": dt.date(2026, 3, 1)})  # fmt: skip
    assert row(person).rosh_code is None and row(person).calc_tier == before
    assert not {(person.crn, UNVERIFIED), (person.crn, "tier")} & listed(org)


def test_an_allocation_shows_at_once(org, frozen_clock):
    person = make_person(org)  # held by a PO
    register(org, person, "RHRH")
    assert (person.crn, UNVERIFIED) not in listed(org)
    event = Event.objects.get(person=person)
    event_allocate(actor=org.spo.user, person=person, number=event.number, practitioner=org.po2.code,
                   start_date=dt.date(2026, 11, 1))  # fmt: skip
    assert row(person).holder_grade == "pso"
    assert (person.crn, UNVERIFIED) in listed(org)
    event_allocate(actor=org.spo.user, person=person, number=event.number, practitioner=org.po.code,
                   start_date=dt.date(2026, 11, 2))  # fmt: skip
    assert (person.crn, UNVERIFIED) not in listed(org)


def test_a_move_to_another_team_shows_at_once_in_counts_scope_and_filters(org, frozen_clock):
    """The row holds the case's team (decision 0032): an allocation to a practitioner in another team moves the case
    in the counts by team, in the team filter and in each SPO's scope, in the allocation's transaction."""
    person = make_person(org)  # team A
    record(org, person, "tier", "B2")
    assert row(person).team_id == org.team_a.pk
    spo_b = staff_create(username="spob", password="x-Long-Enough-2026", first_name="Spob", last_name="Tester",
                         grade="spo", role="spo", team=org.team_b.code, code="N07B100",
                         check_password=False)  # fmt: skip

    def seen_by_spos() -> tuple[bool, bool]:
        return tuple(  # type: ignore[return-value]
            (person.crn, "tier") in {(r.crn, r.kind) for r in quality.risk_disagreements(actor=s.user).rows}
            for s in (org.spo, spo_b)
        )

    def by_team() -> dict[str | None, int]:
        return {t.code: t.tier for t in quality.risk_disagreement_counts(actor=org.qa.user).teams}

    assert by_team() == {org.team_a.code: 1} and seen_by_spos() == (True, False)
    event = Event.objects.get(person=person)
    event_allocate(actor=org.admin.user, person=person, number=event.number, practitioner=org.po_b.code,
                   start_date=dt.date(2026, 11, 1))  # fmt: skip
    assert row(person).team_id == org.team_b.pk
    assert by_team() == {org.team_b.code: 1} and seen_by_spos() == (False, True)
    assert (person.crn, "tier") in listed_in(org, team=org.team_b.code)
    assert not listed_in(org, team=org.team_a.code)


def listed_in(org, **filters):
    return {(r.crn, r.kind) for r in quality.risk_disagreements(actor=org.qa.user, **filters).rows}


def test_every_row_holds_its_case_team_after_each_service(org, frozen_clock):
    """The invariant the report's counts, pages and scope rest on: no row's team differs from its case's."""
    people = [make_person(org), make_person(org, practitioner=org.po2), make_person(org, practitioner=org.po_b)]
    register(org, people[0], "RHRH")
    record(org, people[1], "tier", "B2")
    event = Event.objects.get(person=people[2])
    event_allocate(actor=org.admin.user, person=people[2], number=event.number, practitioner=org.po.code,
                   start_date=dt.date(2026, 11, 1))  # fmt: skip
    recompute(force=True)
    assert RiskFacts.objects.count() == 3
    mismatched = RiskFacts.objects.exclude(team_id=F("person__team_id"))
    assert not mismatched.exists()
    assert riskfacts.refresh_all() == 0  # nothing left for a full refresh to correct


def test_a_change_of_grade_in_the_administration_pages_shows_at_once(org, frozen_clock):
    person = make_person(org, practitioner=org.po2)  # a PSO
    register(org, person, "RHRH")
    assert (person.crn, UNVERIFIED) in listed(org)
    client = Client()
    client.force_login(org.admin.user)
    staff = org.po2
    response = client.post(f"/django-admin/organisation/staff/{staff.pk}/change/", {
        "code": staff.code, "first_name": staff.first_name, "last_name": staff.last_name, "grade": "po",
        "role": staff.role, "team": staff.team_id, "contracted_hours": str(staff.contracted_hours),
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert row(person).holder_grade == "po"
    assert (person.crn, UNVERIFIED) not in listed(org)


def test_the_recompute_refreshes_the_cases_it_calculates(org, frozen_clock):
    person = make_person(org)
    record(org, person, "tier", "D0")
    assert (person.crn, "tier") not in listed(org)
    # A registration written outside the services: the report does not know yet...
    Registration.objects.create(person=person, code="RHRH", start_date=dt.date(2026, 2, 1))
    assert (person.crn, "tier") not in listed(org)
    # ...until the recompute calculates the case (forced: the change did not go through the services).
    recompute(force=True)
    assert row(person).calc_tier != "D0"
    assert (person.crn, "tier") in listed(org)


def facts_rows() -> list[tuple]:
    return list(RiskFacts.objects.order_by("person_id").values_list("person_id", *riskfacts.COLUMNS[1:]))


def test_a_recompute_told_not_to_refresh_leaves_the_facts_to_one_refresh_of_every_case(org, frozen_clock):
    """``refresh_facts=False`` (the demo load, which refreshes every case at its end): the batches leave the facts as
    they were, and one refresh of every case then gives the rows and tally the per-batch refresh gives."""
    people = [make_person(org), make_person(org, practitioner=org.po2), make_person(org, practitioner=org.po_b)]
    record(org, people[0], "tier", "D0")
    # Facts changed outside the services, so a forced recompute changes the newest tiers.
    for person in people:
        Registration.objects.create(person=person, code="RHRH", start_date=dt.date(2026, 2, 1))
    before = facts_rows()
    with transaction.atomic():
        recompute(force=True)  # the batches refresh the facts of the cases whose RSR or tier changed
        refreshed = facts_rows()
        riskfacts.refresh_all()
        expected, expected_tally = facts_rows(), tally_by_key()
        transaction.set_rollback(True)
    assert refreshed != before and refreshed == expected
    recompute(force=True, refresh_facts=False)
    assert facts_rows() == before  # left as they were
    riskfacts.refresh_all()
    assert facts_rows() == expected and tally_by_key() == expected_tally == facts_by_key()


def test_the_refresh_command_picks_up_changes_made_outside_the_services(org, frozen_clock, capsys):
    person = make_person(org, practitioner=org.po2)
    Registration.objects.create(person=person, code="RHRH", start_date=dt.date(2026, 2, 1))
    assert (person.crn, UNVERIFIED) not in listed(org)
    assert main(["risk-facts", "refresh"]) == 0  # only rows under other policies: none
    assert (person.crn, UNVERIFIED) not in listed(org)
    assert main(["risk-facts", "refresh", "--all"]) == 0
    assert "1 rows written" in capsys.readouterr().out
    assert (person.crn, UNVERIFIED) in listed(org)
    assert main(["risk-facts", "refresh", "--all"]) == 0  # nothing changed: nothing written
    assert "0 rows written" in capsys.readouterr().out


def test_refresh_all_writes_the_missing_rows_and_skips_cases_with_no_facts(org, frozen_clock):
    from openprobation.people.services import person_create

    person = make_person(org)
    bare = person_create(actor=org.admin.user, crn="X900001", first_name="No", last_name="Facts",
                         date_of_birth=dt.date(1990, 1, 1), gender="male")  # fmt: skip
    RiskFacts.objects.all().delete()
    assert riskfacts.refresh_all() == 1
    assert RiskFacts.objects.filter(person=person).exists()  # its calculated tier and its holder are facts
    assert not RiskFacts.objects.filter(person=bare).exists()  # nothing recorded, nothing calculated, no holder
    assert riskfacts.refresh_cases([]) == 0


# ---- a new policy is never served stale ----


def test_a_new_allocation_policy_version_is_never_served_stale(org, frozen_clock, monkeypatch):
    person = make_person(org, practitioner=org.po2)  # a PSO
    register(org, person, "RHRH")
    assert (person.crn, UNVERIFIED) in listed(org)
    old = alloc.allocation_policy("2021-unified")
    # A new version in which a PSO may hold a high RoSH case (as a deployment with a new policy file would bring).
    rules = tuple(dataclasses.replace(r, allocate=r.allocate | {"pso"}) if r.id.startswith("rosh_high") else r
                  for r in old.rules)  # fmt: skip
    new = dataclasses.replace(old, policy_version="test-new-version", rules=rules)
    original = alloc.allocation_policy
    monkeypatch.setattr(alloc, "allocation_policy", lambda name: new if name == "2021-unified" else original(name))
    stamp = riskfacts.policy_stamp()
    assert RiskFacts.objects.exclude(stamp=stamp).exists()  # every row was worked out under the old version
    assert riskfacts.stale_exists()
    assert (person.crn, UNVERIFIED) not in listed(org)  # read under the new version at once
    assert not RiskFacts.objects.exclude(stamp=stamp).exists() and not riskfacts.stale_exists()


@pytest.mark.parametrize("reader", ["page", "counts", "csv"])
def test_a_row_written_under_another_stamp_is_worked_out_again_before_any_read(org, frozen_clock, reader):
    person = make_person(org)
    record(org, person, "tier", "B2")
    RiskFacts.objects.filter(person=person).update(tier_differs=False, stamp="0000000000000000")
    riskfacts.rebuild_tally()  # the tally as it stood when that row was written
    if reader == "page":
        assert (person.crn, "tier") in listed(org)
    elif reader == "counts":
        assert quality.risk_disagreement_counts(actor=org.qa.user).total.tier == 1
    else:
        assert "tier" in [r.kind for r in quality.risk_disagreements_all(actor=org.qa.user)]
    assert row(person).stamp == riskfacts.policy_stamp()


def test_every_allocation_policy_has_a_column():
    assert set(riskfacts.ALLOCATION_COLUMNS) == set(alloc.policy_names())
    fields = {f.name for f in RiskFacts._meta.get_fields()}
    assert set(riskfacts.ALLOCATION_COLUMNS.values()) <= fields


@pytest.mark.parametrize("page_size", [1, 2, 3, 50])
def test_pages_read_from_the_teams_they_cover_equal_the_whole_list_in_order(org, frozen_clock, page_size):
    """A page reads only the teams its rows fall in (the counts say where each team starts): paging through gives
    every row of the full list (the CSV's), in the same order, whatever the page size."""
    for holder, name in ((org.po, "Able"), (org.po2, "Baker"), (org.po_b, "Cole"), (org.po, "Dane")):
        person = make_person(org, practitioner=holder, last_name=name)
        record(org, person, "tier", "B2")
        register(org, person, "RHRH")
    everything = [(r.crn, r.kind) for r in quality.risk_disagreements_all(actor=org.qa.user)]
    assert len({crn for crn, _ in everything}) == 4 and len(everything) > 4
    paged, page = [], 1
    while True:
        report = quality.risk_disagreements(actor=org.qa.user, page=page, page_size=page_size)
        if not report.rows:
            break
        paged += [(r.crn, r.kind) for r in report.rows]
        page += 1
    assert paged == everything and report.count == len(everything)


# ---- the tally the national counts are read from (decision 0032) ----


def tally_by_key() -> dict[tuple, int]:
    sums: dict[tuple, int] = {}
    for row in RiskFactsTally.objects.values_list("team_id", *riskfacts.FLAG_COLUMNS, "n"):
        key = (row[0], bool(row[1]), bool(row[2]), *row[3:-1])
        sums[key] = sums.get(key, 0) + row[-1]
    return {key: n for key, n in sums.items() if n}


def facts_by_key() -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for row in RiskFacts.objects.values_list("team_id", *riskfacts.FLAG_COLUMNS):
        if row[1] or row[2] or any(a >= riskfacts.DISAGREES for a in row[3:]):
            key = (row[0], bool(row[1]), bool(row[2]), *row[3:])
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_the_tally_sums_to_the_listed_rows_after_each_service(org, frozen_clock):
    """Every write to the rows of facts adds its change to the tally in the same transaction: after each service, the
    tally's sums are the listed rows counted by team and flags."""
    people = [make_person(org, practitioner=org.po2), make_person(org), make_person(org, practitioner=org.po_b)]
    register(org, people[0], "RHRH")  # a PSO holding a high RoSH case: listed under the 2021 rules
    record(org, people[1], "tier", "B2")
    record(org, people[2], "rsr", "50.00")
    event = Event.objects.get(person=people[1])
    event_allocate(actor=org.admin.user, person=people[1], number=event.number, practitioner=org.po_b.code,
                   start_date=dt.date(2026, 11, 1))  # fmt: skip
    record(org, people[1], "tier", "D0")  # no longer listed
    Registration.objects.create(person=people[2], code="RHRH", start_date=dt.date(2026, 2, 1))
    recompute(force=True)
    assert tally_by_key() == facts_by_key() and facts_by_key()
    riskfacts.compact_tally()
    assert tally_by_key() == facts_by_key()
    assert RiskFactsTally.objects.count() == len(facts_by_key())  # one row per team and flags, none summing to 0


def test_the_national_counts_equal_the_rows_listed(org, frozen_clock):
    """Quality assurance's counts come from the tally less the hidden cases; an SPO's from the rows: both equal the
    rows the report lists, by team and kind."""
    for holder in (org.po, org.po2, org.po_b, org.po2):
        person = make_person(org, practitioner=holder)
        register(org, person, "RHRH")
        record(org, person, "tier", "A3")
    hidden = make_person(org, practitioner=org.po2)
    record(org, hidden, "tier", "A3")
    limit_access(person=hidden, staff_code=org.spo.code, kind="restriction", reason="LAO")
    for actor in (org.qa.user, org.spo.user, org.admin.user):
        for policy in alloc.policy_names():
            report = quality.risk_disagreements(actor=actor, policy=policy, page_size=500)
            by_team: dict[tuple[str | None, str], int] = {}
            for r in report.rows:
                by_team[(r.team_code, r.kind)] = by_team.get((r.team_code, r.kind), 0) + 1
            counted = {(t.code, kind): getattr(t, attr) for t in report.counts.teams
                       for kind, attr in (("rsr", "rsr"), ("tier", "tier"), ("allocation", "allocation"),
                                          (UNVERIFIED, "unverified"), (quality.CANNOT_CHECK, "cannot_check"))
                       if getattr(t, attr)}  # fmt: skip
            assert counted == by_team, (actor.username, policy)
            assert (hidden.crn in {r.crn for r in report.rows}) is (actor == org.spo.user)


def test_changes_piled_up_in_the_tally_are_compacted_before_a_read(org, frozen_clock, monkeypatch):
    person = make_person(org)
    for value in ("B2", "D0", "B2", "C1", "B2"):
        record(org, person, "tier", value)
    piled = RiskFactsTally.objects.count()
    assert piled > 1
    monkeypatch.setattr(riskfacts, "COMPACT_AT", piled - 1)
    assert quality.risk_disagreement_counts(actor=org.qa.user).total.tier == 1
    assert RiskFactsTally.objects.count() == 1 and tally_by_key() == facts_by_key()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite lets one writer in at a time anyway")
def test_concurrent_changes_and_compactions_leave_the_tally_exact(frozen_clock):
    """Changes to different cases of one team add to the tally at once (no shared counter to wait on), while readers
    compact it: afterwards its sums are still the listed rows."""
    org = make_org()
    people = iter([make_person(org, practitioner=org.po2) for _ in range(8)])
    turns = iter(range(1_000))

    def act() -> object:
        if next(turns) % 3 == 2:
            return riskfacts.compact_tally()
        person = next(people)
        record(org, person, "tier", "B2")
        return register(org, person, "RHRH")

    for _ in range(4):
        outcomes = run_together(3, act)
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert tally_by_key() == facts_by_key() and sum(facts_by_key().values()) == 8
