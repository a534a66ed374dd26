"""Tier V3: the reoffending table, DC-SRP, MAPPA/RoSH, lifer, registrations, provisional flag, errors."""

from __future__ import annotations

import pytest

from openprobation.rules.calculators import CalculationInputError, calculate

from .examples import TIER_V3

ARP_COLUMNS = [90, 75, 50, 25, 15, 0]
CSRP_ROWS = [6.9, 3.0, 1.0, 0.5, 0]
TABLE = [
    "AABBBB",
    "ABCCCC",
    "BCDEEE",
    "CDEEFF",
    "DDEFFG",
]


def tier(**change):
    return calculate("tier", {**TIER_V3, **change})


CELLS = [(arp, csrp, TABLE[r][c]) for r, csrp in enumerate(CSRP_ROWS) for c, arp in enumerate(ARP_COLUMNS)]


@pytest.mark.parametrize(("arp", "csrp", "expected"), CELLS, ids=[f"arp{a}_csrp{c}" for a, c, _ in CELLS])
def test_reoffending_table_at_each_threshold(arp, csrp, expected):
    assert tier(arp_percent=arp, csrp_percent=csrp)["tier"] == expected


BELOW = [
    (89.99, 6.9, "A"),
    (74.99, 6.9, "B"),
    (49.99, 3.0, "C"),
    (24.99, 1.0, "E"),
    (14.99, 0.5, "F"),
    (90, 6.89, "A"),
    (90, 2.99, "B"),
    (90, 0.99, "C"),
    (90, 0.49, "D"),
    (50, 2.99, "D"),
]


@pytest.mark.parametrize(("arp", "csrp", "expected"), BELOW, ids=[f"arp{a}_csrp{c}" for a, c, _ in BELOW])
def test_reoffending_table_just_below_each_threshold(arp, csrp, expected):
    assert tier(arp_percent=arp, csrp_percent=csrp)["tier"] == expected


@pytest.mark.parametrize(
    ("score", "band", "expected"),
    [
        (8.0, "very_high", "A"),
        (5.0, "high", "B"),
        (0.3, "low", "E"),
        (3.36, "medium", "C"),
        (3.35, "medium", "D"),
        (2.11, "medium", "D"),
        (2.10, "medium", "C"),
        (1.12, "medium", "C"),
        (1.11, "medium", "D"),
        (0.60, "medium", "D"),
        (2.0, "not_applicable", "G"),
        (0, "high", "G"),
    ],
    ids=lambda v: str(v),
)
def test_sexual_reoffending_step_from_dc_srp(score, band, expected):
    # The specification's field, dc_srp = {percent, band}, and the flat fields give the same tier.
    assert tier(arp_percent=0, csrp_percent=0, dc_srp={"percent": score, "band": band})["tier"] == expected
    assert tier(arp_percent=0, csrp_percent=0, dc_srp_percent=score, dc_srp_band=band)["tier"] == expected


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dc_srp": {"percent": 2, "band": "medium"}, "dc_srp_band": "medium"}, "dc_srp"),
        ({"dc_srp": {"percent": 0.59, "band": "medium"}}, "dc_srp.percent"),
        ({"dc_srp": {"percent": 101, "band": "high"}}, "dc_srp.percent"),
        ({"dc_srp": {"band": "high"}}, "dc_srp.percent"),
        ({"dc_srp": {"percent": 2, "band": "severe"}}, "dc_srp.band"),
        ({"dc_srp": 2.5}, "dc_srp"),
    ],
    ids=["both_forms", "medium_below_0_60", "above_100", "percent_missing", "unknown_band", "not_an_object"],
)
def test_dc_srp_errors_name_the_nested_field(change, field):
    with pytest.raises(CalculationInputError) as caught:
        tier(**change)
    assert field in {e.field for e in caught.value.errors}


def test_medium_dc_srp_below_0_60_is_an_error():
    with pytest.raises(CalculationInputError) as caught:
        tier(dc_srp_percent=0.59, dc_srp_band="medium")
    assert caught.value.errors[0].field == "dc_srp_percent"


