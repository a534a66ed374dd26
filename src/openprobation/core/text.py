"""Text typed by people, checked once for everything the service stores: no NUL (PostgreSQL cannot store it), no
half of a surrogate pair (no database can), no control characters but line breaks and tabs where text runs over
lines, and no direction controls, which could make a name read as something else on the page (a right-to-left
override turns "Alex" into "xelA" and moves what follows)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

DIRECTION_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")


def text_problem(value: str, *, multiline: bool = False) -> str:
    """What is wrong with ``value`` as stored text, or "" when nothing is."""
    for character in value:
        if character == "\x00":
            return "Remove the NUL character from this text"
        if "\ud800" <= character <= "\udfff":
            return "Remove the unpaired surrogate (\\ud800 to \\udfff) from this text: it is not a character"
        if character in DIRECTION_CONTROLS:
            return "Remove the direction-control character (such as a right-to-left override) from this text"
        if unicodedata.category(character) == "Cc" and not (multiline and character in LINE_BREAKS):
            return "Remove the control character from this text"
    return ""


def validate_single_line_text(value: str) -> None:
    """A model field validator (forms, the admin): the rule above for a name or a code."""
    if problem := text_problem(value):
        raise ValidationError(problem)
