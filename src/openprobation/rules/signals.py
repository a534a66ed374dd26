"""Warning signs in contact notes and third-party reports: which signals a note raises, and why.

``signals_scan(text)`` returns one :class:`SignalHit` per signal per sentence: the signal, its severity, the words
that raised it (``evidence``, as written), the sentence they are in and the rule (``new_relationship.new_partner``).
It is pure and stateless; ``signals_scan_many`` is the same definition over a batch. The rules, cues and severities
are policy data (``policy/signals.toml``, see ``rules.signal_policy``); the design follows the SafeLives DASH risk
checklist and its stalking questions (S-DASH), cited there.

A phrase's match is a hit unless, within its clause (the sentence up to "but", "however", ";" and the like):

- a **negation** cue comes within a few words before it ("denies any new relationship", "no children in the
  household"), or just after it ("contact with children: none"; not when a third party's allegation is being
  reported: "she says he follows her, which he denies" still raises the signal);
- a **hypothetical** cue comes before it: a condition, question, advice or licence condition ("if he starts a
  relationship he must tell me", "reminded him to disclose any new relationship"); threats are kept even so;
- a **history** cue is in the clause ("index offence in 2015", "historic self-harm", "as a teenager") and no cue
  of the present ("again", "last night", "currently") is;
- a rule's ``unless`` phrase overlaps it ("relapse prevention", "children's services", "her new boyfriend").

Reported speech is not a reason to drop a hit: a partner, the police or a nurse reporting stalking is the signal.

Speed (docs/signals.md, "How the scan is fast"): the phrases and cues are found with Hyperscan where it is installed
(``rules.signal_matcher``; otherwise a note's words are looked up in the policy's anchor index), only the sentences
holding a match are looked at, and ``signals_scan_many`` takes a batch of notes through each step together (one
Hyperscan pass a batch for the phrases and one for the cues), which gives each note the hits it gets alone.
"""

from __future__ import annotations

import gc
import itertools
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter

from openprobation.rules.sentences import SentenceFinder
from openprobation.rules.signal_matcher import HyperscanCues, PhraseMatcher, phrase_matcher
from openprobation.rules.signal_phrases import Anchor
from openprobation.rules.signal_policy import CLAUSE_BREAK_MARKS, Phrase, SignalPolicy, signal_policy

# Same-length replacements only, so positions in the normalised text are positions in the note.
NORMALISE = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)
WORD = re.compile(r"\w+")
LONGEST_SENTENCE = 300  # characters of a sentence shown around the evidence; longer ones are cut at words
_MEMO_LIMIT = 200_000  # words remembered by the cue gates before the memory is cleared
BATCH_NOTES = 256  # notes taken through each step of the scan together by signals_scan_many


@dataclass(frozen=True)
class SignalHit:
    signal: str
    severity: str
    evidence: str
    sentence: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        return {"signal": self.signal, "severity": self.severity, "evidence": self.evidence,
                "sentence": self.sentence, "rule": self.rule}  # fmt: skip


_new = object.__new__


def _hit(signal: str, severity: str, evidence: str, sentence: str, rule: str) -> SignalHit:
    """``SignalHit(signal, severity, evidence, sentence, rule)``, made without the frozen class's five
    ``object.__setattr__`` calls (its fields set in its ``__dict__`` at once); the scanner makes one per hit."""
    hit = _new(SignalHit)
    hit.__dict__.update(signal=signal, severity=severity, evidence=evidence, sentence=sentence, rule=rule)
    return hit


