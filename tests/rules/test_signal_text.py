"""Sentence splitting and the phrase syntax of the warning-sign policy."""

from __future__ import annotations

import re

import pytest

from openprobation.rules.sentences import sentence_spans
from openprobation.rules.signal_phrases import PhraseError, phrase_compile
from openprobation.rules.signal_policy import policy_from_toml, signal_policy


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text, signal_policy().abbreviations)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seen. All ok.", ["Seen.", "All ok."]),
        ("Mr. Smith called. Fine.", ["Mr. Smith called.", "Fine."]),
        ("Seen for approx. 20 mins. Fine.", ["Seen for approx. 20 mins.", "Fine."]),
        ("Triggers e.g. payday were discussed. Fine.", ["Triggers e.g. payday were discussed.", "Fine."]),
        ("Letter from J. Bloggs received.", ["Letter from J. Bloggs received."]),
        ("Lives at No. 5 now. He said no. Rebooked.", ["Lives at No. 5 now.", "He said no.", "Rebooked."]),
        ("seen all ok next appt 2 weeks", ["seen all ok next appt 2 weeks"]),
        ("Seen\nall ok", ["Seen", "all ok"]),
        ("Is he safe? Yes! Fine...", ["Is he safe?", "Yes!", "Fine..."]),
        ("Paid £2.50 today.", ["Paid £2.50 today."]),
    ],
    ids=["full_stops", "mr", "approx", "eg", "initial", "no_number", "no_punctuation", "line_break", "marks",
         "decimal"],
)  # fmt: skip
def test_sentence_splitting(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("phrase", "text", "matches"),
    [
        ("new gf", "a new gf", True),
        ("harass*", "harassing", True),
        ("follow|followed her", "followed her", True),
        ("seeing ~2 woman", "seeing a local woman", True),
        ("seeing ~1 woman", "seeing a nice local woman", False),
        ("self-harm", "selfharm", True),
        ("self-harm", "self harm", True),
        ("new girlfriend|gf", "new gfs", False),
        ("has a? new gf", "has new gf", True),
        ("NUM/40", "20/40", True),
    ],
    ids=["words", "stem", "alternatives", "gap", "gap_too_long", "hyphen_nothing", "hyphen_space", "whole_word",
         "optional", "number"],
)  # fmt: skip
def test_phrase_syntax(phrase, text, matches):
    assert bool(re.search(phrase_compile(phrase).pattern, text)) is matches


@pytest.mark.parametrize(
    "phrase",
    ["", "~2 gf", "new ~2", "new ~0 gf", "New gf", "gf? new"],
    ids=["empty", "starts_with_gap", "ends_with_gap", "gap_zero", "capitals", "optional_first"],
)
def test_phrase_syntax_errors(phrase):
    with pytest.raises(PhraseError):
        phrase_compile(phrase)


def test_policy_has_version_sources_and_every_signal():
    policy = signal_policy()
    assert policy.policy_version.startswith("signals-")
    assert all(url.startswith("https://") for url in policy.source["urls"])
    assert {rule.signal for rule in policy.rules} == set(policy.severities)


def test_a_policy_with_a_bad_phrase_names_the_rule():
    text = signal_policy_text().replace('"stalk*"', '"~3 stalk*"')
    with pytest.raises(ValueError, match=r"rule stalking_harassment\.stalking"):
        policy_from_toml(text)


def test_a_policy_with_an_unknown_signal_is_refused():
    text = signal_policy_text().replace('signal = "weapons"', 'signal = "weapon"')
    with pytest.raises(ValueError, match="unknown signal 'weapon'"):
        policy_from_toml(text)


def signal_policy_text() -> str:
    from importlib import resources

    return resources.files("openprobation.rules").joinpath("policy/signals.toml").read_text()
