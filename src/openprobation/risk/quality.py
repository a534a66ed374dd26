"""The quality assurance report on risk scores: every visible case whose recorded RSR or tier disagrees with the
record's own newest calculation, or whose allocation disagrees with an allocation policy (``rules/allocation.py``:
the 2014-2021 NPS/CRC split, or the 2021+ grade rules), with counts by team and region. An allocation no rule of
the policy applies to (no RoSH registration, no calculated RSR or tier) "cannot be checked": it is listed with the
missing facts named and counted apart from the disagreements, never taken as agreeing.

Set-based: one SQL statement (common table expressions, ``_report_sql``) reads each fact once per case in scope
(the newest calculation, recorded score and active RoSH and MAPPA registration per case, by ``ROW_NUMBER()``
windows: PostgreSQL, SQLite >= 3.25), then tests the disagreements over those facts with SQL conditions built from
the policy data (values always as parameters); the counts by team and the page's rows come from that one statement,
so a page costs a fixed number of queries whatever the caseload. The same policy rules, run in Python
(``allocation_expected``) on the rows of a page only, give each row its reason; tests check that the two readings
agree on every combination of facts.

Scope starts from ``people_visible_to``, so a restricted or excluded case is absent from the list, the counts and
the CSV for anyone who may not see it. Quality assurance, SPOs (their team), heads of service (their PDU) and
administrators may read the report; practitioners may not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connections, transaction
from django.db.models import QuerySet

from openprobation.core import clock
from openprobation.core.errors import FieldError, ValidationFailed
from openprobation.organisation.choices import Grade, Role
from openprobation.organisation.models import Region, Staff, Team
from openprobation.organisation.selectors import teams_for_actor
from openprobation.people.access import Actor, people_visible_to, require_role
from openprobation.people.models import Person
from openprobation.risk.models import RecordedScore, Registration, RiskCalculation
from openprobation.rules import allocation as alloc
from openprobation.rules.registrations import rosh_codes

REPORT_READERS = (Role.QUALITY_ASSURANCE, Role.SPO, Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR)
KINDS = ("rsr", "tier", "allocation")  # the disagreements
# Listed and counted apart: an allocation against a rule no published source gives (the rule is marked unverified
# in its policy file), and an allocation no rule applies to (facts missing).
UNVERIFIED = "allocation_unverified"
CANNOT_CHECK = "allocation_cannot_check"
LISTED_KINDS = (*KINDS, UNVERIFIED, CANNOT_CHECK)
KIND_LABELS = {
    "rsr": "RSR",
    "tier": "Tier",
    "allocation": "Allocation",
    UNVERIFIED: "Allocation: against a rule not yet verified",
    CANNOT_CHECK: "Allocation: cannot check",
}
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
    missing: tuple[str, ...] = ()  # for "cannot check": the facts the policy needs that the case lacks

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
    cannot_check: int = 0  # allocations no rule could check: not disagreements, counted apart
    unverified: int = 0  # allocations against a rule marked unverified: not disagreements, counted apart

    @property
    def total(self) -> int:
        """Disagreements (RSR, tier and allocation against a verified rule)."""
        return self.rsr + self.tier + self.allocation

    @property
    def listed(self) -> int:
        """Rows the report lists: the disagreements, the allocations against unverified rules and those that
        cannot be checked."""
        return self.total + self.unverified + self.cannot_check


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
    """The policy chosen, or with none chosen the one in force today."""
    try:
        return alloc.allocation_policy(name) if name else alloc.policy_in_force(clock.today())
    except alloc.UnknownPolicy as exc:
        raise ValidationFailed.single("policy", f"Unknown allocation policy {name!r}. {exc}") from exc


class Scope(NamedTuple):
    people: QuerySet[Person]
    narrow: bool  # a team, PDU or region rather than every case: the facts are read for these people only


def _scope(actor: Actor | None, team: str | None, region: str | None) -> Scope:
    """The visible people, filtered by team and region code; an unknown code is a field error."""
    staff = require_role(actor, *REPORT_READERS)
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
    return Scope(people, bool(team or region) or staff.role in (Role.SPO, Role.HEAD_OF_SERVICE))


def _in(column: str, values: list[Any], params: list[Any]) -> str:
    """``column IN (%s, ...)`` with the values as parameters; an empty list never holds (as in Python)."""
    if not values:
        return "1 = 0"
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


@dataclass(frozen=True)
class Sql:
    """A piece of SQL and its parameters, in the order of its placeholders."""

    text: str
    params: tuple[Any, ...] = ()


class SqlOps:
    """The allocation rules' conditions (``rules.allocation.Condition.test``, the same test one case runs) written
    as SQL. A missing fact is NULL, and a condition on it does not hold (NULL is not true in a CASE)."""

    def is_in(self, value: Sql, values: Sequence[Any]) -> Sql:
        if not values:
            return Sql("1 = 0")
        return Sql(f"{value.text} IN ({', '.join(['%s'] * len(values))})", (*value.params, *values))

    def is_null(self, value: Sql) -> Sql:
        return Sql(f"{value.text} IS NULL", value.params)

    def not_(self, value: Sql) -> Sql:
        return Sql(f"NOT ({value.text})", value.params)

    def at_least(self, value: Sql, bound: Decimal) -> Sql:
        return Sql(f"{value.text} >= CAST(%s AS NUMERIC)", (*value.params, str(bound)))

    def below(self, value: Sql, bound: Decimal) -> Sql:
        return Sql(f"{value.text} < CAST(%s AS NUMERIC)", (*value.params, str(bound)))

    def and_(self, *values: Sql) -> Sql:
        if not values:
            return Sql("1 = 1")
        return Sql(" AND ".join(f"({v.text})" for v in values), tuple(p for v in values for p in v.params))


def _case(column: str, mapping: Mapping[str, Any], otherwise: str = "NULL") -> Sql:
    whens = " ".join("WHEN %s THEN %s" for _ in mapping)
    return Sql(f"CASE {column} {whens} ELSE {otherwise} END", tuple(x for item in mapping.items() for x in item))


@dataclass(frozen=True)
class SqlFacts:
    """The facts the allocation rules read (``rules.allocation.AllocationFacts``), from the report's columns, as
    ``_facts_of`` reads them for a row: the newest RoSH registration's level, the newest MAPPA registration's level
    (0 when it has none), the calculated RSR and the calculated tier's protect letter."""

    rosh: Sql
    mappa_level: Sql
    rsr_percent: Sql
    tier_protect: Sql


