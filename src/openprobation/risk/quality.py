"""The quality assurance report on risk scores: every visible case whose recorded RSR or tier disagrees with the
record's own newest calculation, or whose allocation disagrees with an allocation policy (``rules/allocation.py``:
the 2014-2021 NPS/CRC split, or the 2021+ grade rules), with counts by team and region.

Set-based: one query reads the facts of every case in scope (the newest calculation, recorded score and
registration per case, as correlated subqueries on their ``(person, kind, -id)`` indexes), and the disagreements are
SQL conditions built from the policy data, so a page costs a fixed number of queries whatever the caseload. The
same policy rules, run in Python (``allocation_expected``) on the rows of a page, give each row its reason; tests
check that the two readings agree on every combination of facts.

Scope starts from ``people_visible_to``, so a restricted or excluded case is absent from the list, the counts and
the CSV for anyone who may not see it. Quality assurance, SPOs (their team), heads of service (their PDU) and
administrators may read the report; practitioners may not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Round, Substr

from openprobation.core.errors import FieldError, ValidationFailed
from openprobation.organisation.choices import Grade, Role
from openprobation.organisation.models import Region, Team
from openprobation.organisation.selectors import teams_for_actor
from openprobation.people.access import Actor, people_visible_to, require_role
from openprobation.people.models import Person
from openprobation.risk.models import RecordedScore, Registration, RiskCalculation
from openprobation.rules import allocation as alloc
from openprobation.rules.registrations import rosh_codes

REPORT_READERS = (Role.QUALITY_ASSURANCE, Role.SPO, Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR)
KINDS = ("rsr", "tier", "allocation")
KIND_LABELS = {"rsr": "RSR", "tier": "Tier", "allocation": "Allocation"}
OUTCOME_LABELS = {"nps": "NPS", "crc": "CRC", **{g.value: g.value.upper() for g in Grade}, "pqip": "PQiP"}
PAGE_SIZE = 50


@dataclass(frozen=True)
class Disagreement:
    crn: str
    name: str
    team_code: str | None
    team_name: str | None
    region_code: str | None
    region_name: str | None
    practitioner: str | None
    kind: str
    recorded: str
    calculated: str
    difference: str
    reason: str
    rule: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class CountRow:
    code: str | None
    name: str
    region_code: str | None
    rsr: int
    tier: int
    allocation: int

    @property
    def total(self) -> int:
        return self.rsr + self.tier + self.allocation


@dataclass(frozen=True)
class DisagreementCounts:
    teams: list[CountRow]
    regions: list[CountRow]
    total: CountRow


@dataclass(frozen=True)
class DisagreementPage:
    policy: alloc.AllocationPolicy
    tolerance: Decimal
    rows: list[Disagreement]
    count: int
    page: int
    page_size: int
    counts: DisagreementCounts
    filters: dict[str, str | None] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


# ---- scope and filters ----


def report_policy(name: str | None) -> alloc.AllocationPolicy:
    try:
        return alloc.allocation_policy(name or alloc.quality_policy().default_allocation_policy)
    except alloc.UnknownPolicy as exc:
        raise ValidationFailed.single("policy", f"Unknown allocation policy {name!r}. {exc}") from exc


def _scope(actor: Actor | None, team: str | None, region: str | None) -> QuerySet[Person]:
    """The visible people, filtered by team and region code; an unknown code is a field error."""
    require_role(actor, *REPORT_READERS)
    team, region = (v.replace("\x00", "").strip() if v else None for v in (team, region))
    errors = []
    if team and not Team.objects.filter(code=team).exists():
        errors.append(("team", f"No team with code {team!r}: choose a team from the list"))
    if region and not Region.objects.filter(code=region).exists():
        errors.append(("region", f"No region with code {region!r}: choose a region from the list"))
    if errors:
        raise ValidationFailed(FieldError((path,), message) for path, message in errors)
    people = people_visible_to(actor)
    if team:
        people = people.filter(team__code=team)
    if region:
        people = people.filter(team__pdu__region__code=region)
    return people


def _latest(model: Any, kind_field: str, kind: str, column: str) -> Subquery:
    rows = model.objects.filter(person_id=OuterRef("pk"), **{kind_field: kind}).order_by("-id").values(column)[:1]
    return Subquery(rows)


def _condition_q(condition: alloc.Condition) -> Q:
    """The SQL reading of one rule's conditions; a missing fact makes the condition false, as in Python."""
    q = Q()
    if condition.rosh is not None:
        codes = [code for code, level in rosh_codes().items() if level in condition.rosh]
        q &= Q(rosh_code__in=codes)
    if condition.mappa is not None:
        q &= Q(mappa_code__isnull=not condition.mappa)
    if condition.mappa_level is not None:
        q &= Q(mappa_code__in=[f"M{level}" for level in condition.mappa_level])
    if condition.rsr_at_least is not None:
        q &= Q(rsr_score__gte=condition.rsr_at_least)
    if condition.rsr_below is not None:
        q &= Q(rsr_score__lt=condition.rsr_below)
    if condition.tier_protect is not None:
        q &= Q(tier_letter__in=list(condition.tier_protect))
    return q


