"""Operating timescales: which work items an event in a case record makes due, by when, and for whom.

Policy is data: one TOML preset per regime in ``policy/timescales_<preset>.toml`` (National Standards 2007, the
2014-2021 contract service levels, and the Probation Service levels from 2021, the default), each rule citing its
source and an evidence label; values no retrieved source gives are flagged ``unverified``. See docs/timescales.md.

The contract for a service: when something happens in the record, build a :class:`TriggerEvent` and call
:func:`items_due`; store each :class:`DueItem` (its due date, rule id, policy version and reason). When a recurring
item is done, :func:`next_occurrence` gives the next one. Whether an item is overdue is worked out when it is read,
with :func:`is_overdue`. Day counting is the working-day convention of :mod:`openprobation.rules.calendar`.

Facts that a rule's conditions need but the event does not give (the tier, the RoSH level, ...) never drop work:
the rule is applied, and where two rules for the same kind of item compete (tier 1-3 or tier 4, say) the earliest
due date wins. The reason text says which fact was missing.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from openprobation.rules.calendar import WorkingCalendar
from openprobation.rules.dates import add_months
from openprobation.rules.registrations import ROSH_ORDER

LOCAL_TIME = ZoneInfo("Europe/London")
DEFAULT_PRESET = "ps2021"
_POLICY_PREFIX = "timescales_"


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
    FAILURE_TO_COMPLY_KNOWN = "failure_to_comply_known"
    BREACH_REFERRAL_ACCEPTED = "breach_referral_accepted"
    RECALL_DECIDED = "recall_decided"


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
    RECALL_REQUEST = "recall_request"


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
        fact_name, test = _CONDITIONS[self.name]
        fact = getattr(facts, fact_name)
        return None if fact is None else test(fact, self.value)

    @property
    def fact(self) -> str:
        return _CONDITIONS[self.name][0]


_CONDITIONS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
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

_FACT_LABELS = {
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
            return _aware(as_of) > self.due_at
        return is_overdue(self.due_date, as_of)


def is_overdue(due_date: dt.date, as_of: dt.date | dt.datetime) -> bool:
    """An item is overdue from the day after its due date: on the due day itself it is still in time.

    ``as_of`` may be an aware datetime (its England and Wales date is used). Computed when read, never stored.
    """
    if isinstance(due_date, dt.datetime):
        raise TypeError("is_overdue takes the due date; use DueItem.is_overdue for an hour-based due time")
    return _local_date(as_of) > due_date


# ---- applying the rules -----------------------------------------------------------------------------------------


def items_due(event: TriggerEvent, policy: TimescalePolicy, calendar: WorkingCalendar) -> list[DueItem]:
    """The work items ``event`` makes due under ``policy``, earliest first.

    At most one item of each kind per event: when several rules for one kind apply (because a fact they depend on
    is not recorded) the earliest due date is kept. Items with ``before`` are due on the date of that other item, or
    ``working_days_before`` working days before it, but never before the clock started (the event's working day).
    """
    chosen: dict[ItemKind, tuple[TimescaleRule, tuple[str, ...], dt.date, dt.datetime | None]] = {}
    competing: set[ItemKind] = set()
    deferred: list[tuple[TimescaleRule, tuple[str, ...]]] = []
    for rule in policy.rules_for(event.trigger):
        applies, assumed = rule.applies(event.facts)
        if not applies:
            continue
        if rule.before is not None:
            deferred.append((rule, assumed))
            continue
        assert rule.offset is not None  # the loader requires offset or before
        due_date, due_at = _due_after(rule, rule.offset, event, calendar)
        current = chosen.get(rule.kind)
        if current is not None:
            competing.add(rule.kind)
            if current[2] <= due_date:
                continue
        chosen[rule.kind] = (rule, assumed, due_date, due_at)

    items = [
        _item(event, policy, rule, due_date, due_at, assumed, rule.kind in competing)
        for rule, assumed, due_date, due_at in chosen.values()
    ]
    for rule, assumed in deferred:
        assert rule.before is not None
        anchor = chosen.get(rule.before)
        # The loader checks that a rule for the anchor kind exists on the same trigger; if its conditions excluded
        # it for this case, the item is due on the event's working day rather than silently dropped.
        start = calendar.working_day_on_or_after(event.day)
        anchor_due = anchor[2] if anchor is not None else None
        due_date, held_back = start if anchor_due is None else anchor_due, False
        if anchor_due is not None and rule.working_days_before:
            ahead = calendar.subtract_working_days(anchor_due, rule.working_days_before)
            due_date, held_back = (ahead, False) if ahead >= start else (min(start, anchor_due), True)
        items.append(
            _item(event, policy, rule, due_date, None, assumed, competing=False, anchor=(anchor_due, held_back))
        )
    return sorted(items, key=lambda i: (i.due_date, i.kind))


def next_occurrence(
    kind: ItemKind,
    done_on: dt.date,
    facts: CaseFacts,
    policy: TimescalePolicy,
    calendar: WorkingCalendar,
) -> DueItem | None:
    """The next item of a recurring kind (home visit, monthly contact) after one was done on ``done_on``.

    Uses every recurring rule for ``kind`` whose conditions still hold for ``facts`` (the soonest wins); ``None``
    when none holds any more (RoSH lowered and child protection ended, say), so the series stops.
    """
    kind = ItemKind(kind)
    best: tuple[TimescaleRule, tuple[str, ...], dt.date] | None = None
    for rule in policy.rules:
        if rule.kind is not kind or rule.recurrence is None:
            continue
        applies, assumed = rule.applies(facts)
        if not applies:
            continue
        due_date = _add_period(done_on, rule.recurrence, calendar)
        if best is None or due_date < best[2]:
            best = (rule, assumed, due_date)
    if best is None:
        return None
    rule, assumed, due_date = best
    assert rule.recurrence is not None
    reason = (
        f"{_label(kind)} done on {_format_date(done_on)}: next {rule.due} within {rule.recurrence.describe()}, "
        f"by {_format_date(due_date)} ({policy.name})"
    )
    return DueItem(
        kind=kind,
        due_date=due_date,
        owner=rule.owner,
        rule_id=rule.id,
        policy_version=policy.policy_version,
        reason=reason + _assumption_text(assumed, competing=False),
        trigger=rule.trigger,
        clock_started_on=done_on,
        recurrence=rule.recurrence,
        unverified=rule.unverified,
        assumed_facts=assumed,
    )


def _due_after(
    rule: TimescaleRule, offset: Period, event: TriggerEvent, calendar: WorkingCalendar
) -> tuple[dt.date, dt.datetime | None]:
    if offset.unit is Unit.HOURS:
        if event.at is None:
            raise ValueError(
                f"rule {rule.id} counts {offset.describe()}, so the {event.trigger} event needs the time it "
                "happened: pass occurred_on as a timezone-aware datetime"
            )
        due_at = event.at + dt.timedelta(hours=offset.amount)
        return due_at.astimezone(LOCAL_TIME).date(), due_at
    return _add_period(event.day, offset, calendar), None


def _add_period(start: dt.date, period: Period, calendar: WorkingCalendar) -> dt.date:
    """Working days count forward; a calendar period that ends on a non-working day is due the working day before,
    so the period is never exceeded."""
    if period.unit is Unit.WORKING_DAYS:
        return calendar.add_working_days(start, period.amount)
    if period.unit is Unit.DAYS:
        end = start + dt.timedelta(days=period.amount)
    elif period.unit is Unit.WEEKS:
        end = start + dt.timedelta(weeks=period.amount)
    elif period.unit is Unit.MONTHS:
        end = add_months(start, period.amount)
    else:
        raise ValueError(f"{period.describe()} cannot be added to a date")
    return calendar.working_day_on_or_before(end)


def _item(
    event: TriggerEvent,
    policy: TimescalePolicy,
    rule: TimescaleRule,
    due_date: dt.date,
    due_at: dt.datetime | None,
    assumed: tuple[str, ...],
    competing: bool,
    anchor: tuple[dt.date | None, bool] = (None, False),
) -> DueItem:
    when = f"by {_format_datetime(due_at)}" if due_at is not None else f"by {_format_date(due_date)}"
    if rule.before is not None:
        label, (anchor_due, held_back) = _label(rule.before).lower(), anchor
        if not rule.working_days_before or anchor_due is None:
            timing = f"{when}, when the {label} is due"
        elif held_back:
            timing = (
                f"{when}, as it cannot be due before the clock started (the {label} is due by "
                f"{_format_date(anchor_due)})"
            )
        else:
            days = Period(Unit.WORKING_DAYS, rule.working_days_before).describe()
            timing = f"{when}, {days} before the {label} is due ({_format_date(anchor_due)})"
    else:
        assert rule.offset is not None
        timing = f"within {rule.offset.describe()}, {when}"
    occurred = f"at {_format_datetime(event.at)}" if event.at is not None else f"on {_format_date(event.day)}"
    reason = f"{_event_phrase(event)} {occurred}: {rule.due}, {timing} ({policy.name})"
    return DueItem(
        kind=rule.kind,
        due_date=due_date,
        due_at=due_at,
        owner=rule.owner,
        rule_id=rule.id,
        policy_version=policy.policy_version,
        reason=reason + _assumption_text(assumed, competing),
        trigger=event.trigger,
        clock_started_on=event.day,
        before=rule.before,
        recurrence=rule.recurrence,
        unverified=rule.unverified,
        assumed_facts=assumed,
    )


# ---- words ------------------------------------------------------------------------------------------------------

_EVENT_PHRASES = {
    Trigger.SENTENCE_COMMUNITY: "Community sentence passed",
    Trigger.SENTENCE_CUSTODY: "Custodial sentence passed",
    Trigger.SENTENCE_LICENCE_RELEASE: "Released on licence",
    Trigger.ALLOCATION: "Case allocated",
    Trigger.FIRST_APPOINTMENT_ATTENDED: "First appointment attended",
    Trigger.APPOINTMENT_MISSED: "Appointment missed",
    Trigger.ROSH_SCREENING_INDICATES_RISK: "RoSH screening indicated risk of serious harm",
    Trigger.ROSH_HIGH_OR_VERY_HIGH: "RoSH assessed as high or very high",
    Trigger.CHILD_PROTECTION_REGISTRATION: "Child protection registration recorded",
    Trigger.PARTNER_JOINED_HOUSEHOLD: "New partner recorded in the household",
    Trigger.CHILD_JOINED_HOUSEHOLD: "Child recorded as joining the household",
    Trigger.REPORTING_REDUCTION_REQUESTED: "Reduction in reporting frequency requested",
    Trigger.FAILURE_TO_COMPLY_KNOWN: "Failure to comply known",
    Trigger.BREACH_REFERRAL_ACCEPTED: "Breach referral accepted",
    Trigger.RECALL_DECIDED: "Recall decided",
}

_SENTENCE_PHRASES = {
    SentenceType.COMMUNITY_ORDER: "Community order sentenced",
    SentenceType.SUSPENDED_SENTENCE_ORDER: "Suspended sentence order sentenced",
}

_ROSH_WORDS = {"high": "high", "very_high": "very high"}


def _event_phrase(event: TriggerEvent) -> str:
    facts = event.facts
    if event.trigger is Trigger.SENTENCE_COMMUNITY and facts.sentence_type in _SENTENCE_PHRASES:
        return _SENTENCE_PHRASES[facts.sentence_type]
    if event.trigger is Trigger.ROSH_HIGH_OR_VERY_HIGH and facts.rosh in _ROSH_WORDS:
        return f"RoSH assessed as {_ROSH_WORDS[facts.rosh]}"
    return _EVENT_PHRASES[event.trigger]


def _label(kind: ItemKind) -> str:
    text = kind.value.replace("_", " ")
    for short, proper in (("rosh", "RoSH"), ("da ", "DA "), ("childrens", "children's")):
        text = text.replace(short, proper)
    return text[0].upper() + text[1:]


def _assumption_text(assumed: tuple[str, ...], competing: bool) -> str:
    if not assumed:
        return ""
    missing = " and ".join(_FACT_LABELS[f] for f in assumed)
    if competing:
        return f". The {missing} is not recorded, so the earliest of the possible timescales is used."
    return f". The {missing} is not recorded, so this timescale is applied to be safe."


def _format_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _format_datetime(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL_TIME)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'} on {_format_date(local.date())}"


def _local_date(moment: dt.date | dt.datetime) -> dt.date:
    if isinstance(moment, dt.datetime):
        return _aware(moment).astimezone(LOCAL_TIME).date()
    return moment


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment


# ---- loading presets --------------------------------------------------------------------------------------------


def timescale_presets() -> tuple[str, ...]:
    """The preset names available, e.g. ``("contracts_2014", "ns2007", "ps2021")``."""
    return _preset_names()


def timescale_policy(preset: str = DEFAULT_PRESET) -> TimescalePolicy:
    """The policy of one preset (the Probation Service levels by default)."""
    if preset not in _preset_names():
        raise KeyError(f"no timescale preset {preset!r}; choose one of {', '.join(_preset_names())}")
    return _load(preset)


def timescale_policy_in_force(on: dt.date) -> TimescalePolicy:
    """The preset whose effective dates include ``on`` (for replaying what applied at the time)."""
    for preset in _preset_names():
        policy = _load(preset)
        if policy.in_force_on(on):
            return policy
    raise LookupError(f"no timescale preset was in force on {on.isoformat()}")


@cache
def _preset_names() -> tuple[str, ...]:
    folder = resources.files(__package__).joinpath("policy")
    names = (
        entry.name.removeprefix(_POLICY_PREFIX).removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.startswith(_POLICY_PREFIX) and entry.name.endswith(".toml")
    )
    return tuple(sorted(names))


@cache
def _load(preset: str) -> TimescalePolicy:
    filename = f"{_POLICY_PREFIX}{preset}.toml"
    raw = tomllib.loads(resources.files(__package__).joinpath("policy", filename).read_text(encoding="utf-8"))
    return parse_policy(raw, where=filename)


def parse_policy(raw: Mapping[str, Any], *, where: str = "timescale policy") -> TimescalePolicy:
    """Build and check a policy from its TOML table (public so a locally configured preset can be checked too)."""
    problems: list[str] = []

    def fail(message: str) -> None:
        problems.append(f"{where}: {message}")

    sources = {
        key: Source(key=key, title=spec["title"], urls=tuple(spec.get("urls", ())), evidence=spec["evidence"])
        for key, spec in raw.get("sources", {}).items()
    }
    for source in sources.values():
        if source.evidence not in _EVIDENCE:
            fail(f"source {source.key}: evidence must be one of {', '.join(_EVIDENCE)}")

    rules: list[TimescaleRule] = []
    for spec in raw.get("rules", []):
        rule_id = spec.get("id", "<no id>")
        try:
            rules.append(_parse_rule(spec, sources))
        except (KeyError, ValueError, TypeError) as error:
            fail(f"rule {rule_id}: {error}")

    ids = [r.id for r in rules]
    for rule_id in sorted({i for i in ids if ids.count(i) > 1}):
        fail(f"rule id {rule_id} is used more than once")
    for rule in rules:
        if rule.before is not None and not any(
            r.kind is rule.before and r.trigger is rule.trigger and r.offset is not None for r in rules
        ):
            fail(f"rule {rule.id}: before = {rule.before} needs a rule for {rule.before} on the same trigger")
    if problems:
        raise TimescalePolicyError("; ".join(problems))

    effective_to = raw.get("effective_to")
    return TimescalePolicy(
        preset=raw["preset"],
        policy_version=raw["policy_version"],
        name=raw["name"],
        effective_from=raw["effective_from"],
        effective_to=effective_to,
        is_default=bool(raw.get("default", False)),
        sources=sources,
        rules=tuple(rules),
    )


_EVIDENCE = ("V", "C", "S", "U")
_RULE_KEYS = frozenset(
    {"id", "kind", "trigger", "offset", "before", "recurrence", "conditions", "owner", "due", "source", "evidence"}
    | {"working_days_before", "unverified", "note"}
)


def _parse_rule(spec: Mapping[str, Any], sources: Mapping[str, Source]) -> TimescaleRule:
    unknown = sorted(set(spec) - _RULE_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {', '.join(unknown)}")
    offset = _parse_period(spec["offset"]) if "offset" in spec else None
    before = ItemKind(spec["before"]) if "before" in spec else None
    if (offset is None) == (before is None):
        raise ValueError("give exactly one of offset or before")
    working_days_before = spec.get("working_days_before", 0)
    if "working_days_before" in spec:
        if before is None:
            raise ValueError("working_days_before goes with before (a kind this item is due ahead of)")
        if not isinstance(working_days_before, int) or isinstance(working_days_before, bool) or working_days_before < 0:
            raise ValueError(f"working_days_before must be a whole number, zero or more (got {working_days_before!r})")
    recurrence = _parse_period(spec["recurrence"]) if "recurrence" in spec else None
    if recurrence is not None and recurrence.unit is Unit.HOURS:
        raise ValueError("a recurrence is counted in working days, days, weeks or months, not hours")
    conditions = tuple(_parse_condition(name, value) for name, value in spec.get("conditions", {}).items())
    if spec["source"] not in sources:
        raise ValueError(f"source {spec['source']!r} is not in [sources]")
    evidence = spec["evidence"]
    if evidence not in _EVIDENCE:
        raise ValueError(f"evidence must be one of {', '.join(_EVIDENCE)}")
    unverified = bool(spec.get("unverified", False))
    note = spec.get("note", "")
    if evidence == "U" and not unverified:
        raise ValueError("evidence U needs unverified = true")
    if unverified and not note:
        raise ValueError("an unverified rule needs a note saying what is not verified")
    return TimescaleRule(
        id=spec["id"],
        kind=ItemKind(spec["kind"]),
        trigger=Trigger(spec["trigger"]),
        owner=Owner(spec["owner"]),
        due=spec["due"],
        source=sources[spec["source"]],
        evidence=evidence,
        offset=offset,
        before=before,
        working_days_before=working_days_before,
        recurrence=recurrence,
        conditions=conditions,
        unverified=unverified,
        note=note,
    )


def _parse_period(spec: Mapping[str, Any]) -> Period:
    if len(spec) != 1:
        raise ValueError(f"a period has exactly one unit, e.g. {{ working_days = 5 }} (got {dict(spec)})")
    ((unit, amount),) = spec.items()
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ValueError(f"{unit} must be a whole number, zero or more (got {amount!r})")
    return Period(unit=Unit(unit), amount=amount)


_CONDITION_VALUE_TYPES: dict[str, Callable[[Any], Any]] = {
    "sentence_type_in": lambda v: frozenset(SentenceType(x) for x in v),
    "ns_tier_in": lambda v: frozenset(int(x) for x in v),
    "rosh_in": lambda v: frozenset(_rosh(x) for x in v),
    "provider_in": lambda v: frozenset(Provider(x) for x in v),
    "child_protection": lambda v: _bool(v),
    "custodial_months_at_least": int,
    "months_to_release_below": int,
    "months_to_release_at_least": int,
    "unacceptable_failures_at_least": int,
}


def _parse_condition(name: str, value: Any) -> Condition:
    if name not in _CONDITIONS:
        raise ValueError(f"unknown condition {name!r}; known: {', '.join(sorted(_CONDITIONS))}")
    return Condition(name=name, value=_CONDITION_VALUE_TYPES[name](value))


def _rosh(value: str) -> str:
    if value not in ROSH_ORDER:
        raise ValueError(f"RoSH level must be one of {', '.join(ROSH_ORDER)} (got {value!r})")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false (got {value!r})")
    return value