@pytest.mark.parametrize(
    ("mappa_category", "rosh", "expected"),
    [
        (1, "very_high", "A"),
        (2, "high", "C"),
        (3, "medium", "D"),
        (4, "low", "E"),
        (1, None, "E"),
        (None, "very_high", "C"),
        (None, "high", "D"),
        (None, "medium", "G"),
        (None, "low", "G"),
    ],
    ids=["mappa_vh", "mappa_h", "mappa_m", "mappa_l", "mappa_no_rosh", "vh", "h", "m", "l"],
)
def test_mappa_and_rosh_step(mappa_category, rosh, expected):
    mappa_level = None if mappa_category is None else 1
    result = tier(arp_percent=0, csrp_percent=0, mappa_level=mappa_level, mappa_category=mappa_category, rosh=rosh)
    assert result["tier"] == expected


@pytest.mark.parametrize(
    ("released", "expected"),
    [("2025-06-02", "B"), ("2025-06-01", "D"), ("2021-06-02", "D"), ("2021-06-01", "E")],
    ids=["under_1_year", "exactly_1_year", "under_5_years", "exactly_5_years"],
)
def test_lifer_or_ipp_by_time_since_release(released, expected):
    result = tier(
        arp_percent=0,
        csrp_percent=0,
        registrations=["INLL"],
        latest_release_date=released,
        calculation_date="2026-06-01",
    )
    assert result["tier"] == expected


def test_lifer_without_release_date_has_no_step_and_says_so():
    result = tier(arp_percent=0, csrp_percent=0, registrations=["INLL"])
    assert result["tier"] == "G" and any("no release date" in n for n in result["notes"])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"registrations": ["ADVP"]}, "E"),
        ({"registrations": ["REG30"]}, "E"),
        ({"registrations": ["SPO"]}, "F"),
        ({"registrations": ["RCPR"]}, "F"),
        ({"has_sexual_offence_history": True}, "E"),
        ({"registrations": ["SPO", "ADVP"]}, "E"),
    ],
    ids=[
        "domestic_abuse_ADVP",
        "domestic_abuse_REG30",
        "stalking",
        "child_protection",
        "sexual_history",
        "highest_wins",
    ],
)
def test_registration_and_history_steps(change, expected):
    assert tier(arp_percent=0, csrp_percent=0, **change)["tier"] == expected


# RoSH from the registrations when rosh is null (tiering.v2.read_rosh). ARP 0 and CSRP 0 give G from the
# reoffending table, so the tier is the MAPPA/RoSH step (tier_v3.toml): with MAPPA very high A, high C, medium D,
# low E; without MAPPA very high C, high D, medium and low nothing (G stands).
@pytest.mark.parametrize(
    ("registrations", "mappa", "expected"),
    [
        (["RVHR", "MAPP"], True, "A"),
        (["RHRH", "MAPP"], True, "C"),
        (["RVHR"], False, "C"),
        (["RHRH"], False, "D"),
        (["RMRH", "RVHR"], False, "C"),  # the highest of two
        (["RLRH", "MAPP"], True, "E"),
    ],
    ids=["rvhr_mappa_A", "rhrh_mappa_C", "rvhr_C", "rhrh_D", "highest_of_two", "rlrh_mappa_E"],
)
def test_rosh_null_is_taken_from_the_highest_rosh_registration(registrations, mappa, expected):
    given = {"mappa_level": 2, "mappa_category": 1} if mappa else {}
    result = tier(arp_percent=0, csrp_percent=0, rosh=None, registrations=registrations, **given)
    assert result["tier"] == expected
    step = next(t for t in result["explanation"] if t["name"] == "mappa_and_rosh")
    assert "from the RoSH registration" in step["value"]
    assert any(n.startswith("No rosh given: RoSH") for n in result["notes"])


def test_rosh_from_registrations_is_not_provisional_for_missing_rosh():
    # No rosh but an RHRH registration: the RoSH is known, so the "no RoSH" provisional rule does not apply.
    assert tier(rosh=None)["provisional"] is True
    assert tier(rosh=None, registrations=["RVHR"])["provisional"] is False


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"rosh": "low", "registrations": ["RHRH"]}, {"rosh"}),
        ({"mappa_category": 1}, {"mappa_level"}),
        ({"mappa_level": 1}, {"mappa_category"}),
        ({"registrations": ["MAPP"]}, {"mappa_level", "mappa_category"}),
    ],
    ids=["rosh_disagrees_with_registration", "category_without_level", "level_without_category", "mapp_without_either"],
)
def test_tier_v3_registration_errors_are_field_named(change, fields):
    with pytest.raises(CalculationInputError) as caught:
        tier(**change)
    assert {e.field for e in caught.value.errors} == fields


