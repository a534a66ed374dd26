"""The whole service's workload (``rules.workload.batch``) agrees with the one-practitioner calculator: the same
formulas evaluated on polars columns (decision 0012), so this tests the evaluators' primitives and the sums."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import polars as pl
import pytest

from openprobation.rules.calculators import calculate
from openprobation.rules.workload import batch
from openprobation.rules.workload.policy import ALL_TIERS, REPORT_TYPES, workload_policy
from openprobation.rules.workload.reductions import Reduction, active_reduction_hours

GRADES = ("PO", "PQiP", "NQO", "PSO", "SPO")
CASE_TYPES = ("community", "licence", "custody")
INACTIVE = (None, None, None, "warrant", "unpaid_work_only", "overdue_termination")


def random_practitioner(rng: random.Random, number: int) -> dict:
    hours = Decimal(rng.choice([0, 370, 3700, 3700, 3700, 2250, 1110, 1850, 4800])) / 100
    reduction = min(hours, Decimal(rng.choice([0, 0, 0, 180, 185, 740, 2960, 3700])) / 100)
    cases = [
        {"tier": rng.choice([*ALL_TIERS[:16], *ALL_TIERS[:16], *ALL_TIERS[16:], None]),
         "case_type": rng.choice(CASE_TYPES), "t2a": rng.random() < 0.15, "inactive": rng.choice(INACTIVE),
         "crn": f"X{number:03d}{i:03d}"}
        for i in range(rng.choice([0, 1, 5, 20, 45, 70, 90]))
    ]  # fmt: skip
    return {
        "grade": rng.choice(GRADES),
        "contracted_hours": str(hours),
        "reduction_hours": str(reduction),
        "cases": cases,
        "reports": [{"type": rng.choice(REPORT_TYPES)} for _ in range(rng.choice([0, 0, 1, 3]))],
        "adjustments": [{"points": rng.randint(-26, 26), "reason": "cms"} for _ in range(rng.choice([0, 0, 2]))],
    }


def frames(payloads: list[dict]) -> tuple[pl.DataFrame, ...]:
    practitioners = pl.DataFrame(
        [{"practitioner": n, "grade": p["grade"], "contracted_hundredths": int(Decimal(p["contracted_hours"]) * 100),
          "reduction_hundredths": int(Decimal(p["reduction_hours"]) * 100)} for n, p in enumerate(payloads)],
        schema=batch.PRACTITIONER_SCHEMA,
    )  # fmt: skip
    cases = pl.DataFrame([{"practitioner": n, **c} for n, p in enumerate(payloads) for c in p["cases"]],
                         schema=batch.CASE_SCHEMA)
    reports = pl.DataFrame([{"practitioner": n, **r} for n, p in enumerate(payloads) for r in p["reports"]],
                           schema=batch.REPORT_SCHEMA)
    adjustments = pl.DataFrame(
        [{"practitioner": n, "points": a["points"]} for n, p in enumerate(payloads) for a in p["adjustments"]],
        schema=batch.ADJUSTMENT_SCHEMA,
    )
    return practitioners, cases, reports, adjustments


RNG = random.Random(7)
PAYLOADS = [random_practitioner(RNG, n) for n in range(400)]


def test_batch_agrees_with_the_calculator_for_every_practitioner():
    frame = batch.workload_frame(*frames(PAYLOADS)).sort("practitioner")
    for row, payload in zip(frame.iter_rows(named=True), PAYLOADS, strict=True):
        one = calculate("workload", payload)
        assert (row["case_count"], row["total_points"], row["available_points"], row["remaining_points"],
                row["over_capacity"]) == (one["case_count"], one["total_points"], one["available_points"],
                                          one["remaining_points"], one["over_capacity"]), payload  # fmt: skip
        assert Decimal(row["capacity_tenths"]) / 10 == Decimal(str(one["capacity_percent"])), payload
        assert not row["invalid"] and row["invalid_cases"] == 0
    # the sample reaches both sides of the threshold, empty caseloads and no available points
    assert frame["over_capacity"].any() and not frame["over_capacity"].all()
    assert (frame["case_count"] == 0).any() and (frame["available_points"] == 0).any()


@pytest.mark.parametrize("new_case", [{"tier": "A3", "case_type": "licence"}, {"tier": "C2", "case_type": "custody",
                                                                                "t2a": True},
                                      {"tier": None, "case_type": "community"}], ids=["a3_licence", "t2a", "untiered"])
def test_potential_capacity_agrees_with_the_calculator_and_counts_a_held_case_once(new_case):
    payloads = PAYLOADS[:60]
    crn = payloads[3]["cases"][0]["crn"] if payloads[3]["cases"] else "X999999"
    holders = [n for n, p in enumerate(payloads) if any(c["crn"] == crn for c in p["cases"])]
    frame = batch.potential_frame(batch.workload_frame(*frames(payloads)), new_case, holders).sort("practitioner")
    for row, payload in zip(frame.iter_rows(named=True), payloads, strict=True):
        one = calculate("workload", {**payload, "new_case": {**new_case, "crn": crn}})
        assert row["potential_total_points"] == one["potential_total_points"]
        assert Decimal(row["potential_capacity_tenths"]) / 10 == Decimal(str(one["potential_capacity_percent"]))
        assert row["potential_over_capacity"] == one["potential_over_capacity"]


def test_batch_scores_unknown_cases_0_and_flags_what_the_calculator_refuses():
    practitioners = pl.DataFrame(
        [{"practitioner": 1, "grade": "PO", "contracted_hundredths": 3700, "reduction_hundredths": 3800},
         {"practitioner": 2, "grade": "XX", "contracted_hundredths": 3700, "reduction_hundredths": 0},
         {"practitioner": 3, "grade": "PO", "contracted_hundredths": 3700, "reduction_hundredths": 0}],
        schema=batch.PRACTITIONER_SCHEMA,
    )  # fmt: skip
    cases = pl.DataFrame(
        [{"practitioner": 3, "crn": "A", "tier": "Z9", "case_type": "community", "t2a": False, "inactive": None},
         {"practitioner": 3, "crn": "B", "tier": "A3", "case_type": "community", "t2a": None, "inactive": None},
         {"practitioner": 3, "crn": "C", "tier": "A3", "case_type": "prison", "t2a": False, "inactive": None}],
        schema=batch.CASE_SCHEMA,
    )  # fmt: skip
    rows = {r["practitioner"]: r for r in batch.workload_frame(practitioners, cases).iter_rows(named=True)}
    assert rows[1]["invalid"] and rows[2]["invalid"] and not rows[3]["invalid"]
    assert (rows[3]["case_count"], rows[3]["invalid_cases"], rows[3]["total_points"]) == (3, 2, 206)
    assert rows[1]["available_points"] == 0  # reductions above the hours leave none (not negative)


def test_reductions_frame_agrees_with_one_practitioners_active_reductions():
    rng = random.Random(11)
    policy = workload_policy()
    reasons = [*policy.reduction_reasons, "unknown_reason"]
    start = dt.date(2026, 1, 1)
    people = {n: Decimal(rng.choice([0, 2250, 3700])) / 100 for n in range(80)}
    reductions = {
        n: [Reduction(reason=rng.choice(reasons), hours=Decimal(rng.randint(0, 2000)) / 100,
                      effective_from=start + dt.timedelta(days=rng.randint(0, 60)),
                      effective_to=rng.choice([None, start + dt.timedelta(days=rng.randint(0, 90))]))
            for _ in range(rng.choice([0, 1, 2, 4]))]
        for n in people
    }  # fmt: skip
    practitioners = pl.DataFrame(
        [{"practitioner": n, "grade": "PO", "contracted_hundredths": int(h * 100), "reduction_hundredths": 0}
         for n, h in people.items()], schema=batch.PRACTITIONER_SCHEMA)  # fmt: skip
    table = pl.DataFrame(
        [{"practitioner": n, "reason": r.reason, "hundredths": int(r.hours * 100), "effective_from": r.effective_from,
          "effective_to": r.effective_to} for n, rs in reductions.items() for r in rs],
        schema=batch.REDUCTION_SCHEMA,
    )  # fmt: skip
    for on in (start, start + dt.timedelta(days=30), start + dt.timedelta(days=75)):
        frame = batch.reduction_hundredths_frame(practitioners, table, on)
        got = dict(zip(frame["practitioner"], frame["reduction_hundredths"], strict=True))
        for n, hours in people.items():
            assert Decimal(got[n]) / 100 == active_reduction_hours(reductions[n], hours, on, policy), (n, on)
