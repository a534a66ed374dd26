"""How well the warning-sign rules do on labelled contact notes: precision and recall per signal, and false prompts.

The labelled notes (``evaluation/signal_notes.jsonl``, one JSON object a line: ``id``, ``split``
(``development`` or ``held_out``), ``tags``, ``text``, ``expected``: the signals a practitioner would want raised)
were written for this purpose. A note counts once per signal: a true positive when the scanner raises a signal the
note expects, a false positive when it raises one the note does not expect, a false negative when it misses one.
A **false prompt** is a signal-free note that raises anything. The targets are policy (``[evaluation]`` in
``policy/signals.toml``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from openprobation.rules.signal_policy import SIGNALS, signal_policy
from openprobation.rules.signals import SignalHit, signals_scan

SPLITS = ("development", "held_out")
NOTES_RESOURCE = "evaluation/signal_notes.jsonl"


class LabelledNotesError(ValueError):
    """A labelled-notes file that cannot be read (the message names the line)."""


@dataclass(frozen=True)
class LabelledNote:
    id: str
    split: str
    text: str
    expected: frozenset[str]
    tags: tuple[str, ...] = ()


@dataclass
class SignalFigures:
    signal: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float | None:
        raised = self.true_positives + self.false_positives
        return self.true_positives / raised if raised else None

    @property
    def recall(self) -> float | None:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else None


@dataclass
class Evaluation:
    notes: int
    signals: dict[str, SignalFigures]
    quiet_notes: int
    false_prompts: list[str] = field(default_factory=list)  # ids of signal-free notes that raised something
    misses: list[tuple[str, str]] = field(default_factory=list)  # (note id, signal) expected, not raised
    extras: list[tuple[str, str]] = field(default_factory=list)  # (note id, signal) raised, not expected

    @property
    def overall(self) -> SignalFigures:
        total = SignalFigures("overall")
        for figures in self.signals.values():
            total.true_positives += figures.true_positives
            total.false_positives += figures.false_positives
            total.false_negatives += figures.false_negatives
        return total

    @property
    def false_prompt_rate(self) -> float | None:
        return len(self.false_prompts) / self.quiet_notes if self.quiet_notes else None

    def shortfalls(self, targets: dict[str, Any]) -> list[str]:
        """Each target not met, in words (empty when all are met)."""
        found = []
        for signal in targets.get("recall_signals", ()):
            recall = self.signals[signal].recall
            if recall is not None and recall < targets["recall_at_least"]:
                found.append(f"recall of {signal} {recall:.2f} is under {targets['recall_at_least']:.2f}")
        precision = self.overall.precision
        if precision is not None and precision < targets["precision_at_least"]:
            found.append(f"overall precision {precision:.2f} is under {targets['precision_at_least']:.2f}")
        rate = self.false_prompt_rate
        if rate is not None and rate > targets["false_prompt_rate_at_most"]:
            found.append(f"false-prompt rate {rate:.3f} is over {targets['false_prompt_rate_at_most']:.3f}")
        return found


def labelled_notes_read(text: str) -> list[LabelledNote]:
    """Parse a labelled-notes file (JSON lines); :class:`LabelledNotesError` names the first bad line."""
    notes = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelledNotesError(f"line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise LabelledNotesError(f'line {number}: expected an object with "text" (a string)')
        expected = row.get("expected", [])
        if not isinstance(expected, list) or not all(isinstance(s, str) for s in expected):
            raise LabelledNotesError(f'line {number}: "expected" must be a list of signal names')
        unknown = sorted(set(expected) - set(SIGNALS))
        if unknown:
            raise LabelledNotesError(f"line {number}: unknown signal {unknown[0]!r}; signals: {', '.join(SIGNALS)}")
        split = row.get("split", "development")
        if split not in SPLITS:
            raise LabelledNotesError(f"line {number}: split must be one of {', '.join(SPLITS)}")
        notes.append(LabelledNote(id=str(row.get("id", number)), split=split, text=row["text"],
                                  expected=frozenset(expected), tags=tuple(row.get("tags", ()))))  # fmt: skip
    if not notes:
        raise LabelledNotesError("no notes in the file")
    return notes


def shipped_notes() -> list[LabelledNote]:
    """The labelled notes that ship with OpenProbation."""
    return labelled_notes_read(resources.files(__package__).joinpath(NOTES_RESOURCE).read_text(encoding="utf-8"))


def evaluate(notes: Iterable[LabelledNote],
             scan: Callable[[str], Sequence[SignalHit]] = signals_scan) -> Evaluation:  # fmt: skip
    result = Evaluation(notes=0, signals={s: SignalFigures(s) for s in SIGNALS}, quiet_notes=0)
    for note in notes:
        result.notes += 1
        raised = {hit.signal for hit in scan(note.text)}
        if not note.expected:
            result.quiet_notes += 1
            if raised:
                result.false_prompts.append(note.id)
        for signal in SIGNALS:
            figures = result.signals[signal]
            if signal in raised and signal in note.expected:
                figures.true_positives += 1
            elif signal in raised:
                figures.false_positives += 1
                result.extras.append((note.id, signal))
            elif signal in note.expected:
                figures.false_negatives += 1
                result.misses.append((note.id, signal))
    return result


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def evaluation_report(evaluation: Evaluation, title: str, targets: dict[str, Any] | None = None) -> str:
    """The figures as a plain-text table, with the targets not met."""
    targets = signal_policy().targets if targets is None else targets
    lines = [f"{title}: {evaluation.notes} notes, {evaluation.quiet_notes} of them signal-free",
             f"{'signal':24} {'expected':>8} {'raised':>7} {'precision':>9} {'recall':>7}"]  # fmt: skip
    for figures in [*evaluation.signals.values(), evaluation.overall]:
        lines.append(
            f"{figures.signal:24} {figures.true_positives + figures.false_negatives:>8} "
            f"{figures.true_positives + figures.false_positives:>7} {_figure(figures.precision):>9} "
            f"{_figure(figures.recall):>7}"
        )
    rate = evaluation.false_prompt_rate
    lines.append(f"false prompts: {len(evaluation.false_prompts)} of {evaluation.quiet_notes} signal-free notes"
                 + (f" ({rate:.3f}, 1 in {1 / rate:.0f})" if rate else ""))  # fmt: skip
    shortfalls = evaluation.shortfalls(targets)
    lines.append("targets: " + ("all met" if not shortfalls else "NOT MET: " + "; ".join(shortfalls)))
    return "\n".join(lines)
