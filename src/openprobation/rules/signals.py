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

Speed: a note's words are looked up once in the policy's anchor index; a note with none of the anchors costs one
pass of a simple word pattern, and only the phrases whose anchors appear are tried.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from openprobation.rules.sentences import sentence_spans
from openprobation.rules.signal_matcher import PhraseMatcher, phrase_matcher
from openprobation.rules.signal_phrases import starts_a_word
from openprobation.rules.signal_policy import Cues, Phrase, SignalPolicy, signal_policy

# Same-length replacements only, so positions in the normalised text are positions in the note.
NORMALISE = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)
LONGEST_SENTENCE = 300  # characters of a sentence shown around the evidence; longer ones are cut at words


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


class SignalScanner:
    """A compiled policy and the matcher that names the phrase groups a note can match (rules.signal_matcher)."""

    def __init__(self, policy: SignalPolicy, matcher: PhraseMatcher | None = None) -> None:
        self.policy = policy
        self.matcher = phrase_matcher(policy) if matcher is None else matcher

    def scan(self, text: str) -> tuple[SignalHit, ...]:
        lower = _normalise(text)
        candidates = self.matcher.candidates(lower)
        if not candidates:
            return ()
        found: list[tuple[int, int, Phrase]] = []
        for index in candidates:
            phrase = self.policy.phrases[index]
            for match in phrase.pattern.finditer(lower):
                if starts_a_word(lower, match.start()):
                    found.append((match.start(), match.end(), phrase))
        if not found:
            return ()
        found.sort(key=lambda item: (item[0], -item[1]))
        spans = sentence_spans(lower, self.policy.abbreviations)
        starts = [span[0] for span in spans]
        hits: list[SignalHit] = []
        seen: set[tuple[str, int]] = set()
        for start, end, phrase in found:
            position = bisect.bisect_right(starts, start) - 1
            if position < 0:
                continue
            sentence_start, sentence_end = spans[position]
            rule = phrase.rule
            if end > sentence_end or (rule.signal, position) in seen:
                continue
            if self._stopped(lower, start, end, sentence_start, sentence_end, phrase):
                continue
            seen.add((rule.signal, position))
            hits.append(
                SignalHit(
                    signal=rule.signal,
                    severity=rule.severity,
                    evidence=text[start:end],
                    sentence=_shown(text, sentence_start, sentence_end, start, end),
                    rule=rule.id,
                )
            )
        return tuple(hits)

    def _stopped(
        self, lower: str, start: int, end: int, sentence_start: int, sentence_end: int, phrase: Phrase
    ) -> bool:
        """Whether a cue or an ``unless`` phrase stops the match at [start, end) (see the module docstring)."""
        rule, cues = phrase.rule, self.policy.cues
        sentence = lower[sentence_start:sentence_end]
        at, to = start - sentence_start, end - sentence_start
        if rule.unless is not None and _overlaps(rule.unless, sentence, at, to):
            return True
        if rule.unless_sentence is not None and rule.unless_sentence.search(sentence):
            return True
        clause_start, clause_end = _clause(cues, sentence, at, to)
        before, after = sentence[clause_start:at], sentence[to:clause_end]
        if _negated(cues, before, after, reported=bool(cues.reported_speech.search(sentence, 0, at))):
            return True
        if rule.hypothetical and (
            cues.hypothetical.search(_last_words(before, cues.hypothetical_window))
            or cues.hypothetical_after.search(_first_words(after, 4))
        ):
            return True
        clause = sentence[clause_start:clause_end]
        return bool(cues.history.search(clause)) and not cues.current.search(clause)


def _normalise(text: str) -> str:
    if text.isascii():  # nothing to translate, and lower-casing keeps every position
        return text.lower()
    lower = text.translate(NORMALISE).lower()
    if len(lower) != len(text):  # a few characters lower-case to two (İ): keep those as they are
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(NORMALISE))
    return lower


def _overlaps(pattern: re.Pattern[str], sentence: str, at: int, to: int) -> bool:
    return any(m.start() < to and m.end() > at for m in pattern.finditer(sentence))


def _clause(cues: Cues, sentence: str, at: int, to: int) -> tuple[int, int]:
    clause_start, clause_end = 0, len(sentence)
    for brk in cues.clause_breaks.finditer(sentence):
        if brk.end() <= at:
            clause_start = brk.end()
        elif brk.start() >= to:
            clause_end = brk.start()
            break
    return clause_start, clause_end


def _negated(cues: Cues, before: str, after: str, *, reported: bool) -> bool:
    window = cues.pseudo_negation.sub(" ", _last_words(before, cues.negation_window + 2))
    if cues.negation.search(_last_words(window, cues.negation_window)):
        return True
    return not reported and bool(cues.negation_after.search(_first_words(after, cues.negation_after_window)))


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
    """:func:`signals_scan` over many notes (the same definition, the policy compiled once)."""
    scan = signal_scanner().scan
    for text in texts:
        yield scan(text)
