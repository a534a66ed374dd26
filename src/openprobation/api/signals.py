"""``POST /api/v1/calculate/signals``: the stateless warning-sign scan (a note in, its signals out).

The body is read and checked by the same function the command line uses (``rules.signal_requests``), so both
give identical results for the same input. Nothing is stored.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from openprobation.api import problems
from openprobation.rules.calculators import NotJsonError, load_payload
from openprobation.rules.predictors.base import CalculationInputError
from openprobation.rules.signal_requests import INPUT_SCHEMA, MAX_TEXT_CHARACTERS, OUTPUT_SCHEMA, signals_request

router = Router(tags=["calculators"])


def calculate_signals(request: HttpRequest) -> HttpResponse:
    try:
        payload = load_payload(request.body or b"null")
    except NotJsonError as exc:
        return problems.problem(400, str(exc), errors=[problems.field_entry([], str(exc))])
    try:
        result = signals_request(payload)
    except CalculationInputError as exc:
        return problems.problem(
            422,
            "Some inputs are not valid: see errors.",
            errors=[problems.field_entry(e.field.split(".") if e.field else [], e.message) for e in exc.errors],
        )
    return JsonResponse(result)


router.add_api_operation(
    "/signals",
    ["POST"],
    calculate_signals,
    summary="Warning signs in a contact note or third-party report",
    description="Find the warning signs in a note: each signal with its severity, the words that raised it, the "
    "sentence and the policy rule (docs/signals.md). Stateless: nothing is stored. `text` is at most "
    f"{MAX_TEXT_CHARACTERS:,} characters; 422 problem+json lists each invalid input with its field path.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": INPUT_SCHEMA}}},
        "responses": {
            200: {"description": "The signals found", "content": {"application/json": {"schema": OUTPUT_SCHEMA}}}
        },
    },
)
