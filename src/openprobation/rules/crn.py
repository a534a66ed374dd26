"""Case reference numbers (CRN): one capital letter and six digits, e.g. X123456."""

from __future__ import annotations

import re

# Matched whole with ``fullmatch``: no ``^…$``, whose ``$`` in Python also matches before a final newline.
CRN_PATTERN = re.compile(r"[A-Z][0-9]{6}")


def crn_problem(value: str) -> str | None:
    if isinstance(value, str) and CRN_PATTERN.fullmatch(value):
        return None
    return "Enter a CRN of one capital letter and six digits, like X123456"
