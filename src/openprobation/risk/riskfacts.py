"""Each case's current risk facts and disagreement flags, kept ready for the quality assurance report (decision 0030).

One row per case (:class:`~openprobation.risk.models.RiskFacts`): the newest calculated RSR and tier, the newest
recorded RSR, tier and allocation, the newest active RoSH and MAPPA registrations and the grade of the practitioner
holding the case; whether the recorded RSR and tier differ from the calculation (``rules.allocation.rsr_disagrees``
and the tier comparison); and under each allocation policy whether the allocation agrees, disagrees, goes against a
rule not yet verified or cannot be checked (``rules.allocation.allocation_check``: the allocation rules are evaluated
here, in Python, and nowhere else). ``stamp`` names the policies those flags were worked out under.

:func:`refresh_cases` works a set of cases' rows out again from the record (one set-based read of their facts, the
pure rules for the flags, one bulk write), in the caller's transaction. Every service that changes one of these facts
calls it in its own transaction: ``risk_recalculate`` (registrations, and every change that recalculates the tools),
``recorded_score_set``, an allocation (through ``core.followups.event_allocated``), a change of a practitioner's grade
(``core.followups.staff_changed``), each batch of the recompute and, at its end, the demo load
(:func:`refresh_all`). ``openprobation risk-facts refresh [--all]`` is for facts changed outside the services.

A new policy version or tolerance changes :func:`policy_stamp`; :func:`refresh_stale` finds the rows worked out under
another stamp (an index range) and works them out again before the report reads them (:func:`ensure_current`), so a
flag is never read under a policy other than the one in force in the code that serves it.

Each row also holds the case's team, and every write adds its change to the tally of flagged rows by team and flags
(:class:`~openprobation.risk.models.RiskFactsTally`, decision 0032), from which the national counts are summed:
changes inserted, never updated in place; :func:`compact_tally` replaces them by their sums, :func:`rebuild_tally`
counts them again from the rows (at the end of :func:`refresh_all`).

Concurrency: :func:`refresh_cases` first locks the cases' rows (an upsert that creates the missing ones), then reads
the facts; each statement sees what was committed before it started, so a concurrent change to the same case, which
must take the same lock, is either committed before the read or refreshes the row again after this transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from openprobation.organisation.models import Staff
from openprobation.people.models import Person
from openprobation.risk.facts import table_name
from openprobation.risk.models import RecordedScore, Registration, RiskCalculation, RiskFacts, RiskFactsTally
from openprobation.rules import allocation as alloc
from openprobation.rules import registrations as regs

# Bump when what a row holds or how its flags are worked out changes (so every row is worked out again).
FACTS_VERSION = "1"

# The allocation status under a policy (RiskFacts.allocation_*): what the report lists is DISAGREES and above.
NOTHING_TO_CHECK, AGREES, DISAGREES, AGAINST_UNVERIFIED, CANNOT_CHECK = range(5)
ALLOCATION_COLUMNS = {"2014-split": "allocation_2014_split", "2021-unified": "allocation_2021_unified"}

# The facts the flags are worked out from, and the team holding the case (which the report counts and pages by).
FACT_COLUMNS = (
    "rsr_score", "calc_tier", "rec_rsr", "rec_tier", "rec_allocation", "rosh_code", "mappa_level", "holder_grade",
    "team_id",
)  # fmt: skip
FLAG_COLUMNS = ("rsr_differs", "tier_differs", *ALLOCATION_COLUMNS.values())
COLUMNS = ("person_id", *FACT_COLUMNS, *FLAG_COLUMNS, "stamp")
CHUNK = 20_000  # cases per statement when many are refreshed


def policy_stamp() -> str:
    """A digest of everything the flags depend on besides the facts: the allocation policies' versions, the quality
    policy's version and RSR tolerance, the registration types' version (which codes are RoSH) and this module's."""
    quality = alloc.quality_policy()
    parts = [
        FACTS_VERSION,
        quality.policy_version,
        str(quality.rsr_tolerance_points),
        regs.registration_policy().policy_version,
        *(f"{name} {alloc.allocation_policy(name).policy_version}" for name in alloc.policy_names()),
    ]
    return hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest()[:16]


# ---- the pure part: a row's flags from its facts ----