def _sql_facts() -> SqlFacts:
    levels = {f"M{level}": level for level in alloc.MAPPA_LEVELS}
    mappa = _case("mappa_code", levels, otherwise="0")
    return SqlFacts(
        rosh=_case("rosh_code", rosh_codes()),
        mappa_level=Sql(f"CASE WHEN mappa_code IS NULL THEN NULL ELSE {mappa.text} END", mappa.params),
        rsr_percent=Sql("rsr_score"),
        tier_protect=Sql("SUBSTR(calc_tier, 1, 1)"),
    )


def _condition_sql(condition: alloc.Condition, params: list[Any]) -> str:
    """The SQL reading of one rule's conditions: ``Condition.test`` written by :class:`SqlOps`."""
    sql = condition.test(SqlOps(), _sql_facts())
    params.extend(sql.params)
    return str(sql.text)


def _newest(model: Any, key: str, columns: dict[str, tuple[str, str]], order: str, where: str, narrow: bool) -> str:
    """The newest row per person in scope and ``key`` (``ROW_NUMBER()`` over a window), pivoted to one row per
    person; ``columns`` maps each output name to (the key's value, the column), given as parameters."""
    picked = ", ".join(f"MAX(CASE WHEN k = %s THEN {column} END) AS {name}" for name, (_, column) in columns.items())
    inner = ", ".join(sorted({f"x.{column}" for _, column in columns.values()}))
    # A narrow scope is joined here (index lookups for its people); for every case one pass over the table is
    # cheaper, and the facts join to the scope later either way.
    scope = "JOIN scope ON scope.id = x.person_id " if narrow else ""
    return (
        f"SELECT person_id, {picked} FROM (SELECT x.person_id, {key} AS k, {inner},"  # noqa: S608
        f" ROW_NUMBER() OVER (PARTITION BY x.person_id, {key} ORDER BY {order}) AS rn"
        f" FROM {model._meta.db_table} x {scope}WHERE {where}"
        ") ranked WHERE rn = 1 GROUP BY person_id"
    )