class SignalScanner:
    """A compiled policy, the matcher that names the phrase groups a note can match (rules.signal_matcher), and
    the cue gates that say which cue patterns can match where (so that the others are not tried)."""

    def __init__(self, policy: SignalPolicy, matcher: PhraseMatcher | None = None) -> None:
        self.policy = policy
        self.matcher = phrase_matcher(policy) if matcher is None else matcher
        self._gates = _CueGates(policy, accelerated=self.matcher.name == "hyperscan")
        # Per phrase group, the cue and unless patterns one of which must be able to match in a sentence for a
        # match there to be stopped (the first check of _stopped, made before calling it).
        self._stopping = [self._gates.stopping[phrase.rule.id] for phrase in policy.phrases]

    def scan(self, text: str) -> tuple[SignalHit, ...]:
        """The hits of one note: the steps of :meth:`scan_many` for a single note, without its batch's joins."""
        lower = _normalise(text)
        found = self.matcher.matches(lower)
        if not found:
            return ()
        finder, first, last = self._plan(lower, found)
        return self._hits(text, lower, found, finder, first, last, self._gates.ends(lower[first[0] : last[1]]))

    def scan_many(self, texts: Sequence[str]) -> list[tuple[SignalHit, ...]]:
        """The hits of each note. The notes go through each step together, which gives the same hits as one by
        one: the phrase matches of every note (one Hyperscan pass), then the sentences of each note's first and
        last match, then the cue pass over each note's stretch from the first to the end of the last (one
        Hyperscan pass), then each note's matches in order.

        The cyclic garbage collector is paused for the batch: the scan makes many short-lived tuples and lists
        but no reference cycles (a test holds it to that), so everything it makes is freed as it goes, and the
        collector's passes over the process's objects, which their number would set off, would find nothing."""
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._scan_many(texts)
        finally:
            if was_enabled:
                gc.enable()

    def _scan_many(self, texts: Sequence[str]) -> list[tuple[SignalHit, ...]]:
        lowers = [_normalise(text) for text in texts]
        founds = self.matcher.matches_many(lowers)
        plans: list[tuple[SentenceFinder, tuple[int, int], tuple[int, int]] | None] = []
        stretches: list[str] = []
        for lower, found in zip(lowers, founds, strict=True):
            if not found:
                plans.append(None)
                continue
            finder, first, last = self._plan(lower, found)
            plans.append((finder, first, last))
            stretches.append(lower[first[0] : last[1]])  # the cue pass: from the first sentence to the last
        ends = iter(self._gates.ends_many(stretches) if stretches else ())
        results: list[tuple[SignalHit, ...]] = []
        for text, lower, found, planned in zip(texts, lowers, founds, plans, strict=True):
            if planned is None:
                results.append(())
                continue
            results.append(self._hits(text, lower, found, *planned, next(ends)))
        return results

    def _plan(
        self, lower: str, found: list[tuple[int, int, int]]
    ) -> tuple[SentenceFinder, tuple[int, int], tuple[int, int]]:
        """Sorts a note's matches (by start, the longest first) and finds the sentences of the first and last."""
        found.sort(key=_END, reverse=True)  # two stable sorts, keyed in C
        found.sort(key=_START)
        finder = SentenceFinder(lower, self.policy.abbreviations)  # only the sentences holding a match
        first = finder.around(found[0][0])  # a match starts with a word's first character
        last = first if found[-1][0] < first[1] else finder.around(found[-1][0])
        return finder, first, last

    def _hits(
        self,
        text: str,
        lower: str,
        found: list[tuple[int, int, int]],
        finder: SentenceFinder,
        first: tuple[int, int],
        last: tuple[int, int],
        ends: dict[int, list[int]] | None,
    ) -> tuple[SignalHit, ...]:
        """One note's hits from its phrase matches (in order, the longest first at each start), the sentences of
        the first and last, and the cue ends of the stretch of the note that starts with the first sentence (None:
        no Hyperscan, or not ASCII). The stretch may begin before the first sentence that needs a cue: a cue match
        starting in an earlier sentence can only add an end, which lets a cue be tried where it cannot match."""
        phrases, gates, stopping = self.policy.phrases, self._gates, self._stopping
        hits: list[SignalHit] = []
        seen: set[str] = set()  # the signals with a hit in this sentence (the sentences come in order)
        sentence: _Sentence | None = None
        sentence_start, sentence_end = first
        for start, end, index in found:
            if start >= sentence_end:  # the matches are in order, so one past this sentence is in a later one
                sentence_start, sentence_end = last if start >= last[0] else finder.around(start)
                sentence = None
                seen = set()
            rule = phrases[index].rule
            if end > sentence_end or rule.signal in seen:
                continue
            if sentence is None:
                sentence = gates.sentence(
                    lower[sentence_start:sentence_end],
                    ends,
                    sentence_start - first[0],
                    whole=sentence_start == first[0] and sentence_end == last[1],
                )
            if sentence.present & stopping[index] and self._stopped(
                sentence, start - sentence_start, end - sentence_start, phrases[index]
            ):
                continue
            seen.add(rule.signal)
            hits.append(
                _hit(
                    rule.signal,
                    rule.severity,
                    text[start:end],
                    text[sentence_start:sentence_end]
                    if sentence_end - sentence_start <= LONGEST_SENTENCE
                    else _shown(text, sentence_start, sentence_end, start, end),
                    rule.id,
                )
            )
        return tuple(hits)

    def _stopped(self, sentence: _Sentence, at: int, to: int, phrase: Phrase) -> bool:
        """Whether a cue or an ``unless`` phrase stops the match at [at, to) of the sentence (see the module
        docstring). A cue pattern is tried only where the gate says it can match: first whether it can match
        anywhere in the sentence (``present``), then whether it can within the stretch that matters."""
        rule, gates, present = phrase.rule, self._gates, sentence.present
        if not present & gates.stopping[rule.id]:  # no cue or unless pattern that could stop it is in the sentence
            return False
        cues, text, may = self.policy.cues, sentence.text, sentence.may
        if rule.unless is not None and present & gates.unless[rule.id] and _overlaps(rule.unless, text, at, to):
            return True
        if (
            rule.unless_sentence is not None
            and present & gates.unless_sentence[rule.id]
            and rule.unless_sentence.search(text)
        ):
            return True
        clause_start, clause_end = sentence.clause(at, to) if sentence._marks else (0, len(text))
        # Each cue's words are cut out of the clause only when its gate lets it through.
        bit = gates.pseudo_negation
        pseudo = bool(present & bit) and may(bit, clause_start, at)
        bit = gates.negation
        negation = (bool(present & bit) and may(bit, clause_start, at)) or (pseudo and sentence.words_gate(bit))
        if negation:
            window = _last_words(text[clause_start:at], cues.negation_window + 2)
            if pseudo:  # the pseudo-negations ("no concerns") taken out first
                window = cues.pseudo_negation.sub(" ", window)
            if cues.negation.search(_last_words(window, cues.negation_window)):
                return True
        bit = gates.negation_after
        if (
            present & bit
            and may(bit, to, clause_end)
            and cues.negation_after.search(_first_words(text[to:clause_end], cues.negation_after_window))
            and not (
                present & gates.reported_speech
                and may(gates.reported_speech, 0, at)
                and cues.reported_speech.search(text, 0, at)
            )
        ):
            return True
        if rule.hypothetical and (
            (
                present & gates.hypothetical
                and may(gates.hypothetical, clause_start, at)
                and cues.hypothetical.search(_last_words(text[clause_start:at], cues.hypothetical_window))
            )
            or (
                present & gates.hypothetical_after
                and may(gates.hypothetical_after, to, clause_end)
                and cues.hypothetical_after.search(_first_words(text[to:clause_end], 4))
            )
        ):
            return True
        bit = gates.history
        if not (present & bit and may(bit, clause_start, clause_end)):
            return False
        clause = text[clause_start:clause_end]
        return bool(cues.history.search(clause)) and not (
            present & gates.current and may(gates.current, clause_start, clause_end) and cues.current.search(clause)
        )


