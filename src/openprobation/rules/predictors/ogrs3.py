"""OGRS3: the Offender Group Reconviction Scale, version 3 (proven reoffending within one and two years).

Rule and coefficients: ``policy/ogrs3.toml`` (read from ministryofjustice/hmpps-arns-risk-actuarial-api at commit
52792f4; published basis Howard et al. 2009, MoJ Research Summary 7/09). Offence weights: the offence table.

    y  = offence weight + age/gender term + status term + 1.25112 x ln((1 + previous) / (10 + career years))
    p1 = logistic(y + 1.40256), p2 = logistic(y + 2.1217)

where previous = total sanctions - 1, career years = age at conviction - age at first sanction, and the
age/gender term uses the age at the start of follow-up. Each probability is rounded to 5 dp, turned into a whole
percent (half-up) and kept within 1..99. The band comes from the two-year percent.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from openprobation.rules.predictors.base import (
    Policy,
    Problems,
    Term,
    band_for,
    bands,
    load_policy,
    logistic,
    percent_whole,
)
from openprobation.rules.predictors.history import Ages, Gender, check_history, lookup_offence

TOOL = "ogrs3"


@dataclass(frozen=True, kw_only=True)
class Ogrs3Input:
    gender: Gender
    date_of_birth: dt.date
    conviction_date: dt.date
    follow_up_start: dt.date
    total_sanctions: int
    age_at_first_sanction: int
    offence_code: str


@dataclass(frozen=True, kw_only=True)
class Ogrs3Result:
    tool: str
    policy_version: str
    one_year_percent: int
    two_year_percent: int
    band: str
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def policy() -> Policy:
    return load_policy(TOOL)


def age_gender_term(pol: Policy, gender: str, age: int) -> tuple[str, str]:
    """The (band label, coefficient) of the age/gender table row that ``age`` falls in."""
    table = pol["age_gender"][gender]
    starts = sorted(int(k) for k in table)
    chosen = max(s for s in starts if s <= age)
    later = [s for s in starts if s > chosen]
    label = f"{chosen}-{later[0] - 1}" if later else f"{chosen}+"
    return label, table[str(chosen)]


def ogrs3_check(data: Ogrs3Input, problems: Problems, *, minimum_age: int | None = None) -> Ages | None:
    """OGRS3's checks; tools built on its inputs (SNSV) pass their own policy's ``minimum_age``."""
    ages = check_history(
        problems,
        date_of_birth=data.date_of_birth,
        conviction_date=data.conviction_date,
        follow_up_start=data.follow_up_start,
        total_sanctions=data.total_sanctions,
        age_at_first_sanction=data.age_at_first_sanction,
        minimum_age=int(policy()["minimum_age"]) if minimum_age is None else minimum_age,
    )
    lookup_offence(problems, data.offence_code)
    return ages


def ogrs3_calculate(data: Ogrs3Input) -> Ogrs3Result:
    problems = Problems()
    ages = ogrs3_check(data, problems)
    problems.raise_if_any()
    assert ages is not None
    return _score(data, ages)


def _score(data: Ogrs3Input, ages: Ages) -> Ogrs3Result:
    pol = policy()
    offence = lookup_offence(Problems(), data.offence_code)
    assert offence is not None and offence.ogrs3_weight is not None
    terms: list[Term] = []

    weight = offence.ogrs3_weight
    terms.append(
        Term(
            "offence", data.offence_code, str(weight), float(weight), detail=f"OGRS3 category: {offence.ogrs3_category}"
        )
    )

    label, coefficient = age_gender_term(pol, data.gender, ages.at_follow_up_start)
    terms.append(
        Term(
            "age_and_gender",
            ages.at_follow_up_start,
            coefficient,
            float(coefficient),
            detail=f"{data.gender}, aged {label} at the start of follow-up",
        )
    )

    first = data.total_sanctions == 1
    status = pol.text("status", "first_sanction" if first else "repeat_sanction")
    terms.append(
        Term(
            "sanction_status",
            data.total_sanctions,
            status,
            float(status),
            detail="first sanction" if first else "has previous sanctions",
        )
    )

    previous = data.total_sanctions - 1
    offset = int(pol["copas"]["offset"])
    ratio = (1 + previous) / (offset + ages.criminal_career_years)
    copas = pol.text("copas", "coefficient")
    terms.append(
        Term(
            "offending_rate",
            round(math.log(ratio), 6),
            copas,
            float(copas) * math.log(ratio),
            detail=f"ln((1 + {previous} previous) / ({offset} + {ages.at_conviction} - {ages.at_first_sanction}))",
        )
    )

    y = sum(float(t.contribution) for t in terms)
    one = pol.text("intercept", "one_year")
    two = pol.text("intercept", "two_year")
    p1, p2 = logistic(y + float(one)), logistic(y + float(two))
    terms.append(Term("one_year_intercept", None, one, float(one), detail=f"one-year probability {p1:.5f}"))
    terms.append(Term("two_year_intercept", None, two, float(two), detail=f"two-year probability {p2:.5f}"))

    one_pct, two_pct = percent_whole(p1), percent_whole(p2)
    return Ogrs3Result(
        tool=TOOL,
        policy_version=pol.policy_version,
        one_year_percent=one_pct,
        two_year_percent=two_pct,
        band=band_for(two_pct, bands(pol["bands"])),
        explanation=tuple(terms),
    )
