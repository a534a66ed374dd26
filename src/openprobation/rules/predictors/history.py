"""The criminal-history facts the static predictors share, how they are checked, and the ages derived from them.

Ages are whole years (``rules.dates.age_in_years``). The rules checked here come from the OASys predictors as
implemented in ministryofjustice/hmpps-arns-risk-actuarial-api at commit 52792f4: nobody is scored below the
tool's minimum age (the age of criminal responsibility, 10: ``minimum_age`` in each tool's policy file), the first
sanction cannot come after the current conviction, and follow-up cannot start before the conviction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from openprobation.rules.dates import age_in_years
from openprobation.rules.offences import OFFENCE_CODE_PATTERN, Offence, offence_table
from openprobation.rules.ops import SCALAR, Check, Ops, report
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


def history_checks(
    o: Ops,
    *,
    date_of_birth: Any,
    conviction_date: Any,
    follow_up_start: Any,
    total_sanctions: Any,
    age_at_first_sanction: Any,
    minimum_age: int,
) -> list[Check]:
    """The shared history fields' checks, against the tool's ``minimum_age`` (from its policy file)."""
    after_birth = conviction_date > date_of_birth
    at_conviction = o.let(o.age(date_of_birth, conviction_date))
    return [
        Check(
            "follow_up_start",
            follow_up_start < conviction_date,
            "Follow-up cannot start before the conviction: enter the sentence date (community) or release date "
            "(custody)",
        ),
        Check(
            "total_sanctions",
            total_sanctions < 1,
            "Enter the number of sanctions including the current one (1 or more)",
        ),
        Check("total_sanctions", total_sanctions > MAXIMUM_COUNT, f"Enter a number of {MAXIMUM_COUNT} or fewer"),
        Check(
            "age_at_first_sanction",
            age_at_first_sanction < minimum_age,
            f"Age at first sanction must be {minimum_age} or over",
        ),
        Check("conviction_date", o.not_(after_birth), "Conviction date must be after the date of birth"),
        Check(
            "date_of_birth",
            o.and_(after_birth, at_conviction < minimum_age),
            lambda: f"Age at conviction is {at_conviction}; the predictors score people aged {minimum_age} or over",
        ),
        Check(
            "age_at_first_sanction",
            o.and_(after_birth, at_conviction >= minimum_age, age_at_first_sanction > at_conviction),
            lambda: (
                f"Age at first sanction ({age_at_first_sanction}) cannot be after the age at the current "
                f"conviction ({at_conviction})"
            ),
        ),
    ]


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
    """Check the shared history fields (:func:`history_checks`); return the derived ages, or None when any check
    failed."""
    found = Problems()
    report(
        found,
        history_checks(
            SCALAR,
            date_of_birth=date_of_birth,
            conviction_date=conviction_date,
            follow_up_start=follow_up_start,
            total_sanctions=total_sanctions,
            age_at_first_sanction=age_at_first_sanction,
            minimum_age=minimum_age,
        ),
    )
    for error in found.errors:
        problems.add(error.field, error.message)
    if found.errors:
        return None
    return Ages(
        at_conviction=age_in_years(date_of_birth, conviction_date),
        at_follow_up_start=age_in_years(date_of_birth, follow_up_start),
        at_first_sanction=age_at_first_sanction,
    )


@cache
def offence_status() -> dict[str, str]:
    """Each known offence code: ``ok`` (scorable), ``needs_details`` (covers several offences) or ``no_weight``."""
    status = {}
    for code, offence in offence_table().items():
        if offence.ogrs3_error == "NEED_DETAILS_OF_EXACT_OFFENCE":
            status[code] = "needs_details"
        elif offence.ogrs3_weight is None:
            status[code] = "no_weight"
        else:
            status[code] = "ok"
    return status


def offence_checks(o: Ops, code: Any, *, field: str = "offence_code") -> list[Check]:
    """The offence code is 5 digits, known, names one offence and has an actuarial weight."""
    well_formed = o.let(o.matches(code, OFFENCE_CODE_PATTERN))
    status = o.let(o.lookup(code, offence_status()))
    return [
        Check(field, o.not_(well_formed), "Enter a Home Office offence code of 5 digits, like 00101"),
        Check(
            field,
            o.and_(well_formed, o.is_null(status)),
            lambda: f"Offence code {code} is not a known Home Office offence code",
        ),
        Check(
            field,
            status == "needs_details",
            lambda: f"Offence code {code} covers several offences; enter the code of the exact offence to score it",
        ),
        Check(
            field,
            status == "no_weight",
            lambda: f"Offence code {code} has no actuarial weight in the offence table; it cannot be scored",
        ),
    ]


def lookup_offence(problems: Problems, code: str, *, field: str = "offence_code") -> Offence | None:
    """The offence table row for a Home Office code, or a field-named error saying what to enter instead."""
    found = Problems()
    report(found, offence_checks(SCALAR, code, field=field))
    for error in found.errors:
        problems.add(error.field, error.message)
    return None if found.errors else offence_table()[code]
