"""The phrase syntax of the warning-sign policy (``policy/signals.toml``), compiled to regular expressions.

A phrase is words separated by spaces, matched whole and in order within one sentence of lower-cased text:
``word`` the word; ``word*`` any word beginning so; ``a|b|c*`` one of the alternatives; ``word?`` an optional word;
``~N`` up to N other words; a hyphen inside a word matches a hyphen, a space or nothing (``self-harm``); ``NUM`` a
number with any ending (``20s``); ``YEAR`` a year 1900-2099 not inside a date written 03/12/2019.

Each phrase also names its **anchors**: the beginnings of the words one of which every match must contain (taken
from its most distinctive required word). A note none of whose words begins with an anchor cannot match, so the
scanner tries only the phrases whose anchors a note's words begin with. A compiled phrase has no leading word
boundary (which would stop the regular-expression engine skipping ahead to the first letter): callers check that
a match does not start inside a word (:func:`starts_a_word`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Between two words: anything but letters, digits and the marks that end a sentence or clause.
SEPARATOR = r"[^\w.!?;\n]+"
NUMBER = r"\d+\w*"
YEAR = r"(?<![\w/.])(?:19|20)\d\d(?![\w/])"
GAP = re.compile(r"~([1-9])")
# Words too common to be a phrase's anchor when a rarer required word is there.
COMMON_WORDS = frozenset(
    "a about after again all also an and another any are around as at back be been before but by call called can "
    "could day did do does down each every for from get go going got had has have he her hers him his home how i "
    "if in into is it just last like me more my new next no not now of off on one only or other our out over said "
    "says see seen she should so some still than that the their them then there they this time times to told two "
    "under up very was we week well went were what when where who will with work would you".split()
)


class PhraseError(ValueError):
    """A phrase the syntax does not allow (a policy file error)."""


@dataclass(frozen=True)
class Anchor:
    """A word of the note (``exact``) or the beginning of one that a phrase's match must contain."""

    text: str
    exact: bool


@dataclass(frozen=True)
class CompiledPhrase:
    phrase: str
    pattern: str
    anchors: frozenset[Anchor] | None  # None: no usable anchor, try the phrase on every note


def _alternative(alternative: str, phrase: str) -> str:
    if not alternative:
        raise PhraseError(f"empty alternative in {phrase!r}")
    stem = alternative.endswith("*")
    body = alternative[:-1] if stem else alternative
    if body in ("NUM", "YEAR"):
        return NUMBER if body == "NUM" else YEAR
    pieces = []
    for part in re.split(r"(NUM|-)", body):
        if part == "NUM":
            pieces.append(NUMBER)
        elif part == "-":
            pieces.append(r"[\s-]?")
        elif part:
            pieces.append(re.escape(part))
    return "".join(pieces) + (r"\w*" if stem else r"(?!\w)")


def _word(token: str, phrase: str) -> tuple[str, bool]:
    optional = token.endswith("?") and len(token) > 1
    if optional:
        token = token[:-1]
    alternatives = token.split("|")
    return "(?:" + "|".join(_alternative(a, phrase) for a in alternatives) + ")", optional


def _anchor_literals(token: str) -> frozenset[Anchor] | None:
    """The leading letters of each alternative of a required word, or None when one has none (NUM, YEAR).

    The note's words are its runs of letters and digits, so ``ex's`` contains the word ``ex`` exactly, while
    ``harass*`` and ``self-harm`` (also written "selfharm") only begin one."""
    literals = set()
    for alternative in token.split("|"):
        numbered = alternative.startswith("NUM")
        if "YEAR" in alternative or (numbered and not re.fullmatch(r"NUM\W[a-z0-9]+", alternative)):
            return None
        if numbered:  # NUM/40: the word after the number
            literals.add(Anchor(alternative[4:], exact=True))
            continue
        found = re.match(r"[a-z0-9_]+", alternative)
        if found is None:
            return None
        rest = alternative[found.end() :]
        literals.add(Anchor(found.group(), exact=not rest.startswith(("*", "-"))))
    return frozenset(literals)


def phrase_compile(phrase: str) -> CompiledPhrase:
    """The regular expression and anchors of one phrase; :class:`PhraseError` if it breaks the syntax."""
    tokens = phrase.split()
    if not tokens:
        raise PhraseError("empty phrase")
    if GAP.fullmatch(tokens[0]) or GAP.fullmatch(tokens[-1]) or tokens[0].endswith("?"):
        raise PhraseError(f"{phrase!r} must begin and end with a required word")
    if re.sub("NUM|YEAR", "", phrase) != re.sub("NUM|YEAR", "", phrase).lower():
        raise PhraseError(f"{phrase!r} must be lower case (NUM and YEAR aside)")
    parts: list[str] = []
    candidates: list[frozenset[Anchor]] = []
    for index, token in enumerate(tokens):
        gap = GAP.fullmatch(token)
        if gap:
            parts.append(f"(?:{SEPARATOR}\\w+){{0,{gap.group(1)}}}")
            continue
        if token.startswith("~"):
            raise PhraseError(f"{token!r} in {phrase!r}: a gap is ~1 to ~9")
        pattern, optional = _word(token, phrase)
        if index == 0:
            parts.append(pattern)
        elif optional:
            parts.append(f"(?:{SEPARATOR}{pattern})?")
        else:
            parts.append(SEPARATOR + pattern)
        literals = None if optional else _anchor_literals(token)
        if literals:
            candidates.append(literals)
    return CompiledPhrase(phrase=phrase, pattern="".join(parts), anchors=_best_anchor(candidates))


def _best_anchor(candidates: list[frozenset[Anchor]]) -> frozenset[Anchor] | None:
    """The required word least likely in an ordinary note: no alternative a common word; then the most exact
    alternatives; then the longest shortest beginning."""
    if not candidates:
        return None

    def rarity(alternatives: frozenset[Anchor]) -> tuple[bool, float, int]:
        common = any(a.text in COMMON_WORDS or (not a.exact and len(a.text) < 4) for a in alternatives)
        exact = sum(a.exact for a in alternatives) / len(alternatives)
        return (not common, exact, min(len(a.text) for a in alternatives))

    return max(candidates, key=rarity)


def phrases_pattern(phrases: list[str] | tuple[str, ...]) -> str:
    """One pattern matching any of the phrases, each starting at a word boundary (for short cue windows)."""
    if not phrases:
        return r"(?!)"
    return r"(?<!\w)(?:" + "|".join(phrase_compile(p).pattern for p in phrases) + ")"


def phrases_anchors(phrases: list[str] | tuple[str, ...]) -> frozenset[Anchor] | None:
    """The anchors one of which every match of :func:`phrases_pattern` contains as a word (``exact``) or the
    beginning of one, or None when a phrase has none (a phrase made only of numbers, years and optional words).

    Every word of a match starts a word of the text it is found in (after the pattern's leading boundary or a
    separator), so a text none of whose words is or begins with an anchor has no match, nor has any part of it cut
    at word boundaries."""
    anchors: set[Anchor] = set()
    for phrase in phrases:
        found = phrase_compile(phrase).anchors
        if found is None:
            return None
        anchors.update(found)
    return frozenset(anchors)


def starts_a_word(text: str, start: int) -> bool:
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")
