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
from typing import Any

from openprobation.rules.dates import age_in_years
from openprobation.rules.ops import SCALAR, Check, Ops, report
from openprobation.rules.predictors.base import Policy, Problems, Term, load_policy, logistic
from openprobation.rules.predictors.checks import count_checks
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


def applies_to(o: Ops, **x: Any) -> Any:
    """Whether the sexual reoffending predictors apply: a man with a sexual-offence history."""
    return o.and_(x["gender"] == "male", x["has_sexual_offence_history"])


def osp_iic_checks(o: Ops, **x: Any) -> list[Check]:
    """OSP/IIC's input checks over its inputs ``x`` (the fields of :class:`OspIicInput`)."""
    applies = applies_to(o, **x)
    checks: list[Check] = []
    for name in SEXUAL_COUNT_FIELDS:
        checks += count_checks(o, name, x[name])
        checks.append(
            Check(
                name,
                o.and_(applies, o.is_null(x[name])),
                "Enter the number of these sanctions (0 if none): needed for a man with a sexual history",
            )
        )
    checks.append(
        Check(
            "has_sexual_offence_history",
            o.and_(
                o.not_(x["has_sexual_offence_history"]), o.or_(*(o.fill_null(x[n], 0) > 0 for n in SEXUAL_COUNT_FIELDS))
            ),
            "Sexual sanctions are recorded, so the sexual-offence history should be yes",
        )
    )
    return checks


def osp_dc_checks(o: Ops, **x: Any) -> list[Check]:
    """OSP/DC's input checks over its inputs ``x`` (the fields of :class:`OspDcInput`)."""
    minimum_age = int(dc_policy()["minimum_age"])
    applies = applies_to(o, **x)
    born, start, assessed = x["date_of_birth"], x["follow_up_start"], x["assessment_date"]
    has_last = o.not_(o.is_null(x["last_sexual_sanction_date"]))
    last = o.fill_null(x["last_sexual_sanction_date"], assessed)
    last_too_young = o.or_(last <= born, o.age(born, last) < minimum_age)
    checks = [
        *osp_iic_checks(o, **x),
        Check(
            "total_sanctions",
            x["total_sanctions"] < 1,
            "Enter the number of sanctions including the current one (1 or more)",
        ),
        Check("follow_up_start", start <= born, "Follow-up start must be after the date of birth"),
        Check(
            "date_of_birth",
            o.and_(start > born, o.age(born, start) < minimum_age),
            f"Age at the start of follow-up must be {minimum_age} or over",
        ),
        Check("assessment_date", assessed < born, "Assessment date must be after the date of birth"),
        Check(
            "stranger_victim",
            o.and_(applies, o.is_null(x["stranger_victim"])),
            "Answer yes or no: needed for a man with a sexual-offence history",
        ),
        Check(
            "last_sexual_sanction_date",
            o.and_(applies, has_last, last_too_young),
            f"Age at the last sexual sanction must be {minimum_age} or over",
        ),
        Check(
            "last_sexual_sanction_date",
            o.and_(applies, has_last, o.not_(last_too_young), last > assessed),
            "The last sexual sanction cannot be after the assessment date",
        ),
    ]
    for name in ("most_recent_offence_date", "most_recent_sexual_offence_date"):
        when = o.fill_null(x[name], assessed)
        checks.append(
            Check(
                name,
                o.and_(applies, o.not_(o.is_null(x[name])), when > assessed),
                "This date cannot be after the assessment date",
            )
        )
    return checks


def _fields(data: OspIicInput, cls: type[OspIicInput]) -> dict[str, Any]:
    return {name: getattr(data, name) for name in cls.__dataclass_fields__}


def osp_iic_check(data: OspIicInput, problems: Problems) -> None:
    report(problems, osp_iic_checks(SCALAR, **_fields(data, OspIicInput)))


def osp_dc_check(data: OspDcInput, problems: Problems) -> None:
    report(problems, osp_dc_checks(SCALAR, **_fields(data, OspDcInput)))


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


