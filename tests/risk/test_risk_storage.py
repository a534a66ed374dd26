"""Stored calculations: the inputs digest is taken over the inputs' values, the same for a case and a caseload, and
is unchanged from the digests already stored (so nothing is stored again because the encoding moved)."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.risk import storage
from openprobation.rules import case_record as cr
from openprobation.rules.ops import SCALAR

AS_OF = dt.date(2026, 11, 24)
FACTS = cr.CaseFacts(
    gender="female",
    date_of_birth=dt.date(1985, 4, 2),
    event=cr.CurrentEvent(offence_code="00101", conviction_date=dt.date(2025, 1, 10),
                          sentence_date=dt.date(2025, 2, 1), sentence_type="community_order"),
    active_sentence_types=("community_order",),
    active_requirement_types=("rar",),
    history=cr.CriminalHistory(total_sanctions=6, age_at_first_sanction=16, violent_sanctions=2,
                               contact_adult_sexual_sanctions=1, contact_child_sexual_sanctions=0,
                               non_contact_sexual_sanctions=0, indecent_image_sanctions=0, stranger_victim=False),
    assessment=cr.Assessment(completed_date=dt.date(2026, 6, 1), layer="layer3", status="complete",
                             answers={n: (1 if k == cr.ANSWER else True) for n, k in cr.OASYS_ANSWERS.items()},
                             section_scores={"attitudes": 6, "accommodation": 3}),
    registrations=(cr.ActiveRegistration(code="RMRH"), cr.ActiveRegistration(code="RHRH"),
                   cr.ActiveRegistration(code="MAPP", level="M2", category="M1"), cr.ActiveRegistration(code="IIOM")),
)  # fmt: skip

# Worked out by the encoding used before the digest moved to risk.storage (SHA-1 of the inputs' canonical JSON).
DIGESTS_STORED_BEFORE = {
    "ogrs3": "29a177ffe50fdf9fd078e5323c3142addffe2745",
    "rsr": "8925fb3cdd263ac19b1396f3b0987384f0572c64",
    "ovp": "feb97aa1bf3b8189ade15ab7ff59cc3d4b02cb6b",
    "ogp": "d071cafc2a747897467035d11a0aa743d5ccf951",
    "tier": "a1d42bb74a3658826f5f5df50c536096c8742e77",
}
RESULT_KEYS_BEFORE = {
    "ogrs3": "16|27|low",
    "rsr": "704|high|666|0|0|dynamic|not_applicable|not_applicable",
    "ovp": "47|24|38|medium",
    "ogp": "43|26|39|medium",
    "tier": "A1|A|174|1|7",
}


def test_digests_and_results_are_those_stored_before():
    outcomes = cr.case_calculate(FACTS, AS_OF)
    assert {t: storage.inputs_digest(o.inputs) for t, o in outcomes.items()} == DIGESTS_STORED_BEFORE
    assert {t: o.result_key for t, o in outcomes.items()} == RESULT_KEYS_BEFORE


def test_the_digest_is_over_values_dates_as_dates_or_text_alike():
    inputs = cr.record_inputs(SCALAR, "rsr", cr.fact_row(FACTS), AS_OF)
    assert isinstance(inputs["assessment_date"], dt.date)
    assert storage.inputs_digest(inputs) == storage.inputs_digest(cr.jsonable(inputs)) == DIGESTS_STORED_BEFORE["rsr"]
    changed = {**inputs, "total_sanctions": 7}
    assert storage.inputs_digest(changed) != DIGESTS_STORED_BEFORE["rsr"]
    assert storage.inputs_digest({**inputs, "in_custody": 0}) != storage.inputs_digest(inputs)  # typed: 0 is not False


@pytest.mark.django_db(transaction=True)
def test_migration_0004_keeps_stored_json_values_and_the_append_only_trigger(org):
    # Calculations stored as JSON before 0004 read back as the same values after it (their text as the database
    # had it), new ones are canonical text, the person index is gone and UPDATE is still refused.
    from django.db import DatabaseError, connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    from openprobation.risk.models import RiskCalculation
    from tests.factories import make_person

    person = make_person(org, crn="X700001")
    before, after = [("risk", "0003_calculations_append_only")], [("risk", "0004_calculations_stored_as_text")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("risk", "RiskCalculation")
    inputs = {"gender": "male", "date_of_birth": "1990-05-17", "total_sanctions": 3, "needs": {"b": 1, "a": None}}
    result = {"one_year_percent": 16, "two_year_percent": 27, "band": "low"}
    kept = old.objects.create(
        person_id=person.pk, tool="ogrs3", status="calculated", calculated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        as_of=dt.date(2026, 11, 1), policy_version="v", inputs=inputs, inputs_digest=storage.inputs_digest(inputs),
        result=result, result_key="16|27|low", reasons=[], score="27.00", band="low", source="record",
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    calc = RiskCalculation.objects.get(pk=kept.pk)
    assert (calc.inputs, calc.result, calc.reasons) == (inputs, result, [])
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "risk_riskcalculation")
    assert [name for name, c in indexes.items() if c["index"] and c["columns"] == ["person_id"]] == []
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE risk_riskcalculation SET tier = 'A3' WHERE id = %s", [kept.pk])
    executor = MigrationExecutor(connection)  # the later migrations again, for the tests after this one
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # every app: later apps depend on risk
