"""The risk tools for a whole caseload at once: the one-case formulas evaluated on columns (decision 0012).

One row per case (see :data:`FACT_COLUMNS`, the fields of ``rules.case_record.fact_row``). :func:`calculate_frame`
evaluates, for every row, what the record gives each tool (``rules.case_record.record_inputs``), each tool's input
checks and its formula, the same functions the calculators call for one case, with a ``rules.ops.ColumnOps``. A row
whose inputs fail a check is flagged ``scalar``: the caller calculates it one case at a time
(:func:`rules.case_record.row_calculate`), so the reasons are the calculators' own. Tests check that the two agree
on thousands of random cases.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from openprobation.rules import case_record as cr
from openprobation.rules import ops
from openprobation.rules.predictors import ogp, ogrs3, osp, ovp, rsr, snsv
from openprobation.rules.tiering import v2
from openprobation.rules.tiering.v2 import NEED_SECTIONS

HISTORY_FIELDS = tuple(cr.CriminalHistory.__dataclass_fields__)
HISTORY_FLAGS = ("stranger_victim", "recent_breach_or_recall")
ANSWERS = tuple(cr.OASYS_ANSWERS)
FACT_SCHEMA: dict[str, Any] = {
    "gender": pl.String,
    "date_of_birth": pl.Date,
    "has_event": pl.Boolean,
    "offence_code": pl.String,
    "conviction_date": pl.Date,
    "sentence_date": pl.Date,
    "sentence_type": pl.String,
    "release_date": pl.Date,
    "any_custodial": pl.Boolean,
    "any_mandate_requirement": pl.Boolean,
    "has_history": pl.Boolean,
    **{
        f"h_{name}": (pl.Date if name.endswith("_date") else pl.Boolean if name in HISTORY_FLAGS else pl.Int64)
        for name in HISTORY_FIELDS
    },
    "has_assessment": pl.Boolean,
    "a_date": pl.Date,
    "a_layer": pl.String,
    "a_status": pl.String,
    "a_kind": pl.String,
    **{f"ans_{name}": (pl.Boolean if kind == cr.YES_NO else pl.Int64) for name, kind in cr.OASYS_ANSWERS.items()},
    **{f"need_{section}": pl.Int64 for section in NEED_SECTIONS},
    "rosh": pl.String,
    "mappa_level": pl.Int64,
    "mappa_category": pl.Int64,
    "registrations": pl.List(pl.String),
}
FACT_COLUMNS = tuple(FACT_SCHEMA)


# ---- Facts <-> rows ----


def frame_from_facts(facts: Iterable[cr.CaseFacts]) -> pl.DataFrame:
    return pl.DataFrame([cr.fact_row(f) for f in facts], schema=FACT_SCHEMA)


# ---- Column helpers ----


def _missing(o: ops.ColumnOps, tool: str) -> pl.Expr:
    """The missing-fact codes for ``tool`` (``rules.case_record.absent``), joined, or "" when nothing is missing."""
    gaps = cr.absent(o, FACTS)
    return pl.concat_str(
        [pl.when(gaps[code]).then(pl.lit(code + ",")).otherwise(pl.lit("")) for code in cr.MISSING_FOR[tool]]
    )


def _required(cls: type[Any], inputs: Mapping[str, pl.Expr]) -> list[ops.Check]:
    """A null in a field the tool's input requires, or a value outside a field's choices (the one-case path refuses
    both when it parses the input)."""
    return [
        ops.Check(name, inputs[name].is_null(), "Required")
        for name, f in cls.__dataclass_fields__.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ] + _enums(cls, inputs)


def _enums(cls: type[Any], inputs: Mapping[str, pl.Expr]) -> list[ops.Check]:
    checks = []
    for name, hint in typing.get_type_hints(cls).items():
        choices = [a for a in typing.get_args(hint) if a is not type(None)]
        if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(choices) == 1:
            hint = choices[0]
        if typing.get_origin(hint) is typing.Literal and name in inputs:
            column = inputs[name]
            checks.append(ops.Check(name, column.is_not_null() & ~column.is_in(list(typing.get_args(hint))), ""))
    return checks


FACTS = {name: pl.col(name) for name in FACT_COLUMNS}


def record_inputs(o: ops.ColumnOps, tool: str, as_of: dt.date) -> dict[str, Any]:
    """``rules.case_record.record_inputs`` over the frame's columns (the tier's upstream RSR and OGRS3 from the
    columns this module adds)."""
    extra = {}
    if tool == "tier":
        extra = {
            "rsr_percent": pl.when(pl.col("rsr_status") == "calculated").then(
                ops.COLUMNS.from_hundredths(pl.col("rsr_hundredths"))
            ),
            "ogrs_percent": pl.when(pl.col("ogrs3_status") == "calculated").then(pl.col("ogrs3_two_year_percent")),
        }
    return cr.record_inputs(o, tool, FACTS, pl.lit(as_of, dtype=pl.Date), **extra)


def _rsr_formula_inputs(o: ops.ColumnOps, x: dict[str, Any]) -> dict[str, Any]:
    """RSR's record inputs as its formulas read them: the model left to choose itself, previous convictions one by
    one (as ``predictors.snsv`` flattens them)."""
    previous = x["previous_convictions"]
    return {
        **x,
        "snsv_model": pl.lit("auto"),
        **{f"previous_{kind}": o.field(previous, kind) for kind in cr.PREVIOUS_CONVICTIONS},
    }


def _tier_formula_inputs(o: ops.ColumnOps, x: dict[str, Any]) -> dict[str, Any]:
    """The tier's record inputs as ``tiering.v2.formula_inputs`` gives them."""
    needs = x["needs"]
    return {
        **{k: v for k, v in x.items() if k not in ("needs", "mandate_for_change")},
        "mandate": x["mandate_for_change"],
        "needs_given": needs.is_not_null(),
        **{f"need_{s}": o.field(needs, s) for s in NEED_SECTIONS},
    }


