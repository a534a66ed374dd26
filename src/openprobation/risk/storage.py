"""How a risk calculation is stored: the inputs, result and reasons as JSON, the inputs' digest, and the headline
columns, the same for a case recalculated on its own (``risk.services``) and a caseload (``risk.recompute``).

The digest is taken over the inputs' values (:func:`inputs_digest`), not over any stored text: both paths hand this
module typed values (dates as dates or as ``YYYY-MM-DD``, lists, nested objects) and it encodes them one way. The
encoding is the one digests have always used (SHA-1 of the canonical JSON: sorted keys, no spaces, dates as
``YYYY-MM-DD``), so the digests already stored still match the same inputs, and a case recalculated by its own
record change after a recompute stores nothing new unless its inputs changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from openprobation.rules import case_record as cr


def jsonable(value: Any) -> Any:
    """Typed values as JSON values: dates as ``YYYY-MM-DD``, tuples as lists, nested objects likewise."""
    return cr.jsonable(value)


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a stored input value")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_date)
_PLAIN = json.JSONEncoder()


def canonical_json(value: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, dates as ``YYYY-MM-DD`` (the same text for a value and its :func:`jsonable`)."""
    return _CANONICAL.encode(value)


def inputs_digest(inputs: Mapping[str, Any]) -> str:
    """The digest of a tool's inputs, over their values (:func:`canonical_json`)."""
    return hashlib.sha1(canonical_json(inputs).encode(), usedforsecurity=False).hexdigest()


def reasons_for(missing: Iterable[str]) -> list[dict[str, str]]:
    """The stored reasons for facts missing from the record (``rules.case_record.MISSING`` codes)."""
    return [{"field": cr.MISSING[code][0], "message": cr.MISSING[code][1]} for code in missing]


def score_of(tool: str, result: Mapping[str, Any] | None) -> Decimal | None:
    """The headline score column: the percent (RSR) or two-year percent, to 2 dp."""
    if result is None or tool == "tier":
        return None
    raw = result.get("percent", result.get("two_year_percent"))
    return None if raw is None else Decimal(str(raw)).quantize(Decimal("0.01"))


def band_of(tool: str, result: Mapping[str, Any] | None) -> str:
    result = result or {}
    return str(result.get("protect_level" if tool == "tier" else "band", "") or "")


def tier_of(result: Mapping[str, Any] | None) -> str:
    return str((result or {}).get("tier", "") or "")


STORED_TEXT = ("inputs", "inputs_digest", "result", "reasons", "score", "band", "tier")


def stored_text(
    tool: str,
    inputs: Mapping[str, Any],
    result: Mapping[str, Any] | None,
    reasons: list[dict[str, str]],
) -> tuple[str, str, str | None, str, str | None, str, str]:
    """One stored calculation's columns as text, for a bulk write (:data:`STORED_TEXT`)."""
    text = canonical_json(inputs)
    score = score_of(tool, result)
    return (
        text,
        hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest(),
        None if result is None else _PLAIN.encode(result),
        _PLAIN.encode(reasons) if reasons else "[]",
        None if score is None else str(score),
        band_of(tool, result),
        tier_of(result),
    )
