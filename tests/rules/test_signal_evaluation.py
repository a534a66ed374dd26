"""The evaluation of the warning-sign rules on the shipped labelled notes meets its targets, on the development
notes and on the held-out notes apart; and the evaluation counts what it says it counts."""

from __future__ import annotations

import pytest

from openprobation.rules.signal_evaluation import (
    LabelledNote,
    LabelledNotesError,
    evaluate,
    labelled_notes_read,
    shipped_notes,
)
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.signals import SignalHit

NOTES = shipped_notes()


def test_the_shipped_set_is_large_enough():
    assert len(NOTES) >= 300
    assert sum(1 for n in NOTES if not n.expected) >= 100
    assert sum(1 for n in NOTES if n.split == "held_out") >= 80
    assert len({n.id for n in NOTES}) == len(NOTES)


@pytest.mark.parametrize("split", ["development", "held_out"])
def test_targets_met(split):
    evaluation = evaluate([n for n in NOTES if n.split == split])
    assert evaluation.shortfalls(signal_policy().targets) == []


def hit(signal: str) -> SignalHit:
    return SignalHit(signal=signal, severity="high", evidence="x", sentence="x", rule=f"{signal}.x")


def test_counts_true_and_false_positives_misses_and_false_prompts():
    notes = [
        LabelledNote("a", "development", "threat", frozenset({"threats"})),
        LabelledNote("b", "development", "quiet", frozenset()),
        LabelledNote("c", "development", "missed", frozenset({"weapons"})),
    ]
    answers = {"threat": [hit("threats"), hit("children")], "quiet": [hit("children")], "missed": []}
    result = evaluate(notes, scan=lambda text: answers[text])
    assert (result.signals["threats"].precision, result.signals["threats"].recall) == (1.0, 1.0)
    assert result.signals["children"].false_positives == 2 and result.signals["children"].precision == 0.0
    assert result.signals["weapons"].recall == 0.0 and result.misses == [("c", "weapons")]
    assert result.false_prompts == ["b"] and result.false_prompt_rate == 1.0
    assert result.overall.precision == pytest.approx(1 / 3)


def test_shortfalls_name_each_target_missed():
    notes = [LabelledNote("a", "development", "x", frozenset({"threats"})), LabelledNote("b", "development", "y",
                                                                                     frozenset())]  # fmt: skip
    result = evaluate(notes, scan=lambda text: [hit("weapons")])
    found = result.shortfalls(signal_policy().targets)
    assert any("recall of threats" in s for s in found)
    assert any("overall precision" in s for s in found)
    assert any("false-prompt rate" in s for s in found)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{oops", "line 1: not JSON"),
        ('{"text": 3}', 'line 1: expected an object with "text"'),
        ('{"text": "x", "expected": ["weapon"]}', "unknown signal 'weapon'"),
        ('{"text": "x", "split": "test"}', "split must be one of"),
        ("", "no notes"),
    ],
    ids=["not_json", "text_not_string", "unknown_signal", "unknown_split", "empty"],
)
def test_a_bad_labelled_file_names_the_line(text, message):
    with pytest.raises(LabelledNotesError, match=message):
        labelled_notes_read(text)
