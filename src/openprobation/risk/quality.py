"""The quality assurance report on risk scores: every visible case whose recorded RSR or tier disagrees with the
record's own newest calculation, or whose allocation disagrees with an allocation policy (``rules/allocation.py``:
the 2014-2021 NPS/CRC split, or the 2021+ grade rules), with counts by team and region. An allocation no rule of
the policy applies to (no RoSH registration, no calculated RSR or tier) "cannot be checked": it is listed with the
missing facts named and counted apart from the disagreements, never taken as agreeing.

Read from ready-made rows (``risk.riskfacts``, decision 0030): each case's current facts and flags are kept by the
services that change them, with the allocation rules evaluated there in Python (``rules.allocation.allocation_check``)
under every policy. A page reads only the rows flagged under the chosen policy (a partial index) for the cases in
scope: one statement counts them by team, in the page's order, with the number of rows before each team; a second
reads the page's rows from the teams it covers only. So a page costs a fixed number of queries whatever the caseload.
The statements are built by the ORM from the access rule, compiled once per shape (:class:`Shape`: the policy, the
reader's shape, the filters chosen) and run with each request's ids (``core.prepared.ShapedSql``, decision 0035).
Rows worked out under other policy versions are worked out again first (``riskfacts.ensure_current``), so no flag is
read under a policy other than the one in force. The same rules, on the rows of a page only, give each row its reason.

Scope is the rule of ``people_visible_to`` as a condition on the rows (``visible_case_condition``), so a restricted or
excluded case is absent from the list, the counts and the CSV for anyone who may not see it. Quality assurance, SPOs
(their team), heads of service (their PDU) and administrators may read the report; practitioners may not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from openprobation.core import clock
from openprobation.core.errors import FieldError, PermissionDenied, ValidationFailed
from openprobation.core.prepared import ShapedSql
from openprobation.organisation.choices import Grade, Role
from openprobation.organisation.models import Pdu, Region, Team
from openprobation.organisation.selectors import teams_for_actor
from openprobation.people.access import (
    Actor,
    Reader,
    hidden_from_one_who_sees_every_case,
    reader_for,
    require_role,
    visible_case_condition,
)
from openprobation.risk import riskfacts
from openprobation.risk.facts import table_name
from openprobation.risk.models import RiskFacts, RiskFactsTally
from openprobation.rules import allocation as alloc

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


@dataclass(frozen=True)
class Shape:
    """What decides the text of the report's statements, besides the values they are run with: the policy, the
    reader's shape (``people.access.Reader.shape``), which filters are chosen, and whether the counts are the
    tally's less the cases hidden from the reader (a reader who sees every case). The statements are compiled once
    per shape and database (``core.prepared.ShapedSql``) and run with the values of each request (:class:`Listed`)."""

    policy: str
    reader: tuple[Any, ...]
    team: bool
    region: bool
    national: bool


@dataclass(frozen=True)
class Listed:
    """The rows a reader's report lists, as a shape and its values: the reader's ids and the team and region codes
    chosen. Their counts are summed from those rows (each 1), or for a reader who sees every case from the tally
    (``RiskFactsTally``) less the rows of the few cases the lists hide from them (each -1)."""

    shape: Shape
    values: list[Any]


@dataclass(frozen=True)
class _Parts:
    rows: QuerySet[RiskFacts]
    sources: list[tuple[QuerySet[Any], Any]]
    policy: alloc.AllocationPolicy


def _parts(shape: Shape, values: Sequence[Any]) -> _Parts:
    """The querysets of :class:`Listed`'s rows and counts, built from its shape and values (real or stand-ins)."""
    given = list(values)
    ids = 1 + shape.reader[1] + shape.reader[2]  # the reader's own id, their team's and their PDU's when set
    reader = Reader.of_shape(shape.reader, given[:ids])
    rest = iter(given[ids:])
    team = next(rest) if shape.team else None
    region = next(rest) if shape.region else None
    policy = alloc.allocation_policy(shape.policy)
    column = riskfacts.ALLOCATION_COLUMNS[policy.name]
    flagged = Q(rsr_differs=True) | Q(tier_differs=True) | Q(**{f"{column}__gte": riskfacts.DISAGREES})
    # A row of facts holds its case's team and is keyed by the case, so the people's condition applies to it as it
    # stands (``via=""``): the scope on the row's team, the lists' hidden cases on its key.
    chosen = (
        flagged
        & (Q(team__code=team) if shape.team else Q())
        & (Q(team__pdu__region__code=region) if shape.region else Q())
    )
    rows = RiskFacts.objects.filter(chosen).filter(visible_case_condition(reader, via=""))
    if not shape.national:
        return _Parts(rows, [(rows, Value(1))], policy)
    hidden = cast(QuerySet[Any], hidden_from_one_who_sees_every_case(reader))
    sources: list[tuple[QuerySet[Any], Any]] = [
        (RiskFactsTally.objects.filter(chosen), F("n")),
        # the rows of the few cases the lists hide from the reader, found by key (riskfacts.key_among)
        (RiskFacts.objects.filter(chosen).filter(riskfacts.key_among(hidden)), Value(-1)),
    ]
    return _Parts(rows, sources, policy)


