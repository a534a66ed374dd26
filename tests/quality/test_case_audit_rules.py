"""The pure rules of case audits: the sample (reproducible from its seed, stratified by team and RoSH level, the
size asked for), the prompts' policy, the evidence lines, and when a serious further offence review is due."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from openprobation.rules import case_audit as ca
from openprobation.rules.ratings import KEY_QUESTIONS
from openprobation.rules.serious_further_offences import review_due, sfo_policy, statistics_by_rosh

D = dt.date


def _population() -> list[ca.SampleCase]:
    # Two teams; team A: 60 low, 30 medium, 10 high; team B: 50 low, 50 high. 200 cases.
    cases = []
    n = 0
    for team, mix in (("A", {"low": 60, "medium": 30, "high": 10}), ("B", {"low": 50, "high": 50})):
        for rosh, count in mix.items():
            for _ in range(count):
                n += 1
                cases.append(ca.SampleCase(f"X{n:06d}", team, rosh))
    return cases


def test_sample_is_reproducible_from_its_seed_whatever_order_the_cases_come_in():
    cases = _population()
    first = ca.draw_sample(cases, 20, seed=1234)
    again = ca.draw_sample(list(reversed(cases)), 20, seed=1234)
    other = ca.draw_sample(cases, 20, seed=1235)
    assert first == again
    assert first != other
    assert [c.crn for c in first] == sorted(c.crn for c in first)


@pytest.mark.parametrize(
    ("name", "size", "expected"),
    [
        # 10% of each stratum: exact proportions
        (
            "proportional_at_ten_per_cent",
            20,
            {("A", "low"): 6, ("A", "medium"): 3, ("A", "high"): 1, ("B", "low"): 5, ("B", "high"): 5},
        ),
        # 7 of 200: quotas 2.1, 1.05, 0.35, 1.75, 1.75 -> 2, 1, 0, 1, 1 plus the two largest remainders (B's)
        (
            "largest_remainder_below_one_per_stratum",
            7,
            {("A", "low"): 2, ("A", "medium"): 1, ("B", "low"): 2, ("B", "high"): 2},
        ),
        (
            "all_cases_when_the_size_is_the_population",
            200,
            {("A", "low"): 60, ("A", "medium"): 30, ("A", "high"): 10, ("B", "low"): 50, ("B", "high"): 50},
        ),
        (
            "all_cases_when_the_size_is_above_the_population",
            201,
            {("A", "low"): 60, ("A", "medium"): 30, ("A", "high"): 10, ("B", "low"): 50, ("B", "high"): 50},
        ),
    ],
)
def test_sample_is_stratified_by_team_and_rosh_and_of_the_size_asked(name, size, expected):
    sample = ca.draw_sample(_population(), size, seed=99)
    assert len(sample) == min(size, 200)
    assert len({c.crn for c in sample}) == len(sample)
    assert {k: v for k, v in Counter((c.team, c.rosh) for c in sample).items()} == expected


def test_every_key_question_of_every_case_standard_has_a_question_and_a_prompt_with_evidence():
    policy = ca.case_audit_policy()
    for standard in ca.CASE_STANDARDS:
        for kq in KEY_QUESTIONS:
            assert policy.questions[(standard, kq)].endswith("?")
            prompts = policy.prompts_for(standard, kq)
            assert prompts and all(p.evidence for p in prompts), (standard, kq)
    assert any("home visiting" in p.text for p in policy.prompts if p.verified)
    assert any(line.startswith("key questions:") for line in policy.unverified)


TODAY = D(2026, 11, 24)


def _item(id_: int, kind: str, status: str, due: dt.date, closed: dt.date | None = None) -> ca.ItemFact:
    return ca.ItemFact(id_, kind, kind.replace("_", " ").capitalize(), status, due, closed, "made by a rule")


@pytest.mark.parametrize(
    ("name", "item", "status", "finding"),
    [
        (
            "done_before_due_is_met",
            _item(1, "sentence_plan", "done", D(2026, 3, 10), D(2026, 3, 9)),
            "met",
            "Sentence plan: done 9 March 2026, in time (due 10 March 2026)",
        ),
        (
            "done_on_due_is_met",
            _item(1, "sentence_plan", "done", D(2026, 3, 10), D(2026, 3, 10)),
            "met",
            "Sentence plan: done 10 March 2026, in time (due 10 March 2026)",
        ),
        (
            "done_a_day_late_is_not_met",
            _item(1, "sentence_plan", "done", D(2026, 3, 10), D(2026, 3, 11)),
            "not_met",
            "Sentence plan: done 11 March 2026, 1 day late (due 10 March 2026)",
        ),
        (
            "open_and_overdue_is_not_met",
            _item(1, "home_visit", "open", D(2026, 11, 20)),
            "not_met",
            "Home visit: not done, overdue by 4 days (due 20 November 2026)",
        ),
        (
            "open_due_today_is_open",
            _item(1, "home_visit", "open", TODAY),
            "open",
            "Home visit: not yet done, due 24 November 2026",
        ),
    ],
)
def test_work_item_evidence_says_whether_it_was_done_in_time_and_where(name, item, status, finding):
    lines = ca.evidence(item.kind, ca.CaseFacts(today=TODAY, first_allocated_on=None, items=(item,)))
    assert [(line.status, line.finding, line.where) for line in lines] == [
        (status, finding, "work item 1: made by a rule")
    ]


def test_evidence_with_nothing_on_the_record_says_so():
    facts = ca.CaseFacts(today=TODAY, first_allocated_on=None)
    assert [(x.status, x.finding) for x in ca.evidence("home_visit", facts)] == [
        ("none", "No home visit was required (RoSH high or child protection)")
    ]
    assert [(x.status, x.finding) for x in ca.evidence("police_da_check", facts)] == [
        ("none", "No police domestic abuse check is recorded")
    ]


@pytest.mark.parametrize(
    ("name", "completed", "status"),
    [
        ("screened_the_day_before_allocation", D(2026, 1, 4), "met"),
        ("screened_on_the_day_of_allocation", D(2026, 1, 5), "met"),
        ("screened_the_day_after_allocation", D(2026, 1, 6), "not_met"),
    ],
)
def test_rosh_screening_before_allocation(name, completed, status):
    facts = ca.CaseFacts(
        today=TODAY,
        first_allocated_on=D(2026, 1, 5),
        assessments=(ca.AssessmentFact(7, "screening", "complete", completed),),
    )
    [line] = ca.evidence("rosh_screening_before_allocation", facts)
    assert (line.status, line.where) == (status, "RoSH assessment 7")


@pytest.mark.parametrize(
    ("name", "status", "received", "used_in", "expected"),
    [
        ("answered_and_used_is_met", "used_in_assessment", D(2026, 2, 1), 3, "met"),
        ("answered_not_used_is_not_met", "response_received", D(2026, 2, 1), None, "not_met"),
        ("unanswered_past_due_is_not_met", "awaiting_response", None, None, "not_met"),
    ],
)
def test_safeguarding_check_evidence_says_whether_it_was_done_and_used(name, status, received, used_in, expected):
    check = ca.CheckFact(5, "childrens_services", status, D(2026, 1, 6), D(2026, 1, 20), received, used_in, "")
    [line] = ca.evidence(
        "childrens_services_check", ca.CaseFacts(today=TODAY, first_allocated_on=None, checks=(check,))
    )
    assert (line.status, line.where) == (expected, "safeguarding enquiry 5")
    assert line.finding.startswith("Children's services check: asked 6 January 2026")


@pytest.mark.parametrize(
    ("name", "notified", "due"),
    [
        ("three_months_later", D(2026, 2, 10), D(2026, 5, 10)),
        ("month_end_is_kept_within_the_month", D(2025, 11, 30), D(2026, 2, 28)),
    ],
)
def test_sfo_review_is_due_three_months_after_notification(name, notified, due):
    assert sfo_policy().review_months == 3 and not sfo_policy().review_unverified
    assert review_due(notified) == due


def test_sfo_statistics_count_by_rosh_at_notification_very_high_first():
    assert statistics_by_rosh(["high", "high", "low", ""]) == {
        "very_high": 0,
        "high": 2,
        "medium": 0,
        "low": 1,
        "unknown": 1,
    }
