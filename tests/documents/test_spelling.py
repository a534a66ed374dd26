"""Prose is spell-checked in British English before a document may be approved (documents/spelling.py)."""

from __future__ import annotations

import pytest

from openprobation.documents.spelling import check_spelling


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("He has shown a change in behaviour and attitude.", []),
        ("The organisation holds his licence.", []),
        ("His behavior has not changed.", ["behavior"]),  # American spelling
        ("He did not recieve the letter.", ["recieve"]),
        ("Recieve the letter.", ["Recieve"]),  # a capital at the start of a sentence is checked
        ("He met Mr Okonkwo in Wolverhampton.", []),  # capitalised inside a sentence: a proper noun
        ("RoSH is high; MAPPA level 2; OASys done; PNC checked.", []),  # terms of art and acronyms
        ("Seen on 12th March, 2/52 review, tier B3.", []),  # words with digits
        ("The safeguarding check was countersigned by the SPO.", []),  # the house word list
        ("A well-known self-harm history.", []),  # hyphenated words, part by part
        ("A well-knwon risk.", ["knwon"]),  # only the misspelt part
        ("He said he didn\u2019t know and couldn't say.", []),  # curly and straight apostrophes
        ("", []),
    ],
    ids=[
        "british spelling passes",
        "organisation and licence pass",
        "american spelling is flagged",
        "misspelling is flagged",
        "sentence-initial capital is checked",
        "proper nouns inside a sentence are skipped",
        "acronyms and mixed-case terms are skipped",
        "words with digits are skipped",
        "house words pass",
        "hyphenated words pass",
        "hyphenated misspelling flags the part",
        "apostrophes",
        "empty text",
    ],
)
def test_words_flagged(text: str, flagged: list[str]) -> None:
    assert [p.word for p in check_spelling(text)] == flagged


def test_names_on_the_record_can_be_passed_as_known_words() -> None:
    text = "Attended with okonkwo-smith."
    assert [p.word for p in check_spelling(text)] == ["okonkwo"]
    assert check_spelling(text, known_words=["Okonkwo-Smith"]) == []


def test_a_problem_says_where_it_is_and_offers_suggestions() -> None:
    text = "He failed to recieve it."
    [problem] = check_spelling(text)
    assert text[problem.start : problem.start + len(problem.word)] == "recieve"
    assert "receive" in problem.suggestions
    assert problem.message.startswith("“recieve” is not in the British English dictionary: did you mean “receive”")
