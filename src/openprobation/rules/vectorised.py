"""The risk tools for a whole caseload at once: the same rules as ``rules.case_record`` as column operations.

One row per case (see :data:`FACT_COLUMNS` and :func:`frame_from_facts`). :func:`calculate_frame` works out, for
every row and tool, the status and the headline result from the same policy files the scalar calculators read:
logistic models (OGRS3, SNSV) as float columns, points tools (OSP/DC, OVP, OGP) as integer columns, and the
points-to-percent step through a table built by the scalar helpers (so rounding cannot drift). A row the
vectorised checks cannot vouch for (any input the scalar calculator would refuse) is flagged ``scalar``: the
caller runs :func:`rules.case_record.case_calculate` on it instead. Tests check that the two agree on thousands
of random cases.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from openprobation.rules import case_record as cr
from openprobation.rules import ops
from openprobation.rules.predictors import ogp, ogrs3, osp, ovp, rsr, snsv
from openprobation.rules.registrations import MAPPA_CODE, rosh_codes
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


def row_from_facts(facts: cr.CaseFacts) -> dict[str, Any]:
    event, history, assessment = facts.event, facts.history, facts.assessment
    level, category = cr.mappa(facts.registrations)
    pol = cr.policy()
    row: dict[str, Any] = {
        "gender": facts.gender,
        "date_of_birth": facts.date_of_birth,
        "has_event": event is not None,
        "offence_code": event.offence_code if event else None,
        "conviction_date": event.conviction_date if event else None,
        "sentence_date": event.sentence_date if event else None,
        "sentence_type": event.sentence_type if event else None,
        "release_date": event.release_date if event else None,
        "any_custodial": any(t in pol["custodial_sentence_types"] for t in facts.active_sentence_types),
        "any_mandate_requirement": any(t in pol["mandate_requirement_types"] for t in facts.active_requirement_types),
        "has_history": history is not None,
        **{f"h_{name}": getattr(history, name) if history else None for name in HISTORY_FIELDS},
        "has_assessment": assessment is not None,
        "a_date": assessment.completed_date if assessment else None,
        "a_layer": assessment.layer if assessment else None,
        "a_status": assessment.status if assessment else None,
        "a_kind": assessment.kind if assessment else None,
        **{f"ans_{name}": assessment.answers.get(name) if assessment else None for name in ANSWERS},
        **{f"need_{s}": assessment.section_scores.get(s) if assessment else None for s in NEED_SECTIONS},
        "rosh": cr.rosh_level(r.code for r in facts.registrations),
        "mappa_level": level,
        "mappa_category": category,
        "registrations": sorted({r.code for r in facts.registrations}),
    }
    return row


def frame_from_facts(facts: Iterable[cr.CaseFacts]) -> pl.DataFrame:
    return pl.DataFrame([row_from_facts(f) for f in facts], schema=FACT_SCHEMA)


def facts_from_row(row: Mapping[str, Any]) -> cr.CaseFacts:
    """The facts a frame row stands for (for the rows the scalar calculators handle)."""
    pol = cr.policy()
    registrations: list[cr.ActiveRegistration] = []
    if row["rosh"]:
        code = next(c for c, level in rosh_codes().items() if level == row["rosh"])
        registrations.append(cr.ActiveRegistration(code=code))
    if row["mappa_level"] is not None or row["mappa_category"] is not None:
        registrations.append(
            cr.ActiveRegistration(
                code=MAPPA_CODE,
                level=f"M{row['mappa_level']}" if row["mappa_level"] is not None else "",
                category=f"M{row['mappa_category']}" if row["mappa_category"] is not None else "",
            )
        )
    present = {r.code for r in registrations}
    registrations += [cr.ActiveRegistration(code=c) for c in row["registrations"] or () if c not in present]
    sentence_types = [row["sentence_type"]] if row["has_event"] else []
    if row["any_custodial"]:
        sentence_types.append(pol["custodial_sentence_types"][0])
    return cr.CaseFacts(
        gender=row["gender"],
        date_of_birth=row["date_of_birth"],
        event=cr.CurrentEvent(
            offence_code=row["offence_code"],
            conviction_date=row["conviction_date"],
            sentence_date=row["sentence_date"],
            sentence_type=row["sentence_type"],
            release_date=row["release_date"],
        )
        if row["has_event"]
        else None,
        active_sentence_types=tuple(sentence_types),
        active_requirement_types=(pol["mandate_requirement_types"][0],) if row["any_mandate_requirement"] else (),
        history=cr.CriminalHistory(**{name: row[f"h_{name}"] for name in HISTORY_FIELDS})
        if row["has_history"]
        else None,
        assessment=cr.Assessment(
            completed_date=row["a_date"],
            layer=row["a_layer"],
            status=row["a_status"],
            kind=row["a_kind"],
            answers={name: row[f"ans_{name}"] for name in ANSWERS if row[f"ans_{name}"] is not None},
            section_scores={s: row[f"need_{s}"] for s in NEED_SECTIONS if row[f"need_{s}"] is not None},
        )
        if row["has_assessment"]
        else None,
        registrations=tuple(registrations),
    )


# ---- Column helpers ----


def _missing(tool: str) -> pl.Expr:
    """The builder's missing-fact codes for ``tool``, joined, or "" when nothing is missing."""
    custodial = pl.col("sentence_type").is_in(cr.policy()["custodial_sentence_types"])
    absent = {
        "no_event": ~pl.col("has_event"),
        "gender": ~pl.col("gender").is_in(["male", "female"]),
        "no_history": ~pl.col("has_history"),
        "total_sanctions": pl.col("has_history") & pl.col("h_total_sanctions").is_null(),
        "age_at_first_sanction": pl.col("has_history") & pl.col("h_age_at_first_sanction").is_null(),
        "violent_sanctions": pl.col("has_history") & pl.col("h_violent_sanctions").is_null(),
        "release_date": pl.col("has_event") & custodial & pl.col("release_date").is_null(),
        "no_assessment": ~pl.col("has_assessment"),
    }
    parts = [pl.when(absent[code]).then(pl.lit(code + ",")).otherwise(pl.lit("")) for code in cr.MISSING_FOR[tool]]
    return pl.concat_str(parts)


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


