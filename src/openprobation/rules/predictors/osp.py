"""OSP/DC and OSP/IIC: the OASys sexual reoffending predictors (direct contact; images and indirect contact).

Rules and values: ``policy/osp_dc.toml`` and ``policy/osp_iic.toml`` (read from
ministryofjustice/hmpps-arns-risk-actuarial-api at commit 52792f4). Both are components of RSR and apply only to
men with a sexual-offence history; for anyone else they are "not applicable" with probability 0.

OSP/DC adds points (64 at most) for contact-adult, contact-child and non-contact sexual sanctions, age at the start
of follow-up, age at the last sexual sanction, any previous sanction and a stranger victim; probability =
logistic(-8.633 + 0.1598 x points), 0 at 0 points. The risk-reduction rule lowers the band by one for a man in
the community who has been offence-free for 5 years (the score itself is unchanged).

OSP/IIC is a hierarchy: the first matching rule (2+ image sanctions, 1 image sanction, 2+ contact-child, 1
contact-child, no sexual sanctions, anything else) gives the probability and band.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from openprobation.rules.dates import age_in_years
from openprobation.rules.predictors.base import (
    Policy,
    Problems,
    Term,
    band_for,
    bands,
    check_count,
    load_policy,
    logistic,
    percent_2dp,
    points_for,
)
from openprobation.rules.predictors.history import Gender

NOT_APPLICABLE = "not_applicable"
SEXUAL_COUNT_FIELDS = (
    "contact_adult_sexual_sanctions",
    "contact_child_sexual_sanctions",
    "non_contact_sexual_sanctions",
    "indecent_image_sanctions",
)


@dataclass(frozen=True, kw_only=True)
class OspIicInput:
    gender: Gender
    has_sexual_offence_history: bool
    # Needed for a man with a sexual-offence history; ignored otherwise.
    contact_adult_sexual_sanctions: int | None = None
    contact_child_sexual_sanctions: int | None = None
    non_contact_sexual_sanctions: int | None = None  # not counting indecent images
    indecent_image_sanctions: int | None = None


@dataclass(frozen=True, kw_only=True)
class OspDcInput(OspIicInput):
    date_of_birth: dt.date
    follow_up_start: dt.date
    assessment_date: dt.date
    total_sanctions: int
    stranger_victim: bool | None = None
    last_sexual_sanction_date: dt.date | None = None
    # For the risk-reduction rule.
    in_custody: bool | None = None
    most_recent_offence_date: dt.date | None = None
    most_recent_sexual_offence_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class OspDcResult:
    tool: str
    policy_version: str
    points: int
    percent: Decimal
    band: str
    unreduced_band: str
    risk_reduction_applied: bool
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class OspIicResult:
    tool: str
    policy_version: str
    percent: Decimal
    band: str
    rule: str
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def dc_policy() -> Policy:
    return load_policy("osp_dc")


def iic_policy() -> Policy:
    return load_policy("osp_iic")


def applies(data: OspIicInput) -> bool:
    return data.gender == "male" and data.has_sexual_offence_history


def _not_applicable_note(data: OspIicInput) -> str:
    if data.gender != "male":
        return "Not applicable: the sexual reoffending predictors are scored for men only"
    return "Not applicable: no sexual-offence history"


def osp_iic_check(data: OspIicInput, problems: Problems) -> None:
    for name in SEXUAL_COUNT_FIELDS:
        value = getattr(data, name)
        check_count(problems, name, value)
        if applies(data) and value is None:
            problems.add(
                name, "Enter the number of these sanctions (0 if none): needed for a man with a sexual history"
            )
    if not data.has_sexual_offence_history and any((getattr(data, n) or 0) > 0 for n in SEXUAL_COUNT_FIELDS):
        problems.add(
            "has_sexual_offence_history", "Sexual sanctions are recorded, so the sexual-offence history should be yes"
        )


def osp_dc_check(data: OspDcInput, problems: Problems) -> None:
    osp_iic_check(data, problems)
    minimum_age = int(dc_policy()["minimum_age"])
    if data.total_sanctions < 1:
        problems.add("total_sanctions", "Enter the number of sanctions including the current one (1 or more)")
    if data.follow_up_start <= data.date_of_birth:
        problems.add("follow_up_start", "Follow-up start must be after the date of birth")
    elif age_in_years(data.date_of_birth, data.follow_up_start) < minimum_age:
        problems.add("date_of_birth", f"Age at the start of follow-up must be {minimum_age} or over")
    if data.assessment_date < data.date_of_birth:
        problems.add("assessment_date", "Assessment date must be after the date of birth")
    if not applies(data):
        return
    if data.stranger_victim is None:
        problems.add("stranger_victim", "Answer yes or no: needed for a man with a sexual-offence history")
    last = data.last_sexual_sanction_date
    if last is not None:
        if last <= data.date_of_birth or age_in_years(data.date_of_birth, last) < minimum_age:
            problems.add("last_sexual_sanction_date", f"Age at the last sexual sanction must be {minimum_age} or over")
        elif last > data.assessment_date:
            problems.add("last_sexual_sanction_date", "The last sexual sanction cannot be after the assessment date")
    for name in ("most_recent_offence_date", "most_recent_sexual_offence_date"):
        value = getattr(data, name)
        if value is not None and value > data.assessment_date:
            problems.add(name, "This date cannot be after the assessment date")


def osp_iic_calculate(data: OspIicInput) -> OspIicResult:
    problems = Problems()
    osp_iic_check(data, problems)
    problems.raise_if_any()
    return osp_iic_score(data)


def osp_dc_calculate(data: OspDcInput) -> OspDcResult:
    problems = Problems()
    osp_dc_check(data, problems)
    problems.raise_if_any()
    return osp_dc_score(data)


@dataclass(frozen=True)
class IicCondition:
    field: str  # one of SEXUAL_COUNT_FIELDS
    at_least: int | None = None
    equals: int | None = None

    def holds(self, count: int) -> bool:
        if self.at_least is not None:
            return count >= self.at_least
        return count == self.equals


@dataclass(frozen=True)
class IicRule:
    rule: str
    when: tuple[IicCondition, ...]  # all must hold; none: always
    probability: str
    band: str


def iic_hierarchy(pol: Policy) -> tuple[IicRule, ...]:
    """The OSP/IIC hierarchy from ``policy/osp_iic.toml``, first match wins; refuses a condition it cannot read."""
    rules = []
    for row in pol["hierarchy"]:
        conditions = []
        for name, test in row.get("when", {}).items():
            if name not in SEXUAL_COUNT_FIELDS or set(test) not in ({"at_least"}, {"equals"}):
                raise ValueError(f"osp_iic hierarchy {row['rule']!r}: cannot read the condition {name} = {test}")
            conditions.append(IicCondition(name, test.get("at_least"), test.get("equals")))
        rules.append(IicRule(row["rule"], tuple(conditions), row["probability"], row["band"]))
    if not rules or rules[-1].when:
        raise ValueError("osp_iic hierarchy: the last rule must have no conditions, so every case gets one")
    return tuple(rules)


def iic_rule(data: OspIicInput) -> IicRule:
    """The first OSP/IIC hierarchy rule whose conditions hold (a missing count is 0)."""
    return next(
        rule for rule in iic_hierarchy(iic_policy()) if all(c.holds(getattr(data, c.field) or 0) for c in rule.when)
    )


def osp_iic_score(data: OspIicInput) -> OspIicResult:
    pol = iic_policy()
    if not applies(data):
        return OspIicResult(
            tool="osp-iic",
            policy_version=pol.policy_version,
            percent=Decimal("0.00"),
            band=NOT_APPLICABLE,
            rule=NOT_APPLICABLE,
            explanation=(),
            notes=(_not_applicable_note(data),),
        )
    row = iic_rule(data)
    terms = (
        *(Term(name, getattr(data, name), None, 0) for name in SEXUAL_COUNT_FIELDS),
        Term("hierarchy_rule", row.rule, row.probability, float(row.probability), detail="probability"),
    )
    return OspIicResult(
        tool="osp-iic",
        policy_version=pol.policy_version,
        percent=percent_2dp(float(row.probability)),
        band=row.band,
        rule=row.rule,
        explanation=terms,
    )


def dc_age_points(pol: Policy, age: int) -> int:
    rule = pol["age_at_follow_up"]
    if age >= int(rule["no_points_from"]):
        return 0
    return int(rule["base"]) - max(0, (age - int(rule["from_age"])) // int(rule["step"]))


def osp_dc_score(data: OspDcInput) -> OspDcResult:
    pol = dc_policy()
    if not applies(data):
        return OspDcResult(
            tool="osp-dc",
            policy_version=pol.policy_version,
            points=0,
            percent=Decimal("0.00"),
            band=NOT_APPLICABLE,
            unreduced_band=NOT_APPLICABLE,
            risk_reduction_applied=False,
            explanation=(),
            notes=(_not_applicable_note(data),),
        )
    tables = pol["points"]
    terms: list[Term] = []
    for name in ("contact_adult_sexual_sanctions", "contact_child_sexual_sanctions", "non_contact_sexual_sanctions"):
        count = int(getattr(data, name))
        terms.append(Term(name, count, None, points_for(count, tables[name])))

    age = age_in_years(data.date_of_birth, data.follow_up_start)
    terms.append(Term("age_at_follow_up_start", age, None, dc_age_points(pol, age)))

    notes: list[str] = []
    last = data.last_sexual_sanction_date
    if last is None:
        terms.append(Term("age_at_last_sexual_sanction", None, None, 0, detail="no date given: 0 points"))
        if any(getattr(data, n) for n in SEXUAL_COUNT_FIELDS):
            notes.append("No date of the last sexual sanction was given: 0 points for age at last sexual sanction")
    else:
        last_age = age_in_years(data.date_of_birth, last)
        terms.append(
            Term(
                "age_at_last_sexual_sanction",
                last_age,
                None,
                points_for(last_age, tables["age_at_last_sexual_sanction"]),
            )
        )

    other = pol["other_points"]
    prior = data.total_sanctions >= 2
    terms.append(Term("prior_sanction", prior, None, int(other["prior_sanction"]) if prior else 0))
    terms.append(
        Term(
            "stranger_victim", data.stranger_victim, None, int(other["stranger_victim"]) if data.stranger_victim else 0
        )
    )

    points = sum(int(t.contribution) for t in terms)
    probability = 0.0 if points == 0 else logistic(pol.float("intercept") + pol.float("per_point") * points)
    unreduced = band_for(points, bands(pol["bands"]))
    band, reduced, reduction_note = _risk_reduction(pol, data, unreduced)
    if reduction_note:
        notes.append(reduction_note)
    return OspDcResult(
        tool="osp-dc",
        policy_version=pol.policy_version,
        points=points,
        percent=percent_2dp(probability),
        band=band,
        unreduced_band=unreduced,
        risk_reduction_applied=reduced,
        explanation=tuple(terms),
        notes=tuple(notes),
    )


def _risk_reduction(pol: Policy, data: OspDcInput, band: str) -> tuple[str, bool, str]:
    rule = pol["risk_reduction"]
    order: list[str] = rule["order"]
    if band == order[0]:
        return band, False, ""
    years = int(rule["years_offence_free"])
    needed = {
        "in_custody": data.in_custody,
        "most_recent_offence_date": data.most_recent_offence_date,
        "most_recent_sexual_offence_date": data.most_recent_sexual_offence_date,
    }
    missing = [name for name, value in needed.items() if value is None]
    if missing:
        return band, False, "Risk-reduction rule not checked: " + ", ".join(missing) + " not given"
    if data.in_custody:
        return band, False, ""
    for when in (data.most_recent_offence_date, data.most_recent_sexual_offence_date, data.follow_up_start):
        assert when is not None
        if when > data.assessment_date or age_in_years(when, data.assessment_date) < years:
            return band, False, ""
    lower = order[order.index(band) - 1]
    return (
        lower,
        True,
        f"Risk-reduction rule applied: {years} years offence-free in the community, "
        f"band lowered from {band} to {lower}",
    )