def actual_allocation(
    rec_allocation: str | None, holder_grade: str | None, policy: alloc.AllocationPolicy
) -> str | None:
    """What the policy compares: the holder's grade (``practitioner_grade``; for an unallocated case the recorded
    allocation when it is one of the policy's grades), or the recorded allocation when it is one of its outcomes."""
    if policy.compares == "practitioner_grade" and holder_grade is not None:
        return holder_grade
    return rec_allocation if rec_allocation in policy.outcomes else None


def allocation_facts(
    rosh_code: str | None, mappa_level: str | None, rsr_score: Any, calc_tier: str | None
) -> alloc.AllocationFacts:
    """The facts the allocation rules read, from a row: RoSH level by code, MAPPA level (None: not MAPPA; 0: MAPPA
    with no level), the calculated RSR and tier."""
    level = None if mappa_level is None else (int(mappa_level[1:]) if mappa_level[1:].isdigit() else 0)
    return alloc.AllocationFacts(
        rosh=regs.rosh_codes().get(rosh_code or ""),
        mappa_level=level,
        rsr_percent=None if rsr_score is None else Decimal(str(rsr_score)),
        tier=calc_tier or None,
    )


def allocation_status(
    check: alloc.AllocationExpectation | alloc.AllocationCannotCheck | None, actual: str | None
) -> int:
    if actual is None or check is None:
        return NOTHING_TO_CHECK
    if isinstance(check, alloc.AllocationCannotCheck):
        return CANNOT_CHECK
    if check.agrees(actual):
        return AGREES
    return AGAINST_UNVERIFIED if check.unverified else DISAGREES


def rsr_differs(rec_rsr: str | None, rsr_score: Any, tolerance: Decimal) -> bool:
    if rec_rsr is None or rsr_score is None:
        return False
    return alloc.rsr_disagrees(Decimal(rec_rsr), Decimal(str(rsr_score)), tolerance)


def tier_differs(rec_tier: str | None, calc_tier: str | None) -> bool:
    return bool(rec_tier is not None and calc_tier and rec_tier != calc_tier)


class Flagger:
    """Works out rows' flags under the policies of one stamp; the allocation rules' answer is kept per distinct set
    of facts (few, whatever the caseload)."""

    def __init__(self) -> None:
        self.stamp = policy_stamp()
        self.tolerance = alloc.quality_policy().rsr_tolerance_points
        self.policies = [alloc.allocation_policy(name) for name in ALLOCATION_COLUMNS]
        self._checks: dict[tuple[Any, ...], list[Any]] = {}

    def row(self, person_id: int, facts: Sequence[Any]) -> tuple[Any, ...]:
        """The row (:data:`COLUMNS`) for a case's facts (:data:`FACT_COLUMNS`)."""
        rsr_score, calc_tier, rec_rsr, rec_tier, rec_allocation, rosh_code, mappa_level, holder_grade, _team = facts
        key = (rosh_code, mappa_level, rsr_score, calc_tier)
        checks = self._checks.get(key)
        if checks is None:
            case = allocation_facts(rosh_code, mappa_level, rsr_score, calc_tier)
            checks = self._checks[key] = [alloc.allocation_check(case, policy) for policy in self.policies]
        statuses = [
            allocation_status(check, actual_allocation(rec_allocation, holder_grade, policy))
            for check, policy in zip(checks, self.policies, strict=True)
        ]
        return (
            person_id,
            *facts,
            rsr_differs(rec_rsr, rsr_score, self.tolerance),
            tier_differs(rec_tier, calc_tier),
            *statuses,
            self.stamp,
        )


EMPTY_FACTS = (None, "", None, None, None, None, None, None, None)
TEAM = COLUMNS.index("team_id")
FLAGS = slice(COLUMNS.index("rsr_differs"), COLUMNS.index("rsr_differs") + len(FLAG_COLUMNS))


# ---- reading the facts ----


def _newest(table: str, key: str, columns: dict[str, tuple[str, str]], order: str, where: str) -> tuple[str, int]:
    """The newest row per person and ``key`` (``ROW_NUMBER()`` over a window), pivoted to one row per person;
    ``columns`` maps each output name to (the key's value, the column). Returns the SQL and how many of its leading
    parameters are the keys' values (the rest follow in the order of ``key`` and ``where``)."""
    picked = ", ".join(f"MAX(CASE WHEN k = %s THEN {column} END) AS {name}" for name, (_, column) in columns.items())
    inner = ", ".join(sorted({f"x.{column}" for _, column in columns.values()}))
    return (
        f"SELECT person_id, {picked} FROM (SELECT x.person_id, {key} AS k, {inner},"  # noqa: S608
        f" ROW_NUMBER() OVER (PARTITION BY x.person_id, {key} ORDER BY {order}) AS rn"
        f" FROM {table} x WHERE {where}) ranked WHERE rn = 1 GROUP BY person_id"
    ), len(columns)


