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
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from openprobation.rules.dates import age_in_years
from openprobation.rules.offences import offence_table
from openprobation.rules.ops import SCALAR, Check, Ops, report
from openprobation.rules.predictors.base import Policy, Problems, Term, load_policy, logistic, whole_months
from openprobation.rules.predictors.checks import answer_checks, violent_sanctions_checks
from openprobation.rules.predictors.history import Ages
from openprobation.rules.predictors.ogrs3 import Ogrs3Input, ogrs3_checks

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


def uses_dynamic_model(o: Ops, **x: Any) -> Any:
    """Whether the dynamic model is used: asked for, or ``auto`` with every dynamic input given."""
    given = [o.not_(o.is_null(x[name])) for name in policy()["dynamic_inputs"]["fields"]]
    return o.or_(x["snsv_model"] == "dynamic", o.and_(x["snsv_model"] == "auto", *given))


def snsv_checks(o: Ops, **x: Any) -> list[Check]:
    """SNSV's input checks over its inputs ``x`` (the fields of :class:`SnsvInput`; ``previous_convictions`` is
    null or not null, the nine answers are ``previous_<kind>``)."""
    ogrs3_inputs = {name: x[name] for name in Ogrs3Input.__dataclass_fields__}
    return [
        *ogrs3_checks(o, minimum_age=int(policy()["minimum_age"]), **ogrs3_inputs),
        *violent_sanctions_checks(o, x["violent_sanctions"], x["total_sanctions"]),
        *answer_checks(o, [(name, x[name]) for name in ANSWER_FIELDS]),
        Check(
            "assessment_date",
            x["assessment_date"] < x["date_of_birth"],
            "Assessment date must be after the date of birth",
        ),
        *(
            Check(
                name,
                o.and_(x["snsv_model"] == "dynamic", o.is_null(x[name])),
                "Needed for the dynamic SNSV model: enter it, or use the static model",
            )
            for name in policy()["dynamic_inputs"]["fields"]
        ),
    ]


def snsv_check(data: SnsvInput, problems: Problems) -> tuple[Ages | None, Model]:
    found = Problems()
    report(found, snsv_checks(SCALAR, **_fields(data)))
    for error in found.errors:
        problems.add(error.field, error.message)
    ages = None
    if not found.errors:
        ages = Ages(
            at_conviction=age_in_years(data.date_of_birth, data.conviction_date),
            at_follow_up_start=age_in_years(data.date_of_birth, data.follow_up_start),
            at_first_sanction=data.age_at_first_sanction,
        )
    model: Model = "dynamic" if uses_dynamic_model(SCALAR, **_fields(data)) else "static"
    return ages, model


def _fields(data: SnsvInput) -> dict[str, Any]:
    """The input's fields by name, with the previous convictions as ``previous_<kind>`` as well."""
    fields = {name: getattr(data, name) for name in SnsvInput.__dataclass_fields__}
    previous = data.previous_convictions
    for f in dataclass_fields(PreviousConvictions):
        fields[f"previous_{f.name}"] = None if previous is None else getattr(previous, f.name)
    return fields


def snsv_calculate(data: SnsvInput) -> SnsvResult:
    problems = Problems()
    ages, model = snsv_check(data, problems)
    problems.raise_if_any()
    assert ages is not None
    return snsv_score(data, ages, model)


def _polynomial(o: Ops, x: Any, coefficients: list[str]) -> Any:
    """x times (c0 + c1 x + c2 x^2 + c3 x^3)."""
    total: Any = 0.0
    for i, c in enumerate(coefficients):
        total = total + float(c) * x**i
    return x * total


@cache
def _offence_weights(kind: str) -> dict[str, float]:
    """SNSV or VATP weights (``snsv_static``, ``vatp_dynamic``, ...) by offence code; absent weights score 0."""
    return {code: float(getattr(o, f"{kind}_weight") or 0) for code, o in offence_table().items()}


