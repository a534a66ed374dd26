"""Who should hold a case: the NPS/CRC split (2014-2021) and the grade rules of the unified service (2021+).

Policy data: ``policy/allocation_2014_split.toml`` (PI 05/2014 Case Allocation; RSR >= 6.9% flagged unverified)
and ``policy/allocation_2021_unified.toml`` (unverified throughout: no published grade rule was found). Each policy
is an ordered list of rules; the first whose every condition holds gives the allowed organisations or grades and
the reason. A condition on a fact the record does not hold does not hold, so a missing RoSH never passes for
"low". When no rule applies the allocation cannot be checked: ``allocation_check`` says so and names the facts the
policy's rules read that the case lacks (no RoSH registration, no calculated RSR or tier), so the report counts
such cases separately instead of letting them pass as agreeing.

Also the RSR comparison of the quality assurance report (``policy/quality_assurance.toml``): differences under the
tolerance are rounding.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from openprobation.rules.ops import SCALAR

ROSH_LEVELS = ("low", "medium", "high", "very_high")
TIER_PROTECT_LETTERS = ("A", "B", "C", "D")
MAPPA_LEVELS = (1, 2, 3)
CONDITIONS = ("rosh", "mappa", "mappa_level", "rsr_at_least", "rsr_below", "tier_protect")
POLICY_FILES = {"2014-split": "allocation_2014_split.toml", "2021-unified": "allocation_2021_unified.toml"}


class UnknownPolicy(ValueError):
    """No allocation policy with that name."""


@dataclass(frozen=True)
class AllocationFacts:
    """What the rules read from a case: RoSH level, MAPPA level (None: not a MAPPA case; 0: MAPPA with no level
    recorded), the calculated RSR percent and the calculated tier (V2, e.g. ``B2``)."""

    rosh: str | None = None
    mappa_level: int | None = None
    rsr_percent: Decimal | None = None
    tier: str | None = None

    @property
    def tier_protect(self) -> str | None:
        return self.tier[0] if self.tier else None


@dataclass(frozen=True)
class Condition:
    rosh: tuple[str, ...] | None = None
    mappa: bool | None = None
    mappa_level: tuple[int, ...] | None = None
    rsr_at_least: Decimal | None = None
    rsr_below: Decimal | None = None
    tier_protect: tuple[str, ...] | None = None

    def holds(self, facts: AllocationFacts) -> bool:
        return bool(self.test(SCALAR, facts))

    def test(self, o: Any, facts: Any) -> Any:
        """Whether every condition holds, over ``facts`` (``rosh``, ``mappa_level``, ``rsr_percent``,
        ``tier_protect``) for the evaluator ``o`` (``rules.ops.SCALAR``). A condition on a missing fact does not
        hold. The quality report's flags are worked out with these same rules, in Python (``risk.riskfacts``)."""
        checks = []
        if self.rosh is not None:
            checks.append(o.is_in(facts.rosh, self.rosh))
        if self.mappa is not None:
            present = o.not_(o.is_null(facts.mappa_level))
            checks.append(present if self.mappa else o.is_null(facts.mappa_level))
        if self.mappa_level is not None:
            checks.append(o.is_in(facts.mappa_level, self.mappa_level))
        if self.rsr_at_least is not None:
            checks.append(o.at_least(facts.rsr_percent, self.rsr_at_least))
        if self.rsr_below is not None:
            checks.append(o.below(facts.rsr_percent, self.rsr_below))
        if self.tier_protect is not None:
            checks.append(o.is_in(facts.tier_protect, self.tier_protect))
        return o.and_(*checks)


@dataclass(frozen=True)
class AllocationRule:
    id: str
    when: Condition
    allocate: frozenset[str]
    reason: str
    unverified: bool = False  # no published source says so: a disagreement with it is reported apart


@dataclass(frozen=True)
class AllocationPolicy:
    name: str
    policy_version: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    compares: str
    outcomes: tuple[str, ...]
    rules: tuple[AllocationRule, ...]
    unverified: tuple[str, ...]


@dataclass(frozen=True)
class AllocationExpectation:
    policy: str
    policy_version: str
    rule: str
    allowed: frozenset[str]
    reason: str
    unverified: bool = False  # the rule that decided has no published source

    def agrees(self, allocation: str) -> bool:
        return allocation in self.allowed


def _condition(raw: Mapping[str, Any], where: str) -> Condition:
    unknown = set(raw) - set(CONDITIONS)
    if unknown or not raw:
        raise ValueError(f"{where}: conditions must be some of {CONDITIONS}, not {sorted(unknown) or 'none'}")
    rosh = tuple(raw["rosh"]) if "rosh" in raw else None
    if rosh is not None and not set(rosh) <= set(ROSH_LEVELS):
        raise ValueError(f"{where}: RoSH levels are {ROSH_LEVELS}")
    levels = tuple(int(v) for v in raw["mappa_level"]) if "mappa_level" in raw else None
    if levels is not None and not set(levels) <= set(MAPPA_LEVELS):
        raise ValueError(f"{where}: MAPPA levels are {MAPPA_LEVELS}")
    letters = tuple(raw["tier_protect"]) if "tier_protect" in raw else None
    if letters is not None and not set(letters) <= set(TIER_PROTECT_LETTERS):
        raise ValueError(f"{where}: tier protect letters are {TIER_PROTECT_LETTERS}")
    mappa = raw.get("mappa")
    if mappa is not None and not isinstance(mappa, bool):
        raise ValueError(f"{where}: mappa is true or false")
    return Condition(
        rosh=rosh,
        mappa=mappa,
        mappa_level=levels,
        rsr_at_least=Decimal(str(raw["rsr_at_least"])) if "rsr_at_least" in raw else None,
        rsr_below=Decimal(str(raw["rsr_below"])) if "rsr_below" in raw else None,
        tier_protect=letters,
    )


def parse_policy(raw: Mapping[str, Any]) -> AllocationPolicy:
    outcomes = tuple(raw["outcomes"])
    rules = []
    for number, spec in enumerate(raw["rules"]):
        where = f"rule {number} ({spec.get('id')})"
        allocate = frozenset(spec["allocate"])
        if not allocate or not allocate <= set(outcomes):
            raise ValueError(f"{where}: allocate must be some of {outcomes}")
        unverified = spec.get("unverified", False)
        if not isinstance(unverified, bool):
            raise ValueError(f"{where}: unverified is true or false")
        rules.append(AllocationRule(spec["id"], _condition(spec["when"], where), allocate, spec["reason"], unverified))
    if len({r.id for r in rules}) != len(rules):
        raise ValueError("rule ids must be unique")
    return AllocationPolicy(
        name=raw["policy"],
        policy_version=raw["policy_version"],
        title=raw["title"],
        effective_from=raw["effective_from"],
        effective_to=raw.get("effective_to"),
        compares=raw["compares"],
        outcomes=outcomes,
        rules=tuple(rules),
        unverified=tuple(raw.get("unverified", ())),
    )


def policy_names() -> tuple[str, ...]:
    return tuple(POLICY_FILES)


@cache
def allocation_policy(name: str) -> AllocationPolicy:
    if name not in POLICY_FILES:
        raise UnknownPolicy(f"Choose one of: {', '.join(POLICY_FILES)}")
    text = resources.files(__package__).joinpath("policy", POLICY_FILES[name]).read_text()
    return parse_policy(tomllib.loads(text))


def policy_in_force(on: dt.date) -> AllocationPolicy:
    """The allocation policy in force on ``on``: the one whose period (``effective_from`` up to, not including,
    ``effective_to``) holds the date, the latest to start if several do."""
    found = [
        policy
        for policy in map(allocation_policy, POLICY_FILES)
        if policy.effective_from <= on and (policy.effective_to is None or on < policy.effective_to)
    ]
    if not found:
        raise UnknownPolicy(f"No allocation policy was in force on {on.isoformat()}")
    return max(found, key=lambda policy: policy.effective_from)