# ---- The tools ----


def calculate_frame(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Every tool for every row. Adds ``<tool>_status`` (calculated / not_calculated / scalar), ``<tool>_missing``
    (builder codes), the headline columns and ``<tool>_key`` (``rules.case_record.result_key``)."""
    pol = cr.policy()
    custodial = pl.col("sentence_type").is_in(pol["custodial_sentence_types"])
    df = frame.with_columns(
        follow_up=pl.when(custodial).then(pl.col("release_date")).otherwise(pl.col("sentence_date")),
        as_of=pl.lit(as_of, dtype=pl.Date),
        sexual_history=pl.any_horizontal([pl.col(f"h_{n}").fill_null(0) > 0 for n in cr.SEXUAL_COUNTS]),
        **{f"{tool}_missing": _missing(tool) for tool in cr.TOOLS},
    )
    o = ops.ColumnOps(bind=True)
    rsr_inputs = _rsr_inputs()
    rsr_checks = snsv.snsv_checks(o, **rsr_inputs) + osp.osp_dc_checks(o, **rsr_inputs)
    ok = {
        "ogrs3": ~ops.fails_any(ogrs3.ogrs3_checks(o, **_ogrs3_inputs())),
        "rsr": ~ops.fails_any(_required(rsr.RsrInput, rsr_inputs) + rsr_checks),
        "ogp": ~ops.fails_any(_required(ogp.OgpInput, _ogp_inputs()) + ogp.ogp_checks(o, **_ogp_inputs())),
        "ovp": ~ops.fails_any(_required(ovp.OvpInput, _ovp_inputs()) + ovp.ovp_checks(o, **_ovp_inputs())),
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
    for tool in (_ogrs3, _rsr, _ovp, _ogp):
        df = tool(df, o)
    return o.drop(_tier(df, o, as_of))


def _ogrs3_inputs() -> dict[str, Any]:
    """OGRS3's inputs (``predictors.ogrs3.Ogrs3Input``) as the frame's columns."""
    return {
        "gender": pl.col("gender"),
        "date_of_birth": pl.col("date_of_birth"),
        "conviction_date": pl.col("conviction_date"),
        "follow_up_start": pl.col("follow_up"),
        "total_sanctions": pl.col("h_total_sanctions"),
        "age_at_first_sanction": pl.col("h_age_at_first_sanction"),
        "offence_code": pl.col("offence_code"),
    }


def _ogrs3(df: pl.DataFrame, o: ops.ColumnOps) -> pl.DataFrame:
    f = ogrs3.ogrs3_formula(o, **_ogrs3_inputs())
    return o.bind(df).with_columns(
        ogrs3_one_year_percent=f["one_year_percent"], ogrs3_two_year_percent=f["two_year_percent"], ogrs3_band=f["band"]
    )


def _rsr_inputs() -> dict[str, Any]:
    """RSR's inputs (``predictors.rsr.RsrInput``: SNSV's and OSP/DC's) as the frame's columns, as
    ``rules.case_record.tool_inputs`` reads them from the record."""
    previous = [pl.col(f"ans_previous_{kind}") for kind in cr.PREVIOUS_CONVICTIONS]
    release = pl.col("release_date")
    return {
        **_ogrs3_inputs(),
        "assessment_date": pl.col("as_of"),
        "violent_sanctions": pl.col("h_violent_sanctions"),
        "snsv_model": pl.lit("auto"),
        **{name: pl.col(f"ans_{name}") for name in cr.SNSV_DYNAMIC_ANSWERS},
        "previous_convictions": pl.when(pl.all_horizontal([p.is_not_null() for p in previous])).then(True),
        **{f"previous_{kind}": pl.col(f"ans_previous_{kind}") for kind in cr.PREVIOUS_CONVICTIONS},
        "has_sexual_offence_history": pl.col("sexual_history"),
        **{name: pl.col(f"h_{name}") for name in cr.SEXUAL_COUNTS},
        "stranger_victim": pl.col("h_stranger_victim"),
        "last_sexual_sanction_date": pl.col("h_last_sexual_sanction_date"),
        "in_custody": (pl.col("sentence_type") == "custody") & (release.is_null() | (release > pl.col("as_of"))),
        "most_recent_offence_date": pl.col("h_most_recent_offence_date"),
        "most_recent_sexual_offence_date": pl.col("h_most_recent_sexual_offence_date"),
    }


def _rsr(df: pl.DataFrame, o: ops.ColumnOps) -> pl.DataFrame:
    x = _rsr_inputs()
    sv = snsv.snsv_formula(o, **x)
    dc = osp.osp_dc_formula(o, **x)
    iic = osp.osp_iic_formula(o, **x)
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
        female_with_sexual_history=(pl.col("gender") == "female") & pl.col("sexual_history"),
    )
    return o.bind(df).with_columns(rsr_hundredths=f["hundredths"].cast(pl.Int64), rsr_band=f["band"])


def _ovp_inputs() -> dict[str, pl.Expr]:
    """OVP's inputs (``predictors.ovp.OvpInput``) as the frame's columns."""
    return {
        "gender": pl.col("gender"),
        "date_of_birth": pl.col("date_of_birth"),
        "follow_up_start": pl.col("follow_up"),
        "total_sanctions": pl.col("h_total_sanctions"),
        "violent_sanctions": pl.col("h_violent_sanctions"),
        **{name: pl.col(f"ans_{name}") for name in cr.OVP_ANSWERS},
    }


def _ovp(df: pl.DataFrame, o: ops.ColumnOps) -> pl.DataFrame:
    f = ovp.ovp_formula(o, **_ovp_inputs())
    return o.bind(df).with_columns(
        ovp_points=f["points"].cast(pl.Int64),
        ovp_one_year_percent=f["one_year_percent"],
        ovp_two_year_percent=f["two_year_percent"],
        ovp_band=f["band"],
    )


def _ogp_inputs() -> dict[str, pl.Expr]:
    """OGP's inputs (``predictors.ogp.OgpInput``) as the frame's columns."""
    return {**_ogrs3_inputs(), **{name: pl.col(f"ans_{name}") for name in cr.OGP_ANSWERS}}


def _ogp(df: pl.DataFrame, o: ops.ColumnOps) -> pl.DataFrame:
    f = ogp.ogp_formula(o, ogrs3_two_year_percent=pl.col("ogrs3_two_year_percent"), **_ogp_inputs())
    return o.bind(df).with_columns(
        ogp_points=f["points"].cast(pl.Int64),
        ogp_one_year_percent=f["one_year_percent"],
        ogp_two_year_percent=f["two_year_percent"],
        ogp_band=f["band"],
    )


def _tier_codes() -> pl.Expr:
    """The active registration codes the tier is given (``rules.case_record.tier_registrations``): an older RoSH
    registration superseded by the newest is left out."""
    codes = pl.col("registrations").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    levels = rosh_codes()
    kept: Any = codes
    for level in sorted(set(levels.values())):
        others = pl.lit([c for c, lv in levels.items() if lv != level], dtype=pl.List(pl.String))
        kept = pl.when(pl.col("rosh") == level).then(codes.list.set_difference(others)).otherwise(kept)
    return kept


def _layer3(as_of: dt.date) -> pl.Expr:
    """``rules.case_record.layer3_valid`` as a column."""
    case_pol = cr.policy()
    return (
        pl.col("has_assessment")
        & (pl.col("a_layer") == "layer3")
        & pl.col("a_status").is_in(case_pol["assessment_counting_statuses"])
        & (pl.col("a_date") <= as_of)
        & ((pl.lit(as_of, dtype=pl.Date) - pl.col("a_date")).dt.total_days() <= 7 * int(case_pol["layer3_valid_weeks"]))
    ).fill_null(False)


def _tier_inputs(as_of: dt.date) -> dict[str, Any]:
    """Tier V2's formula inputs (``tiering.v2.formula_inputs``) as the frame's columns, as
    ``rules.case_record.tool_inputs`` reads them from the record."""
    layer3 = _layer3(as_of)
    needs_given = layer3 & pl.any_horizontal([pl.col(f"need_{s}").is_not_null() for s in NEED_SECTIONS])
    female = (pl.col("gender") == "female").fill_null(False)
    return {
        "gender": pl.col("gender"),
        "has_layer3_assessment": layer3,
        "rosh": pl.col("rosh"),
        "rsr_percent": pl.when(pl.col("rsr_status") == "calculated").then(pl.col("rsr_hundredths") / 100),
        "mappa_level": pl.col("mappa_level"),
        "mappa_category": pl.col("mappa_category"),
        "registrations": _tier_codes(),
        "ogrs_percent": pl.when(pl.col("ogrs3_status") == "calculated").then(pl.col("ogrs3_two_year_percent")),
        "needs_assessment_type": pl.when(needs_given).then(pl.col("a_kind")),
        **{name: pl.when(female).then(pl.col(f"ans_{name}")) for name in cr.WOMEN_ANSWERS},
        "recent_breach_or_recall": pl.when(female).then(pl.col("h_recent_breach_or_recall")),
        "mandate": pl.col("any_custodial") | pl.col("any_mandate_requirement"),
        "needs_given": needs_given,
        **{f"need_{s}": pl.when(needs_given).then(pl.col(f"need_{s}")) for s in NEED_SECTIONS},
    }


def _tier(df: pl.DataFrame, o: ops.ColumnOps, as_of: dt.date) -> pl.DataFrame:
    x = _tier_inputs(as_of)
    f = v2.tier_v2_formula(o, **x)
    tier_ok = (
        ~ops.fails_any(v2.tier_v2_checks(o, **x) + _enums(v2.TierV2Input, x))
        & (pl.col("rsr_status") != "scalar")
        & (pl.col("ogrs3_status") != "scalar")
    )
    return o.bind(df).with_columns(
        tier_tier=f["tier"],
        tier_protect_level=f["protect_level"],
        tier_protect_points=f["protect_points"].cast(pl.Int64),
        tier_change_level=f["change_level"].cast(pl.Int64),
        tier_change_points=f["change_points"].cast(pl.Int64),
        tier_layer3=x["has_layer3_assessment"],
        tier_status=pl.when(pl.col("tier_missing") != "")
        .then(pl.lit("not_calculated"))
        .when(tier_ok.fill_null(False))
        .then(pl.lit("calculated"))
        .otherwise(pl.lit("scalar")),
    )


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
    if tool == "rsr":
        parts = [
            pl.col("rsr_hundredths").cast(pl.String),
            pl.col("rsr_band"),
            pl.col("snsv_hundredths").cast(pl.String),
            pl.col("osp_dc_hundredths").cast(pl.String),
            pl.col("osp_iic_hundredths").cast(pl.String),
            pl.col("rsr_snsv_model"),
            pl.col("osp_dc_band"),
            pl.col("osp_iic_band"),
        ]
    elif tool == "tier":
        parts = [
            pl.col("tier_tier"),
            pl.col("tier_protect_level"),
            pl.col("tier_protect_points").cast(pl.String),
            pl.col("tier_change_level").cast(pl.String),
            pl.col("tier_change_points").cast(pl.String),
        ]
    else:
        parts = [pl.col(f"{tool}_{name}").cast(pl.String) for name in cr.HEADLINE_FIELDS[tool]]
    missing_fields = (
        pl.col(f"{tool}_missing")
        .str.strip_suffix(",")
        .str.split(",")
        .list.eval(pl.element().replace_strict({k: v[0] for k, v in cr.MISSING.items()}, default=pl.element()))
        .list.join(";")
    )
    return (
        pl.when(pl.col(f"{tool}_status") == "calculated")
        .then(pl.concat_str(parts, separator="|"))
        .when(pl.col(f"{tool}_status") == "not_calculated")
        .then(pl.concat_str([pl.lit("x|"), missing_fields]))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def calculate_caseload(
    frame: pl.DataFrame, as_of: dt.date
) -> tuple[pl.DataFrame, dict[int, dict[str, cr.ToolOutcome]]]:
    """Every tool for every row, with ``<tool>_key`` columns, plus the scalar outcomes of the rows (by ``row``
    index) that the vectorised checks handed over: for those rows every tool comes from the scalar path."""
    df = calculate_frame(frame.with_row_index("row"), as_of)
    df = df.with_columns(
        needs_scalar=pl.any_horizontal([pl.col(f"{t}_status") == "scalar" for t in cr.TOOLS]),
        **{f"{t}_key": result_key_expr(t) for t in cr.TOOLS},
    )
    scalar: dict[int, dict[str, cr.ToolOutcome]] = {}
    for row in df.filter(pl.col("needs_scalar")).select(["row", *FACT_COLUMNS]).iter_rows(named=True):
        scalar[row["row"]] = cr.case_calculate(facts_from_row(row), as_of)
    return df, scalar


def outcomes_for_row(row: Mapping[str, Any], as_of: dt.date) -> dict[str, cr.ToolOutcome]:
    """The full outcomes (inputs included, for storing) of a row the vectorised path calculated."""
    facts = facts_from_row(row)
    outcomes: dict[str, cr.ToolOutcome] = {}
    for tool in cr.TOOLS:
        inputs = cr.tool_inputs(facts, as_of, tool, outcomes)
        version = cr.tool_policy_version(tool)
        if row[f"{tool}_status"] == "calculated":
            outcomes[tool] = cr.ToolOutcome(tool, "calculated", version, inputs, headline_from_row(tool, row))
        else:
            missing = [c for c in row[f"{tool}_missing"].split(",") if c]
            reasons = tuple({"field": cr.MISSING[c][0], "message": cr.MISSING[c][1]} for c in missing)
            outcomes[tool] = cr.ToolOutcome(tool, "not_calculated", version, inputs, None, reasons)
    return outcomes


# ---- What recompute stores, as columns (the same text as the scalar path's JSON) ----

_JSON_ESCAPES = {**{chr(i): json.dumps(chr(i))[1:-1] for i in range(32)}, "\\": "\\\\", '"': '\\"'}


def _j_str(e: pl.Expr) -> pl.Expr:
    """A string column as JSON text (``json.dumps(..., ensure_ascii=False)``), "null" for null."""
    escaped = e.str.replace_many(list(_JSON_ESCAPES), list(_JSON_ESCAPES.values()))
    return pl.concat_str([pl.lit('"'), escaped, pl.lit('"')]).fill_null(pl.lit("null"))


def _j_int(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.Int64).cast(pl.String).fill_null(pl.lit("null"))


def _j_bool(e: pl.Expr) -> pl.Expr:
    return pl.when(e).then(pl.lit("true")).when(~e).then(pl.lit("false")).otherwise(pl.lit("null"))


def _j_date(e: pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.lit('"'), e.dt.to_string("%Y-%m-%d"), pl.lit('"')]).fill_null(pl.lit("null"))


def _j_hundredths(h: pl.Expr) -> pl.Expr:
    """Whole hundredths as ``repr(h / 100)`` (e.g. 345 -> 3.45, 340 -> 3.4, 300 -> 3.0); "null" for null."""
    frac = h % 100
    tail = (
        pl.when(frac == 0)
        .then(pl.lit("0"))
        .when(frac % 10 == 0)
        .then((frac // 10).cast(pl.String))
        .otherwise(frac.cast(pl.String).str.zfill(2))
    )
    return pl.concat_str([(h // 100).cast(pl.String), pl.lit("."), tail]).fill_null(pl.lit("null"))


def _j_object(fields: Mapping[str, pl.Expr], *, canonical: bool) -> pl.Expr:
    """JSON object text from field -> JSON-text columns: ``canonical_json`` (sorted keys, no spaces) or
    ``json.dumps`` defaults (given order, ", " and ": ")."""
    names = sorted(fields) if canonical else list(fields)
    comma, colon = (",", ":") if canonical else (", ", ": ")
    parts: list[pl.Expr] = [pl.lit("{")]
    for i, name in enumerate(names):
        parts += [pl.lit(("" if i == 0 else comma) + json.dumps(name) + colon), fields[name]]
    return pl.concat_str([*parts, pl.lit("}")])


def _answers_json(names: Iterable[str]) -> dict[str, pl.Expr]:
    return {n: (_j_bool if cr.OASYS_ANSWERS[n] == cr.YES_NO else _j_int)(pl.col(f"ans_{n}")) for n in names}


def inputs_json_expr(tool: str, as_of: dt.date) -> pl.Expr:
    """``canonical_json(rules.case_record.tool_inputs(...))`` of rows the vectorised path calculated."""
    custodial = pl.col("sentence_type").is_in(cr.policy()["custodial_sentence_types"]).fill_null(False)
    follow_up = pl.when(pl.col("has_event")).then(
        pl.when(custodial).then(pl.col("release_date")).otherwise(pl.col("sentence_date"))
    )
    base = {
        "gender": _j_str(pl.col("gender")),
        "date_of_birth": _j_date(pl.col("date_of_birth")),
        "conviction_date": _j_date(pl.when(pl.col("has_event")).then(pl.col("conviction_date"))),
        "follow_up_start": _j_date(follow_up),
        "offence_code": _j_str(pl.when(pl.col("has_event")).then(pl.col("offence_code"))),
        "total_sanctions": _j_int(pl.col("h_total_sanctions")),
        "age_at_first_sanction": _j_int(pl.col("h_age_at_first_sanction")),
    }
    if tool == "ogrs3":
        return _j_object(base, canonical=True)
    if tool == "ogp":
        return _j_object({**base, **_answers_json(cr.OGP_ANSWERS)}, canonical=True)
    if tool == "ovp":
        fields = {k: base[k] for k in ("gender", "date_of_birth", "follow_up_start", "total_sanctions")}
        fields["violent_sanctions"] = _j_int(pl.col("h_violent_sanctions"))
        return _j_object({**fields, **_answers_json(cr.OVP_ANSWERS)}, canonical=True)
    if tool == "rsr":
        release = pl.col("release_date")
        in_custody = (
            pl.col("has_event")
            & (pl.col("sentence_type") == "custody")
            & (release.is_null() | (release > pl.lit(as_of, dtype=pl.Date)))
        ).fill_null(False)
        previous = [f"previous_{k}" for k in cr.PREVIOUS_CONVICTIONS]
        previous_object = _j_object(
            {k: _j_bool(pl.col(f"ans_previous_{k}")) for k in cr.PREVIOUS_CONVICTIONS}, canonical=True
        )
        fields = {
            **base,
            "assessment_date": pl.lit(json.dumps(as_of.isoformat())),
            "violent_sanctions": _j_int(pl.col("h_violent_sanctions")),
            "has_sexual_offence_history": _j_bool(
                pl.any_horizontal([pl.col(f"h_{n}").fill_null(0) > 0 for n in cr.SEXUAL_COUNTS])
            ),
            **{n: _j_int(pl.col(f"h_{n}")) for n in cr.SEXUAL_COUNTS},
            "stranger_victim": _j_bool(pl.col("h_stranger_victim")),
            "last_sexual_sanction_date": _j_date(pl.col("h_last_sexual_sanction_date")),
            "in_custody": _j_bool(in_custody),
            "most_recent_offence_date": _j_date(pl.col("h_most_recent_offence_date")),
            "most_recent_sexual_offence_date": _j_date(pl.col("h_most_recent_sexual_offence_date")),
            **_answers_json(cr.SNSV_DYNAMIC_ANSWERS),
            "previous_convictions": pl.when(pl.all_horizontal([pl.col(f"ans_{p}").is_not_null() for p in previous]))
            .then(previous_object)
            .otherwise(pl.lit("null")),
        }
        return _j_object(fields, canonical=True)
    assert tool == "tier"
    female = (pl.col("gender") == "female").fill_null(False)
    layer3 = pl.col("tier_layer3").fill_null(False)
    has_needs = layer3 & pl.any_horizontal([pl.col(f"need_{s}").is_not_null() for s in NEED_SECTIONS])
    needs = _j_object({s: _j_int(pl.col(f"need_{s}")) for s in NEED_SECTIONS}, canonical=True)
    # As facts_from_row rebuilds them: the RoSH level's first code and MAPP (when it has a level or category)
    # join the active codes.
    first_code: dict[str, str] = {}
    for code, level in rosh_codes().items():
        first_code.setdefault(level, code)
    extra = pl.concat_list(
        [
            pl.col("rosh").replace_strict(first_code, default=None, return_dtype=pl.String),
            pl.when(pl.col("mappa_level").is_not_null() | pl.col("mappa_category").is_not_null()).then(
                pl.lit(MAPPA_CODE)
            ),
        ]
    ).list.drop_nulls()
    codes = pl.col("registrations").fill_null(pl.lit([], dtype=pl.List(pl.String))).list.concat(extra)
    # As case_record.tier_registrations: an older RoSH registration superseded by the newest is left out.
    levels = rosh_codes()
    kept: Any = codes
    for level in sorted(set(levels.values())):
        others = pl.lit([c for c, lv in levels.items() if lv != level], dtype=pl.List(pl.String))
        kept = pl.when(pl.col("rosh") == level).then(codes.list.set_difference(others)).otherwise(kept)
    codes = kept
    quoted = codes.list.unique().list.sort().list.eval(_j_str(pl.element())).list.join(",")
    fields = {
        "gender": _j_str(pl.col("gender")),
        "has_layer3_assessment": _j_bool(layer3),
        "rosh": _j_str(pl.col("rosh")),
        "rsr_percent": _j_hundredths(pl.when(pl.col("rsr_status") == "calculated").then(pl.col("rsr_hundredths"))),
        "mappa_level": _j_int(pl.col("mappa_level")),
        "mappa_category": _j_int(pl.col("mappa_category")),
        "registrations": pl.concat_str([pl.lit("["), quoted, pl.lit("]")]),
        "ogrs_percent": _j_int(pl.when(pl.col("ogrs3_status") == "calculated").then(pl.col("ogrs3_two_year_percent"))),
        "needs": pl.when(has_needs).then(needs).otherwise(pl.lit("null")),
        "needs_assessment_type": _j_str(pl.when(has_needs).then(pl.col("a_kind"))),
        "mandate_for_change": _j_bool(pl.col("any_custodial") | pl.col("any_mandate_requirement")),
        **{
            n: pl.when(female).then(value).otherwise(pl.lit("null"))
            for n, value in _answers_json(cr.WOMEN_ANSWERS).items()
        },
        "recent_breach_or_recall": pl.when(female)
        .then(_j_bool(pl.col("h_recent_breach_or_recall")))
        .otherwise(pl.lit("null")),
    }
    return _j_object(fields, canonical=True)


def result_json_expr(tool: str) -> pl.Expr:
    """``json.dumps(headline_from_row(tool, row))`` for calculated rows, null otherwise."""
    if tool == "rsr":
        fields = {
            "percent": _j_hundredths(pl.col("rsr_hundredths")),
            "band": _j_str(pl.col("rsr_band")),
            "snsv_percent": _j_hundredths(pl.col("snsv_hundredths")),
            "osp_dc_percent": _j_hundredths(pl.col("osp_dc_hundredths")),
            "osp_iic_percent": _j_hundredths(pl.col("osp_iic_hundredths")),
            "snsv_model": _j_str(pl.col("rsr_snsv_model")),
            "osp_dc_band": _j_str(pl.col("osp_dc_band")),
            "osp_iic_band": _j_str(pl.col("osp_iic_band")),
        }
    else:
        fields = {}
        for name in cr.HEADLINE_FIELDS[tool]:
            column = pl.col(f"{tool}_{name}")
            fields[name] = _j_str(column) if name in ("band", "tier", "protect_level") else _j_int(column)
    return pl.when(pl.col(f"{tool}_status") == "calculated").then(_j_object(fields, canonical=False))


def reasons_json_expr(tool: str) -> pl.Expr:
    """``json.dumps`` of the stored reasons: the missing facts, in order ("[]" when calculated)."""
    fragments = {code: json.dumps({"field": f, "message": m}) for code, (f, m) in cr.MISSING.items()}
    listed = (
        pl.col(f"{tool}_missing")
        .str.strip_suffix(",")
        .str.split(",")
        .list.eval(pl.element().replace_strict(fragments, default=None, return_dtype=pl.String))
        .list.join(", ")
    )
    return (
        pl.when(pl.col(f"{tool}_status") == "calculated")
        .then(pl.lit("[]"))
        .otherwise(pl.concat_str([pl.lit("["), listed, pl.lit("]")]))
    )


def stored_columns(df: pl.DataFrame, tool: str, as_of: dt.date) -> pl.DataFrame:
    """For rows the vectorised path calculated: ``row`` and what recompute stores for ``tool`` (``status``,
    ``inputs``, ``result``, ``result_key``, ``reasons``, ``score``, ``band``, ``tier``), the same text the scalar
    path stores (``inputs`` is ``canonical_json``; ``result`` and ``reasons`` are ``json.dumps``)."""
    calculated = pl.col(f"{tool}_status") == "calculated"
    if tool == "rsr":
        h = pl.col("rsr_hundredths")
        score = pl.concat_str([(h // 100).cast(pl.String), pl.lit("."), (h % 100).cast(pl.String).str.zfill(2)])
    elif tool == "tier":
        score = pl.lit(None, dtype=pl.String)
    else:
        score = pl.concat_str([pl.col(f"{tool}_two_year_percent").cast(pl.String), pl.lit(".00")])
    band = pl.col("tier_protect_level") if tool == "tier" else pl.col(f"{tool}_band")
    return df.select(
        "row",
        pl.col(f"{tool}_status").alias("status"),
        inputs_json_expr(tool, as_of).alias("inputs"),
        result_json_expr(tool).alias("result"),
        pl.col(f"{tool}_key").alias("result_key"),
        reasons_json_expr(tool).alias("reasons"),
        pl.when(calculated).then(score).otherwise(None).alias("score"),
        pl.when(calculated).then(band.fill_null("")).otherwise(pl.lit("")).alias("band"),
        pl.when(calculated & pl.lit(tool == "tier")).then(pl.col("tier_tier").fill_null("")).otherwise(pl.lit(""))
        .alias("tier"),
    )  # fmt: skip