SCOPE_FIELDS = {
    "id": "id", "team_id": "team_id", "practitioner_id": "practitioner_id", "crn": "crn", "first_name": "first_name",
    "last_name": "last_name", "t_code": "team__code", "t_name": "team__name", "r_code": "team__pdu__region__code",
    "r_name": "team__pdu__region__name",
}  # fmt: skip
CALC_COLUMNS = {"rsr_score": ("rsr", "score"), "calc_tier": ("tier", "tier")}
RECORDED_COLUMNS = {
    "rec_rsr": ("rsr", "value"),
    "rec_tier": ("tier", "value"),
    "rec_allocation": ("allocation", "value"),
}
REGISTRATION_COLUMNS = {"rosh_code": ("rosh", "code"), "mappa_code": ("mappa", "level")}


def _report_sql(scope: Scope, policy: alloc.AllocationPolicy, tolerance: Decimal) -> tuple[str, list[Any]]:
    """``WITH scope, calc, rec, regs, facts, flags``: one row per person in scope (``flags``) with the facts
    and whether each kind disagrees (``is_rsr``, ``is_tier``, ``is_allocation``: 1 or 0). Parameters follow the
    order of the text; policy values are always parameters."""
    people = scope.people.order_by().values_list(*SCOPE_FIELDS.values())
    scope_sql, params = people.query.get_compiler(using=people.db).as_sql()
    params = list(params)
    sql = [f"WITH scope ({', '.join(SCOPE_FIELDS)}) AS ({scope_sql})"]

    params += [key for key, _ in CALC_COLUMNS.values()]
    where = _in("x.tool", [key for key, _ in CALC_COLUMNS.values()], params)
    sql.append(f", calc AS ({_newest(RiskCalculation, 'x.tool', CALC_COLUMNS, 'x.id DESC', where, scope.narrow)})")

    params += [key for key, _ in RECORDED_COLUMNS.values()]
    where = _in("x.kind", [key for key, _ in RECORDED_COLUMNS.values()], params)
    sql.append(f", rec AS ({_newest(RecordedScore, 'x.kind', RECORDED_COLUMNS, 'x.id DESC', where, scope.narrow)})")

    # The newest active RoSH registration and the newest active MAPPA one, as Registration's ordering reads them.
    params += [key for key, _ in REGISTRATION_COLUMNS.values()]
    group = "CASE WHEN x.code = %s THEN 'mappa' ELSE 'rosh' END"
    params += ["MAPP", "MAPP"]  # the grouping expression is in the select list and the window
    where = "x.end_date IS NULL AND " + _in("x.code", [*rosh_codes(), "MAPP"], params)
    regs = _newest(Registration, group, REGISTRATION_COLUMNS, "x.start_date DESC, x.id DESC", where, scope.narrow)
    sql.append(f", regs AS ({regs})")

    held = _in("r.rec_allocation", list(policy.outcomes), params)
    grade = "WHEN s.practitioner_id IS NOT NULL THEN pr.grade " if policy.compares == "practitioner_grade" else ""
    sql.append(
        f", facts AS (SELECT s.id AS person_id, s.team_id, s.crn, s.first_name, s.last_name, s.t_code, s.t_name,"  # noqa: S608
        " s.r_code, s.r_name,"
        " pr.first_name AS pr_first, pr.last_name AS pr_last, c.rsr_score, c.calc_tier, r.rec_rsr, r.rec_tier,"
        f" g.rosh_code, g.mappa_code, CASE {grade}WHEN {held} THEN r.rec_allocation ELSE NULL END AS actual_allocation"
        f" FROM scope s LEFT JOIN {Staff._meta.db_table} pr ON pr.id = s.practitioner_id"
        " LEFT JOIN calc c ON c.person_id = s.id LEFT JOIN rec r ON r.person_id = s.id"
        " LEFT JOIN regs g ON g.person_id = s.id)"
    )
    rsr = (
        "CASE WHEN rec_rsr IS NOT NULL AND rsr_score IS NOT NULL"
        " AND ABS(ROUND((CAST(rec_rsr AS NUMERIC(5, 2)) - rsr_score) * 100)) >= %s THEN 1 ELSE 0 END"
    )
    params.append(int(tolerance * 100))
    tier = "CASE WHEN rec_tier IS NOT NULL AND calc_tier > '' AND rec_tier <> calc_tier THEN 1 ELSE 0 END"
    # The first rule whose conditions hold decides; no allocation to compare is not a disagreement (0); against a
    # verified rule it is one (1), against an unverified rule it is reported apart (2); an allocation no rule
    # applies to cannot be checked (is_unchecked), which is reported apart too, never as agreeing.
    allocation = "CASE WHEN actual_allocation IS NULL THEN 0"
    for rule in policy.rules:
        holds = _condition_sql(rule.when, params)
        allowed = _in("actual_allocation", sorted(rule.allocate), params)
        allocation += f" WHEN {holds} THEN CASE WHEN {allowed} THEN 0 ELSE {2 if rule.unverified else 1} END"
    allocation += " ELSE 0 END"
    unchecked = "CASE WHEN actual_allocation IS NULL THEN 0"
    for rule in policy.rules:
        unchecked += f" WHEN {_condition_sql(rule.when, params)} THEN 0"
    unchecked += " ELSE 1 END"
    sql.append(
        f", checked AS (SELECT facts.*, {rsr} AS is_rsr, {tier} AS is_tier, {allocation} AS allocation_flag,"  # noqa: S608
        f" {unchecked} AS is_unchecked FROM facts)"
        ", flags AS (SELECT checked.*, CASE WHEN allocation_flag = 1 THEN 1 ELSE 0 END AS is_allocation,"
        " CASE WHEN allocation_flag = 2 THEN 1 ELSE 0 END AS is_unverified FROM checked)"
    )
    return "".join(sql), params


