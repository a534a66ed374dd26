"""The risk-tool calculators by name, with a dict-in, dict-out contract for the CLI and the API.

``calculate(tool, payload)`` parses a plain JSON-like dict into the tool's frozen input (checking types,
required and unknown fields, enum values and dates, each problem named by its field path), runs the calculator
and returns a JSON-ready dict: ``tool``, ``policy_version``, the scores, ``band``, ``explanation`` (one entry per
term or point: name, value, coefficient, contribution, detail) and ``notes``. Any problem with the input raises
:class:`CalculationInputError` listing every problem found; nothing is defaulted silently. ``reported_errors``
gives what the CLI and the API show of them: the first 50 and, if there are more, one entry counting the rest.

Tools: ogrs3, snsv, osp-dc, osp-iic, rsr, ovp, ogp, tier (``"version": 3`` selects tier V3, default V2).
See docs/risk-tools.md for each tool's fields. Also workload: a practitioner's workload points and capacity
(docs/workload.md); rating: an inspection rating of a standard or a provider (docs/quality.md); recall-type: the
licence recall types the rules allow (docs/recall.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from openprobation.rules.predictors.base import CalculationInputError, InputError
from openprobation.rules.predictors.ogp import OgpInput, ogp_calculate
from openprobation.rules.predictors.ogrs3 import Ogrs3Input, ogrs3_calculate
from openprobation.rules.predictors.osp import OspDcInput, OspIicInput, osp_dc_calculate, osp_iic_calculate
from openprobation.rules.predictors.ovp import OvpInput, ovp_calculate
from openprobation.rules.predictors.rsr import RsrInput, rsr_calculate
from openprobation.rules.predictors.snsv import SnsvInput, snsv_calculate
from openprobation.rules.ratings import RatingInput, rating_calculate
from openprobation.rules.recall import RecallTypeInput, recall_type_calculate
from openprobation.rules.tiering import TierV2Input, TierV3Input, tier_v2_calculate, tier_v3_calculate
from openprobation.rules.workload.calculator import WorkloadInput, workload_calculate

__all__ = [
    "MAX_REPORTED_ERRORS",
    "TOOLS",
    "CalculationInputError",
    "InputError",
    "NotJsonError",
    "Tool",
    "calculate",
    "load_payload",
    "more_errors_message",
    "parse_input",
    "reported_errors",
]

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Tool:
    name: str
    summary: str
    parse: Callable[[Mapping[str, Any]], Any]
    calculate: Callable[[Any], Any]


MAX_REPORTED_ERRORS = 50  # 100,000 unknown fields are answered with 50 errors and a count, not megabytes


def more_errors_message(unreported: int) -> str:
    return (
        f"{unreported:,} more problem{'s' if unreported != 1 else ''} not listed: correct the ones above "
        "and check the rest of the input"
    )


def reported_errors(errors: Sequence[InputError]) -> list[dict[str, str]]:
    """The errors to show: the first ``MAX_REPORTED_ERRORS``, then one entry (field "") counting the rest."""
    shown = [{"field": e.field, "message": e.message} for e in errors[:MAX_REPORTED_ERRORS]]
    if len(errors) > MAX_REPORTED_ERRORS:
        shown.append({"field": "", "message": more_errors_message(len(errors) - MAX_REPORTED_ERRORS)})
    return shown


class NotJsonError(ValueError):
    """The body is not JSON the calculators can read (not UTF-8, malformed, a number too long to convert)."""


def load_payload(data: bytes | str) -> Any:
    """Read a calculator's JSON input exactly as the CLI and the API both do, or raise :class:`NotJsonError`.

    The input must be UTF-8. Anything ``json.loads`` refuses is reported, not raised: malformed JSON, an integer
    longer than Python's integer-string conversion limit (4,300 digits, a ``ValueError`` that is not a
    ``JSONDecodeError``) and nesting too deep to parse (``RecursionError``).
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotJsonError(
                f"Not valid JSON: the input is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8"
            ) from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise NotJsonError(f"Not valid JSON: {exc}") from None
    except RecursionError:
        raise NotJsonError("Not valid JSON: nested too deeply to read") from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise NotJsonError(f"Not valid JSON: a value cannot be read ({exc})") from None


