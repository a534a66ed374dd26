"""Workload rules (docs/workload.md): case points for every tier and case type (standard and T2A), inactive T2A
weightings, report points, adjustments, available points, capacity at its threshold, potential capacity,
reductions; and the policy file and its overrides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.ops import SCALAR
from openprobation.rules.workload.formulas import allowance_hundredths, capacity_formula, case_points_formula
from openprobation.rules.workload.policy import (
    ALL_TIERS,
    TIERS,
    UNSUPERVISED_TIERS,
    PolicyDataError,
    policy_in_effect,
    workload_policy,
)
from openprobation.rules.workload.reductions import (
    Reduction,
    active_reduction_hours,
    allowance_hours,
    default_hours,
    maximum_hours,
    reduction_problems,
)

POLICY = workload_policy()

# The seed (hmpps-workload V1_1__SEED_REF_DATA.sql, as written in docs/workload.md): tier -> community, licence,
# custody. Written out here, not read from the policy file, so a changed cell fails.
SEED = {
    "A3": (206, 219, 75), "A2": (158, 175, 60), "A1": (146, 163, 59), "A0": (110, 0, 0),
    "B3": (146, 161, 59), "B2": (115, 132, 48), "B1": (102, 119, 47), "B0": (72, 0, 0),
    "C3": (79, 77, 30), "C2": (63, 65, 24), "C1": (50, 52, 23), "C0": (35, 0, 0),
    "D3": (51, 51, 17), "D2": (41, 43, 14), "D1": (29, 31, 13), "D0": (29, 0, 0),
}  # fmt: skip
CASE_TYPES = ("community", "licence", "custody")
STANDARD_CELLS = [(tier, kind, SEED[tier][i]) for tier in TIERS for i, kind in enumerate(CASE_TYPES)]
# T2A: the seed gives every case type the custody column.
T2A_CELLS = [(tier, kind, SEED[tier][2]) for tier in TIERS for kind in CASE_TYPES]


def workload(cases=(), reports=(), *, grade="PO", hours="37", reduction="0", **extra):
    payload = {"grade": grade, "contracted_hours": hours, "reduction_hours": reduction, "cases": list(cases),
               "reports": [{"type": t} for t in reports], **extra}
    return calculate("workload", payload)


def case(tier, case_type="community", **extra):
    return {"tier": tier, "case_type": case_type, **extra}


def errors(payload_or_call):
    with pytest.raises(CalculationInputError) as caught:
        payload_or_call()
    return {e.field: e.message for e in caught.value.errors}


# ---- Case points ----


@pytest.mark.parametrize(("tier", "case_type", "points"), STANDARD_CELLS)
def test_case_points_by_tier_and_case_type(tier, case_type, points):
    assert POLICY.cell("standard", case_type, tier) == points
    assert workload([case(tier, case_type)])["total_points"] == points


@pytest.mark.parametrize(("tier", "case_type", "points"), T2A_CELLS)
def test_t2a_case_points_by_tier_and_case_type(tier, case_type, points):
    assert POLICY.cell("t2a", case_type, tier) == points
    assert workload([case(tier, case_type, t2a=True)])["total_points"] == points


@pytest.mark.parametrize("t2a", [False, True], ids=["standard", "t2a"])
@pytest.mark.parametrize("case_type", CASE_TYPES)
@pytest.mark.parametrize("tier", UNSUPERVISED_TIERS)
def test_unsupervised_s_tiers_score_0(tier, case_type, t2a):
    assert workload([case(tier, case_type, t2a=t2a)])["total_points"] == 0


@pytest.mark.parametrize("case_type", CASE_TYPES)
def test_an_untiered_case_scores_0(case_type):
    result = workload([case(None, case_type), case("A3", "community")])
    assert result["total_points"] == 206 and result["case_count"] == 2


def test_every_tier_has_a_cell_in_both_tables():
    assert len(ALL_TIERS) == 32
    expected = {f"{table}/{kind}/{tier}" for table in ("standard", "t2a") for kind in CASE_TYPES for tier in ALL_TIERS}
    assert set(POLICY.case_points) == expected


# T2A A3 community scores 75: an inactive case keeps the policy's percent of it.
@pytest.mark.parametrize(
    ("inactive", "points"),
    [(None, 75), ("warrant", 0), ("unpaid_work_only", 75), ("overdue_termination", 0)],
    ids=["active", "warrant_keeps_0", "unpaid_work_only_keeps_100", "overdue_termination_keeps_0"],
)
def test_t2a_inactive_case_keeps_its_weighting(inactive, points):
    assert workload([case("A3", t2a=True, inactive=inactive)])["total_points"] == points


@pytest.mark.parametrize("inactive", ["warrant", "unpaid_work_only", "overdue_termination"])
def test_an_inactive_standard_case_keeps_its_points_and_says_the_weighting_is_unverified(inactive):
    result = workload([case("A3", inactive=inactive)])
    assert result["total_points"] == 206
    assert any("unverified" in note for note in result["notes"])


@pytest.mark.parametrize(("points_hundredths", "total"), [(3749, 37), (3750, 38), (-3749, -37), (-3750, -38)],
                         ids=["below_half", "half_rounds_up", "negative_below_half", "negative_half_away_from_0"])
def test_total_points_are_the_sum_half_up_to_a_whole_number(points_hundredths, total):
    f = capacity_formula(SCALAR, POLICY, grade="PO", points_hundredths=points_hundredths,
                         contracted_hundredths=3700, reduction_hundredths=0)
    assert f["total_points"] == total


def test_a_weighting_that_leaves_half_a_point_rounds_the_sum_not_each_case():
    # 75 points kept at 50%: 37.5 each; one case 38 (half-up), two cases 75 (not 76)
    pol = workload_policy({"inactive_percent_kept": {"t2a": {"warrant": 50}}})
    one = case_points_formula(SCALAR, pol, tier="A3", case_type="community", t2a=True, inactive="warrant")
    assert one["hundredths"] == 3750
    totals = [capacity_formula(SCALAR, pol, grade="PO", points_hundredths=one["hundredths"] * n,
                               contracted_hundredths=3700, reduction_hundredths=0)["total_points"] for n in (1, 2)]
    assert totals == [38, 75]


# ---- Reports and adjustments ----


@pytest.mark.parametrize(("report", "points"), [("standard_psr", 138), ("fast_psr", 65), ("parole", 120)])
def test_report_points(report, points):
    assert workload(reports=[report, report])["total_points"] == 2 * points


def test_case_management_adjustments_add_and_subtract():
    adjustments = [{"points": 26, "reason": "CMS contact on a colleague's case"},
                   {"points": -5, "reason": "contact on own case done by a colleague"}]
    assert workload([case("D0")], adjustments=adjustments)["total_points"] == 29 + 21


# ---- Available points ----


@pytest.mark.parametrize(
    ("grade", "hours", "reduction", "available"),
    [
        ("PO", "37", "0", 2176),
        ("PO", "37", "1.8", 2070),  # 2176 x 35.2 / 37 = 2070.12: truncated
        ("PO", "37", "1.85", 2067),  # 2176 x 35.15 / 37 = 2067.2
        ("PO", "18.5", "0", 1088),
        ("PQiP", "22.5", "0", 1323),  # 1323.24
        ("NQO", "37", "7.4", 1740),  # 1740.8
        ("PSO", "37", "0", 2176),
        ("PSO", "37", "37", 0),  # every hour reduced
        ("SPO", "37", "0", 0),  # an SPO's default hours are 0
        ("PO", "0", "0", 0),
        ("PO", "11.1", "1.85", 544),  # exactly 544 (hmpps-workload's 15-place division gives 543)
    ],
    ids=["full_time", "truncation_37h_less_1_8h", "truncation_37h_less_1_85h", "half_time", "pqip_part_time",
         "nqo_reduced", "pso", "fully_reduced", "spo_no_default_hours", "no_hours", "exact_whole_number"],
)
def test_available_points_is_the_target_pro_rata_to_hours_worked_truncated(grade, hours, reduction, available):
    result = workload(grade=grade, hours=hours, reduction=reduction)
    assert result["available_points"] == available
    assert result["remaining_points"] == available


# ---- Capacity ----

# PO at 37 hours: 2,176 available points. Capacity is total / available half-up to 3 places, x 100; over capacity
# means above the threshold (110%) once rounded.
@pytest.mark.parametrize(
    ("total", "capacity", "over"),
    [
        (2392, 109.9, False),  # 1.09926 -> 1.099
        (2393, 110.0, False),  # 1.09972 -> 1.100: at the threshold, not above it
        (2394, 110.0, False),  # 1.10018 -> 1.100
        (2395, 110.1, True),  # 1.10064 -> 1.101: just above
        (2176, 100.0, False),
        (0, 0.0, False),
    ],
    ids=["just_below", "at_threshold_rounded_up", "at_threshold_rounded_down", "just_above", "full", "none"],
)
def test_capacity_percent_at_the_overload_threshold(total, capacity, over):
    result = workload(adjustments=[{"points": total, "reason": "points"}] if total else [])
    assert (result["total_points"], result["available_points"]) == (total, 2176)
    assert (result["capacity_percent"], result["over_capacity"]) == (capacity, over)
    assert result["overload_percent"] == 110


def test_capacity_ratio_rounds_half_up_at_the_third_place():
    pol = workload_policy({"grades": {"TEST": {"name": "Test grade", "nominal_target": 2000, "default_hours": "37"}}})
    f = [capacity_formula(SCALAR, pol, grade="TEST", points_hundredths=total * 100, contracted_hundredths=3700,
                          reduction_hundredths=0)["capacity_tenths"] for total in (1, 3, 2001)]
    assert f == [1, 2, 1001]  # 0.0005 -> 0.001; 0.0015 -> 0.002; 1.0005 -> 1.001


def test_capacity_is_0_without_available_points():
    result = workload([case("A3")], grade="SPO")
    assert (result["total_points"], result["available_points"], result["capacity_percent"]) == (206, 0, 0.0)
    assert result["remaining_points"] == -206
    assert any("No available points" in note for note in result["notes"])


# ---- Potential capacity ----


def test_potential_capacity_adds_the_new_case():
    result = workload([case("A3", crn="X000001")], new_case=case("A3", "licence", crn="X000002"))
    assert result["potential_total_points"] == 206 + 219
    assert result["potential_capacity_percent"] == 19.5  # 425 / 2176 = 0.19531
    assert result["capacity_percent"] == 9.5  # 206 / 2176 = 0.09467


def test_potential_capacity_does_not_count_a_case_already_held_twice():
    result = workload([case("A3", crn="X000001")], new_case=case("A3", crn="X000001"))
    assert (result["potential_total_points"], result["potential_capacity_percent"]) == (206, 9.5)
    assert any("already held" in note for note in result["notes"])


def test_potential_capacity_over_the_threshold():
    result = workload(adjustments=[{"points": 2300, "reason": "points"}], new_case=case("A3"))
    assert (result["over_capacity"], result["potential_over_capacity"]) == (False, True)


def test_no_new_case_no_potential_figures():
    result = workload([case("A3")])
    assert result["potential_capacity_percent"] is None and result["potential_total_points"] is None


# ---- Field errors ----


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reduction": "37.01"}, "reduction_hours"),
        ({"reduction": "-1"}, "reduction_hours"),
        ({"hours": "-1"}, "contracted_hours"),
        ({"hours": "169"}, "contracted_hours"),
        ({"hours": "37.005"}, "contracted_hours"),
        ({"grade": "po"}, "grade"),
        ({"cases": [case("E1")]}, "cases.0.tier"),
        ({"cases": [case("A3"), case("a3")]}, "cases.1.tier"),
        ({"cases": [case("A3", "prison")]}, "cases.0.case_type"),
        ({"cases": [case("A3", inactive="absconded")]}, "cases.0.inactive"),
        ({"new_case": case("Z9")}, "new_case.tier"),
        ({"reports": [{"type": "oral"}]}, "reports.0.type"),
        ({"adjustments": [{"points": 100_001, "reason": "typo"}]}, "adjustments.0.points"),
    ],
    ids=["reduction_above_contracted", "negative_reduction", "negative_hours", "more_hours_than_a_week",
         "hours_to_3_places", "grade_spelled_differently", "unknown_tier", "lower_case_tier", "unknown_case_type",
         "unknown_inactive_status", "new_case_unknown_tier", "unknown_report_type", "adjustment_out_of_range"],
)
def test_bad_input_is_a_field_error(change, field):
    args = {"grade": "PO", "hours": "37", "reduction": "0", "cases": [], "reports": []}
    args.update(change)
    payload = {"grade": args.pop("grade"), "contracted_hours": args.pop("hours"),
               "reduction_hours": args.pop("reduction"), **args}
    assert field in errors(lambda: calculate("workload", payload))


def test_reduction_above_contracted_hours_names_both():
    message = errors(lambda: workload(reduction="40"))["reduction_hours"]
    assert "(40)" in message and "(37)" in message


# ---- What-if points table ----


def test_points_table_overrides_the_cells_it_gives_and_keeps_the_rest():
    table = {"standard": {"A3": {"community": 300}}, "t2a": {"B2": {"licence": 10}}}
    result = workload([case("A3"), case("A3", "licence"), case("B2", "licence", t2a=True)], points_table=table)
    assert result["total_points"] == 300 + 219 + 10
    assert result["policy_version"].endswith("+points_table")
    assert workload([case("A3")])["total_points"] == 206  # the policy itself is unchanged


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"standard": {"Z1": {"community": 1}}}, "points_table.standard.Z1"),
        ({"standard": {"A3": {"community": -1}}}, "points_table.standard.A3.community"),
        ({"standard": {"A3": {"community": 100_001}}}, "points_table.standard.A3.community"),
        ({"t2a": {"A3": {"prison": 1}}}, "points_table.t2a.A3.prison"),
        ({"t2a": {"A3": {"custody": 1.5}}}, "points_table.t2a.A3.custody"),
        ({"adults": {}}, "points_table.adults"),
        ({"standard": []}, "points_table.standard"),
    ],
    ids=["unknown_tier", "negative", "too_large", "unknown_case_type", "not_whole", "unknown_table", "not_object"],
)
def test_points_table_problems_are_field_errors(table, field):
    assert field in errors(lambda: workload(points_table=table))


def test_a_refused_points_table_does_not_hide_the_other_problems():
    found = errors(lambda: workload(grade="XX", reduction="38", points_table={"standard": {"A3": {"licence": -1}}}))
    assert {"grade", "reduction_hours", "points_table.standard.A3.licence"} <= set(found)


# ---- Reductions ----


@pytest.mark.parametrize(
    ("contracted", "percent", "hours"),
    [("37", 80, "29.60"), ("37", 5, "1.85"), ("37.5", 5, "1.88"), ("22.5", 20, "4.50"), ("37", 100, "37.00"),
     ("37", 150, "37.00"), ("0", 50, "0.00")],
    ids=["pqip_80", "vq3_5", "half_up_to_2_places", "part_time", "whole_week", "capped_at_contracted_hours",
         "no_hours"],
)
def test_allowance_percent_of_contracted_hours_capped_at_contracted_hours(contracted, percent, hours):
    assert allowance_hours(Decimal(contracted), percent) == Decimal(hours)
    assert allowance_hundredths(SCALAR, int(Decimal(contracted) * 100), percent) == int(Decimal(hours) * 100)


@pytest.mark.parametrize(
    ("code", "default", "maximum"),
    [("pqip_first_6_months", "29.60", "37.00"), ("pqip_6_to_12_months", "22.20", "37.00"),
     ("pqip_12_to_18_months", "14.80", "37.00"), ("newly_qualified", "7.40", "37.00"),
     ("long_term_sickness", "37.00", "37.00"), ("maternity_leave", "37.00", "37.00"),
     ("trade_union_facility_time", None, "18.50"), ("spoc_lead", None, "1.85")],
)
def test_seeded_reduction_reasons(code, default, maximum):
    reason = POLICY.reduction_reasons[code]
    assert default_hours(Decimal(37), reason) == (None if default is None else Decimal(default))
    assert maximum_hours(Decimal(37), reason) == Decimal(maximum)


def reduction(reason="vq3", hours="1.85", start=dt.date(2026, 1, 1), end=None):
    return Reduction(reason=reason, hours=Decimal(hours), effective_from=start, effective_to=end)


@pytest.mark.parametrize(
    ("r", "field"),
    [
        (reduction(hours="37.01"), "hours"),
        (reduction(hours="-0.01"), "hours"),
        (reduction(hours="1.855"), "hours"),
        (reduction(reason="trade_union_facility_time", hours="18.51"), "hours"),
        (reduction(reason="holiday"), "reason"),
        (reduction(end=dt.date(2025, 12, 31)), "effective_to"),
    ],
    ids=["above_contracted", "negative", "three_places", "above_the_reasons_maximum", "unknown_reason",
         "ends_before_it_starts"],
)
def test_reduction_problems(r, field):
    assert field in {e.field for e in reduction_problems(r, Decimal(37), POLICY)}


@pytest.mark.parametrize("r", [reduction(reason="trade_union_facility_time", hours="18.5"),
                               reduction(reason="long_term_sickness", hours="37")], ids=["at_maximum", "whole_week"])
def test_reduction_at_its_limit_is_allowed(r):
    assert reduction_problems(r, Decimal(37), POLICY) == []


@pytest.mark.parametrize(
    ("on", "hours"),
    [(dt.date(2025, 12, 31), "0.00"), (dt.date(2026, 1, 1), "3.70"), (dt.date(2026, 1, 31), "3.70"),
     (dt.date(2026, 2, 1), "1.85")],
    ids=["day_before", "first_day", "last_day", "day_after"],
)
def test_active_reductions_on_a_day(on, hours):
    reductions = [reduction(end=dt.date(2026, 1, 31)), reduction()]
    assert active_reduction_hours(reductions, Decimal(37), on, POLICY) == Decimal(hours)


def test_active_reductions_never_exceed_the_contracted_hours():
    reductions = [reduction("long_term_sickness", "37"), reduction()]
    assert active_reduction_hours(reductions, Decimal(37), dt.date(2026, 6, 1), POLICY) == Decimal("37.00")


def test_a_disabled_reason_no_longer_reduces_hours():
    reasons = [dict(POLICY.data["reduction_reasons"][0]), {"code": "vq3", "name": "VQ3", "allowance_percent": 5,
                                                             "enabled": False}]
    pol = workload_policy({"reduction_reasons": reasons})
    assert active_reduction_hours([reduction()], Decimal(37), dt.date(2026, 6, 1), pol) == Decimal("0.00")


# ---- The policy file and overrides ----


def test_policy_has_version_date_source_and_flags_unverified_values():
    assert POLICY.policy_version and POLICY.effective_from == dt.date(2021, 7, 2)
    assert POLICY.source["repository"] == "ministryofjustice/hmpps-workload" and POLICY.source["commit"]
    flagged = {item["value"] for item in POLICY.unverified}
    assert {"inactive_percent_kept.standard", "reduction_reasons", "case_points"} <= flagged
    assert (POLICY.overload_percent, POLICY.consecutive_weeks) == (110, 4)


def test_an_override_changes_only_what_it_gives():
    pol = workload_policy({"policy_version": "admin-1", "effective_from": "2026-04-01",
                           "case_points": {"standard": {"A3": {"licence": 230}}}})
    assert (pol.cell("standard", "licence", "A3"), pol.cell("standard", "community", "A3")) == (230, 206)
    assert pol.policy_version == "admin-1" and pol.effective_from == dt.date(2026, 4, 1)
    assert policy_in_effect([POLICY, pol], dt.date(2026, 3, 31)) is POLICY
    assert policy_in_effect([POLICY, pol], dt.date(2026, 4, 1)) is pol


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"capacity": {"overload_percent": 0}}, "capacity.overload_percent"),
        ({"capacity": {"consecutive_weeks": "four"}}, "capacity.consecutive_weeks"),
        ({"inactive_percent_kept": {"t2a": {"warrant": 101}}}, "inactive_percent_kept.t2a.warrant"),
        ({"grades": {"PO": {"default_hours": "37.555"}}}, "grades.PO.default_hours"),
        ({"report_points": {"oral": 10}}, "report_points.oral"),
        ({"effective_from": "2026-02-30"}, "effective_from"),
        ({"reduction_reasons": [{"code": "x", "name": "X", "allowance_percent": 120}]},
         "reduction_reasons.0.allowance_percent"),
    ],
    ids=["threshold_0", "weeks_not_a_number", "weighting_over_100", "hours_to_3_places", "unknown_report",
         "impossible_date", "allowance_over_100"],
)
def test_a_bad_override_is_refused_whole_with_its_path(override, field):
    with pytest.raises(PolicyDataError) as caught:
        workload_policy(override)
    assert field in {e.field for e in caught.value.errors}
