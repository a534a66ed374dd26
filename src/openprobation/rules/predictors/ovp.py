"""OVP: the OASys Violence Predictor (legacy), points turned into one- and two-year probabilities.

Rule and points: ``policy/ovp.toml`` (read from ministryofjustice/hmpps-arns-risk-actuarial-api at commit
52792f4; published basis Howard & Dixon 2012). Every OASys answer it uses is required: there is no static
fallback, so a missing answer is an error naming the field.

    points = any sanction + violent sanctions + non-violent sanctions + age at follow-up start + male
             + does not recognise impact + no fixed abode + unemployed + ceil(2.5 x (alcohol + binge))
             + current psychiatric treatment + 3 x temper control + 3 x pro-criminal attitudes
    p1 = logistic(0.0722 x points - 4.5215), p2 = logistic(0.0722 x points - 3.8773)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from openprobation.rules.dates import age_in_years
from openprobation.rules.ops import SCALAR, Check, Ops, report
from openprobation.rules.predictors.base import (
    MAXIMUM_COUNT,
    Policy,
    Problems,
    Term,
    load_policy,
    logistic,
    percent_whole,
)
from openprobation.rules.predictors.checks import answer_checks, count_checks, violent_sanctions_checks
from openprobation.rules.predictors.history import Gender

TOOL = "ovp"


@dataclass(frozen=True, kw_only=True)
class OvpInput:
    gender: Gender
    date_of_birth: dt.date
    follow_up_start: dt.date
    total_sanctions: int
    violent_sanctions: int
    does_not_recognise_impact: bool
    no_fixed_abode: bool
    unemployed: bool
    current_alcohol_use: int
    binge_drinking: int
    current_psychiatric_treatment: bool
    temper_control: int
    pro_criminal_attitudes: int


@dataclass(frozen=True, kw_only=True)
class OvpResult:
    tool: str
    policy_version: str
    points: int
    one_year_percent: int
    two_year_percent: int
    band: str
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def policy() -> Policy:
    return load_policy(TOOL)


ANSWER_FIELDS = ("current_alcohol_use", "binge_drinking", "temper_control", "pro_criminal_attitudes")
FLAGS = ("does_not_recognise_impact", "no_fixed_abode", "unemployed")


def ovp_checks(o: Ops, **x: Any) -> list[Check]:
    """OVP's input checks over its inputs ``x`` (the fields of :class:`OvpInput`)."""
    minimum = int(policy()["minimum_age"])
    total, born, start = x["total_sanctions"], x["date_of_birth"], x["follow_up_start"]
    return [
        Check("total_sanctions", total < 1, "Enter the number of sanctions including the current one (1 or more)"),
        *count_checks(o, "total_sanctions", total, maximum=MAXIMUM_COUNT),
        *violent_sanctions_checks(o, x["violent_sanctions"], total),
        *answer_checks(o, [(name, x[name]) for name in ANSWER_FIELDS]),
        Check(
            "date_of_birth",
            o.or_(start <= born, o.age(born, start) < minimum),
            f"OVP scores people aged {minimum} or over at the start of follow-up",
        ),
    ]


def _rows(table: Any) -> tuple[tuple[int, int], ...]:
    return tuple((int(row["from"]), int(row["points"])) for row in table)


def _ceil_times(factor: Fraction, n: Any) -> Any:
    """ceil(factor x n) for a whole n, in whole-number arithmetic."""
    return (n * factor.numerator + factor.denominator - 1) // factor.denominator


def _one_year_percent(points: int) -> int:
    pol = policy()
    return percent_whole(logistic(pol.float("per_point") * points + pol.float("intercept", "one_year")))


def _two_year_percent(points: int) -> int:
    pol = policy()
    return percent_whole(logistic(pol.float("per_point") * points + pol.float("intercept", "two_year")))


POINTS_RANGE = range(0, 400)  # far above the most points anyone can score


