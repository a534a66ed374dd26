"""``POST /api/v1/calculate/signals``: the stateless warning-sign scan (a note in, its signals out).

The body is read and checked by the same function the command line uses (``rules.signal_requests``), so both
give identical results for the same input. Nothing is stored.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from openprobation.api.calculate import stateless_response
from openprobation.rules.signal_requests import INPUT_SCHEMA, MAX_TEXT_CHARACTERS, OUTPUT_SCHEMA, signals_request

router = Router(tags=["calculators"])


def calculate_signals(request: HttpRequest) -> HttpResponse:
    return stateless_response(request, signals_request)


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