def _with_facts(people: QuerySet[Person], policy: alloc.AllocationPolicy) -> QuerySet[Person]:
    active = Registration.objects.filter(person_id=OuterRef("pk"), end_date__isnull=True).order_by("-start_date", "-id")
    people = people.alias(
        rsr_score=_latest(RiskCalculation, "tool", "rsr", "score"),
        calc_tier=_latest(RiskCalculation, "tool", "tier", "tier"),
        rec_rsr=_latest(RecordedScore, "kind", "rsr", "value"),
        rec_tier=_latest(RecordedScore, "kind", "tier", "value"),
        rec_allocation=_latest(RecordedScore, "kind", "allocation", "value"),
        rosh_code=Subquery(active.filter(code__in=list(rosh_codes())).values("code")[:1]),
        mappa_code=Subquery(active.filter(code="MAPP").values("level")[:1]),
        tier_letter=Substr("calc_tier", 1, 1),
    )
    outcomes = list(policy.outcomes)
    if policy.compares == "practitioner_grade":
        actual: Any = Case(
            When(practitioner__isnull=False, then=F("practitioner__grade")),
            When(rec_allocation__in=outcomes, then=F("rec_allocation")),
            default=Value(None),
            output_field=CharField(),
        )
    else:
        actual = Case(When(rec_allocation__in=outcomes, then=F("rec_allocation")), default=Value(None))
    rule_index = Case(
        *[When(_condition_q(rule.when), then=Value(i)) for i, rule in enumerate(policy.rules, start=1)],
        default=Value(0),
        output_field=IntegerField(),
    )
    people = people.alias(actual_allocation=actual, rule_index=rule_index)
    agrees = Case(
        *[
            When(Q(rule_index=i, actual_allocation__in=sorted(rule.allocate)), then=Value(True))
            for i, rule in enumerate(policy.rules, start=1)
        ],
        default=Value(False),
        output_field=BooleanField(),
    )
    hundredths = Round((Cast("rec_rsr", DecimalField(max_digits=5, decimal_places=2)) - F("rsr_score")) * 100)
    return people.alias(
        allocation_agrees=agrees,
        rsr_hundredths=Abs(hundredths, output_field=DecimalField(max_digits=7, decimal_places=0)),
        tier_same=Case(When(rec_tier=F("calc_tier"), then=Value(True)), default=Value(False)),
    )


def _kind_conditions(tolerance: Decimal) -> dict[str, Q]:
    return {
        "rsr": Q(rec_rsr__isnull=False, rsr_score__isnull=False, rsr_hundredths__gte=tolerance * 100),
        "tier": Q(rec_tier__isnull=False, calc_tier__gt="", tier_same=False),
        "allocation": Q(rule_index__gt=0, actual_allocation__isnull=False, allocation_agrees=False),
    }


ROW_COLUMNS = {
    "p_crn": F("crn"),
    "p_first": F("first_name"),
    "p_last": F("last_name"),
    "t_code": F("team__code"),
    "t_name": F("team__name"),
    "r_code": F("team__pdu__region__code"),
    "r_name": F("team__pdu__region__name"),
    "pr_first": F("practitioner__first_name"),
    "pr_last": F("practitioner__last_name"),
    "f_rsr": F("rsr_score"),
    "f_tier": F("calc_tier"),
    "f_rec_rsr": F("rec_rsr"),
    "f_rec_tier": F("rec_tier"),
    "f_actual": F("actual_allocation"),
    "f_rosh": F("rosh_code"),
    "f_mappa": F("mappa_code"),
}


