"""The warning-sign policy (``policy/signals.toml``), read and compiled once per process.

The file holds the signals and their severities, the rules (each a signal and the phrases that raise it), the
cues that stop a hit (negation, hypothetical or advice, history) and the sentence-splitting abbreviations, with
its sources. ``signal_policy()`` compiles every phrase (``rules.signal_phrases``) and the anchor index the scanner
uses to try only the phrases a note can match (a rule's phrases with the same anchors are tried as one pattern).
A file that breaks the syntax raises ``ValueError`` naming the rule.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from openprobation.rules.signal_phrases import Anchor, PhraseError, phrase_compile, phrases_anchors, phrases_pattern

SIGNALS = (
    "new_relationship",
    "relationship_ended",
    "stalking_harassment",
    "threats",
    "controlling_behaviour",
    "weapons",
    "children",
    "victim_contact",
    "feels_unsafe",
    "police_involvement",
    "substance_relapse",
    "self_harm",
    "accommodation_loss",
)
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class SignalRule:
    id: str
    signal: str
    severity: str
    hypothetical: bool  # False: hypothetical cues do not stop this rule's hits
    unless: re.Pattern[str] | None  # a match overlapping a hit cancels it
    unless_sentence: re.Pattern[str] | None  # a match anywhere in the hit's sentence cancels it
    # The words one of which a sentence must hold for ``unless`` / ``unless_sentence`` to match in it (None: any).
    unless_anchors: frozenset[Anchor] | None = None
    unless_sentence_anchors: frozenset[Anchor] | None = None


@dataclass(frozen=True)
class Phrase:
    """The phrases of a rule that share their anchors, compiled as one pattern (no leading word boundary)."""

    rule: SignalRule
    texts: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Cues:
    negation: re.Pattern[str]
    pseudo_negation: re.Pattern[str]
    negation_window: int
    negation_after: re.Pattern[str]
    negation_after_window: int
    hypothetical: re.Pattern[str]
    hypothetical_window: int
    hypothetical_after: re.Pattern[str]
    history: re.Pattern[str]
    current: re.Pattern[str]
    reported_speech: re.Pattern[str]
    clause_breaks: re.Pattern[str]
    # Per cue (the names above), the words one of which a sentence must hold for the cue to match in any part of
    # it (None: no such words, always tried). ``clause_breaks`` covers its phrases only, not the punctuation.
    anchors: dict[str, frozenset[Anchor] | None]


@dataclass(frozen=True)
class SignalPrompts:
    """What a signal found in a contact note starts (``[prompts]``; see rules.work_item_decisions.SignalsFound)."""

    harm_signals: frozenset[str]
    unsafe_signals: frozenset[str]
    relationship_signals: frozenset[str]
    children_signals: frozenset[str]
    domestic_abuse_registration_codes: frozenset[str]
    reported_by_others_contact_types: frozenset[str]
    batch_prompt_days: int


def _prompts(raw: dict[str, Any]) -> SignalPrompts:
    def signals(name: str) -> frozenset[str]:
        values = frozenset(raw[name])
        unknown = sorted(values - set(SIGNALS))
        if unknown:
            raise ValueError(f"signals policy, prompts.{name}: unknown signals {', '.join(unknown)}")
        return values

    days = raw["batch_prompt_days"]
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ValueError("signals policy, prompts.batch_prompt_days must be a whole number of days, 0 or more")
    return SignalPrompts(
        harm_signals=signals("harm_signals"),
        unsafe_signals=signals("unsafe_signals"),
        relationship_signals=signals("relationship_signals"),
        children_signals=signals("children_signals"),
        domestic_abuse_registration_codes=frozenset(raw["domestic_abuse_registration_codes"]),
        reported_by_others_contact_types=frozenset(raw["reported_by_others_contact_types"]),
        batch_prompt_days=days,
    )


@dataclass(frozen=True)
class SignalPolicy:
    policy_version: str
    source: dict[str, Any]
    labels: dict[str, str]
    severities: dict[str, str]
    rules: tuple[SignalRule, ...]
    phrases: tuple[Phrase, ...]
    exact_anchors: dict[str, tuple[int, ...]]  # a word -> indexes into phrases
    prefix_anchors: dict[str, tuple[int, ...]]  # the beginning of a word -> indexes into phrases
    prefix_lengths: tuple[int, ...]  # the distinct lengths of the prefix anchors, shortest first
    unanchored: tuple[int, ...]  # phrases tried on every note
    cues: Cues
    abbreviations: frozenset[str]
    targets: dict[str, Any]
    prompts: SignalPrompts


def _pattern(phrases: list[str], where: str) -> re.Pattern[str]:
    try:
        return re.compile(phrases_pattern(phrases))
    except PhraseError as exc:
        raise ValueError(f"signals policy, {where}: {exc}") from None


CUE_PHRASES = ("negation", "pseudo_negation", "negation_after", "hypothetical", "hypothetical_after", "history",
               "current", "reported_speech", "clause_breaks")  # fmt: skip
# What else, besides its phrases, starts a clause break (see _cues).
CLAUSE_BREAK_MARKS = (";", ":", "(", ")", "-", "\u2013")


def _cues(raw: dict[str, Any]) -> Cues:
    breaks = phrases_pattern(raw["clause_breaks"])
    return Cues(
        anchors={name: phrases_anchors(raw[name]) for name in CUE_PHRASES},
        negation=_pattern(raw["negation"], "cues.negation"),
        pseudo_negation=_pattern(raw["pseudo_negation"], "cues.pseudo_negation"),
        negation_window=int(raw["negation_window"]),
        negation_after=_pattern(raw["negation_after"], "cues.negation_after"),
        negation_after_window=int(raw["negation_after_window"]),
        hypothetical=_pattern(raw["hypothetical"], "cues.hypothetical"),
        hypothetical_window=int(raw["hypothetical_window"]),
        hypothetical_after=_pattern(raw["hypothetical_after"], "cues.hypothetical_after"),
        history=_pattern(raw["history"], "cues.history"),
        current=_pattern(raw["current"], "cues.current"),
        reported_speech=_pattern(raw["reported_speech"], "cues.reported_speech"),
        clause_breaks=re.compile(f"{breaks}(?!\\w)|[;:()]|\\s[-\u2013]+\\s"),
    )


def policy_from_toml(text: str) -> SignalPolicy:
    """Compile a policy file's text (``ValueError`` naming what is wrong)."""
    raw = tomllib.loads(text)
    severities = {name: spec["severity"] for name, spec in raw["signals"].items()}
    if set(severities) != set(SIGNALS):
        raise ValueError(f"signals policy: the signals must be exactly {', '.join(SIGNALS)}")
    rules: list[SignalRule] = []
    phrases: list[Phrase] = []
    exact: dict[str, list[int]] = defaultdict(list)
    prefix: dict[str, list[int]] = defaultdict(list)
    unanchored: list[int] = []
    for spec in raw["rules"]:
        rule_id, signal = spec["id"], spec["signal"]
        if signal not in severities:
            raise ValueError(f"signals policy, rule {rule_id}: unknown signal {signal!r}")
        severity = spec.get("severity", severities[signal])
        if severity not in SEVERITIES:
            raise ValueError(f"signals policy, rule {rule_id}: severity must be one of {', '.join(SEVERITIES)}")
        rule = SignalRule(
            id=rule_id,
            signal=signal,
            severity=severity,
            hypothetical=bool(spec.get("hypothetical", True)),
            unless=_pattern(spec["unless"], f"rule {rule_id} unless") if spec.get("unless") else None,
            unless_sentence=(
                _pattern(spec["unless_sentence"], f"rule {rule_id} unless_sentence")
                if spec.get("unless_sentence")
                else None
            ),
            unless_anchors=phrases_anchors(spec["unless"]) if spec.get("unless") else None,
            unless_sentence_anchors=(phrases_anchors(spec["unless_sentence"]) if spec.get("unless_sentence") else None),
        )
        rules.append(rule)
        groups: dict[frozenset[Anchor] | None, list[tuple[str, str]]] = defaultdict(list)
        for text in spec["phrases"]:
            try:
                compiled = phrase_compile(text)
            except PhraseError as exc:
                raise ValueError(f"signals policy, rule {rule_id}: {exc}") from None
            groups[compiled.anchors].append((text, compiled.pattern))
        for group_anchors, members in groups.items():
            index = len(phrases)
            pattern = "|".join(f"(?:{member_pattern})" for _, member_pattern in members)
            phrases.append(Phrase(rule=rule, texts=tuple(t for t, _ in members), pattern=re.compile(pattern)))
            if group_anchors is None:
                unanchored.append(index)
            for anchor in group_anchors or ():
                (exact if anchor.exact else prefix)[anchor.text].append(index)
    return SignalPolicy(
        policy_version=raw["policy_version"],
        source=raw["source"],
        labels={name: spec["label"] for name, spec in raw["signals"].items()},
        severities=severities,
        rules=tuple(rules),
        phrases=tuple(phrases),
        exact_anchors={anchor: tuple(indexes) for anchor, indexes in exact.items()},
        prefix_anchors={anchor: tuple(indexes) for anchor, indexes in prefix.items()},
        prefix_lengths=tuple(sorted({len(anchor) for anchor in prefix})),
        unanchored=tuple(unanchored),
        cues=_cues(raw["cues"]),
        abbreviations=frozenset(raw["cues"]["abbreviations"]),
        targets=raw.get("evaluation", {}),
        prompts=_prompts(raw["prompts"]),
    )


@cache
def signal_policy() -> SignalPolicy:
    return policy_from_toml(resources.files(__package__).joinpath("policy/signals.toml").read_text())
