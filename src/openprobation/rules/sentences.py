"""Sentences of a contact note, for reporting the sentence a warning sign was found in and bounding its cues.

A sentence ends at ``.``, ``!`` or ``?`` followed by white space or the end of the note, and at a line break. A full
stop does not end a sentence after an abbreviation in the policy's list (``Mr.``, ``approx.``, ``appt.``), after a
word with a full stop inside it (``e.g.``, ``i.e.``, ``a.m.``), after a single letter (an initial), or after
``No.`` when a number follows. A note with no punctuation at all is one sentence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection

END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)|\n")


def sentence_spans(text: str, abbreviations: Collection[str]) -> list[tuple[int, int]]:
    """(start, end) of each sentence, white space trimmed, in order; empty sentences left out."""
    spans: list[tuple[int, int]] = []
    start = 0
    for end in END.finditer(text):
        if text[end.start()] == "." and not end.group().startswith(".."):
            word = _word_before(text, end.start())
            if _is_abbreviation(word, text, end.end(), abbreviations):
                continue
        _add(spans, text, start, end.end())
        start = end.end()
    _add(spans, text, start, len(text))
    return spans


class SentenceFinder:
    """The sentence around a position, as :func:`sentence_spans` would give it, with only the terminators next to
    it checked (a note's other sentences are never split out).

    Every terminator (``END``) is found at once; whether one ends a sentence (the abbreviation checks) is worked
    out only when a position next to it is asked about, and remembered."""

    __slots__ = ("_abbreviations", "_ends", "_kept", "_starts", "text")

    def __init__(self, text: str, abbreviations: Collection[str]) -> None:
        self.text = text
        self._abbreviations = abbreviations
        terminators = [found.span() for found in END.finditer(text)]
        self._starts = [start for start, _ in terminators]
        self._ends = [end for _, end in terminators]
        self._kept: dict[int, bool] = {}

    def _ends_sentence(self, index: int) -> bool:
        kept = self._kept.get(index)
        if kept is None:
            text, start, end = self.text, self._starts[index], self._ends[index]
            kept = not (
                text[start] == "."
                and not text.startswith("..", start)
                and _is_abbreviation(_word_before(text, start), text, end, self._abbreviations)
            )
            self._kept[index] = kept
        return kept

    def around(self, position: int) -> tuple[int, int]:
        """(start, end) of the sentence holding ``position``, which must be a character of a word (not white
        space nor a terminator), white space trimmed: the span of :func:`sentence_spans` that holds it."""
        ends = self._ends
        after = bisect.bisect_right(ends, position)
        begin = 0
        for index in range(after - 1, -1, -1):
            if self._ends_sentence(index):
                begin = ends[index]
                break
        finish = len(self.text)
        for index in range(after, len(ends)):
            if self._ends_sentence(index):
                finish = ends[index]
                break
        sentence = self.text[begin:finish]
        begin += len(sentence) - len(sentence.lstrip())
        return begin, begin + len(sentence.strip())


def _word_before(text: str, position: int) -> str:
    """The run of non-space characters ending at ``position`` (lower case, opening brackets and quotes dropped)."""
    segment = text[text.rfind(" ", 0, position) + 1 : position]
    if not segment or segment[-1].isspace():
        return ""
    return segment.rsplit(None, 1)[-1].lower().lstrip("(\"'[")


def _is_abbreviation(word: str, text: str, after: int, abbreviations: Collection[str]) -> bool:
    if "." in word or (len(word) == 1 and word.isalpha()):
        return True
    if word == "no":
        return bool(re.match(r"\s*\d", text[after : after + 4]))
    return word in abbreviations


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    sentence = text[start:end]
    stripped = sentence.strip()
    if stripped:
        start += len(sentence) - len(sentence.lstrip())
        spans.append((start, start + len(stripped)))