def _among(column: str, lo: int, hi: int, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    """``column`` between lo and hi (and among ``ids``, if given)."""
    sql = f"{column} BETWEEN %s AND %s"
    params: list[Any] = [lo, hi]
    if ids is not None:
        if connection.vendor == "postgresql":
            sql, params = f"{sql} AND {column} = ANY(%s)", [*params, list(ids)]
        else:
            in_json = f"{sql} AND {column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
            sql, params = in_json, [*params, json.dumps(list(ids))]
    return sql, params


def ids_param(ids: Sequence[int]) -> Any:
    """``ids`` as one parameter: on PostgreSQL an array, on SQLite a JSON list (for :func:`among_param`)."""
    return list(ids) if connection.vendor == "postgresql" else json.dumps(list(ids))


def among_param(param: Any) -> RawSQL:
    """The ids of one parameter (:func:`ids_param`) as a subquery for ``__in`` (PostgreSQL: an array, which the
    planner reads key by key; SQLite: a JSON list)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (param,))
    return RawSQL("SELECT value FROM json_each(%s)", (param,))


def position_among(param: Any, column: str) -> RawSQL:
    """The position (from 0) of a row's ``column`` among the ids of one parameter (:func:`ids_param`), a null
    ``column`` taken as -1; null when it is not among them."""
    quoted = f"COALESCE({connection.ops.quote_name(table_name(RiskFacts))}.{connection.ops.quote_name(column)}, -1)"
    if connection.vendor == "postgresql":
        return RawSQL(f"array_position(%s::bigint[], {quoted}) - 1", (param,))  # noqa: S611 (a quoted column)
    return RawSQL(f"(SELECT key FROM json_each(%s) WHERE value = {quoted})", (param,))  # noqa: S608, S611


def among_ids(ids: Sequence[int]) -> RawSQL:
    """``ids`` as a subquery for ``__in``, one parameter whatever their number."""
    return among_param(ids_param(ids))


def key_among(ids: QuerySet[Any, Any]) -> RawSQL:
    """A condition on rows of facts: the row's case among the ids ``ids`` gives (a query of one column, a few
    thousand rows at most). On PostgreSQL ``= ANY(ARRAY(...))``: the ids are read once and the rows found by key; the
    plain ``IN (...)`` is planned as a join that scans every listed row (some 42,000 at national scale)."""
    sql, params = ids.query.get_compiler(using=ids.db).as_sql()
    column = f'{connection.ops.quote_name(table_name(RiskFacts))}."person_id"'
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(ARRAY({sql}))", params, output_field=BooleanField())  # noqa: S611 (compiled)
    return RawSQL(f"{column} IN ({sql})", params, output_field=BooleanField())  # noqa: S611 (compiled by the ORM)


def read_facts(lo: int, hi: int, ids: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
    """``(person_id, *FACT_COLUMNS)`` for every person with lo <= id <= hi (and among ``ids``), by id."""
    params: list[Any] = []

    def newest(
        model: Any,
        key: str,
        key_params: list[Any],
        columns: dict[str, tuple[str, str]],
        order: str,
        where: str,
        where_params: list[Any],
    ) -> str:
        among, among_params = _among("x.person_id", lo, hi, ids)
        sql, _ = _newest(table_name(model), key, columns, order, f"{among} AND {where}")
        params.extend([k for k, _ in columns.values()] + key_params + key_params + among_params + where_params)
        return sql

    def among_in(values: Sequence[str]) -> tuple[str, list[Any]]:
        return f"({', '.join(['%s'] * len(values))})", list(values)

    calc_in, calc_params = among_in(["rsr", "tier"])
    calc = newest(RiskCalculation, "x.tool", [], {"rsr_score": ("rsr", "score"), "calc_tier": ("tier", "tier")},
                  "x.id DESC", f"x.tool IN {calc_in}", calc_params)  # fmt: skip
    kinds_in, kinds_params = among_in(["rsr", "tier", "allocation"])
    recorded = newest(
        RecordedScore, "x.kind", [],
        {"rec_rsr": ("rsr", "value"), "rec_tier": ("tier", "value"), "rec_allocation": ("allocation", "value")},
        "x.id DESC", f"x.kind IN {kinds_in}", kinds_params,
    )  # fmt: skip
    # The newest active RoSH registration and the newest active MAPPA one, as Registration's ordering reads them.
    codes_in, codes_params = among_in([*regs.rosh_codes(), "MAPP"])
    registrations = newest(
        Registration, "CASE WHEN x.code = %s THEN 'mappa' ELSE 'rosh' END", ["MAPP"],
        {"rosh_code": ("rosh", "code"), "mappa_level": ("mappa", "level")},
        "x.start_date DESC, x.id DESC", f"x.end_date IS NULL AND x.code IN {codes_in}", codes_params,
    )  # fmt: skip
    among, among_params = _among("p.id", lo, hi, ids)
    params.extend(among_params)
    sql = (
        "SELECT p.id, c.rsr_score, COALESCE(c.calc_tier, ''), r.rec_rsr, r.rec_tier, r.rec_allocation, g.rosh_code,"  # noqa: S608
        f" g.mappa_level, s.grade, p.team_id FROM {table_name(Person)} p"
        f" LEFT JOIN {table_name(Staff)} s ON s.id = p.practitioner_id"
        f" LEFT JOIN ({calc}) c ON c.person_id = p.id LEFT JOIN ({recorded}) r ON r.person_id = p.id"
        f" LEFT JOIN ({registrations}) g ON g.person_id = p.id WHERE {among} ORDER BY p.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], *_normal(row[1:])) for row in cursor.fetchall()]


def _normal(facts: Sequence[Any]) -> tuple[Any, ...]:
    """Facts as the table keeps them (the RSR score a Decimal of 2 places, whatever the database returned)."""
    score = facts[0]
    return (None if score is None else Decimal(str(score)).quantize(Decimal("0.01")), *facts[1:])


# ---- writing rows ----


def _upsert_sql(on_conflict: str, rows: int) -> str:
    table = table_name(RiskFacts)
    values = ", ".join([f"({', '.join(['%s'] * len(COLUMNS))})"] * rows)
    return f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES {values} ON CONFLICT (person_id) {on_conflict}"  # noqa: S608


def _write(rows: list[tuple[Any, ...]], *, replace: bool) -> set[int]:
    """Upsert ``rows`` (:data:`COLUMNS`): replacing an existing row, or leaving it (``replace=False``). Returns the
    ids of the rows written."""
    if not rows:
        return set()
    table = table_name(RiskFacts)
    if replace:
        sets = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
        conflict = f"DO UPDATE SET {sets}"
    else:
        conflict = "DO NOTHING"
    conflict += " RETURNING person_id"
    written: set[int] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = ("bigint", "numeric", "text", "text", "text", "text", "text", "text", "text", "bigint", "boolean",
                     "boolean", *(["smallint"] * len(ALLOCATION_COLUMNS)), "text")  # fmt: skip
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) SELECT * FROM unnest({arrays}) "  # noqa: S608
                f"ON CONFLICT (person_id) {conflict}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            return {row[0] for row in cursor.fetchall()}
        per = 900 // len(COLUMNS)  # SQLite's limit on parameters per statement
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            cursor.execute(_upsert_sql(conflict, len(part)), [v for row in part for v in row])
            written.update(row[0] for row in cursor.fetchall())
    return written


def _lock(ids: Sequence[int]) -> None:
    """Lock the cases' rows, creating the missing ones (placeholders, replaced in the same transaction), so that a
    concurrent change to the same cases waits for this transaction before reading their facts."""
    table = table_name(RiskFacts)
    placeholder = [(pid, *EMPTY_FACTS, False, False, *([NOTHING_TO_CHECK] * len(ALLOCATION_COLUMNS)), "")
                   for pid in ids]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (person_id, calc_tier, rsr_differs, tier_differs, "  # noqa: S608
                f"{', '.join(ALLOCATION_COLUMNS.values())}, stamp) "
                f"SELECT v, '', FALSE, FALSE, {', '.join(['0'] * len(ALLOCATION_COLUMNS))}, '' "
                f"FROM unnest(%s::bigint[]) v ORDER BY v ON CONFLICT (person_id) DO UPDATE SET stamp = {table}.stamp",
                [list(ids)],
            )
            return
    _write(placeholder, replace=False)


def refresh_cases(person_ids: Iterable[int]) -> int:
    """Work the rows of these cases out again from the record, in the current transaction (call it in the
    transaction that changes their facts). Returns how many rows were written."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    flagger = Flagger()
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            _lock(chunk)
            before = _rows(chunk[0], chunk[-1], chunk)
            found = {row[0]: row[1:] for row in read_facts(chunk[0], chunk[-1], chunk)}
            rows = [flagger.row(pid, found.get(pid, EMPTY_FACTS)) for pid in chunk]
            _write(rows, replace=True)
            _tally_changes((before.get(row[0]), row) for row in rows)
            written += len(rows)
    return written


