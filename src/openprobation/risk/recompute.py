"""``openprobation recompute``: recalculate the risk tools of every open case, a batch at a time, vectorised.

For each batch of open cases (people with an active event), in its own transaction: read the facts the tools need
with a handful of set-based queries into polars, calculate every tool for every case at once
(``rules.vectorised``; rows with inputs the calculators would refuse go through the scalar path), and store a new
calculation only where the result (or the reason there is none) or the policy version differs from the newest
one stored. ``Person.tier`` follows the newest tier. So a second run stores nothing, and a run stopped part-way
keeps the batches it finished and picks up the rest when run again.

Writes use COPY on PostgreSQL and ``executemany`` on SQLite. ``floor=True`` reads and writes the same rows
without calculating (it stores copies of each case's newest calculations and rolls every batch back): the
benchmark's floor.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection, transaction

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.risk.models import CriminalHistory, OasysAssessment, Registration, RiskCalculation
from openprobation.rules import case_record as cr
from openprobation.rules import vectorised as vec
from openprobation.rules.registrations import rosh_codes
from openprobation.rules.tiering.v2 import NEED_SECTIONS
from openprobation.sentences.models import Event, Requirement

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
    seconds: float = 0.0
    written_by_tool: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        per_case = self.seconds / self.cases * 1e6 if self.cases else 0.0
        tools = ", ".join(f"{t} {n:,}" for t, n in sorted(self.written_by_tool.items())) or "none"
        return (
            f"Recalculated {self.cases:,} open cases in {self.batches} batches in {self.seconds:.2f} s "
            f"({per_case:.0f} µs per case): {self.written:,} new calculations ({tools}); "
            f"{self.tiers_changed:,} tiers changed; {self.scalar_cases:,} cases checked one by one."
        )


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def open_case_ids() -> list[int]:
    sql = f"SELECT DISTINCT person_id FROM {_table(Event)} WHERE termination_date IS NULL ORDER BY person_id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def _query(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
    casts = []
    for name, dtype in schema.items():
        if dtype == pl.Date and frame.schema[name] == pl.String:
            casts.append(pl.col(name).str.to_date("%Y-%m-%d"))
        else:
            casts.append(pl.col(name).cast(dtype))
    return frame.with_columns(casts) if len(frame) else pl.DataFrame(schema=schema)


def _json_text(column: str) -> str:
    return f"{column}::text" if connection.vendor == "postgresql" else column


def read_facts(lo: int, hi: int, as_of: dt.date) -> pl.DataFrame:
    """The facts frame (``rules.vectorised.FACT_SCHEMA`` plus ``person_id``) of open cases with lo <= id <= hi."""
    pol = cr.policy()
    people = _query(
        f"SELECT p.id, p.gender, p.date_of_birth FROM people_person p WHERE p.id BETWEEN %s AND %s AND EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {_table(Event)} e WHERE e.person_id = p.id AND e.termination_date IS NULL)",
        [lo, hi],
        {"person_id": pl.Int64, "gender": pl.String, "date_of_birth": pl.Date},
    )
    events = _query(
        f"SELECT e.person_id, e.offence_code, e.conviction_date, e.sentence_date, e.sentence_type, e.release_date, "  # noqa: S608
        f"e.number FROM {_table(Event)} e WHERE e.person_id BETWEEN %s AND %s AND e.termination_date IS NULL",
        [lo, hi],
        {
            "person_id": pl.Int64, "offence_code": pl.String, "conviction_date": pl.Date, "sentence_date": pl.Date,
            "sentence_type": pl.String, "release_date": pl.Date, "number": pl.Int64,
        },
    )  # fmt: skip
    current = (
        events.sort(["person_id", "sentence_date", "number"], descending=[False, True, True])
        .group_by("person_id", maintain_order=True)
        .agg(
            pl.col("offence_code").first(),
            pl.col("conviction_date").first(),
            pl.col("sentence_date").first(),
            pl.col("sentence_type").first(),
            pl.col("release_date").first(),
            pl.col("sentence_type").is_in(pol["custodial_sentence_types"]).any().alias("any_custodial"),
        )
    )
    requirements = _query(
        f"SELECT e.person_id, r.type FROM {_table(Requirement)} r JOIN {_table(Event)} e ON e.id = r.event_id "  # noqa: S608
        "WHERE e.person_id BETWEEN %s AND %s AND e.termination_date IS NULL",
        [lo, hi],
        {"person_id": pl.Int64, "type": pl.String},
    )
    mandate = requirements.group_by("person_id").agg(
        pl.col("type").is_in(pol["mandate_requirement_types"]).any().alias("any_mandate_requirement")
    )
    history_fields = vec.HISTORY_FIELDS
    history = _query(
        f"SELECT person_id, {', '.join(history_fields)} FROM {_table(CriminalHistory)} "  # noqa: S608
        "WHERE person_id BETWEEN %s AND %s",
        [lo, hi],
        {"person_id": pl.Int64, **{f"h_{n}": vec.FACT_SCHEMA[f"h_{n}"] for n in history_fields}},
    ).with_columns(has_history=pl.lit(True))
    statuses = list(pol["assessment_counting_statuses"])
    assessments = _query(
        f"SELECT person_id, id, completed_date, layer, status, kind, {_json_text('answers')}, "  # noqa: S608
        f"{_json_text('section_scores')} FROM {_table(OasysAssessment)} WHERE person_id BETWEEN %s AND %s "
        f"AND completed_date <= %s AND status IN ({', '.join(['%s'] * len(statuses))})",
        [lo, hi, as_of, *statuses],
        {
            "person_id": pl.Int64, "id": pl.Int64, "a_date": pl.Date, "a_layer": pl.String, "a_status": pl.String,
            "a_kind": pl.String, "answers": pl.String, "section_scores": pl.String,
        },
    )  # fmt: skip
    answer_type = pl.Struct({name: vec.FACT_SCHEMA[f"ans_{name}"] for name in vec.ANSWERS})
    need_type = pl.Struct({s: pl.Int64 for s in NEED_SECTIONS})
    latest_assessment = (
        assessments.sort(["person_id", "a_date", "id"], descending=[False, True, True])
        .group_by("person_id", maintain_order=True)
        .first()
        .with_columns(
            pl.col("answers").str.json_decode(answer_type).struct.rename_fields([f"ans_{n}" for n in vec.ANSWERS]),
            pl.col("section_scores")
            .str.json_decode(need_type)
            .struct.rename_fields([f"need_{s}" for s in NEED_SECTIONS]),
            has_assessment=pl.lit(True),
        )
        .unnest("answers", "section_scores")
        .drop("id")
    )
    registrations = _query(
        f"SELECT person_id, id, code, level, category, start_date FROM {_table(Registration)} "  # noqa: S608
        "WHERE person_id BETWEEN %s AND %s AND end_date IS NULL",
        [lo, hi],
        {
            "person_id": pl.Int64, "id": pl.Int64, "code": pl.String, "level": pl.String, "category": pl.String,
            "start_date": pl.Date,
        },
    )  # fmt: skip
    levels = rosh_codes()
    newest = registrations.sort(["person_id", "start_date", "id"], descending=[False, True, True])
    regs = newest.group_by("person_id", maintain_order=True).agg(
        pl.col("code").filter(pl.col("code").is_in(list(levels))).first().replace_strict(levels, default=None)
        .alias("rosh"),
        pl.col("level").filter(pl.col("code") == "MAPP").first().alias("mappa_level_code"),
        pl.col("category").filter(pl.col("code") == "MAPP").first().alias("mappa_category_code"),
        pl.col("code").unique().sort().alias("registrations"),
    )  # fmt: skip

    def mappa_number(column: str) -> pl.Expr:
        digits = pl.col(column).str.slice(1)
        return pl.when(digits.str.contains(r"^\d+$")).then(digits.cast(pl.Int64, strict=False)).otherwise(None)

    regs = regs.with_columns(
        mappa_level=mappa_number("mappa_level_code"), mappa_category=mappa_number("mappa_category_code")
    ).drop("mappa_level_code", "mappa_category_code")
    frame = (
        people.join(current, on="person_id", how="left")
        .join(mandate, on="person_id", how="left")
        .join(history, on="person_id", how="left")
        .join(latest_assessment, on="person_id", how="left")
        .join(regs, on="person_id", how="left")
        .with_columns(
            has_event=pl.col("sentence_type").is_not_null(),
            any_custodial=pl.col("any_custodial").fill_null(False),
            any_mandate_requirement=pl.col("any_mandate_requirement").fill_null(False),
            has_history=pl.col("has_history").fill_null(False),
            has_assessment=pl.col("has_assessment").fill_null(False),
            registrations=pl.col("registrations").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    )
    return frame.select("person_id", *[pl.col(c).cast(t) for c, t in vec.FACT_SCHEMA.items()])


def read_latest(lo: int, hi: int) -> dict[tuple[int, str], tuple[str, str]]:
    """(person, tool) -> (result_key, policy_version) of the newest stored calculation."""
    table = _table(RiskCalculation)
    sql = (
        f"SELECT c.person_id, c.tool, c.result_key, c.policy_version FROM {table} c WHERE c.id IN "  # noqa: S608
        f"(SELECT MAX(id) FROM {table} WHERE person_id BETWEEN %s AND %s GROUP BY person_id, tool)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [lo, hi])
        return {(p, t): (k, v) for p, t, k, v in cursor.fetchall()}


def _row_values(person_id: int, outcome: cr.ToolOutcome, as_of: dt.date, at: dt.datetime) -> tuple[Any, ...]:
    result = outcome.result or {}
    score = None
    if outcome.status == "calculated":
        raw = result.get("percent", result.get("two_year_percent"))
        score = None if raw is None else str(Decimal(str(raw)).quantize(Decimal("0.01")))
    band = result.get("protect_level", "") if outcome.tool == "tier" else result.get("band", "")
    return (
        person_id, outcome.tool, outcome.status, at, as_of, outcome.policy_version, cr.canonical_json(outcome.inputs),
        outcome.inputs_digest, json.dumps(outcome.result) if outcome.result is not None else None,
        outcome.result_key, json.dumps(list(outcome.reasons)), score, str(band or ""),
        str(result.get("tier", "")), "recompute",
    )  # fmt: skip


def write_calculations(rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    table = _table(RiskCalculation)
    cols = ", ".join(connection.ops.quote_name(c) for c in CALC_COLUMNS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sqlite_rows = [(*r[:3], r[3].isoformat(sep=" ").replace("+00:00", ""), r[4].isoformat(), *r[5:]) for r in rows]
    raw = connection.connection
    assert raw is not None
    placeholders = ", ".join("?" * len(CALC_COLUMNS))
    raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({placeholders})", sqlite_rows)  # noqa: S608


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


def recompute_batch(lo: int, hi: int, as_of: dt.date, result: RecomputeResult, *, floor: bool = False) -> None:
    at = clock.now()
    facts = read_facts(lo, hi, as_of)
    latest = read_latest(lo, hi)
    person_ids = facts["person_id"].to_list()
    current_tiers = dict(
        _query("SELECT id, tier FROM people_person WHERE id BETWEEN %s AND %s", [lo, hi],
               {"id": pl.Int64, "tier": pl.String}).iter_rows()
    )  # fmt: skip
    rows: list[tuple[Any, ...]] = []
    tiers: list[tuple[int, str]] = []
    if floor:
        _floor_rows(lo, hi, rows)
        write_calculations(rows)
        result.written += len(rows)
        return
    df, scalar = vec.calculate_caseload(facts.drop("person_id"), as_of)
    df = df.with_columns(pl.Series("person_id", person_ids))
    result.scalar_cases += len(scalar)
    versions = {t: cr.tool_policy_version(t) for t in cr.TOOLS}
    keys = df.select("row", "person_id", *[f"{t}_key" for t in cr.TOOLS], "tier_tier", "tier_status")
    changed_rows: list[int] = []
    for row in keys.iter_rows(named=True):
        index, pid = row["row"], row["person_id"]
        outcomes = scalar.get(index)
        for tool in cr.TOOLS:
            key = outcomes[tool].result_key if outcomes else row[f"{tool}_key"]
            if latest.get((pid, tool)) != (key, versions[tool]):
                changed_rows.append(index)
                break
        if outcomes:
            tier = str(outcomes["tier"].result["tier"]) if outcomes["tier"].result else ""
        else:
            tier = row["tier_tier"] if row["tier_status"] == "calculated" else ""
        if current_tiers.get(pid, "") != tier:
            tiers.append((pid, tier))
    if changed_rows:
        full = df.filter(pl.col("row").is_in(changed_rows)).iter_rows(named=True)
        for row in full:
            pid = row["person_id"]
            outcomes = scalar.get(row["row"]) or vec.outcomes_for_row(row, as_of)
            for tool, outcome in outcomes.items():
                if latest.get((pid, tool)) != (outcome.result_key, outcome.policy_version):
                    rows.append(_row_values(pid, outcome, as_of, at))
                    result.written_by_tool[tool] = result.written_by_tool.get(tool, 0) + 1
    write_calculations(rows)
    write_tiers(tiers)
    result.written += len(rows)
    result.tiers_changed += len(tiers)
    if rows or tiers:
        audit_record(
            actor=None, action="risk.recomputed", entity="caseload", entity_id=f"{lo}-{hi}",
            after={"as_of": as_of, "cases": len(person_ids), "calculations": len(rows), "tiers": len(tiers)},
        )  # fmt: skip


def _floor_rows(lo: int, hi: int, rows: list[tuple[Any, ...]]) -> None:
    """The floor: copy each case's newest stored calculations (same reads, same kind of rows, no calculating)."""
    table = _table(RiskCalculation)
    json_cols = {"inputs", "result", "reasons"}
    select = ", ".join(_json_text(c) if c in json_cols else c for c in CALC_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select} FROM {table} WHERE id IN (SELECT MAX(id) FROM {table} "  # noqa: S608
            "WHERE person_id BETWEEN %s AND %s GROUP BY person_id, tool)",
            [lo, hi],
        )
        for row in cursor.fetchall():
            values = list(row)
            if isinstance(values[3], str):
                values[3] = dt.datetime.fromisoformat(values[3]).replace(tzinfo=dt.UTC)
            if isinstance(values[4], str):
                values[4] = dt.date.fromisoformat(values[4])
            rows.append(tuple(values))


class _Rollback(Exception):
    pass


def recompute(
    *,
    as_of: dt.date | None = None,
    batch: int = DEFAULT_BATCH,
    floor: bool = False,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
) -> RecomputeResult:
    """Recalculate every open case. Each batch is one transaction (the floor's are rolled back)."""
    started = time.perf_counter()
    as_of = as_of or clock.today()
    result = RecomputeResult()
    ids = open_case_ids()
    result.cases = len(ids)
    if total is not None:
        total(len(ids))
    for lo, hi, n in _batches(ids, batch):
        try:
            with transaction.atomic():
                recompute_batch(lo, hi, as_of, result, floor=floor)
                if floor:
                    raise _Rollback
        except _Rollback:
            pass
        result.batches += 1
        if progress is not None:
            progress(n)
    result.seconds = time.perf_counter() - started
    return result
