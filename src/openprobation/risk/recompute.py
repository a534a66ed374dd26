"""``openprobation recompute``: recalculate the risk tools of every open case, a batch at a time, vectorised.

For each batch of open cases (people with an active event), in its own transaction: skip the cases whose risk facts
have not changed since the recompute last calculated them as at the same date under the same policies (unless
forced: ``risk.changes``, decision 0021), read the facts the tools need for the others with a handful of
set-based queries into polars, calculate every tool for every case at once
(``rules.vectorised``; rows with inputs the calculators would refuse go through the scalar path, unless every
tool's inputs digest and policy version are those of the newest calculation stored, so their results are too), and
store a new calculation only where the result (or the reason there is none) or the policy version differs from the
newest one stored, and mark the cases calculated. ``Person.tier`` follows the newest tier. So a second run skips
every case and stores nothing, and a run stopped part-way keeps the batches it finished and picks up the rest when
run again.

Change detection is a join of the new result keys against the newest stored ones. The rows to write are encoded
in columns by ``risk.storage`` from their typed inputs and results (``rules.vectorised.stored_columns``), to the
same text a case's own recalculation stores, so the inputs digest is the same; only SHA-1 runs per row. Writes use
one CSV COPY per batch on PostgreSQL (text columns: nothing for the server to parse) and ``executemany`` on
SQLite. On PostgreSQL, run outside a transaction (the command), a batch is written on a second connection while
the next is read and calculated (:func:`recompute`). ``floor=True`` reads as a forced run does and writes the
same rows without calculating (copies of each case's newest calculations and mark, every batch rolled back): the
benchmark's floor.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection, transaction

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.risk import changes, riskfacts, storage
from openprobation.risk.facts import people_filter, query_frame, read_facts, table_name
from openprobation.risk.models import RiskCalculation
from openprobation.rules import case_record as cr
from openprobation.rules import vectorised as vec
from openprobation.sentences.models import Event

DEFAULT_BATCH = 20_000
CALC_COLUMNS = (
    "person_id", "tool", "status", "calculated_at", "as_of", "policy_version", "inputs", "inputs_digest", "result",
    "result_key", "reasons", "score", "band", "tier", "source",
)  # fmt: skip


@dataclass
class RecomputeResult:
    cases: int = 0
    batches: int = 0
    written: int = 0
    tiers_changed: int = 0
    scalar_cases: int = 0
    scalar_unchanged: int = 0
    skipped: int = 0
    seconds: float = 0.0
    written_by_tool: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        per_case = self.seconds / self.cases * 1e6 if self.cases else 0.0
        tools = ", ".join(f"{t} {n:,}" for t, n in sorted(self.written_by_tool.items())) or "none"
        return (
            f"Recalculated {self.cases:,} open cases in {self.batches} batches in {self.seconds:.2f} s "
            f"({per_case:.0f} µs per case), {self.skipped:,} of them skipped as unchanged since they were last "
            f"calculated: {self.written:,} new calculations ({tools}); "
            f"{self.tiers_changed:,} tiers changed; {self.scalar_cases:,} cases checked one by one"
            f" ({self.scalar_unchanged:,} more handed over found unchanged since their stored calculations)."
        )


def open_case_ids() -> list[int]:
    sql = f"SELECT DISTINCT person_id FROM {table_name(Event)} WHERE termination_date IS NULL ORDER BY person_id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


LATEST_SCHEMA: dict[str, Any] = {
    "person_id": pl.Int64, "tool": pl.String, "latest_key": pl.String, "latest_current": pl.Boolean,
}  # fmt: skip


def _newest_per_tool(people: str, columns: str) -> str:
    """SQL for the newest stored calculation of each (case, tool) of the cases ``people`` selects (a subquery with
    an ``id`` column), with ``columns`` of it (``c.``). On PostgreSQL one index probe per (case, tool), newest
    first down ``riskcalc_person_tool`` (a case's history is not read); on SQLite the newest id of each group."""
    table = table_name(RiskCalculation)
    if connection.vendor == "postgresql":
        tools = ", ".join(f"('{tool}')" for tool in cr.TOOLS)
        return (
            f"SELECT p.id, t.tool, {columns} FROM ({people}) p CROSS JOIN (VALUES {tools}) t (tool) "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT * FROM {table} x WHERE x.person_id = p.id AND x.tool = t.tool "
            "ORDER BY x.id DESC LIMIT 1) c"
        )
    return (
        f"SELECT c.person_id, c.tool, {columns} FROM {table} c WHERE c.id IN (SELECT MAX(id) FROM {table} "  # noqa: S608
        f"WHERE person_id IN ({people}) GROUP BY person_id, tool)"
    )


def _newest_frame(sql: str, params: list[Any], schema: dict[str, Any]) -> pl.DataFrame:
    if connection.vendor != "postgresql":
        return query_frame(sql, params, schema)
    # PostgreSQL's JIT compiles the per-key probes (about 0.1 s a query) for no gain: off for this transaction.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return query_frame(sql, params, schema)


def read_latest(lo: int, hi: int, people: list[int] | None = None) -> pl.DataFrame:
    """:data:`LATEST_SCHEMA`: the newest stored calculation per (case, tool) of the people with lo <= id <= hi (and
    among ``people``, if given), its result key and whether it was made under the tool's current policy version
    (compared in the query, so the versions' text is not read back)."""
    current = " ".join("WHEN %s THEN %s" for _ in cr.TOOLS)
    versions = [value for tool in cr.TOOLS for value in (tool, cr.tool_policy_version(tool))]
    among, params = people_filter("id", people)
    sql = _newest_per_tool(
        f"SELECT id FROM people_person WHERE id BETWEEN %s AND %s{among}",  # noqa: S608
        f"c.result_key, c.policy_version = CASE c.tool {current} END",
    )
    return _newest_frame(sql, [*versions, lo, hi, *params], LATEST_SCHEMA)


def read_latest_digests(person_ids: list[int]) -> pl.DataFrame:
    """``person_id``, ``tool``, ``latest_digest``, ``latest_tier``: the inputs digest and tier of the newest stored
    calculation per (case, tool) of the given cases (the few handed to the scalar path)."""
    schema = {"person_id": pl.Int64, "tool": pl.String, "latest_digest": pl.String, "latest_tier": pl.String}
    parts = [pl.DataFrame(schema=schema)]
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        people = "SELECT id FROM people_person WHERE id IN (" + ", ".join(["%s"] * len(chunk)) + ")"  # noqa: S608
        parts.append(_newest_frame(_newest_per_tool(people, "c.inputs_digest, c.tier"), chunk, schema))
    return pl.concat(parts)


STORED_SCHEMA: dict[str, Any] = {
    "person_id": pl.Int64, "tool": pl.String, "status": pl.String, "policy_version": pl.String,
    "inputs": pl.String, "inputs_digest": pl.String, "result": pl.String, "result_key": pl.String,
    "reasons": pl.String, "score": pl.String, "band": pl.String, "tier": pl.String,
}  # fmt: skip


def stored_row(
    person_id: int,
    tool: str,
    status: str,
    inputs: dict[str, Any],
    result: dict[str, Any] | None,
    result_key: str,
    reasons: list[dict[str, str]],
) -> tuple[Any, ...]:
    """One stored calculation (:data:`STORED_SCHEMA`), encoded by ``risk.storage`` from typed values."""
    inputs_text, digest, result_text, reasons_text, score, band, tier = storage.stored_text(
        tool, inputs, result, reasons
    )
    return (
        person_id, tool, status, cr.tool_policy_version(tool), inputs_text, digest, result_text, result_key,
        reasons_text, score, band, tier,
    )  # fmt: skip


def write_calculations(stored: pl.DataFrame, as_of: dt.date, at: dt.datetime) -> None:
    """Append ``stored`` (:data:`STORED_SCHEMA` columns) as new calculations made at ``at``."""
    if stored.is_empty():
        return
    table = table_name(RiskCalculation)
    cols = ", ".join(connection.ops.quote_name(c) for c in CALC_COLUMNS)
    postgres = connection.vendor == "postgresql"
    stamp = at.isoformat() if postgres else at.isoformat(sep=" ").replace("+00:00", "")
    frame = stored.select(
        [
            pl.lit(stamp).alias(c) if c == "calculated_at"
            else pl.lit(as_of.isoformat()).alias(c) if c == "as_of"
            else pl.lit("recompute").alias(c) if c == "source"
            else pl.col(c)
            for c in CALC_COLUMNS
        ]
    )  # fmt: skip
    if postgres:
        # CSV: null is an empty unquoted field, an empty string is "" (polars writes both that way).
        data = frame.write_csv(include_header=False).encode()
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(data)
        return
    raw = connection.connection
    assert raw is not None
    placeholders = ", ".join("?" * len(CALC_COLUMNS))
    raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({placeholders})", frame.rows())  # noqa: S608


def write_tiers(changes: list[tuple[int, str]]) -> None:
    if not changes:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE people_person p SET tier = v.tier FROM "
                "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS tier) v WHERE p.id = v.id",
                [[pid for pid, _ in changes], [tier for _, tier in changes]],
            )
        else:
            cursor.executemany("UPDATE people_person SET tier = %s WHERE id = %s", [(t, p) for p, t in changes])


