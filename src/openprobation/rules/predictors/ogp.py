"""OGP: the OASys General reoffending Predictor (legacy), built on OGRS3 plus OASys dynamic answers.

Rule and points: ``policy/ogp.toml`` (read from ministryofjustice/hmpps-arns-risk-actuarial-api at commit
52792f4; published basis Howard 2009, MoJ Research Summary 2/09). OGRS3 is worked out from the same input (see
``ogrs3``), so the two can never disagree. Every OASys answer is required: there is no static fallback.

    points = half-up(0.6 x OGRS3 two-year %) + 5 no fixed abode + 5 unemployed + activities (1 -> 3, 2 -> 5)
             + half-up(3.75 x (drug misuse + motivation)) + half-up(5/6 x (problem solving + awareness of
             consequences + understands others)) + pro-criminal attitudes (1 -> 3, 2 -> 5)
    p1 = logistic(0.0616 x points - 3.6832), p2 = logistic(0.0616 x points - 3.0795)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from openprobation.rules.predictors.base import (
    Policy,
    Problems,
    Term,
    band_for,
    bands,
    check_answer,
    load_policy,
    logistic,
    percent_whole,
)
from openprobation.rules.predictors.ogrs3 import Ogrs3Input, Ogrs3Result, ogrs3_calculate, ogrs3_check

TOOL = "ogp"
ANSWER_FIELDS = (
    "activities_encourage_offending",
    "drug_misuse",
    "motivation_to_tackle_drug_misuse",
    "problem_solving",
    "awareness_of_consequences",
    "understands_others",
    "pro_criminal_attitudes",
)


@dataclass(frozen=True, kw_only=True)
class OgpInput(Ogrs3Input):
    no_fixed_abode: bool
    unemployed: bool
    # OASys answers: 0 no problems, 1 some problems, 2 significant problems.
    activities_encourage_offending: int
    drug_misuse: int
    motivation_to_tackle_drug_misuse: int
    problem_solving: int
    awareness_of_consequences: int
    understands_others: int
    pro_criminal_attitudes: int


@dataclass(frozen=True, kw_only=True)
class OgpResult:
    tool: str
    policy_version: str
    points: int
    one_year_percent: int
    two_year_percent: int
    band: str
    ogrs3: Ogrs3Result
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def policy() -> Policy:
    return load_policy(TOOL)


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def ogp_calculate(data: OgpInput) -> OgpResult:
    problems = Problems()
    ogrs3_check(data, problems)
    for name in ANSWER_FIELDS:
        check_answer(problems, name, getattr(data, name))
    problems.raise_if_any()
    ogrs3 = ogrs3_calculate(data)
    pol = policy()
    p = pol["points"]
    ogrs3_factor = Fraction(p["ogrs3_multiplier"])
    drug_factor = Fraction(p["drug_multiplier"])
    thinking_factor = Fraction(p["thinking_multiplier"])
    drugs = data.drug_misuse + data.motivation_to_tackle_drug_misuse
    thinking = data.problem_solving + data.awareness_of_consequences + data.understands_others
    terms = [
        Term(
            "ogrs3_two_year_percent",
            ogrs3.two_year_percent,
            p["ogrs3_multiplier"],
            _half_up(ogrs3_factor * ogrs3.two_year_percent),
            detail="rounded half-up",
        ),
        Term("no_fixed_abode", data.no_fixed_abode, None, int(p["no_fixed_abode"]) if data.no_fixed_abode else 0),
        Term("unemployed", data.unemployed, None, int(p["unemployed"]) if data.unemployed else 0),
        Term(
            "activities_encourage_offending",
            data.activities_encourage_offending,
            None,
            int(p["activities_encourage_offending"][str(data.activities_encourage_offending)]),
        ),
        Term(
            "drug_misuse",
            drugs,
            p["drug_multiplier"],
            _half_up(drug_factor * drugs),
            detail=f"{data.drug_misuse} misuse + {data.motivation_to_tackle_drug_misuse} motivation, rounded half-up",
        ),
        Term(
            "thinking",
            thinking,
            p["thinking_multiplier"],
            _half_up(thinking_factor * thinking),
            detail=f"{data.problem_solving} problem solving + {data.awareness_of_consequences} awareness of "
            f"consequences + {data.understands_others} understands others, rounded half-up",
        ),
        Term(
            "pro_criminal_attitudes",
            data.pro_criminal_attitudes,
            None,
            int(p["pro_criminal_attitudes"][str(data.pro_criminal_attitudes)]),
        ),
    ]
    points = sum(int(t.contribution) for t in terms)
    y = pol.float("per_point") * points
    one = percent_whole(logistic(y + pol.float("intercept", "one_year")))
    two = percent_whole(logistic(y + pol.float("intercept", "two_year")))
    return OgpResult(
        tool=TOOL,
        policy_version=pol.policy_version,
        points=points,
        one_year_percent=one,
        two_year_percent=two,
        band=band_for(two, bands(pol["bands"])),
        ogrs3=ogrs3,
        explanation=tuple(terms),
    )
