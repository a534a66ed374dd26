"""The criminal-history facts the static predictors share, how they are checked, and the ages derived from them.

Ages are whole years (``rules.dates.age_in_years``). The rules checked here come from the OASys predictors as
implemented in ministryofjustice/hmpps-arns-risk-actuarial-api at commit 52792f4: nobody is scored below the
tool's minimum age (the age of criminal responsibility, 10: ``minimum_age`` in each tool's policy file), the first
sanction cannot come after the current conviction, and follow-up cannot start before the conviction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from openprobation.rules.dates import age_in_years
from openprobation.rules.offences import OFFENCE_CODE_PATTERN, Offence, offence_table
from openprobation.rules.predictors.base import MAXIMUM_COUNT, Problems

Gender = Literal["male", "female"]


@dataclass(frozen=True)
class Ages:
    at_conviction: int
    at_follow_up_start: int
    at_first_sanction: int

    @property
    def criminal_career_years(self) -> int:
        """Years between the first sanction and the current conviction."""
        return self.at_conviction - self.at_first_sanction


def check_history(
    problems: Problems,
    *,
    date_of_birth: dt.date,
    conviction_date: dt.date,
    follow_up_start: dt.date,
    total_sanctions: int,
    age_at_first_sanction: int,
    minimum_age: int,
) -> Ages | None:
    """Check the shared history fields against the tool's ``minimum_age`` (from its policy file); return the derived
    ages, or None when they cannot be worked out."""
    before = len(problems.errors)
    if follow_up_start < conviction_date:
        problems.add(
            "follow_up_start",
            "Follow-up cannot start before the conviction: enter the sentence date (community) or release date "
            "(custody)",
        )
    if total_sanctions < 1:
        problems.add("total_sanctions", "Enter the number of sanctions including the current one (1 or more)")
    elif total_sanctions > MAXIMUM_COUNT:
        problems.add("total_sanctions", f"Enter a number of {MAXIMUM_COUNT} or fewer")
    if age_at_first_sanction < minimum_age:
        problems.add("age_at_first_sanction", f"Age at first sanction must be {minimum_age} or over")
    if conviction_date <= date_of_birth:
        problems.add("conviction_date", "Conviction date must be after the date of birth")
        return None
    ages = Ages(
        at_conviction=age_in_years(date_of_birth, conviction_date),
        at_follow_up_start=age_in_years(date_of_birth, follow_up_start),
        at_first_sanction=age_at_first_sanction,
    )
    if ages.at_conviction < minimum_age:
        problems.add(
            "date_of_birth",
            f"Age at conviction is {ages.at_conviction}; the predictors score people aged {minimum_age} or over",
        )
    elif ages.at_first_sanction > ages.at_conviction:
        problems.add(
            "age_at_first_sanction",
            f"Age at first sanction ({ages.at_first_sanction}) cannot be after the age at the current conviction "
            f"({ages.at_conviction})",
        )
    return ages if len(problems.errors) == before else None


def lookup_offence(problems: Problems, code: str, *, field: str = "offence_code") -> Offence | None:
    """The offence table row for a Home Office code, or a field-named error saying what to enter instead."""
    if not OFFENCE_CODE_PATTERN.match(code):
        problems.add(field, "Enter a Home Office offence code of 5 digits, like 00101")
        return None
    offence = offence_table().get(code)
    if offence is None:
        problems.add(field, f"Offence code {code} is not a known Home Office offence code")
        return None
    if offence.ogrs3_error == "NEED_DETAILS_OF_EXACT_OFFENCE":
        problems.add(
            field, f"Offence code {code} covers several offences; enter the code of the exact offence to score it"
        )
        return None
    if offence.ogrs3_weight is None:
        problems.add(field, f"Offence code {code} has no actuarial weight in the offence table; it cannot be scored")
        return None
    return offence
