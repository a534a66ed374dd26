"""The phrase matchers behind the scan: Hyperscan (when installed) and the pure-Python anchor index name every phrase
group that really matches a note, so the hits are the same on either path; the rules import and scan without
Hyperscan; the choice of matcher is explicit."""

from __future__ import annotations

import gc
import random
import subprocess
import sys

import pytest

from openprobation.rules.signal_evaluation import shipped_notes
from openprobation.rules.signal_matcher import (
    AnchorMatcher,
    HyperscanMatcher,
    finditer_matches,
    hyperscan_available,
    hyperscan_pattern,
    hyperscan_som_pattern,
    phrase_matcher,
    split_events,
)
from openprobation.rules.signal_phrases import starts_a_word
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.signals import SignalScanner, _normalise

POLICY = signal_policy()
needs_hyperscan = pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed")

# Notes on the edges of what each matcher reads: Python's white space over ASCII (\x1c-\x1f, \x0b, \x0c), tabs,
# hyphens, non-ASCII letters and digits, a note of punctuation only, very long words.
EDGE_NOTES = [
    "He disclosed self\x1charm and self\x0bharm; step\x0cson stays over.",
    "New\tgf approx 3/52.\tSelf-harm\tdenied.",
    "Ex says he keeps turning up at her work. Threatened to kill her.",
    "Café visit: she is scared of him; ex-partner\u2019s new boyfriend was arrested.",
    "Gf ٢٠/40 pregnant. He is drinking again.",
    "?!.;:()--",
    # cue windows: the words before or after a hit are rejoined with single spaces before the cues are tried
    "Denies   any\tcontact with the victim. Not\x0bself  harm; he is not\x1cdrinking.",
    "No concerns  negative  for drugs use. Reminded\t\thim  that if he starts a   relationship he must tell me.",
    "Historic   self - harm as a teenager; in  2015  he was arrested.  Currently  drinking  again.",
    "She says he has been following her , which  he   denies. Contact with children :  none.",
    "x" * 5000 + " harassing her " + "y" * 5000,
    "",
]


def real_matches(lower: str) -> set[int]:
    """The phrase groups with a match starting a word in the note (what the scanner keeps)."""
    return {
        index
        for index, phrase in enumerate(POLICY.phrases)
        if any(starts_a_word(lower, m.start()) for m in phrase.pattern.finditer(lower))
    }


def notes() -> list[str]:
    return [note.text for note in shipped_notes()] + EDGE_NOTES


def test_the_anchor_matcher_names_every_group_that_matches():
    matcher = AnchorMatcher(POLICY)
    for text in notes():
        lower = _normalise(text)
        assert real_matches(lower) <= set(matcher.candidates(lower)), text


@needs_hyperscan
def test_hyperscan_names_every_group_that_matches_and_only_groups_that_may():
    matcher = HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY))
    for text in notes():
        lower = _normalise(text)
        candidates = matcher.candidates(lower)
        assert candidates == sorted(set(candidates))
        assert real_matches(lower) <= set(candidates), text
    quiet = _normalise("Seen in office. Reported on time and presented well. Next appt 2/52.")
    assert matcher.candidates(quiet) == []


@needs_hyperscan
@pytest.mark.parametrize("text", EDGE_NOTES, ids=range(len(EDGE_NOTES)))
def test_both_paths_give_the_same_hits_on_edge_notes(text):
    python = SignalScanner(POLICY, AnchorMatcher(POLICY))
    accelerated = SignalScanner(POLICY, HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY)))
    assert accelerated.scan(text) == python.scan(text)


def test_white_space_is_spelt_out_for_hyperscan_as_python_reads_it():
    assert hyperscan_pattern(r"self[\s-]?harm") == rb"self[\t\n\x0b\x0c\r\x1c-\x1f -]?harm"


def test_the_matcher_is_chosen_explicitly(monkeypatch):
    assert phrase_matcher(POLICY, "python").name == "python"
    monkeypatch.setenv("OPENPROBATION_SIGNAL_MATCHER", "python")
    assert phrase_matcher(POLICY).name == "python"
    monkeypatch.delenv("OPENPROBATION_SIGNAL_MATCHER")
    assert phrase_matcher(POLICY).name == ("hyperscan" if hyperscan_available() else "python")
    with pytest.raises(ValueError, match="hyperscan or python"):
        phrase_matcher(POLICY, "re2")


