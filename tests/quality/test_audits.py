"""Audit rounds through the API and the services: the sample drawn from a stored seed, the evidence put beside each
prompt as the record has it, judgements moving a standard's rating, inspectors' ratings, the overall score, the
rating panel's override (refused without a reason), access (an excluded auditor sees nothing of the case), the
league table with the change since the last round, and the serious further offence register. The clock is frozen at
Tuesday 24 November 2026, 12:00 UTC."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.core.models import AuditEvent
from openprobation.quality import services
from openprobation.quality.models import AuditCase, AuditJudgement, AuditRound
from openprobation.risk.services import registration_add
from openprobation.rules import case_audit
from openprobation.rules.ratings import KEY_QUESTIONS
from openprobation.safeguarding.services import (
    rosh_assessment_complete,
    rosh_assessment_start,
    safeguarding_check_request,
)
from openprobation.web.audit_words import ACTIONS
from openprobation.workitems.models import WorkItem
from tests.factories import limit_access, make_person
from tests.record.test_api import Api, problem_fields

pytestmark = pytest.mark.django_db
D = dt.date
CASE_QUESTIONS = [f"{s}.{kq}" for s in case_audit.CASE_STANDARDS for kq in KEY_QUESTIONS]


def _round(org, api: Api, **body):
    payload = {
        "name": "Camden and Islington, autumn 2026",
        "scope_level": "pdu",
        "scope_code": "N07P1",
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-30",
        **body,
    }
    return api.post("/audit-rounds", payload)


def _all(sufficient: bool, **overrides: bool) -> dict:
    out = {}
    for name in CASE_QUESTIONS:
        ok = overrides.get(name.replace(".", "__"), sufficient)
        out[name] = {"sufficient": ok, "notes": "" if ok else "Not enough on the record"}
    return out


@pytest.fixture
def cases(org, frozen_clock):
    return [make_person(org, practitioner=org.po if i % 2 else org.po_b) for i in range(6)]


def test_a_round_is_drawn_audited_and_rated_through_the_api(org, cases):
    qa = Api("qa")
    made = _round(org, qa)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["scheme"] == "pdu_2021" and body["overall"] is None
    round_id = body["id"]
    drawn = qa.post(f"/audit-rounds/{round_id}/sample", {"size": 4, "seed": 2026})
    assert drawn.status_code == 200, drawn.content
    crns = [c["crn"] for c in drawn.json()["cases"]]
    assert len(crns) == 4
    # drawn once: a second draw is refused and changes nothing
    again = qa.post(f"/audit-rounds/{round_id}/sample", {"size": 2, "seed": 1})
    assert again.status_code == 422 and AuditCase.objects.filter(round_id=round_id).count() == 4
    # the stored seed gives the same sample from the same population
    population = [case_audit.SampleCase(p.crn, p.team.code, "") for p in cases]
    assert [c.crn for c in case_audit.draw_sample(population, 4, 2026)] == crns
    detail = qa.get(f"/audit-rounds/{round_id}")
    assert detail.json()["sample_seed"] == 2026 and detail.json()["sample_population"] == 6

    # one case audited, all sufficient: every case standard outstanding (1 of 1)
    case = qa.get(f"/audit-rounds/{round_id}/cases/{crns[0]}").json()
    assert {f"{q['standard']}.{q['key_question']}" for q in case["questions"]} == set(CASE_QUESTIONS)
    recorded = qa.post(
        f"/audit-rounds/{round_id}/cases/{crns[0]}", {"version": case["version"], "judgements": _all(True)}
    )
    assert recorded.status_code == 200, recorded.content
    ratings = {s["standard"]: s["rating"] for s in qa.get(f"/audit-rounds/{round_id}").json()["standards"]}
    assert ratings["assessment"] == "outstanding"
    # a second case with keeping people safe insufficient in assessment: 1 of 2 = 50%, requires improvement
    case2 = qa.get(f"/audit-rounds/{round_id}/cases/{crns[1]}").json()
    qa.post(
        f"/audit-rounds/{round_id}/cases/{crns[1]}",
        {"version": case2["version"], "judgements": _all(True, assessment__keeping_safe=False)},
    )
    standards = {s["standard"]: s for s in qa.get(f"/audit-rounds/{round_id}").json()["standards"]}
    assert standards["assessment"]["rating"] == "requires_improvement"
    assert standards["assessment"]["key_questions"]["keeping_safe"] == {"sufficient": 1, "total": 2}
    assert standards["planning"]["rating"] == "outstanding"
    assert standards["leadership"]["rating"] is None and standards["leadership"]["rated_from"] == "inspector"

    # the inspector rates the five other standards; the overall rating follows
    for standard in ("leadership", "staff", "services", "information_and_facilities", "court_work"):
        rated = qa.post(
            f"/audit-rounds/{round_id}/standards/{standard}",
            {"rating": "good", "evidence": "Staff survey and interviews"},
        )
        assert rated.status_code == 200, rated.content
    overall = qa.get(f"/audit-rounds/{round_id}").json()
    # 5 x good (10) + assessment RI (1) + 3 x outstanding (9) = 20 of 27: good (14-22)
    assert (overall["overall"]["points"], overall["overall"]["maximum_points"]) == (20, 27)
    assert overall["overall"]["rating"] == "good" and not overall["overall"]["overridden"]
    assert {"audit_round.created", "audit_round.sample_drawn", "audit_case.recorded", "standard.rated"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    assert {
        "audit_round.created",
        "audit_round.sample_drawn",
        "audit_case.recorded",
        "standard.rated",
        "rating.overridden",
        "sfo.notified",
        "sfo.review_recorded",
    } <= set(ACTIONS)


@pytest.mark.parametrize(("name", "reason"), [("empty", ""), ("spaces", "   ")])
def test_override_needs_a_reason(org, frozen_clock, name, reason):
    qa = Api("qa")
    round_id = _round(org, qa).json()["id"]
    refused = qa.post(f"/audit-rounds/{round_id}/override", {"version": 1, "rating": "inadequate", "reason": reason})
    assert refused.status_code == 422 and "reason" in problem_fields(refused)
    assert AuditRound.objects.get(pk=round_id).override_rating == ""
    done = qa.post(
        f"/audit-rounds/{round_id}/override",
        {"version": 1, "rating": "inadequate", "reason": "Keeping people safe was weak"},
    )
    assert done.status_code == 200 and done.json()["override_reason"] == "Keeping people safe was weak"


def test_judgements_must_cover_every_key_question_and_say_what_was_missing(org, cases):
    qa = Api("qa")
    round_id = _round(org, qa).json()["id"]
    crn = qa.post(f"/audit-rounds/{round_id}/sample", {"size": 1, "seed": 1}).json()["cases"][0]["crn"]
    partial = _all(True)
    del partial["reviewing.desistance"]
    partial["planning.engagement"] = {"sufficient": False, "notes": ""}
    refused = qa.post(f"/audit-rounds/{round_id}/cases/{crn}", {"version": 1, "judgements": partial})
    assert refused.status_code == 422
    assert set(problem_fields(refused)) == {
        "judgements.reviewing.desistance.sufficient",
        "judgements.planning.engagement.notes",
    }
    assert not AuditJudgement.objects.exists()


@pytest.mark.parametrize("who", ["po", "spo", "hos", "admin"])
def test_only_quality_assurance_audits(org, cases, who):
    round_id = _round(org, Api("qa")).json()["id"]
    assert _round(org, Api(who)).status_code == 403
    assert Api(who).post(f"/audit-rounds/{round_id}/sample", {"size": 2}).status_code == 403
    reads = Api(who).get(f"/audit-rounds/{round_id}")
    assert reads.status_code == (403 if who == "po" else 200)


def test_an_excluded_auditor_sees_nothing_of_the_case(org, cases, django_user_model):
    from openprobation.organisation.services import staff_create

    staff_create(
        username="qa2",
        password="correct-horse-battery-staple",
        first_name="Quinn",
        last_name="Tester",
        grade="other",
        role="quality_assurance",
        team=None,
        code="N07Q002",
        check_password=False,
    )
    qa = Api("qa")
    round_id = _round(org, qa).json()["id"]
    qa.post(f"/audit-rounds/{round_id}/sample", {"size": 6, "seed": 3})
    hidden = cases[0]
    limit_access(person=hidden, staff_code="N07Q002", kind="exclusion", reason="Knows the family")
    qa2 = Api("qa2")
    listed = qa2.get(f"/audit-rounds/{round_id}/cases").json()
    assert hidden.crn not in [c["crn"] for c in listed["cases"]] and listed["hidden"] == 1
    assert qa2.get(f"/audit-rounds/{round_id}/cases/{hidden.crn}").status_code == 404
    refused = qa2.post(f"/audit-rounds/{round_id}/cases/{hidden.crn}", {"version": 1, "judgements": _all(True)})
    assert refused.status_code == 404 and not AuditJudgement.objects.exists()
    # the auditor who is not excluded sees it
    assert qa.get(f"/audit-rounds/{round_id}/cases/{hidden.crn}").status_code == 200


def test_prefilled_evidence_matches_the_record(org, frozen_clock):
    person = make_person(org)
    items = {i.kind: i for i in WorkItem.objects.filter(person=person)}
    # the screening was done today, long after allocation and after its due date
    screening = rosh_assessment_start(actor=org.po.user, person=person, kind="screening")
    rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=screening.pk, indicates_risk=False)
    check = safeguarding_check_request(actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 1, 6))
    qa = Api("qa")
    round_id = _round(org, qa).json()["id"]
    qa.post(f"/audit-rounds/{round_id}/sample", {"size": 5, "seed": 1})
    case = qa.get(f"/audit-rounds/{round_id}/cases/{person.crn}").json()
    lines = {line["key"]: line for q in case["questions"] for p in q["prompts"] for line in p["evidence"]}
    before = lines["rosh_screening_before_allocation"]
    assert before["status"] == "not_met" and before["where"] == f"RoSH assessment {screening.pk}"
    assert before["finding"] == "RoSH screening completed 24 November 2026, after allocation on 5 January 2026"
    da = lines["police_da_check"]
    assert da["where"] == f"safeguarding enquiry {check.pk}" and da["status"] in ("not_met", "open")
    assert da["finding"].startswith("Police domestic abuse check: asked 6 January 2026")
    screening_item = items["rosh_screening"]
    screening_item.refresh_from_db()
    assert lines["rosh_screening"]["where"].startswith(f"work item {screening_item.pk}")
    late = (D(2026, 11, 24) - screening_item.due_date).days
    assert lines["rosh_screening"]["finding"].endswith(
        f"{late} days late (due {screening_item.due_date.day} {screening_item.due_date:%B %Y})"
    )
    assert lines["home_visit"] == {
        "key": "home_visit",
        "status": "none",
        "where": "",
        "finding": "No home visit was required (RoSH high or child protection)",
    }


def test_league_table_ranks_pdus_and_shows_the_change_since_the_last_round(org, cases):
    qa = Api("qa")

    def rated_round(name: str, ends: str, rating: str) -> int:
        rid = _round(org, qa, name=name, starts_on=ends[:8] + "01", ends_on=ends).json()["id"]
        qa.post(f"/audit-rounds/{rid}/sample", {"size": 2, "seed": 5})
        for c in qa.get(f"/audit-rounds/{rid}/cases").json()["cases"]:
            qa.post(
                f"/audit-rounds/{rid}/cases/{c['crn']}",
                {"version": c["version"], "judgements": _all(rating == "outstanding")},
            )
        for standard in ("leadership", "staff", "services", "information_and_facilities", "court_work"):
            qa.post(f"/audit-rounds/{rid}/standards/{standard}", {"rating": rating, "evidence": "Seen"})
        return rid

    rated_round("Spring", "2026-04-30", "inadequate")
    latest = rated_round("Autumn", "2026-10-31", "outstanding")
    table = qa.get("/league-table", level="pdu").json()
    assert [(r["rank"], r["code"], r["round_id"], r["score"], r["change"]) for r in table] == [
        (1, "N07P1", latest, 27, 27)
    ]
    assert table[0]["standard_changes"]["leadership"] == 3
    trends = qa.get("/rating-trends", level="pdu").json()
    assert [p["score"] for p in trends[0]["points"]] == [0, 27]
    assert qa.get("/league-table", level="team").status_code == 422
    assert Api("po").get("/league-table").status_code == 403


def test_serious_further_offence_register(org, frozen_clock):
    person = make_person(org)
    registration_add(actor=org.po.user, person=person, code="RHRH", start_date=D(2026, 2, 1))
    hos = Api("hos")
    made = hos.post(
        "/serious-further-offences",
        {
            "crn": person.crn,
            "offence": "rape",
            "offence_date": "2026-08-01",
            "charged_on": "2026-08-03",
            "notified_on": "2026-08-05",
        },
    )
    assert made.status_code == 201, made.content
    sfo = made.json()
    assert (sfo["review_due_on"], sfo["rosh_at_notification"]) == ("2026-11-05", "high")
    bad = hos.post(
        "/serious-further-offences",
        {"crn": person.crn, "offence": "burglary", "offence_date": "2026-08-04", "charged_on": "2026-08-03"},
    )
    assert set(problem_fields(bad)) == {"offence", "offence_date"}
    stats = hos.get("/serious-further-offences/statistics").json()
    assert stats["by_rosh"]["high"] == 1 and stats["reviews_overdue"] == 1
    incomplete = hos.post(
        f"/serious-further-offences/{sfo['id']}/review",
        {"version": 1, "reviewer": "N07Q001", "completed_on": "2026-11-20"},
    )
    assert set(problem_fields(incomplete)) == {"findings"}
    done = hos.post(
        f"/serious-further-offences/{sfo['id']}/review",
        {
            "version": 1,
            "reviewer": "N07Q001",
            "findings": "Risk to partner not reassessed",
            "learning_actions": "Stalking training",
            "completed_on": "2026-11-20",
        },
    )
    assert done.status_code == 200, done.content
    stats = hos.get("/serious-further-offences/statistics").json()
    assert (stats["reviews_completed"], stats["completed_in_time"], stats["reviews_overdue"]) == (0 + 1, 0, 0)
    assert Api("po").get("/serious-further-offences").status_code == 403
    limit_access(person=person, staff_code="N07H001", kind="exclusion", reason="Conflict of interest")
    assert hos.get(f"/serious-further-offences/{sfo['id']}").status_code == 404
    assert hos.get("/serious-further-offences/statistics").json()["total"] == 0


def test_service_refuses_a_sample_size_out_of_range(org, frozen_clock):
    audit_round = services.audit_round_create(
        actor=org.qa.user,
        name="R",
        scope_level="pdu",
        scope_code="N07P1",
        starts_on=D(2026, 11, 1),
        ends_on=D(2026, 11, 2),
    )
    from openprobation.core.errors import ValidationFailed

    for size in (0, 501, "3", True):
        with pytest.raises(ValidationFailed):
            services.audit_sample_draw(actor=org.qa.user, round_id=audit_round.pk, size=size, seed=1)


def test_a_restricted_case_is_not_drawn_nor_seen_by_an_auditor_off_its_list(org, cases):
    restricted = cases[1]
    limit_access(person=restricted, staff_code=org.po.code, kind="restriction", reason="Staff member's relative")
    qa = Api("qa")
    round_id = _round(org, qa).json()["id"]
    drawn = qa.post(f"/audit-rounds/{round_id}/sample", {"size": 6, "seed": 3}).json()
    assert restricted.crn not in [c["crn"] for c in drawn["cases"]] and len(drawn["cases"]) == 5
    assert AuditRound.objects.get(pk=round_id).sample_population == 5
    assert qa.get(f"/audit-rounds/{round_id}/cases/{restricted.crn}").status_code == 404
