"""Reading the risk-tool facts of cases from the record: one reading, for a whole caseload a batch at a time
(``risk.recompute``) and for one case (``risk.services``, when a change to the record recalculates it).

A handful of set-based queries read the people, their active events and requirements, criminal history, newest
counting assessment and active registrations into polars, and the rules in ``rules/policy/case_record.toml`` pick
each case's facts: one row per case with the columns of ``rules.vectorised.FACT_SCHEMA`` (the fields of
``rules.case_record.fact_row``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection

from openprobation.people.models import Person
from openprobation.risk.models import CriminalHistory, OasysAssessment, Registration
from openprobation.rules import case_record as cr
from openprobation.rules import vectorised as vec
from openprobation.rules.registrations import rosh_codes
from openprobation.rules.tiering.v2 import NEED_SECTIONS
from openprobation.sentences.models import Event, Requirement

HISTORY_FIELDS = cr.HISTORY_FIELDS


def table_name(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def query_frame(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """The query's rows as a frame of ``schema`` (names and types, in the order selected)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    try:  # the values already of the schema's types (most queries): no pass over every row to infer them
        return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        pass  # e.g. dates read back as text (SQLite), JSON values as objects: infer, then convert below
    frame = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
    casts = []
    for name, dtype in schema.items():
        if dtype == pl.Date and frame.schema[name] == pl.String:
            casts.append(pl.col(name).str.to_date("%Y-%m-%d"))
        else:
            casts.append(pl.col(name).cast(dtype))
    return frame.with_columns(casts) if len(frame) else pl.DataFrame(schema=schema)


def people_filter(column: str, people: list[int] | None) -> tuple[str, list[Any]]:
    """SQL (`` AND ...``) restricting ``column`` to ``people``, and its parameters; nothing when ``people`` is None."""
    if people is None:
        return "", []
    if connection.vendor == "postgresql":
        return f" AND {column} = ANY(%s)", [people]
    return f" AND {column} IN (SELECT value FROM json_each(%s))", [json.dumps(people)]  # noqa: S608


def json_text(column: str) -> str:
    return f"{column}::text" if connection.vendor == "postgresql" else column


def read_facts(
    lo: int, hi: int, as_of: dt.date, *, open_only: bool = True, ids: list[int] | None = None
) -> pl.DataFrame:
    """The facts frame (``rules.vectorised.FACT_SCHEMA`` plus ``person_id``) of the people with lo <= id <= hi (and
    among ``ids``, if given): open cases only (people with an active event) unless ``open_only`` is false."""
    pol = cr.policy()

    def among(column: str) -> tuple[str, list[Any]]:
        sql, params = people_filter(column, ids)
        return sql, [lo, hi, *params]

    who, who_params = among("person_id")
    p_who, p_params = among("p.id")
    e_who, e_params = among("e.person_id")
    open_case = (
        f" AND EXISTS (SELECT 1 FROM {table_name(Event)} e WHERE e.person_id = p.id AND e.termination_date IS NULL)"  # noqa: S608
        if open_only
        else ""
    )
    people = query_frame(
        # In case order whatever plan the database chooses: the frame's order is the order calculations are stored in.
        f"SELECT p.id, p.gender, p.date_of_birth FROM people_person p WHERE p.id BETWEEN %s AND %s{p_who}{open_case} "  # noqa: S608
        "ORDER BY p.id",
        p_params,
        {"person_id": pl.Int64, "gender": pl.String, "date_of_birth": pl.Date},
    )
    events = query_frame(
        f"SELECT e.person_id, e.offence_code, e.conviction_date, e.sentence_date, e.sentence_type, e.release_date, "  # noqa: S608
        f"e.number FROM {table_name(Event)} e WHERE e.person_id BETWEEN %s AND %s{e_who} "
        "AND e.termination_date IS NULL",
        e_params,
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
    requirements = query_frame(
        f"SELECT e.person_id, r.type FROM {table_name(Requirement)} r JOIN {table_name(Event)} e ON e.id = r.event_id "  # noqa: S608
        f"WHERE e.person_id BETWEEN %s AND %s{e_who} AND e.termination_date IS NULL",
        e_params,
        {"person_id": pl.Int64, "type": pl.String},
    )
    mandate = requirements.group_by("person_id").agg(
        pl.col("type").is_in(pol["mandate_requirement_types"]).any().alias("any_mandate_requirement")
    )
    history_fields = vec.HISTORY_FIELDS
    history = query_frame(
        f"SELECT person_id, {', '.join(history_fields)} FROM {table_name(CriminalHistory)} "  # noqa: S608
        f"WHERE person_id BETWEEN %s AND %s{who}",
        who_params,
        {"person_id": pl.Int64, **{f"h_{n}": vec.FACT_SCHEMA[f"h_{n}"] for n in history_fields}},
    ).with_columns(has_history=pl.lit(True))
    statuses = list(pol["assessment_counting_statuses"])
    assessments = query_frame(
        f"SELECT person_id, id, completed_date, layer, status, kind, {json_text('answers')}, "  # noqa: S608
        f"{json_text('section_scores')} FROM {table_name(OasysAssessment)} WHERE person_id BETWEEN %s AND %s{who} "
        f"AND completed_date <= %s AND status IN ({', '.join(['%s'] * len(statuses))})",
        [*who_params, as_of, *statuses],
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
    registrations = query_frame(
        f"SELECT person_id, id, code, level, category, start_date FROM {table_name(Registration)} "  # noqa: S608
        f"WHERE person_id BETWEEN %s AND %s{who} AND end_date IS NULL",
        who_params,
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


def case_row(person: Person, as_of: dt.date) -> dict[str, Any]:
    """One case's facts (``rules.case_record.fact_row``'s fields), read as a caseload's are."""
    frame = read_facts(person.pk, person.pk, as_of, open_only=False).drop("person_id")
    return frame.row(0, named=True)
