"""Work-item decisions (rules/work_item_decisions.py), without a database: a case snapshot and one event in, the items
to create, close and cancel out. One table per rule, each case named ``<rule>.<situation>``, with the cases either
side of a boundary where the rule has one.

Today is Tuesday 24 November 2026. Working days then: Wed 25, Thu 26, Fri 27, Mon 30 Nov, Tue 1, Wed 2, Thu 3, Fri 4,
Mon 7, Tue 8 Dec.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from openprobation.rules import work_item_decisions
from openprobation.rules.timescale_presets import RECORD_TERM_NAMES
from openprobation.rules.timescales import (
    ItemKind,
    TimescalePolicyError,
    Trigger,
    parse_policy,
    timescale_policy,
    timescale_policy_for,
    timescale_policy_in_force,
)
from openprobation.rules.work_item_decisions import (
    Allocated,
    Cancel,
    CaseSnapshot,
    ClockStarted,
    Close,
    ContactRecorded,
    Create,
    Decision,
    DoneOnTheRecord,
    EventCreated,
    HouseholdChanged,
    ItemFacts,
    MarkAttendedClockStarted,
    MarkedDone,
    MarkOutcomeApplied,
    MoveToHolders,
    RegistrationAdded,
    RegistrationEnded,
    RegistrationFacts,
    ReleaseDateChanged,
    Replay,
    SentenceFacts,
    UncountableDate,
    decide,
)

D = dt.date
TODAY = D(2026, 11, 24)
FRIDAY_20_NOVEMBER = D(2026, 11, 20)
ATTENDED, MISSED = "attended_complied", "failed_to_attend_unacceptable"


def item(id: int, kind: str, *, started: D = FRIDAY_20_NOVEMBER, due: D | None = None, **more: Any) -> ItemFacts:
    return ItemFacts(
        id=id,
        kind=ItemKind(kind),
        status=more.pop("status", "open"),
        trigger=more.pop("trigger", "sentence_community"),
        clock_started_on=started,
        due_date=due or started,
        **more,
    )


TUESDAY_10_NOVEMBER = D(2026, 11, 10)


def reg(id: int, code: str, start: D = TUESDAY_10_NOVEMBER, end: D | None = None) -> RegistrationFacts:
    return RegistrationFacts(id=id, code=code, start_date=start, end_date=end)


def snapshot(*items: ItemFacts, registrations: tuple[RegistrationFacts, ...] = (), **more: Any) -> CaseSnapshot:
    return CaseSnapshot(
        today=more.pop("today", TODAY),
        chosen_preset=more.pop("chosen_preset", "ps2021"),
        items=items,
        registrations=registrations,
        sentence_types=more.pop("sentence_types", {1: "community_order"}),
        outcomes_applied=more.pop("outcomes_applied", frozenset()),
    )


def summary(decision: Decision) -> list[tuple[Any, ...]]:
    """Each step in order, as a short tuple: new items by kind, due date and rule id."""
    out: list[tuple[Any, ...]] = []
    for step in decision.steps:
        if isinstance(step, Create):
            out.append(("create", step.due.kind.value, step.due.due_date, step.due.rule_id))
        elif isinstance(step, Close):
            out.append(("close", step.item, step.on, step.reason))
        elif isinstance(step, Cancel):
            out.append(("cancel", step.item, step.reason))
        elif isinstance(step, MarkAttendedClockStarted):
            out.append(("attended_clock_started", step.item))
        elif isinstance(step, MarkOutcomeApplied):
            out.append(("outcome_applied", step.contact_id, step.outcome))
        elif isinstance(step, MoveToHolders):
            out.append(("move_to_holders",))
    return out


def community(on: D = FRIDAY_20_NOVEMBER, type: str = "community_order", release: D | None = None) -> SentenceFacts:
    return SentenceFacts(id=1, sentence_type=type, sentence_date=on, release_date=release)


SENTENCE_ITEMS = [
    ("create", "allocation", D(2026, 11, 24), "allocation.community"),
    ("create", "first_appointment", D(2026, 11, 27), "first_appointment.community"),
    ("create", "rosh_screening", D(2026, 11, 23), "rosh_screening.community"),
    ("create", "police_da_check", D(2026, 11, 24), "police_da_check.sentence"),
    ("create", "childrens_services_check", D(2026, 11, 24), "childrens_services_check.sentence"),
]


def _sorted(steps: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(steps, key=repr)


# ---- a new event: its sentence type starts its clocks (the preset file's sentence_triggers) ------------------------

EVENT_CREATED = [
    ("sentence_community.community_order", snapshot(), community(), SENTENCE_ITEMS),
    (
        "sentence_community.suspended_sentence_order",
        snapshot(),
        community(type="suspended_sentence_order"),
        SENTENCE_ITEMS,
    ),
    ("sentence_custody.no_release_date.nothing_under_ps2021", snapshot(), community(type="custody"), []),
    (
        "sentence_custody.with_release_date.first_appointment_from_release",
        snapshot(),
        community(on=D(2025, 6, 2), type="custody", release=FRIDAY_20_NOVEMBER),
        [("create", "first_appointment", D(2026, 11, 23), "first_appointment.licence")],
    ),
    (
        "sentence_licence_release.from_the_release_date_not_the_sentence_date",
        snapshot(),
        community(on=D(2026, 11, 2), type="licence", release=D(2026, 12, 24)),
        [("create", "first_appointment", D(2026, 12, 29), "first_appointment.licence")],
    ),
    (
        "sentence_community.kind_already_open.not_made_twice",
        snapshot(item(7, "first_appointment"), item(8, "police_da_check", relationship_id=3)),
        community(),
        [s for s in SENTENCE_ITEMS if s[1] != "first_appointment"],  # a partner's check is not the case's
    ),
]


@pytest.mark.parametrize(
    ("case", "event", "expected"), [c[1:] for c in EVENT_CREATED], ids=[c[0] for c in EVENT_CREATED]
)
def test_event_created(case: CaseSnapshot, event: SentenceFacts, expected: list[tuple[Any, ...]]) -> None:
    assert _sorted(summary(decide(case, EventCreated(event)))) == _sorted(expected)


def test_each_new_item_carries_its_reason_rule_id_and_policy_version() -> None:
    (first,) = [c for c in decide(snapshot(), EventCreated(community())).create if c.due.kind == "first_appointment"]
    assert (first.due.rule_id, first.due.policy_version, first.event_id) == (
        "first_appointment.community",
        "timescales-ps2021-v5",
        1,
    )
    assert first.reason.startswith("Community order sentenced on 20 November 2026: in-person first appointment")


# ---- which preset: the one in force on the day the clock started; the setting chooses where the file allows ------

PRESET_FOR = [
    # (name, clock started, setting, preset used)
    ("before_the_earliest_preset.ns2007_covers_earlier_dates", D(2007, 3, 31), "ps2021", "ns2007"),
    ("ns2007.first_day", D(2007, 4, 1), "ps2021", "ns2007"),
    ("ns2007.last_day", D(2014, 5, 31), "ps2021", "ns2007"),
    ("contracts_2014.first_day", D(2014, 6, 1), "ps2021", "contracts_2014"),
    ("contracts_2014.last_day", D(2021, 6, 25), "ps2021", "contracts_2014"),
    ("ps2021.first_day", D(2021, 6, 26), "ps2021", "ps2021"),
    (
        "ps2021.setting_chooses_contracts_2014.listed_in_the_ps2021_file",
        D(2026, 11, 20),
        "contracts_2014",
        "contracts_2014",
    ),
    ("ps2021.setting_chooses_ns2007.listed_in_the_ps2021_file", D(2026, 11, 20), "ns2007", "ns2007"),
    (
        "contracts_2014.setting_chooses_ps2021.not_listed_so_the_preset_in_force",
        D(2016, 1, 4),
        "ps2021",
        "contracts_2014",
    ),
    (
        "contracts_2014.setting_chooses_ns2007.not_listed_so_the_preset_in_force",
        D(2016, 1, 4),
        "ns2007",
        "contracts_2014",
    ),
    ("no_setting.the_preset_in_force", D(2016, 1, 4), None, "contracts_2014"),
]


@pytest.mark.parametrize(("on", "chosen", "preset"), [c[1:] for c in PRESET_FOR], ids=[c[0] for c in PRESET_FOR])
def test_preset_for_the_day_the_clock_started(on: D, chosen: str | None, preset: str) -> None:
    assert timescale_policy_for(on, chosen).preset == preset


def test_a_setting_naming_no_preset_is_refused() -> None:
    with pytest.raises(KeyError, match="no timescale preset 'ps2099'"):
        timescale_policy_for(TODAY, "ps2099")


def test_before_the_earliest_preset_the_preset_in_force_is_the_one_covering_earlier_dates() -> None:
    assert timescale_policy_in_force(D(1990, 1, 1)).preset == "ns2007"


PRESET_USED = [
    (
        "sentence_in_2026.ps2021.first_appointment_from_sentence",
        snapshot(),
        community(),
        {"allocation", "first_appointment", "rosh_screening", "police_da_check", "childrens_services_check"},
        "timescales-ps2021-v5",
    ),
    (
        "sentence_in_2016.contracts_2014.first_appointment_from_allocation",
        snapshot(),
        community(on=D(2016, 1, 8)),
        {"allocation", "rosh_screening", "police_da_check", "childrens_services_check"},
        "timescales-contracts-2014-v5",
    ),
    (
        "sentence_in_2026.setting_contracts_2014.first_appointment_from_allocation",
        snapshot(chosen_preset="contracts_2014"),
        community(),
        {"allocation", "rosh_screening", "police_da_check", "childrens_services_check"},
        "timescales-contracts-2014-v5",
    ),
]


@pytest.mark.parametrize(
    ("case", "event", "kinds", "version"), [c[1:] for c in PRESET_USED], ids=[c[0] for c in PRESET_USED]
)
def test_the_sentence_is_timed_by_the_preset_for_its_day(
    case: CaseSnapshot, event: SentenceFacts, kinds: set[str], version: str
) -> None:
    created = decide(case, EventCreated(event)).create
    assert {c.due.kind.value for c in created} == kinds
    assert {c.due.policy_version for c in created} == {version}


# ---- the release clock follows the release date -----------------------------------------------------------------

LICENCE = "sentence_licence_release"
RELEASE = [
    (
        "same_date.clock_already_runs.nothing",
        snapshot(item(5, "first_appointment", trigger=LICENCE, event_id=1)),
        community(on=D(2025, 6, 2), type="custody", release=FRIDAY_20_NOVEMBER),
        [],
    ),
    (
        "same_date.item_done.nothing",
        snapshot(item(5, "first_appointment", trigger=LICENCE, event_id=1, status="done", closed_on=TODAY)),
        community(on=D(2025, 6, 2), type="custody", release=FRIDAY_20_NOVEMBER),
        [],
    ),
    (
        "same_date.item_cancelled.started_again",
        snapshot(item(5, "first_appointment", trigger=LICENCE, event_id=1, status="cancelled", closed_on=TODAY)),
        community(on=D(2025, 6, 2), type="custody", release=FRIDAY_20_NOVEMBER),
        [("create", "first_appointment", D(2026, 11, 23), "first_appointment.licence")],
    ),
    (
        "moved.open_item_cancelled_and_the_clock_starts_on_the_new_date",
        snapshot(item(5, "first_appointment", trigger=LICENCE, event_id=1)),
        community(on=D(2025, 6, 2), type="custody", release=D(2026, 11, 27)),
        [
            ("cancel", 5, "Release date changed from 20 November 2026 to 27 November 2026"),
            ("create", "first_appointment", D(2026, 11, 30), "first_appointment.licence"),
        ],
    ),
    (
        "cleared.open_item_cancelled",
        snapshot(item(5, "first_appointment", trigger=LICENCE, event_id=1)),
        community(on=D(2025, 6, 2), type="custody"),
        [("cancel", 5, "No release on 20 November 2026 any more (release date cleared or sentence type changed)")],
    ),
    (
        "sentence_type_no_longer_released.open_item_cancelled",
        snapshot(item(5, "first_appointment", trigger=LICENCE, event_id=1)),
        community(type="community_order", release=FRIDAY_20_NOVEMBER),
        [("cancel", 5, "No release on 20 November 2026 any more (release date cleared or sentence type changed)")],
    ),
    (
        "another_events_release_items.left_alone",
        snapshot(item(5, "first_appointment", trigger=LICENCE, event_id=2)),
        community(on=D(2025, 6, 2), type="custody"),
        [],
    ),
]


@pytest.mark.parametrize(("case", "event", "expected"), [c[1:] for c in RELEASE], ids=[c[0] for c in RELEASE])
def test_release_date_changed(case: CaseSnapshot, event: SentenceFacts, expected: list[tuple[Any, ...]]) -> None:
    assert summary(decide(case, ReleaseDateChanged(event))) == expected


# ---- allocation ---------------------------------------------------------------------------------------------------


def test_allocation_closes_the_allocation_item_moves_open_items_and_starts_its_clocks() -> None:
    case = snapshot(item(4, "allocation", due=D(2026, 11, 23)), item(6, "allocation", due=TODAY, relationship_id=3))
    steps = summary(decide(case, Allocated(community(), "Pat Lee", D(2026, 11, 23))))
    assert steps == [
        ("close", 4, D(2026, 11, 23), "Allocated to Pat Lee"),
        ("close", 6, D(2026, 11, 23), "Allocated to Pat Lee"),
        ("move_to_holders",),
    ]  # ps2021 starts nothing from allocation


def test_allocation_under_contracts_2014_starts_the_first_appointment_for_a_community_sentence() -> None:
    case = snapshot(chosen_preset="contracts_2014")
    steps = summary(decide(case, Allocated(community(), "Pat Lee", D(2026, 11, 23))))
    assert steps == [
        ("move_to_holders",),
        ("create", "first_appointment", D(2026, 11, 30), "first_appointment.community"),
    ]


# ---- household changes ----------------------------------------------------------------------------------------------

HOUSEHOLD = [
    (
        "partner_joined",
        HouseholdChanged(3, "partner", lives_in_household=True, ended=False),
        [
            ("create", "police_da_check", D(2026, 12, 1), "police_da_check.new_partner"),
            ("create", "rosh_review", D(2026, 12, 8), "rosh_review.new_partner"),
        ],
    ),
    (
        "child_joined",
        HouseholdChanged(3, "child", lives_in_household=True, ended=False),
        [("create", "childrens_services_check", D(2026, 12, 1), "childrens_services_check.child_joined")],
    ),
    ("partner_not_in_household.nothing", HouseholdChanged(3, "partner", lives_in_household=False, ended=False), []),
    ("partner_relationship_ended.nothing", HouseholdChanged(3, "partner", lives_in_household=True, ended=True), []),
    ("ex_partner.not_in_the_file.nothing", HouseholdChanged(3, "ex_partner", lives_in_household=True, ended=False), []),
    (
        "partner_already_in_household.nothing",
        HouseholdChanged(3, "partner", lives_in_household=True, ended=False, was_household_member="partner"),
        [],
    ),
    (
        "child_now_a_partner_in_household.partner_checks",
        HouseholdChanged(3, "partner", lives_in_household=True, ended=False, was_household_member="child"),
        [
            ("create", "police_da_check", D(2026, 12, 1), "police_da_check.new_partner"),
            ("create", "rosh_review", D(2026, 12, 8), "rosh_review.new_partner"),
        ],
    ),
]


@pytest.mark.parametrize(("event", "expected"), [c[1:] for c in HOUSEHOLD], ids=[c[0] for c in HOUSEHOLD])
def test_household_changed(event: HouseholdChanged, expected: list[tuple[Any, ...]]) -> None:
    assert summary(decide(snapshot(), event)) == expected


def test_a_check_open_for_one_partner_does_not_stop_the_check_for_another() -> None:
    case = snapshot(item(8, "police_da_check", relationship_id=3))
    created = decide(case, HouseholdChanged(4, "partner", lives_in_household=True, ended=False)).create
    assert {(c.due.kind.value, c.relationship_id) for c in created} == {("police_da_check", 4), ("rosh_review", 4)}


# ---- registrations: home visits -------------------------------------------------------------------------------------

HOME_VISIT = ("create", "home_visit", D(2026, 12, 8), "home_visit.rosh_high_or_very_high")
HOME_VISIT_CP = ("create", "home_visit", D(2026, 12, 8), "home_visit.child_protection")
REGISTRATION_ADDED = [
    ("rosh_high", reg(1, "RHRH", TODAY), [HOME_VISIT]),
    ("rosh_very_high", reg(1, "RVHR", TODAY), [HOME_VISIT]),
    ("rosh_medium.below_the_levels.nothing", reg(1, "RMRH", TODAY), []),
    ("child_protection", reg(1, "RCPR", TODAY), [HOME_VISIT_CP]),
    ("other_registration.nothing", reg(1, "MAPP", TODAY), []),
    ("rosh_high.ended_yesterday.nothing", reg(1, "RHRH", D(2026, 11, 10), D(2026, 11, 23)), []),
    ("rosh_high.ends_today.nothing", reg(1, "RHRH", D(2026, 11, 10), TODAY), []),
    (
        "rosh_high.ends_tomorrow.home_visit",
        reg(1, "RHRH", TODAY, D(2026, 11, 25)),
        [("create", "home_visit", D(2026, 12, 8), "home_visit.rosh_high_or_very_high")],
    ),
]


@pytest.mark.parametrize(
    ("registration", "expected"), [c[1:] for c in REGISTRATION_ADDED], ids=[c[0] for c in REGISTRATION_ADDED]
)
def test_registration_added(registration: RegistrationFacts, expected: list[tuple[Any, ...]]) -> None:
    active = (registration,) if registration.end_date is None else ()
    assert summary(decide(snapshot(registrations=active), RegistrationAdded(registration))) == expected


def test_child_protection_and_high_rosh_make_one_open_home_visit() -> None:
    case = snapshot(item(9, "home_visit", trigger="rosh_high_or_very_high"), registrations=(reg(1, "RHRH"),))
    assert summary(decide(case, RegistrationAdded(reg(2, "RCPR")))) == []


RHRH_NAME, RCPR_NAME = "RHRH registration (RoSH: high)", "RCPR registration (Child protection)"
REGISTRATION_ENDED = [
    # (name, active registrations left, the one ended, cancel reason or None)
    ("rosh_high.ended_yesterday", (), reg(1, "RHRH", end=D(2026, 11, 23)), f"{RHRH_NAME} ended on 23 November 2026"),
    ("rosh_high.ended_today", (), reg(1, "RHRH", end=TODAY), f"{RHRH_NAME} ended on 24 November 2026"),
    ("rosh_high.ends_tomorrow", (), reg(1, "RHRH", end=D(2026, 11, 25)), f"{RHRH_NAME} ends on 25 November 2026"),
    ("child_protection.ended", (), reg(1, "RCPR", end=TODAY), f"{RCPR_NAME} ended on 24 November 2026"),
    ("rosh_high.child_protection_remains.visit_stays", (reg(2, "RCPR"),), reg(1, "RHRH", end=TODAY), None),
    ("child_protection.very_high_rosh_remains.visit_stays", (reg(2, "RVHR"),), reg(1, "RCPR", end=TODAY), None),
    (
        "child_protection.medium_rosh_remains.visit_cancelled",
        (reg(2, "RMRH"),),
        reg(1, "RCPR", end=TODAY),
        f"{RCPR_NAME} ended on 24 November 2026",
    ),
    ("medium_rosh.never_called_for_visits.visit_stays", (reg(2, "RCPR"),), reg(1, "RMRH", end=TODAY), None),
    (
        "newest_rosh_is_medium.high_is_older.visit_cancelled",
        (reg(2, "RHRH", D(2026, 1, 1)), reg(3, "RMRH", D(2026, 6, 1))),
        reg(1, "RCPR", end=TODAY),
        f"{RCPR_NAME} ended on 24 November 2026",
    ),
    ("reviewed_not_ended.nothing", (), reg(1, "RHRH"), None),
]


@pytest.mark.parametrize(
    ("active", "ended", "reason"), [c[1:] for c in REGISTRATION_ENDED], ids=[c[0] for c in REGISTRATION_ENDED]
)
def test_registration_ended(
    active: tuple[RegistrationFacts, ...], ended: RegistrationFacts, reason: str | None
) -> None:
    case = snapshot(item(9, "home_visit", trigger="rosh_high_or_very_high"), registrations=(*active, ended))
    expected = [] if reason is None else [("cancel", 9, f"Home visits no longer required: {reason}")]
    assert summary(decide(case, RegistrationEnded(ended))) == expected


# ---- contacts -------------------------------------------------------------------------------------------------------

FIRST = item(5, "first_appointment", due=D(2026, 11, 27), event_id=1)
SENTENCE_PLAN = ("create", "sentence_plan", D(2026, 12, 15), "sentence_plan")
MONTHLY = ("create", "monthly_contact", D(2026, 12, 24), "monthly_contact")
NEXT_MONTHLY_KEY = "new-3"

CONTACTS = [
    (
        "first_appointment_attended.office.clock_started_once_and_monthly_contact_met_by_it",
        snapshot(FIRST),
        ContactRecorded("office_appointment", TODAY, ATTENDED, contact_id=40),
        [
            ("close", 5, TODAY, "First appointment attended"),
            SENTENCE_PLAN,
            MONTHLY,
            ("attended_clock_started", 5),
            ("close", NEXT_MONTHLY_KEY, TODAY, "Attended: office appointment"),
            MONTHLY,
            ("outcome_applied", 40, ATTENDED),
        ],
    ),
    (
        "first_appointment_attended.video_under_ps2021.closes_it",
        snapshot(FIRST),
        ContactRecorded("video", TODAY, ATTENDED),
        [("close", 5, TODAY, "First appointment attended"), SENTENCE_PLAN, MONTHLY, ("attended_clock_started", 5)],
    ),
    (
        "first_appointment_attended.telephone.not_a_first_appointment",
        snapshot(FIRST),
        ContactRecorded("telephone", TODAY, ATTENDED),
        [],
    ),
    (
        "first_appointment.contact_the_day_before_the_clock_started.not_its_first_appointment",
        snapshot(FIRST),
        ContactRecorded("video", D(2026, 11, 19), ATTENDED),
        [],
    ),
    (
        "first_appointment.contact_on_the_day_the_clock_started.closes_it",
        snapshot(FIRST),
        ContactRecorded("video", FRIDAY_20_NOVEMBER, ATTENDED),
        [
            ("close", 5, FRIDAY_20_NOVEMBER, "First appointment attended"),
            ("create", "sentence_plan", D(2026, 12, 11), "sentence_plan"),
            ("create", "monthly_contact", D(2026, 12, 18), "monthly_contact"),
            ("attended_clock_started", 5),
        ],
    ),
    (
        # Nothing is inferred from a first appointment closed without its clock (closed in bulk by an old demo load):
        # a clock started from the day it was closed would cite an attendance that never happened.
        "first_appointment_done_without_its_clock.a_later_attended_contact_starts_nothing_from_it",
        snapshot(item(5, "first_appointment", event_id=1, status="done", closed_on=FRIDAY_20_NOVEMBER)),
        ContactRecorded("video", TODAY, ATTENDED),
        [],
    ),
    (
        "first_appointment_done_with_its_clock_started.nothing_again",
        snapshot(
            item(5, "first_appointment", status="done", closed_on=FRIDAY_20_NOVEMBER, attended_clock_started=True)
        ),
        ContactRecorded("video", TODAY, ATTENDED),
        [],
    ),
    (
        "home_visit_attended.visit_owed_from_the_day_before.done_and_next_booked",
        snapshot(item(9, "home_visit", started=D(2026, 11, 23)), registrations=(reg(1, "RHRH"),)),
        ContactRecorded("home_visit", TODAY, ATTENDED),
        [
            ("close", 9, TODAY, "Attended: home visit"),
            ("create", "home_visit", D(2027, 2, 24), "home_visit.rosh_high_or_very_high"),
        ],
    ),
    (
        "home_visit_attended.visit_owed_from_today.done_and_next_booked",
        snapshot(item(9, "home_visit", started=TODAY), registrations=(reg(1, "RHRH"),)),
        ContactRecorded("home_visit", TODAY, ATTENDED),
        [
            ("close", 9, TODAY, "Attended: home visit"),
            ("create", "home_visit", D(2027, 2, 24), "home_visit.rosh_high_or_very_high"),
        ],
    ),
    (
        "home_visit_attended.visit_owed_from_tomorrow.stays_open",
        snapshot(item(9, "home_visit", started=D(2026, 11, 25)), registrations=(reg(1, "RHRH"),)),
        ContactRecorded("home_visit", TODAY, ATTENDED),
        [],
    ),
    (
        "home_visit_attended.rosh_now_medium.series_ends",
        snapshot(item(9, "home_visit", started=D(2026, 11, 23)), registrations=(reg(1, "RMRH"),)),
        ContactRecorded("home_visit", TODAY, ATTENDED),
        [("close", 9, TODAY, "Attended: home visit")],
    ),
    (
        "home_visit_attended.no_rosh_recorded.next_booked_as_facts_not_recorded_never_drop_work",
        snapshot(item(9, "home_visit", started=D(2026, 11, 23))),
        ContactRecorded("home_visit", TODAY, ATTENDED),
        [
            ("close", 9, TODAY, "Attended: home visit"),
            ("create", "home_visit", D(2027, 2, 24), "home_visit.rosh_high_or_very_high"),
        ],
    ),
    (
        "appointment_missed_unacceptably.follow_up",
        snapshot(),
        ContactRecorded("office_appointment", TODAY, MISSED, contact_id=40),
        [
            ("create", "non_attendance_follow_up", D(2026, 12, 1), "non_attendance_follow_up"),
            ("outcome_applied", 40, MISSED),
        ],
    ),
    (
        "appointment_missed_acceptably.nothing",
        snapshot(),
        ContactRecorded("office_appointment", TODAY, "failed_to_attend_acceptable", contact_id=40),
        [],
    ),
    ("booked_without_an_outcome.nothing", snapshot(FIRST), ContactRecorded("office_appointment", TODAY, "", 40), []),
    (
        "outcome_already_applied_to_this_contact.nothing",
        snapshot(FIRST, outcomes_applied=frozenset({(40, ATTENDED)})),
        ContactRecorded("office_appointment", TODAY, ATTENDED, contact_id=40),
        [],
    ),
    (
        "other_outcome_applied_to_this_contact.this_one_still_applies",
        snapshot(FIRST, outcomes_applied=frozenset({(40, MISSED)})),
        ContactRecorded("video", TODAY, ATTENDED, contact_id=40),
        [
            ("close", 5, TODAY, "First appointment attended"),
            SENTENCE_PLAN,
            MONTHLY,
            ("attended_clock_started", 5),
            ("outcome_applied", 40, ATTENDED),
        ],
    ),
]


@pytest.mark.parametrize(("case", "event", "expected"), [c[1:] for c in CONTACTS], ids=[c[0] for c in CONTACTS])
def test_contact_recorded(case: CaseSnapshot, event: ContactRecorded, expected: list[tuple[Any, ...]]) -> None:
    assert summary(decide(case, event)) == expected


FIRST_APPOINTMENT_TYPES = [
    # (name, clock started, setting, contact type, closes the first appointment)
    ("ps2021.video.closes", D(2026, 11, 20), "ps2021", "video", True),
    ("ps2021.office.closes", D(2026, 11, 20), "ps2021", "office_appointment", True),
    ("contracts_2014.video.closes", D(2016, 1, 8), "ps2021", "video", True),
    ("ns2007.video.not_a_first_appointment", D(2010, 1, 8), "ps2021", "video", False),
    ("ns2007.home_visit.closes", D(2010, 1, 8), "ps2021", "home_visit", True),
]


@pytest.mark.parametrize(
    ("started", "chosen", "type", "closes"),
    [c[1:] for c in FIRST_APPOINTMENT_TYPES],
    ids=[c[0] for c in FIRST_APPOINTMENT_TYPES],
)
def test_first_appointment_contact_types_are_the_presets(started: D, chosen: str, type: str, closes: bool) -> None:
    case = snapshot(item(5, "first_appointment", started=started), chosen_preset=chosen, today=started)
    closed = decide(case, ContactRecorded(type, started, ATTENDED)).close
    assert ((5, "First appointment attended") in {(c.item, c.reason) for c in closed}) is closes


# ---- items marked done by hand ------------------------------------------------------------------------------------


def test_first_appointment_marked_done_starts_its_clock_once_in_words_that_say_so() -> None:
    decision = decide(snapshot(FIRST), MarkedDone(5, TODAY, "Seen at court"))
    assert summary(decision) == [
        ("close", 5, TODAY, "Seen at court"),
        SENTENCE_PLAN,
        MONTHLY,
        ("attended_clock_started", 5),
    ]
    reasons = [c.reason for c in decision.create]
    assert all(r.startswith("First appointment marked done on 24 November 2026: ") for r in reasons), reasons
    done = item(5, "first_appointment", event_id=1, status="done", closed_on=TODAY)
    assert summary(decide(snapshot(done), MarkedDone(5, TODAY))) == []  # no longer open: nothing again


DONE_9 = ("close", 9, TODAY, "")
RECURRING = [
    ("monthly_contact.next_a_month_on", item(9, "monthly_contact"), (), [DONE_9, MONTHLY]),
    (
        "home_visit.rosh_still_high.next_in_three_months",
        item(9, "home_visit"),
        (reg(1, "RHRH"),),
        [DONE_9, ("create", "home_visit", D(2027, 2, 24), "home_visit.rosh_high_or_very_high")],
    ),
    ("home_visit.rosh_now_low.series_ends", item(9, "home_visit"), (reg(1, "RLRH"),), [DONE_9]),
    ("sentence_plan.not_recurring.nothing", item(9, "sentence_plan"), (), [DONE_9]),
]


@pytest.mark.parametrize(
    ("done", "registrations", "expected"), [c[1:] for c in RECURRING], ids=[c[0] for c in RECURRING]
)
def test_recurring_item_done(
    done: ItemFacts, registrations: tuple[RegistrationFacts, ...], expected: list[tuple[Any, ...]]
) -> None:
    case = snapshot(done, registrations=registrations)
    assert summary(decide(case, MarkedDone(9, TODAY))) == expected


# ---- items the record shows done (an enquiry, an assessment, an SPO's decision) ----------------------------------

DONE_ON_THE_RECORD = [
    (
        "case_check.closes_the_cases_own_not_a_partners",
        DoneOnTheRecord((ItemKind.POLICE_DA_CHECK,), TODAY, "Enquiry 1 requested"),
        [("close", 7, TODAY, "Enquiry 1 requested")],
    ),
    (
        "partner_check.closes_that_partners_only",
        DoneOnTheRecord((ItemKind.POLICE_DA_CHECK,), TODAY, "Enquiry 2 requested", relationship_id=3),
        [("close", 8, TODAY, "Enquiry 2 requested")],
    ),
    (
        "any_relationship.closes_both",
        DoneOnTheRecord((ItemKind.POLICE_DA_CHECK,), TODAY, "Done", any_relationship=True),
        [("close", 7, TODAY, "Done"), ("close", 8, TODAY, "Done")],
    ),
    (
        "started_by_the_day_before_the_clock.nothing",
        DoneOnTheRecord((ItemKind.POLICE_DA_CHECK,), TODAY, "Done", any_relationship=True, started_by=D(2026, 11, 19)),
        [],
    ),
    (
        "started_by_the_day_the_clock_started.closes",
        DoneOnTheRecord((ItemKind.POLICE_DA_CHECK,), TODAY, "Done", started_by=FRIDAY_20_NOVEMBER),
        [("close", 7, TODAY, "Done")],
    ),
    ("other_kind.nothing", DoneOnTheRecord((ItemKind.ROSH_SCREENING,), TODAY, "Done", any_relationship=True), []),
]


@pytest.mark.parametrize(
    ("event", "expected"), [c[1:] for c in DONE_ON_THE_RECORD], ids=[c[0] for c in DONE_ON_THE_RECORD]
)
def test_done_on_the_record(event: DoneOnTheRecord, expected: list[tuple[Any, ...]]) -> None:
    case = snapshot(item(7, "police_da_check", due=TODAY), item(8, "police_da_check", due=TODAY, relationship_id=3))
    assert summary(decide(case, event)) == expected


# ---- a trigger recorded directly, and dates the calendar cannot count from ---------------------------------------


def test_clock_started_by_a_service() -> None:
    event = ClockStarted(Trigger.ROSH_SCREENING_INDICATES_RISK, TODAY)
    assert summary(decide(snapshot(), event)) == [
        ("create", "risk_management_plan", D(2026, 12, 15), "risk_management_plan.after_screening"),
        ("create", "rosh_full_analysis", D(2026, 12, 15), "rosh_full_analysis.after_screening"),
    ]


BEYOND_THE_CALENDAR = D(2200, 6, 1)
UNCOUNTABLE = [
    ("sentence_date", EventCreated(community(on=BEYOND_THE_CALENDAR))),
    ("release_date", ReleaseDateChanged(community(on=D(2025, 6, 2), type="custody", release=BEYOND_THE_CALENDAR))),
    ("start_date", RegistrationAdded(reg(1, "RHRH", BEYOND_THE_CALENDAR))),
    ("date", ContactRecorded("office_appointment", BEYOND_THE_CALENDAR, MISSED)),
]


@pytest.mark.parametrize(("field", "event"), UNCOUNTABLE, ids=[c[0] for c in UNCOUNTABLE])
def test_a_date_the_calendar_cannot_count_from_names_its_field(field: str, event: Any) -> None:
    case = snapshot(registrations=(reg(1, "RHRH", BEYOND_THE_CALENDAR),))
    with pytest.raises(UncountableDate) as error:
        decide(case, event)
    assert error.value.field == field
    assert error.value.message.startswith("No due dates can be worked out from this date")


# ---- the [record] terms in the preset files ------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["ns2007", "contracts_2014", "ps2021"])
def test_every_record_term_cites_a_source_and_unverified_terms_say_why(preset: str) -> None:
    record = timescale_policy(preset).record
    assert record is not None
    assert {t.name for t in record.terms} == set(RECORD_TERM_NAMES)
    for term in record.terms:
        if term.evidence == "U":
            assert term.unverified, term.name
        if term.unverified:
            assert term.note, term.name


def _record(**change: Any) -> dict[str, Any]:
    raw = tomllib.loads(
        resources.files("openprobation.rules").joinpath("policy", "timescales_ps2021.toml").read_text(encoding="utf-8")
    )
    raw["record"] = {**raw["record"], **change}
    return raw


BAD_RECORDS = [
    (
        "unknown_term",
        {"moon_phase": {"value": [], "source": "case_record", "evidence": "V"}},
        "unknown terms moon_phase",
    ),
    (
        "unknown_trigger",
        {"household_triggers": {"value": {"lodger": "lodger_joined"}, "source": "case_record", "evidence": "V"}},
        "household_triggers",
    ),
    (
        "evidence_u_not_unverified",
        {"attended_outcomes": {"value": ["attended_complied"], "source": "case_record", "evidence": "U"}},
        "evidence U needs unverified = true",
    ),
    (
        "unknown_source",
        {"attended_outcomes": {"value": ["attended_complied"], "source": "nowhere", "evidence": "V"}},
        "source 'nowhere' is not in [sources]",
    ),
    (
        "rosh_level_misspelt",
        {"home_visit_rosh_levels": {"value": ["hihg"], "source": "case_record", "evidence": "V"}},
        "RoSH level must be one of",
    ),
]


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in BAD_RECORDS], ids=[c[0] for c in BAD_RECORDS])
def test_a_bad_record_term_is_refused_when_the_preset_loads(change: dict[str, Any], message: str) -> None:
    with pytest.raises(TimescalePolicyError, match=re.escape(message)):
        parse_policy(_record(**change), where="local.toml")


def test_a_record_term_left_out_is_refused() -> None:
    raw = _record()
    del raw["record"]["missed_outcomes"]
    with pytest.raises(TimescalePolicyError, match="missing terms missed_outcomes"):
        parse_policy(raw)


def test_a_preset_without_record_terms_makes_no_work_items_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _record()
    del raw["record"]
    bare = parse_policy(raw)
    monkeypatch.setattr(work_item_decisions, "timescale_policy_for", lambda day, chosen: bare)
    with pytest.raises(TimescalePolicyError, match="preset ps2021 has no \\[record\\] terms"):
        decide(snapshot(), EventCreated(community()))


def test_every_record_term_is_in_the_docs_table() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "timescales.md").read_text(encoding="utf-8")
    section = docs.split("### How the case record starts the clocks", 1)[1].split("\n## ", 1)[0]
    for name in RECORD_TERM_NAMES:
        assert f"| `{name}` |" in section, f"docs/timescales.md: the [record] table has no row for {name}"


# ---- a case's record replayed: the same items as deciding each event on a fresh snapshot ------------------------

MONDAY_7_DECEMBER = D(2026, 12, 7)
HISTORY: list[tuple[D, Any]] = [
    (FRIDAY_20_NOVEMBER, EventCreated(community())),
    (FRIDAY_20_NOVEMBER, Allocated(community(), "Paul Lee", FRIDAY_20_NOVEMBER)),
    (TODAY, RegistrationAdded(reg(1, "RHRH", start=TODAY))),
    (TODAY, ContactRecorded("induction", TODAY, ATTENDED, contact_id=1)),
    (D(2026, 11, 26), MarkedDone("new-4", D(2026, 11, 26), "Police check requested")),
    (MONDAY_7_DECEMBER, ContactRecorded("home_visit", MONDAY_7_DECEMBER, ATTENDED, contact_id=2)),
    (D(2026, 12, 9), ContactRecorded("office_appointment", D(2026, 12, 9), MISSED, contact_id=3)),
    (D(2026, 12, 10), RegistrationEnded(reg(1, "RHRH", start=TODAY, end=D(2026, 12, 10)))),
]


def _one_snapshot_at_a_time(history: list[tuple[D, Any]]) -> dict[str, tuple[Any, ...]]:
    """The history decided the way the service decides it: a fresh snapshot of the items so far for each event."""
    items: dict[str, ItemFacts] = {}
    registrations: dict[int, RegistrationFacts] = {}
    out: dict[str, tuple[Any, ...]] = {}
    for day, event in history:
        if isinstance(event, RegistrationAdded | RegistrationEnded):
            registrations[event.registration.id] = event.registration
        case = snapshot(*items.values(), registrations=tuple(registrations.values()), today=day)
        for step in decide(case, event).steps:
            if isinstance(step, Create):
                items[step.key] = ItemFacts(
                    step.key, step.due.kind, "open", step.due.trigger.value, step.due.clock_started_on,
                    step.due.due_date, step.event_id, step.relationship_id,
                )  # fmt: skip
                out[step.key] = (step.due.kind.value, step.due.due_date, "open", None, "")
            elif isinstance(step, Close | Cancel):
                status, on = ("done", step.on) if isinstance(step, Close) else ("cancelled", day)
                items[str(step.item)] = ItemFacts(
                    **{**items[str(step.item)].__dict__, "status": status, "closed_on": on}
                )
                out[str(step.item)] = (*out[str(step.item)][:2], status, on, step.reason)
            elif isinstance(step, MarkAttendedClockStarted):
                items[str(step.item)] = ItemFacts(**{**items[str(step.item)].__dict__, "attended_clock_started": True})
    return out


def test_a_replayed_record_makes_the_items_deciding_each_event_on_a_fresh_snapshot_makes() -> None:
    replay = Replay(chosen_preset="ps2021")
    for day, event in HISTORY:
        replay.record(day, event)
    replayed = {
        key: (i.due.kind.value, i.due.due_date, i.status, i.closed_on, i.note or i.cancel_reason)
        for key, i in replay.items.items()
    }
    assert replayed == _one_snapshot_at_a_time(HISTORY)
    # and the story it tells: the induction closed the first appointment and started the plan and contact clocks,
    # the home visit was done and the next booked, the missed appointment has its follow-up, and the end of the high
    # RoSH registration cancelled the next home visit
    by_kind: dict[str, list[str]] = {}
    for kind, _, status, _, _ in replayed.values():
        by_kind.setdefault(kind, []).append(status)
    assert by_kind["first_appointment"] == ["done"]
    assert by_kind["sentence_plan"] == ["open"]
    assert by_kind["home_visit"] == ["done", "cancelled"]
    assert by_kind["non_attendance_follow_up"] == ["open"]
    assert by_kind["police_da_check"] == ["done"]
