"""The enforcement rules (rules/enforcement.py) and the enforcement work-item decisions, pure: the warnings allowed
before breach (below, at and above the policy's number), the actions each judgement allows, the day failures count
from, the compliance banner, and the enforcement-decision and breach-to-court clocks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from importlib import resources

import pytest

from openprobation.rules import enforcement as rules
from openprobation.rules.enforcement import Action, WarningType
from openprobation.rules.timescales import ItemKind
from openprobation.rules.work_item_decisions import (
    CaseSnapshot,
    Close,
    Create,
    EnforcementDecided,
    FailureToComplyRecorded,
    ItemFacts,
    decide,
)

D = dt.date
POLICY = rules.enforcement_policy()
TWO_WARNINGS = dataclasses.replace(POLICY, warnings_before_breach=2)
AFTC, UAAB = "attended_failed_to_comply", "failed_to_attend_unacceptable"


def test_policy_file_has_version_source_and_flags_what_is_unverified():
    assert (POLICY.policy_version, POLICY.warnings_before_breach, POLICY.period_months) == ("enforcement-1", 1, 12)
    assert set(POLICY.unverified) == {"warnings_before_breach", "period_months"}
    text = resources.files("openprobation.rules").joinpath("policy/enforcement.toml").read_text()
    for fragment in ("/" + "work/", "/" + "tmp/", "../" + "shared"):
        assert fragment not in text


@pytest.mark.parametrize(
    ("name", "policy", "given", "breach_required", "warnings_allowed"),
    [
        ("one_allowed.none_given_below_the_limit", POLICY, 0, False, (WarningType.FIRST, WarningType.FINAL)),
        ("one_allowed.one_given_at_the_limit_breach", POLICY, 1, True, ()),
        ("one_allowed.two_given_above_the_limit_breach", POLICY, 2, True, ()),
        ("two_allowed.none_given", TWO_WARNINGS, 0, False, (WarningType.FIRST, WarningType.FINAL)),
        ("two_allowed.one_given_below_the_limit", TWO_WARNINGS, 1, False, (WarningType.SECOND, WarningType.FINAL)),
        ("two_allowed.two_given_at_the_limit_breach", TWO_WARNINGS, 2, True, ()),
        ("none_allowed.first_failure_breached", dataclasses.replace(POLICY, warnings_before_breach=0), 0, True, ()),
    ],
)
def test_warnings_before_breach(name, policy, given, breach_required, warnings_allowed):
    rule = rules.warning_or_breach(given, policy)
    assert (rule.breach_required, rule.warnings_allowed) == (breach_required, warnings_allowed)


@pytest.mark.parametrize(
    ("name", "outcome", "acceptable", "allowed"),
    [
        ("attended_failed_to_comply.acceptable_no_further_action", AFTC, True, (Action.NO_FURTHER_ACTION,)),
        ("attended_failed_to_comply.unacceptable_warning_or_breach", AFTC, False, (Action.WARNING, Action.BREACH)),
        ("unacceptable_absence.acceptable_no_further_action", UAAB, True, (Action.NO_FURTHER_ACTION,)),
        ("unacceptable_absence.unacceptable_warning_or_breach", UAAB, False, (Action.WARNING, Action.BREACH)),
        ("attended_and_complied_is_not_a_failure", "attended_complied", False, ()),
        ("acceptable_absence_is_not_a_failure", "failed_to_attend_acceptable", True, ()),
    ],
)
def test_actions_the_outcome_allows(name, outcome, acceptable, allowed):
    assert rules.actions_allowed(outcome, acceptable) == allowed


@pytest.mark.parametrize(
    ("name", "acceptable", "action", "warning_type", "given", "fields"),
    [
        ("acceptable_with_no_further_action", True, "no_further_action", None, 0, []),
        ("acceptable_cannot_be_breached", True, "breach", None, 0, ["action"]),
        ("unacceptable_needs_an_action", False, "no_further_action", None, 0, ["action"]),
        ("first_warning_below_the_limit", False, "warning", "first", 0, []),
        ("final_warning_below_the_limit", False, "warning", "final", 0, []),
        ("second_warning_needs_a_first", False, "warning", "second", 0, ["warning_type"]),
        ("warning_needs_its_type", False, "warning", None, 0, ["warning_type"]),
        ("warning_at_the_limit_is_refused", False, "warning", "second", 1, ["action"]),
        ("breach_on_judgement_below_the_limit", False, "breach", None, 0, []),
        ("breach_at_the_limit", False, "breach", None, 1, []),
        ("breach_has_no_warning_type", False, "breach", "first", 1, ["warning_type"]),
    ],
)
def test_decision_problems(name, acceptable, action, warning_type, given, fields):
    problems = rules.decision_problems(outcome=AFTC, acceptable=acceptable, action=action, warning_type=warning_type,
                                       warnings_given=given, policy=POLICY)
    assert [field for field, _ in problems] == fields


@pytest.mark.parametrize(
    ("name", "sentence_start", "referral", "last_breach_end", "expected"),
    [
        ("twelve_months_back_when_later_dates_are_older", D(2020, 1, 1), None, None, D(2025, 11, 24)),
        ("sentence_start_within_the_period", D(2026, 3, 2), None, None, D(2026, 3, 2)),
        ("referral_after_the_sentence", D(2020, 1, 1), D(2026, 5, 5), None, D(2026, 5, 5)),
        ("end_of_the_last_breach_is_the_latest", D(2026, 3, 2), D(2026, 5, 5), D(2026, 8, 1), D(2026, 8, 1)),
        ("nothing_recorded_twelve_months_back", None, None, None, D(2025, 11, 24)),
    ],
)
def test_failures_count_from_the_latest_of_period_sentence_referral_and_breach_end(
    name, sentence_start, referral, last_breach_end, expected
):
    assert rules.counted_from(D(2026, 11, 24), POLICY, sentence_start=sentence_start, referral=referral,
                              last_breach_end=last_breach_end) == expected  # fmt: skip


@pytest.mark.parametrize(
    ("name", "failures", "breach", "text", "colour"),
    [
        ("none", 0, False, "No failures to comply within 12 months", "green"),
        ("one", 1, False, "1 failure to comply within 12 months", "grey"),
        ("two", 2, False, "2 failures to comply within 12 months. No breach in progress yet.", "red"),
        ("breach_in_progress_whatever_the_count", 0, True, "Breach in progress", "red"),
        ("breach_in_progress_with_failures", 3, True, "Breach in progress", "red"),
    ],
)
def test_compliance_banner(name, failures, breach, text, colour):
    assert rules.compliance_banner(failures, breach) == rules.ComplianceBanner(text, colour)


# ---- the enforcement clocks (rules.work_item_decisions) ------------------------------------------------------


def _open_decision_item() -> ItemFacts:
    return ItemFacts(id=7, kind=ItemKind.ENFORCEMENT_DECISION, status="open", trigger="failure_to_comply_recorded",
                     clock_started_on=D(2026, 11, 23), due_date=D(2026, 11, 30))  # fmt: skip


def test_failure_to_comply_makes_an_enforcement_decision_due_in_seven_days():
    snapshot = CaseSnapshot(today=D(2026, 11, 24))
    decision = decide(snapshot, FailureToComplyRecorded(contact_id=3, day=D(2026, 11, 23), outcome=UAAB))
    [create] = decision.create
    assert (create.due.kind, create.due.due_date, create.due.rule_id, create.due.policy_version) == (
        ItemKind.ENFORCEMENT_DECISION, D(2026, 11, 30), "enforcement_decision", "timescales-ps2021-v5")
    assert "Failure to comply recorded on 23 November 2026" in create.reason


def test_a_second_failure_is_covered_by_the_open_enforcement_decision():
    snapshot = CaseSnapshot(today=D(2026, 11, 24), items=(_open_decision_item(),))
    assert decide(snapshot, FailureToComplyRecorded(contact_id=4, day=D(2026, 11, 24), outcome=AFTC)).steps == ()


@pytest.mark.parametrize(
    ("name", "still_awaiting", "closes"),
    [("last_awaited_closes_the_item", 0, True), ("another_failure_still_awaits_keeps_it_open", 1, False)],
)
def test_enforcement_decided_closes_the_item_once_nothing_awaits(name, still_awaiting, closes):
    snapshot = CaseSnapshot(today=D(2026, 11, 24), items=(_open_decision_item(),))
    decision = decide(snapshot, EnforcementDecided(on=D(2026, 11, 24), note="decided", still_awaiting=still_awaiting))
    assert (decision.steps == (Close(7, D(2026, 11, 24), "decided"),)) is closes
    assert decision.create == ()


def test_breach_starts_the_clock_to_court_from_the_day_the_failure_became_known():
    snapshot = CaseSnapshot(today=D(2026, 11, 24), items=(_open_decision_item(),),
                            sentence_types={1: "community_order"})
    decision = decide(snapshot, EnforcementDecided(on=D(2026, 11, 24), note="breach", breach=True,
                                                   aware_on=D(2026, 11, 23), event_id=1, unacceptable_failures=2))
    assert isinstance(decision.steps[0], Close)
    [create] = [s for s in decision.steps if isinstance(s, Create)]
    # 10 working days after Mon 23 Nov 2026: Mon 7 Dec
    assert (create.due.kind, create.due.due_date, create.event_id) == (ItemKind.BREACH_TO_COURT, D(2026, 12, 7), 1)


def test_ns2007_breach_also_makes_the_enforcement_action_due_after_the_second_failure():
    snapshot = CaseSnapshot(today=D(2013, 3, 5))
    decision = decide(snapshot, EnforcementDecided(on=D(2013, 3, 5), note="breach", breach=True,
                                                   aware_on=D(2013, 3, 4), unacceptable_failures=2))
    assert {c.due.rule_id for c in decision.create} == {"enforcement_action.second_failure"}