def snsv_terms(o: Ops, model: Model, **x: Any) -> dict[str, Any]:
    """The terms of one SNSV model (static or dynamic) over its checked inputs ``x``, in the order they are summed;
    a term that does not apply to the case is 0."""
    pol = policy()
    c = pol[model]
    female = x["gender"] == "female"

    def by_sex(name: str) -> Any:
        return o.where(female, float(c[f"{name}_female"]), float(c[f"{name}_male"]))

    age = o.let(o.to_float(o.age(x["date_of_birth"], x["follow_up_start"])))
    career = o.let(o.age(x["date_of_birth"], x["conviction_date"]) - x["age_at_first_sanction"])
    total, violent = x["total_sanctions"], x["violent_sanctions"]
    months = o.let(o.minimum(o.whole_months(x["follow_up_start"], x["assessment_date"]), int(pol["months_cap"])))
    terms = {
        "intercept": float(c["intercept"]),
        "female": o.where(female, float(c["female"]), 0.0),
        "age": o.where(female, _polynomial(o, age, c["age_female"]), _polynomial(o, age, c["age_male"])),
        "one_sanction": o.where(total == 1, float(c["one_sanction"]), 0.0),
        "two_sanctions": o.where(total == 2, float(c["two_sanctions"]), 0.0),
        "total_sanctions": o.to_float(total) * float(c["per_sanction"]),
        "two_sanctions_career_years": o.where(total == 2, o.to_float(career) * by_sex("two_sanctions_career"), 0.0),
        "sanction_rate": o.where(
            total >= 3,
            o.log(o.to_float(total) / o.to_float(career + int(pol["career_offset"]))) * by_sex("three_plus_rate"),
            0.0,
        ),
        "months_since_follow_up_start": _polynomial(o, o.to_float(months), c["months"]),
        "never_violent": o.where(violent == 0, by_sex("never_violent"), 0.0),
        "one_violent_sanction": o.where(violent == 1, float(c["one_violent"]), 0.0),
        "violent_sanctions": o.to_float(violent) * float(c["per_violent"]),
        "violence_rate": o.where(
            violent > 0,
            o.log(o.to_float(violent) / o.to_float(career + int(pol["violence_offset"]))) * float(c["violence_rate"]),
            0.0,
        ),
        "offence": o.lookup(x["offence_code"], _offence_weights(f"snsv_{model}"), 0.0),
        "offence_vatp": o.lookup(x["offence_code"], _offence_weights(f"vatp_{model}"), 0.0),
    }
    if model == "dynamic":
        for name, coefficient in pol["dynamic"]["items"].items():
            terms[name] = o.to_float(o.fill_null(x[name], 0)) * float(coefficient)
        unemployed = pol["dynamic"]["unemployed"]
        terms["unemployed"] = o.where(
            o.fill_null(x["unemployed"], False),
            int(unemployed["score_when_unemployed"]) * float(unemployed["coefficient"]),
            0.0,
        )
        for kind, coefficient in pol["dynamic"]["previous_convictions"].items():
            terms[f"previous_{kind}"] = o.where(o.fill_null(x[f"previous_{kind}"], False), float(coefficient), 0.0)
    return terms


def _linear(terms: dict[str, Any]) -> Any:
    y: Any = 0.0
    for term in terms.values():
        y = y + term
    return y


def snsv_formula(o: Ops, **x: Any) -> dict[str, Any]:
    """SNSV over its checked inputs ``x``: whether the dynamic model is used, and the percent in whole
    hundredths."""
    dynamic = o.let(uses_dynamic_model(o, **x))
    y = o.let(
        o.where(dynamic, o.let(_linear(snsv_terms(o, "dynamic", **x))), o.let(_linear(snsv_terms(o, "static", **x))))
    )
    return {"dynamic": dynamic, "y": y, "hundredths": o.hundredths(o.logistic(y))}


