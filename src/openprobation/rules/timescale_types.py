"""The terms of the operating timescales: triggers, item kinds, owners, the case facts a rule may ask about, the
shape of a rule and of a preset, and the due item a rule produces (with whether it is overdue).

Pure data and small predicates; applying the rules is :mod:`openprobation.rules.timescale_engine`, the words are
:mod:`openprobation.rules.timescale_wording`, loading the presets is :mod:`openprobation.rules.timescale_presets`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from openprobation.rules.registrations import ROSH_ORDER

LOCAL_TIME = ZoneInfo("Europe/London")


class Trigger(StrEnum):
    """An event in the record that starts a timescale clock."""

    SENTENCE_COMMUNITY = "sentence_community"
    SENTENCE_CUSTODY = "sentence_custody"
    SENTENCE_LICENCE_RELEASE = "sentence_licence_release"
    ALLOCATION = "allocation"
    FIRST_APPOINTMENT_ATTENDED = "first_appointment_attended"
    APPOINTMENT_MISSED = "appointment_missed"
    ROSH_SCREENING_INDICATES_RISK = "rosh_screening_indicates_risk"
    ROSH_HIGH_OR_VERY_HIGH = "rosh_high_or_very_high"
    CHILD_PROTECTION_REGISTRATION = "child_protection_registration"
    PARTNER_JOINED_HOUSEHOLD = "partner_joined_household"
    CHILD_JOINED_HOUSEHOLD = "child_joined_household"
    REPORTING_REDUCTION_REQUESTED = "reporting_reduction_requested"
    FAILURE_TO_COMPLY_RECORDED = "failure_to_comply_recorded"
    FAILURE_TO_COMPLY_KNOWN = "failure_to_comply_known"
    BREACH_REFERRAL_ACCEPTED = "breach_referral_accepted"
    RECALL_DECIDED = "recall_decided"
    # A partner recorded who does not live in the household (a new intimate relationship all the same).
    NEW_PARTNER_RECORDED = "new_partner_recorded"
    # Warning signs found in a contact note or third-party report (rules/signals.py; docs/signals.md).
    SIGNAL_FOUND = "signal_found"
    HARM_SIGNAL_REPORTED = "harm_signal_reported"
    HARM_SIGNAL_REPORTED_ON_LICENCE = "harm_signal_reported_on_licence"
    UNSAFE_REPORTED = "unsafe_reported"
    NEW_RELATIONSHIP_REPORTED = "new_relationship_reported"
    NEW_RELATIONSHIP_CHILDREN_INVOLVED = "new_relationship_children_involved"
    RISK_ESCALATION_REQUESTED = "risk_escalation_requested"


class ItemKind(StrEnum):
    """A kind of work item."""

    ALLOCATION = "allocation"
    FIRST_APPOINTMENT = "first_appointment"
    ROSH_SCREENING = "rosh_screening"
    ROSH_FULL_ANALYSIS = "rosh_full_analysis"
    SENTENCE_PLAN = "sentence_plan"
    RISK_MANAGEMENT_PLAN = "risk_management_plan"
    POLICE_DA_CHECK = "police_da_check"
    CHILDRENS_SERVICES_CHECK = "childrens_services_check"
    HOME_VISIT = "home_visit"
    ROSH_REVIEW = "rosh_review"
    MONTHLY_CONTACT = "monthly_contact"
    REPORTING_CHANGE_COUNTERSIGN = "reporting_change_countersign"
    NON_ATTENDANCE_FOLLOW_UP = "non_attendance_follow_up"
    BREACH_REFERRAL = "breach_referral"
    BREACH_TO_COURT = "breach_to_court"
    ENFORCEMENT_ACTION = "enforcement_action"
    ENFORCEMENT_DECISION = "enforcement_decision"
    RECALL_REQUEST = "recall_request"
    SIGNAL_REVIEW = "signal_review"
    POLICE_NOTIFICATION = "police_notification"
    RECALL_CONSIDERATION = "recall_consideration"
    RISK_ESCALATION_REVIEW = "risk_escalation_review"


class Owner(StrEnum):
    """Who does the work: the case's practitioner, their senior probation officer, or case administration."""

    PRACTITIONER = "practitioner"
    SPO = "spo"
    ADMIN = "admin"


class SentenceType(StrEnum):
    COMMUNITY_ORDER = "community_order"
    SUSPENDED_SENTENCE_ORDER = "suspended_sentence_order"
    CUSTODY = "custody"
    LICENCE = "licence"
    POST_SENTENCE_SUPERVISION = "post_sentence_supervision"


class Provider(StrEnum):
    """The provider holding the case (2014-2021 only)."""

    NPS = "nps"
    CRC = "crc"


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


class TimescalePolicyError(ValueError):
    """A timescale preset file is malformed; the message names the file and the rule."""


