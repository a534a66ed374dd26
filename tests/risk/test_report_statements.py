"""The risk quality report's statements are compiled once per shape (the reader's scope, the filters, the policy) and
run with each request's values (``core.prepared.ShapedSql``): a second reader of the same shape gets their own
cases from the same compiled statement, and a change made through a service shows on the next read."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.core.prepared import ShapedSql
from openprobation.organisation.services import staff_create, staff_set_access_manager
from openprobation.people.access import people_visible_to, reader_for
from openprobation.people.access_lists import case_access_add
from openprobation.risk import quality
from openprobation.risk.services import recorded_score_set
from tests.factories import PASSWORD, limit_access, make_person


def record(org, person, kind, value):
    recorded_score_set(actor=org.po.user, person=person, kind=kind, value=value, source="nDelius import",
                       effective_date=dt.date(2026, 2, 1))  # fmt: skip


def another(username, role, team, code):
    return staff_create(username=username, password=PASSWORD, first_name=username.title(), last_name="Tester",
                        grade="other" if role != "spo" else "spo", role=role, team=team, code=code,
                        check_password=False)  # fmt: skip


def expected(actor, policy="2014-split"):
    """The rows the report should list for ``actor``, worked out without the report's statements: every tier
    disagreement among the people the actor may see (``people_visible_to``, the rule's query over people)."""
    report = quality.risk_disagreements(actor=actor, policy=policy, page_size=500)
    visible = set(people_visible_to(actor).values_list("crn", flat=True))
    return {r.crn for r in report.rows}, visible, report


@pytest.fixture
def cases(org, frozen_clock):
    """A tier disagreement in team A, two in team B, one in team B restricted to one member of staff."""
    a = make_person(org, last_name="Able")
    b1, b2 = (make_person(org, practitioner=org.po_b, last_name=name) for name in ("Baker", "Brown"))
    restricted = make_person(org, practitioner=org.po_b, last_name="Restricted")
    for person in (a, b1, b2, restricted):
        record(org, person, "tier", "A3")
    return {"a": a, "b1": b1, "b2": b2, "restricted": restricted}


def test_two_readers_of_one_shape_get_their_own_counts_from_one_compiled_statement(org, cases):
    spo_b = another("spob", "spo", org.team_b.code, "N07B100")
    qa2 = another("qa2", "quality_assurance", None, "N07Q002")
    limit_access(person=cases["restricted"], staff_code=qa2.code, kind="restriction", reason="LAO")
    assert reader_for(org.spo.user).shape == reader_for(spo_b.user).shape  # same statement, other ids
    assert reader_for(org.qa.user).shape == reader_for(qa2.user).shape
    found = {}
    for actor in (org.spo.user, spo_b.user, org.qa.user, qa2.user, org.spo.user, org.qa.user):
        listed, visible, report = expected(actor)
        assert listed <= visible, actor.username
        found[actor.username] = (listed, report.counts.total.tier)
    shapes = quality._COUNTS.shapes(), quality._PAGE.shapes()
    expected(spo_b.user)
    expected(qa2.user)
    assert (quality._COUNTS.shapes(), quality._PAGE.shapes()) == shapes  # nothing compiled again
    crn = {key: person.crn for key, person in cases.items()}
    assert found["spo"] == ({crn["a"]}, 1)
    assert found["spob"] == ({crn["b1"], crn["b2"]}, 2)  # not the restricted case: not on its list
    assert found["qa"] == ({crn["a"], crn["b1"], crn["b2"]}, 3)
    assert found["qa2"] == ({crn["a"], crn["b1"], crn["b2"], crn["restricted"]}, 4)  # on the restriction list


def test_changes_through_the_services_show_at_once(org, cases):
    before = quality.risk_disagreements(actor=org.qa.user, policy="2014-split")  # compiles and runs the statements
    assert before.counts.total.tier == 4
    calculated = next(r.calculated for r in before.rows if r.crn == cases["a"].crn)
    record(org, cases["a"], "tier", calculated)  # now agrees with the calculation
    extra = make_person(org, practitioner=org.po_b, last_name="Extra")
    record(org, extra, "tier", "A3")
    after = quality.risk_disagreements(actor=org.qa.user, policy="2014-split")
    b = {cases["b1"].crn, cases["b2"].crn, cases["restricted"].crn}
    assert {r.crn for r in after.rows if r.kind == "tier"} == b | {extra.crn}
    assert after.counts.total.tier == 4
    assert {t.code: t.tier for t in after.counts.teams} == {org.team_b.code: 4}
    # a case restricted through the access lists' service leaves QA's report at once
    manager = staff_set_access_manager(username=org.admin.user.username, grant=True)
    case_access_add(actor=manager.user, crn=extra.crn, kind="restriction", staff_code=org.po_b.code,
                    reason="Lives with a member of staff")  # fmt: skip
    hidden = quality.risk_disagreements(actor=org.qa.user, policy="2014-split")
    assert extra.crn not in {r.crn for r in hidden.rows}
    assert hidden.counts.total.tier == 3
    assert {t.code: t.tier for t in hidden.counts.teams} == {org.team_b.code: 3}


# ---- the mechanism ----


def _build(shape, values):
    first, second = values
    text = "SELECT %s WHERE a = %s" + (" AND b IS NULL" if shape == "no b" else " AND b = %s")
    return text, ([1, first, second] if shape != "no b" else [1, first])


def test_a_shaped_statement_puts_each_value_in_its_place():
    statement = ShapedSql(_build)
    assert statement("with b", [7, "x"]) == ("SELECT %s WHERE a = %s AND b = %s", [1, 7, "x"])
    assert statement("with b", [8, "y"]) == ("SELECT %s WHERE a = %s AND b = %s", [1, 8, "y"])
    assert statement("no b", [9, "z"]) == ("SELECT %s WHERE a = %s AND b IS NULL", [1, 9])
    assert statement.shapes() == 2


@pytest.mark.parametrize("build", [
    lambda shape, values: (f"SELECT {values[0]}", []),  # a value in the text
    lambda shape, values: ("SELECT %s", [str(values[0]) + "!"]),  # a value changed on its way
], ids=["value_in_the_text", "value_changed"])  # fmt: skip
def test_a_build_whose_values_do_not_reach_the_parameters_as_given_is_refused(build):
    with pytest.raises(ValueError, match="shaped statement"):
        ShapedSql(build)("shape", [5])


@pytest.mark.parametrize("value", [None, True], ids=["none", "boolean"])
def test_values_that_decide_a_shape_are_refused(value):
    with pytest.raises(TypeError, match="shape"):
        ShapedSql(lambda shape, values: ("SELECT %s", list(values)))("shape", [value])
