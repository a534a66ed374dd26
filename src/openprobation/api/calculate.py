"""``POST /api/v1/calculate/{tool}``: the stateless risk-tool calculators (inputs in, result and explanation out).

The body is parsed by the same function the command line uses (``rules.calculators.calculate``), so both give
identical results for the same input. Each tool's input schema in the OpenAPI document is generated from the
calculator's frozen input dataclass.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from pydantic import TypeAdapter

from openprobation.api import problems
from openprobation.rules.calculators import TOOLS, CalculationInputError, NotJsonError, calculate, load_payload
from openprobation.rules.predictors.ogp import OgpInput
from openprobation.rules.predictors.ogrs3 import Ogrs3Input
from openprobation.rules.predictors.osp import OspDcInput, OspIicInput
from openprobation.rules.predictors.ovp import OvpInput
from openprobation.rules.predictors.rsr import RsrInput
from openprobation.rules.predictors.snsv import SnsvInput
from openprobation.rules.ratings import RatingInput
from openprobation.rules.recall import RecallTypeInput
from openprobation.rules.tiering import TierV2Input, TierV3Input
from openprobation.rules.workload.calculator import WorkloadInput

router = Router(tags=["calculators"])


def _inline_refs(schema: Any, defs: dict[str, Any]) -> Any:
    """Replace ``$ref``s to ``$defs`` with the definitions themselves, so the schema stands alone in OpenAPI."""
    if isinstance(schema, dict):
        if "$ref" in schema and schema["$ref"].startswith("#/$defs/"):
            return _inline_refs(defs[schema["$ref"].split("/")[-1]], defs)
        return {k: _inline_refs(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline_refs(v, defs) for v in schema]
    return schema


@cache
def input_schema(tool: str) -> dict[str, Any]:
    """The JSON schema of a tool's input, for the OpenAPI document."""
    if tool == "tier":
        v2, v3 = (_dataclass_schema(t) for t in (TierV2Input, TierV3Input))
        v3["properties"] = {"version": {"const": 3}, **v3.get("properties", {})}
        v3["required"] = ["version", *v3.get("required", [])]
        v2["properties"] = {"version": {"const": 2, "default": 2}, **v2.get("properties", {})}
        return {"oneOf": [v2, v3]}
    return _dataclass_schema(_input_type_of(tool))


def _input_type_of(tool: str) -> type[Any]:
    return {
        "ogrs3": Ogrs3Input,
        "snsv": SnsvInput,
        "osp-dc": OspDcInput,
        "osp-iic": OspIicInput,
        "rsr": RsrInput,
        "ovp": OvpInput,
        "ogp": OgpInput,
        "workload": WorkloadInput,
        "rating": RatingInput,
        "recall-type": RecallTypeInput,
    }[tool]


def _dataclass_schema(cls: type[Any]) -> dict[str, Any]:
    schema = TypeAdapter(cls).json_schema()
    inlined: dict[str, Any] = _inline_refs(schema, schema.get("$defs", {}))
    inlined["additionalProperties"] = False
    return inlined


def stateless_response(request: HttpRequest, run: Callable[[Any], dict[str, Any]]) -> HttpResponse:
    """A stateless calculation's answer to a JSON body: the result, 400 for a body that is not JSON, 422 with the
    field errors for input ``run`` refuses (the calculators and the warning-sign scan)."""
    try:
        payload = load_payload(request.body or b"null")
    except NotJsonError as exc:
        return problems.problem(400, str(exc), errors=[problems.field_entry([], str(exc))])
    try:
        result = run(payload)
    except CalculationInputError as exc:
        return problems.problem(
            422,
            "Some inputs are not valid: see errors.",
            errors=[problems.field_entry(e.field.split(".") if e.field else [], e.message) for e in exc.errors],
        )
    return JsonResponse(result)


def _calculate_view(tool: str) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        return stateless_response(request, lambda payload: calculate(tool, payload))

    view.__name__ = f"calculate_{tool.replace('-', '_')}"
    return view


for _tool in TOOLS:
    router.add_api_operation(
        f"/{_tool}",
        ["POST"],
        _calculate_view(_tool),
        summary=TOOLS[_tool].summary,
        description=f"Calculate {_tool} from its inputs. Stateless: nothing is stored. "
        "422 problem+json lists each invalid input with its field path.",
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": input_schema(_tool)}}},
        },
    )
