"""How a risk calculation is stored: the inputs, result and reasons as JSON text, the inputs' digest, and the
headline columns, the same for a case recalculated on its own (``risk.services``) and a caseload (``risk.recompute``).

The digest is taken over the inputs' values (:func:`inputs_digest`), not over any stored text: both paths hand this
module typed values (dates as dates or as ``YYYY-MM-DD``, lists, nested objects) and it encodes them one way. The
encoding is the one digests have always used (SHA-1 of the canonical JSON: sorted keys, no spaces, dates as
``YYYY-MM-DD``), so the digests already stored still match the same inputs, and a case recalculated by its own
record change after a recompute stores nothing new unless its inputs changed.

Every JSON column (inputs, result, reasons) is stored as that canonical JSON text (decision 0013): a text column,
not ``jsonb``, so a bulk write has no JSON to parse on the server, and the stored inputs are the very text the digest
is taken over. A caseload encodes its rows in columns (:func:`stored_frame`: polars' JSON writer over struct
columns whose fields are put in sorted order) and only SHA-1 runs per row; tests check it gives exactly
:func:`canonical_json` of the same values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import polars as pl

from openprobation.rules import case_record as cr


def jsonable(value: Any) -> Any:
    """Typed values as JSON values: dates as ``YYYY-MM-DD``, tuples as lists, nested objects likewise."""
    return cr.jsonable(value)


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a stored input value")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_date)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, dates as ``YYYY-MM-DD`` (the same text for a value and its :func:`jsonable`)."""
    return _CANONICAL.encode(value)


def digest_of_text(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def inputs_digest(inputs: Mapping[str, Any]) -> str:
    """The digest of a tool's inputs, over their values (:func:`canonical_json`)."""
    return digest_of_text(canonical_json(inputs))


def reasons_for(missing: Iterable[str]) -> list[dict[str, str]]:
    """The stored reasons for facts missing from the record (``rules.case_record.MISSING`` codes)."""
    return [{"field": cr.MISSING[code][0], "message": cr.MISSING[code][1]} for code in missing]


def score_of(tool: str, result: Mapping[str, Any] | None) -> Decimal | None:
    """The headline score column: the percent (RSR) or two-year percent, to 2 dp."""
    if result is None or tool == "tier":
        return None
    raw = result.get("percent", result.get("two_year_percent"))
    return None if raw is None else Decimal(str(raw)).quantize(Decimal("0.01"))


def band_of(tool: str, result: Mapping[str, Any] | None) -> str:
    result = result or {}
    return str(result.get("protect_level" if tool == "tier" else "band", "") or "")


def tier_of(result: Mapping[str, Any] | None) -> str:
    return str((result or {}).get("tier", "") or "")


STORED_TEXT = ("inputs", "inputs_digest", "result", "reasons", "score", "band", "tier")


def stored_text(
    tool: str,
    inputs: Mapping[str, Any],
    result: Mapping[str, Any] | None,
    reasons: list[dict[str, str]],
) -> tuple[str, str, str | None, str, str | None, str, str]:
    """One stored calculation's columns as text, for a bulk write (:data:`STORED_TEXT`)."""
    text = canonical_json(inputs)
    score = score_of(tool, result)
    return (
        text,
        digest_of_text(text),
        None if result is None else canonical_json(result),
        canonical_json(reasons),
        None if score is None else str(score),
        band_of(tool, result),
        tier_of(result),
    )


# ---- A caseload's rows, encoded in columns ----


def _sorted(dtype: Any) -> Any:
    """``dtype`` with every struct's fields in sorted order and dates as text (as :func:`canonical_json` has them)."""
    if isinstance(dtype, pl.Struct):
        return pl.Struct([pl.Field(f.name, _sorted(f.dtype)) for f in sorted(dtype.fields, key=lambda f: f.name)])
    if isinstance(dtype, pl.List):
        return pl.List(_sorted(dtype.inner))
    return pl.String if dtype == pl.Date else dtype


def canonical_json_column(column: pl.Expr, dtype: Any) -> pl.Expr:
    """:func:`canonical_json` of a struct column of type ``dtype`` (null stays null)."""
    if not isinstance(dtype, pl.Struct):
        raise TypeError(f"{dtype} is not a struct")
    fields = _sorted(dtype).fields
    return pl.struct([column.struct.field(f.name).cast(f.dtype).alias(f.name) for f in fields]).struct.json_encode()


def _score_column(tool: str, result: pl.Expr, dtype: Any) -> pl.Expr:
    """:func:`score_of` as text: the percent (RSR) or two-year percent, to 2 dp."""
    names = {f.name for f in dtype.fields}
    if tool == "tier" or not names & {"percent", "two_year_percent"}:
        return pl.lit(None, dtype=pl.String)
    value = result.struct.field("percent" if "percent" in names else "two_year_percent")
    hundredths = (value.cast(pl.Float64) * 100).round(0).cast(pl.Int64)
    whole, part = (hundredths // 100).cast(pl.String), (hundredths % 100).cast(pl.String).str.zfill(2)
    return pl.concat_str([whole, pl.lit("."), part])


def digests_of(texts: pl.Series) -> pl.Series:
    """The SHA-1 digest of each text (the one step of a caseload's encoding run per row)."""
    return pl.Series("inputs_digest", [digest_of_text(t) for t in texts.to_list()], dtype=pl.String)


def inputs_digests(typed: pl.DataFrame) -> pl.Series:
    """:func:`inputs_digest` of each row's ``inputs`` (a struct column)."""
    return digests_of(typed.select(canonical_json_column(pl.col("inputs"), typed.schema["inputs"])).to_series())


def stored_frame(tool: str, typed: pl.DataFrame) -> pl.DataFrame:
    """The stored columns (:data:`STORED_TEXT`) of a caseload's calculations of ``tool``, from typed columns:
    ``inputs`` (a struct), ``result`` (a struct, null when not calculated) and ``missing`` (the missing-fact codes,
    ``rules.case_record.MISSING``). The same text :func:`stored_text` gives each row."""
    inputs_type, result_type = typed.schema["inputs"], typed.schema["result"]
    result = pl.col("result")
    band_field = "protect_level" if tool == "tier" else "band"
    names = {f.name for f in result_type.fields}  # type: ignore[attr-defined]
    joined = typed["missing"].list.join(",")
    reasons = {codes: canonical_json(reasons_for(c for c in codes.split(",") if c)) for codes in joined.unique()}
    frame = typed.select(
        inputs=canonical_json_column(pl.col("inputs"), inputs_type),
        result=pl.when(result.is_not_null()).then(canonical_json_column(result, result_type)),
        reasons=joined.replace_strict(reasons, return_dtype=pl.String) if len(joined) else pl.lit("[]"),
        score=pl.when(result.is_not_null()).then(_score_column(tool, result, result_type)),
        band=(result.struct.field(band_field).cast(pl.String) if band_field in names else pl.lit(None)).fill_null(""),
        tier=(result.struct.field("tier").cast(pl.String) if "tier" in names else pl.lit(None)).fill_null(""),
    )
    return frame.with_columns(digests_of(frame["inputs"])).select(STORED_TEXT)
