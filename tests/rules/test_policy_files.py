"""Every policy file carries a version, an effective date and a source; bands are half-open without gaps."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from openprobation.rules.predictors.base import bands, load_policy

POLICIES = ["ogrs3", "snsv", "osp_dc", "osp_iic", "rsr", "ovp", "ogp", "tier_v2", "tier_v3", "workload"]


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


# ---- Values the calculators read from the policy files, not from code ----


def _with(pol, **changes):
    import dataclasses

    return dataclasses.replace(pol, data={**pol.data, **changes})


@pytest.mark.parametrize(
    ("module", "getter", "tool", "payload", "field"),
    [
        ("ogrs3", "policy", "ogrs3", {"age_at_first_sanction": 11}, "age_at_first_sanction"),
        ("snsv", "policy", "snsv", {"age_at_first_sanction": 11}, "age_at_first_sanction"),
        # born 2013-01-01: 11 at the start of follow-up (2024-02-01)
        ("osp", "dc_policy", "osp-dc", {"date_of_birth": "2013-01-01", "last_sexual_sanction_date": None},
         "date_of_birth"),
    ],
    ids=["ogrs3", "snsv", "osp_dc"],
)  # fmt: skip
def test_minimum_age_is_read_from_each_tools_policy(monkeypatch, module, getter, tool, payload, field):
    import importlib

    from openprobation.rules.calculators import CalculationInputError, calculate

    from .examples import OGRS3, OSP_DC, SNSV

    base = {"ogrs3": OGRS3, "snsv": SNSV, "osp-dc": OSP_DC}[tool]
    request = {k: v for k, v in {**base, **payload}.items() if v is not None}
    calculate(tool, request)  # 11 is allowed under the shipped minimum of 10
    mod = importlib.import_module(f"openprobation.rules.predictors.{module}")
    shipped = getattr(mod, getter)()
    assert shipped["minimum_age"] == 10
    monkeypatch.setattr(mod, getter, lambda: _with(shipped, minimum_age=12))
    with pytest.raises(CalculationInputError) as caught:
        calculate(tool, request)
    assert any(e.field == field and "12 or over" in e.message for e in caught.value.errors)


def test_osp_iic_hierarchy_thresholds_are_read_from_the_policy(monkeypatch):
    from openprobation.rules.calculators import calculate
    from openprobation.rules.predictors import osp

    from .examples import OSP_IIC

    two_images = {**OSP_IIC, "indecent_image_sanctions": 2, "contact_child_sexual_sanctions": 0}
    assert calculate("osp-iic", two_images)["rule"] == "two_or_more_indecent_image_sanctions"
    shipped = osp.iic_policy()
    rows = [dict(row) for row in shipped["hierarchy"]]
    rows[0]["when"] = {"indecent_image_sanctions": {"at_least": 3}}  # a policy that needs three images
    monkeypatch.setattr(osp, "iic_policy", lambda: _with(shipped, hierarchy=rows))
    # 2 images: not the first rule, not "one image" (equals 1); contact adult 2 -> "other" (0.00281 -> 0.28%)
    result = calculate("osp-iic", two_images)
    assert (result["rule"], result["percent"], result["band"]) == ("other", 0.28, "low")


@pytest.mark.parametrize(
    "when",
    [{"indecent_image_sanctions": {"more_than": 1}}, {"shoe_size": {"equals": 1}}],
    ids=["unknown_test", "unknown_field"],
)
def test_osp_iic_hierarchy_refuses_a_condition_it_cannot_read(when):
    from openprobation.rules.predictors import osp

    shipped = osp.iic_policy()
    rows = [dict(row) for row in shipped["hierarchy"]]
    rows[0]["when"] = when
    with pytest.raises(ValueError, match="cannot read the condition"):
        osp.iic_hierarchy(_with(shipped, hierarchy=rows))
