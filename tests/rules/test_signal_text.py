"""Sentence splitting and the phrase syntax of the warning-sign policy."""

from __future__ import annotations

import random
import re

import pytest

from openprobation.rules.sentences import END, END_FAST, SentenceFinder, sentence_spans
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


def test_the_sentence_around_a_word_is_the_sentence_split_out():
    """SentenceFinder.around (the scanner's, looking only next to a match) gives the span sentence_spans gives,
    for every word character of seeded random texts of marks, quotes, brackets, abbreviations and white space."""
    abbreviations = signal_policy().abbreviations
    rng = random.Random(17)
    pieces = [*"ab. !?\n\t\x1c\x0b'\")]([no1e.g", "mr", "No", "approx", "  ", "\u00a0", "\u2028", "...", "e.g.",
              "\r", "?!", ".)", "\x85", "no 5", "Mr.", " 5"]  # fmt: skip
    checked = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        spans = sentence_spans(text, abbreviations)
        finder = SentenceFinder(text, abbreviations)
        for position, character in enumerate(text):
            if re.match(r"\w", character):
                holding = [span for span in spans if span[0] <= position < span[1]]
                assert [finder.around(position)] == holding, (text, position)
                checked += 1
    assert checked > 20_000


def test_the_fast_terminator_pattern_finds_the_terminators_the_sentence_pattern_finds():
    """END_FAST (what the scanner's SentenceFinder searches with) and END give the same matches, from any start,
    on seeded random texts of marks, closers, line breaks and white space."""
    rng = random.Random(31)
    pieces = [*"ab. !?\n\t\x1c\x0b'\")]([no1e.g", "...", "?!", ".)", "\x85", ".\n", "\n.", "!\n", "\u2028", ".'\""]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        start = rng.randint(0, len(text))
        assert [m.span() for m in END_FAST.finditer(text, start)] == [m.span() for m in END.finditer(text, start)]