class _Sentence:
    """A sentence holding a phrase match: its text, what its cue gate says, and its clause breaks (found once for
    all its matches).

    The gate is one of two: the **words** of the sentence (each cue pattern needs one of its anchor words, so a
    pattern none of whose anchors is a word of the sentence cannot match in it nor in any part of it), or the
    **end offsets** where Hyperscan found each cue pattern may match in the sentence (a pattern with no end inside
    a stretch cannot match in that stretch, nor in its words rejoined with single spaces). ``present`` holds the
    bits of the patterns that can match somewhere in the sentence, so that the others cost nothing."""

    __slots__ = ("_base", "_bits", "_breaks", "_ends", "_marks", "_pattern", "present", "text")

    def __init__(
        self,
        text: str,
        bits: int | None,
        ends: dict[int, list[int]] | None,
        breaks: re.Pattern[str],
        marks: bool,
        base: int = 0,
        whole: bool = False,
    ) -> None:
        self.text = text
        self._bits = bits
        self._ends = ends  # end offsets in a stretch of the note that starts ``base`` characters before the sentence
        self._base = base
        if bits is not None:
            self.present = bits
        elif whole:  # the sentence is the whole stretch: every pattern with an end reported in it (an end at its
            # very start, from an empty match in a pass over the stretch alone, is counted too, which can only let
            # a cue be tried where it cannot match)
            assert ends is not None
            present = 0
            for bit in ends:
                present |= bit
            self.present = present
        else:
            assert ends is not None
            present, last = 0, base + len(text)
            for bit, offsets in ends.items():  # an end in (base, last]: a match may lie inside the sentence
                after = bisect_right(offsets, base)
                if after < len(offsets) and offsets[after] <= last:
                    present |= bit
            self.present = present
        self._pattern = breaks
        self._marks = marks  # whether the clause-break pattern can match (its phrases or punctuation)
        self._breaks: list[tuple[int, int]] | None = None

    def may(self, bit: int, start: int, end: int) -> bool:
        """Whether the cue pattern ``bit`` can match within [start, end) of the sentence."""
        if self._ends is None:
            return bool(self._bits & bit) if self._bits is not None else False
        ends = self._ends.get(bit)
        if ends is None:
            return False
        base = self._base
        after = bisect_right(ends, start + base)
        return after < len(ends) and ends[after] <= end + base

    def words_gate(self, bit: int) -> bool:
        """Whether the word gate lets ``bit`` through (True on the Hyperscan path, which has no word gate)."""
        return self._bits is None or bool(self._bits & bit)

    def clause(self, at: int, to: int) -> tuple[int, int]:
        """The clause around [at, to): from the last break ending before it to the first starting after it."""
        if self._breaks is None:
            self._breaks = [m.span() for m in self._pattern.finditer(self.text)] if self._marks else []
        clause_start, clause_end = 0, len(self.text)
        for brk_start, brk_end in self._breaks:
            if brk_end <= at:
                clause_start = brk_end
            elif brk_start >= to:
                clause_end = brk_start
                break
        return clause_start, clause_end


