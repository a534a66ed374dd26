"""Which of the warning-sign policy's phrase groups a note can match: the one step of the scan that reads every
note whole, behind a small interface with two implementations that give the scanner the same answer.

``PhraseMatcher.candidates(lower)`` returns, in ascending order, the indexes (into ``SignalPolicy.phrases``) of the
phrase groups the scanner must try on a lower-cased note. It may name groups that turn out not to match (the
scanner runs each group's own regular expression and keeps only its real matches), but never leaves out one that
does, so the hits do not depend on which matcher ran:

- :class:`AnchorMatcher`, pure Python: each word of the note is looked up in the policy's anchor index (each
  phrase's most distinctive word), so a note is tried against the phrases whose anchor words it contains;
- :class:`HyperscanMatcher`, when the optional ``hyperscan`` package is installed: every phrase group compiled into
  one Hyperscan database and the note matched against all of them in one pass, each match reported with the
  leftmost start of a match ending where it ends (``HS_FLAG_SOM_LEFTMOST``). The groups' patterns are put for
  Hyperscan so that they match wherever the Python pattern does (:func:`hyperscan_som_pattern`: look-arounds
  dropped, a look-ahead after a word's last letter kept as a word boundary), so every real match lies inside a
  reported (start, end) stretch, and Python confirms its own pattern only from those starts. A group whose
  pattern cannot be put so is matched in prefilter mode and confirmed over the whole note as before. A note with a
  character outside ASCII goes to the anchor matcher (Python's ``\\w``, ``\\d`` and ``\\s`` are Unicode;
  Hyperscan's are ASCII here).

``PhraseMatcher.matches(lower)`` gives the real matches themselves: (start, end, group) for each match of each
named group's pattern that starts a word, exactly as ``pattern.finditer`` over the whole note gives them (in
order within a group; a match that does not start a word is dropped but still hides what it overlaps).

``phrase_matcher(policy)`` picks Hyperscan when it can be imported and the anchor matcher otherwise;
``OPENPROBATION_SIGNAL_MATCHER=python`` forces the pure-Python one.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

try:  # optional: the scan is the same without it, only slower
    import hyperscan
except ImportError:  # pragma: no cover - exercised where hyperscan is not installed
    hyperscan = None  # type: ignore[assignment]

from openprobation.rules.signal_phrases import starts_a_word

if TYPE_CHECKING:
    from openprobation.rules.signal_policy import SignalPolicy

WORD_PATTERN = r"\w+"
_MEMO_LIMIT = 200_000
# Python's \s over ASCII text: the six usual white-space characters and the four separators \x1c-\x1f.
_ASCII_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f "


class PhraseMatcher(Protocol):
    name: str

    def candidates(self, lower: str) -> list[int]: ...

    def matches(self, lower: str) -> list[tuple[int, int, int]]: ...

    def matches_many(self, lowers: Sequence[str]) -> list[list[tuple[int, int, int]]]: ...


# Between notes (or stretches of notes) matched in one Hyperscan pass: not a word character, so a word boundary
# next to it is one as at the end of the text, and not a character any phrase or cue needs to match.
BATCH_SEPARATOR = "\n"


def split_events(events: list[tuple[int, int, int]], lengths: Sequence[int]) -> list[list[tuple[int, int, int]]]:
    """Hyperscan's (end, start, id) events over texts joined by :data:`BATCH_SEPARATOR`, sorted by end, shared
    out to the texts: each event goes to the text its end falls in (an end in a separator, or at a text's first
    offset, ends no match of any text), as (id, start, end) in that text's own offsets, its start no earlier than
    the text's first character. A match that runs on from one text into the next is reported with an end in the
    next (with its start moved up to that text's start) as well as whatever the next text holds itself: it can
    only add events, never hide one, since every match inside a text ends where it would in a pass over that text
    alone, with a leftmost start no later than its own."""
    shared: list[list[tuple[int, int, int]]] = [[] for _ in lengths]
    if not events:
        return shared
    position, count, base = 0, len(events), 0
    for number, length in enumerate(lengths):
        top = base + length
        while position < count and events[position][0] <= base:
            position += 1  # an end in the separator before this text, or at its first offset
        mine = shared[number]
        while position < count and events[position][0] <= top:
            end, start, key = events[position]
            mine.append((key, start - base if start > base else 0, end - base))
            position += 1
        base = top + 1
        if position >= count:
            break
    return shared


def finditer_matches(policy: SignalPolicy, lower: str, groups: list[int]) -> list[tuple[int, int, int]]:
    """(start, end, group) of each match of the groups' own patterns over the whole note that starts a word."""
    found: list[tuple[int, int, int]] = []
    phrases = policy.phrases
    for index in groups:
        for match in phrases[index].pattern.finditer(lower):
            start = match.start()
            if starts_a_word(lower, start):
                found.append((start, match.end(), index))
    return found


class AnchorMatcher:
    """Pure Python: the note's words looked up in the anchor index (remembered word by word)."""

    name = "python"

    def __init__(self, policy: SignalPolicy) -> None:
        self.policy = policy
        self._words = re.compile(WORD_PATTERN).findall
        self._phrases_of_word: dict[str, tuple[int, ...]] = {}
        self._quiet_words: set[str] = set()

    def candidates(self, lower: str) -> list[int]:
        words = set(self._words(lower))
        words -= self._quiet_words
        candidates = set(self.policy.unanchored)
        for word in words:
            phrases = self._phrases_of_word.get(word)
            if phrases is None:
                phrases = self._phrases_starting(word)
            candidates.update(phrases)
        return sorted(candidates)

    def matches(self, lower: str) -> list[tuple[int, int, int]]:
        return finditer_matches(self.policy, lower, self.candidates(lower))

    def matches_many(self, lowers: Sequence[str]) -> list[list[tuple[int, int, int]]]:
        return [self.matches(lower) for lower in lowers]

    def _phrases_starting(self, word: str) -> tuple[int, ...]:
        """The phrases whose anchor ``word`` begins with, remembered (a word with none joins the quiet words)."""
        prefixes = self.policy.prefix_anchors
        found: set[int] = set(self.policy.exact_anchors.get(word, ()))
        for length in self.policy.prefix_lengths:
            if length > len(word):
                break
            found.update(prefixes.get(word[:length], ()))
        phrases = tuple(sorted(found))
        if len(self._phrases_of_word) + len(self._quiet_words) > _MEMO_LIMIT:
            self._phrases_of_word.clear()
            self._quiet_words.clear()
        if phrases:
            self._phrases_of_word[word] = phrases
        else:
            self._quiet_words.add(word)
        return phrases


def hyperscan_pattern(pattern: str) -> bytes:
    """A phrase group's Python pattern for Hyperscan over ASCII text: ``\\s`` spelt out as Python reads it."""
    return pattern.replace(r"[\s-]", f"[{_ASCII_SPACE}-]").encode("ascii")


# A look-ahead "not a word character" right after a literal word character (not part of an escape): a word boundary.
_BOUNDARY_AFTER_WORD = re.compile(r"(?<!\\[a-z0-9_])(?<=[a-z0-9_])\(\?!\\w\)")
_LOOKAROUND = re.compile(r"\(\?<?[!=]")


def hyperscan_som_pattern(pattern: str) -> bytes | None:
    """A phrase group's Python pattern for Hyperscan over ASCII text, matching at least wherever the Python pattern
    matches (the same start and end), with no construct Hyperscan cannot take exactly, so that start-of-match
    offsets can be asked for: a look-ahead ``(?!\\w)`` right after a word character is a word boundary; every other
    look-around (after a non-word character, and the year's) is dropped, which only widens it; ``\\s`` spelt out as
    Python reads it over ASCII. None when a look-around the rules do not cover is left (the group is then matched
    in prefilter mode and confirmed over the whole note)."""
    widened = _BOUNDARY_AFTER_WORD.sub(r"\\b", pattern)
    widened = widened.replace(r"(?!\w)", "").replace(r"(?<![\w/.])", "").replace(r"(?![\w/])", "")
    if _LOOKAROUND.search(widened) or not widened.isascii() or r"\s" in widened.replace(r"[\s-]", ""):
        return None  # (Hyperscan's \s leaves out \x1c-\x1f)
    return hyperscan_pattern(widened)


class HyperscanMatcher:
    """Every phrase group in one Hyperscan database, each match reported with its leftmost start (see the module
    docstring); groups that cannot take start offsets are reported once, in prefilter mode."""

    name = "hyperscan"

    def __init__(self, policy: SignalPolicy, fallback: PhraseMatcher) -> None:
        if hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        self.fallback = fallback
        self.policy = policy
        self._database = hyperscan.Database()
        expressions: list[bytes] = []
        flags: list[int] = []
        whole: set[int] = set()  # groups confirmed over the whole note (no start offsets)
        som = hyperscan.HS_FLAG_SOM_LEFTMOST
        prefilter = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
        for index, phrase in enumerate(policy.phrases):
            exact = hyperscan_som_pattern(phrase.pattern.pattern)
            if exact is not None and _compiles(exact, som):
                expressions.append(exact)
                flags.append(som)
            else:
                whole.add(index)
                expressions.append(hyperscan_pattern(phrase.pattern.pattern))
                flags.append(prefilter)
        self.whole = frozenset(whole)
        count = len(expressions)
        self._database.compile(expressions=expressions, ids=list(range(count)), elements=count, flags=flags)
        self._local = threading.local()  # a scratch space per thread (Hyperscan's rule)

    def _scratch(self) -> Any:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._database)
        return scratch

    def _events(self, lower: str) -> list[tuple[int, int, int]]:
        """(group, start, end) of every match Hyperscan reports, sorted."""
        found: list[tuple[int, int, int]] = []
        add = found.append

        def matched(index: int, start: int, end: int, flags: int, context: Any) -> None:
            add((index, start, end))

        self._database.scan(lower.encode("ascii"), match_event_handler=matched, scratch=self._scratch())
        found.sort()
        return found

    def candidates(self, lower: str) -> list[int]:
        if not lower.isascii():
            return self.fallback.candidates(lower)
        return sorted({index for index, _, _ in self._events(lower)})

    def matches(self, lower: str) -> list[tuple[int, int, int]]:
        """The real matches, as :func:`finditer_matches` gives them (see :meth:`_confirm`)."""
        if not lower.isascii():
            return self.fallback.matches(lower)
        events = self._events(lower)
        return self._confirm(lower, events) if events else []

    def matches_many(self, lowers: Sequence[str]) -> list[list[tuple[int, int, int]]]:
        """:meth:`matches` of each note, the ASCII ones matched in one Hyperscan pass, joined by
        :data:`BATCH_SEPARATOR` (:func:`split_events` shares the reported matches out to the notes)."""
        ascii_notes = [lower for lower in lowers if lower.isascii()]
        events: list[tuple[int, int, int]] = []
        if ascii_notes:
            add = events.append

            def matched(index: int, start: int, end: int, flags: int, context: Any) -> None:
                add((end, start, index))

            joined = BATCH_SEPARATOR.join(ascii_notes).encode("ascii")
            self._database.scan(joined, match_event_handler=matched, scratch=self._scratch())
            events.sort()
        shared = iter(split_events(events, [len(lower) for lower in ascii_notes]))
        found: list[list[tuple[int, int, int]]] = []
        for lower in lowers:
            if not lower.isascii():
                found.append(self.fallback.matches(lower))
                continue
            mine = next(shared)
            if mine:
                mine.sort()
                found.append(self._confirm(lower, mine))
            else:
                found.append([])
        return found

    def _confirm(self, lower: str, events: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """The real matches among Hyperscan's (group, start, end) events, sorted. Within a group, ``finditer``
        goes on from where its last match ended and finds the leftmost match at or after that point; every real
        match lies inside a reported stretch [start, end) (its end is reported, with a start no later than its
        own), so searching from the first stretch not yet passed finds the same match, without trying every
        position of the note before it."""
        found: list[tuple[int, int, int]] = []
        phrases, whole = self.policy.phrases, self.whole
        count = len(events)
        first = 0
        while first < count:
            index = events[first][0]
            last = first + 1
            while last < count and events[last][0] == index:
                last += 1
            pattern = phrases[index].pattern
            if index in whole:
                found.extend(finditer_matches(self.policy, lower, [index]))
                first = last
                continue
            position = 0
            while first < last:
                _, start, end = events[first]
                if end <= position:  # the stretch is behind the last match: nothing real starts in it any more
                    first += 1
                    continue
                match = pattern.search(lower, start if start > position else position)
                if match is None:
                    break
                begin, position = match.span()
                if begin == 0 or not (lower[begin - 1].isalnum() or lower[begin - 1] == "_"):  # starts_a_word
                    found.append((begin, position, index))
            first = last
        return found


def _compiles(expression: bytes, flags: int) -> bool:
    """Whether Hyperscan takes the expression with these flags (start offsets are not possible for every one)."""
    try:
        hyperscan.Database().compile(expressions=[expression], ids=[0], elements=1, flags=[flags])
    except hyperscan.error:
        return False
    return True


def hyperscan_cue_pattern(pattern: str) -> bytes | None:
    """A cue pattern for Hyperscan over ASCII text, widened so that it also matches wherever the pattern matches
    the note's words rejoined with single spaces (as the negation and hypothetical windows are): a hyphen-or-space
    matches any run of spaces and hyphens. None for a pattern that cannot be put so (it is then always tried)."""
    widened = pattern.replace(r"[\s-]?", f"[{_ASCII_SPACE}-]*").replace("[-\u2013]", "-")
    widened = widened.replace(r"\s", f"[{_ASCII_SPACE}]")
    return widened.encode("ascii") if widened.isascii() else None


class HyperscanCues:
    """The cue patterns in one Hyperscan database (prefilter mode): where in a note each may match.

    ``ends(lower)`` gives, for each pattern with a possible match in the note, the sorted offsets where such
    matches end. A cue pattern that matches within a stretch of an ASCII note, or within the words of that stretch
    rejoined with single spaces, has a reported end inside that stretch; where none is reported the scanner does
    not need to try it. Non-ASCII notes give None (the scanner then tries the patterns as usual)."""

    def __init__(self, patterns: dict[int, str]) -> None:
        if hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        compiled = {key: hyperscan_cue_pattern(pattern) for key, pattern in patterns.items()}
        self.unwidened = frozenset(key for key, pattern in compiled.items() if pattern is None)
        usable = {key: pattern for key, pattern in compiled.items() if pattern is not None}
        self._keys = list(usable)  # Hyperscan's ids are small numbers: the index of each key
        self._database = hyperscan.Database()
        self._database.compile(
            expressions=list(usable.values()),
            ids=list(range(len(usable))),
            elements=len(usable),
            flags=[hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_ALLOWEMPTY] * len(usable),
        )
        self._local = threading.local()

    def ends(self, lower: str) -> dict[int, list[int]] | None:
        if not lower.isascii():
            return None
        found: dict[int, list[int]] = {}
        keys = self._keys

        def matched(index: int, start: int, end: int, flags: int, context: Any) -> None:
            key = keys[index]
            ends = found.get(key)
            if ends is None:
                found[key] = [end]
            else:
                ends.append(end)

        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._database)
        self._database.scan(lower.encode("ascii"), match_event_handler=matched, scratch=scratch)
        for ends in found.values():
            ends.sort()
        return found

    def ends_many(self, stretches: Sequence[str]) -> list[dict[int, list[int]] | None]:
        """:meth:`ends` of each stretch, the ASCII ones matched in one pass, joined by :data:`BATCH_SEPARATOR`.
        A cue match running on from one stretch into the next can only add an end to the next (which lets a
        pattern be tried where it cannot match, never the other way round)."""
        ascii_stretches = [stretch for stretch in stretches if stretch.isascii()]
        events: list[tuple[int, int]] = []
        if ascii_stretches:
            add = events.append

            def matched(index: int, start: int, end: int, flags: int, context: Any) -> None:
                add((end, index))

            scratch = getattr(self._local, "scratch", None)
            if scratch is None:
                scratch = self._local.scratch = hyperscan.Scratch(self._database)
            joined = BATCH_SEPARATOR.join(ascii_stretches).encode("ascii")
            self._database.scan(joined, match_event_handler=matched, scratch=scratch)
            events.sort()
        # Shared out as split_events does (an end goes to the stretch it falls in), straight into each one's table.
        keys = self._keys
        result: list[dict[int, list[int]] | None] = []
        position, count, base = 0, len(events), 0
        for stretch in stretches:
            if not stretch.isascii():
                result.append(None)
                continue
            top = base + len(stretch)
            while position < count and events[position][0] <= base:
                position += 1  # an end in the separator before this stretch, or at its first offset
            found: dict[int, list[int]] = {}
            while position < count and events[position][0] <= top:
                end, index = events[position]
                key = keys[index]
                ends = found.get(key)
                if ends is None:
                    found[key] = [end - base]
                else:
                    ends.append(end - base)
                position += 1
            result.append(found)
            base = top + 1
        return result


def hyperscan_available() -> bool:
    return hyperscan is not None


def phrase_matcher(policy: SignalPolicy, prefer: str | None = None) -> PhraseMatcher:
    """Hyperscan when installed (unless ``prefer`` or OPENPROBATION_SIGNAL_MATCHER says ``python``)."""
    prefer = prefer or os.environ.get("OPENPROBATION_SIGNAL_MATCHER", "hyperscan")
    if prefer not in ("hyperscan", "python"):
        raise ValueError(f"signal matcher must be hyperscan or python, not {prefer!r}")
    anchors = AnchorMatcher(policy)
    if prefer == "hyperscan" and hyperscan is not None:
        return HyperscanMatcher(policy, fallback=anchors)
    return anchors