def ovp_formula(o: Ops, **x: Any) -> dict[str, Any]:
    """OVP over its checked inputs ``x``: the points of each item, their sum, the percents and the band."""
    pol = policy()
    p = pol["points"]
    total, violent = x["total_sanctions"], x["violent_sanctions"]
    terms = {
        "any_sanction": o.where(total != 0, int(p["any_sanction"]), 0),
        "violent_sanctions": o.step(violent, _rows(p["violent_sanctions"]), 0),
        "non_violent_sanctions": o.step(total - violent, _rows(p["non_violent_sanctions"]), 0),
        "age_at_follow_up_start": o.step(
            o.age(x["date_of_birth"], x["follow_up_start"]), _rows(p["age_at_follow_up"]), 0
        ),
        "male": o.where(x["gender"] == "male", int(p["male"]), 0),
        **{name: o.where(o.fill_null(x[name], False), int(p[name]), 0) for name in FLAGS},
        "alcohol": _ceil_times(Fraction(p["alcohol_multiplier"]), x["current_alcohol_use"] + x["binge_drinking"]),
        "current_psychiatric_treatment": o.where(
            o.fill_null(x["current_psychiatric_treatment"], False), int(p["current_psychiatric_treatment"]), 0
        ),
        "temper_control": int(p["temper_control_per_answer"]) * x["temper_control"],
        "pro_criminal_attitudes": int(p["pro_criminal_attitudes_per_answer"]) * x["pro_criminal_attitudes"],
    }
    points: Any = 0
    for value in terms.values():
        points = points + value
    points = o.let(points)
    two_year = o.let(o.tabulate(points, _two_year_percent, POINTS_RANGE))
    return {
        "terms": terms,
        "points": points,
        "one_year_percent": o.tabulate(points, _one_year_percent, POINTS_RANGE),
        "two_year_percent": two_year,
        "band": o.band(two_year, pol["bands"]),
    }


def ovp_check(data: OvpInput, problems: Problems) -> None:
    report(problems, ovp_checks(SCALAR, **_fields(data)))


def _fields(data: OvpInput) -> dict[str, Any]:
    return {name: getattr(data, name) for name in OvpInput.__dataclass_fields__}


def ovp_calculate(data: OvpInput) -> OvpResult:
    problems = Problems()
    ovp_check(data, problems)
    problems.raise_if_any()
    pol = policy()
    p = pol["points"]
    f = ovp_formula(SCALAR, **_fields(data))
    points = f["terms"]
    age = age_in_years(data.date_of_birth, data.follow_up_start)
    alcohol = data.current_alcohol_use + data.binge_drinking
    terms = [
        Term("any_sanction", data.total_sanctions, None, points["any_sanction"]),
        Term("violent_sanctions", data.violent_sanctions, None, points["violent_sanctions"]),
        Term(
            "non_violent_sanctions",
            data.total_sanctions - data.violent_sanctions,
            None,
            points["non_violent_sanctions"],
        ),
        Term("age_at_follow_up_start", age, None, points["age_at_follow_up_start"]),
        Term("male", data.gender, None, points["male"]),
        *(Term(name, getattr(data, name), None, points[name]) for name in FLAGS),
        Term(
            "alcohol",
            alcohol,
            p["alcohol_multiplier"],
            points["alcohol"],
            detail=f"ceil({p['alcohol_multiplier']} x ({data.current_alcohol_use} current use + "
            f"{data.binge_drinking} binge drinking))",
        ),
        Term(
            "current_psychiatric_treatment",
            data.current_psychiatric_treatment,
            None,
            points["current_psychiatric_treatment"],
        ),
        Term("temper_control", data.temper_control, str(p["temper_control_per_answer"]), points["temper_control"]),
        Term(
            "pro_criminal_attitudes",
            data.pro_criminal_attitudes,
            str(p["pro_criminal_attitudes_per_answer"]),
            points["pro_criminal_attitudes"],
        ),
    ]
    return OvpResult(
        tool=TOOL,
        policy_version=pol.policy_version,
        points=f["points"],
        one_year_percent=f["one_year_percent"],
        two_year_percent=f["two_year_percent"],
        band=f["band"],
        explanation=tuple(terms),
    )
