"""Risk tools on the case record: inputs kept, calculations stored append-only with inputs and policy version,
recalculated when the record changes (and only then), recorded scores beside them, shown on the case page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from openprobation.core.errors import PermissionDenied, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.people.models import Person
from openprobation.risk.models import CriminalHistory, RiskCalculation
from openprobation.risk.services import (
    criminal_history_set,
    oasys_assessment_record,
    recorded_score_set,
    registration_add,
    risk_recalculate,
)
from openprobation.rules import case_record as cr
from tests.factories import make_person

ALL_ANSWERS_NO_PROBLEMS = {name: (0 if kind == cr.ANSWER else False) for name, kind in cr.OASYS_ANSWERS.items()}
HISTORY = {
    "total_sanctions": 5,
    "age_at_first_sanction": 16,
    "violent_sanctions": 2,
    "contact_adult_sexual_sanctions": 0,
    "contact_child_sexual_sanctions": 0,
    "non_contact_sexual_sanctions": 0,
    "indecent_image_sanctions": 0,
}


def latest(person: Person, tool: str) -> RiskCalculation:
    return RiskCalculation.objects.filter(person=person, tool=tool).order_by("-id").first()


@pytest.fixture
def case(org, frozen_clock):
    return make_person(org, crn="X400001")


def test_a_new_event_stores_each_tool_with_why_it_could_not_be_calculated(case):
    ogrs3 = latest(case, "ogrs3")
    assert ogrs3.status == "not_calculated"
    assert [r["field"] for r in ogrs3.reasons] == ["criminal_history"]
    assert ogrs3.policy_version == cr.tool_policy_version("ogrs3")
    tier = latest(case, "tier")
    assert tier.status == "calculated" and tier.tier == "D0"  # unpaid work only: no mandate for change
    case.refresh_from_db()
    assert case.tier == "D0"


def test_recording_criminal_history_calculates_the_predictors_and_audits(org, case):
    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    rsr, ogrs3 = latest(case, "rsr"), latest(case, "ogrs3")
    assert ogrs3.status == "calculated" and ogrs3.result["two_year_percent"] == ogrs3.score
    assert rsr.status == "calculated" and rsr.result["snsv_model"] == "static"
    assert rsr.inputs["total_sanctions"] == 5 and rsr.inputs["follow_up_start"] == "2026-01-05"
    assert latest(case, "ovp").reasons[0]["field"] == "assessment"
    actions = list(AuditEvent.objects.filter(crn=case.crn).values_list("action", flat=True))
    assert "criminal_history.recorded" in actions and "risk.calculated" in actions


def test_recalculating_with_nothing_changed_stores_nothing(org, case):
    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    before = RiskCalculation.objects.count()
    assert risk_recalculate(actor=None, person=case) == []
    assert RiskCalculation.objects.count() == before


def test_a_changed_input_appends_a_new_calculation_and_keeps_the_old(org, case):
    history = criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    first = latest(case, "rsr")
    criminal_history_set(actor=org.po.user, person=case, values={"violent_sanctions": 4}, version=history.version)
    second = latest(case, "rsr")
    assert second.pk != first.pk and second.inputs["violent_sanctions"] == 4
    assert RiskCalculation.objects.filter(pk=first.pk).exists()
    assert second.result["percent"] > first.result["percent"]


def test_stored_calculations_cannot_be_changed_or_deleted(case):
    calc = latest(case, "tier")
    with pytest.raises(PermissionError):
        calc.save()
    with pytest.raises(PermissionError):
        RiskCalculation.objects.filter(pk=calc.pk).update(tier="A3")
    with pytest.raises(PermissionError):
        RiskCalculation.objects.filter(pk=calc.pk).delete()


@pytest.mark.parametrize(
    ("newest", "update"),
    [
        (
            "SELECT id FROM risk_riskcalculation ORDER BY id DESC LIMIT 1",
            "UPDATE risk_riskcalculation SET tier = 'A3' WHERE id = %s",
        ),
        (
            "SELECT id FROM risk_recordedscore ORDER BY id DESC LIMIT 1",
            "UPDATE risk_recordedscore SET value = '9.99' WHERE id = %s",
        ),
    ],
    ids=["calculation", "recorded_score"],
)
def test_stored_calculations_and_recorded_scores_cannot_be_updated_in_the_database(org, case, newest, update):
    recorded_score_set(
        actor=org.po.user, person=case, kind="rsr", value="3.10", source="imported", effective_date=dt.date(2026, 11, 1)
    )
    with connection.cursor() as cursor:
        cursor.execute(newest)
        (row_id,) = cursor.fetchone()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(update, [row_id])
    with connection.cursor() as cursor:
        cursor.execute(newest)
        assert cursor.fetchone() == (row_id,)


def test_a_high_rosh_registration_raises_the_tier_and_person_tier_follows(org, case):
    registration_add(actor=org.po.user, person=case, code="RHRH", start_date=dt.date(2026, 2, 1))
    case.refresh_from_db()
    assert latest(case, "tier").tier == "B0" and case.tier == "B0"


def test_an_assessment_gives_the_dynamic_rsr_and_ovp_and_ogp(org, case):
    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    oasys_assessment_record(
        actor=org.po.user,
        person=case,
        completed_date=dt.date(2026, 3, 1),
        layer="layer3",
        status="complete",
        answers=ALL_ANSWERS_NO_PROBLEMS,
        section_scores={"accommodation": 7, "attitudes": 7},
    )
    assert latest(case, "rsr").result["snsv_model"] == "dynamic"
    assert latest(case, "ovp").status == "calculated" and latest(case, "ogp").status == "calculated"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"total_sanctions": 0}, "total_sanctions"),
        ({"total_sanctions": 2, "violent_sanctions": 3}, "violent_sanctions"),
        ({"age_at_first_sanction": 9}, "age_at_first_sanction"),
        ({"age_at_first_sanction": 90}, "age_at_first_sanction"),
        ({"total_sanctions": 1000}, "total_sanctions"),
        ({"stranger_victim": "yes"}, "stranger_victim"),
        ({"most_recent_offence_date": dt.date(2027, 1, 1)}, "most_recent_offence_date"),
        ({"shoe_size": 9}, "shoe_size"),
    ],
    ids=[
        "total_below_one",
        "violent_above_total",
        "first_age_below_10",
        "first_age_above_own_age",
        "total_above_999",
        "flag_not_yes_no",
        "date_in_future",
        "unknown_field",
    ],
)
def test_bad_criminal_history_is_refused_with_the_field_named_and_nothing_saved(org, case, values, field):
    before = RiskCalculation.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        criminal_history_set(actor=org.po.user, person=case, values=values)
    assert field in [e.dotted for e in exc.value.errors]
    assert RiskCalculation.objects.count() == before
    assert not CriminalHistory.objects.filter(person=case).exists()


def test_bad_assessment_answers_are_refused_by_field_path(org, case):
    with pytest.raises(ValidationFailed) as exc:
        oasys_assessment_record(
            actor=org.po.user,
            person=case,
            completed_date=dt.date(2026, 3, 1),
            layer="layer9",
            status="complete",
            answers={"impulsivity": 3, "weapon_used": 1, "favourite_colour": 0},
            section_scores={"attitudes": -1},
        )
    assert {e.dotted for e in exc.value.errors} == {
        "layer",
        "answers.impulsivity",
        "answers.weapon_used",
        "answers.favourite_colour",
        "section_scores.attitudes",
    }


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("rsr", "6.9", True),
        ("rsr", "100.01", False),
        ("rsr", "6.905", False),
        ("tier", "b2", True),
        ("tier", "E1", False),
        ("allocation", "nps", True),
        ("allocation", "prison", False),
        ("colour", "x", False),
    ],
)
def test_recorded_scores_are_checked(org, case, kind, value, ok):
    call = dict(
        actor=org.po.user,
        person=case,
        kind=kind,
        value=value,
        source="nDelius import",
        effective_date=dt.date(2026, 2, 1),
    )
    if ok:
        assert recorded_score_set(**call).value in ("6.90", "B2", "nps")
    else:
        with pytest.raises(ValidationFailed):
            recorded_score_set(**call)


def test_quality_assurance_cannot_record_inputs(org, case):
    with pytest.raises(PermissionDenied):
        criminal_history_set(actor=org.qa.user, person=case, values=HISTORY)


def test_case_page_shows_scores_explanation_history_and_a_disagreeing_recorded_rsr(org, case):
    history = criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    criminal_history_set(actor=org.po.user, person=case, values={"violent_sanctions": 3}, version=history.version)
    recorded_score_set(
        actor=org.po.user,
        person=case,
        kind="rsr",
        value="9.50",
        source="nDelius import",
        effective_date=dt.date(2026, 2, 1),
    )
    client = Client()
    client.force_login(org.po.user)
    html = client.get(reverse("web:case-risk", args=[case.crn])).content.decode()
    assert 'id="risk-scores"' in html and 'id="risk-rsr"' in html and 'id="risk-tier"' in html
    assert f"{latest(case, 'rsr').result['percent']:.2f}%" in html
    assert "How the RSR was worked out" in html and "SNSV score (%)" in html
    explanation = html[html.index("How the RSR was worked out") :]
    assert "snsv_percent" not in explanation.split("</details>")[0]  # code names only in the API
    assert "Differs from the calculation" in html
    assert "Earlier results (1)" in html
    assert cr.tool_policy_version("rsr") in html


# ---- Explanations replayed from the stored inputs (decision 0005): shown only when they give the stored result ----


def _stored_copy(calc: RiskCalculation, **changes) -> RiskCalculation:
    """A newer stored row like ``calc`` with some columns changed (rows are append-only: a new row, not an edit)."""
    fields = {f.name: getattr(calc, f.name) for f in RiskCalculation._meta.concrete_fields if f.name not in ("id",)}
    return RiskCalculation.objects.create(**{**fields, **changes})


def _case_page(org, case) -> str:
    """The risk section of the case record."""
    client = Client()
    client.force_login(org.po.user)
    return client.get(reverse("web:case-risk", args=[case.crn])).content.decode()


def _scores(case):
    from openprobation.risk.selectors import risk_scores_for_case

    return {s.tool: s for s in risk_scores_for_case(person=case)}


def test_the_explanation_is_replayed_when_it_gives_the_stored_result(org, case):
    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    ogrs3 = _scores(case)["ogrs3"]
    assert ogrs3.explanation_status == "replayed" and ogrs3.explanation and ogrs3.explanation_notice == ""
    html = _case_page(org, case)
    assert "How the OGRS3 was worked out" in html and 'id="risk-ogrs3-notice"' not in html


def test_a_replay_that_does_not_give_the_stored_result_shows_no_explanation_and_says_so(org, case):
    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    stored = latest(case, "ogrs3")
    wrong = {**stored.result, "two_year_percent": stored.result["two_year_percent"] + 1}
    _stored_copy(stored, result=wrong)  # what a drifted calculator, or a tampered row, would leave behind
    ogrs3 = _scores(case)["ogrs3"]
    assert (ogrs3.explanation_status, ogrs3.explanation, ogrs3.notes) == ("mismatch", [], [])
    assert "does not give the stored result" in ogrs3.explanation_notice
    html = _case_page(org, case)
    assert "How the OGRS3 was worked out" not in html
    assert 'id="risk-ogrs3-notice"' in html and "does not give the stored result" in html
    assert 'id="risk-ogrs3-stored"' in html and "Total sanctions" in html  # the stored inputs, in words


def test_stored_inputs_the_calculator_now_refuses_show_no_explanation(org, case):
    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    stored = latest(case, "ogrs3")
    _stored_copy(stored, inputs={**stored.inputs, "age_at_first_sanction": 9})
    assert _scores(case)["ogrs3"].explanation_status == "mismatch"


def test_a_result_under_a_policy_no_longer_current_shows_its_inputs_and_result_and_names_the_policy(org, case):
    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    stored = latest(case, "ogrs3")
    old_policy = "ogrs3-2014 offences-2014 case-record-1"
    _stored_copy(stored, policy_version=old_policy)
    ogrs3 = _scores(case)["ogrs3"]
    assert (ogrs3.explanation_status, ogrs3.explanation) == ("policy_changed", [])
    assert f"calculated under policy {old_policy}, which is no longer current" in ogrs3.explanation_notice
    assert ("total_sanctions", "5") in ogrs3.stored_inputs and ("age_at_first_sanction", "16") in ogrs3.stored_inputs
    assert ("two_year_percent", str(stored.result["two_year_percent"])) in ogrs3.stored_result
    html = _case_page(org, case)
    assert "How the OGRS3 was worked out" not in html and "No longer current" in html
    assert f"policy {old_policy}, which is no longer current" in html
    assert 'id="risk-ogrs3-stored"' in html and "Stored inputs" in html
    # the earlier row, under the current policy, is not marked; the history says nothing of the old one's policy
    assert "(no longer current: its explanation was for this policy)" not in html


def test_an_earlier_result_under_an_old_policy_is_marked_in_the_history(org, case):
    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    stored = latest(case, "ogrs3")
    _stored_copy(stored, policy_version="ogrs3-2014 offences-2014 case-record-1")
    _stored_copy(stored)  # the newest is under the current policy again
    assert _scores(case)["ogrs3"].explanation_status == "replayed"
    assert "(no longer current: its explanation was for this policy)" in _case_page(org, case)


def test_the_api_gives_the_explanation_status_and_notice(org, case):
    from tests.record.test_api import Api

    criminal_history_set(actor=org.po.user, person=case, values=HISTORY)
    stored = latest(case, "ogrs3")
    _stored_copy(stored, policy_version="ogrs3-2014 offences-2014 case-record-1")
    scores = {s["tool"]: s for s in Api("po").get(f"/people/{case.crn}/risk-scores").json()}
    assert scores["ogrs3"]["explanation_status"] == "policy_changed" and scores["ogrs3"]["explanation"] == []
    assert "no longer current" in scores["ogrs3"]["explanation_notice"]
    assert scores["ogrs3"]["current"]["inputs"]["total_sanctions"] == 5
    assert scores["ogrs3"]["current"]["result"] == stored.result
    assert scores["rsr"]["explanation_status"] == "replayed" and scores["rsr"]["explanation"]