def _listed(actor: Actor | None, team: str | None, region: str | None, policy: alloc.AllocationPolicy) -> Listed:
    """The rows the report lists under ``policy`` (a flag set: the partial index ``riskfacts_listed``) for the cases
    the actor may see, filtered by team and region code; an unknown code is a field error."""
    require_role(actor, *REPORT_READERS)
    team, region = (v.replace("\x00", "").strip() if v else None for v in (team, region))
    errors = []
    if team and not Team.objects.filter(code=team).exists():
        errors.append(("team", f"No team with code {team!r}: choose a team from the list"))
    if region and not Region.objects.filter(code=region).exists():
        errors.append(("region", f"No region with code {region!r}: choose a region from the list"))
    if errors:
        raise ValidationFailed(FieldError((path,), message) for path, message in errors)
    reader = reader_for(actor)
    if reader is None:  # every reader of the report sees some cases; refused as any other role would be
        raise PermissionDenied("Your role cannot do this")
    values: list[Any] = [*reader.ids, *([team] if team else []), *([region] if region else [])]
    shape = Shape(policy.name, reader.shape, bool(team), bool(region), reader.sees_every_case)
    return Listed(shape, values)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _kind_flags(policy: alloc.AllocationPolicy) -> dict[str, Case]:
    """Whether each kind is listed (1 or 0): ``is_rsr``, ``is_tier``, ``is_allocation``, ``is_unverified``,
    ``is_unchecked``."""
    column = riskfacts.ALLOCATION_COLUMNS[policy.name]
    return {
        "is_rsr": _flag(Q(rsr_differs=True)), "is_tier": _flag(Q(tier_differs=True)),
        "is_allocation": _flag(Q(**{column: riskfacts.DISAGREES})),
        "is_unverified": _flag(Q(**{column: riskfacts.AGAINST_UNVERIFIED})),
        "is_unchecked": _flag(Q(**{column: riskfacts.CANNOT_CHECK})),
    }  # fmt: skip


def _flags_sql(rows: QuerySet[RiskFacts], policy: alloc.AllocationPolicy, teams: Any = None) -> tuple[str, list[Any]]:
    """``WITH flags (...)``: one row per listed case with its facts, team, region, holder and whether each kind is
    listed (:func:`_kind_flags`). With ``teams`` (one parameter: the ids of the teams a page covers in the page's
    order, -1 for the unallocated; ``riskfacts.ids_param``), each row's team id and its position among them instead
    of the team's and region's codes and names, which the page takes from its counts (no join to the teams)."""
    team_fields: dict[str, Any]
    if teams is None:
        team_fields = {
            "t_code": F("team__code"), "t_name": F("team__name"), "r_code": F("team__pdu__region__code"),
            "r_name": F("team__pdu__region__name"),
        }  # fmt: skip
    else:
        team_fields = {"t_id": F("team_id"), "t_pos": riskfacts.position_among(teams, "team_id")}
    fields: dict[str, Any] = {
        "crn": F("person__crn"), "first_name": F("person__first_name"), "last_name": F("person__last_name"),
        **team_fields,
        "pr_first": F("person__practitioner__first_name"), "pr_last": F("person__practitioner__last_name"),
        **{name: F(name) for name in riskfacts.FACT_COLUMNS if name != "team_id"},
        **_kind_flags(policy),
    }  # fmt: skip
    # Every column an annotation (prefixed, as some share a field's name), so the SELECT lists them in this order.
    named = rows.order_by().annotate(**{f"q_{name}": value for name, value in fields.items()})
    selected = named.values_list(*(f"q_{name}" for name in fields))
    sql, params = selected.query.get_compiler(using=selected.db).as_sql()
    return f"WITH flags ({', '.join(fields)}) AS ({sql})", list(params)