def snsv_score(data: SnsvInput, ages: Ages, model: Model) -> SnsvResult:
    pol = policy()
    c = pol[model]
    x = _fields(data)
    values = snsv_terms(SCALAR, model, **x)
    y = _linear(values)
    female = data.gender == "female"
    sex = "female" if female else "male"
    terms: list[Term] = [Term("intercept", None, c["intercept"], values["intercept"])]
    if female:
        terms.append(Term("female", "female", c["female"], values["female"]))
    age = ages.at_follow_up_start
    terms.append(
        Term(
            "age",
            age,
            ", ".join(c[f"age_{sex}"]),
            values["age"],
            detail=f"age at start of follow-up x (c0 + c1 age + c2 age^2 + c3 age^3), {sex}",
        )
    )
    total = data.total_sanctions
    if total == 1:
        terms.append(Term("one_sanction", total, c["one_sanction"], values["one_sanction"]))
    if total == 2:
        terms.append(Term("two_sanctions", total, c["two_sanctions"], values["two_sanctions"]))
    terms.append(Term("total_sanctions", total, c["per_sanction"], values["total_sanctions"]))
    career = ages.criminal_career_years
    if total == 2:
        terms.append(
            Term(
                "two_sanctions_career_years",
                career,
                c[f"two_sanctions_career_{sex}"],
                values["two_sanctions_career_years"],
                detail="age at conviction - first sanction",
            )
        )
    if total >= 3:
        terms.append(
            Term(
                "sanction_rate",
                round(math.log(total / (career + int(pol["career_offset"]))), 6),
                c[f"three_plus_rate_{sex}"],
                values["sanction_rate"],
                detail=f"ln({total} / ({career} career years + {pol['career_offset']}))",
            )
        )
    months = min(whole_months(data.follow_up_start, data.assessment_date), int(pol["months_cap"]))
    terms.append(
        Term(
            "months_since_follow_up_start",
            months,
            ", ".join(c["months"]),
            values["months_since_follow_up_start"],
            detail=f"whole months from follow-up start to assessment, capped at {pol['months_cap']}",
        )
    )
    violent = data.violent_sanctions
    if violent == 0:
        terms.append(Term("never_violent", 0, c[f"never_violent_{sex}"], values["never_violent"]))
    if violent == 1:
        terms.append(Term("one_violent_sanction", 1, c["one_violent"], values["one_violent_sanction"]))
    terms.append(Term("violent_sanctions", violent, c["per_violent"], values["violent_sanctions"]))
    if violent > 0:
        terms.append(
            Term(
                "violence_rate",
                round(math.log(violent / (career + int(pol["violence_offset"]))), 6),
                c["violence_rate"],
                values["violence_rate"],
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
            values["offence"],
            detail=f"SNSV category: {offence.snsv_category}",
        )
    )
    terms.append(
        Term(
            "offence_vatp",
            data.offence_code,
            str(vatp_weight or 0),
            values["offence_vatp"],
            detail=f"VATP category: {offence.vatp_category}",
        )
    )
    notes: list[str] = []
    if model == "dynamic":
        terms.extend(_dynamic_terms(pol, data, values))
    elif data.snsv_model == "static":
        notes.append("Static SNSV used, as requested (snsv_model = static)")
    else:
        notes.append("Dynamic inputs missing (" + ", ".join(missing_dynamic_inputs(data)) + "): static SNSV used")
    return SnsvResult(
        tool=TOOL,
        policy_version=pol.policy_version,
        percent=(Decimal(SCALAR.hundredths(logistic(y))) / 100).quantize(Decimal("0.01")),
        model=model,
        band=None,
        explanation=tuple(terms),
        notes=tuple(notes),
    )


def _dynamic_terms(pol: Policy, data: SnsvInput, values: dict[str, Any]) -> list[Term]:
    terms: list[Term] = []
    for name, coefficient in pol["dynamic"]["items"].items():
        terms.append(Term(name, getattr(data, name), coefficient, values[name]))
    unemployed = pol["dynamic"]["unemployed"]
    score = int(unemployed["score_when_unemployed"]) if data.unemployed else 0
    terms.append(
        Term("unemployed", data.unemployed, unemployed["coefficient"], values["unemployed"], detail=f"scored {score}")
    )
    previous = data.previous_convictions
    assert previous is not None
    for f in dataclass_fields(PreviousConvictions):
        coefficient = pol["dynamic"]["previous_convictions"][f.name]
        terms.append(Term(f"previous_{f.name}", getattr(previous, f.name), coefficient, values[f"previous_{f.name}"]))
    return terms
