"""Police identifiers a case carries besides its CRN: the Police National Computer (PNC) ID and the Criminal Records
Office (CRO) number. Each is kept in one canonical spelling so a search finds it however it was typed.

- PNC ID: the year the record was created, a serial number and a check letter, written ``YYYY/NNNNNNNA``
  (e.g. ``2004/0046583U``); the serial is padded to seven digits. Typed with a two-digit year (``04/46583U``) it is
  ambiguous, so a record must give four digits; a search may give two (both centuries are looked for).
- CRO number: a serial number, a two-digit year and a check letter, ``NNNNNN/YYA`` (e.g. ``012345/99J``); or the
  "SF" form for numbers issued from fingerprints, ``SFYY/NNNNNNA``.

The check letters are not verified here: their algorithm is not in OpenProbation's sources, so a mistyped letter is
not caught (the format is).
"""

from __future__ import annotations

import re

_PNC = re.compile(r"(\d{2}|\d{4})/(\d{1,7})([A-Z])")
_CRO = re.compile(r"(\d{1,6})/(\d{2})([A-Z])")
_CRO_SF = re.compile(r"SF(\d{2})/(\d{1,6})([A-Z])")

PNC_PROBLEM = "Enter a PNC ID like 2004/0046583U: a four-digit year, a slash, up to 7 digits and a letter"
CRO_PROBLEM = "Enter a CRO number like 012345/99J (or SF99/012345J): digits, a slash, a two-digit year and a letter"


def _clean(text: str) -> str:
    return "".join(text.split()).upper()


def pnc_forms(text: str) -> tuple[str, ...]:
    """Every canonical PNC ID ``text`` can mean: one for a four-digit year, two (19xx and 20xx) for a two-digit
    year, none when it is not a PNC ID."""
    match = _PNC.fullmatch(_clean(text))
    if match is None:
        return ()
    year, serial, letter = match.groups()
    years = (year,) if len(year) == 4 else (f"19{year}", f"20{year}")
    return tuple(f"{y}/{int(serial):07d}{letter}" for y in years)


def pnc_canonical(text: str) -> str | None:
    """The one canonical spelling of a PNC ID given with a four-digit year; None when it is not one."""
    forms = pnc_forms(text)
    return forms[0] if len(forms) == 1 else None


def cro_canonical(text: str) -> str | None:
    """The canonical spelling of a CRO number (either form); None when it is not one."""
    cleaned = _clean(text)
    if match := _CRO.fullmatch(cleaned):
        serial, year, letter = match.groups()
        return f"{int(serial):06d}/{year}{letter}"
    if match := _CRO_SF.fullmatch(cleaned):
        year, serial, letter = match.groups()
        return f"SF{year}/{int(serial):06d}{letter}"
    return None
