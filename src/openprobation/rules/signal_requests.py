"""The stateless warning-sign scan as a dict-in, dict-out contract for the command line and the API.

Input ``{"text": "..."}``; output ``{"signals": [{"signal", "severity", "evidence", "sentence", "rule"}]}`` in the
order the signs appear in the text. A body that is not an object, an unknown field, a missing ``text``, a ``text``
that is not a string or one longer than :data:`MAX_TEXT_CHARACTERS` raises :class:`CalculationInputError` with
each problem named by its field, as the risk-tool calculators do (``rules.calculators``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openprobation.rules.predictors.base import CalculationInputError, InputError
from openprobation.rules.signals import signals_scan

# Long enough for a pasted police or hospital report (about 15,000 words); a whole case file should be sent as
# its notes, one request each.
MAX_TEXT_CHARACTERS = 100_000

INPUT_SCHEMA: dict[str, Any] = {
    "title": "SignalsInput",
    "type": "object",
    "properties": {
        "text": {
            "title": "Text",
            "type": "string",
            "maxLength": MAX_TEXT_CHARACTERS,
            "description": "A contact note or third-party report, as written",
        }
    },
    "required": ["text"],
    "additionalProperties": False,
}
OUTPUT_SCHEMA: dict[str, Any] = {
    "title": "SignalsResult",
    "type": "object",
    "properties": {
        "signals": {
            "type": "array",
            "description": "One entry per signal per sentence, in the order they appear",
            "items": {
                "type": "object",
                "properties": {
                    "signal": {"type": "string", "description": "e.g. stalking_harassment (docs/signals.md)"},
                    "severity": {"type": "string", "enum": ["high", "medium", "low"]},
                    "evidence": {"type": "string", "description": "The words that raised it, as written"},
                    "sentence": {"type": "string", "description": "The sentence they are in"},
                    "rule": {"type": "string", "description": "The policy rule, e.g. threats.threat"},
                },
                "required": ["signal", "severity", "evidence", "sentence", "rule"],
            },
        }
    },
    "required": ["signals"],
}


def signals_request(payload: Any) -> dict[str, Any]:
    """Scan ``payload["text"]``; :class:`CalculationInputError` listing every problem with the input."""
    if not isinstance(payload, Mapping):
        raise CalculationInputError([InputError("body", 'Expected an object with a "text" field')])
    errors = [InputError(str(key), "Unknown field: check the spelling") for key in payload if key != "text"]
    text = payload.get("text")
    if "text" not in payload:
        errors.append(InputError("text", "Required: enter the text of the note"))
    elif not isinstance(text, str):
        errors.append(InputError("text", "Expected text (a string)"))
    elif len(text) > MAX_TEXT_CHARACTERS:
        errors.append(InputError("text", f"At most {MAX_TEXT_CHARACTERS:,} characters (this is {len(text):,}): "
                                         "send a long report in parts"))  # fmt: skip
    if errors:
        raise CalculationInputError(errors)
    assert isinstance(text, str)
    return {"signals": [hit.as_dict() for hit in signals_scan(text)]}