ROW_FIELDS = (
    "p_crn", "p_first", "p_last", "t_code", "t_name", "r_code", "r_name", "pr_first", "pr_last", "f_rsr", "f_tier",
    "f_rec_rsr", "f_rec_tier", "f_actual", "f_rosh", "f_mappa", "f_kind",
)  # fmt: skip


ORDER_COLUMNS = ("f.r_code", "f.t_code", "f.last_name", "f.first_name", "f.crn", "k.kind")


def _listed_sql(params: list[Any]) -> str:
    """The rows over ``flags``: one per case and disagreeing (or unchecked) kind, with the order columns
    ``s1``-``s6``."""
    kinds = " UNION ALL ".join(["SELECT %s AS kind"] * len(LISTED_KINDS))
    params += [*LISTED_KINDS, "rsr", "tier", "allocation", UNVERIFIED]
    order = ", ".join(f"{column} AS s{i}" for i, column in enumerate(ORDER_COLUMNS, start=1))
    return (
        f"SELECT {order}, f.crn, f.first_name, f.last_name, f.t_code, f.t_name, f.r_code, f.r_name, f.pr_first,"  # noqa: S608
        " f.pr_last, f.rsr_score, f.calc_tier, f.rec_rsr, f.rec_tier, f.actual_allocation, f.rosh_code,"
        f" f.mappa_code, k.kind FROM flags f JOIN ({kinds}) k"
        " ON CASE k.kind WHEN %s THEN f.is_rsr WHEN %s THEN f.is_tier WHEN %s THEN f.is_allocation"
        " WHEN %s THEN f.is_unverified ELSE f.is_unchecked END = 1"
        " AND (f.is_rsr = 1 OR f.is_tier = 1 OR f.is_allocation = 1 OR f.is_unverified = 1 OR f.is_unchecked = 1)"
    )


ORDER_BY = " ORDER BY s1, s2, s3, s4, s5, s6"


