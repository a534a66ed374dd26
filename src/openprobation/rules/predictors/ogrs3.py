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
from dataclasses import dataclass
from functools import cache
from typing import Any

from openprobation.rules.dates import age_in_years
from openprobation.rules.offences import offence_table
from openprobation.rules.ops import SCALAR, Check, Ops, report
from openprobation.rules.predictors.base import Policy, Problems, Term, load_policy
from openprobation.rules.predictors.history import Ages, Gender, history_checks, offence_checks

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


@cache
def offence_weights() -> dict[str, float]:
    """OGRS3 offence weights by Home Office code (the scorable codes only)."""
    return {
        code: float(o.ogrs3_weight)
        for code, o in offence_table().items()
        if o.ogrs3_weight is not None and o.ogrs3_error != "NEED_DETAILS_OF_EXACT_OFFENCE"
    }


@cache
def _age_rows(gender: str) -> tuple[tuple[int, float], ...]:
    return tuple((int(start), float(term)) for start, term in policy()["age_gender"][gender].items())


def ogrs3_checks(o: Ops, *, minimum_age: int | None = None, **x: Any) -> list[Check]:
    """OGRS3's input checks over its inputs ``x`` (tools built on its inputs, SNSV, pass their own
    ``minimum_age``)."""
    return [
        *history_checks(
            o,
            date_of_birth=x["date_of_birth"],
            conviction_date=x["conviction_date"],
            follow_up_start=x["follow_up_start"],
            total_sanctions=x["total_sanctions"],
            age_at_first_sanction=x["age_at_first_sanction"],
            minimum_age=int(policy()["minimum_age"]) if minimum_age is None else minimum_age,
        ),
        *offence_checks(o, x["offence_code"]),
    ]


def ogrs3_formula(o: Ops, **x: Any) -> dict[str, Any]:
    """OGRS3 over its inputs ``x`` (the fields of :class:`Ogrs3Input`), checked: each term, the linear score ``y``,
    both probabilities, both whole percents and the band."""
    pol = policy()
    age = o.let(o.age(x["date_of_birth"], x["follow_up_start"]))
    at_conviction = o.age(x["date_of_birth"], x["conviction_date"])
    total = x["total_sanctions"]
    offence = o.let(o.lookup(x["offence_code"], offence_weights()))
    age_and_gender = o.where(x["gender"] == "female", o.step(age, _age_rows("female")), o.step(age, _age_rows("male")))
    status = o.where(total == 1, pol.float("status", "first_sanction"), pol.float("status", "repeat_sanction"))
    offset = int(pol["copas"]["offset"])
    # (1 + previous sanctions) / (offset + years between the first sanction and this conviction)
    rate = o.log(o.to_float(total) / o.to_float(offset + (at_conviction - x["age_at_first_sanction"])))
    offending_rate = pol.float("copas", "coefficient") * rate
    y = o.let(offence + age_and_gender + status + offending_rate)
    p1 = o.logistic(y + pol.float("intercept", "one_year"))
    p2 = o.logistic(y + pol.float("intercept", "two_year"))
    two_year = o.let(o.percent_whole(p2))
    return {
        "age": age,
        "offence": offence,
        "age_and_gender": age_and_gender,
        "sanction_status": status,
        "rate": rate,
        "offending_rate": offending_rate,
        "p1": p1,
        "p2": p2,
        "one_year_percent": o.percent_whole(p1),
        "two_year_percent": two_year,
        "band": o.band(two_year, pol["bands"]),
    }


def _fields(data: Ogrs3Input) -> dict[str, Any]:
    return {name: getattr(data, name) for name in Ogrs3Input.__dataclass_fields__}


def ogrs3_check(data: Ogrs3Input, problems: Problems, *, minimum_age: int | None = None) -> Ages | None:
    """OGRS3's checks on one case (:func:`ogrs3_checks`); the derived ages, or None when a check failed."""
    found = Problems()
    report(found, ogrs3_checks(SCALAR, minimum_age=minimum_age, **_fields(data)))
    for error in found.errors:
        problems.add(error.field, error.message)
    if found.errors:
        return None
    return Ages(
        at_conviction=age_in_years(data.date_of_birth, data.conviction_date),
        at_follow_up_start=age_in_years(data.date_of_birth, data.follow_up_start),
        at_first_sanction=data.age_at_first_sanction,
    )


def ogrs3_calculate(data: Ogrs3Input) -> Ogrs3Result:
    problems = Problems()
    ages = ogrs3_check(data, problems)
    problems.raise_if_any()
    assert ages is not None
    return _score(data, ages)


def _score(data: Ogrs3Input, ages: Ages) -> Ogrs3Result:
    pol = policy()
    offence = offence_table()[data.offence_code]
    f = ogrs3_formula(SCALAR, **_fields(data))
    label, coefficient = age_gender_term(pol, data.gender, ages.at_follow_up_start)
    first = data.total_sanctions == 1
    previous = data.total_sanctions - 1
    offset = int(pol["copas"]["offset"])
    one = pol.text("intercept", "one_year")
    two = pol.text("intercept", "two_year")
    terms = [
        Term(
            "offence",
            data.offence_code,
            str(offence.ogrs3_weight),
            f["offence"],
            detail=f"OGRS3 category: {offence.ogrs3_category}",
        ),
        Term(
            "age_and_gender",
            ages.at_follow_up_start,
            coefficient,
            f["age_and_gender"],
            detail=f"{data.gender}, aged {label} at the start of follow-up",
        ),
        Term(
            "sanction_status",
            data.total_sanctions,
            pol.text("status", "first_sanction" if first else "repeat_sanction"),
            f["sanction_status"],
            detail="first sanction" if first else "has previous sanctions",
        ),
        Term(
            "offending_rate",
            round(f["rate"], 6),
            pol.text("copas", "coefficient"),
            f["offending_rate"],
            detail=f"ln((1 + {previous} previous) / ({offset} + {ages.at_conviction} - {ages.at_first_sanction}))",
        ),
        Term("one_year_intercept", None, one, float(one), detail=f"one-year probability {f['p1']:.5f}"),
        Term("two_year_intercept", None, two, float(two), detail=f"two-year probability {f['p2']:.5f}"),
    ]
    return Ogrs3Result(
        tool=TOOL,
        policy_version=pol.policy_version,
        one_year_percent=f["one_year_percent"],
        two_year_percent=f["two_year_percent"],
        band=f["band"],
        explanation=tuple(terms),
    )
