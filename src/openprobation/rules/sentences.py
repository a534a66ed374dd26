"""Sentences of a contact note, for reporting the sentence a warning sign was found in and bounding its cues.

A sentence ends at ``.``, ``!`` or ``?`` followed by white space or the end of the note, and at a line break. A full
stop does not end a sentence after an abbreviation in the policy's list (``Mr.``, ``approx.``, ``appt.``), after a
word with a full stop inside it (``e.g.``, ``i.e.``, ``a.m.``), after a single letter (an initial), or after
``No.`` when a number follows. A note with no punctuation at all is one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Collection

END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)|\n")
# The same terminators, written to begin with a character set, which lets the regular-expression engine skip
# ahead to the next mark or line break instead of trying the whole pattern at every position (a test holds the
# two to the same matches).
END_FAST = re.compile(r"[\n.!?](?:(?<=\n)|[.!?]*[\"')\]]*(?=\s|$))")
NUMBER_AFTER_NO = re.compile(r"\s*\d")  # "No. 5": not the end of a sentence
MARKS = ".!?"
CLOSERS = "\"')]"


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
    """The sentence around a position, as :func:`sentence_spans` would give it, found by looking only at the
    terminators on either side of it (the note's other sentences are never split out).

    A terminator is a line break, or a run of ``.``, ``!`` and ``?`` followed by closing quotes or brackets and
    then white space or the end: ``END`` finds the same ones scanning from anywhere outside such a run, so the
    nearest one after a position is found by searching forwards from it, and the nearest one before it by looking
    back for the last mark. Whether a full stop ends a sentence (the abbreviation checks) is worked out only for
    the ones looked at."""

    __slots__ = ("_abbreviations", "_others", "text")

    def __init__(self, text: str, abbreviations: Collection[str]) -> None:
        self.text = text
        self._abbreviations = abbreviations
        self._others = "!" in text or "?" in text  # marks other than the full stop (most notes have none)

    def _ends_sentence(self, start: int, end: int) -> bool:
        """Whether the terminator at [start, end) ends a sentence: :func:`_is_abbreviation` of
        :func:`_word_before`, written out here because the scanner asks it for every sentence it looks at."""
        text = self.text
        if text[start] != "." or text.startswith("..", start):
            return True
        segment = text[text.rfind(" ", 0, start) + 1 : start]
        if segment.isalpha():  # the usual case: letters alone, with no white space to split at nor bracket to strip
            word = segment.lower()
        elif not segment or segment[-1].isspace():
            return True  # no word before: "" is not an abbreviation
        else:
            word = segment.rsplit(None, 1)[-1].lower().lstrip("(\"'[")
        if "." in word or (len(word) == 1 and word.isalpha()):
            return False
        if word == "no":
            return not NUMBER_AFTER_NO.match(text[end : end + 4])
        return word not in self._abbreviations

    def _begin(self, position: int) -> int:
        """Where the sentence holding ``position`` begins: the end of the last terminator before it that ends a
        sentence, or 0."""
        text, before = self.text, position
        rfind = text.rfind
        while True:
            last = rfind(".", 0, before)
            if self._others:
                last = max(last, rfind("!", 0, before), rfind("?", 0, before))
            line = rfind("\n", 0, before)
            if line > last:
                return line + 1  # a line break always ends a sentence
            if last < 0:
                return 0
            start = last  # the run of marks that ends at ``last``
            while start > 0 and text[start - 1] in MARKS:
                start -= 1
            end = last + 1
            while end < len(text) and text[end] in CLOSERS:
                end += 1
            if (end == len(text) or text[end].isspace()) and (text[start] != "." or self._ends_sentence(start, end)):
                return end
            before = start

    def _finish(self, position: int) -> int:
        """Where the sentence holding ``position`` ends: the end of the first terminator after it that ends a
        sentence, or the end of the text."""
        text, search = self.text, END_FAST.search
        found = search(text, position)
        while found is not None:
            start, end = found.span()
            if text[start] != "." or self._ends_sentence(start, end):
                return end
            found = search(text, end)
        return len(text)

    def around(self, position: int) -> tuple[int, int]:
        """(start, end) of the sentence holding ``position``, which must be a character of a word (not white
        space nor a terminator), white space trimmed: the span of :func:`sentence_spans` that holds it."""
        begin, finish = self._begin(position), self._finish(position)
        text = self.text
        while text[begin].isspace():  # the sentence holds ``position``, not white space: it stops there at last
            begin += 1
        while text[finish - 1].isspace():
            finish -= 1
        return begin, finish


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
        return bool(NUMBER_AFTER_NO.match(text[after : after + 4]))
    return word in abbreviations


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    sentence = text[start:end]
    stripped = sentence.strip()
    if stripped:
        start += len(sentence) - len(sentence.lstrip())
        spans.append((start, start + len(stripped)))
