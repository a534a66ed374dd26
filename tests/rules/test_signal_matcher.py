"""The phrase matchers behind the scan: Hyperscan (when installed) and the pure-Python anchor index name every phrase
group that really matches a note, so the hits are the same on either path; the rules import and scan without
Hyperscan; the choice of matcher is explicit."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from openprobation.rules.signal_evaluation import shipped_notes
from openprobation.rules.signal_matcher import (
    AnchorMatcher,
    HyperscanMatcher,
    hyperscan_available,
    hyperscan_pattern,
    phrase_matcher,
)
from openprobation.rules.signal_phrases import starts_a_word
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.signals import SignalScanner, _normalise

POLICY = signal_policy()
needs_hyperscan = pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed")

# Notes on the edges of what each matcher reads: Python's white space over ASCII (\x1c-\x1f, \x0b, \x0c), tabs,
# hyphens, non-ASCII letters and digits, a note of punctuation only, very long words.
EDGE_NOTES = [
    "He disclosed self\x1charm and self\x0bharm; step\x0cson stays over.",
    "New\tgf approx 3/52.\tSelf-harm\tdenied.",
    "Ex says he keeps turning up at her work. Threatened to kill her.",
    "Café visit: she is scared of him; ex-partner\u2019s new boyfriend was arrested.",
    "Gf ٢٠/40 pregnant. He is drinking again.",
    "?!.;:()--",
    # cue windows: the words before or after a hit are rejoined with single spaces before the cues are tried
    "Denies   any\tcontact with the victim. Not\x0bself  harm; he is not\x1cdrinking.",
    "No concerns  negative  for drugs use. Reminded\t\thim  that if he starts a   relationship he must tell me.",
    "Historic   self - harm as a teenager; in  2015  he was arrested.  Currently  drinking  again.",
    "She says he has been following her , which  he   denies. Contact with children :  none.",
    "x" * 5000 + " harassing her " + "y" * 5000,
    "",
]


def real_matches(lower: str) -> set[int]:
    """The phrase groups with a match starting a word in the note (what the scanner keeps)."""
    return {
        index
        for index, phrase in enumerate(POLICY.phrases)
        if any(starts_a_word(lower, m.start()) for m in phrase.pattern.finditer(lower))
    }


def notes() -> list[str]:
    return [note.text for note in shipped_notes()] + EDGE_NOTES


def test_the_anchor_matcher_names_every_group_that_matches():
    matcher = AnchorMatcher(POLICY)
    for text in notes():
        lower = _normalise(text)
        assert real_matches(lower) <= set(matcher.candidates(lower)), text


@needs_hyperscan
def test_hyperscan_names_every_group_that_matches_and_only_groups_that_may():
    matcher = HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY))
    for text in notes():
        lower = _normalise(text)
        candidates = matcher.candidates(lower)
        assert candidates == sorted(set(candidates))
        assert real_matches(lower) <= set(candidates), text
    quiet = _normalise("Seen in office. Reported on time and presented well. Next appt 2/52.")
    assert matcher.candidates(quiet) == []


@needs_hyperscan
@pytest.mark.parametrize("text", EDGE_NOTES, ids=range(len(EDGE_NOTES)))
def test_both_paths_give_the_same_hits_on_edge_notes(text):
    python = SignalScanner(POLICY, AnchorMatcher(POLICY))
    accelerated = SignalScanner(POLICY, HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY)))
    assert accelerated.scan(text) == python.scan(text)


def test_white_space_is_spelt_out_for_hyperscan_as_python_reads_it():
    assert hyperscan_pattern(r"self[\s-]?harm") == rb"self[\t\n\x0b\x0c\r\x1c-\x1f -]?harm"


def test_the_matcher_is_chosen_explicitly(monkeypatch):
    assert phrase_matcher(POLICY, "python").name == "python"
    monkeypatch.setenv("OPENPROBATION_SIGNAL_MATCHER", "python")
    assert phrase_matcher(POLICY).name == "python"
    monkeypatch.delenv("OPENPROBATION_SIGNAL_MATCHER")
    assert phrase_matcher(POLICY).name == ("hyperscan" if hyperscan_available() else "python")
    with pytest.raises(ValueError, match="hyperscan or python"):
        phrase_matcher(POLICY, "re2")


def test_the_rules_import_and_scan_without_hyperscan():
    code = (
        "import sys; sys.modules['hyperscan'] = None\n"  # an import of hyperscan now fails
        "from openprobation.rules.signals import signal_scanner, signals_scan\n"
        "print(signal_scanner().matcher.name)\n"
        "print(sorted(h.signal for h in signals_scan('Ex says he keeps turning up at her work and she is scared.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["python", "['feels_unsafe', 'stalking_harassment']"]


@needs_hyperscan
def test_both_paths_agree_on_notes_with_odd_white_space():
    """Labelled sentences with their spaces doubled or turned into tabs and other white space at random (seeded):
    the cue windows rejoin words with single spaces, which the Hyperscan gate must allow for."""
    rng = random.Random(28)
    sentences = [s for note in shipped_notes() for s in note.text.split(". ")]
    python = SignalScanner(POLICY, AnchorMatcher(POLICY))
    accelerated = SignalScanner(POLICY, HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY)))
    spaces = ["  ", "\t", "\x0b", "\x0c", "\r", "\x1c", " - ", "   ", " \t "]
    raised = 0
    for _ in range(400):
        note = ". ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4)))
        note = "".join(rng.choice(spaces) if c == " " and rng.random() < 0.3 else c for c in note)
        hits = accelerated.scan(note)
        assert hits == python.scan(note), note
        raised += bool(hits)
    assert raised > 100
