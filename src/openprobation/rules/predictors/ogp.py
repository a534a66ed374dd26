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

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from openprobation.rules.ops import SCALAR, Check, Ops, report
from openprobation.rules.predictors.base import Policy, Problems, Term, load_policy, logistic, percent_whole
from openprobation.rules.predictors.checks import answer_checks
from openprobation.rules.predictors.ogrs3 import Ogrs3Input, Ogrs3Result, ogrs3_calculate, ogrs3_checks

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


def _half_up(factor: Fraction, n: Any) -> Any:
    """floor(factor x n + 1/2) for a whole n, in whole-number arithmetic."""
    return (2 * factor.numerator * n + factor.denominator) // (2 * factor.denominator)


def _one_year_percent(points: int) -> int:
    pol = policy()
    return percent_whole(logistic(pol.float("per_point") * points + pol.float("intercept", "one_year")))


def _two_year_percent(points: int) -> int:
    pol = policy()
    return percent_whole(logistic(pol.float("per_point") * points + pol.float("intercept", "two_year")))


POINTS_RANGE = range(0, 400)  # far above the most points anyone can score


def ogp_checks(o: Ops, **x: Any) -> list[Check]:
    """OGP's input checks over its inputs ``x`` (the fields of :class:`OgpInput`): OGRS3's and the answers."""
    ogrs3_inputs = {name: x[name] for name in Ogrs3Input.__dataclass_fields__}
    return [*ogrs3_checks(o, **ogrs3_inputs), *answer_checks(o, [(name, x[name]) for name in ANSWER_FIELDS])]


def ogp_formula(o: Ops, *, ogrs3_two_year_percent: Any, **x: Any) -> dict[str, Any]:
    """OGP over its checked inputs ``x`` and the OGRS3 two-year percent worked out from them: the points of each
    item, their sum, the percents and the band."""
    pol = policy()
    p = pol["points"]

    def flag(name: str) -> Any:
        return o.where(o.fill_null(x[name], False), int(p[name]), 0)

    def answer(name: str) -> Any:
        return o.lookup(x[name], {int(k): int(v) for k, v in p[name].items()}, 0)

    terms = {
        "ogrs3_two_year_percent": _half_up(Fraction(p["ogrs3_multiplier"]), ogrs3_two_year_percent),
        "no_fixed_abode": flag("no_fixed_abode"),
        "unemployed": flag("unemployed"),
        "activities_encourage_offending": answer("activities_encourage_offending"),
        "drug_misuse": _half_up(
            Fraction(p["drug_multiplier"]), x["drug_misuse"] + x["motivation_to_tackle_drug_misuse"]
        ),
        "thinking": _half_up(
            Fraction(p["thinking_multiplier"]),
            x["problem_solving"] + x["awareness_of_consequences"] + x["understands_others"],
        ),
        "pro_criminal_attitudes": answer("pro_criminal_attitudes"),
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


def ogp_calculate(data: OgpInput) -> OgpResult:
    problems = Problems()
    fields = {name: getattr(data, name) for name in OgpInput.__dataclass_fields__}
    report(problems, ogp_checks(SCALAR, **fields))
    problems.raise_if_any()
    ogrs3 = ogrs3_calculate(data)
    pol = policy()
    p = pol["points"]
    f = ogp_formula(SCALAR, ogrs3_two_year_percent=ogrs3.two_year_percent, **fields)
    points = f["terms"]
    drugs = data.drug_misuse + data.motivation_to_tackle_drug_misuse
    thinking = data.problem_solving + data.awareness_of_consequences + data.understands_others
    terms = [
        Term(
            "ogrs3_two_year_percent",
            ogrs3.two_year_percent,
            p["ogrs3_multiplier"],
            points["ogrs3_two_year_percent"],
            detail="rounded half-up",
        ),
        Term("no_fixed_abode", data.no_fixed_abode, None, points["no_fixed_abode"]),
        Term("unemployed", data.unemployed, None, points["unemployed"]),
        Term(
            "activities_encourage_offending",
            data.activities_encourage_offending,
            None,
            points["activities_encourage_offending"],
        ),
        Term(
            "drug_misuse",
            drugs,
            p["drug_multiplier"],
            points["drug_misuse"],
            detail=f"{data.drug_misuse} misuse + {data.motivation_to_tackle_drug_misuse} motivation, rounded half-up",
        ),
        Term(
            "thinking",
            thinking,
            p["thinking_multiplier"],
            points["thinking"],
            detail=f"{data.problem_solving} problem solving + {data.awareness_of_consequences} awareness of "
            f"consequences + {data.understands_others} understands others, rounded half-up",
        ),
        Term("pro_criminal_attitudes", data.pro_criminal_attitudes, None, points["pro_criminal_attitudes"]),
    ]
    return OgpResult(
        tool=TOOL,
        policy_version=pol.policy_version,
        points=f["points"],
        one_year_percent=f["one_year_percent"],
        two_year_percent=f["two_year_percent"],
        band=f["band"],
        ogrs3=ogrs3,
        explanation=tuple(terms),
    )