def _rows(lo: int, hi: int, ids: Sequence[int] | None = None, *, lock: bool = False) -> dict[int, tuple[Any, ...]]:
    """The rows (:data:`COLUMNS`) of the people with lo <= id <= hi (and among ``ids``), by id; locked for update
    (PostgreSQL) with ``lock``."""
    table = table_name(RiskFacts)
    among, params = _among("person_id", lo, hi, ids)
    locking = " FOR UPDATE" if lock and connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {table} WHERE {among} ORDER BY person_id{locking}", params)  # noqa: S608
        return {row[0]: (row[0], *_normal(row[1:])) for row in cursor.fetchall()}


def _refresh_range(lo: int, hi: int, flagger: Flagger, ids: Sequence[int] | None = None) -> int:
    """Work out again the rows of the people with lo <= id <= hi (and among ``ids``), writing only those that
    change. Existing rows are locked before the facts are read; a row another transaction creates meanwhile is left
    as that transaction wrote it (it read the facts after this one locked, so no earlier)."""
    existing = _rows(lo, hi, ids, lock=True)
    changed, new = [], []
    empty = _without_team(flagger.row(0, EMPTY_FACTS))
    for pid, *facts in read_facts(lo, hi, ids):
        row = flagger.row(pid, facts)
        before = existing.get(pid)
        if before is None:
            if _without_team(row) != empty:  # a case with no facts at all needs no row (whatever its team)
                new.append(row)
        elif tuple(_same(v) for v in before) != tuple(_same(v) for v in row):
            changed.append(row)
    _write(changed, replace=True)
    inserted = _write(new, replace=False)
    _tally_changes([(existing[row[0]], row) for row in changed] + [(None, row) for row in new if row[0] in inserted])
    return len(changed) + len(new)