class _CueGates:
    """Which cue patterns can match where. Each cue pattern (and each rule's ``unless`` patterns) has a bit.

    - The **word gate** (pure Python): each pattern's anchors (rules.signal_phrases, ``phrases_anchors``) set its
      bit for a sentence holding one of its anchor words; a pattern without anchors has its bit always set. Words
      are looked up once and remembered.
    - With Hyperscan (``accelerated``), each sentence holding a match is matched once against every cue pattern
      (:class:`~openprobation.rules.signal_matcher.HyperscanCues`) and a pattern is tried only in a stretch where
      one of its matches may end; a non-ASCII sentence falls back to the words, and a pattern Hyperscan cannot
      take is tried everywhere.
    """

    def __init__(self, policy: SignalPolicy, *, accelerated: bool = False) -> None:
        self._exact: dict[str, int] = {}
        self._prefix: dict[str, int] = {}
        self._always = 0
        self._count = 0
        self._patterns: dict[int, str] = {}
        self._memo: dict[str, int] = {}
        cues = policy.cues
        self.clause_breaks = self._bit(cues.anchors["clause_breaks"], cues.clause_breaks)
        self.negation = self._bit(cues.anchors["negation"], cues.negation)
        self.pseudo_negation = self._bit(cues.anchors["pseudo_negation"], cues.pseudo_negation)
        self.negation_after = self._bit(cues.anchors["negation_after"], cues.negation_after)
        self.hypothetical = self._bit(cues.anchors["hypothetical"], cues.hypothetical)
        self.hypothetical_after = self._bit(cues.anchors["hypothetical_after"], cues.hypothetical_after)
        self.history = self._bit(cues.anchors["history"], cues.history)
        self.current = self._bit(cues.anchors["current"], cues.current)
        self.reported_speech = self._bit(cues.anchors["reported_speech"], cues.reported_speech)
        self.unless = {rule.id: self._bit(rule.unless_anchors, rule.unless) for rule in policy.rules}
        self.unless_sentence = {
            rule.id: self._bit(rule.unless_sentence_anchors, rule.unless_sentence) for rule in policy.rules
        }
        # Per rule, the patterns one of which must be able to match in a sentence for a hit there to be stopped.
        stopping = self.negation | self.pseudo_negation | self.negation_after | self.history
        self.stopping = {
            rule.id: stopping
            | (self.unless[rule.id] if rule.unless is not None else 0)
            | (self.unless_sentence[rule.id] if rule.unless_sentence is not None else 0)
            | ((self.hypothetical | self.hypothetical_after) if rule.hypothetical else 0)
            for rule in policy.rules
        }
        self._lengths = sorted({len(prefix) for prefix in self._prefix})
        self._breaks = cues.clause_breaks
        self._hyperscan: HyperscanCues | None = None
        if accelerated:
            self._hyperscan = HyperscanCues(self._patterns)

    def _bit(self, anchors: frozenset[Anchor] | None, pattern: re.Pattern[str] | None) -> int:
        bit = 1 << self._count
        self._count += 1
        if pattern is not None:
            self._patterns[bit] = pattern.pattern
        if anchors is None:
            self._always |= bit
        for anchor in anchors or ():
            table = self._exact if anchor.exact else self._prefix
            table[anchor.text] = table.get(anchor.text, 0) | bit
        return bit

    def _word(self, word: str) -> int:
        bits = self._exact.get(word, 0)
        for length in self._lengths:
            if length > len(word):
                break
            bits |= self._prefix.get(word[:length], 0)
        if len(self._memo) > _MEMO_LIMIT:
            self._memo.clear()
        self._memo[word] = bits
        return bits

    def _words(self, text: str) -> int:
        bits = self._always
        memo = self._memo
        for word in set(WORD.findall(text)):
            known = memo.get(word)
            bits |= self._word(word) if known is None else known
        return bits

    def ends(self, stretch: str) -> dict[int, list[int]] | None:
        """Hyperscan's end offsets of each cue pattern in a stretch of a note (None: no Hyperscan, or not ASCII)."""
        if self._hyperscan is None:
            return None
        ends = self._hyperscan.ends(stretch)
        if ends is not None:
            for bit in self._hyperscan.unwidened:  # tried everywhere
                ends[bit] = list(range(len(stretch) + 1))
        return ends

    def ends_many(self, stretches: Sequence[str]) -> list[dict[int, list[int]] | None]:
        """:meth:`ends` of each stretch, in one Hyperscan pass (all None without Hyperscan)."""
        if self._hyperscan is None:
            return [None] * len(stretches)
        found = self._hyperscan.ends_many(stretches)
        if self._hyperscan.unwidened:
            for stretch, ends in zip(stretches, found, strict=True):
                if ends is not None:
                    for bit in self._hyperscan.unwidened:  # tried everywhere
                        ends[bit] = list(range(len(stretch) + 1))
        return found

    def sentence(
        self, text: str, ends: dict[int, list[int]] | None = None, base: int = 0, whole: bool = False
    ) -> _Sentence:
        """A sentence holding a match, with its gate: Hyperscan's end offsets for the stretch of the note that
        starts ``base`` characters before it where given (``whole``: the stretch is this sentence), else
        its words."""
        if ends is None and self._hyperscan is not None:
            ends, base, whole = self.ends(text), 0, False  # the sentence alone (the stretch was not ASCII)
        if ends is not None:
            sentence = _Sentence(text, None, ends, self._breaks, False, base, whole)
            sentence._marks = bool(sentence.present & self.clause_breaks)
            return sentence
        bits = self._words(text)
        marks = bool(bits & self.clause_breaks) or any(mark in text for mark in CLAUSE_BREAK_MARKS)
        return _Sentence(text, bits, None, self._breaks, marks)