def test_not_supervised_and_missing_predictors():
    assert tier(supervised=False)["tier"] == "NOT_SUPERVISED"
    missing = tier(csrp_percent=None)
    assert missing["tier"] == "MISSING" and "csrp_percent" in missing["notes"][0]


@pytest.mark.parametrize(
    ("change", "provisional"),
    [
        ({}, False),
        ({"arp_static": True, "csrp_static": True}, True),
        ({"arp_static": True, "csrp_static": True, "mappa_level": 1, "mappa_category": 1, "rosh": "very_high"}, False),
        # ARP static: with ARP at its highest the table gives (CSRP 0.2 row) D; other steps must reach D.
        ({"arp_static": True}, True),
        ({"arp_static": True, "registrations": ["ADVP"]}, True),
        ({"arp_static": True, "mappa_level": 1, "mappa_category": 1, "rosh": "medium"}, False),
        # CSRP static: with CSRP at its highest the table gives (ARP 10 column) B.
        ({"csrp_static": True, "rosh": "high"}, True),
        ({"csrp_static": True, "dc_srp_percent": 5, "dc_srp_band": "high"}, False),
        # Missing RoSH without MAPPA: provisional unless other steps give C or better.
        ({"rosh": None}, True),
        ({"rosh": None, "arp_percent": 60, "csrp_percent": 3.5}, False),
        (
            {
                "rosh": None,
                "arp_percent": 60,
                "csrp_percent": 3.5,
                "arp_static": True,
                "csrp_static": True,
                "dc_srp_percent": 3.4,
                "dc_srp_band": "medium",
            },
            True,
        ),
        # Missing RoSH with MAPPA: provisional unless other steps give A.
        ({"rosh": None, "mappa_level": 1, "mappa_category": 2, "arp_percent": 60, "csrp_percent": 3.5}, True),
        ({"rosh": None, "mappa_level": 1, "mappa_category": 2, "arp_percent": 95, "csrp_percent": 7}, False),
    ],
    ids=[
        "dynamic_with_rosh",
        "both_static",
        "both_static_other_step_A",
        "arp_static",
        "arp_static_E_not_enough",
        "arp_static_other_step_D",
        "csrp_static",
        "csrp_static_other_step_B",
        "no_rosh_no_mappa",
        "no_rosh_table_gives_C",
        "no_rosh_static_table_not_counted",
        "no_rosh_mappa_needs_A",
        "no_rosh_mappa_table_gives_A",
    ],
)
def test_provisional_flag(change, provisional):
    assert tier(**change)["provisional"] is provisional


def test_explanation_lists_every_step():
    result = tier(registrations=["SPO"])
    steps = {t["name"]: t["contribution"] for t in result["explanation"]}
    assert steps["reoffending"] == "G" and steps["registration_SPO"] == "F" and steps["mappa_and_rosh"] == ""
    assert result["version"] == 3 and result["policy_version"] == "tier-v3-affac98a"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"arp_percent": 101}, "arp_percent"),
        ({"csrp_static": None}, "csrp_static"),
        ({"dc_srp_percent": 2}, "dc_srp_band"),
        ({"registrations": ["INLL"], "latest_release_date": "2026-01-01"}, "calculation_date"),
        (
            {"registrations": ["INLL"], "latest_release_date": "2026-07-01", "calculation_date": "2026-06-01"},
            "latest_release_date",
        ),
        ({"version": 4}, "version"),
        ({"dc_srp_band": "severe"}, "dc_srp_band"),
    ],
    ids=[
        "arp_above_100",
        "static_flag_missing",
        "dc_srp_band_missing",
        "calculation_date_missing",
        "release_after_calculation",
        "unknown_version",
        "unknown_band",
    ],
)
def test_tier_v3_input_errors(change, field):
    with pytest.raises(CalculationInputError) as caught:
        tier(**change)
    assert field in {e.field for e in caught.value.errors}
