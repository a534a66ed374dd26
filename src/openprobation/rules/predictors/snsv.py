"""SNSV: the Serious Non-Sexual Violence predictor (two-year probability), static and dynamic models.

Rule and coefficients: ``policy/snsv.toml`` (read from ministryofjustice/hmpps-arns-risk-actuarial-api at commit
52792f4). It is the violent component of RSR. The dynamic model adds OASys answers; when any of them is missing
the static model is used and the result says so (``notes``). ``snsv_model`` may force either model: forcing the
dynamic one with answers missing is an error naming each missing field.

    p = logistic(intercept + female + age polynomial + sanction terms + months-since-follow-up polynomial
                 + violence terms + SNSV offence weight + VATP offence weight [+ dynamic items])
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Literal

from openprobation.rules.offences import offence_table
from openprobation.rules.predictors.base import (
    Policy,
    Problems,
    Term,
    check_answer,
    check_violent_sanctions,
    load_policy,
    logistic,
    percent_2dp,
    whole_months,
)
from openprobation.rules.predictors.history import Ages
from openprobation.rules.predictors.ogrs3 import Ogrs3Input, ogrs3_check

TOOL = "snsv"
Model = Literal["static", "dynamic"]


@dataclass(frozen=True, kw_only=True)
class PreviousConvictions:
    """Previous convictions of these kinds (OASys section 2 / offending history): present or not."""

    homicide: bool
    wounding_gbh: bool
    kidnapping: bool
    firearms: bool
    robbery: bool
    aggravated_burglary: bool
    weapon: bool
    criminal_damage: bool
    arson: bool


@dataclass(frozen=True, kw_only=True)
class SnsvInput(Ogrs3Input):
    assessment_date: dt.date
    violent_sanctions: int
    snsv_model: Literal["auto", "static", "dynamic"] = "auto"
    # Dynamic model (OASys answers). 0/1/2 answers: 0 no problems, 1 some, 2 significant.
    weapon_used: bool | None = None
    accommodation_suitability: int | None = None
    unemployed: bool | None = None
    partner_relationship: int | None = None
    current_alcohol_use: int | None = None
    binge_drinking: int | None = None
    impulsivity: int | None = None
    temper_control: int | None = None
    pro_criminal_attitudes: int | None = None
    domestic_violence_perpetrator: bool | None = None
    previous_convictions: PreviousConvictions | None = None


@dataclass(frozen=True, kw_only=True)
class SnsvResult:
    tool: str
    policy_version: str
    percent: Decimal
    model: Model
    band: str | None  # SNSV has no band of its own; it is banded as part of RSR
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


ANSWER_FIELDS = (
    "accommodation_suitability",
    "partner_relationship",
    "current_alcohol_use",
    "binge_drinking",
    "impulsivity",
    "temper_control",
    "pro_criminal_attitudes",
)


def policy() -> Policy:
    return load_policy(TOOL)


def missing_dynamic_inputs(data: SnsvInput) -> list[str]:
    return [name for name in policy()["dynamic_inputs"]["fields"] if getattr(data, name) is None]


def snsv_check(data: SnsvInput, problems: Problems) -> tuple[Ages | None, Model]:
    ages = ogrs3_check(data, problems, minimum_age=int(policy()["minimum_age"]))
    check_violent_sanctions(problems, data.violent_sanctions, data.total_sanctions)
    for name in ANSWER_FIELDS:
        check_answer(problems, name, getattr(data, name))
    if data.assessment_date < data.date_of_birth:
        problems.add("assessment_date", "Assessment date must be after the date of birth")
    missing = missing_dynamic_inputs(data)
    if data.snsv_model == "dynamic":
        for name in missing:
            problems.add(name, "Needed for the dynamic SNSV model: enter it, or use the static model")
    model: Model = (
        "dynamic" if data.snsv_model == "dynamic" or (data.snsv_model == "auto" and not missing) else "static"
    )
    return ages, model


def snsv_calculate(data: SnsvInput) -> SnsvResult:
    problems = Problems()
    ages, model = snsv_check(data, problems)
    problems.raise_if_any()
    assert ages is not None
    return snsv_score(data, ages, model)


def _polynomial(x: float, coefficients: list[str]) -> float:
    """x times (c0 + c1 x + c2 x^2 + c3 x^3)."""
    return x * sum(float(c) * x**i for i, c in enumerate(coefficients))


def snsv_score(data: SnsvInput, ages: Ages, model: Model) -> SnsvResult:
    pol = policy()
    c = pol[model]
    female = data.gender == "female"
    sex = "female" if female else "male"
    terms: list[Term] = [Term("intercept", None, c["intercept"], float(c["intercept"]))]
    if female:
        terms.append(Term("female", "female", c["female"], float(c["female"])))

    age = ages.at_follow_up_start
    age_coefficients = c[f"age_{sex}"]
    terms.append(
        Term(
            "age",
            age,
            ", ".join(age_coefficients),
            _polynomial(age, age_coefficients),
            detail=f"age at start of follow-up x (c0 + c1 age + c2 age^2 + c3 age^3), {sex}",
        )
    )

    total = data.total_sanctions
    if total == 1:
        terms.append(Term("one_sanction", total, c["one_sanction"], float(c["one_sanction"])))
    if total == 2:
        terms.append(Term("two_sanctions", total, c["two_sanctions"], float(c["two_sanctions"])))
    terms.append(Term("total_sanctions", total, c["per_sanction"], total * float(c["per_sanction"])))
    career = ages.criminal_career_years
    if total == 2:
        k = c[f"two_sanctions_career_{sex}"]
        terms.append(
            Term(
                "two_sanctions_career_years", career, k, career * float(k), detail="age at conviction - first sanction"
            )
        )
    if total >= 3:
        rate = math.log(total / (career + int(pol["career_offset"])))
        k = c[f"three_plus_rate_{sex}"]
        terms.append(
            Term(
                "sanction_rate",
                round(rate, 6),
                k,
                rate * float(k),
                detail=f"ln({total} / ({career} career years + {pol['career_offset']}))",
            )
        )

    months = min(whole_months(data.follow_up_start, data.assessment_date), int(pol["months_cap"]))
    terms.append(
        Term(
            "months_since_follow_up_start",
            months,
            ", ".join(c["months"]),
            _polynomial(months, c["months"]),
            detail=f"whole months from follow-up start to assessment, capped at {pol['months_cap']}",
        )
    )

    violent = data.violent_sanctions
    if violent == 0:
        k = c[f"never_violent_{sex}"]
        terms.append(Term("never_violent", 0, k, float(k)))
    if violent == 1:
        terms.append(Term("one_violent_sanction", 1, c["one_violent"], float(c["one_violent"])))
    terms.append(Term("violent_sanctions", violent, c["per_violent"], violent * float(c["per_violent"])))
    if violent > 0:
        rate = math.log(violent / (career + int(pol["violence_offset"])))
        terms.append(
            Term(
                "violence_rate",
                round(rate, 6),
                c["violence_rate"],
                rate * float(c["violence_rate"]),
                detail=f"ln({violent} / ({career} career years + {pol['violence_offset']}))",
            )
        )

    offence = offence_table()[data.offence_code]
    snsv_weight = offence.snsv_static_weight if model == "static" else offence.snsv_dynamic_weight
    vatp_weight = offence.vatp_static_weight if model == "static" else offence.vatp_dynamic_weight
    terms.append(
        Term(
            "offence",
            data.offence_code,
            str(snsv_weight or 0),
            float(snsv_weight or 0),
            detail=f"SNSV category: {offence.snsv_category}",
        )
    )
    terms.append(
        Term(
            "offence_vatp",
            data.offence_code,
            str(vatp_weight or 0),
            float(vatp_weight or 0),
            detail=f"VATP category: {offence.vatp_category}",
        )
    )

    notes: list[str] = []
    if model == "dynamic":
        terms.extend(_dynamic_terms(pol, data))
    elif data.snsv_model == "static":
        notes.append("Static SNSV used, as requested (snsv_model = static)")
    else:
        notes.append("Dynamic inputs missing (" + ", ".join(missing_dynamic_inputs(data)) + "): static SNSV used")

    probability = logistic(sum(float(t.contribution) for t in terms))
    return SnsvResult(
        tool=TOOL,
        policy_version=pol.policy_version,
        percent=percent_2dp(probability),
        model=model,
        band=None,
        explanation=tuple(terms),
        notes=tuple(notes),
    )


def _dynamic_terms(pol: Policy, data: SnsvInput) -> list[Term]:
    items = pol["dynamic"]["items"]
    terms: list[Term] = []
    for name, coefficient in items.items():
        answer = getattr(data, name)
        score = int(answer)  # bool answers count 1 when present
        terms.append(Term(name, answer, coefficient, score * float(coefficient)))
    unemployed = pol["dynamic"]["unemployed"]
    score = int(unemployed["score_when_unemployed"]) if data.unemployed else 0
    terms.append(
        Term(
            "unemployed",
            data.unemployed,
            unemployed["coefficient"],
            score * float(unemployed["coefficient"]),
            detail=f"scored {score}",
        )
    )
    previous = data.previous_convictions
    assert previous is not None
    for f in fields(PreviousConvictions):
        coefficient = pol["dynamic"]["previous_convictions"][f.name]
        present = getattr(previous, f.name)
        terms.append(Term(f"previous_{f.name}", present, coefficient, float(coefficient) if present else 0.0))
    return terms