def test_the_rules_import_and_scan_without_hyperscan():
    code = (
        "import sys; sys.modules['hyperscan'] = None\n"  # an import of hyperscan now fails
        "from openprobation.rules.signals import signal_scanner, signals_scan\n"
        "print(signal_scanner().matcher.name)\n"
        "print(sorted(h.signal for h in signals_scan('Ex says he keeps turning up at her work and she is scared.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["python", "['feels_unsafe', 'stalking_harassment']"]


@needs_hyperscan
def test_both_paths_agree_on_notes_with_odd_white_space():
    """Labelled sentences with their spaces doubled or turned into tabs and other white space at random (seeded):
    the cue windows rejoin words with single spaces, which the Hyperscan gate must allow for."""
    rng = random.Random(28)
    sentences = [s for note in shipped_notes() for s in note.text.split(". ")]
    python = SignalScanner(POLICY, AnchorMatcher(POLICY))
    accelerated = SignalScanner(POLICY, HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY)))
    spaces = ["  ", "\t", "\x0b", "\x0c", "\r", "\x1c", " - ", "   ", " \t "]
    raised = 0
    for _ in range(400):
        note = ". ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4)))
        note = "".join(rng.choice(spaces) if c == " " and rng.random() < 0.3 else c for c in note)
        hits = accelerated.scan(note)
        assert hits == python.scan(note), note
        raised += bool(hits)
    assert raised > 100


def glued_notes() -> list[str]:
    """Labelled sentences with letters glued to the front of some words (seeded), so that phrases also match
    inside words: a match that does not start a word is dropped but hides what it overlaps, which the matchers
    must reproduce."""
    rng = random.Random(31)
    sentences = [s for note in shipped_notes() for s in note.text.split(". ")]
    notes = []
    for _ in range(600):
        words = ". ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4))).split(" ")
        notes.append(" ".join(rng.choice("sxa") + w if rng.random() < 0.3 else w for w in words))
    return notes


@needs_hyperscan
def test_hyperscan_reports_a_start_no_later_than_each_real_match():
    """Every match of a group's own pattern (whether it starts a word or not) ends where Hyperscan reports a match
    of that group, with a start no later than its own: the property the scanner's search from the reported starts
    rests on."""
    matcher = HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY))
    checked = 0
    for text in notes() + glued_notes():
        lower = _normalise(text)
        if not lower.isascii():
            continue
        reported: dict[tuple[int, int], int] = {}
        for index, start, end in matcher._events(lower):
            reported[index, end] = min(start, reported.get((index, end), start))
        for index, phrase in enumerate(POLICY.phrases):
            if index in matcher.whole:
                continue
            for match in phrase.pattern.finditer(lower):
                assert reported.get((index, match.end()), match.end()) <= match.start(), (text, phrase.texts)
                checked += 1
    assert checked > 1000


@needs_hyperscan
def test_both_matchers_give_the_real_matches_finditer_gives():
    hyperscan_matcher = HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY))
    anchor_matcher = AnchorMatcher(POLICY)
    everything = list(range(len(POLICY.phrases)))
    for text in notes() + glued_notes():
        lower = _normalise(text)
        expected = sorted(finditer_matches(POLICY, lower, everything))
        assert sorted(hyperscan_matcher.matches(lower)) == expected, text
        assert sorted(anchor_matcher.matches(lower)) == expected, text


@needs_hyperscan
def test_both_paths_give_the_same_hits_on_notes_with_glued_words():
    python = SignalScanner(POLICY, AnchorMatcher(POLICY))
    accelerated = SignalScanner(POLICY, HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY)))
    for text in glued_notes():
        assert accelerated.scan(text) == python.scan(text), text


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?:gf(?!\w))", rb"(?:gf\b)"),  # a look-ahead after a word's last letter: a word boundary
        (r"(?:ex's(?!\w))", rb"(?:ex's\b)"),
        (r"(?:w/e\.(?!\w))", rb"(?:w/e\.)"),  # after a mark it is dropped (wider)
        (r"(?:threat\w*)", rb"(?:threat\w*)"),
        (r"(?<![\w/.])(?:19|20)\d\d(?![\w/])", rb"(?:19|20)\d\d"),  # the year's look-arounds dropped
        (r"self[\s-]?harm(?!\w)", rb"self[\t\n\x0b\x0c\r\x1c-\x1f -]?harm\b"),
        (r"(?:no(?=\s))", None),  # a look-around the rules do not cover: matched in prefilter mode instead
        (r"a\sb", None),  # Hyperscan's \s leaves out \x1c-\x1f
    ],
)
def test_group_patterns_are_put_for_hyperscan_start_offsets(pattern, expected):
    assert hyperscan_som_pattern(pattern) == expected


