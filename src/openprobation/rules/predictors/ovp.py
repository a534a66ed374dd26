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
import math
from dataclasses import dataclass
from decimal import Decimal

from openprobation.rules.dates import age_in_years
from openprobation.rules.predictors.base import (
    MAXIMUM_COUNT,
    Policy,
    Problems,
    Term,
    band_for,
    bands,
    check_answer,
    check_count,
    check_violent_sanctions,
    load_policy,
    logistic,
    percent_whole,
    points_for,
)
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


def ovp_check(data: OvpInput, problems: Problems) -> None:
    pol = policy()
    if data.total_sanctions < 1:
        problems.add("total_sanctions", "Enter the number of sanctions including the current one (1 or more)")
    check_count(problems, "total_sanctions", data.total_sanctions, maximum=MAXIMUM_COUNT)
    check_violent_sanctions(problems, data.violent_sanctions, data.total_sanctions)
    for name in ("current_alcohol_use", "binge_drinking", "temper_control", "pro_criminal_attitudes"):
        check_answer(problems, name, getattr(data, name))
    minimum = int(pol["minimum_age"])
    if data.follow_up_start <= data.date_of_birth or age_in_years(data.date_of_birth, data.follow_up_start) < minimum:
        problems.add("date_of_birth", f"OVP scores people aged {minimum} or over at the start of follow-up")


def ovp_calculate(data: OvpInput) -> OvpResult:
    problems = Problems()
    ovp_check(data, problems)
    problems.raise_if_any()
    pol = policy()
    p = pol["points"]
    age = age_in_years(data.date_of_birth, data.follow_up_start)
    non_violent = data.total_sanctions - data.violent_sanctions
    alcohol = data.current_alcohol_use + data.binge_drinking
    alcohol_points = math.ceil(Decimal(p["alcohol_multiplier"]) * alcohol)
    terms = [
        Term("any_sanction", data.total_sanctions, None, int(p["any_sanction"]) if data.total_sanctions else 0),
        Term(
            "violent_sanctions",
            data.violent_sanctions,
            None,
            points_for(data.violent_sanctions, p["violent_sanctions"]),
        ),
        Term("non_violent_sanctions", non_violent, None, points_for(non_violent, p["non_violent_sanctions"])),
        Term("age_at_follow_up_start", age, None, points_for(age, p["age_at_follow_up"])),
        Term("male", data.gender, None, int(p["male"]) if data.gender == "male" else 0),
        Term(
            "does_not_recognise_impact",
            data.does_not_recognise_impact,
            None,
            int(p["does_not_recognise_impact"]) if data.does_not_recognise_impact else 0,
        ),
        Term("no_fixed_abode", data.no_fixed_abode, None, int(p["no_fixed_abode"]) if data.no_fixed_abode else 0),
        Term("unemployed", data.unemployed, None, int(p["unemployed"]) if data.unemployed else 0),
        Term(
            "alcohol",
            alcohol,
            p["alcohol_multiplier"],
            alcohol_points,
            detail=f"ceil({p['alcohol_multiplier']} x ({data.current_alcohol_use} current use + "
            f"{data.binge_drinking} binge drinking))",
        ),
        Term(
            "current_psychiatric_treatment",
            data.current_psychiatric_treatment,
            None,
            int(p["current_psychiatric_treatment"]) if data.current_psychiatric_treatment else 0,
        ),
        Term(
            "temper_control",
            data.temper_control,
            str(p["temper_control_per_answer"]),
            int(p["temper_control_per_answer"]) * data.temper_control,
        ),
        Term(
            "pro_criminal_attitudes",
            data.pro_criminal_attitudes,
            str(p["pro_criminal_attitudes_per_answer"]),
            int(p["pro_criminal_attitudes_per_answer"]) * data.pro_criminal_attitudes,
        ),
    ]
    points = sum(int(t.contribution) for t in terms)
    y = pol.float("per_point") * points
    one, two = (
        percent_whole(logistic(y + pol.float("intercept", "one_year"))),
        percent_whole(logistic(y + pol.float("intercept", "two_year"))),
    )
    return OvpResult(
        tool=TOOL,
        policy_version=pol.policy_version,
        points=points,
        one_year_percent=one,
        two_year_percent=two,
        band=band_for(two, bands(pol["bands"])),
        explanation=tuple(terms),
    )
