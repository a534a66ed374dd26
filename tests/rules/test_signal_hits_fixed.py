"""The scan's hits are fixed: every labelled note, and a seeded set of notes built from their sentences (joined with
spaces, line breaks, no punctuation, curly apostrophes, upper case), gives exactly the hits stored in
``signal_hits_expected.json`` (signal, severity, evidence, sentence and rule, in order), on every path the scanner
can take. A change to the rules that changes a hit must regenerate the file on purpose and show the difference:

    PYTHONPATH=src python tests/rules/test_signal_hits_fixed.py --write
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from openprobation.rules.sentences import sentence_spans
from openprobation.rules.signal_evaluation import shipped_notes
from openprobation.rules.signal_matcher import AnchorMatcher, HyperscanMatcher, hyperscan_available
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.signals import SignalHit, SignalScanner, signals_scan, signals_scan_many

EXPECTED = Path(__file__).with_name("signal_hits_expected.json")
SYNTHETIC_NOTES = 1200
SEED = 2026


def synthetic_notes() -> list[str]:
    """Notes of 1 to 7 sentences from the labelled notes, in several writing styles (seeded, so always the same)."""
    abbreviations = signal_policy().abbreviations
    sentences = [
        note.text[start:end] for note in shipped_notes() for start, end in sentence_spans(note.text, abbreviations)
    ]
    rng = random.Random(SEED)
    notes = []
    for number in range(SYNTHETIC_NOTES):
        chosen = [rng.choice(sentences) for _ in range(rng.randint(1, 7))]
        style = number % 6
        if style == 0:
            note = " ".join(chosen)
        elif style == 1:
            note = "\n".join(chosen)
        elif style == 2:  # no punctuation, lower case, as typed in a hurry
            note = " ".join(s.rstrip(".!?").lower() for s in chosen)
        elif style == 3:  # curly apostrophes and quotes, a non-breaking space
            note = " ".join(chosen).replace("'", "\u2019").replace(" - ", " \u2013 ").replace(", ", ",\u00a0", 1)
        elif style == 4:
            note = " ".join(chosen).upper()
        else:  # semicolons and dashes between sentences
            note = rng.choice(["; ", " - ", ", ", ": "]).join(s.rstrip(".") for s in chosen) + "."
        notes.append(note)
    return notes


def hits_data(hits: tuple[SignalHit, ...]) -> list[list[str]]:
    return [[h.signal, h.severity, h.evidence, h.sentence, h.rule] for h in hits]


def current() -> dict[str, object]:
    return {
        "policy_version": signal_policy().policy_version,
        "labelled": {note.id: hits_data(signals_scan(note.text)) for note in shipped_notes()},
        "synthetic": [hits_data(signals_scan(text)) for text in synthetic_notes()],
    }


def scanners() -> list:
    """The scanner on each path: pure Python, and Hyperscan where it is installed (skipped where it is not)."""
    policy = signal_policy()
    python = SignalScanner(policy, AnchorMatcher(policy))
    skip = pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed")
    accelerated = (
        SignalScanner(policy, HyperscanMatcher(policy, fallback=AnchorMatcher(policy)))
        if hyperscan_available()
        else None
    )
    return [pytest.param(python, id="python"), pytest.param(accelerated, id="hyperscan", marks=skip)]


SCANNERS = scanners()
STORED = json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}
NOTES = shipped_notes()
SYNTHETIC = synthetic_notes()


def test_the_stored_hits_are_for_this_policy_and_every_labelled_note():
    assert STORED["policy_version"] == signal_policy().policy_version
    assert set(STORED["labelled"]) == {note.id for note in NOTES}
    assert len(STORED["synthetic"]) == SYNTHETIC_NOTES
    assert sum(1 for hits in STORED["synthetic"] if hits) > SYNTHETIC_NOTES // 3  # the set is not all quiet


@pytest.mark.parametrize("scanner", SCANNERS)
def test_labelled_note_hits_unchanged(scanner):
    changed = [
        (note.id, hits_data(scanner.scan(note.text)), STORED["labelled"][note.id])
        for note in NOTES
        if hits_data(scanner.scan(note.text)) != STORED["labelled"][note.id]
    ]
    assert changed == []


@pytest.mark.parametrize("scanner", SCANNERS)
def test_synthetic_note_hits_unchanged(scanner):
    changed = [
        (number, text, hits_data(scanner.scan(text)), expected)
        for number, (text, expected) in enumerate(zip(SYNTHETIC, STORED["synthetic"], strict=True))
        if hits_data(scanner.scan(text)) != expected
    ]
    assert changed == []


@pytest.mark.parametrize("scanner", SCANNERS)
def test_synthetic_note_hits_unchanged_when_scanned_together(scanner):
    """All 1,200 notes through each step of the scan together (as the batch scan takes them): the same hits."""
    changed = [
        (number, text, hits_data(hits), expected)
        for number, (text, hits, expected) in enumerate(
            zip(SYNTHETIC, scanner.scan_many(SYNTHETIC), STORED["synthetic"], strict=True)
        )
        if hits_data(hits) != expected
    ]
    assert changed == []


def test_the_shipped_scanner_gives_the_same_hits():
    assert [hits_data(hits) for hits in signals_scan_many(SYNTHETIC)] == STORED["synthetic"]
    assert all(hits_data(signals_scan(note.text)) == STORED["labelled"][note.id] for note in NOTES)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    data = current()
    lines = [f'{{"policy_version": {json.dumps(data["policy_version"])},', '"labelled": {']
    labelled = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in data["labelled"].items()]
    lines += [",\n".join(labelled), "},", '"synthetic": [']
    lines += [",\n".join(json.dumps(hits, ensure_ascii=False) for hits in data["synthetic"]), "]}"]
    EXPECTED.write_text("\n".join(lines) + "\n", encoding="utf-8")