# ---- inputs -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the rules' conditions may ask about the case. ``None`` means not recorded (never "no")."""

    sentence_type: SentenceType | None = None
    ns_tier: int | None = None  # NOMM tier 1-4, National Standards 2007 only
    rosh: str | None = None  # one of registrations.ROSH_ORDER
    provider: Provider | None = None
    child_protection: bool | None = None
    custodial_months: int | None = None
    months_to_release: int | None = None
    unacceptable_failures: int | None = None

    def __post_init__(self) -> None:
        # Services may pass raw strings from the database; keep the enums so identity checks hold.
        if self.sentence_type is not None:
            object.__setattr__(self, "sentence_type", SentenceType(self.sentence_type))
        if self.provider is not None:
            object.__setattr__(self, "provider", Provider(self.provider))
        if self.rosh is not None and self.rosh not in ROSH_ORDER:
            raise ValueError(f"rosh must be one of {', '.join(ROSH_ORDER)} (got {self.rosh!r})")
        if self.ns_tier is not None and self.ns_tier not in (1, 2, 3, 4):
            raise ValueError(f"ns_tier must be 1, 2, 3 or 4 (got {self.ns_tier})")


@dataclass(frozen=True)
class TriggerEvent:
    """Something that happened in the record. ``occurred_on`` is a date, or an aware datetime when the time matters
    (hour-based timescales such as a recall request need it)."""

    trigger: Trigger
    occurred_on: dt.date | dt.datetime
    facts: CaseFacts = field(default_factory=CaseFacts)
    # How the record shows the event, when it is not the trigger's own words (a first appointment marked done by
    # hand starts the "first appointment attended" clock, but nobody was seen to attend).
    phrase: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "trigger", Trigger(self.trigger))
        if isinstance(self.occurred_on, dt.datetime) and self.occurred_on.utcoffset() is None:
            raise ValueError("occurred_on must be a date or a timezone-aware datetime")

    @property
    def day(self) -> dt.date:
        """The local (England and Wales) date of the event."""
        if isinstance(self.occurred_on, dt.datetime):
            return self.occurred_on.astimezone(LOCAL_TIME).date()
        return self.occurred_on

    @property
    def at(self) -> dt.datetime | None:
        return self.occurred_on if isinstance(self.occurred_on, dt.datetime) else None


# ---- policy -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """An amount of one unit: 5 working days, 24 hours, 8 weeks, 3 months."""

    unit: Unit
    amount: int

    def describe(self) -> str:
        names = {
            Unit.WORKING_DAYS: ("working day", "working days"),
            Unit.HOURS: ("hour", "hours"),
            Unit.DAYS: ("day", "days"),
            Unit.WEEKS: ("week", "weeks"),
            Unit.MONTHS: ("month", "months"),
        }[self.unit]
        return f"{self.amount} {names[0] if self.amount == 1 else names[1]}"


@dataclass(frozen=True)
class Condition:
    """One condition on the case facts, as written in the policy file (``rosh_in = ["high", "very_high"]``)."""

    name: str
    value: Any

    def holds(self, facts: CaseFacts) -> bool | None:
        """True or False, or None when the fact it needs is not recorded."""
        fact_name, test = CONDITIONS[self.name]
        fact = getattr(facts, fact_name)
        return None if fact is None else test(fact, self.value)

    @property
    def fact(self) -> str:
        return CONDITIONS[self.name][0]


CONDITIONS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "sentence_type_in": ("sentence_type", lambda fact, allowed: fact in allowed),
    "ns_tier_in": ("ns_tier", lambda fact, allowed: fact in allowed),
    "rosh_in": ("rosh", lambda fact, allowed: fact in allowed),
    "provider_in": ("provider", lambda fact, allowed: fact in allowed),
    "child_protection": ("child_protection", lambda fact, wanted: fact == wanted),
    "custodial_months_at_least": ("custodial_months", lambda fact, bound: fact >= bound),
    "months_to_release_below": ("months_to_release", lambda fact, bound: fact < bound),
    "months_to_release_at_least": ("months_to_release", lambda fact, bound: fact >= bound),
    "unacceptable_failures_at_least": ("unacceptable_failures", lambda fact, bound: fact >= bound),
}

FACT_LABELS = {
    "sentence_type": "sentence type",
    "ns_tier": "tier",
    "rosh": "RoSH level",
    "provider": "provider",
    "child_protection": "child protection status",
    "custodial_months": "custodial term",
    "months_to_release": "time to release",
    "unacceptable_failures": "number of unacceptable failures",
}


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    urls: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class TimescaleRule:
    """One timescale: an event starts the clock; after ``offset`` (or by the time ``before`` is due, less
    ``working_days_before``) ``due`` is owed by ``owner``. Recurring rules repeat every ``recurrence`` once the item
    is done."""

    id: str
    kind: ItemKind
    trigger: Trigger
    owner: Owner
    due: str
    source: Source
    evidence: str
    offset: Period | None = None
    before: ItemKind | None = None
    # With ``before``: due this many working days before the anchor item, never before the clock started.
    working_days_before: int = 0
    recurrence: Period | None = None
    conditions: tuple[Condition, ...] = ()
    unverified: bool = False
    note: str = ""

    def applies(self, facts: CaseFacts) -> tuple[bool, tuple[str, ...]]:
        """Whether the rule applies, and the facts it had to assume because they were not recorded."""
        unknown: list[str] = []
        for condition in self.conditions:
            held = condition.holds(facts)
            if held is False:
                return False, ()
            if held is None:
                unknown.append(condition.fact)
        return True, tuple(dict.fromkeys(unknown))