def calculate_frame(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Every tool for every row. Adds ``<tool>_status`` (calculated / not_calculated / scalar), ``<tool>_missing``
    (builder codes) and the headline columns."""
    o = ops.ColumnOps(bind=True)
    df = frame.with_columns(**{f"{tool}_missing": _missing(o, tool) for tool in cr.TOOLS})
    ogrs3_x = record_inputs(o, "ogrs3", as_of)
    rsr_x = _rsr_formula_inputs(o, record_inputs(o, "rsr", as_of))
    ovp_x = record_inputs(o, "ovp", as_of)
    ogp_x = record_inputs(o, "ogp", as_of)
    ok = {
        "ogrs3": ~ops.fails_any(ogrs3.ogrs3_checks(o, **ogrs3_x)),
        "rsr": ~ops.fails_any(
            _required(rsr.RsrInput, rsr_x) + snsv.snsv_checks(o, **rsr_x) + osp.osp_dc_checks(o, **rsr_x)
        ),
        "ogp": ~ops.fails_any(_required(ogp.OgpInput, ogp_x) + ogp.ogp_checks(o, **ogp_x)),
        "ovp": ~ops.fails_any(_required(ovp.OvpInput, ovp_x) + ovp.ovp_checks(o, **ovp_x)),
    }
    df = o.bind(df).with_columns(
        **{
            f"{tool}_status": pl.when(pl.col(f"{tool}_missing") != "")
            .then(pl.lit("not_calculated"))
            .when(ok[tool].fill_null(False))
            .then(pl.lit("calculated"))
            .otherwise(pl.lit("scalar"))
            for tool in cr.PREDICTORS
        }
    )
    f = ogrs3.ogrs3_formula(o, **ogrs3_x)
    df = o.bind(df).with_columns(
        ogrs3_one_year_percent=f["one_year_percent"], ogrs3_two_year_percent=f["two_year_percent"], ogrs3_band=f["band"]
    )
    sv, dc, iic = (formula(o, **rsr_x) for formula in (snsv.snsv_formula, osp.osp_dc_formula, osp.osp_iic_formula))
    df = o.bind(df).with_columns(
        snsv_hundredths=sv["hundredths"],
        rsr_snsv_model=pl.when(sv["dynamic"]).then(pl.lit("dynamic")).otherwise(pl.lit("static")),
        osp_dc_hundredths=dc["hundredths"],
        osp_dc_band=dc["band"],
        osp_iic_hundredths=iic["hundredths"],
        osp_iic_band=iic["band"],
    )
    f = rsr.rsr_formula(
        o,
        snsv=pl.col("snsv_hundredths"),
        osp_dc=pl.col("osp_dc_hundredths"),
        osp_iic=pl.col("osp_iic_hundredths"),
        female_with_sexual_history=(rsr_x["gender"] == "female") & rsr_x["has_sexual_offence_history"],
    )
    df = o.bind(df).with_columns(rsr_hundredths=f["hundredths"].cast(pl.Int64), rsr_band=f["band"])
    for tool, x, formula in (("ovp", ovp_x, ovp.ovp_formula), ("ogp", ogp_x, ogp.ogp_formula)):
        extra = {"ogrs3_two_year_percent": pl.col("ogrs3_two_year_percent")} if tool == "ogp" else {}
        f = formula(o, **x, **extra)
        df = o.bind(df).with_columns(
            **{f"{tool}_points": f["points"].cast(pl.Int64)},
            **{f"{tool}_{name}": f[name] for name in ("one_year_percent", "two_year_percent", "band")},
        )
    tier_x = _tier_formula_inputs(o, record_inputs(o, "tier", as_of))
    f = v2.tier_v2_formula(o, **tier_x)
    tier_ok = (
        ~ops.fails_any(v2.tier_v2_checks(o, **tier_x) + _enums(v2.TierV2Input, tier_x))
        & (pl.col("rsr_status") != "scalar")
        & (pl.col("ogrs3_status") != "scalar")
    )
    df = o.bind(df).with_columns(
        tier_tier=f["tier"],
        tier_protect_level=f["protect_level"],
        tier_protect_points=f["protect_points"].cast(pl.Int64),
        tier_change_level=f["change_level"].cast(pl.Int64),
        tier_change_points=f["change_points"].cast(pl.Int64),
        tier_status=pl.when(pl.col("tier_missing") != "")
        .then(pl.lit("not_calculated"))
        .when(tier_ok.fill_null(False))
        .then(pl.lit("calculated"))
        .otherwise(pl.lit("scalar")),
    )
    return o.drop(df)


# ---- Headline results and keys, as the scalar path stores them ----


def headline_from_row(tool: str, row: Mapping[str, Any]) -> dict[str, Any]:
    if tool == "rsr":
        return {
            "percent": row["rsr_hundredths"] / 100,
            "band": row["rsr_band"],
            "snsv_percent": row["snsv_hundredths"] / 100,
            "osp_dc_percent": row["osp_dc_hundredths"] / 100,
            "osp_iic_percent": row["osp_iic_hundredths"] / 100,
            "snsv_model": row["rsr_snsv_model"],
            "osp_dc_band": row["osp_dc_band"],
            "osp_iic_band": row["osp_iic_band"],
        }
    if tool == "tier":
        return {
            "tier": row["tier_tier"],
            "protect_level": row["tier_protect_level"],
            "protect_points": row["tier_protect_points"],
            "change_level": row["tier_change_level"],
            "change_points": row["tier_change_points"],
        }
    return {name: row[f"{tool}_{name}"] for name in cr.HEADLINE_FIELDS[tool]}


def result_key_expr(tool: str) -> pl.Expr:
    """``rules.case_record.result_key`` as a column (rows with status ``scalar`` get null)."""
    headline = result_struct(tool)
    fields = {name: headline.struct.field(name) for name in cr.HEADLINE_FIELDS[tool]}
    failed = (
        pl.col(f"{tool}_missing")
        .str.split(",")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.eval(pl.element().replace_strict({k: v[0] for k, v in cr.MISSING.items()}, default=pl.element()))
    )
    status = pl.col(f"{tool}_status")
    key = cr.result_key_over(ops.COLUMNS, tool, status == "calculated", fields, failed)
    return pl.when(status != "scalar").then(key)


def caseload_frame(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Every tool for every row (``row`` index added), with ``<tool>_key`` columns and ``needs_scalar``: whether the
    vectorised checks handed the row over to the scalar path (:func:`scalar_outcomes`)."""
    df = calculate_frame(frame.with_row_index("row"), as_of)
    return df.with_columns(
        needs_scalar=pl.any_horizontal([pl.col(f"{t}_status") == "scalar" for t in cr.TOOLS]),
        **{f"{t}_key": result_key_expr(t) for t in cr.TOOLS},
    )


def scalar_outcomes(df: pl.DataFrame, as_of: dt.date) -> dict[int, dict[str, cr.ToolOutcome]]:
    """The scalar outcomes, by ``row`` index, of every row of ``df`` (a :func:`caseload_frame`): every tool of a row
    comes from the scalar path."""
    return {row["row"]: cr.row_calculate(row, as_of) for row in df.select(["row", *FACT_COLUMNS]).iter_rows(named=True)}


def calculate_caseload(
    frame: pl.DataFrame, as_of: dt.date
) -> tuple[pl.DataFrame, dict[int, dict[str, cr.ToolOutcome]]]:
    """Every tool for every row, with ``<tool>_key`` columns, plus the scalar outcomes of the rows (by ``row``
    index) that the vectorised checks handed over: for those rows every tool comes from the scalar path."""
    df = caseload_frame(frame, as_of)
    return df, scalar_outcomes(df.filter(pl.col("needs_scalar")), as_of)


def outcomes_for_row(row: Mapping[str, Any], as_of: dt.date) -> dict[str, cr.ToolOutcome]:
    """The full outcomes (inputs included) of a row the vectorised path calculated, built one by one (for tests)."""
    outcomes: dict[str, cr.ToolOutcome] = {}
    for tool in cr.TOOLS:
        inputs = cr.tool_inputs(row, as_of, tool, outcomes)
        version = cr.tool_policy_version(tool)
        if row[f"{tool}_status"] == "calculated":
            outcomes[tool] = cr.ToolOutcome(tool, "calculated", version, inputs, headline_from_row(tool, row))
        else:
            missing = [c for c in row[f"{tool}_missing"].split(",") if c]
            reasons = tuple({"field": cr.MISSING[c][0], "message": cr.MISSING[c][1]} for c in missing)
            outcomes[tool] = cr.ToolOutcome(tool, "not_calculated", version, inputs, None, reasons)
    return outcomes


# ---- What recompute stores, as typed columns (``risk.storage`` encodes them) ----


def result_struct(tool: str) -> pl.Expr:
    """``headline_from_row`` as a struct column (the stored ``result`` of a calculated row)."""
    if tool == "rsr":
        fields: dict[str, pl.Expr] = {
            "percent": ops.COLUMNS.from_hundredths(pl.col("rsr_hundredths")),
            "band": pl.col("rsr_band"),
            "snsv_percent": ops.COLUMNS.from_hundredths(pl.col("snsv_hundredths")),
            "osp_dc_percent": ops.COLUMNS.from_hundredths(pl.col("osp_dc_hundredths")),
            "osp_iic_percent": ops.COLUMNS.from_hundredths(pl.col("osp_iic_hundredths")),
            "snsv_model": pl.col("rsr_snsv_model"),
            "osp_dc_band": pl.col("osp_dc_band"),
            "osp_iic_band": pl.col("osp_iic_band"),
        }
    else:
        fields = {name: pl.col(f"{tool}_{name}") for name in cr.HEADLINE_FIELDS[tool]}
    return pl.struct([value.alias(name) for name, value in fields.items()])


def stored_columns(df: pl.DataFrame, tool: str, as_of: dt.date) -> pl.DataFrame:
    """For rows the vectorised path calculated: ``row`` and what recompute stores for ``tool`` as typed values
    (``risk.storage`` encodes them): ``status``, ``inputs`` (a struct: ``rules.case_record.record_inputs``),
    ``result`` (a struct, null unless calculated), ``result_key`` and ``missing`` (the missing-fact codes, in
    order)."""
    o = ops.ColumnOps(bind=True)
    inputs = pl.struct(**record_inputs(o, tool, as_of))
    calculated = pl.col(f"{tool}_status") == "calculated"
    typed = o.bind(df).select(
        "row",
        pl.col(f"{tool}_status").alias("status"),
        inputs.alias("inputs"),
        pl.when(calculated).then(result_struct(tool)).alias("result"),
        pl.col(f"{tool}_key").alias("result_key"),
        pl.col(f"{tool}_missing").str.split(",").list.eval(pl.element().filter(pl.element() != "")).alias("missing"),
    )
    # Dates as their YYYY-MM-DD text already (as stored), so encoding them needs no Python call per date.
    fields = typed.schema["inputs"].fields  # type: ignore[attr-defined]
    as_text = pl.Struct([pl.Field(f.name, pl.String if f.dtype == pl.Date else f.dtype) for f in fields])
    return typed.with_columns(pl.col("inputs").cast(as_text))
