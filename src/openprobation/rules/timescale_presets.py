"""Loading the operating-timescale presets: one TOML file per regime in ``policy/timescales_<preset>.toml``, checked
as it loads (a typo fails loudly), and which preset was in force on a day."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from openprobation.rules.registrations import ROSH_ORDER
from openprobation.rules.timescale_types import (
    CONDITIONS,
    Condition,
    ItemKind,
    Owner,
    Period,
    Provider,
    RecordTerm,
    RecordTerms,
    SentenceType,
    Source,
    TimescalePolicy,
    TimescalePolicyError,
    TimescaleRule,
    Trigger,
    Unit,
)

DEFAULT_PRESET = "ps2021"
_POLICY_PREFIX = "timescales_"


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
    """The preset in force on ``on`` (see :func:`_in_force`; presets are read once, so the answer is kept)."""
    return _in_force(on)


@lru_cache(maxsize=8192)
def _in_force(on: dt.date) -> TimescalePolicy:
    """The preset in force on ``on``: the one whose effective dates include it (the newest, should a local preset
    overlap another), or, before every preset, the earliest one whose file says it covers earlier dates."""
    policies = [_load(preset) for preset in _preset_names()]
    in_force = [p for p in policies if p.in_force_on(on)]
    if in_force:
        return max(in_force, key=lambda p: p.effective_from)
    earlier = [p for p in policies if p.covers_earlier_dates and on < p.effective_from]
    if earlier:
        return min(earlier, key=lambda p: p.effective_from)
    raise LookupError(f"no timescale preset was in force on {on.isoformat()}")


def timescale_policy_for(clock_started_on: dt.date, chosen: str | None = None) -> TimescalePolicy:
    """The preset that times a clock started on ``clock_started_on``: the one in force that day, unless ``chosen``
    (the ``OPENPROBATION_TIMESCALE_PRESET`` setting) names a preset that the one in force lists in
    ``setting_may_choose``. See docs/timescales.md, "Which preset"."""
    return _policy_for(clock_started_on, chosen)


@lru_cache(maxsize=8192)
def _policy_for(clock_started_on: dt.date, chosen: str | None) -> TimescalePolicy:
    if chosen is not None and chosen not in _preset_names():
        raise KeyError(f"no timescale preset {chosen!r}; choose one of {', '.join(_preset_names())}")
    policy = timescale_policy_in_force(clock_started_on)
    if chosen is not None and chosen != policy.preset and chosen in policy.setting_may_choose:
        return _load(chosen)
    return policy


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
    record = None
    if "record" in raw:
        try:
            record = _parse_record(raw["record"], sources)
        except (KeyError, ValueError, TypeError) as error:
            fail(f"[record]: {error}")
    for name in raw.get("setting_may_choose", ()):
        if not isinstance(name, str) or name == raw.get("preset"):
            fail(f"setting_may_choose: {name!r} must name another preset")
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
        record=record,
        setting_may_choose=tuple(raw.get("setting_may_choose", ())),
        covers_earlier_dates=_bool(raw.get("covers_earlier_dates", False)),
    )


_TERM_KEYS = frozenset({"value", "source", "evidence", "unverified", "note"})


def _strings(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of strings (got {value!r})")
    return frozenset(value)


def _triggers(value: Any) -> Mapping[str, Trigger]:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a table of name = trigger (got {value!r})")
    return {str(k): Trigger(v) for k, v in value.items()}


def _rosh_levels(value: Any) -> frozenset[str]:
    return frozenset(_rosh(v) for v in _strings(value))


_RECORD_TERMS: dict[str, Callable[[Any], Any]] = {
    "sentence_triggers": _triggers,
    "release_sentence_types": lambda v: frozenset(SentenceType(x).value for x in _strings(v)),
    "first_appointment_contact_types": _strings,
    "face_to_face_contact_types": _strings,
    "home_visit_contact_types": _strings,
    "attended_outcomes": _strings,
    "missed_outcomes": _strings,
    "child_protection_registration_codes": _strings,
    "home_visit_rosh_levels": _rosh_levels,
    "household_triggers": _triggers,
}


RECORD_TERM_NAMES = tuple(_RECORD_TERMS)


def _parse_record(raw: Mapping[str, Any], sources: Mapping[str, Source]) -> RecordTerms:
    """The ``[record]`` table: every term, each a ``value`` with its ``source`` and ``evidence`` like a rule."""
    unknown = sorted(set(raw) - set(_RECORD_TERMS))
    if unknown:
        raise ValueError(f"unknown terms {', '.join(unknown)}")
    missing = [name for name in _RECORD_TERMS if name not in raw]
    if missing:
        raise ValueError(f"missing terms {', '.join(missing)}")
    terms: list[RecordTerm] = []
    values: dict[str, Any] = {}
    for name, parse in _RECORD_TERMS.items():
        spec = raw[name]
        extra = sorted(set(spec) - _TERM_KEYS)
        if extra:
            raise ValueError(f"{name}: unknown keys {', '.join(extra)}")
        if spec["source"] not in sources:
            raise ValueError(f"{name}: source {spec['source']!r} is not in [sources]")
        evidence, unverified, note = spec["evidence"], bool(spec.get("unverified", False)), spec.get("note", "")
        if evidence not in _EVIDENCE:
            raise ValueError(f"{name}: evidence must be one of {', '.join(_EVIDENCE)}")
        if evidence == "U" and not unverified:
            raise ValueError(f"{name}: evidence U needs unverified = true")
        if unverified and not note:
            raise ValueError(f"{name}: an unverified term needs a note saying what is not verified")
        try:
            values[name] = parse(spec["value"])
        except (KeyError, ValueError, TypeError) as error:
            raise ValueError(f"{name}: {error}") from error
        terms.append(RecordTerm(name, spec["value"], sources[spec["source"]], evidence, unverified, note))
    return RecordTerms(**values, terms=tuple(terms))


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
    if name not in CONDITIONS:
        raise ValueError(f"unknown condition {name!r}; known: {', '.join(sorted(CONDITIONS))}")
    return Condition(name=name, value=_CONDITION_VALUE_TYPES[name](value))


def _rosh(value: str) -> str:
    if value not in ROSH_ORDER:
        raise ValueError(f"RoSH level must be one of {', '.join(ROSH_ORDER)} (got {value!r})")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false (got {value!r})")
    return value