FACT_FIELDS = (
    "pr_first", "pr_last", "f_rsr", "f_tier", "f_rec_rsr", "f_rec_tier", "f_rec_allocation", "f_grade", "f_rosh",
    "f_mappa", "f_kind",
)  # fmt: skip
ROW_FIELDS = ("p_crn", "p_first", "p_last", "t_code", "t_name", "r_code", "r_name", *FACT_FIELDS)
PAGE_FIELDS = ("p_crn", "p_first", "p_last", "t_id", *FACT_FIELDS)  # the team's codes and names from the counts
FACTS_SELECTED = (
    "f.pr_first, f.pr_last, f.rsr_score, f.calc_tier, f.rec_rsr, f.rec_tier, f.rec_allocation, f.holder_grade,"
    " f.rosh_code, f.mappa_level, k.kind"
)


# The order of the rows: by region and team (on a page, the position of the team among those it covers, which the
# counts list in that order), then name, CRN and kind.
ORDER_COLUMNS = ("f.r_code", "f.t_code", "f.last_name", "f.first_name", "f.crn", "k.kind")
PAGE_ORDER_COLUMNS = ("f.t_pos", "f.last_name", "f.first_name", "f.crn", "k.kind")


def _listed_sql(params: list[Any], *, page: bool = False) -> str:
    """The rows over ``flags``: one per case and listed kind, with the order columns ``s1``, ``s2``..."""
    kinds = " UNION ALL ".join(["SELECT %s AS kind"] * len(LISTED_KINDS))
    params += [*LISTED_KINDS, "rsr", "tier", "allocation", UNVERIFIED]
    columns = PAGE_ORDER_COLUMNS if page else ORDER_COLUMNS
    order = ", ".join(f"{column} AS s{i}" for i, column in enumerate(columns, start=1))
    team = "f.t_id" if page else "f.t_code, f.t_name, f.r_code, f.r_name"
    return (
        f"SELECT {order}, f.crn, f.first_name, f.last_name, {team}, {FACTS_SELECTED} FROM flags f JOIN ({kinds}) k"  # noqa: S608
        " ON CASE k.kind WHEN %s THEN f.is_rsr WHEN %s THEN f.is_tier WHEN %s THEN f.is_allocation"
        " WHEN %s THEN f.is_unverified ELSE f.is_unchecked END = 1"
    )


def _order_by(columns: Sequence[str]) -> str:
    return " ORDER BY " + ", ".join(f"s{i}" for i in range(1, len(columns) + 1))


def _rows_sql(rows: QuerySet[RiskFacts], policy: alloc.AllocationPolicy) -> tuple[str, list[Any]]:
    """Every row, by region, team, name, CRN and kind (for the CSV)."""
    sql, params = _flags_sql(rows, policy)
    return f"{sql} SELECT * FROM ({_listed_sql(params)}) listed{_order_by(ORDER_COLUMNS)}", params  # noqa: S608


def _counted(rows: QuerySet[Any], weight: Any, policy: alloc.AllocationPolicy) -> tuple[str, list[Any]]:
    """``rows`` (of facts or of the tally) as (team id, whether each kind is listed, weight)."""
    named = rows.order_by().annotate(**{f"q_{name}": flag for name, flag in _kind_flags(policy).items()}, q_w=weight)
    selected = named.values_list("team_id", *(f"q_{name}" for name in _kind_flags(policy)), "q_w")
    sql, params = selected.query.get_compiler(using=selected.db).as_sql()
    return sql, list(params)