@dataclass(frozen=True)
class TimescalePolicy:
    preset: str
    policy_version: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None  # exclusive; None while in force
    is_default: bool
    sources: Mapping[str, Source] = field(hash=False)
    rules: tuple[TimescaleRule, ...] = ()
    # How the case record starts this preset's clocks; None in a preset that gives no [record] terms, under which
    # no work items can be made from the record.
    record: RecordTerms | None = field(default=None, hash=False)
    # Presets the OPENPROBATION_TIMESCALE_PRESET setting may choose instead of this one, for a clock that starts
    # while this one is in force.
    setting_may_choose: tuple[str, ...] = ()
    # This preset also times clocks that started before its effective_from (the earliest preset held).
    covers_earlier_dates: bool = False

    def rules_for(self, trigger: Trigger) -> tuple[TimescaleRule, ...]:
        return tuple(r for r in self.rules if r.trigger is trigger)

    def rule(self, rule_id: str) -> TimescaleRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"{self.preset} has no timescale rule {rule_id!r}")

    def unverified_rules(self) -> tuple[TimescaleRule, ...]:
        return tuple(r for r in self.rules if r.unverified)

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


@dataclass(frozen=True)
class RecordTerm:
    """One value of a preset's ``[record]`` table, with its source like a rule."""

    name: str
    value: Any = field(hash=False)
    source: Source
    evidence: str
    unverified: bool = False
    note: str = ""


@dataclass(frozen=True)
class RecordTerms:
    """How the case record's values start a preset's clocks (``[record]`` in the preset file)."""

    # sentence type -> the trigger a new event of that type starts
    sentence_triggers: Mapping[str, Trigger]
    # a release date on an event of these types starts the licence-release clock
    release_sentence_types: frozenset[str]
    # attended contacts of these types are the first appointment / a face-to-face contact / a home visit
    first_appointment_contact_types: frozenset[str]
    face_to_face_contact_types: frozenset[str]
    home_visit_contact_types: frozenset[str]
    attended_outcomes: frozenset[str]
    # a contact with one of these outcomes starts the non-attendance follow-up
    missed_outcomes: frozenset[str]
    child_protection_registration_codes: frozenset[str]
    # a RoSH registration at these levels starts (and, while active, keeps) home visits
    home_visit_rosh_levels: frozenset[str]
    # relationship type -> the trigger it starts when that person now lives in the household
    household_triggers: Mapping[str, Trigger]
    terms: tuple[RecordTerm, ...] = ()


# ---- results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """A work item an event made due. ``due_at`` is set only for hour-based timescales (``due_date`` is its local
    date then). ``reason`` says, in words, why the item exists and how the date was reached."""

    kind: ItemKind
    due_date: dt.date
    owner: Owner
    rule_id: str
    policy_version: str
    reason: str
    trigger: Trigger
    clock_started_on: dt.date
    due_at: dt.datetime | None = None
    before: ItemKind | None = None
    recurrence: Period | None = None
    unverified: bool = False
    assumed_facts: tuple[str, ...] = ()

    def is_overdue(self, as_of: dt.date | dt.datetime) -> bool:
        """Overdue at ``as_of``: by the clock when the item has a due time and ``as_of`` is a datetime, otherwise by
        date (see :func:`is_overdue`)."""
        if self.due_at is not None and isinstance(as_of, dt.datetime):
            return aware(as_of) > self.due_at
        return is_overdue(self.due_date, as_of)


def is_overdue(due_date: dt.date, as_of: dt.date | dt.datetime) -> bool:
    """An item is overdue from the day after its due date: on the due day itself it is still in time.

    ``as_of`` may be an aware datetime (its England and Wales date is used). Computed when read, never stored.
    """
    if isinstance(due_date, dt.datetime):
        raise TypeError("is_overdue takes the due date; use DueItem.is_overdue for an hour-based due time")
    return local_date(as_of) > due_date


def local_date(moment: dt.date | dt.datetime) -> dt.date:
    if isinstance(moment, dt.datetime):
        return aware(moment).astimezone(LOCAL_TIME).date()
    return moment


def aware(moment: dt.datetime) -> dt.datetime:
    if moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment
