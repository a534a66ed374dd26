"""Licence recall: which recall types the rules allow, and how long a fixed-term recall lasts.

The rule is a stateless calculator (``openprobation calc recall-type``, ``POST /api/v1/calculate/recall-type``) and
the check the recall workflow applies when a recall type is chosen. Pure: no Django, no clock (the decision date is
an input). The rule changes by the date of the decision (before 2 April 2024; the 2024 Order; FTR48 from
2 September 2025; FTR56 from 31 March 2026; from 29 July 2026 a charge, not a conviction, excludes); each version is
policy data (``policy/recall.toml``, with its sources and what is unverified). See docs/recall.md.

- Extended and indeterminate sentences: standard recall only.
- Determinate: by the version's side for the person (adult, or sentenced as a youth). Where a fixed-term recall is
  mandatory, standard recall is not allowed; where the version makes standard recall mandatory (FTR56 for adults
  once excluded), a fixed-term recall is not allowed; otherwise either.
- Fixed-term length: 56 days for adults from 31 March 2026; otherwise 14 days for a sentence under 12 months and
  28 days for 12 months or over (an unknown length counts as 12 months or over).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from openprobation.rules.predictors.base import Problems, Term

TOOL = "recall-type"
SentenceKind = Literal["determinate", "extended", "indeterminate"]
RecallReason = Literal["no_offence", "charged", "convicted"]
ExclusionCode = Literal[
    "parole_board_244zb",
    "repatriated_murder",
    "sopc_sentence",
    "dcr_sentence",
    "terrorism_offence",
    "foreign_power_threat",
    "charged_terrorism_or_state_threat",
]
EXCLUSION_CODES: tuple[str, ...] = ExclusionCode.__args__  # type: ignore[attr-defined]
RECALL_REASONS: tuple[str, ...] = RecallReason.__args__  # type: ignore[attr-defined]
MAXIMUM_LENGTH_MONTHS = 1200  # a determinate or extended sentence longer than 100 years is a data-entry error
REASON_WORDS = {"no_offence": "no further offence", "charged": "charged with a further offence",
                "convicted": "convicted of a further offence"}  # fmt: skip


# ---- the policy ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SideRule:
    """When a fixed-term recall is mandatory for one side (adults, or those sentenced as a youth)."""

    mandatory_fixed_term: bool
    max_length_months: int | None
    mappa_level_below: int | None
    excluded_by_category_4: bool
    excluded_by_serious_charge: bool
    excluding_reasons: frozenset[str]
    excluding_codes: frozenset[str]
    otherwise: Literal["either", "standard"]
    fixed_term_days: int | None  # None: by length (14 under the threshold, otherwise 28)


@dataclass(frozen=True)
class RuleVersion:
    id: str
    effective_from: dt.date | None  # None: every earlier date
    title: str
    evidence: str
    adult: SideRule
    youth: SideRule


@dataclass(frozen=True)
class Unverified:
    """A value the sources did not settle, the rule versions it bears on and the side (adult, youth; None: both)."""

    value: str
    note: str
    versions: frozenset[str]
    side: str | None

    def concerns(self, version: RuleVersion, data: RecallTypeInput) -> bool:
        if version.id not in self.versions or data.sentence_kind != "determinate":
            return False
        return self.side is None or (self.side == "youth") == data.sentenced_as_youth


@dataclass(frozen=True)
class RecallPolicy:
    policy_version: str
    length_threshold_months: int
    short_fixed_term_days: int
    long_fixed_term_days: int
    codes: Mapping[str, str]
    versions: tuple[RuleVersion, ...]  # oldest first
    unverified: tuple[Unverified, ...]

    def version_on(self, day: dt.date) -> RuleVersion:
        """The version in force for a decision on ``day``: the latest that started on or before it."""
        chosen = self.versions[0]
        for version in self.versions:
            if version.effective_from is None or version.effective_from <= day:
                chosen = version
        return chosen


def _side(table: Mapping[str, Any], where: str) -> SideRule:
    mandatory = table.get("mandatory_fixed_term")
    if not isinstance(mandatory, bool):
        raise ValueError(f"{where}.mandatory_fixed_term must be true or false")
    days = table.get("fixed_term_days")
    if days != "by_length" and not (isinstance(days, int) and not isinstance(days, bool) and days > 0):
        raise ValueError(f'{where}.fixed_term_days must be "by_length" or a number of days')
    otherwise = table.get("otherwise", "either")
    if otherwise not in ("either", "standard"):
        raise ValueError(f'{where}.otherwise must be "either" or "standard"')
    reasons = frozenset(table.get("excluding_reasons", ()))
    codes = frozenset(table.get("excluding_codes", ()))
    if unknown := reasons - set(RECALL_REASONS):
        raise ValueError(f"{where}.excluding_reasons: unknown {sorted(unknown)}")
    if unknown := codes - set(EXCLUSION_CODES):
        raise ValueError(f"{where}.excluding_codes: unknown {sorted(unknown)}")
    return SideRule(
        mandatory_fixed_term=mandatory,
        max_length_months=table.get("max_length_months"),
        mappa_level_below=table.get("mappa_level_below"),
        excluded_by_category_4=bool(table.get("excluded_by_category_4", False)),
        excluded_by_serious_charge=bool(table.get("excluded_by_serious_charge", False)),
        excluding_reasons=reasons,
        excluding_codes=codes,
        otherwise=otherwise,
        fixed_term_days=None if days == "by_length" else days,
    )


def parse_policy(raw: Mapping[str, Any]) -> RecallPolicy:
    versions = []
    for entry in raw["versions"]:
        where = f"versions.{entry['id']}"
        versions.append(RuleVersion(id=entry["id"], effective_from=entry.get("effective_from"), title=entry["title"],
                                    evidence=entry["evidence"], adult=_side(entry["adult"], f"{where}.adult"),
                                    youth=_side(entry["youth"], f"{where}.youth")))  # fmt: skip
    starts = [v.effective_from for v in versions]
    if starts[0] is not None or None in starts[1:] or starts[1:] != sorted(starts[1:]):  # type: ignore[type-var]
        raise ValueError("versions: the first has no effective_from, the rest are dated, oldest first")
    known = {v.id for v in versions}
    for u in raw.get("unverified", []):
        if not set(u["versions"]) <= known or u.get("side") not in (None, "adult", "youth"):
            raise ValueError(f"unverified {u['value']}: names a version or side that does not exist")
    if set(raw["codes"]) != set(EXCLUSION_CODES):
        raise ValueError("codes: every exclusion code is described, and no other")
    return RecallPolicy(
        policy_version=str(raw["policy_version"]),
        length_threshold_months=int(raw["length_threshold_months"]),
        short_fixed_term_days=int(raw["short_fixed_term_days"]),
        long_fixed_term_days=int(raw["long_fixed_term_days"]),
        codes=dict(raw["codes"]),
        versions=tuple(versions),
        unverified=tuple(Unverified(str(u["value"]), str(u["note"]), frozenset(u["versions"]), u.get("side"))
                         for u in raw.get("unverified", [])),
    )


@cache
def recall_policy() -> RecallPolicy:
    text = resources.files(__package__).joinpath("policy/recall.toml").read_text(encoding="utf-8")
    return parse_policy(tomllib.loads(text))


# ---- the calculator --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RecallTypeInput:
    """The facts the recall-type rule needs. ``sentence_length_months`` is null for an indeterminate sentence (and
    may be null, unknown, for another); ``exclusions`` lists the exclusion codes that apply (empty for none)."""

    sentence_kind: SentenceKind
    sentenced_as_youth: bool
    sentence_length_months: int | None
    recall_reason: RecallReason
    charged_with_serious_offence: bool
    mappa_level: int
    mappa_category: int
    exclusions: tuple[ExclusionCode, ...]
    decision_date: dt.date


@dataclass(frozen=True, kw_only=True)
class RecallTypeResult:
    tool: str
    policy_version: str
    rule_version: str
    fixed_term_allowed: bool
    fixed_term_mandatory: bool
    standard_allowed: bool
    fixed_term_days: int | None
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def recall_type_check(data: RecallTypeInput, problems: Problems) -> None:
    length = data.sentence_length_months
    if data.sentence_kind == "indeterminate":
        if length is not None:
            problems.add("sentence_length_months", "An indeterminate sentence has no length: send null")
    elif length is not None and not 1 <= length <= MAXIMUM_LENGTH_MONTHS:
        problems.add("sentence_length_months", f"Enter the length in whole months, from 1 to {MAXIMUM_LENGTH_MONTHS}")
    if not 0 <= data.mappa_level <= 3:
        problems.add("mappa_level", "Enter the MAPPA level, 0 (not managed under MAPPA) to 3")
    if not 0 <= data.mappa_category <= 4:
        problems.add("mappa_category", "Enter the MAPPA category, 0 (none) to 4")
    seen: set[str] = set()
    for i, code in enumerate(data.exclusions):
        if code in seen:
            problems.add(f"exclusions.{i}", f"{code} is listed twice")
        seen.add(code)


def recall_type_calculate(data: RecallTypeInput, policy: RecallPolicy | None = None) -> RecallTypeResult:
    """The recall types allowed for a recall decided on ``decision_date``, and the fixed term's length."""
    policy = policy or recall_policy()
    problems = Problems()
    recall_type_check(data, problems)
    problems.raise_if_any()
    version = policy.version_on(data.decision_date)
    terms = [Term("decision_date", data.decision_date.isoformat(), version.id,
                  version.title, detail=_version_detail(version))]  # fmt: skip
    notes = [f"Unverified: {u.note}" for u in policy.unverified if u.concerns(version, data)]
    if data.sentence_kind != "determinate":
        words = "an extended" if data.sentence_kind == "extended" else "an indeterminate"
        detail = f"{words} sentence is recalled on a standard recall; no fixed-term recall"
        terms.append(Term("sentence_kind", data.sentence_kind, "determinate only", "standard recall only", detail))
        return _result(policy, version, fixed=False, mandatory=False, standard=True, days=None, terms=terms,
                       notes=notes)  # fmt: skip
    side = version.youth if data.sentenced_as_youth else version.adult
    who = "sentenced as a youth" if data.sentenced_as_youth else "adult"
    terms.append(Term("sentenced_as_youth", data.sentenced_as_youth, None, f"{who} rule"))
    if data.sentence_length_months is None:
        notes.append("Sentence length not given: counted as 12 months or over")
    if not side.mandatory_fixed_term:
        terms.append(Term("mandatory_fixed_term", None, None, "fixed-term or standard",
                          detail=f"no mandatory fixed-term recall for this {who} case under this rule: either, on "
                                 "the risk test"))  # fmt: skip
        fixed, mandatory, standard = True, False, True
    else:
        exclusions = _exclusions(side, data, terms)
        if not exclusions:
            terms.append(Term("mandatory_fixed_term", None, None, "fixed-term recall mandatory",
                              detail="no exclusion applies: fixed-term recall, standard recall not allowed"))
            fixed, mandatory, standard = True, True, False
        elif side.otherwise == "standard":
            terms.append(Term("mandatory_fixed_term", None, None, "standard recall mandatory",
                              detail="excluded from the fixed-term recall (" + "; ".join(exclusions)
                                     + "): standard recall only"))  # fmt: skip
            fixed, mandatory, standard = False, False, True
        else:
            terms.append(Term("mandatory_fixed_term", None, None, "fixed-term or standard",
                              detail="excluded from the mandatory fixed-term recall (" + "; ".join(exclusions)
                                     + "): either, on the risk test"))  # fmt: skip
            fixed, mandatory, standard = True, False, True
    days = _fixed_term_days(side, data.sentence_length_months, policy, terms) if fixed else None
    return _result(policy, version, fixed=fixed, mandatory=mandatory, standard=standard, days=days, terms=terms,
                   notes=notes)  # fmt: skip


def _exclusions(side: SideRule, data: RecallTypeInput, terms: list[Term]) -> list[str]:
    """What excludes this case from the mandatory fixed-term recall (an explanation term for each condition)."""
    found: list[str] = []

    def condition(name: str, value: Any, rule: str, excludes: bool, words: str) -> None:
        terms.append(Term(name, value, rule, "excludes" if excludes else "does not exclude", detail=words))
        if excludes:
            found.append(words)

    length = data.sentence_length_months
    if side.max_length_months is not None:
        over = length is None or length >= side.max_length_months
        shown = "unknown (counted as 12 months or over)" if length is None else f"{length} months"
        condition("sentence_length_months", length, f"under {side.max_length_months} months", over,
                  f"sentence {shown}" + (f", not under {side.max_length_months} months" if over else ""))
    if side.mappa_level_below is not None:
        at = data.mappa_level >= side.mappa_level_below
        condition("mappa_level", data.mappa_level, f"below level {side.mappa_level_below}", at,
                  f"MAPPA level {data.mappa_level}")
    if side.excluded_by_category_4:
        condition("mappa_category", data.mappa_category, "not category 4", data.mappa_category == 4,
                  f"MAPPA category {data.mappa_category}")
    if side.excluded_by_serious_charge:
        condition("charged_with_serious_offence", data.charged_with_serious_offence, "not charged with a serious "
                  "offence", data.charged_with_serious_offence,
                  "charged with a serious offence" if data.charged_with_serious_offence
                  else "not charged with a serious offence")  # fmt: skip
    if side.excluding_reasons:
        rule = "not " + " or ".join(REASON_WORDS[r] for r in sorted(side.excluding_reasons))
        condition("recall_reason", data.recall_reason, rule, data.recall_reason in side.excluding_reasons,
                  REASON_WORDS[data.recall_reason])
    if side.excluding_codes:
        policy = recall_policy()
        hits = [code for code in data.exclusions if code in side.excluding_codes]
        ignored = [code for code in data.exclusions if code not in side.excluding_codes]
        for code in hits:
            condition("exclusions", code, "none of " + ", ".join(sorted(side.excluding_codes)), True,
                      policy.codes[code])
        if not hits:
            condition("exclusions", None, "none of " + ", ".join(sorted(side.excluding_codes)), False,
                      "no exclusion code of this rule applies")
        for code in ignored:
            terms.append(Term("exclusions", code, "not an exclusion under this rule", "ignored",
                              detail=policy.codes[code]))
    elif data.exclusions:
        terms.append(Term("exclusions", ", ".join(data.exclusions), "not an exclusion under this rule", "ignored"))
    return found


def _fixed_term_days(side: SideRule, length: int | None, policy: RecallPolicy, terms: list[Term]) -> int:
    if side.fixed_term_days is not None:
        terms.append(Term("fixed_term_days", None, f"{side.fixed_term_days} days", side.fixed_term_days,
                          detail=f"a fixed-term recall under this rule is {side.fixed_term_days} days"))
        return side.fixed_term_days
    threshold = policy.length_threshold_months
    short = length is not None and length < threshold
    days = policy.short_fixed_term_days if short else policy.long_fixed_term_days
    rule = f"{policy.short_fixed_term_days} under {threshold} months, otherwise {policy.long_fixed_term_days}"
    terms.append(Term("fixed_term_days", length, rule, days,
                      detail="sentence under 12 months" if short else "sentence 12 months or over (or unknown)"))
    return days


def _result(policy: RecallPolicy, version: RuleVersion, *, fixed: bool, mandatory: bool, standard: bool,
            days: int | None, terms: list[Term], notes: list[str]) -> RecallTypeResult:  # fmt: skip
    return RecallTypeResult(
        tool=TOOL,
        policy_version=policy.policy_version,
        rule_version=version.id,
        fixed_term_allowed=fixed,
        fixed_term_mandatory=mandatory,
        standard_allowed=standard,
        fixed_term_days=days,
        explanation=tuple(terms),
        notes=tuple(notes),
    )


def _version_detail(version: RuleVersion) -> str:
    since = f"from {version.effective_from.isoformat()}" if version.effective_from else "before 2024-04-02"
    return f"rule in force {since} (evidence {version.evidence})"


# ---- what the recall workflow asks -----------------------------------------------------------------------------------


def recall_type_problem(result: RecallTypeResult, recall_type: str) -> str | None:
    """Why ``recall_type`` (``standard`` or ``fixed_term``) may not be chosen under ``result``; None when it may."""
    if recall_type == "fixed_term" and not result.fixed_term_allowed:
        return "A fixed-term recall is not allowed for this case: the rules allow standard recall only"
    if recall_type == "standard" and not result.standard_allowed:
        return "A fixed-term recall is mandatory for this case: standard recall is not allowed"
    if recall_type not in ("standard", "fixed_term"):
        return "Choose standard or fixed-term recall"
    return None
