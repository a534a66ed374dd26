"""Every policy file carries a version, an effective date and a source; bands are half-open without gaps."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from openprobation.rules.predictors.base import bands, load_policy

POLICIES = ["ogrs3", "snsv", "osp_dc", "osp_iic", "rsr", "ovp", "ogp", "tier_v2", "tier_v3"]


@pytest.mark.parametrize("name", POLICIES)
def test_policy_has_version_date_and_source(name):
    policy = load_policy(name)
    assert policy.policy_version and isinstance(policy.effective_from, dt.date)
    assert policy.source["repository"].startswith("ministryofjustice/")
    assert policy.source["commit"] and policy.source["licence"]


@pytest.mark.parametrize("name", POLICIES)
def test_policy_files_mention_no_machine_paths(name):
    text = resources.files("openprobation.rules").joinpath(f"policy/{name}.toml").read_text()
    # Written in pieces so this test file itself names no machine path.
    for fragment in ("/" + "work/", "/" + "tmp/", "/" + "root/", "../" + "shared"):
        assert fragment not in text


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("ogrs3", ("bands",)),
        ("osp_dc", ("bands",)),
        ("rsr", ("bands",)),
        ("ovp", ("bands",)),
        ("ogp", ("bands",)),
        ("tier_v2", ("protect", "rsr")),
        ("tier_v2", ("protect", "levels")),
        ("tier_v2", ("change", "levels")),
    ],
    ids=lambda v: "/".join(v) if isinstance(v, tuple) else v,
)
def test_bands_start_at_zero_and_have_no_gaps(name, path):
    node = load_policy(name).data
    for key in path:
        node = node[key]
    table = bands(node)  # raises on a gap or overlap
    assert table[0].lower == 0 and table[-1].upper is None


def test_bands_refuse_a_gap():
    with pytest.raises(ValueError, match="starts at"):
        bands([{"band": "low", "from": 0, "to": "6.99"}, {"band": "high", "from": "7.00"}])


def test_unverified_ogrs3_female_16_17_term_is_flagged():
    unverified = load_policy("ogrs3").unverified
    assert any(item["value"] == "age_gender.female.16" for item in unverified)