def matching_rule(facts: AllocationFacts, policy: AllocationPolicy) -> AllocationRule | None:
    return next((rule for rule in policy.rules if rule.when.holds(facts)), None)


def allocation_expected(facts: AllocationFacts, policy: AllocationPolicy) -> AllocationExpectation | None:
    """Who should hold the case under the policy, and why; None when no rule applies (facts missing)."""
    rule = matching_rule(facts, policy)
    if rule is None:
        return None
    return AllocationExpectation(
        policy.name, policy.policy_version, rule.id, rule.allocate, rule.reason, rule.unverified
    )


# The facts a rule may read that a case can lack, in the order they are named, with how the report names them.
# (A case with no MAPPA registration is "not MAPPA", a fact; it is never missing.)
MISSING_FACTS = {
    "rosh": "RoSH (no active RoSH registration)",
    "rsr": "calculated RSR (none, or not calculated)",
    "tier": "calculated tier (none, or not calculated)",
}
CANNOT_CHECK_RULE = "cannot_check"


@dataclass(frozen=True)
class AllocationCannotCheck:
    """No rule of the policy applies, so the allocation can be neither confirmed nor disputed."""

    policy: str
    policy_version: str
    missing: tuple[str, ...]  # keys of MISSING_FACTS
    rule: str = CANNOT_CHECK_RULE

    @property
    def missing_text(self) -> str:
        return "; ".join(MISSING_FACTS[key] for key in self.missing)

    @property
    def reason(self) -> str:
        if not self.missing:
            return f"No rule of the {self.policy} policy applies to this case's facts"
        return f"Cannot check under the {self.policy} policy: missing {self.missing_text}"


def facts_read(policy: AllocationPolicy) -> tuple[str, ...]:
    """The facts (keys of MISSING_FACTS) some rule of the policy reads."""
    used = set()
    for rule in policy.rules:
        when = rule.when
        if when.rosh is not None:
            used.add("rosh")
        if when.rsr_at_least is not None or when.rsr_below is not None:
            used.add("rsr")
        if when.tier_protect is not None:
            used.add("tier")
    return tuple(key for key in MISSING_FACTS if key in used)


def missing_facts(facts: AllocationFacts, policy: AllocationPolicy) -> tuple[str, ...]:
    """The facts the policy's rules read that the case does not have."""
    have = {"rosh": facts.rosh, "rsr": facts.rsr_percent, "tier": facts.tier}
    return tuple(key for key in facts_read(policy) if have[key] is None)


def allocation_check(facts: AllocationFacts, policy: AllocationPolicy) -> AllocationExpectation | AllocationCannotCheck:
    """The expectation of the first rule that applies or, when none does, that the case cannot be checked and why."""
    expected = allocation_expected(facts, policy)
    if expected is not None:
        return expected
    return AllocationCannotCheck(policy.name, policy.policy_version, missing_facts(facts, policy))


# ---- RSR: recorded against calculated ----


@dataclass(frozen=True)
class QualityPolicy:
    policy_version: str
    rsr_tolerance_points: Decimal


@cache
def quality_policy() -> QualityPolicy:
    raw = tomllib.loads(resources.files(__package__).joinpath("policy/quality_assurance.toml").read_text())
    tolerance = Decimal(str(raw["rsr_tolerance_points"]))
    if tolerance <= 0 or tolerance != tolerance.quantize(Decimal("0.01")):
        raise ValueError("rsr_tolerance_points must be a positive whole number of hundredths")
    return QualityPolicy(raw["policy_version"], tolerance)


def rsr_difference(recorded: Decimal, calculated: Decimal) -> Decimal:
    """Recorded minus calculated, in percentage points, both as kept (2 decimal places)."""
    return recorded.quantize(Decimal("0.01")) - calculated.quantize(Decimal("0.01"))


def rsr_disagrees(recorded: Decimal, calculated: Decimal, tolerance: Decimal) -> bool:
    """A difference at or above the tolerance is a disagreement; under it is rounding."""
    return abs(rsr_difference(recorded, calculated)) >= tolerance