def _rows_query(people: QuerySet[Person], policy: alloc.AllocationPolicy, tolerance: Decimal) -> QuerySet[Any]:
    facts = _with_facts(people, policy)
    conditions = _kind_conditions(tolerance)
    parts = [
        facts.filter(conditions[kind]).values(**ROW_COLUMNS, f_kind=Value(kind, output_field=CharField()))
        for kind in KINDS
    ]
    union = parts[0].union(*parts[1:], all=True)
    return union.order_by("r_code", "t_code", "p_last", "p_first", "p_crn", "f_kind")


# ---- a row's recorded value, calculation, difference and reason (the page's rows only) ----


def _outcomes(values: frozenset[str] | set[str]) -> str:
    order = ["nps", "crc", "po", "spo", "pqip", "pso", "other"]
    return " or ".join(OUTCOME_LABELS.get(v, v) for v in sorted(values, key=lambda v: order.index(v)))


def _facts_of(raw: dict[str, Any]) -> alloc.AllocationFacts:
    mappa = raw["f_mappa"]
    level = None if mappa is None else (int(mappa[1:]) if mappa[1:].isdigit() else 0)
    rsr = raw["f_rsr"]
    return alloc.AllocationFacts(
        rosh=rosh_codes().get(raw["f_rosh"] or ""),
        mappa_level=level,
        rsr_percent=None if rsr is None else Decimal(str(rsr)),
        tier=raw["f_tier"] or None,
    )


def _tier_difference(recorded: str, calculated: str) -> str:
    parts = []
    if recorded[:1] != calculated[:1]:
        parts.append(f"protect {recorded[:1]} → {calculated[:1]}")
    if recorded[1:2] != calculated[1:2]:
        parts.append(f"change {recorded[1:2]} → {calculated[1:2]}")
    if recorded.endswith("S") != calculated.endswith("S"):
        parts.append("unsupervised marker (S) differs")
    return "; ".join(parts)


def _row(raw: dict[str, Any], policy: alloc.AllocationPolicy, tolerance: Decimal) -> Disagreement:
    kind = raw["f_kind"]
    if kind == "rsr":
        recorded, calculated = Decimal(raw["f_rec_rsr"]), Decimal(str(raw["f_rsr"]))
        diff = alloc.rsr_difference(recorded, calculated)
        values = (f"{recorded:.2f}%", f"{calculated:.2f}%", f"{diff:+.2f} percentage points")
        reason = f"The recorded RSR is not the calculated one (differences under {tolerance} points are rounding)"
        rule = "rsr_recorded_differs"
    elif kind == "tier":
        values = (raw["f_rec_tier"], raw["f_tier"], _tier_difference(raw["f_rec_tier"], raw["f_tier"]))
        reason, rule = "The recorded tier is not the calculated tier (V2)", "tier_recorded_differs"
    else:
        expected = alloc.allocation_expected(_facts_of(raw), policy)
        actual = OUTCOME_LABELS.get(raw["f_actual"], raw["f_actual"])
        allowed = _outcomes(expected.allowed) if expected else ""
        held = "Held by a" if policy.compares == "practitioner_grade" and raw["pr_last"] else "Recorded"
        values = (actual, allowed, f"{held} {actual}; the policy expects {allowed}")
        reason = expected.reason if expected else ""
        rule = expected.rule if expected else ""
    practitioner = f"{raw['pr_first']} {raw['pr_last']}" if raw["pr_last"] else None
    return Disagreement(
        crn=raw["p_crn"],
        name=f"{raw['p_first']} {raw['p_last']}",
        team_code=raw["t_code"],
        team_name=raw["t_name"],
        region_code=raw["r_code"],
        region_name=raw["r_name"],
        practitioner=practitioner,
        kind=kind,
        recorded=values[0],
        calculated=values[1],
        difference=values[2],
        reason=reason,
        rule=rule,
    )