def _counts_sql(
    sources: list[tuple[QuerySet[Any], Any]], policy: alloc.AllocationPolicy
) -> tuple[str, list[Any]]:
    """The counts by team, in the page's order (region code, team code), summed over ``sources`` (rows with their
    weight: each listed case 1; or the tally's sums, less the cases hidden from the reader), grouped by team id and
    only then joined to the teams' names and regions. A team is counted when it lists a row."""
    parts, params = [], []
    for rows, weight in sources:
        sql, part_params = _counted(rows, weight, policy)
        parts.append(sql)
        params += part_params
    sums = [f"SUM(u.q_{name} * u.q_w)" for name in _kind_flags(policy)]
    team, pdu, region = (table_name(model) for model in (Team, Pdu, Region))
    return (
        f"SELECT c.team_id, t.code, t.name, r.code, r.name, c.rsr, c.tier, c.allocation, c.unchecked, c.unverified"  # noqa: S608
        f" FROM (SELECT u.team_id AS team_id, {sums[0]} AS rsr, {sums[1]} AS tier, {sums[2]} AS allocation,"
        f" {sums[3]} AS unverified, {sums[4]} AS unchecked FROM ({' UNION ALL '.join(parts)}) u"
        f" GROUP BY u.team_id HAVING {' + '.join(sums)} > 0) c"
        f" LEFT JOIN {team} t ON t.id = c.team_id LEFT JOIN {pdu} d ON d.id = t.pdu_id"
        f" LEFT JOIN {region} r ON r.id = d.region_id ORDER BY r.code, t.code"
    ), params


def _page_sql(
    rows: QuerySet[RiskFacts], policy: alloc.AllocationPolicy, teams: Any, limit: int, offset: int
) -> tuple[str, list[Any]]:
    """``limit`` rows from ``offset`` of ``rows`` (already narrowed to ``teams``, those the page covers, one
    parameter in the page's order)."""
    sql, params = _flags_sql(rows, policy, teams)
    listed = _listed_sql(params, page=True)
    params += [limit, offset]
    return f"{sql} SELECT * FROM ({listed}) listed{_order_by(PAGE_ORDER_COLUMNS)} LIMIT %s OFFSET %s", params  # noqa: S608


# The report's statements, compiled once per shape (:class:`Shape`) and database: the counts; a page's rows, from the
# teams it covers (their ids as one parameter, and whether the unallocated cases are among them: the shape); every
# row (the CSV).
_COUNTS = ShapedSql(
    lambda shape, values: _counts_sql(_parts(shape, values).sources, alloc.allocation_policy(shape.policy))
)


def _build_page(shape: tuple[Shape, bool], values: Sequence[Any]) -> tuple[str, list[Any]]:
    listed, unallocated = shape
    *given, teams, limit, offset = values
    parts = _parts(listed, given)
    on_page = Q(team_id__in=riskfacts.among_param(teams)) | (Q(team__isnull=True) if unallocated else Q(pk__in=[]))
    return _page_sql(parts.rows.filter(on_page), parts.policy, teams, limit, offset)


_PAGE = ShapedSql(_build_page)
_ROWS = ShapedSql(lambda shape, values: _rows_sql(_parts(shape, values).rows, alloc.allocation_policy(shape.policy)))


# ---- a row's recorded value, calculation, difference and reason (the page's rows only) ----


def _outcomes(values: frozenset[str] | set[str]) -> str:
    order = ["nps", "crc", "po", "spo", "pqip", "pso", "other"]
    return " or ".join(OUTCOME_LABELS.get(v, v) for v in sorted(values, key=lambda v: order.index(v)))


def _facts_of(raw: dict[str, Any]) -> alloc.AllocationFacts:
    return riskfacts.allocation_facts(raw["f_rosh"], raw["f_mappa"], raw["f_rsr"], raw["f_tier"])


def _actual(raw: dict[str, Any], policy: alloc.AllocationPolicy) -> str:
    actual = riskfacts.actual_allocation(raw["f_rec_allocation"], raw["f_grade"], policy) or ""
    return OUTCOME_LABELS.get(actual, actual)


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
        actual = _actual(raw, policy)
        held = "Held by a" if policy.compares == "practitioner_grade" and raw["pr_last"] else "Recorded"
        values = (actual, "", f"{held} {actual}; cannot check without: {_missing(missing)}")
        reason, rule = check.reason, alloc.CANNOT_CHECK_RULE
    else:
        expected = alloc.allocation_expected(_facts_of(raw), policy)
        actual = _actual(raw, policy)
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
    return _read_page(_listed(actor, team, region, chosen), 0, 0)[0]


