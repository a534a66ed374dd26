"""Case reference numbers (CRN): one capital letter and six digits, e.g. X123456."""

from __future__ import annotations

import re

CRN_PATTERN = re.compile(r"^[A-Z][0-9]{6}$")


def crn_problem(value: str) -> str | None:
    if CRN_PATTERN.match(value):
        return None
    return "Enter a CRN of one capital letter and six digits, like X123456"