def _rows_sql(scope: Scope, policy: alloc.AllocationPolicy, tolerance: Decimal) -> tuple[str, list[Any]]:
    """Every row, by region, team, name, CRN and kind (for the CSV)."""
    sql, params = _report_sql(scope, policy, tolerance)
    return f"{sql} SELECT * FROM ({_listed_sql(params)}) listed{ORDER_BY}", params  # noqa: S608


def _page_sql(
    scope: Scope, policy: alloc.AllocationPolicy, tolerance: Decimal, limit: int, offset: int
) -> tuple[str, list[Any]]:
    """One statement for a page (the facts read once): the counts by team (``part`` 0, by region and team name)
    and then ``limit`` rows from ``offset`` (``part`` 1). Both read ``flags``, which PostgreSQL materializes once."""
    sql, params = _report_sql(scope, policy, tolerance)
    listed = _listed_sql(params)
    params += [limit, offset]
    blanks = ", ".join(["NULL"] * (len(ROW_FIELDS) - 4))
    return (
        f"{sql}, counted AS (SELECT t_code, t_name, r_code, r_name, SUM(is_rsr) AS n_rsr, SUM(is_tier) AS n_tier,"  # noqa: S608
        " SUM(is_allocation) AS n_allocation, SUM(is_unchecked) AS n_unchecked, SUM(is_unverified) AS n_unverified"
        " FROM flags WHERE is_rsr = 1 OR is_tier = 1 OR is_allocation = 1 OR is_unchecked = 1 OR is_unverified = 1"
        " GROUP BY t_code, t_name, r_code, r_name)"
        f", listed AS ({listed}{ORDER_BY} LIMIT %s OFFSET %s)"
        " SELECT 0 AS part, r_name AS s1, t_name AS s2, NULL AS s3, NULL AS s4, NULL AS s5, NULL AS s6,"
        f" t_code, t_name, r_code, r_name, {blanks}, n_rsr, n_tier, n_allocation, n_unchecked, n_unverified"
        " FROM counted UNION ALL SELECT 1, listed.*, NULL, NULL, NULL, NULL, NULL FROM listed"
        " ORDER BY part, s1, s2, s3, s4, s5, s6"
    ), params


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
    missing: tuple[str, ...] = ()
    if kind == "rsr":
        recorded, calculated = Decimal(raw["f_rec_rsr"]), Decimal(str(raw["f_rsr"]))
        diff = alloc.rsr_difference(recorded, calculated)
        values = (f"{recorded:.2f}%", f"{calculated:.2f}%", f"{diff:+.2f} percentage points")
        reason = f"The recorded RSR is not the calculated one (differences under {tolerance} points are rounding)"
        rule = "rsr_recorded_differs"
    elif kind == "tier":
        values = (raw["f_rec_tier"], raw["f_tier"], _tier_difference(raw["f_rec_tier"], raw["f_tier"]))
        reason, rule = "The recorded tier is not the calculated tier (V2)", "tier_recorded_differs"
    elif kind == CANNOT_CHECK:
        check = alloc.allocation_check(_facts_of(raw), policy)
        missing = check.missing if isinstance(check, alloc.AllocationCannotCheck) else ()
        actual = OUTCOME_LABELS.get(raw["f_actual"], raw["f_actual"])
        held = "Held by a" if policy.compares == "practitioner_grade" and raw["pr_last"] else "Recorded"
        values = (actual, "", f"{held} {actual}; cannot check without: {_missing(missing)}")
        reason, rule = check.reason, alloc.CANNOT_CHECK_RULE
    else:
        expected = alloc.allocation_expected(_facts_of(raw), policy)
        actual = OUTCOME_LABELS.get(raw["f_actual"], raw["f_actual"])
        allowed = _outcomes(expected.allowed) if expected else ""
        held = "Held by a" if policy.compares == "practitioner_grade" and raw["pr_last"] else "Recorded"
        values = (actual, allowed, f"{held} {actual}; the policy expects {allowed}")
        reason = expected.reason if expected else ""
        if kind == UNVERIFIED:
            reason += " (a rule not yet verified against a published source: check it against local guidance)"
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
        missing=missing,
    )