def osp_iic_formula(o: Ops, **x: Any) -> dict[str, Any]:
    """OSP/IIC over its checked inputs ``x``: the hierarchy rule that applies, the percent in whole hundredths and
    the band (0 and not applicable unless the tool applies)."""
    hierarchy = iic_hierarchy(iic_policy())
    rule: Any = hierarchy[-1].rule  # the last rule has no conditions
    for row in reversed(hierarchy[:-1]):  # built from the last, so the first rule that holds wins
        holds = [
            o.fill_null(x[c.field], 0) >= c.at_least
            if c.at_least is not None
            else o.fill_null(x[c.field], 0) == c.equals
            for c in row.when
        ]
        rule = o.where(o.and_(*holds), row.rule, rule)
    rule = o.let(rule)
    applies = o.let(applies_to(o, **x))
    hundredths = {r.rule: SCALAR.hundredths(float(r.probability)) for r in hierarchy}
    return {
        "applies": applies,
        "rule": o.where(applies, rule, NOT_APPLICABLE),
        "hundredths": o.where(applies, o.lookup(rule, hundredths), 0),
        "band": o.where(applies, o.lookup(rule, {r.rule: r.band for r in hierarchy}), NOT_APPLICABLE),
    }


def _hundredths(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def osp_iic_score(data: OspIicInput) -> OspIicResult:
    pol = iic_policy()
    f = osp_iic_formula(SCALAR, **_fields(data, OspIicInput))
    if not f["applies"]:
        return OspIicResult(
            tool="osp-iic",
            policy_version=pol.policy_version,
            percent=Decimal("0.00"),
            band=NOT_APPLICABLE,
            rule=NOT_APPLICABLE,
            explanation=(),
            notes=(_not_applicable_note(data),),
        )
    row = next(r for r in iic_hierarchy(pol) if r.rule == f["rule"])
    terms = (
        *(Term(name, getattr(data, name), None, 0) for name in SEXUAL_COUNT_FIELDS),
        Term("hierarchy_rule", row.rule, row.probability, float(row.probability), detail="probability"),
    )
    return OspIicResult(
        tool="osp-iic",
        policy_version=pol.policy_version,
        percent=_hundredths(f["hundredths"]),
        band=f["band"],
        rule=f["rule"],
        explanation=terms,
    )


def _rows(table: Any) -> tuple[tuple[int, int], ...]:
    return tuple((int(row["from"]), int(row["points"])) for row in table)


def dc_age_points(pol: Policy, age: Any, o: Ops = SCALAR) -> Any:
    """Points for the age at the start of follow-up."""
    rule = pol["age_at_follow_up"]
    return o.where(
        age >= int(rule["no_points_from"]),
        0,
        int(rule["base"]) - o.maximum(0, (age - int(rule["from_age"])) // int(rule["step"])),
    )


def _dc_hundredths(points: int) -> int:
    """The OSP/DC percent of a number of points, in whole hundredths (0 at 0 points)."""
    pol = dc_policy()
    probability = 0.0 if points == 0 else logistic(pol.float("intercept") + pol.float("per_point") * points)
    return int(SCALAR.hundredths(probability))


POINTS_RANGE = range(0, 200)  # far above the most points anyone can score (64)


def osp_dc_formula(o: Ops, **x: Any) -> dict[str, Any]:
    """OSP/DC over its checked inputs ``x``: the points of each item, their sum, the percent in whole hundredths,
    the band before and after the risk-reduction rule, and whether the rule applied (0 points and not applicable
    unless the tool applies)."""
    pol = dc_policy()
    tables = pol["points"]
    applies = applies_to(o, **x)
    born, start, assessed = x["date_of_birth"], x["follow_up_start"], x["assessment_date"]
    age = o.let(o.age(born, start))
    last = x["last_sexual_sanction_date"]
    other = pol["other_points"]
    terms = {
        **{
            name: o.step(o.fill_null(x[name], 0), _rows(tables[name]), 0)
            for name in (
                "contact_adult_sexual_sanctions",
                "contact_child_sexual_sanctions",
                "non_contact_sexual_sanctions",
            )
        },
        "age_at_follow_up_start": dc_age_points(pol, age, o),
        "age_at_last_sexual_sanction": o.where(
            o.is_null(last),
            0,
            o.step(o.age(born, o.fill_null(last, start)), _rows(tables["age_at_last_sexual_sanction"]), 0),
        ),
        "prior_sanction": o.where(x["total_sanctions"] >= 2, int(other["prior_sanction"]), 0),
        "stranger_victim": o.where(o.fill_null(x["stranger_victim"], False), int(other["stranger_victim"]), 0),
    }
    total: Any = 0
    for value in terms.values():
        total = total + value
    points = o.let(o.where(applies, total, 0))
    unreduced = o.let(o.band(points, pol["bands"]))
    reduction = pol["risk_reduction"]
    order: list[str] = reduction["order"]
    years = int(reduction["years_offence_free"])

    def offence_free_since(name_or_value: Any) -> Any:
        when = o.fill_null(name_or_value, assessed)
        return o.and_(o.not_(o.is_null(name_or_value)), when <= assessed, o.age(when, assessed) >= years)

    reduce = o.let(
        o.and_(
            applies,
            unreduced != order[0],
            o.not_(o.fill_null(x["in_custody"], True)),
            offence_free_since(x["most_recent_offence_date"]),
            offence_free_since(x["most_recent_sexual_offence_date"]),
            offence_free_since(start),
        )
    )
    lowered = o.lookup(unreduced, {order[i]: order[i - 1] for i in range(1, len(order))})
    return {
        "applies": applies,
        "terms": terms,
        "points": points,
        "hundredths": o.tabulate(points, _dc_hundredths, POINTS_RANGE),
        "unreduced_band": o.where(applies, unreduced, NOT_APPLICABLE),
        "band": o.where(applies, o.where(reduce, lowered, unreduced), NOT_APPLICABLE),
        "reduced": reduce,
    }


def osp_dc_score(data: OspDcInput) -> OspDcResult:
    pol = dc_policy()
    f = osp_dc_formula(SCALAR, **_fields(data, OspDcInput))
    if not f["applies"]:
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
    points = f["terms"]
    terms: list[Term] = [
        Term(name, int(getattr(data, name)), None, points[name])
        for name in ("contact_adult_sexual_sanctions", "contact_child_sexual_sanctions", "non_contact_sexual_sanctions")
    ]
    terms.append(
        Term(
            "age_at_follow_up_start",
            age_in_years(data.date_of_birth, data.follow_up_start),
            None,
            points["age_at_follow_up_start"],
        )
    )
    notes: list[str] = []
    last = data.last_sexual_sanction_date
    if last is None:
        terms.append(Term("age_at_last_sexual_sanction", None, None, 0, detail="no date given: 0 points"))
        if any(getattr(data, n) for n in SEXUAL_COUNT_FIELDS):
            notes.append("No date of the last sexual sanction was given: 0 points for age at last sexual sanction")
    else:
        terms.append(
            Term(
                "age_at_last_sexual_sanction",
                age_in_years(data.date_of_birth, last),
                None,
                points["age_at_last_sexual_sanction"],
            )
        )
    terms.append(Term("prior_sanction", data.total_sanctions >= 2, None, points["prior_sanction"]))
    terms.append(Term("stranger_victim", data.stranger_victim, None, points["stranger_victim"]))
    note = _risk_reduction_note(pol, data, f)
    if note:
        notes.append(note)
    return OspDcResult(
        tool="osp-dc",
        policy_version=pol.policy_version,
        points=f["points"],
        percent=_hundredths(f["hundredths"]),
        band=f["band"],
        unreduced_band=f["unreduced_band"],
        risk_reduction_applied=f["reduced"],
        explanation=tuple(terms),
        notes=tuple(notes),
    )


def _risk_reduction_note(pol: Policy, data: OspDcInput, f: dict[str, Any]) -> str:
    rule = pol["risk_reduction"]
    if f["unreduced_band"] == rule["order"][0]:
        return ""
    needed = {
        "in_custody": data.in_custody,
        "most_recent_offence_date": data.most_recent_offence_date,
        "most_recent_sexual_offence_date": data.most_recent_sexual_offence_date,
    }
    missing = [name for name, value in needed.items() if value is None]
    if missing:
        return "Risk-reduction rule not checked: " + ", ".join(missing) + " not given"
    if not f["reduced"]:
        return ""
    return (
        f"Risk-reduction rule applied: {rule['years_offence_free']} years offence-free in the community, "
        f"band lowered from {f['unreduced_band']} to {f['band']}"
    )
