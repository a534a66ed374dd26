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


def sentence_spans(text: str, abbreviations: Collection[str]) -> list[tuple[int, int]]:
    """(start, end) of each sentence, white space trimmed, in order; empty sentences left out."""
    spans: list[tuple[int, int]] = []
    start = 0
    for end in END.finditer(text):
        if end.group().startswith(".") and not end.group().startswith(".."):
            word = _word_before(text, end.start())
            if _is_abbreviation(word, text, end.end(), abbreviations):
                continue
        _add(spans, text, start, end.end())
        start = end.end()
    _add(spans, text, start, len(text))
    return spans


def _word_before(text: str, position: int) -> str:
    begin = position
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:position].lower().lstrip("(\"'[")


def _is_abbreviation(word: str, text: str, after: int, abbreviations: Collection[str]) -> bool:
    if "." in word or (len(word) == 1 and word.isalpha()):
        return True
    if word == "no":
        return bool(re.match(r"\s*\d", text[after : after + 4]))
    return word in abbreviations


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