_START, _END = itemgetter(0), itemgetter(1)


def _normalise(text: str) -> str:
    if text.isascii():  # nothing to translate, and lower-casing keeps every position
        return text.lower()
    lower = text.translate(NORMALISE).lower()
    if len(lower) != len(text):  # a few characters lower-case to two (İ): keep those as they are
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(NORMALISE))
    return lower


def _overlaps(pattern: re.Pattern[str], sentence: str, at: int, to: int) -> bool:
    return any(m.start() < to and m.end() > at for m in pattern.finditer(sentence))


def _last_words(text: str, count: int) -> str:
    words = text.split()
    return " ".join(words[-count:]) if len(words) > count else text


def _first_words(text: str, count: int) -> str:
    words = text.split(None, count)
    return " ".join(words[:count])


def _shown(text: str, sentence_start: int, sentence_end: int, start: int, end: int) -> str:
    """The sentence, or for a long one (a note without punctuation) the words around the evidence."""
    if sentence_end - sentence_start <= LONGEST_SENTENCE:
        return text[sentence_start:sentence_end]
    room = max((LONGEST_SENTENCE - (end - start)) // 2, 0)
    left, right = max(sentence_start, start - room), min(sentence_end, end + room)
    while left > sentence_start and not text[left - 1].isspace():
        left += 1 if left < start else 0
        if left >= start:
            break
    while right < sentence_end and not text[right].isspace():
        right -= 1
        if right <= end:
            right = end
            break
    return ("…" if left > sentence_start else "") + text[left:right].strip() + ("…" if right < sentence_end else "")


_SCANNER: SignalScanner | None = None


def signal_scanner() -> SignalScanner:
    """The scanner for the shipped policy, compiled once per process."""
    global _SCANNER
    if _SCANNER is None:
        _SCANNER = SignalScanner(signal_policy())
    return _SCANNER


def signals_scan(text: str) -> tuple[SignalHit, ...]:
    """The warning signs in one note, in the order they appear (one per signal per sentence)."""
    return signal_scanner().scan(text)


def signals_scan_many(texts: Iterable[str]) -> Iterator[tuple[SignalHit, ...]]:
    """:func:`signals_scan` over many notes (the same definition, the policy compiled once), taken
    :data:`BATCH_NOTES` at a time through :meth:`SignalScanner.scan_many`."""
    scan_many = signal_scanner().scan_many
    notes = iter(texts)
    while batch := list(itertools.islice(notes, BATCH_NOTES)):
        yield from scan_many(batch)
