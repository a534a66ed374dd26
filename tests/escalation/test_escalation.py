"""Risk escalation through the API: a request carrying its evidence (gathered from the record when it is made and
not changed by later edits), reviewed within the policy's timescale by the receiving SPO, accepted (the case moves,
with history) or declined with a reason. Bad transitions are refused with a clear error and change nothing. The
clock is frozen at Tuesday 24 November 2026, 12:00 UTC unless a test moves it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.contacts.services import contact_record, contact_update
from openprobation.core import clock
from openprobation.core.models import AuditEvent
from openprobation.escalation.models import RiskEscalation
from openprobation.organisation.services import staff_create
from openprobation.people.services import person_create
from openprobation.risk.models import Registration
from openprobation.risk.services import registration_add, registration_update
from openprobation.sentences.models import Allocation
from openprobation.sentences.services import event_create
from openprobation.web.audit_words import ACTIONS
from openprobation.workitems.escalations import overdue_items_escalate
from openprobation.workitems.models import WorkItem, WorkItemEscalation
from tests.factories import PASSWORD, _crns, limit_access, make_person
from tests.record.test_api import Api, problem_fields, table_snapshot

pytestmark = pytest.mark.django_db
D = dt.date
UTC = dt.UTC
SIGNAL_NOTE = "Partner rang: he keeps turning up at her work and she is scared."


def at(monkeypatch, when: dt.datetime) -> dt.datetime:
    monkeypatch.setattr(clock, "now", lambda: when)
    monkeypatch.setattr(clock, "today", lambda: when.date())
    return when


def pso_case(org, **names: str):
    """A community order held by a PSO (org.po2), allocated on 5 January 2026 with RoSH medium."""
    person = make_person(org, practitioner=org.po2, **names)
    registration_add(actor=org.admin.user, person=person, code="RMRH", start_date=D(2026, 1, 5))
    return person


def contact(org, person, when: dt.datetime, notes: str, *, as_user=None):
    return contact_record(actor=(as_user or org.po2.user), person=person, type="note", date=when, notes=notes,
                          event_number=1)  # fmt: skip


def request(api: Api, person, **body: Any):
    payload = {"target": "probation_officer", "reason": "RoSH raised to high after reports from the partner.",
               **body}  # fmt: skip
    return api.post(f"/people/{person.crn}/risk-escalations", payload)


def decide(api: Api, person, esc_id: int, **body: Any):
    version = RiskEscalation.objects.get(pk=esc_id).version
    return api.post(f"/people/{person.crn}/risk-escalations/{esc_id}/decision", {"version": version, **body})


def test_a_request_carries_its_evidence_and_starts_the_review_clock(org, frozen_clock):
    person = pso_case(org, first_name="Casey", last_name="Holt")
    registration_add(actor=org.po2.user, person=person, code="RHRH", start_date=D(2026, 11, 20))
    chosen = contact(org, person, dt.datetime(2026, 11, 19, 10, tzinfo=UTC), "Told me he has lost his job.")
    signal = contact(org, person, dt.datetime(2026, 11, 21, 9, tzinfo=UTC), SIGNAL_NOTE)
    contact(org, person, dt.datetime(2026, 11, 22, 9, tzinfo=UTC), "Routine call, nothing of note.")
    response = request(Api("po2"), person, contact_ids=[chosen.pk])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["target"], body["requested_by"], body["holder"], body["holder_grade"],
            body["receiving_team"]) == ("awaiting_review", "probation_officer", org.po2.code, org.po2.code, "pso",
                                        org.team_a.code)  # fmt: skip
    evidence = body["evidence"]
    assert evidence["baseline"]["kind"] == "allocation" and evidence["baseline"]["on"] == "2026-01-05"
    changes = {c["factor"]: c for c in evidence["changes"]}
    assert (changes["rosh"]["before"], changes["rosh"]["now"], changes["rosh"]["direction"]) == (
        "medium", "high", "raised")
    assert "allocation on 5 January 2026" in changes["rosh"]["words"]
    assert changes["mappa"]["direction"] == "unchanged"
    assert [r["code"] for r in evidence["registrations"]] == ["RHRH"]
    assert evidence["registrations"][0]["start_date"] == "2026-11-20"
    # the chosen contact, and the one with warning-sign words (found, not chosen); not the routine call
    by_id = {c["id"]: c for c in evidence["contacts"]}
    assert set(by_id) == {chosen.pk, signal.pk}
    assert by_id[chosen.pk]["chosen"] and by_id[chosen.pk]["notes"] == "Told me he has lost his job."
    assert not by_id[signal.pk]["chosen"]
    assert {s["signal"] for s in by_id[signal.pk]["signals"]} >= {"stalking_harassment", "feels_unsafe"}
    assert {s["tool"] for s in evidence["scores"]} <= {"rsr", "ogrs3", "ovp", "ogp", "tier"}
    # the review clock: 5 working days from Tuesday 24 November 2026, owed by the team's SPO
    item = WorkItem.objects.get(person=person, kind="risk_escalation_review")
    assert (item.due_date, item.owner_id, item.owner_role, item.rule_id, item.policy_version, item.status) == (
        D(2026, 12, 1), org.spo.pk, "spo", "risk_escalation_review", "timescales-ps2021-v5", "open")
    assert (body["review_due_date"], body["review_policy_version"]) == ("2026-12-01", "timescales-ps2021-v5")
    assert AuditEvent.objects.filter(action="risk_escalation.requested", crn=person.crn).count() == 1


def test_the_evidence_is_a_snapshot_later_edits_do_not_rewrite_it(org, frozen_clock):
    person = pso_case(org)
    high = registration_add(actor=org.po2.user, person=person, code="RHRH", start_date=D(2026, 11, 20))
    chosen = contact(org, person, dt.datetime(2026, 11, 19, 10, tzinfo=UTC), "Told me he has lost his job.")
    esc_id = request(Api("po2"), person, contact_ids=[chosen.pk]).json()["id"]
    before = Api("spo").get(f"/people/{person.crn}/risk-escalations/{esc_id}").json()["evidence"]
    contact_update(actor=org.po2.user, person=person, contact_id=chosen.pk, version=chosen.version,
                   changes={"notes": "Edited later: found a new job."})  # fmt: skip
    registration_update(actor=org.po2.user, person=person, registration_id=high.pk, version=high.version,
                        changes={"end_date": D(2026, 11, 24)})  # fmt: skip
    registration_add(actor=org.po2.user, person=person, code="MAPP", level="M1", category="M2",
                     start_date=D(2026, 11, 24))  # fmt: skip
    after = Api("spo").get(f"/people/{person.crn}/risk-escalations/{esc_id}").json()["evidence"]
    assert after == before
    assert next(c for c in after["contacts"] if c["id"] == chosen.pk)["notes"] == "Told me he has lost his job."


def test_accepting_moves_the_case_to_the_chosen_officer_with_history(org, frozen_clock):
    person = pso_case(org)
    esc_id = request(Api("po2"), person).json()["id"]
    accepted = decide(Api("spo"), person, esc_id, decision="accept", practitioner=org.po.code,
                      reason="Agreed: high RoSH needs a PO.")  # fmt: skip
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert (body["status"], body["decided_by"], body["moved_to"]) == ("accepted", org.spo.code, org.po.code)
    person.refresh_from_db()
    assert person.practitioner_id == org.po.pk
    history = list(Allocation.objects.filter(event__person=person).order_by("start_date", "id"))
    assert [(a.practitioner_id, a.start_date, a.end_date) for a in history] == [
        (org.po2.pk, D(2026, 1, 5), D(2026, 11, 24)), (org.po.pk, D(2026, 11, 24), None)]
    assert f"Risk escalation {esc_id} accepted" in history[-1].reason
    item = WorkItem.objects.get(person=person, kind="risk_escalation_review")
    assert (item.status, item.closed_on) == ("done", D(2026, 11, 24))
    actions = list(AuditEvent.objects.filter(crn=person.crn).values_list("action", flat=True))
    assert {"risk_escalation.requested", "risk_escalation.accepted", "event.allocated"} <= set(actions)
    assert {"risk_escalation.requested", "risk_escalation.accepted", "risk_escalation.declined"} <= set(ACTIONS)


@pytest.mark.parametrize(
    ("mappa", "target", "category", "expected"),
    [
        (("M1", "M2"), "mappa_level_2", "", ("M2", "M2")),
        (("M1", "M3"), "mappa_level_3", "", ("M3", "M3")),
        (None, "mappa_level_2", "M1", ("M2", "M1")),
    ],
    ids=["level_1_to_2_keeps_category", "level_1_to_3", "no_mappa_to_level_2_with_category"],
)
def test_accepting_a_mappa_escalation_changes_the_level_through_the_registration_service(
    org, frozen_clock, mappa, target, category, expected
):
    person = make_person(org)
    old = None
    if mappa is not None:
        old = registration_add(actor=org.admin.user, person=person, code="MAPP", level=mappa[0], category=mappa[1],
                               start_date=D(2026, 2, 1))  # fmt: skip
    esc_id = request(Api("po"), person, target=target).json()["id"]
    if mappa is None:  # no registration: the category is needed
        assert problem_fields(decide(Api("spo"), person, esc_id, decision="accept")) == {"mappa_category"}
    body = decide(Api("spo"), person, esc_id, decision="accept", mappa_category=category).json()
    assert body["status"] == "accepted"
    made = Registration.objects.get(pk=body["mappa_registration_id"])
    assert (made.code, made.level, made.category, made.start_date, made.end_date) == (
        "MAPP", *expected, D(2026, 11, 24), None)
    if old is not None:
        old.refresh_from_db()
        assert old.end_date == D(2026, 11, 24)  # history: the old level ended the day the new one began
    person.refresh_from_db()
    assert person.practitioner_id == org.po.pk  # a MAPPA escalation moves no one


def test_declining_needs_a_reason_and_closes_the_clock(org, frozen_clock):
    po2 = Api("po2")
    spo = Api("spo")
    person = pso_case(org)
    esc_id = request(po2, person).json()["id"]
    before = table_snapshot()
    refused = decide(spo, person, esc_id, decision="decline", reason="  ")
    assert problem_fields(refused) == {"reason"}
    assert table_snapshot() == before
    declined = decide(spo, person, esc_id, decision="decline", reason="RoSH review pending: PSO keeps it.")
    assert declined.json()["status"] == "declined"
    assert declined.json()["decision_reason"] == "RoSH review pending: PSO keeps it."
    assert WorkItem.objects.get(person=person, kind="risk_escalation_review").status == "done"
    person.refresh_from_db()
    assert person.practitioner_id == org.po2.pk


def _refused(response, field: str) -> None:
    assert problem_fields(response) == {field}, response.content


def test_bad_transitions_give_a_clear_error_and_change_nothing(org, frozen_clock):
    po = Api("po")
    po2 = Api("po2")
    spo = Api("spo")
    po_case = make_person(org)  # held by a probation officer already
    mappa_case = make_person(org)
    registration_add(actor=org.admin.user, person=mappa_case, code="MAPP", level="M2", category="M1",
                     start_date=D(2026, 2, 1))  # fmt: skip
    pso = pso_case(org)
    before = table_snapshot()
    _refused(request(po, po_case), "target")  # already at PO level
    _refused(request(po, mappa_case, target="mappa_level_2"), "target")  # already at level 2
    _refused(request(po, pso, target="nps", receiving_team=org.team_b.code), "target")  # not 2014-2021
    _refused(request(po, pso, reason=""), "reason")
    _refused(request(po, pso, contact_ids=[999999]), "contact_ids.0")
    _refused(request(po, pso, receiving_team=org.team_b.code), "receiving_team")
    assert table_snapshot() == before
    assert request(po, mappa_case, target="mappa_level_3").status_code == 201
    esc_id = request(po2, pso).json()["id"]
    before = table_snapshot()
    _refused(request(po2, pso), "status")  # one awaiting review at a time
    _refused(decide(spo, pso, esc_id, decision="accept"), "practitioner")  # accepting without where it goes
    _refused(decide(spo, pso, esc_id, decision="accept", practitioner=org.po_b.code), "practitioner")
    _refused(decide(spo, pso, esc_id, decision="accept", practitioner=org.po2.code), "practitioner")
    _refused(decide(spo, pso, esc_id, decision="decline"), "reason")
    assert decide(po, pso, esc_id, decision="decline", reason="x").status_code == 403  # the SPO decides
    assert table_snapshot() == before
    assert decide(spo, pso, esc_id, decision="accept", practitioner=org.po.code).status_code == 200
    before = table_snapshot()
    _refused(decide(spo, pso, esc_id, decision="decline", reason="Changed my mind."), "status")  # twice
    assert table_snapshot() == before


def test_accepting_is_refused_when_the_case_is_by_then_at_the_level(org, frozen_clock):
    po = Api("po")
    spo = Api("spo")
    person = make_person(org)
    esc_id = request(po, person, target="mappa_level_2").json()["id"]
    registration_add(actor=org.admin.user, person=person, code="MAPP", level="M2", category="M1",
                     start_date=D(2026, 11, 24))  # fmt: skip
    before = table_snapshot()
    _refused(decide(spo, person, esc_id, decision="accept"), "status")
    assert table_snapshot() == before
    assert decide(spo, person, esc_id, decision="decline", reason="Already at level 2.").status_code == 200


def test_access_other_teams_restricted_cases_and_read_only_roles(org, frozen_clock):
    person = pso_case(org)
    esc_id = request(Api("po2"), person).json()["id"]
    base = f"/people/{person.crn}/risk-escalations"
    assert Api("pob").get(base).status_code == 404  # a practitioner of another team cannot see it
    assert Api("pob").get(f"{base}/{esc_id}").status_code == 404
    assert request(Api("pob"), person).status_code == 404
    assert request(Api("qa"), make_person(org, practitioner=org.po2)).status_code == 403  # read-only role
    assert Api("qa").get(base).status_code == 200
    limit_access(person=person, staff_code=org.po.code, kind="exclusion", reason="Conflict of interest")
    assert Api("po").get(f"{base}/{esc_id}").status_code == 404  # excluded from the case
    # the officer excluded from the case is not offered as the one it moves to
    _refused(decide(Api("spo"), person, esc_id, decision="accept", practitioner=org.po.code), "practitioner")


def test_the_review_clock_escalates_once_when_overdue(org, frozen_clock):
    person = pso_case(org)
    request(Api("po2"), person)
    item = WorkItem.objects.get(person=person, kind="risk_escalation_review")
    overdue_items_escalate(today=D(2026, 12, 1))  # the due day: still in time
    assert not WorkItemEscalation.objects.filter(work_item=item).exists()
    overdue_items_escalate(today=D(2026, 12, 2))
    escalation = WorkItemEscalation.objects.get(work_item=item)
    assert (escalation.escalated_to_id, escalation.overdue_since) == (org.spo.pk, D(2026, 12, 2))
    overdue_items_escalate(today=D(2026, 12, 3))
    assert WorkItemEscalation.objects.filter(work_item=item).count() == 1


def _case_sentenced(org, on: dt.date, holder) -> Any:
    person = person_create(actor=org.admin.user, crn=f"E{next(_crns)}", first_name="Sam", last_name="Early",
                           date_of_birth=D(1980, 1, 1), gender="male", team=holder.team.code)  # fmt: skip
    event_create(actor=org.admin.user, person=person, offence_code="00101", conviction_date=on, sentence_date=on,
                 sentence_type="community_order", length_months=24, practitioner=holder.code)  # fmt: skip
    person.refresh_from_db()
    return person


@pytest.mark.parametrize(
    ("now", "due", "policy_version"),
    [
        (dt.datetime(2026, 12, 21, 10, tzinfo=UTC), D(2026, 12, 30), "timescales-ps2021-v5"),  # over Christmas
        (dt.datetime(2026, 11, 28, 10, tzinfo=UTC), D(2026, 12, 4), "timescales-ps2021-v5"),  # asked on a Saturday
        (dt.datetime(2020, 5, 6, 10, tzinfo=UTC), D(2020, 5, 14), "timescales-contracts-2014-v5"),  # VE Day
        (dt.datetime(2012, 5, 31, 10, tzinfo=UTC), D(2012, 6, 11), "timescales-ns2007-v5"),  # the jubilee
    ],
    ids=["ps2021.christmas", "ps2021.saturday", "contracts_2014.ve_day", "ns2007.jubilee"],
)
def test_the_review_timescale_per_preset_counts_working_days(org, monkeypatch, now, due, policy_version):
    at(monkeypatch, now)
    person = _case_sentenced(org, now.date() - dt.timedelta(days=60), org.po2)
    response = request(Api("po2"), person)
    assert response.status_code == 201, response.content
    item = WorkItem.objects.get(person=person, kind="risk_escalation_review")
    assert (item.due_date, item.policy_version) == (due, policy_version)
    at(monkeypatch, dt.datetime.combine(due, dt.time(12), tzinfo=UTC))
    overdue_items_escalate(today=due)
    assert not WorkItemEscalation.objects.filter(work_item=item).exists()
    overdue_items_escalate(today=due + dt.timedelta(days=1))
    assert WorkItemEscalation.objects.filter(work_item=item).exists()


def test_the_crc_to_nps_referral_under_the_2014_contracts(org, monkeypatch):
    at(monkeypatch, dt.datetime(2019, 3, 12, 10, tzinfo=UTC))
    staff_create(username="spob", password=PASSWORD, first_name="Spob", last_name="Tester", grade="spo", role="spo",
                 team=org.team_b.code, code="N07B100", check_password=False)  # fmt: skip
    person = _case_sentenced(org, D(2019, 1, 7), org.po)  # held by a PO: the referral is about the provider
    _refused(request(Api("po"), person, target="nps"), "receiving_team")
    _refused(request(Api("po"), person, target="nps", receiving_team=org.team_a.code), "receiving_team")
    response = request(Api("po"), person, target="nps", receiving_team=org.team_b.code)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["receiving_team"], body["review_due_date"], body["review_policy_version"]) == (
        org.team_b.code, "2019-03-19", "timescales-contracts-2014-v5")
    accepted = decide(Api("spo"), person, body["id"], decision="accept", practitioner=org.po_b.code)
    assert accepted.status_code == 200, accepted.content
    person.refresh_from_db()
    assert (person.practitioner_id, person.team_id) == (org.po_b.pk, org.team_b.pk)