# ---- the tally of listed rows by team and flags (decision 0032) ----

TALLY_COLUMNS = ("team_id", *FLAG_COLUMNS)
LISTED_SQL = f"rsr_differs OR tier_differs OR {' OR '.join(f'{c} >= {DISAGREES}' for c in ALLOCATION_COLUMNS.values())}"
COMPACT_AT = 20_000  # tally rows (a national caseload's compacted tally holds some 3,000)


def _tally_key(row: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """A row's team and flags if any flag lists it (under any policy), else None."""
    if row is None:
        return None
    rsr, tier, *allocations = row[FLAGS]
    if not (rsr or tier or any(a >= DISAGREES for a in allocations)):
        return None
    return (row[TEAM], bool(rsr), bool(tier), *(int(a) for a in allocations))


def _tally_changes(pairs: Iterable[tuple[tuple[Any, ...] | None, tuple[Any, ...]]]) -> None:
    """Add to the tally the change from each row as it was (None: no row) to the row written."""
    changes: Counter[tuple[Any, ...]] = Counter()
    for before, after in pairs:
        if (old := _tally_key(before)) is not None:
            changes[old] -= 1
        if (new := _tally_key(after)) is not None:
            changes[new] += 1
    RiskFactsTally.objects.bulk_create(
        RiskFactsTally(**dict(zip(TALLY_COLUMNS, key, strict=True)), n=n) for key, n in changes.items() if n
    )


def compact_tally() -> None:
    """Replace the tally's rows by their sums, one row per team and flags (none where they sum to 0). On PostgreSQL
    one statement: a change committed meanwhile is either among the rows deleted and summed or left as it is."""
    table = table_name(RiskFactsTally)
    columns = ", ".join(TALLY_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} RETURNING {columns}, n) INSERT INTO {table} ({columns}, n)"  # noqa: S608
                f" SELECT {columns}, SUM(n) FROM gone GROUP BY {columns} HAVING SUM(n) <> 0"
            )
            return
        # SQLite: a transaction holds the database's one write lock from its start (settings: IMMEDIATE).
        cursor.execute(
            f"CREATE TEMP TABLE tally_sums AS SELECT {columns}, SUM(n) AS n FROM {table} GROUP BY {columns}"  # noqa: S608
            " HAVING SUM(n) <> 0"
        )
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(f"INSERT INTO {table} ({columns}, n) SELECT {columns}, n FROM tally_sums")  # noqa: S608
        cursor.execute("DROP TABLE tally_sums")


