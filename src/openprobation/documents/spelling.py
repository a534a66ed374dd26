"""Spell-check prose in British English, offline, before a document is approved.

The dictionary is Hunspell's ``en_GB`` (Debian's ``hunspell-en-gb``, directory set by
``OPENPROBATION_HUNSPELL_DIR``), read by ``spylls``, a pure-Python Hunspell. Words the dictionary lacks but a
probation document uses every day (MAPPA, RoSH, OASys...) are in ``probation_words.txt`` beside this module; a
caller adds the names on its own record (the person's, the officer's, the court's) as ``known_words``.

What is not checked, and why: words with a digit ("12th", "2/52"); words in capitals ("PNC", "DV": acronyms);
words capitalised inside a sentence ("Leeds", "Smith": proper nouns the dictionary cannot know). A capitalised
word that starts a sentence is checked. Hyphenated words are checked part by part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from spylls.hunspell import Dictionary

WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*(?:-[A-Za-z][A-Za-z'\u2019]*)*")
SENTENCE_END = re.compile(r"[.!?:]\s*$|\n\s*$|^\s*$")
# Suggestions take a quarter of a second a word: offered for the first few distinct words only.
MAX_SUGGESTED_WORDS = 10


class SpellingUnavailable(RuntimeError):
    """The British English dictionary is not installed where the settings say."""


@dataclass(frozen=True)
class SpellingProblem:
    word: str
    start: int  # offset of the word in the text checked
    suggestions: tuple[str, ...]

    @property
    def message(self) -> str:
        if self.suggestions:
            return f"“{self.word}” is not in the British English dictionary: did you mean {_either(self.suggestions)}?"
        return f"“{self.word}” is not in the British English dictionary"


def _either(words: tuple[str, ...]) -> str:
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


@cache
def _dictionary(directory: str) -> Dictionary:
    base = Path(directory) / "en_GB"
    if not base.with_suffix(".dic").is_file() or not base.with_suffix(".aff").is_file():
        raise SpellingUnavailable(
            f"the British English dictionary is not installed: expected en_GB.dic and en_GB.aff in {directory} "
            "(Debian package hunspell-en-gb; or set OPENPROBATION_HUNSPELL_DIR)"
        )
    return Dictionary.from_files(str(base))


@cache
def probation_words() -> frozenset[str]:
    """The house word list: one word a line, ``#`` starts a comment."""
    text = (Path(__file__).with_name("probation_words.txt")).read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(w.lower() for w in words if w)


def dictionary() -> Dictionary:
    return _dictionary(str(settings.HUNSPELL_DIR))


def _starts_sentence(text: str, start: int) -> bool:
    return bool(SENTENCE_END.search(text[max(0, start - 4) : start])) if start else True


def _skip(word: str, text: str, start: int, known: frozenset[str]) -> bool:
    if word.lower() in known:
        return True
    if word.isupper() and len(word) > 1:
        return True  # an acronym
    if any(c.isupper() for c in word[1:]):
        return True  # "RoSH", "OASys", "McDonald": mixed case is a name or a term of art
    return word[0].isupper() and not _starts_sentence(text, start)


def _known(word: str, d: Dictionary) -> bool:
    plain = word.replace("\u2019", "'").strip("'")
    if not plain:
        return True
    return bool(d.lookup(plain) or (plain[0].isupper() and d.lookup(plain.lower())))


def check_spelling(text: str, known_words: Iterable[str] = ()) -> list[SpellingProblem]:
    """Each word of ``text`` the British English dictionary does not know, in order, with suggestions."""
    d = dictionary()
    known = probation_words() | {
        part.lower() for name in known_words for word in WORD.findall(name) for part in word.split("-")
    }
    problems: list[SpellingProblem] = []
    suggested: dict[str, tuple[str, ...]] = {}
    for match in WORD.finditer(text):
        if match.end() < len(text) and text[match.end()].isdigit():
            continue  # "A3", "u5s": part of a code
        if match.start() and text[match.start() - 1].isdigit():
            continue
        offset = match.start()
        for part in match.group().split("-"):
            if not _skip(part, text, offset, known) and not _known(part, d):
                key = part.lower()
                if key not in suggested and len(suggested) < MAX_SUGGESTED_WORDS:
                    suggested[key] = tuple(s for s in _suggest(d, part) if s.lower() != key)[:3]
                problems.append(SpellingProblem(part, offset, suggested.get(key, ())))
            offset += len(part) + 1
    return problems


def _suggest(d: Dictionary, word: str) -> list[str]:
    out: list[str] = []
    for suggestion in d.suggest(word):
        if " " not in suggestion:
            out.append(suggestion)
        if len(out) == 3:
            break
    return out