def _batches(ids: list[int], size: int) -> Iterator[tuple[int, int, int]]:
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk[0], chunk[-1], len(chunk)


def _scalar_keys(df: pl.DataFrame, scalar: dict[int, dict[str, cr.ToolOutcome]]) -> pl.DataFrame:
    """The keys and tiers (``row``, ``tool``, ``key``, ``tier``) of the rows the scalar path calculated."""
    keys = [
        (index, tool, outcome.result_key, str(outcome.result["tier"]) if tool == "tier" and outcome.result else "")
        for index, outcomes in scalar.items()
        for tool, outcome in outcomes.items()
    ]
    return pl.DataFrame(keys, schema={"row": pl.UInt32, "tool": pl.String, "key": pl.String, "tier": pl.String},
                        orient="row")  # fmt: skip


def _stored(
    df: pl.DataFrame, scalar: dict[int, dict[str, cr.ToolOutcome]], changed: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    """Every calculation to store (:data:`STORED_SCHEMA`), in case and tool order: the changed (row, tool) pairs,
    from the scalar outcomes for the rows the scalar path calculated and from the columns for the others."""
    order = {tool: i for i, tool in enumerate(cr.TOOLS)}
    parts: list[pl.DataFrame] = []
    if scalar:
        person = dict(zip(df["row"].to_list(), df["person_id"].to_list(), strict=True))
        wanted = set(changed.filter(pl.col("row").is_in(list(scalar))).iter_rows())
        records = [
            (index, stored_row(person[index], tool, o.status, o.inputs, o.result, o.result_key, list(o.reasons)))
            for index, outcomes in scalar.items()
            for tool, o in outcomes.items()
            if (index, tool) in wanted
        ]
        if records:
            parts.append(
                pl.DataFrame([r for _, r in records], schema=STORED_SCHEMA, orient="row").with_columns(
                    row=pl.Series([i for i, _ in records], dtype=pl.UInt32)
                )
            )
    for tool in cr.TOOLS:
        rows = df.join(changed.filter(pl.col("tool") == tool), on="row", how="semi").filter(~pl.col("needs_scalar"))
        if rows.is_empty():
            continue
        typed = vec.stored_columns(rows, tool, as_of)
        parts.append(
            pl.concat(
                [
                    typed.select("row", "status", "result_key", tool=pl.lit(tool), person_id=rows["person_id"]),
                    storage.stored_frame(tool, typed),
                ],
                how="horizontal",
            ).with_columns(policy_version=pl.lit(cr.tool_policy_version(tool)))
        )
    if not parts:
        return pl.DataFrame(schema=STORED_SCHEMA)
    rank = pl.col("tool").replace_strict(order, return_dtype=pl.Int64)
    return pl.concat([p.select("row", *STORED_SCHEMA) for p in parts]).sort(pl.col("row"), rank).drop("row")


def _unchanged(handed: pl.DataFrame, latest: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Of the rows handed to the scalar path, those whose every tool has the inputs digest and policy version of its
    newest stored calculation (so the stored results are the results: nothing to calculate), as the keys and tier
    change detection compares (``row``, ``person_id``, ``tool``, ``key``, ``tier``)."""
    schema = {"row": pl.UInt32, "person_id": pl.Int64, "tool": pl.String, "key": pl.String, "tier": pl.String}
    if handed.is_empty():
        return pl.DataFrame(schema=schema)
    stored = read_latest_digests(handed["person_id"].to_list()).join(latest, on=["person_id", "tool"])
    same = []
    for tool in cr.TOOLS:
        typed = vec.stored_columns(handed, tool, as_of)
        now = pl.DataFrame(
            {"row": typed["row"], "person_id": handed["person_id"], "digest": storage.inputs_digests(typed)}
        ).with_columns(tool=pl.lit(tool))
        same.append(
            now.join(stored, on=["person_id", "tool"])
            .filter((pl.col("digest") == pl.col("latest_digest")) & pl.col("latest_current"))
            .select("row", "person_id", "tool", key=pl.col("latest_key"), tier=pl.col("latest_tier"))
        )
    kept = pl.concat(same)
    complete = kept.group_by("row").len().filter(pl.col("len") == len(cr.TOOLS)).select("row")
    return kept.join(complete, on="row")  # the tier compared is the tier row's: the stored tier calculation's


@dataclass
class BatchWrite:
    """What a batch writes: its calculations, the tier changes, and what the audit event records."""

    lo: int
    hi: int
    as_of: dt.date
    at: dt.datetime
    cases: int
    stored: pl.DataFrame
    tier_changes: list[tuple[int, str]]
    marks: pl.DataFrame  # the cases calculated, with their count of changes as read (risk.changes.write_marks)
    policy: str
    floor: bool = False  # the floor's copies: written, counted, never audited (the caller rolls them back)
    refresh_facts: bool = True  # False: the caller refreshes every case's risk facts itself (see recompute)


def recompute_batch(
    lo: int,
    hi: int,
    as_of: dt.date,
    result: RecomputeResult,
    *,
    floor: bool = False,
    force: bool = False,
    refresh_facts: bool = True,
) -> None:
    """One batch in the current transaction: read, calculate, write (the floor: read and write copies)."""
    reads = read_batch(lo, hi, as_of, force=force, floor=floor)
    planned = floor_batch(reads) if floor else calculate_batch(reads, result)
    write_batch(dataclasses.replace(planned, refresh_facts=refresh_facts), result)


@dataclass
class BatchReads:
    """What a batch reads before calculating: the open cases to calculate with their count of changes (read
    first: ``risk.changes``), their facts, newest stored keys and current tiers; the floor's copies to write."""

    lo: int
    hi: int
    as_of: dt.date
    at: dt.datetime
    policy: str
    skipped: int
    marks: pl.DataFrame  # the cases calculated (those whose facts were read), with their count of changes
    facts: pl.DataFrame
    latest: pl.DataFrame
    current_tiers: pl.DataFrame
    floor_rows: pl.DataFrame | None = None


def read_batch(lo: int, hi: int, as_of: dt.date, *, force: bool = False, floor: bool = False) -> BatchReads:
    """Read one batch. The open cases unchanged since they were last calculated as at ``as_of`` under the same
    policies are skipped, their facts not read, unless ``force``. The floor (forced) also reads the copies it
    writes."""
    at = clock.now()
    policy = changes.policy_key()
    todo = changes.cases_to_calculate(lo, hi, as_of, policy)  # before the facts: see risk.changes
    people = None  # the whole range
    skipped = 0 if force or floor else int(todo["unchanged"].sum())
    if skipped:
        todo = todo.filter(~pl.col("unchanged"))
        if todo.is_empty():
            empty = pl.DataFrame()
            return BatchReads(lo, hi, as_of, at, policy, skipped, todo, empty, empty, empty)
        people = todo["person_id"].to_list()
    facts = read_facts(lo, hi, as_of, ids=people)
    latest = read_latest(lo, hi, people)
    current_tiers = _current_tiers(lo, hi, people)
    marks = todo.join(facts.select("person_id"), on="person_id", how="semi")
    floor_rows = _floor_rows(lo, hi) if floor else None
    return BatchReads(lo, hi, as_of, at, policy, skipped, marks, facts, latest, current_tiers, floor_rows)


def floor_batch(reads: BatchReads) -> BatchWrite:
    """The floor's batch: the reads of a forced batch, and copies of the newest stored calculations and of the
    cases' marks to write, without calculating."""
    assert reads.floor_rows is not None
    return BatchWrite(
        reads.lo, reads.hi, reads.as_of, reads.at, len(reads.facts), reads.floor_rows, [], reads.marks, reads.policy,
        floor=True,
    )  # fmt: skip


def _current_tiers(lo: int, hi: int, people: list[int] | None = None) -> pl.DataFrame:
    among, params = people_filter("id", people)
    return query_frame(
        f"SELECT id, tier FROM people_person WHERE id BETWEEN %s AND %s{among}", [lo, hi, *params],  # noqa: S608
        {"person_id": pl.Int64, "current_tier": pl.String},
    )  # fmt: skip


def plan_batch(lo: int, hi: int, as_of: dt.date, result: RecomputeResult, *, force: bool = False) -> BatchWrite:
    """Read and calculate one batch (writes nothing): the calculations and tier changes to write."""
    return calculate_batch(read_batch(lo, hi, as_of, force=force), result)


def calculate_batch(reads: BatchReads, result: RecomputeResult) -> BatchWrite:
    """Calculate one batch from its reads (no database but for the digests of the few cases handed to the scalar
    path): the calculations and tier changes to write."""
    lo, hi, as_of, at, policy = reads.lo, reads.hi, reads.as_of, reads.at, reads.policy
    facts, latest, current_tiers, marks = reads.facts, reads.latest, reads.current_tiers, reads.marks
    result.skipped += reads.skipped
    if marks.is_empty():
        return BatchWrite(lo, hi, as_of, at, 0, pl.DataFrame(schema=STORED_SCHEMA), [], marks, policy)
    df = vec.caseload_frame(facts.drop("person_id"), as_of).with_columns(facts["person_id"])
    handed = df.filter(pl.col("needs_scalar"))
    unchanged = _unchanged(handed, latest, as_of)
    scalar = vec.scalar_outcomes(handed.join(unchanged, on="row", how="anti"), as_of)
    result.scalar_cases += len(scalar)
    result.scalar_unchanged += unchanged["row"].n_unique()
    scalar_keys = _scalar_keys(df, scalar)
    # One row per (case, tool): the key now (the scalar path's for the rows it handled; the stored one for the rows
    # it was spared) against the newest stored.
    tier_now = pl.when(pl.col("tier_status") == "calculated").then(pl.col("tier_tier")).otherwise(pl.lit(""))
    vectorised = df.filter(~pl.col("needs_scalar"))
    per_tool = [
        vectorised.select("row", "person_id", tool=pl.lit(tool), key=pl.col(f"{tool}_key"), tier=tier_now)
        for tool in cr.TOOLS
    ]
    handed_over = scalar_keys.join(df.select("row", "person_id"), on="row").select(*per_tool[0].columns)
    spared = unchanged.select(*per_tool[0].columns)
    keys = pl.concat([*per_tool, handed_over, spared]).join(latest, on=["person_id", "tool"], how="left")
    changed = keys.filter(
        pl.col("latest_key").is_null() | (pl.col("latest_key") != pl.col("key")) | ~pl.col("latest_current")
    ).select("row", "tool")
    tiers = (
        keys.filter(pl.col("tool") == "tier")
        .select("person_id", "tier")
        .join(current_tiers, on="person_id", how="left")
        .filter(pl.col("current_tier").is_null() | (pl.col("current_tier") != pl.col("tier")))
        .sort("person_id")
    )
    tier_changes = list(tiers.select("person_id", "tier").iter_rows())
    return BatchWrite(lo, hi, as_of, at, len(df), _stored(df, scalar, changed, as_of), tier_changes, marks, policy)


def write_batch(batch: BatchWrite, result: RecomputeResult) -> None:
    """Write one planned batch (in the current transaction), with its audit event, and refresh the risk facts of
    the cases whose newest RSR or tier calculation changed, unless the batch says not to (see :func:`recompute`)."""
    stored, tier_changes = batch.stored, batch.tier_changes
    write_calculations(stored, batch.as_of, batch.at)
    changes.write_marks(batch.marks, batch.as_of, batch.policy)
    if batch.floor:
        result.written += len(stored)
        return
    write_tiers(tier_changes)
    # The quality report's rows of the cases whose newest RSR or tier calculation changed (decision 0030).
    if batch.refresh_facts:
        facts_changed = stored.filter(pl.col("tool").is_in(["rsr", "tier"]))["person_id"].unique().to_list()
        riskfacts.refresh_batch(batch.lo, batch.hi, facts_changed)
    result.written += len(stored)
    result.tiers_changed += len(tier_changes)
    for tool, n in stored.group_by("tool").len().iter_rows():
        result.written_by_tool[tool] = result.written_by_tool.get(tool, 0) + n
    if len(stored) or tier_changes:
        audit_record(
            actor=None, action="risk.recomputed", entity="caseload", entity_id=f"{batch.lo}-{batch.hi}",
            after={"as_of": batch.as_of, "cases": batch.cases, "calculations": len(stored),
                   "tiers": len(tier_changes)},
        )  # fmt: skip


def _floor_rows(lo: int, hi: int) -> pl.DataFrame:
    """The floor: copy each case's newest stored calculations (same reads, same kind of rows, no calculating)."""
    table = table_name(RiskCalculation)
    return query_frame(
        f"SELECT {', '.join(STORED_SCHEMA)} FROM {table} WHERE id IN (SELECT MAX(id) FROM {table} "  # noqa: S608
        "WHERE person_id BETWEEN %s AND %s GROUP BY person_id, tool)",
        [lo, hi],
        STORED_SCHEMA,
    )


class _Rollback(Exception):
    pass


def _write_in_own_transaction(batch: BatchWrite, result: RecomputeResult) -> None:
    """The writer thread's work: one batch in a transaction of its own, on the thread's own connection."""
    try:
        with transaction.atomic():
            write_batch(batch, result)
            if batch.floor:
                raise _Rollback
    except _Rollback:
        pass
    finally:
        connection.close()


def recompute(
    *,
    as_of: dt.date | None = None,
    batch: int = DEFAULT_BATCH,
    floor: bool = False,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
    refresh_facts: bool = True,
) -> RecomputeResult:
    """Recalculate every open case, skipping those unchanged since they were last calculated as at ``as_of`` under
    the same policies unless ``force`` (``risk.changes``). Each batch is one transaction (the floor's are rolled
    back; the floor reads as a forced run does).

    On PostgreSQL, called outside any transaction (the command), a batch is written by a second thread on its own
    connection while the next batch is read and calculated: the database's share of the work (COPY, index upkeep,
    foreign-key checks, the commit) runs beside Python's. Each batch is still written in one transaction, in order,
    one at a time; a batch's reads never see another batch's rows (the batches are disjoint ranges of cases). The
    floor is run the same way (its batches rolled back).

    Each batch refreshes the quality report's risk facts of its cases whose newest RSR or tier calculation changed
    (``risk.riskfacts``, decision 0030). ``refresh_facts=False`` leaves them: only for a caller that refreshes every
    case's risk facts itself before its transaction ends (``riskfacts.refresh_all``), as the demo load does
    (decision 0037); the facts are then what the per-batch refresh would have left."""
    started = time.perf_counter()
    as_of = as_of or clock.today()
    result = RecomputeResult()
    ids = open_case_ids()
    result.cases = len(ids)
    if total is not None:
        total(len(ids))
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        _pipelined(ids, batch, as_of, result, progress, floor=floor, force=force, refresh_facts=refresh_facts)
        result.seconds = time.perf_counter() - started
        return result
    for lo, hi, n in _batches(ids, batch):
        try:
            with transaction.atomic():
                recompute_batch(lo, hi, as_of, result, floor=floor, force=force, refresh_facts=refresh_facts)
                if floor:
                    raise _Rollback
        except _Rollback:
            pass
        result.batches += 1
        if progress is not None:
            progress(n)
    result.seconds = time.perf_counter() - started
    return result


def _pipelined(
    ids: list[int],
    batch: int,
    as_of: dt.date,
    result: RecomputeResult,
    progress: Callable[[int], None] | None,
    *,
    floor: bool = False,
    force: bool = False,
    refresh_facts: bool = True,
) -> None:
    """Read and calculate each batch here and write it on a second thread while the next is read and calculated (at
    most one write at a time; a failed write stops the run at the next batch, having written the ones before it).
    Reading the next batch on a third connection as well was measured slower on two cores (decision 0021)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="recompute-write") as writer:
        pending: tuple[Future[None], int] | None = None
        for lo, hi, n in _batches(ids, batch):
            reads = read_batch(lo, hi, as_of, force=force, floor=floor)
            planned = floor_batch(reads) if floor else calculate_batch(reads, result)
            if pending is not None:
                _finished(pending, result, progress)
            planned = dataclasses.replace(planned, refresh_facts=refresh_facts)
            pending = (writer.submit(_write_in_own_transaction, planned, result), n)
        if pending is not None:
            _finished(pending, result, progress)


def _finished(
    pending: tuple[Future[None], int], result: RecomputeResult, progress: Callable[[int], None] | None
) -> None:
    future, n = pending
    future.result()  # a failed write raises here
    result.batches += 1
    if progress is not None:
        progress(n)
