"""The breach rules (rules/breach.py, rules/clocks.py): the clock to court per timescale preset at its working-day
boundaries, the order of the steps, the pre-submission check of the report, and the countdown tag."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.rules import breach as rules
from openprobation.rules.breach import BreachState, FailureFacts, ReportFacts, Step
from openprobation.rules.calendar import england_and_wales
from openprobation.rules.clocks import countdown, countdown_hours
from openprobation.rules.timescale_types import ItemKind, Trigger
from openprobation.rules.work_item_decisions import CaseSnapshot, ClockStarted, EnforcementDecided, decide

D = dt.date

# ---- the clock to court, per preset ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "aware_on", "expected"),
    [
        # ps2021: 10 working days from awareness (NPS SL014 carried forward)
        ("ps2021_monday", D(2026, 11, 23), {"breach_to_court": D(2026, 12, 7)}),
        ("ps2021_friday", D(2026, 11, 27), {"breach_to_court": D(2026, 12, 11)}),
        ("ps2021_over_christmas", D(2026, 12, 18), {"breach_to_court": D(2027, 1, 6)}),  # 25, 28 Dec, 1 Jan closed
        ("ps2021_aware_on_a_saturday", D(2026, 11, 28), {"breach_to_court": D(2026, 12, 11)}),
        # contracts_2014: the CRC refers within 8 working days; the NPS presents within 10 (provider not recorded,
        # so both apply until the referral is accepted)
        ("contracts_2014_over_easter", D(2019, 4, 15),
         {"breach_referral": D(2019, 4, 29), "breach_to_court": D(2019, 5, 1)}),  # Good Friday, Easter Monday closed
        ("contracts_2014_plain_week", D(2019, 3, 4), {"breach_referral": D(2019, 3, 14),
                                                      "breach_to_court": D(2019, 3, 18)}),
        # ns2007: enforcement action within 10 working days of the second unacceptable failure
        ("ns2007_second_failure", D(2013, 3, 4), {"enforcement_action": D(2013, 3, 18)}),
    ],
)  # fmt: skip
def test_the_clock_to_court_per_preset(name, aware_on, expected):
    snapshot = CaseSnapshot(today=aware_on + dt.timedelta(days=1), sentence_types={1: "community_order"})
    decision = decide(snapshot, EnforcementDecided(on=aware_on + dt.timedelta(days=1), note="breach", breach=True,
                                                   aware_on=aware_on, event_id=1, unacceptable_failures=2))
    assert {c.due.kind.value: c.due.due_date for c in decision.create} == expected


def test_ns2007_makes_no_enforcement_action_due_after_a_single_failure():
    snapshot = CaseSnapshot(today=D(2013, 3, 5))
    decision = decide(snapshot, EnforcementDecided(on=D(2013, 3, 5), note="breach", breach=True,
                                                   aware_on=D(2013, 3, 4), unacceptable_failures=1))
    assert decision.create == ()


@pytest.mark.parametrize(
    ("name", "accepted_on", "due"),
    [
        ("monday", D(2019, 3, 11), D(2019, 3, 13)),
        ("thursday_over_the_weekend", D(2019, 3, 14), D(2019, 3, 18)),
        ("before_good_friday", D(2019, 4, 18), D(2019, 4, 24)),  # 19 and 22 April 2019 closed
    ],
)
def test_contracts_2014_a_referral_accepted_is_presented_within_2_working_days(name, accepted_on, due):
    snapshot = CaseSnapshot(today=accepted_on)
    decision = decide(snapshot, ClockStarted(Trigger.BREACH_REFERRAL_ACCEPTED, accepted_on))
    [create] = decision.create
    assert (create.due.kind, create.due.due_date, create.due.rule_id) == (
        ItemKind.BREACH_TO_COURT, due, "breach_to_court.crc_referral")


# ---- the steps ----------------------------------------------------------------------------------------------


TODAY = D(2026, 11, 24)
STARTED = {Step.AWARE: D(2026, 11, 23), Step.DECIDED: D(2026, 11, 24)}
CHECKED = {**STARTED, Step.REPORT_DRAFTED: TODAY, Step.REPORT_CHECKED: TODAY}
APPROVED = {**CHECKED, Step.APPROVED: TODAY}
SENT = {**APPROVED, Step.SENT: TODAY}
PRESENTED = {**SENT, Step.PRESENTED: TODAY}
ENDED = {**PRESENTED, Step.OUTCOME: TODAY}


def _state(steps, version=1, checked=1, passed=True, referral=False) -> BreachState:
    return BreachState(steps=steps, report_version=version if Step.REPORT_DRAFTED in steps else 0,
                       checked_version=checked, check_passed=passed, referral_open=referral)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "state", "step", "kwargs", "fields"),
    [
        ("draft_after_the_decision", _state(STARTED), Step.REPORT_DRAFTED, {}, []),
        ("draft_once_approved", _state(APPROVED), Step.REPORT_DRAFTED, {}, ["status"]),
        ("check_with_no_draft", _state(STARTED), Step.REPORT_CHECKED, {}, ["status"]),
        ("approve_a_passed_check", _state(CHECKED), Step.APPROVED, {}, []),
        ("approve_a_failed_check", _state(CHECKED, passed=False), Step.APPROVED, {}, ["override_reason"]),
        ("approve_a_failed_check_with_a_blank_override", _state(CHECKED, passed=False), Step.APPROVED,
         {"override_reason": "   "}, ["override_reason"]),
        ("approve_a_failed_check_with_an_override", _state(CHECKED, passed=False), Step.APPROVED,
         {"override_reason": "Court tomorrow"}, []),
        ("approve_a_report_changed_since_its_check", _state(CHECKED, version=2, checked=1), Step.APPROVED, {},
         ["status"]),
        ("approve_with_no_report", _state(STARTED), Step.APPROVED, {}, ["status"]),
        ("approve_twice", _state(APPROVED), Step.APPROVED, {}, ["status"]),
        ("send_before_approval", _state(CHECKED), Step.SENT, {}, ["status"]),
        ("send_after_approval", _state(APPROVED), Step.SENT, {}, []),
        ("send_twice", _state(SENT), Step.SENT, {}, ["status"]),
        ("send_dated_before_the_decision", _state(APPROVED), Step.SENT, {"on": D(2026, 11, 23)}, ["on"]),
        ("send_dated_tomorrow", _state(APPROVED), Step.SENT, {"on": D(2026, 11, 25)}, ["on"]),
        ("present_before_sending", _state(APPROVED), Step.PRESENTED, {}, ["status"]),
        ("present_after_sending", _state(SENT), Step.PRESENTED, {}, []),
        ("outcome_before_presenting", _state(SENT), Step.OUTCOME, {}, ["status"]),
        ("withdrawn_before_presenting", _state(STARTED), Step.OUTCOME, {"withdrawn": True}, []),
        ("outcome_after_presenting", _state(PRESENTED), Step.OUTCOME, {}, []),
        ("anything_once_ended", _state(ENDED), Step.SENT, {}, ["status"]),
        ("referral_none_open", _state(STARTED), Step.REFERRAL_ACCEPTED, {}, ["status"]),
        ("referral_open", _state(STARTED, referral=True), Step.REFERRAL_ACCEPTED, {}, []),
    ],
)  # fmt: skip
def test_each_step_follows_the_one_before(name, state, step, kwargs, fields):
    on = kwargs.pop("on", TODAY)
    problems = rules.transition_problems(state, step, on=on, today=TODAY, **kwargs)
    assert [f for f, _ in problems] == fields
    assert all(message for _, message in problems)


def test_an_unknown_outcome_is_refused():
    assert [f for f, _ in rules.outcome_problems(_state(PRESENTED), "acquitted", on=TODAY, today=TODAY)] == ["outcome"]
    assert rules.outcome_problems(_state(STARTED), "withdrawn", on=TODAY, today=TODAY) == []


# ---- the pre-submission check -------------------------------------------------------------------------------


SECTIONS = {key: "Written." for key in rules.SECTION_KEYS}
FAILURES = {
    1: FailureFacts(1, D(2026, 11, 2), True, False, "warning"),
    2: FailureFacts(2, D(2026, 11, 23), True, False, "breach"),
    3: FailureFacts(3, D(2026, 11, 20), True, True, "no_further_action"),
    4: FailureFacts(4, D(2026, 11, 21), False, None),
    5: FailureFacts(5, D(2025, 12, 1), True, False, "breach"),
    6: FailureFacts(6, D(2026, 11, 30), True, False, "breach"),
}


def _facts(**changes) -> ReportFacts:
    values = {"report_date": TODAY, "aware_on": D(2026, 11, 23), "decided_on": TODAY, "sentence_date": D(2026, 1, 5),
              "sections": SECTIONS, "cited": [1, 2], "failures": FAILURES, "warnings_on": [D(2026, 11, 3)]}
    values.update(changes)
    return ReportFacts(**values)


@pytest.mark.parametrize(
    ("name", "facts", "spelling", "sections"),
    [
        ("complete_and_consistent", _facts(), {}, []),
        ("a_section_missing", _facts(sections={**SECTIONS, "proposal": ""}), {}, ["proposal"]),
        ("a_section_blank", _facts(sections={**SECTIONS, "reasons": " \n "}), {}, ["reasons"]),
        ("every_section_missing", _facts(sections={}), {}, list(rules.SECTION_KEYS)),
        ("nothing_cited", _facts(cited=[]), {}, ["cited"]),
        ("cited_not_on_the_record", _facts(cited=[2, 99]), {}, ["cited"]),
        ("cited_judged_acceptable", _facts(cited=[2, 3]), {}, ["cited"]),
        ("cited_not_yet_decided", _facts(cited=[2, 4]), {}, ["cited"]),
        ("cited_twice_counts_once", _facts(cited=[3, 3]), {}, ["cited"]),
        ("failure_before_the_sentence", _facts(cited=[2, 5]), {}, ["dates"]),
        ("failure_after_the_report", _facts(cited=[2, 6]), {}, ["dates"]),
        ("decided_before_aware", _facts(decided_on=D(2026, 11, 22), report_date=TODAY), {}, ["dates"]),
        ("report_before_the_decision", _facts(report_date=D(2026, 11, 23)), {}, ["dates"]),
        ("warning_after_the_report", _facts(warnings_on=[D(2026, 11, 25)]), {}, ["dates"]),
        ("spelling_problems_listed_by_section", _facts(),
         {"reasons": ["“becuase” is not in the dictionary"], "proposal": ["a", "b"]},
         ["reasons", "proposal", "proposal"]),
    ],
)  # fmt: skip
def test_report_problems(name, facts, spelling, sections):
    problems = rules.report_problems(facts, spelling)
    assert [p.section for p in problems] == sections
    assert all(p.message for p in problems)


def test_a_spelling_problem_names_its_section():
    [problem] = rules.report_problems(_facts(), {"reasons": ["“becuase” is not in the dictionary"]})
    assert problem.message == "The reasons given and why they were not accepted: “becuase” is not in the dictionary"


# ---- the countdown tag --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "due", "text", "colour", "overdue"),
    [
        ("three_working_days_left", D(2026, 11, 27), "Breach to court: 3 working days left", "blue", False),
        ("two_working_days_left", D(2026, 11, 26), "Breach to court: 2 working days left", "yellow", False),
        ("one_working_day_left", D(2026, 11, 25), "Breach to court: 1 working day left", "yellow", False),
        ("due_today", D(2026, 11, 24), "Breach to court: due today", "red", False),
        ("overdue_from_the_day_after", D(2026, 11, 23), "Breach to court: overdue since 24 November 2026", "red",
         True),
        ("over_a_weekend", D(2026, 11, 30), "Breach to court: 4 working days left", "blue", False),
    ],
)  # fmt: skip
def test_countdown(name, due, text, colour, overdue):
    left = england_and_wales().working_days_between(TODAY, due) if due >= TODAY else 0
    tag = countdown("Breach to court", due, TODAY, left)
    assert (tag.text, tag.colour, tag.overdue) == (text, colour, overdue)


@pytest.mark.parametrize(
    ("name", "hours", "text", "colour", "overdue"),
    [
        ("the_whole_day_left", 24, "Recall: 24h 0m left", "yellow", False),
        ("hours_and_minutes", 23.5, "Recall: 23h 30m left", "yellow", False),
        ("just_above_four_hours", 4 + 1 / 60, "Recall: 4h 1m left", "yellow", False),
        ("four_hours_left", 4, "Recall: 4h 0m left", "yellow", False),
        ("just_below_four_hours", 4 - 1 / 60, "Recall: 3h 59m left", "red", False),
        ("minutes_only", 0.5, "Recall: 30m left", "red", False),
        ("due_now", 0, "Recall: 0m left", "red", False),
        ("passed_by_minutes", -0.1, "Recall: overdue by 6m", "red", True),
        ("passed_by_hours", -(2 + 5 / 60), "Recall: overdue by 2h 5m", "red", True),
    ],
)
def test_countdown_in_hours(name, hours, text, colour, overdue):
    now = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
    tag = countdown_hours("Recall", now + dt.timedelta(hours=hours), now)
    assert (tag.text, tag.colour, tag.overdue) == (text, colour, overdue)