# Notes scanned together: each ends with the first words of a phrase and the next begins with the rest of it, so a
# match could run across the separator; a non-ASCII note and empty notes among them.
ACROSS_NOTES = [
    "Discussed her history of self",
    "harm: none recently. Victim",
    "messaged him last week.",
    "",
    "She is scared of him since the café incident; he will",
    "kick off if she leaves. No",
    "children in the household",
    "",
]


@pytest.mark.parametrize(
    ("events", "lengths", "expected"),
    [
        ([], [3, 0, 4], [[], [], []]),
        # text 0 is offsets 0-5, the separator 5-6, text 1 is 6-10, text 2 (empty) 11, text 3 is 12-14
        ([(5, 0, 7)], [5, 4, 0, 2], [[(7, 0, 5)], [], [], []]),  # an end at the last offset of text 0
        ([(6, 3, 1)], [5, 4, 0, 2], [[], [], [], []]),  # an end in the separator (at text 1's first offset)
        ([(8, 3, 1)], [5, 4, 0, 2], [[], [(1, 0, 2)], [], []]),  # a start in text 0: moved up to text 1's start
        ([(8, 7, 2), (10, 6, 4), (14, 12, 9)], [5, 4, 0, 2], [[], [(2, 1, 2), (4, 0, 4)], [], [(9, 0, 2)]]),
        ([(11, 0, 1), (12, 0, 2)], [5, 4, 0, 2], [[], [], [], []]),  # ends in separators only
        ([(20, 0, 1)], [5, 4, 0, 2], [[], [], [], []]),  # past the last text
    ],
    ids=["none", "last-offset", "in-separator", "start-moved-up", "several", "separators", "past-the-end"],
)
def test_events_are_shared_out_to_the_texts_their_ends_fall_in(events, lengths, expected):
    assert split_events(events, lengths) == expected


@pytest.mark.parametrize("path", ["python", pytest.param("hyperscan", marks=needs_hyperscan)])
def test_notes_scanned_together_give_the_hits_of_each_note_alone(path):
    scanner = SignalScanner(POLICY, phrase_matcher(POLICY, path))
    together = ACROSS_NOTES + [_normalise(text) for text in notes()] + glued_notes()[:200]
    alone = [scanner.scan_many([text])[0] for text in together]
    assert scanner.scan_many(together) == alone
    assert [scanner.scan(text) for text in together] == alone
    seams = [[hit.signal for hit in hits] for hits in alone[: len(ACROSS_NOTES)]]
    assert seams == [[], [], [], [], ["feels_unsafe"], [], ["children"], []]
    # written as one note, the same words raise other signs: what the separator must keep apart
    joined = [hit.signal for hit in scanner.scan(" ".join(ACROSS_NOTES))]
    assert joined == ["victim_contact", "feels_unsafe", "threats"]


@needs_hyperscan
def test_a_batch_gives_each_note_the_phrase_matches_and_cue_ends_it_has_alone():
    """Matched together, a note has the same real matches as alone; each stretch has at least the cue ends it has
    alone (a cue running across the separator may add one, never take one away)."""
    matcher = HyperscanMatcher(POLICY, fallback=AnchorMatcher(POLICY))
    lowers = [_normalise(text) for text in ACROSS_NOTES + notes() + glued_notes()[:200]]
    assert matcher.matches_many(lowers) == [matcher.matches(lower) for lower in lowers]
    cues = SignalScanner(POLICY, matcher)._gates
    together = cues.ends_many(lowers)
    for lower, ends in zip(lowers, together, strict=True):
        alone = cues.ends(lower)
        if alone is None:
            assert ends is None
            continue
        assert ends is not None
        for bit, offsets in alone.items():
            assert set(offset for offset in offsets if offset > 0) <= set(ends.get(bit, ())), (lower, bit)


@pytest.mark.parametrize("path", ["python", pytest.param("hyperscan", marks=needs_hyperscan)])
def test_the_scan_makes_no_reference_cycles_and_gives_the_collector_back_as_it_was(path):
    """The scan pauses the cyclic garbage collector for a batch (SignalScanner.scan_many), which is sound only if
    everything it makes is freed by reference counting: nothing is left for the collector after a scan."""
    scanner = SignalScanner(POLICY, phrase_matcher(POLICY, path))
    texts = ACROSS_NOTES + notes() + glued_notes()[:200]
    scanner.scan_many(texts[:10])  # anything made once (compiled patterns, scratch space) made before
    assert gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        found = scanner.scan_many(texts)
        assert not gc.isenabled()  # left paused when it was paused
        del found
        assert gc.collect() == 0
    finally:
        gc.enable()
    scanner.scan_many(texts[:10])
    assert gc.isenabled()
