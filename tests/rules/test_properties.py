"""Property tests: probabilities stay in bounds and move in the expected direction."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from openprobation.rules.calculators import calculate
from openprobation.rules.dates import age_in_years
from openprobation.rules.offences import offence_table

SCORABLE_CODES = sorted(c for c, o in offence_table().items() if o.ogrs3_weight is not None)
FAST = settings(max_examples=60, deadline=None)


@st.composite
def histories(draw):
    dob = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2005, 1, 1)))
    conviction = dob + dt.timedelta(days=draw(st.integers(min_value=366 * 10 + 3, max_value=366 * 80)))
    follow_up = conviction + dt.timedelta(days=draw(st.integers(min_value=0, max_value=3000)))
    age = age_in_years(dob, conviction)
    total = draw(st.integers(min_value=1, max_value=80))
    return {
        "gender": draw(st.sampled_from(["male", "female"])),
        "date_of_birth": dob.isoformat(),
        "conviction_date": conviction.isoformat(),
        "follow_up_start": follow_up.isoformat(),
        "total_sanctions": total,
        "age_at_first_sanction": draw(st.integers(min_value=10, max_value=max(age, 10))),
        "offence_code": draw(st.sampled_from(SCORABLE_CODES)),
    }


@FAST
@given(histories())
def test_ogrs3_percents_in_bounds_and_one_year_not_above_two_year(payload):
    result = calculate("ogrs3", payload)
    assert 1 <= result["one_year_percent"] <= result["two_year_percent"] <= 99


@FAST
@given(histories())
def test_more_sanctions_never_lowers_ogrs3(payload):
    before = calculate("ogrs3", payload)
    after = calculate("ogrs3", {**payload, "total_sanctions": payload["total_sanctions"] + 1})
    assert after["two_year_percent"] >= before["two_year_percent"]
    assert after["one_year_percent"] >= before["one_year_percent"]


@FAST
@given(histories(), st.integers(min_value=0, max_value=80), st.integers(min_value=0, max_value=2000))
def test_snsv_and_rsr_percent_within_0_and_100(payload, violent, days):
    violent = min(violent, payload["total_sanctions"])
    assessment = dt.date.fromisoformat(payload["follow_up_start"]) + dt.timedelta(days=days)
    snsv = {**payload, "violent_sanctions": violent, "assessment_date": assessment.isoformat()}
    assert 0 <= calculate("snsv", snsv)["percent"] <= 100
    rsr = calculate("rsr", {**snsv, "has_sexual_offence_history": False})
    assert 0 <= rsr["percent"] <= 99.99
    assert rsr["band"] in {"low", "medium", "high"}


@FAST
@given(
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=6),
    st.booleans(),
    st.integers(min_value=10, max_value=90),
)
def test_osp_dc_points_within_0_and_64_and_probability_rises_with_points(
    adult, child, non_contact, images, stranger, age
):
    dob = dt.date(1930, 1, 1)
    payload = {
        "gender": "male",
        "has_sexual_offence_history": True,
        "contact_adult_sexual_sanctions": adult,
        "contact_child_sexual_sanctions": child,
        "non_contact_sexual_sanctions": non_contact,
        "indecent_image_sanctions": images,
        "date_of_birth": dob.isoformat(),
        "follow_up_start": dt.date(1930 + age, 6, 1).isoformat(),
        "assessment_date": "2025-01-01",
        "total_sanctions": 1 + adult + child,
        "stranger_victim": stranger,
    }
    result = calculate("osp-dc", payload)
    assert 0 <= result["points"] <= 64
    more = calculate(
        "osp-dc",
        {**payload, "contact_adult_sexual_sanctions": adult + 1, "total_sanctions": payload["total_sanctions"] + 1},
    )
    assert more["percent"] >= result["percent"]


@FAST
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=60), st.integers(18, 90))
def test_another_violent_sanction_never_lowers_ovp(total, violent, age):
    violent = min(violent, total)
    payload = {
        "gender": "male",
        "date_of_birth": "1900-01-01",
        "follow_up_start": f"{1900 + age}-06-01",
        "total_sanctions": total,
        "violent_sanctions": violent,
        "does_not_recognise_impact": False,
        "no_fixed_abode": False,
        "unemployed": False,
        "current_alcohol_use": 0,
        "binge_drinking": 0,
        "current_psychiatric_treatment": False,
        "temper_control": 0,
        "pro_criminal_attitudes": 0,
    }
    before = calculate("ovp", payload)
    after = calculate("ovp", {**payload, "total_sanctions": total + 1, "violent_sanctions": violent + 1})
    assert after["points"] >= before["points"] and after["two_year_percent"] >= before["two_year_percent"]
    assert 1 <= before["one_year_percent"] <= before["two_year_percent"] <= 99


@FAST
@given(st.decimals(min_value=0, max_value=100, places=2), st.decimals(min_value=0, max_value=100, places=2))
def test_higher_rsr_never_lowers_the_protect_level(a, b):
    low, high = sorted((a, b))
    base = {"gender": "male", "has_layer3_assessment": False, "mandate_for_change": False}
    lower = calculate("tier", {**base, "rsr_percent": str(low)})
    higher = calculate("tier", {**base, "rsr_percent": str(high)})
    assert higher["protect_points"] >= lower["protect_points"]


@FAST
@given(
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_higher_arp_never_lowers_the_v3_tier(arp, csrp, extra):
    order = "ABCDEFG"
    base = {"version": 3, "arp_static": False, "csrp_static": False, "rosh": "low", "csrp_percent": str(csrp)}
    higher_arp = min(arp + extra, 100)
    lower = calculate("tier", {**base, "arp_percent": str(arp)})
    higher = calculate("tier", {**base, "arp_percent": str(higher_arp)})
    assert order.index(higher["tier"]) <= order.index(lower["tier"])