@contextmanager
def _no_jit(using: str) -> Iterator[Any]:
    """A cursor in a transaction with PostgreSQL's JIT compiler off: compiling these expression-heavy statements
    costs far more than running them over some 40,000 listed rows at national scale (measured). The counts and the
    page's rows are read in one such transaction."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        yield cursor


def _read_page(listed: Listed, limit: int, offset: int) -> tuple[DisagreementCounts, list[dict[str, Any]]]:
    """The counts (one query) and one page of raw rows (a second, over the teams the page covers only: the counts
    say how many rows each team lists, in the page's order), after bringing any rows worked out under other policies
    up to date (``riskfacts.ensure_current``)."""
    riskfacts.ensure_current()
    sql, params = _COUNTS(listed.shape, listed.values)
    with _no_jit(DEFAULT_DB_ALIAS) as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
        teams: list[CountRow] = []
        regions: dict[str | None, list[Any]] = {}
        covered: list[Any] = []  # the teams (ids; None: unallocated) holding rows offset .. offset + limit - 1
        skip = None  # rows of the covered teams before the page's first
        before = 0  # rows listed before this team's, in the page's order (the database's order of the counts)
        names: dict[Any, tuple[Any, ...]] = {}  # by team id: its code and name, its region's code and name
        end = offset + limit
        total = [0, 0, 0, 0, 0]
        for team_id, team_code, team_name, region_code, region_name, *numbers in found:
            names[team_id] = (team_code, team_name, region_code, region_name)
            rsr, tier, allocation, unchecked, unverified = n = [int(v or 0) for v in numbers]
            teams.append(CountRow(team_code, team_name or "Unallocated", region_code, *n))
            entry = regions.get(region_code)
            if entry is None:
                entry = regions[region_code] = [region_name or "No region (unallocated)", 0, 0, 0, 0, 0]
            entry[1] += rsr
            entry[2] += tier
            entry[3] += allocation
            entry[4] += unchecked
            entry[5] += unverified
            after = before + rsr + tier + allocation + unchecked + unverified
            if before < end and after > offset:
                covered.append(team_id)
                skip = offset - before if skip is None else skip
            before = after
        for entry in regions.values():
            for i in range(5):
                total[i] += entry[i + 1]
        raws: list[dict[str, Any]] = []
        if covered and skip is not None:
            # the covered teams in the page's order (-1: the unallocated cases), which orders the rows
            ids = riskfacts.ids_param([-1 if team is None else team for team in covered])
            sql, params = _PAGE((listed.shape, None in covered), [*listed.values, ids, limit, skip])
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                raw = dict(zip(PAGE_FIELDS, row[len(PAGE_ORDER_COLUMNS) :], strict=True))
                raw["t_code"], raw["t_name"], raw["r_code"], raw["r_name"] = names[raw.pop("t_id")]
                raws.append(raw)
    region_rows = [CountRow(code, name, code, *numbers) for code, (name, *numbers) in regions.items()]
    return DisagreementCounts(teams=teams, regions=region_rows, total=CountRow(None, "Total", None, *total)), raws


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
    listed = _listed(actor, team, region, chosen)
    if page < 1 or page_size < 1:
        raise ValidationFailed.single("page", "Pages are numbered from 1")
    if page > MAX_PAGE:
        raise ValidationFailed.single("page", f"Pages are numbered up to {MAX_PAGE:,}")
    counts, raws = _read_page(listed, page_size, (page - 1) * page_size)
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
    listed = _listed(actor, team, region, chosen)
    riskfacts.ensure_current()
    sql, params = _ROWS(listed.shape, listed.values)
    skip = len(ORDER_COLUMNS)

    def generate() -> Iterator[Disagreement]:
        with connections[DEFAULT_DB_ALIAS].chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(2000):
                for row in chunk:
                    yield _row(dict(zip(ROW_FIELDS, row[skip:], strict=True)), chosen, tolerance)

    return generate()


def report_filter_choices(*, actor: Actor | None) -> dict[str, list[tuple[str, str]]]:
    """Teams and regions the actor's scope covers, and the policies, for the report's filter form."""
    require_role(actor, *REPORT_READERS)
    found = teams_for_actor(actor=actor) if actor is not None else Team.objects.none()
    # Plain values, not model instances: quality assurance has every team (some 650 at national scale).
    teams = list(found.values_list("code", "name", "pdu__region__code", "pdu__region__name"))
    regions = sorted({(region_code, region_name) for _, _, region_code, region_name in teams}, key=lambda r: r[1])
    return {
        "policies": [(name, alloc.allocation_policy(name).title) for name in alloc.policy_names()],
        "teams": [(code, name) for code, name, _, _ in teams],
        "regions": regions,
    }
