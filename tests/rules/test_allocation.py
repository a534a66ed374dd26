"""Allocation policies: the 2014-2021 NPS/CRC split and the 2021+ grade rules (unverified), each rule at its
thresholds; and the RSR tolerance of the quality assurance report."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from openprobation.rules.allocation import (
    AllocationCannotCheck,
    AllocationExpectation,
    AllocationFacts,
    UnknownPolicy,
    allocation_check,
    allocation_expected,
    allocation_policy,
    parse_policy,
    policy_names,
    quality_policy,
    rsr_disagrees,
)

SPLIT = allocation_policy("2014-split")
UNIFIED = allocation_policy("2021-unified")


def facts(rosh=None, mappa_level=None, rsr=None, tier=None):
    return AllocationFacts(
        rosh=rosh, mappa_level=mappa_level, rsr_percent=None if rsr is None else Decimal(rsr), tier=tier
    )


# ---- 2014-2021: NPS keeps high/very high RoSH, MAPPA and RSR >= 6.9%; everything else goes to a CRC ----

MAPPA_NPS = "mappa_case_stays_with_nps"
TO_CRC = "low_or_medium_rosh_and_rsr_below_6_9_goes_to_crc"
SPLIT_CASES = [
    # (name, facts, expected organisation, rule)
    ("rosh_low_rsr_low_goes_to_crc", facts("low", rsr="1.00"), {"crc"}, TO_CRC),
    ("rosh_medium_rsr_low_goes_to_crc", facts("medium", rsr="2.00"), {"crc"}, TO_CRC),
    ("rosh_high_stays_with_nps", facts("high", rsr="1.00"), {"nps"}, "rosh_high_or_very_high_stays_with_nps"),
    ("rosh_very_high_stays_with_nps", facts("very_high", rsr="1.00"), {"nps"}, "rosh_high_or_very_high_stays_with_nps"),
    ("rsr_6_89_just_below_goes_to_crc", facts("low", rsr="6.89"), {"crc"}, TO_CRC),
    ("rsr_6_90_at_threshold_stays_with_nps", facts("low", rsr="6.90"), {"nps"}, "rsr_6_9_or_more_stays_with_nps"),
    ("rsr_6_91_above_stays_with_nps", facts("medium", rsr="6.91"), {"nps"}, "rsr_6_9_or_more_stays_with_nps"),
    ("mappa_yes_stays_with_nps", facts("low", mappa_level=1, rsr="1.00"), {"nps"}, "mappa_case_stays_with_nps"),
    ("mappa_without_level_stays_with_nps", facts("low", mappa_level=0, rsr="1.00"), {"nps"}, MAPPA_NPS),
    ("mappa_no_goes_to_crc", facts("low", mappa_level=None, rsr="1.00"), {"crc"}, TO_CRC),
    ("mappa_without_rosh_or_rsr_stays_with_nps", facts(mappa_level=2), {"nps"}, "mappa_case_stays_with_nps"),
    ("rsr_high_without_rosh_stays_with_nps", facts(rsr="7.50"), {"nps"}, "rsr_6_9_or_more_stays_with_nps"),
]  # fmt: skip


@pytest.mark.parametrize(("f", "allowed", "rule"), [c[1:] for c in SPLIT_CASES], ids=[c[0] for c in SPLIT_CASES])
def test_2014_split(f, allowed, rule):
    expected = allocation_expected(f, SPLIT)
    assert expected is not None
    assert expected.allowed == allowed and expected.rule == rule
    assert expected.policy_version == SPLIT.policy_version and expected.reason


@pytest.mark.parametrize(
    "f",
    [facts(rsr="1.00"), facts("low"), facts("medium", rsr=None), facts()],
    ids=["no_rosh_not_checked", "no_rsr_not_checked", "medium_rosh_no_rsr_not_checked", "nothing_not_checked"],
)
def test_2014_split_missing_facts_are_not_checked_rather_than_sent_to_a_crc(f):
    assert allocation_expected(f, SPLIT) is None


# "Cannot check": no rule applies, and the facts the rules read that the case lacks are named (never "agrees").
CANNOT_CHECK_CASES = [
    # (name, policy, facts, missing facts) -- and, for contrast, facts that let a rule apply despite a gap.
    ("split_no_rosh_rsr_6_89", SPLIT, facts(rsr="6.89"), ("rosh",)),
    ("split_low_rosh_no_rsr", SPLIT, facts("low"), ("rsr",)),
    ("split_medium_rosh_no_rsr", SPLIT, facts("medium"), ("rsr",)),
    ("split_nothing", SPLIT, facts(), ("rosh", "rsr")),
    ("unified_no_rosh_tier_c", UNIFIED, facts(tier="C1"), ("rosh",)),
    ("unified_no_rosh_tier_d_mappa_1", UNIFIED, facts(mappa_level=1, tier="D2"), ("rosh",)),
    ("unified_low_rosh_no_tier", UNIFIED, facts("low"), ("tier",)),
    ("unified_nothing", UNIFIED, facts(), ("rosh", "tier")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "f", "missing"), [c[1:] for c in CANNOT_CHECK_CASES], ids=[c[0] for c in CANNOT_CHECK_CASES]
)
def test_no_rule_applies_so_the_allocation_cannot_be_checked_naming_the_missing_facts(policy, f, missing):
    check = allocation_check(f, policy)
    assert isinstance(check, AllocationCannotCheck)
    assert check.missing == missing and check.rule == "cannot_check"
    assert check.reason.startswith(f"Cannot check under the {policy.name} policy: missing ")
    assert ("RoSH (no active RoSH registration)" in check.reason) is ("rosh" in missing)


@pytest.mark.parametrize(
    ("policy", "f", "rule"),
    [
        (SPLIT, facts(rsr="6.90"), "rsr_6_9_or_more_stays_with_nps"),  # no RoSH, RSR at 6.90: the RSR rule applies
        (SPLIT, facts(mappa_level=1), "mappa_case_stays_with_nps"),  # no RoSH or RSR, but MAPPA
        (SPLIT, facts("high"), "rosh_high_or_very_high_stays_with_nps"),  # no RSR, but high RoSH
        (UNIFIED, facts(tier="B1"), "tier_a_or_b_needs_a_po"),  # no RoSH, but tier B
        (UNIFIED, facts(mappa_level=2, tier="D1"), "mappa_level_2_or_3_needs_a_po"),
        (UNIFIED, facts("medium"), "rosh_medium_po_or_pqip"),  # no tier, but medium RoSH
    ],
    ids=["split_rsr_6_90_no_rosh", "split_mappa_only", "split_high_no_rsr", "unified_tier_b_no_rosh",
         "unified_mappa_2_no_rosh", "unified_medium_no_tier"],
)  # fmt: skip
def test_a_rule_that_applies_despite_a_missing_fact_checks_the_allocation(policy, f, rule):
    check = allocation_check(f, policy)
    assert isinstance(check, AllocationExpectation) and check.rule == rule


# ---- 2021+: grade of practitioner by RoSH, MAPPA and tier (unverified rules, kept as data) ----

PO = {"po", "spo"}
ANY = PO | {"pqip", "pso"}
ANY_RULE = "rosh_low_tier_c_or_d_any_practitioner"
UNIFIED_CASES = [
    ("rosh_very_high_needs_a_po", facts("very_high", tier="A1"), PO, "rosh_high_or_very_high_needs_a_po"),
    ("rosh_high_needs_a_po", facts("high", tier="B1"), PO, "rosh_high_or_very_high_needs_a_po"),
    ("mappa_level_3_needs_a_po", facts("low", mappa_level=3, tier="A1"), PO, "mappa_level_2_or_3_needs_a_po"),
    ("mappa_level_2_needs_a_po", facts("low", mappa_level=2, tier="A1"), PO, "mappa_level_2_or_3_needs_a_po"),
    ("mappa_level_1_does_not_need_a_po", facts("low", mappa_level=1, tier="D1"), ANY, ANY_RULE),
    ("mappa_no_does_not_need_a_po", facts("low", tier="C1"), ANY, ANY_RULE),
    ("tier_a_needs_a_po", facts("low", tier="A0"), PO, "tier_a_or_b_needs_a_po"),
    ("tier_b_needs_a_po", facts("low", tier="B3"), PO, "tier_a_or_b_needs_a_po"),
    ("tier_b_without_rosh_needs_a_po", facts(tier="B2S"), PO, "tier_a_or_b_needs_a_po"),
    ("rosh_medium_po_or_pqip", facts("medium", tier="C2"), PO | {"pqip"}, "rosh_medium_po_or_pqip"),
    ("rosh_low_tier_c_any_practitioner", facts("low", tier="C3"), ANY, ANY_RULE),
    ("rosh_low_tier_d_any_practitioner", facts("low", tier="D0"), ANY, ANY_RULE),
]  # fmt: skip


@pytest.mark.parametrize(("f", "allowed", "rule"), [c[1:] for c in UNIFIED_CASES], ids=[c[0] for c in UNIFIED_CASES])
def test_2021_unified_grade_rules(f, allowed, rule):
    expected = allocation_expected(f, UNIFIED)
    assert expected is not None
    assert expected.allowed == allowed and expected.rule == rule


@pytest.mark.parametrize(
    ("grade", "f", "agrees"),
    [
        ("pso", facts("high", tier="B1"), False),
        ("pqip", facts("high", tier="B1"), False),
        ("po", facts("high", tier="B1"), True),
        ("spo", facts("very_high", tier="A1"), True),
        ("pso", facts("medium", tier="C1"), False),
        ("pqip", facts("medium", tier="C1"), True),
        ("pso", facts("low", tier="D2"), True),
        ("other", facts("low", tier="D2"), False),
    ],
)
def test_2021_unified_grade_agrees_or_not(grade, f, agrees):
    expected = allocation_expected(f, UNIFIED)
    assert expected is not None and expected.agrees(grade) is agrees


def test_2021_unified_without_rosh_or_tier_is_not_checked():
    assert allocation_expected(facts(), UNIFIED) is None
    assert allocation_expected(facts("low"), UNIFIED) is None  # low RoSH but no calculated tier


def test_2021_unified_policy_says_it_is_unverified():
    assert UNIFIED.unverified and "unverified" in UNIFIED.policy_version
    assert SPLIT.unverified and SPLIT.effective_to is not None


def test_unknown_policy_is_refused():
    with pytest.raises(UnknownPolicy):
        allocation_policy("2016-something")
    assert policy_names() == ("2014-split", "2021-unified")


@pytest.mark.parametrize(
    "bad",
    [
        {"when": {"rosh": ["severe"]}, "allocate": ["nps"]},
        {"when": {"colour": "red"}, "allocate": ["nps"]},
        {"when": {"rosh": ["low"]}, "allocate": ["prison"]},
        {"when": {"mappa_level": [4]}, "allocate": ["nps"]},
        {"when": {}, "allocate": ["nps"]},
    ],
    ids=["unknown_rosh_level", "unknown_condition", "unknown_outcome", "unknown_mappa_level", "no_condition"],
)
def test_policy_loader_refuses_bad_rules(bad):
    raw = {"policy": "x", "policy_version": "x-1", "title": "x", "effective_from": None, "compares": "x",
           "outcomes": ["nps", "crc"], "rules": [{"id": "r", "reason": "r", **bad}]}  # fmt: skip
    with pytest.raises(ValueError):
        parse_policy(raw)


@pytest.mark.parametrize("name", ["allocation_2014_split", "allocation_2021_unified", "quality_assurance"])
def test_allocation_policy_files_name_no_machine_paths(name):
    text = resources.files("openprobation.rules").joinpath(f"policy/{name}.toml").read_text()
    for fragment in ("/" + "work/", "/" + "tmp/", "/" + "root/", "../" + "shared"):
        assert fragment not in text


# ---- RSR recorded against calculated: under 0.01 percentage points is rounding ----


@pytest.mark.parametrize(
    ("recorded", "calculated", "disagrees"),
    [
        ("6.90", "6.90", False),
        ("6.90", "6.9", False),
        ("6.91", "6.90", True),  # at the tolerance: a disagreement
        ("6.89", "6.90", True),
        ("7.40", "6.90", True),
        ("0.00", "0.00", False),
    ],
    ids=["equal", "equal_written_differently", "one_hundredth_above", "one_hundredth_below", "half_a_point", "zero"],
)
def test_rsr_tolerance_is_one_hundredth(recorded, calculated, disagrees):
    tolerance = quality_policy().rsr_tolerance_points
    assert tolerance == Decimal("0.01")
    assert rsr_disagrees(Decimal(recorded), Decimal(calculated), tolerance) is disagrees


def test_rsr_a_wider_tolerance_treats_small_differences_as_rounding():
    assert not rsr_disagrees(Decimal("6.93"), Decimal("6.90"), Decimal("0.05"))
    assert rsr_disagrees(Decimal("6.95"), Decimal("6.90"), Decimal("0.05"))