def parse_input(cls: type[Any], payload: Any, path: str = "") -> Any:
    """Build the frozen dataclass ``cls`` from a JSON-like dict, or raise with every field-named problem."""
    errors: list[InputError] = []
    value = _parse_dataclass(cls, payload, path, errors)
    if errors:
        raise CalculationInputError(errors)
    return value


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _type_hints(cls: type[Any]) -> dict[str, Any]:
    """The resolved field types of an input dataclass (resolving them is slow; they never change)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _join(path: str, name: str | int) -> str:
    return f"{path}.{name}" if path else str(name)


def _parse_dataclass(cls: type[Any], payload: Any, path: str, errors: list[InputError]) -> Any:
    if not isinstance(payload, Mapping):
        errors.append(InputError(path or "body", "Expected an object of named fields"))
        return None
    hints = _type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    for key in payload:
        if key not in known:
            errors.append(InputError(_join(path, str(key)), "Unknown field: check the spelling"))
    values: dict[str, Any] = {}
    before = len(errors)
    for name, f in known.items():
        field_path = _join(path, name)
        if name not in payload:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                errors.append(InputError(field_path, "Required: enter a value"))
            continue
        values[name] = _parse_value(hints[name], payload[name], field_path, errors)
    if len(errors) > before:
        return None
    return cls(**values)


def _parse_value(hint: Any, value: Any, path: str, errors: list[InputError]) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _parse_value(inner, value, path, errors)
    if value is None:
        errors.append(InputError(path, "Required: enter a value, not null"))
        return None
    if origin is typing.Literal:
        if value not in args:
            errors.append(InputError(path, "Choose one of: " + ", ".join(str(a) for a in args)))
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            errors.append(InputError(path, "Expected a list"))
            return None
        return tuple(_parse_value(args[0], item, _join(path, i), errors) for i, item in enumerate(value))
    if origin is dict:
        if not isinstance(value, Mapping):
            errors.append(InputError(path, "Expected an object of named fields"))
            return None
        return {str(k): _parse_value(args[1], v, _join(path, str(k)), errors) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        return _parse_dataclass(typing.cast(type[Any], hint), value, path, errors)
    if hint is bool:
        if not isinstance(value, bool):
            errors.append(InputError(path, "Expected true or false"))
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(InputError(path, "Expected a whole number"))
        return value
    if hint is str:
        if not isinstance(value, str) or not value.strip():
            errors.append(InputError(path, "Expected text"))
        return value
    if hint is Decimal:
        return _parse_decimal(value, path, errors)
    if hint is dt.date:
        return _parse_date(value, path, errors)
    raise TypeError(f"no parser for {hint!r} at {path}")  # a programming error, not bad input


def _parse_decimal(value: Any, path: str, errors: list[InputError]) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors.append(InputError(path, "Expected a number"))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(InputError(path, "Expected a number, like 6.9"))
        return None
    if not number.is_finite():
        errors.append(InputError(path, "Expected a finite number"))
        return None
    return number


def _parse_date(value: Any, path: str, errors: list[InputError]) -> dt.date | None:
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        errors.append(InputError(path, "Expected a date as YYYY-MM-DD"))
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(InputError(path, f"{value} is not a real date"))
        return None


def _tier_parse(payload: Mapping[str, Any]) -> TierV2Input | TierV3Input:
    if not isinstance(payload, Mapping):
        raise CalculationInputError([InputError("body", "Expected an object of named fields")])
    version = payload.get("version", 2)
    rest = {k: v for k, v in payload.items() if k != "version"}
    if version == 3 and not isinstance(version, bool):
        return typing.cast(TierV3Input, parse_input(TierV3Input, rest))
    if version == 2 and not isinstance(version, bool):
        return typing.cast(TierV2Input, parse_input(TierV2Input, rest))
    raise CalculationInputError([InputError("version", "Choose tier version 2 or 3")])


def _tier_calculate(data: TierV2Input | TierV3Input) -> Any:
    return tier_v3_calculate(data) if isinstance(data, TierV3Input) else tier_v2_calculate(data)


def _simple(cls: type[Any]) -> Callable[[Mapping[str, Any]], Any]:
    return lambda payload: parse_input(cls, payload)


TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        Tool("ogrs3", "OGRS3 proven reoffending, one and two years", _simple(Ogrs3Input), ogrs3_calculate),
        Tool("snsv", "Serious non-sexual violence (static or dynamic)", _simple(SnsvInput), snsv_calculate),
        Tool("osp-dc", "Sexual reoffending, direct contact", _simple(OspDcInput), osp_dc_calculate),
        Tool("osp-iic", "Sexual reoffending, images and indirect contact", _simple(OspIicInput), osp_iic_calculate),
        Tool("rsr", "Risk of serious recidivism = SNSV + OSP/DC + OSP/IIC", _simple(RsrInput), rsr_calculate),
        Tool("ovp", "OASys violence predictor", _simple(OvpInput), ovp_calculate),
        Tool("ogp", "OASys general reoffending predictor", _simple(OgpInput), ogp_calculate),
        Tool("tier", 'HMPPS tier: V2 (default) or V3 with "version": 3', _tier_parse, _tier_calculate),
        Tool("workload", "Workload points, available points and capacity of a practitioner", _simple(WorkloadInput),
             workload_calculate),
        Tool("rating", "HMIP rating of a standard (key-question counts) or a provider (its standards' ratings)",
             _simple(RatingInput), rating_calculate),
        Tool("recall-type", "Licence recall: the recall types the rules allow and the fixed term's length",
             _simple(RecallTypeInput), recall_type_calculate),
    )
}


def calculate(tool: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Run a tool on a JSON-like payload; return a JSON-ready result or raise :class:`CalculationInputError`."""
    entry = TOOLS.get(tool)
    if entry is None:
        raise CalculationInputError([InputError("tool", f"Unknown tool {tool!r}; choose one of: {', '.join(TOOLS)}")])
    return to_json(entry.calculate(entry.parse(payload)))


class ResultFields(Mapping[str, Any]):
    """A calculator's result read field by field as :func:`to_json` gives it, converting only the fields read (a
    caller that needs the headline figures does not pay for turning the explanation into JSON)."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        value = getattr(self._value, name)
        nested = dataclasses.is_dataclass(value) and not isinstance(value, type)
        return ResultFields(value) if nested else to_json(value)

    def _names(self) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(self._value))

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def calculate_fields(tool: str, payload: Mapping[str, Any]) -> ResultFields:
    """:func:`calculate`, its result read lazily: ``to_json(...)`` of any field read is what :func:`calculate`
    gives for it."""
    entry = TOOLS.get(tool)
    if entry is None:
        raise CalculationInputError([InputError("tool", f"Unknown tool {tool!r}; choose one of: {', '.join(TOOLS)}")])
    return ResultFields(entry.calculate(entry.parse(payload)))


def to_json(value: Any) -> Any:
    """A result as plain JSON types: Decimals become numbers, dates ISO strings, dataclasses objects."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    return value
