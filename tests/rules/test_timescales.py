"""Operating timescales: every rule of every preset as a named case (event, date -> due date), with weekend and
bank-holiday boundaries; then what events make due, recurring items, overdue, reasons and the policy files."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openprobation.rules.calendar import england_and_wales
from openprobation.rules.timescales import (
    DEFAULT_PRESET,
    CaseFacts,
    DueItem,
    ItemKind,
    Owner,
    Provider,
    SentenceType,
    TimescalePolicyError,
    Trigger,
    TriggerEvent,
    Unit,
    is_overdue,
    items_due,
    next_occurrence,
    parse_policy,
    timescale_policy,
    timescale_policy_in_force,
    timescale_presets,
)

D = dt.date
T = Trigger
CAL = england_and_wales()
UTC = dt.UTC


@dataclass(frozen=True)
class Case:
    preset: str
    rule_id: str
    trigger: Trigger
    occurred_on: dt.date | dt.datetime
    due: dt.date
    facts: CaseFacts = field(default_factory=CaseFacts)
    due_at: dt.datetime | None = None

    @property
    def id(self) -> str:
        return f"{self.preset}.{self.rule_id}"


def tier(n: int, **more: Any) -> CaseFacts:
    return CaseFacts(ns_tier=n, **more)


# One case per rule per preset. Comments give the count where a weekend or bank holiday is skipped.
RULE_CASES = [
    # ---- Probation Service levels, 2021 onwards (default) ---------------------------------------------------------
    Case("ps2021", "allocation.community", T.SENTENCE_COMMUNITY, D(2026, 3, 20), D(2026, 3, 24)),  # Fri -> Tue
    Case("ps2021", "first_appointment.community", T.SENTENCE_COMMUNITY, D(2026, 4, 2), D(2026, 4, 13)),  # Easter
    Case("ps2021", "first_appointment.licence", T.SENTENCE_LICENCE_RELEASE, D(2026, 12, 24), D(2026, 12, 29)),
    Case("ps2021", "sentence_plan", T.FIRST_APPOINTMENT_ATTENDED, D(2026, 5, 1), D(2026, 5, 26)),  # 2 May BHs
    Case("ps2021", "monthly_contact", T.FIRST_APPOINTMENT_ATTENDED, D(2025, 12, 31), D(2026, 1, 30)),  # 31 Jan Sat
    Case("ps2021", "non_attendance_follow_up", T.APPOINTMENT_MISSED, D(2026, 8, 24), D(2026, 9, 1)),  # summer BH
    Case("ps2021", "breach_to_court", T.FAILURE_TO_COMPLY_KNOWN, D(2022, 9, 12), D(2022, 9, 27)),  # state funeral
    # 7 calendar days: Mon 28 Dec 2026 is the Boxing Day substitute, so due the working day before (Thu 24 Dec)
    Case("ps2021", "enforcement_decision", T.FAILURE_TO_COMPLY_RECORDED, D(2026, 12, 21), D(2026, 12, 24)),
    Case(
        "ps2021",
        "recall_request",
        T.RECALL_DECIDED,
        dt.datetime(2026, 3, 27, 16, 0, tzinfo=UTC),
        D(2026, 3, 28),  # clock hours: a Saturday deadline stands
        due_at=dt.datetime(2026, 3, 28, 16, 0, tzinfo=UTC),
    ),
    # 5 working days across Christmas 2026 (Fri 25 Dec; Boxing Day's substitute Mon 28 Dec): Wed 30 Dec
    Case("ps2021", "risk_escalation_review", T.RISK_ESCALATION_REQUESTED, D(2026, 12, 21), D(2026, 12, 30)),
    # A working day before allocation (Fri -> allocation Tue 24 March -> screening Mon 23 March)
    Case("ps2021", "rosh_screening.community", T.SENTENCE_COMMUNITY, D(2026, 3, 20), D(2026, 3, 23)),
    Case("ps2021", "police_da_check.sentence", T.SENTENCE_COMMUNITY, D(2026, 12, 23), D(2026, 12, 29)),
    Case("ps2021", "childrens_services_check.sentence", T.SENTENCE_COMMUNITY, D(2026, 3, 21), D(2026, 3, 24)),
    Case(
        "ps2021", "rosh_full_analysis.after_screening", T.ROSH_SCREENING_INDICATES_RISK, D(2026, 4, 2), D(2026, 4, 27)
    ),
    Case(
        "ps2021",
        "risk_management_plan.after_screening",
        T.ROSH_SCREENING_INDICATES_RISK,
        D(2026, 3, 20),
        D(2026, 4, 14),
    ),
    Case(
        "ps2021",
        "home_visit.rosh_high_or_very_high",
        T.ROSH_HIGH_OR_VERY_HIGH,
        D(2026, 12, 16),
        D(2027, 1, 4),
        CaseFacts(rosh="high"),
    ),
    Case(
        "ps2021",
        "home_visit.child_protection",
        T.CHILD_PROTECTION_REGISTRATION,
        D(2026, 3, 6),
        D(2026, 3, 20),
        CaseFacts(child_protection=True),
    ),
    Case("ps2021", "police_da_check.new_partner", T.PARTNER_JOINED_HOUSEHOLD, D(2026, 5, 1), D(2026, 5, 11)),
    Case("ps2021", "rosh_review.new_partner", T.PARTNER_JOINED_HOUSEHOLD, D(2026, 5, 15), D(2026, 6, 1)),
    Case("ps2021", "childrens_services_check.child_joined", T.CHILD_JOINED_HOUSEHOLD, D(2026, 4, 5), D(2026, 4, 13)),
    Case("ps2021", "reporting_change_countersign", T.REPORTING_REDUCTION_REQUESTED, D(2026, 12, 29), D(2027, 1, 6)),
    # ---- contract service levels, 2014 to 2021 --------------------------------------------------------------------
    Case("contracts_2014", "allocation.community", T.SENTENCE_COMMUNITY, D(2020, 12, 24), D(2020, 12, 30)),
    Case(
        "contracts_2014",
        "first_appointment.community",
        T.ALLOCATION,
        D(2020, 5, 7),
        D(2020, 5, 15),
        CaseFacts(sentence_type=SentenceType.COMMUNITY_ORDER),
    ),  # VE Day bank holiday, Fri 8 May 2020
    Case("contracts_2014", "first_appointment.licence", T.SENTENCE_LICENCE_RELEASE, D(2015, 4, 2), D(2015, 4, 7)),
    Case("contracts_2014", "sentence_plan", T.FIRST_APPOINTMENT_ATTENDED, D(2016, 12, 23), D(2017, 1, 18)),
    Case("contracts_2014", "monthly_contact", T.FIRST_APPOINTMENT_ATTENDED, D(2018, 1, 29), D(2018, 2, 28)),
    Case("contracts_2014", "non_attendance_follow_up", T.APPOINTMENT_MISSED, D(2014, 8, 27), D(2014, 9, 3)),
    Case(
        "contracts_2014",
        "breach_referral.crc",
        T.FAILURE_TO_COMPLY_KNOWN,
        D(2020, 5, 22),
        D(2020, 6, 4),
        CaseFacts(provider=Provider.CRC),
    ),
    Case(
        "contracts_2014",
        "breach_to_court.nps",
        T.FAILURE_TO_COMPLY_KNOWN,
        D(2020, 12, 21),
        D(2021, 1, 7),
        CaseFacts(provider=Provider.NPS),
    ),
    # 7 days from Fri 1 May 2020 is Fri 8 May, the VE Day bank holiday: due Thu 7 May
    Case("contracts_2014", "enforcement_decision", T.FAILURE_TO_COMPLY_RECORDED, D(2020, 5, 1), D(2020, 5, 7)),
    Case("contracts_2014", "breach_to_court.crc_referral", T.BREACH_REFERRAL_ACCEPTED, D(2019, 4, 18), D(2019, 4, 24)),
    Case(
        "contracts_2014",
        "recall_request",
        T.RECALL_DECIDED,
        dt.datetime(2019, 10, 26, 22, 0, tzinfo=UTC),  # 11pm BST; the clocks go back in the night
        D(2019, 10, 27),
        due_at=dt.datetime(2019, 10, 27, 22, 0, tzinfo=UTC),
    ),
    # the CRC to NPS referral: 5 working days over the VE Day bank holiday (Fri 8 May 2020): Thu 14 May
    Case("contracts_2014", "risk_escalation_review", T.RISK_ESCALATION_REQUESTED, D(2020, 5, 6), D(2020, 5, 14)),
    # Easter 2020: allocation Wed 15 April, screening a working day before it
    Case("contracts_2014", "rosh_screening.community", T.SENTENCE_COMMUNITY, D(2020, 4, 9), D(2020, 4, 14)),
    Case("contracts_2014", "police_da_check.sentence", T.SENTENCE_COMMUNITY, D(2017, 8, 25), D(2017, 8, 30)),
    Case("contracts_2014", "childrens_services_check.sentence", T.SENTENCE_COMMUNITY, D(2020, 12, 26), D(2020, 12, 30)),
    Case(
        "contracts_2014",
        "rosh_full_analysis.after_screening",
        T.ROSH_SCREENING_INDICATES_RISK,
        D(2020, 5, 4),
        D(2020, 5, 27),
    ),
    Case(
        "contracts_2014",
        "risk_management_plan.after_screening",
        T.ROSH_SCREENING_INDICATES_RISK,
        D(2015, 4, 3),
        D(2015, 4, 27),
    ),  # event on Good Friday
    Case(
        "contracts_2014",
        "home_visit.rosh_high_or_very_high",
        T.ROSH_HIGH_OR_VERY_HIGH,
        D(2015, 12, 18),
        D(2016, 1, 6),
        CaseFacts(rosh="very_high"),
    ),
    Case(
        "contracts_2014",
        "home_visit.child_protection",
        T.CHILD_PROTECTION_REGISTRATION,
        D(2018, 8, 20),
        D(2018, 9, 4),
        CaseFacts(child_protection=True),
    ),
    Case("contracts_2014", "police_da_check.new_partner", T.PARTNER_JOINED_HOUSEHOLD, D(2014, 12, 31), D(2015, 1, 8)),
    Case("contracts_2014", "rosh_review.new_partner", T.PARTNER_JOINED_HOUSEHOLD, D(2019, 5, 2), D(2019, 5, 17)),
    Case(
        "contracts_2014",
        "childrens_services_check.child_joined",
        T.CHILD_JOINED_HOUSEHOLD,
        D(2018, 8, 26),
        D(2018, 9, 3),
    ),
    Case(
        "contracts_2014",
        "reporting_change_countersign",
        T.REPORTING_REDUCTION_REQUESTED,
        D(2020, 12, 23),
        D(2021, 1, 4),
    ),
    # ---- National Standards 2007 ----------------------------------------------------------------------------------
    Case("ns2007", "allocation.community.tiers_1_3", T.SENTENCE_COMMUNITY, D(2011, 4, 20), D(2011, 4, 27), tier(2)),
    Case("ns2007", "allocation.community.tier_4", T.SENTENCE_COMMUNITY, D(2011, 4, 28), D(2011, 5, 3), tier(4)),
    Case(
        "ns2007", "first_appointment.community.tiers_1_3", T.SENTENCE_COMMUNITY, D(2012, 6, 1), D(2012, 6, 12), tier(1)
    ),  # Diamond Jubilee
    Case(
        "ns2007", "first_appointment.community.tier_4", T.SENTENCE_COMMUNITY, D(2010, 12, 23), D(2010, 12, 29), tier(4)
    ),
    Case("ns2007", "sentence_plan.community.tiers_1_3", T.SENTENCE_COMMUNITY, D(2008, 12, 22), D(2009, 1, 15), tier(3)),
    Case("ns2007", "sentence_plan.community.tier_4", T.SENTENCE_COMMUNITY, D(2010, 3, 26), D(2010, 4, 6), tier(4)),
    Case("ns2007", "allocation.licence.tiers_1_3", T.SENTENCE_LICENCE_RELEASE, D(2011, 12, 30), D(2012, 1, 5), tier(2)),
    Case("ns2007", "allocation.licence.tier_4", T.SENTENCE_LICENCE_RELEASE, D(2010, 12, 31), D(2011, 1, 4), tier(4)),
    Case(
        "ns2007",
        "first_appointment.licence.tiers_1_3",
        T.SENTENCE_LICENCE_RELEASE,
        D(2010, 8, 27),
        D(2010, 9, 6),
        tier(3),
    ),
    Case(
        "ns2007",
        "first_appointment.licence.tier_4",
        T.SENTENCE_LICENCE_RELEASE,
        D(2010, 12, 25),
        D(2010, 12, 30),
        tier(4),
    ),
    Case(
        "ns2007", "sentence_plan.licence.tiers_1_3", T.SENTENCE_LICENCE_RELEASE, D(2012, 4, 23), D(2012, 5, 15), tier(1)
    ),
    Case("ns2007", "sentence_plan.licence.tier_4", T.SENTENCE_LICENCE_RELEASE, D(2013, 3, 28), D(2013, 4, 8), tier(4)),
    Case("ns2007", "allocation.custody", T.SENTENCE_CUSTODY, D(2009, 12, 31), D(2010, 1, 5)),
    Case("ns2007", "first_appointment.custody", T.SENTENCE_CUSTODY, D(2010, 12, 20), D(2011, 1, 6)),
    Case(
        "ns2007",
        "sentence_plan.custody.under_2_years_to_release",
        T.SENTENCE_CUSTODY,
        D(2010, 11, 1),
        D(2010, 12, 24),
        CaseFacts(custodial_months=18, months_to_release=9),
    ),  # 8 weeks is Mon 27 Dec, a BH
    Case(
        "ns2007",
        "sentence_plan.custody.2_years_or_more_to_release",
        T.SENTENCE_CUSTODY,
        D(2014, 1, 13),
        D(2014, 5, 2),
        CaseFacts(custodial_months=60, months_to_release=30),
    ),  # 16 weeks is early May BH
    # 7 days from Tue 29 May 2012 is Tue 5 June, the second jubilee bank holiday: due Fri 1 June
    Case("ns2007", "enforcement_decision", T.FAILURE_TO_COMPLY_RECORDED, D(2012, 5, 29), D(2012, 6, 1)),
    Case(
        "ns2007",
        "enforcement_action.second_failure",
        T.FAILURE_TO_COMPLY_KNOWN,
        D(2012, 5, 28),
        D(2012, 6, 13),
        CaseFacts(unacceptable_failures=2),
    ),
    Case(
        "ns2007",
        "recall_request",
        T.RECALL_DECIDED,
        dt.datetime(2013, 12, 24, 17, 0, tzinfo=UTC),
        D(2013, 12, 25),  # clock hours: Christmas Day deadline stands
        due_at=dt.datetime(2013, 12, 25, 17, 0, tzinfo=UTC),
    ),
    # over the jubilee bank holidays (Mon 4 and Tue 5 June 2012): Mon 11 June
    Case("ns2007", "risk_escalation_review", T.RISK_ESCALATION_REQUESTED, D(2012, 5, 31), D(2012, 6, 11)),
    # Allocation Fri 27 December 2013 (after Christmas and Boxing Day); screening the working day before, Tue 24th
    Case("ns2007", "rosh_screening.community", T.SENTENCE_COMMUNITY, D(2013, 12, 20), D(2013, 12, 24), tier(2)),
    Case("ns2007", "police_da_check.sentence", T.SENTENCE_COMMUNITY, D(2008, 12, 31), D(2009, 1, 2), tier(4)),
    Case("ns2007", "childrens_services_check.sentence", T.SENTENCE_COMMUNITY, D(2010, 4, 3), D(2010, 4, 8), tier(1)),
    Case(
        "ns2007", "rosh_full_analysis.after_screening", T.ROSH_SCREENING_INDICATES_RISK, D(2011, 5, 26), D(2011, 6, 17)
    ),
    Case(
        "ns2007",
        "risk_management_plan.after_screening",
        T.ROSH_SCREENING_INDICATES_RISK,
        D(2011, 4, 15),
        D(2011, 5, 12),
    ),  # Easter, royal wedding and early May 2011
    Case(
        "ns2007",
        "home_visit.rosh_high_or_very_high",
        T.ROSH_HIGH_OR_VERY_HIGH,
        D(2012, 5, 29),
        D(2012, 6, 14),
        CaseFacts(rosh="high"),
    ),
    Case(
        "ns2007",
        "home_visit.child_protection",
        T.CHILD_PROTECTION_REGISTRATION,
        D(2012, 12, 28),
        D(2013, 1, 14),
        CaseFacts(child_protection=True),
    ),
    Case("ns2007", "police_da_check.new_partner", T.PARTNER_JOINED_HOUSEHOLD, D(2010, 8, 26), D(2010, 9, 3)),
    Case("ns2007", "rosh_review.new_partner", T.PARTNER_JOINED_HOUSEHOLD, D(2010, 3, 31), D(2010, 4, 16)),
    Case("ns2007", "childrens_services_check.child_joined", T.CHILD_JOINED_HOUSEHOLD, D(2011, 5, 1), D(2011, 5, 9)),
    Case("ns2007", "reporting_change_countersign", T.REPORTING_REDUCTION_REQUESTED, D(2012, 6, 1), D(2012, 6, 12)),
]


# New partners outside the household and warning signs (v5): the same rules in every preset. Thu 24 Dec 2026:
# 25 and 28 December are bank holidays, so 1 working day is Tue 29, 2 is Wed 30; Mon 24 Aug 2026: the summer bank
# holiday on 31 August makes 5 working days Tue 1 September; Fri 15 May 2026: 10 working days over the 25 May bank
# holiday is Mon 1 June.
SIGNAL_RULE_CASES = [
    ("police_da_check.new_partner_outside_household", T.NEW_PARTNER_RECORDED, D(2026, 8, 24), D(2026, 9, 1)),
    ("rosh_review.new_partner_outside_household", T.NEW_PARTNER_RECORDED, D(2026, 5, 15), D(2026, 6, 1)),
    ("signal_review", T.SIGNAL_FOUND, D(2026, 12, 24), D(2026, 12, 30)),
    ("rosh_review.harm_signal", T.HARM_SIGNAL_REPORTED, D(2026, 8, 24), D(2026, 9, 1)),
    ("police_notification.harm_signal", T.HARM_SIGNAL_REPORTED, D(2026, 12, 24), D(2026, 12, 29)),
    ("police_da_check.harm_signal", T.HARM_SIGNAL_REPORTED, D(2026, 12, 24), D(2026, 12, 29)),
    ("recall_consideration.harm_signal", T.HARM_SIGNAL_REPORTED_ON_LICENCE, D(2026, 12, 24), D(2026, 12, 29)),
    ("rosh_review.feels_unsafe", T.UNSAFE_REPORTED, D(2026, 8, 24), D(2026, 9, 1)),
    ("police_notification.feels_unsafe", T.UNSAFE_REPORTED, D(2026, 12, 24), D(2026, 12, 29)),
    ("police_da_check.new_relationship_reported", T.NEW_RELATIONSHIP_REPORTED, D(2026, 8, 24), D(2026, 9, 1)),
    (
        "childrens_services_check.new_relationship_reported",
        T.NEW_RELATIONSHIP_CHILDREN_INVOLVED,
        D(2026, 8, 24),
        D(2026, 9, 1),
    ),
]
RULE_CASES += [
    Case(preset, rule_id, trigger, on, due)
    for preset in ("ps2021", "contracts_2014", "ns2007")
    for rule_id, trigger, on, due in SIGNAL_RULE_CASES
]


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c.id)
def test_rule_due_date(case: Case) -> None:
    policy = timescale_policy(case.preset)
    rule = policy.rule(case.rule_id)
    assert rule.trigger is case.trigger
    items = items_due(TriggerEvent(case.trigger, case.occurred_on, case.facts), policy, CAL)
    (item,) = [i for i in items if i.rule_id == case.rule_id]
    assert item.due_date == case.due
    assert item.due_at == case.due_at
    assert item.kind is rule.kind
    assert item.owner is rule.owner
    assert item.policy_version == policy.policy_version
    assert item.unverified is rule.unverified
    if item.due_at is None:
        assert CAL.is_working_day(item.due_date)


def test_every_rule_of_every_preset_has_a_case() -> None:
    covered = {c.id for c in RULE_CASES}
    every = {f"{p}.{r.id}" for p in timescale_presets() for r in timescale_policy(p).rules}
    assert covered == every
    assert len(RULE_CASES) == len(covered)


# ---- the counting convention at weekends ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentenced", "due"),
    [
        pytest.param(D(2026, 3, 6), D(2026, 3, 13), id="friday_sentence_due_next_friday"),
        pytest.param(D(2026, 3, 7), D(2026, 3, 13), id="saturday_sentence_counts_as_friday"),
        pytest.param(D(2026, 3, 8), D(2026, 3, 13), id="sunday_sentence_counts_as_friday"),
        pytest.param(D(2026, 3, 9), D(2026, 3, 16), id="monday_sentence_due_next_monday"),
    ],
)
def test_five_working_days_after_a_weekend_sentence(sentenced: dt.date, due: dt.date) -> None:
    items = items_due(TriggerEvent(T.SENTENCE_COMMUNITY, sentenced), timescale_policy(), CAL)
    assert {i.kind: i.due_date for i in items}[ItemKind.FIRST_APPOINTMENT] == due


def test_hour_deadline_across_the_clocks_going_forward() -> None:
    decided = dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 11:30pm GMT; BST starts at 1am UTC on 29 March
    (item,) = items_due(TriggerEvent(T.RECALL_DECIDED, decided), timescale_policy(), CAL)
    assert item.due_at == dt.datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    assert item.due_date == D(2026, 3, 30)  # 12:30am BST
    assert "by 12:30am on 30 March 2026" in item.reason


# ---- what events make due -------------------------------------------------------------------------------------


def kinds(items: list[DueItem]) -> set[ItemKind]:
    return {i.kind for i in items}


def test_community_sentence_makes_allocation_first_appointment_screening_and_checks_due() -> None:
    facts = CaseFacts(sentence_type=SentenceType.COMMUNITY_ORDER)
    items = items_due(TriggerEvent(T.SENTENCE_COMMUNITY, D(2026, 3, 3), facts), timescale_policy(), CAL)
    assert kinds(items) == {
        ItemKind.ALLOCATION,
        ItemKind.FIRST_APPOINTMENT,
        ItemKind.ROSH_SCREENING,
        ItemKind.POLICE_DA_CHECK,
        ItemKind.CHILDRENS_SERVICES_CHECK,
    }
    by_kind = {i.kind: i for i in items}
    allocation = by_kind[ItemKind.ALLOCATION]
    for kind in (ItemKind.ROSH_SCREENING, ItemKind.POLICE_DA_CHECK, ItemKind.CHILDRENS_SERVICES_CHECK):
        assert by_kind[kind].before is ItemKind.ALLOCATION
    for kind in (ItemKind.POLICE_DA_CHECK, ItemKind.CHILDRENS_SERVICES_CHECK):
        assert by_kind[kind].due_date == allocation.due_date
    assert allocation.due_date == D(2026, 3, 5)
    assert by_kind[ItemKind.ROSH_SCREENING].due_date == D(2026, 3, 4)  # due before allocation: a working day ahead
    assert allocation.owner is Owner.SPO
    assert [i.due_date for i in items] == sorted(i.due_date for i in items)


# RoSH screening "before allocation": a working day before the allocation is due, but never before the clock
# started. Threshold cases: the day before falls after, on, and before the day the clock started.
SCREENING_BEFORE_ALLOCATION = [
    # (id, preset, sentenced, facts, allocation due, screening due)
    ("ps2021.weekday_a_working_day_ahead", "ps2021", D(2026, 3, 3), CaseFacts(), D(2026, 3, 5), D(2026, 3, 4)),
    ("ps2021.easter_skipped", "ps2021", D(2026, 4, 2), CaseFacts(), D(2026, 4, 8), D(2026, 4, 7)),
    ("ps2021.christmas_skipped", "ps2021", D(2026, 12, 23), CaseFacts(), D(2026, 12, 29), D(2026, 12, 24)),
    ("ps2021.saturday_sentence", "ps2021", D(2026, 3, 21), CaseFacts(), D(2026, 3, 24), D(2026, 3, 23)),
    # NS 2007 tier 4 allocates in one working day: the day before allocation is the sentence day itself (at the
    # bound), or, for a weekend sentence, before the clock started (below it), so it is due with the allocation.
    ("ns2007.tier_4_due_on_the_sentence_day", "ns2007", D(2013, 3, 4), tier(4), D(2013, 3, 5), D(2013, 3, 4)),
    ("ns2007.tier_4_christmas_eve", "ns2007", D(2013, 12, 24), tier(4), D(2013, 12, 27), D(2013, 12, 24)),
    ("ns2007.tier_4_saturday_due_with_allocation", "ns2007", D(2013, 3, 2), tier(4), D(2013, 3, 4), D(2013, 3, 4)),
    ("ns2007.tier_2_a_working_day_ahead", "ns2007", D(2013, 3, 4), tier(2), D(2013, 3, 7), D(2013, 3, 6)),
]


@pytest.mark.parametrize(
    ("preset", "sentenced", "facts", "allocation_due", "screening_due"),
    [c[1:] for c in SCREENING_BEFORE_ALLOCATION],
    ids=[c[0] for c in SCREENING_BEFORE_ALLOCATION],
)
def test_rosh_screening_is_due_a_working_day_before_allocation_never_before_the_clock_started(
    preset: str, sentenced: dt.date, facts: CaseFacts, allocation_due: dt.date, screening_due: dt.date
) -> None:
    items = {
        i.kind: i
        for i in items_due(TriggerEvent(T.SENTENCE_COMMUNITY, sentenced, facts), timescale_policy(preset), CAL)
    }
    assert items[ItemKind.ALLOCATION].due_date == allocation_due
    screening = items[ItemKind.ROSH_SCREENING]
    assert screening.due_date == screening_due
    assert CAL.is_working_day(screening.due_date)
    assert CAL.working_day_on_or_after(sentenced) <= screening.due_date <= allocation_due
    if screening_due < allocation_due:
        assert "1 working day before the allocation is due" in screening.reason
    else:
        assert "cannot be due before the clock started" in screening.reason


def test_working_days_before_is_policy_data() -> None:
    for preset in timescale_presets():
        rule = timescale_policy(preset).rule("rosh_screening.community")
        assert (rule.before, rule.working_days_before) == (ItemKind.ALLOCATION, 1)
        assert timescale_policy(preset).rule("police_da_check.sentence").working_days_before == 0


def test_licence_release_makes_a_first_appointment_due_within_one_working_day() -> None:
    items = items_due(TriggerEvent(T.SENTENCE_LICENCE_RELEASE, D(2026, 3, 6)), timescale_policy(), CAL)
    assert [(i.kind, i.due_date) for i in items] == [(ItemKind.FIRST_APPOINTMENT, D(2026, 3, 9))]


def test_rosh_screening_indicating_risk_makes_a_full_analysis_and_plan_due() -> None:
    items = items_due(TriggerEvent(T.ROSH_SCREENING_INDICATES_RISK, D(2026, 3, 3)), timescale_policy(), CAL)
    assert kinds(items) == {ItemKind.ROSH_FULL_ANALYSIS, ItemKind.RISK_MANAGEMENT_PLAN}


@pytest.mark.parametrize(
    ("trigger", "facts", "expected"),
    [
        pytest.param(T.ROSH_HIGH_OR_VERY_HIGH, CaseFacts(rosh="high"), True, id="rosh_high"),
        pytest.param(T.ROSH_HIGH_OR_VERY_HIGH, CaseFacts(rosh="very_high"), True, id="rosh_very_high"),
        pytest.param(T.ROSH_HIGH_OR_VERY_HIGH, CaseFacts(rosh="medium"), False, id="rosh_medium_no_visit"),
        pytest.param(T.ROSH_HIGH_OR_VERY_HIGH, CaseFacts(), True, id="rosh_not_recorded_visit_to_be_safe"),
        pytest.param(T.CHILD_PROTECTION_REGISTRATION, CaseFacts(child_protection=True), True, id="child_protection"),
    ],
)
def test_home_visits_for_high_rosh_or_child_protection(trigger: Trigger, facts: CaseFacts, expected: bool) -> None:
    items = items_due(TriggerEvent(trigger, D(2026, 3, 3), facts), timescale_policy(), CAL)
    visits = [i for i in items if i.kind is ItemKind.HOME_VISIT]
    assert bool(visits) is expected
    for visit in visits:
        assert visit.recurrence is not None and visit.recurrence.unit is Unit.MONTHS


def test_household_changes() -> None:
    policy = timescale_policy()
    partner = items_due(TriggerEvent(T.PARTNER_JOINED_HOUSEHOLD, D(2026, 3, 3)), policy, CAL)
    child = items_due(TriggerEvent(T.CHILD_JOINED_HOUSEHOLD, D(2026, 3, 3)), policy, CAL)
    assert kinds(partner) == {ItemKind.POLICE_DA_CHECK, ItemKind.ROSH_REVIEW}
    assert kinds(child) == {ItemKind.CHILDRENS_SERVICES_CHECK}


def test_reporting_reduction_waits_for_the_spo() -> None:
    (item,) = items_due(TriggerEvent(T.REPORTING_REDUCTION_REQUESTED, D(2026, 3, 3)), timescale_policy(), CAL)
    assert item.kind is ItemKind.REPORTING_CHANGE_COUNTERSIGN
    assert item.owner is Owner.SPO
    assert "only once countersigned" in item.reason


# ---- facts that are not recorded ------------------------------------------------------------------------------


def test_ns2007_tier_not_recorded_uses_the_earliest_timescale_and_says_so() -> None:
    items = items_due(TriggerEvent(T.SENTENCE_COMMUNITY, D(2026, 3, 3)), timescale_policy("ns2007"), CAL)
    allocation = next(i for i in items if i.kind is ItemKind.ALLOCATION)
    assert allocation.rule_id == "allocation.community.tier_4"
    assert allocation.due_date == D(2026, 3, 4)
    assert allocation.assumed_facts == ("ns_tier",)
    assert "tier is not recorded, so the earliest of the possible timescales is used" in allocation.reason
    assert len([i for i in items if i.kind is ItemKind.ALLOCATION]) == 1


def test_ns2007_tier_recorded_picks_its_own_column() -> None:
    items = items_due(TriggerEvent(T.SENTENCE_COMMUNITY, D(2026, 3, 3), tier(2)), timescale_policy("ns2007"), CAL)
    allocation = next(i for i in items if i.kind is ItemKind.ALLOCATION)
    assert (allocation.rule_id, allocation.due_date, allocation.assumed_facts) == (
        "allocation.community.tiers_1_3",
        D(2026, 3, 6),
        (),
    )
    assert "not recorded" not in allocation.reason


@pytest.mark.parametrize(
    ("sentence_type", "expected"),
    [
        pytest.param(SentenceType.COMMUNITY_ORDER, True, id="community_order"),
        pytest.param(SentenceType.SUSPENDED_SENTENCE_ORDER, True, id="suspended_sentence_order"),
        pytest.param(SentenceType.LICENCE, False, id="licence_case_allocated"),
        pytest.param(None, True, id="sentence_type_not_recorded"),
    ],
)
def test_contracts_first_appointment_after_allocation_is_for_co_and_sso(
    sentence_type: SentenceType | None, expected: bool
) -> None:
    event = TriggerEvent(T.ALLOCATION, D(2018, 3, 5), CaseFacts(sentence_type=sentence_type))
    assert bool(items_due(event, timescale_policy("contracts_2014"), CAL)) is expected


def test_contracts_failure_to_comply_goes_by_provider() -> None:
    policy = timescale_policy("contracts_2014")

    def due(provider: Provider | None) -> set[ItemKind]:
        return kinds(
            items_due(TriggerEvent(T.FAILURE_TO_COMPLY_KNOWN, D(2018, 3, 5), CaseFacts(provider=provider)), policy, CAL)
        )

    assert due(Provider.CRC) == {ItemKind.BREACH_REFERRAL}
    assert due(Provider.NPS) == {ItemKind.BREACH_TO_COURT}
    assert due(None) == {ItemKind.BREACH_REFERRAL, ItemKind.BREACH_TO_COURT}


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        pytest.param(1, False, id="first_failure_below"),
        pytest.param(2, True, id="second_failure_at"),
        pytest.param(3, True, id="third_failure_above"),
    ],
)
def test_ns2007_enforcement_after_the_second_unacceptable_failure(failures: int, expected: bool) -> None:
    event = TriggerEvent(T.FAILURE_TO_COMPLY_KNOWN, D(2010, 3, 5), CaseFacts(unacceptable_failures=failures))
    assert bool(items_due(event, timescale_policy("ns2007"), CAL)) is expected


@pytest.mark.parametrize(
    ("months_to_release", "rule_id"),
    [
        pytest.param(23, "sentence_plan.custody.under_2_years_to_release", id="23_months_below"),
        pytest.param(24, "sentence_plan.custody.2_years_or_more_to_release", id="24_months_at"),
        pytest.param(25, "sentence_plan.custody.2_years_or_more_to_release", id="25_months_above"),
    ],
)
def test_ns2007_custody_sentence_plan_by_time_to_release(months_to_release: int, rule_id: str) -> None:
    facts = CaseFacts(custodial_months=36, months_to_release=months_to_release)
    items = items_due(TriggerEvent(T.SENTENCE_CUSTODY, D(2010, 3, 1), facts), timescale_policy("ns2007"), CAL)
    assert next(i for i in items if i.kind is ItemKind.SENTENCE_PLAN).rule_id == rule_id


def test_ns2007_custody_under_12_months_has_no_sentence_plan_timescale() -> None:
    facts = CaseFacts(custodial_months=11, months_to_release=5)
    items = items_due(TriggerEvent(T.SENTENCE_CUSTODY, D(2010, 3, 1), facts), timescale_policy("ns2007"), CAL)
    assert ItemKind.SENTENCE_PLAN not in kinds(items)


# ---- recurring items ------------------------------------------------------------------------------------------


def test_next_home_visit_follows_the_frequency() -> None:
    item = next_occurrence(ItemKind.HOME_VISIT, D(2026, 3, 3), CaseFacts(rosh="high"), timescale_policy(), CAL)
    assert item is not None
    assert item.due_date == D(2026, 6, 3)
    assert item.clock_started_on == D(2026, 3, 3)
    assert item.reason.startswith("Home visit done on 3 March 2026: next home visit within 3 months")


def test_next_home_visit_on_a_bank_holiday_is_due_the_working_day_before() -> None:
    item = next_occurrence(ItemKind.HOME_VISIT, D(2026, 5, 31), CaseFacts(rosh="high"), timescale_policy(), CAL)
    assert item is not None
    assert item.due_date == D(2026, 8, 28)  # three months on is Monday 31 August 2026, the summer bank holiday


def test_home_visits_stop_when_neither_condition_holds() -> None:
    facts = CaseFacts(rosh="medium", child_protection=False)
    assert next_occurrence(ItemKind.HOME_VISIT, D(2026, 3, 3), facts, timescale_policy(), CAL) is None
    facts = CaseFacts(rosh="medium", child_protection=True)
    assert next_occurrence(ItemKind.HOME_VISIT, D(2026, 3, 3), facts, timescale_policy(), CAL) is not None


def test_next_monthly_contact_in_the_contracts_preset() -> None:
    item = next_occurrence(
        ItemKind.MONTHLY_CONTACT, D(2019, 1, 31), CaseFacts(), timescale_policy("contracts_2014"), CAL
    )
    assert item is not None
    assert item.due_date == D(2019, 2, 28)
    assert (
        next_occurrence(ItemKind.MONTHLY_CONTACT, D(2010, 1, 31), CaseFacts(), timescale_policy("ns2007"), CAL) is None
    )


# ---- overdue --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [
        pytest.param(D(2026, 3, 9), False, id="day_before_due"),
        pytest.param(D(2026, 3, 10), False, id="on_the_due_day_still_in_time"),
        pytest.param(D(2026, 3, 11), True, id="day_after_due"),
        pytest.param(dt.datetime(2026, 3, 10, 23, 59, tzinfo=UTC), False, id="late_on_the_due_day"),
        pytest.param(dt.datetime(2026, 6, 10, 23, 30, tzinfo=UTC), True, id="bst_evening_is_the_next_local_day"),
    ],
)
def test_is_overdue(as_of: dt.date | dt.datetime, overdue: bool) -> None:
    due = D(2026, 3, 10) if as_of.month == 3 else D(2026, 6, 10)
    assert is_overdue(due, as_of) is overdue


def test_hour_based_item_is_overdue_by_the_clock() -> None:
    (item,) = items_due(
        TriggerEvent(T.RECALL_DECIDED, dt.datetime(2026, 3, 3, 10, 0, tzinfo=UTC)), timescale_policy(), CAL
    )
    assert not item.is_overdue(dt.datetime(2026, 3, 4, 10, 0, tzinfo=UTC))
    assert item.is_overdue(dt.datetime(2026, 3, 4, 10, 1, tzinfo=UTC))
    assert not item.is_overdue(D(2026, 3, 4))


# ---- reasons and input checks ---------------------------------------------------------------------------------


def test_reason_explains_the_item() -> None:
    facts = CaseFacts(sentence_type=SentenceType.COMMUNITY_ORDER)
    items = items_due(TriggerEvent(T.SENTENCE_COMMUNITY, D(2026, 3, 3), facts), timescale_policy(), CAL)
    first = next(i for i in items if i.kind is ItemKind.FIRST_APPOINTMENT)
    assert first.reason == (
        "Community order sentenced on 3 March 2026: in-person first appointment (office or home visit) arranged, "
        "within 5 working days, by 10 March 2026 (Probation Service levels, 2021 onwards)"
    )
    screening = next(i for i in items if i.kind is ItemKind.ROSH_SCREENING)
    assert "by 4 March 2026, 1 working day before the allocation is due (5 March 2026)" in screening.reason
    check = next(i for i in items if i.kind is ItemKind.POLICE_DA_CHECK)
    assert "by 5 March 2026, when the allocation is due" in check.reason


def test_hour_based_rule_needs_the_time() -> None:
    with pytest.raises(ValueError, match="needs the time it happened"):
        items_due(TriggerEvent(T.RECALL_DECIDED, D(2026, 3, 3)), timescale_policy(), CAL)


def test_naive_datetimes_and_bad_facts_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TriggerEvent(T.RECALL_DECIDED, dt.datetime(2026, 3, 3, 10, 0))
    with pytest.raises(ValueError, match="rosh must be one of"):
        CaseFacts(rosh="severe")
    with pytest.raises(ValueError, match="ns_tier must be"):
        CaseFacts(ns_tier=5)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(timescale_presets()),
    st.sampled_from([t for t in Trigger if t is not Trigger.RECALL_DECIDED]),
    st.dates(min_value=D(2005, 1, 1), max_value=D(2040, 12, 31)),
)
def test_every_day_based_item_is_due_on_a_working_day_after_the_event(
    preset: str, trigger: Trigger, day: dt.date
) -> None:
    for item in items_due(TriggerEvent(trigger, day), timescale_policy(preset), CAL):
        assert CAL.is_working_day(item.due_date)
        assert item.due_date >= day
        assert item.policy_version == timescale_policy(preset).policy_version


# ---- the policy files -----------------------------------------------------------------------------------------


def test_three_presets_and_ps2021_is_the_default() -> None:
    assert set(timescale_presets()) == {"ns2007", "contracts_2014", "ps2021"}
    assert DEFAULT_PRESET == "ps2021"
    assert timescale_policy().preset == "ps2021"
    assert [p for p in timescale_presets() if timescale_policy(p).is_default] == ["ps2021"]
    with pytest.raises(KeyError, match="choose one of"):
        timescale_policy("ns2015")


def test_presets_follow_each_other_without_gaps() -> None:
    ns, contracts, ps = (timescale_policy(p) for p in ("ns2007", "contracts_2014", "ps2021"))
    assert ns.effective_to == contracts.effective_from == D(2014, 6, 1)
    assert contracts.effective_to == ps.effective_from == D(2021, 6, 26)
    assert ps.effective_to is None


@pytest.mark.parametrize(
    ("on", "preset"),
    [
        pytest.param(D(2014, 5, 31), "ns2007", id="day_before_transforming_rehabilitation"),
        pytest.param(D(2014, 6, 1), "contracts_2014", id="transforming_rehabilitation_starts"),
        pytest.param(D(2021, 6, 25), "contracts_2014", id="last_day_of_the_crcs"),
        pytest.param(D(2021, 6, 26), "ps2021", id="probation_service_starts"),
    ],
)
def test_policy_in_force(on: dt.date, preset: str) -> None:
    assert timescale_policy_in_force(on).preset == preset


@pytest.mark.parametrize("preset", ["ns2007", "contracts_2014", "ps2021"])
def test_every_rule_cites_a_source_and_unverified_rules_say_why(preset: str) -> None:
    policy = timescale_policy(preset)
    for rule in policy.rules:
        assert rule.source.evidence == "U" or rule.source.urls, rule.id
        assert all(url.startswith("http") for url in rule.source.urls)
        if rule.evidence == "U":
            assert rule.unverified, rule.id
        if rule.unverified:
            assert rule.note, rule.id
    assert policy.unverified_rules()


BASE_POLICY = {
    "preset": "local",
    "policy_version": "local-v1",
    "name": "Local",
    "effective_from": D(2026, 1, 1),
    "sources": {"s": {"title": "t", "urls": ["https://example.org"], "evidence": "V"}},
}
BASE_RULE = {
    "id": "r",
    "kind": "home_visit",
    "trigger": "rosh_high_or_very_high",
    "offset": {"working_days": 10},
    "owner": "practitioner",
    "due": "home visit",
    "source": "s",
    "evidence": "V",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"kind": "tea_break"}, "tea_break", id="unknown_kind"),
        pytest.param({"trigger": "full_moon"}, "full_moon", id="unknown_trigger"),
        pytest.param({"conditions": {"star_sign_in": ["leo"]}}, "unknown condition", id="unknown_condition"),
        pytest.param({"offset": {"working_days": 5, "hours": 2}}, "exactly one unit", id="two_units"),
        pytest.param({"before": "allocation"}, "exactly one of offset or before", id="offset_and_before"),
        pytest.param({"evidence": "U"}, "unverified = true", id="u_without_unverified"),
        pytest.param({"unverified": True}, "needs a note", id="unverified_without_note"),
        pytest.param({"source": "nowhere"}, "not in [sources]", id="unknown_source"),
        pytest.param({"colour": "red"}, "unknown keys colour", id="unknown_key"),
    ],
)
def test_malformed_rules_are_refused_with_the_rule_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(TimescalePolicyError, match=re.escape(message)) as caught:
        parse_policy({**BASE_POLICY, "rules": [{**BASE_RULE, **change}]}, where="local.toml")
    assert "local.toml: rule r" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"working_days_before": 1}, "working_days_before goes with before", id="without_before"),
        pytest.param(
            {"working_days_before": -1, "before": "allocation"}, "zero or more (got -1)", id="negative_working_days"
        ),
        pytest.param(
            {"working_days_before": "1", "before": "allocation"}, "zero or more (got '1')", id="text_working_days"
        ),
    ],
)
def test_malformed_working_days_before_is_refused(change: dict[str, Any], message: str) -> None:
    base = {k: v for k, v in BASE_RULE.items() if k != "offset"} if "before" in change else BASE_RULE
    with pytest.raises(TimescalePolicyError, match=re.escape(message)):
        parse_policy({**BASE_POLICY, "rules": [{**base, **change}]})


def test_before_needs_an_anchor_rule_on_the_same_trigger() -> None:
    rule = {k: v for k, v in BASE_RULE.items() if k != "offset"} | {"before": "allocation"}
    with pytest.raises(TimescalePolicyError, match="needs a rule for allocation on the same trigger"):
        parse_policy({**BASE_POLICY, "rules": [rule]})


@pytest.mark.parametrize("preset", ["ns2007", "contracts_2014", "ps2021"])
def test_docs_table_lists_every_rule_of_the_preset(preset: str) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "timescales.md").read_text(encoding="utf-8")
    section = docs.split(f"### `{preset}`", 1)[1].split("\n### ", 1)[0]
    for rule in timescale_policy(preset).rules:
        assert f"| `{rule.id}` |" in section, f"docs/timescales.md: {preset} table has no row for {rule.id}"


def test_raw_strings_from_a_service_are_accepted() -> None:
    event = TriggerEvent("allocation", D(2018, 3, 5), CaseFacts(sentence_type="licence", provider="nps"))  # type: ignore[arg-type]
    assert event.trigger is T.ALLOCATION
    assert items_due(event, timescale_policy("contracts_2014"), CAL) == []
    visit = next_occurrence("home_visit", D(2026, 3, 3), CaseFacts(rosh="high"), timescale_policy(), CAL)  # type: ignore[arg-type]
    assert visit is not None and visit.kind is ItemKind.HOME_VISIT
    assert hash(timescale_policy()) == hash(timescale_policy())