def _missing(keys: tuple[str, ...]) -> str:
    return "; ".join(alloc.MISSING_FACTS[key] for key in keys) or "no rule applies"


# ---- the public selectors ----


MAX_PAGE = 1_000_000  # far past any real report; a bigger offset overflows the database's integer


def risk_disagreement_counts(
    *, actor: Actor | None, policy: str | None = None, team: str | None = None, region: str | None = None
) -> DisagreementCounts:
    """Disagreements of each kind by team and by region (one query), for the cases the actor may see."""
    chosen = report_policy(policy)
    return _counts(_scope(actor, team, region), chosen, alloc.quality_policy().rsr_tolerance_points)


def _counts(scope: Scope, policy: alloc.AllocationPolicy, tolerance: Decimal) -> DisagreementCounts:
    return _read_page(scope, policy, tolerance, 0, 0)[0]


def _read_page(
    scope: Scope, policy: alloc.AllocationPolicy, tolerance: Decimal, limit: int, offset: int
) -> tuple[DisagreementCounts, list[dict[str, Any]]]:
    """The counts and one page of raw rows, in one query."""
    sql, params = _page_sql(scope, policy, tolerance, limit, offset)
    connection = connections[scope.people.db]
    with transaction.atomic(using=scope.people.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # JIT compiling this expression-heavy query costs more than running it (over 1 s for every case at
            # national scale); off for this transaction only.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        found = cursor.fetchall()
    order = len(ORDER_COLUMNS) + 1
    raws = [dict(zip(ROW_FIELDS, row[order : order + len(ROW_FIELDS)], strict=True)) for row in found if row[0]]
    teams: list[CountRow] = []
    regions: dict[str | None, list[Any]] = {}
    for row in found:
        if row[0]:
            continue
        team_code, team_name, region_code, region_name = row[order : order + 4]
        n = [int(v or 0) for v in row[-5:]]
        teams.append(CountRow(team_code, team_name or "Unallocated", region_code, *n))
        entry = regions.setdefault(region_code, [region_name or "No region (unallocated)", 0, 0, 0, 0, 0])
        for i in range(5):
            entry[i + 1] += n[i]
    region_rows = [CountRow(code, name, code, *numbers) for code, (name, *numbers) in regions.items()]
    counted = (*KINDS, "cannot_check", "unverified")
    total = CountRow(None, "Total", None, *(sum(getattr(t, kind) for t in teams) for kind in counted))
    return DisagreementCounts(teams=teams, regions=region_rows, total=total), raws


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
    scope = _scope(actor, team, region)
    if page < 1 or page_size < 1:
        raise ValidationFailed.single("page", "Pages are numbered from 1")
    if page > MAX_PAGE:
        raise ValidationFailed.single("page", f"Pages are numbered up to {MAX_PAGE:,}")
    counts, raws = _read_page(scope, chosen, tolerance, page_size, (page - 1) * page_size)
    return DisagreementPage(
        policy=chosen,
        tolerance=tolerance,
        rows=[_row(raw, chosen, tolerance) for raw in raws],
        count=counts.total.listed,
        page=page,
        page_size=page_size,
        counts=counts,
        filters={"policy": chosen.name, "team": team or None, "region": region or None},
    )


def risk_disagreements_all(
    *, actor: Actor | None, policy: str | None = None, team: str | None = None, region: str | None = None
) -> Iterator[Disagreement]:
    """Every disagreement in scope, read in chunks (for the CSV export). Validates before the first row."""
    chosen = report_policy(policy)
    tolerance = alloc.quality_policy().rsr_tolerance_points
    scope = _scope(actor, team, region)
    sql, params = _rows_sql(scope, chosen, tolerance)
    skip = len(ORDER_COLUMNS)

    def generate() -> Iterator[Disagreement]:
        with connections[scope.people.db].chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(2000):
                for row in chunk:
                    yield _row(dict(zip(ROW_FIELDS, row[skip:], strict=True)), chosen, tolerance)

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