def rebuild_tally() -> None:
    """Count the listed rows of facts again into the tally (after a pass over every case). On PostgreSQL one
    statement, so a change committed meanwhile is counted exactly once."""
    table, facts = table_name(RiskFactsTally), table_name(RiskFacts)
    columns = ", ".join(TALLY_COLUMNS)
    counted = f"SELECT {columns}, COUNT(*) FROM {facts} WHERE {LISTED_SQL} GROUP BY {columns}"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH gone AS (DELETE FROM {table}) INSERT INTO {table} ({columns}, n) {counted}")  # noqa: S608
            return
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(f"INSERT INTO {table} ({columns}, n) {counted}")


def tally_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table_name(RiskFactsTally)}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _without_team(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return row[1:TEAM] + row[TEAM + 1 :]


def _same(value: Any) -> Any:
    return bool(value) if isinstance(value, bool) else value


def _id_chunks(sql: str, params: Sequence[Any]) -> Iterator[list[int]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh_all() -> int:
    """Work out every case's row again (the demo load's end, ``risk-facts refresh --all``): a chunk of people at a
    time, each in its own transaction (or the caller's). Returns how many rows changed."""
    flagger = Flagger()
    written = 0
    for chunk in _id_chunks(f"SELECT id FROM {table_name(Person)} ORDER BY id", []):  # noqa: S608
        with transaction.atomic():
            written += _refresh_range(chunk[0], chunk[-1], flagger)
    rebuild_tally()  # exact whatever happened before (rows deleted with their people, facts changed in SQL)
    return written


def refresh_batch(lo: int, hi: int, ids: Sequence[int]) -> int:
    """The recompute's batch: the rows of ``ids`` (within lo..hi), in the batch's transaction."""
    if not ids:
        return 0
    return _refresh_range(lo, hi, Flagger(), sorted(ids))


def _stale_sql() -> tuple[str, list[Any]]:
    stamp = policy_stamp()
    table = table_name(RiskFacts)
    return f"SELECT person_id FROM {table} WHERE stamp < %s OR stamp > %s", [stamp, stamp]  # noqa: S608


def stale_exists() -> bool:
    """Whether any row was worked out under other policies (an index range on ``stamp``; cheap when none is)."""
    sql, params = _stale_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT 1", params)
        return cursor.fetchone() is not None


def refresh_stale() -> int:
    """Work out again every row worked out under other policies, in one transaction; on PostgreSQL one process at a
    time (an advisory lock: a second waits, then finds nothing left to do). Returns how many rows were written."""
    flagger = Flagger()
    written = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('openprobation.risk.riskfacts'))")
        sql, params = _stale_sql()
        for chunk in _id_chunks(f"{sql} ORDER BY person_id", params):
            written += _refresh_range(chunk[0], chunk[-1], flagger, chunk)
    if written:
        compact_tally()
    return written


def ensure_current() -> int:
    """Before reading flags: refresh the rows worked out under other policies, if any (0 written when none), and
    compact the tally when its changes have piled up. Both checked in one statement."""
    sql, params = _stale_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS({sql}), (SELECT COUNT(*) FROM {table_name(RiskFactsTally)})", params)  # noqa: S608
        stale, tallied = cursor.fetchone() or (False, 0)
    written = refresh_stale() if stale else 0
    if int(tallied) > COMPACT_AT:
        compact_tally()
    return written


@dataclass(frozen=True)
class RefreshResult:
    written: int
    stamp: str


def refresh_command(*, every: bool) -> RefreshResult:
    """``openprobation risk-facts refresh``: the stale rows, or with ``every`` every case's."""
    written = refresh_all() if every else refresh_stale()
    return RefreshResult(written, policy_stamp())


def holder_cases(staff_id: int) -> list[int]:
    """The cases a practitioner holds (whose rows read their grade)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table_name(Person)} WHERE practitioner_id = %s", [staff_id])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]