# ---- the public selectors ----


def risk_disagreement_counts(
    *, actor: Actor | None, policy: str | None = None, team: str | None = None, region: str | None = None
) -> DisagreementCounts:
    """Disagreements of each kind by team and by region (one query), for the cases the actor may see."""
    chosen = report_policy(policy)
    return _counts(_scope(actor, team, region), chosen, alloc.quality_policy().rsr_tolerance_points)


def _counts(people: QuerySet[Person], policy: alloc.AllocationPolicy, tolerance: Decimal) -> DisagreementCounts:
    conditions = _kind_conditions(tolerance)
    facts = _with_facts(people, policy)
    grouped = (
        facts.filter(conditions["rsr"] | conditions["tier"] | conditions["allocation"])
        .values("team__code", "team__name", "team__pdu__region__code", "team__pdu__region__name")
        .annotate(**{f"n_{kind}": Sum(Case(When(conditions[kind], then=Value(1)), default=Value(0))) for kind in KINDS})
        .order_by("team__pdu__region__name", "team__name")
    )
    teams: list[CountRow] = []
    regions: dict[str | None, list[Any]] = {}
    for g in grouped:
        n = [int(g[f"n_{kind}"] or 0) for kind in KINDS]
        region_code = g["team__pdu__region__code"]
        teams.append(CountRow(g["team__code"], g["team__name"] or "Unallocated", region_code, *n))
        entry = regions.setdefault(region_code, [g["team__pdu__region__name"] or "No region (unallocated)", 0, 0, 0])
        for i in range(3):
            entry[i + 1] += n[i]
    region_rows = [CountRow(code, name, code, a, b, c) for code, (name, a, b, c) in regions.items()]
    total = CountRow(None, "Total", None, *(sum(getattr(t, kind) for t in teams) for kind in KINDS))
    return DisagreementCounts(teams=teams, regions=region_rows, total=total)


def risk_disagreements(
    *,
    actor: Actor | None,
    policy: str | None = None,
    team: str | None = None,
    region: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> DisagreementPage:
    """One page of disagreements (one row per case and kind, by region, team and name) with the counts."""
    chosen = report_policy(policy)
    tolerance = alloc.quality_policy().rsr_tolerance_points
    people = _scope(actor, team, region)
    if page < 1 or page_size < 1:
        raise ValidationFailed.single("page", "Pages are numbered from 1")
    rows = _rows_query(people, chosen, tolerance)
    count = rows.count()
    start = (page - 1) * page_size
    raws = list(rows[start : start + page_size])
    return DisagreementPage(
        policy=chosen,
        tolerance=tolerance,
        rows=[_row(raw, chosen, tolerance) for raw in raws],
        count=count,
        page=page,
        page_size=page_size,
        counts=_counts(people, chosen, tolerance),
        filters={"policy": chosen.name, "team": team or None, "region": region or None},
    )


def risk_disagreements_all(
    *, actor: Actor | None, policy: str | None = None, team: str | None = None, region: str | None = None
) -> Iterator[Disagreement]:
    """Every disagreement in scope, read in chunks (for the CSV export). Validates before the first row."""
    chosen = report_policy(policy)
    tolerance = alloc.quality_policy().rsr_tolerance_points
    rows = _rows_query(_scope(actor, team, region), chosen, tolerance)

    def generate() -> Iterator[Disagreement]:
        for raw in rows.iterator(chunk_size=2000):
            yield _row(raw, chosen, tolerance)

    return generate()


def report_filter_choices(*, actor: Actor | None) -> dict[str, list[tuple[str, str]]]:
    """Teams and regions the actor's scope covers, and the policies, for the report's filter form."""
    require_role(actor, *REPORT_READERS)
    found = teams_for_actor(actor=actor) if actor is not None else Team.objects.none()
    teams = list(found.select_related("pdu__region"))
    regions = sorted({t.pdu.region for t in teams}, key=lambda r: r.name)
    return {
        "policies": [(name, alloc.allocation_policy(name).title) for name in alloc.policy_names()],
        "teams": [(t.code, t.name) for t in teams],
        "regions": [(r.code, r.name) for r in regions],
    }
