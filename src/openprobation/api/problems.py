"""Errors as ``application/problem+json`` (RFC 9457), each invalid value with its field path.

Field paths are dotted (``requirements.0.length``) and also given as a JSON pointer into the request body
(``#/requirements/0/length``), so a client can put each message beside the value that caused it. A body with
thousands of bad values gets the first 50 and one more entry (field "") counting the rest, as the CLI does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from openprobation.rules.calculators import MAX_REPORTED_ERRORS, more_errors_message

logger = logging.getLogger(__name__)

PROBLEM_BASE = "https://openprobation.example/problems/"
TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Content too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
}


def field_entry(path: Sequence[str | int], message: str) -> dict[str, Any]:
    return {
        "field": ".".join(str(p) for p in path),
        "pointer": "#/" + "/".join(str(p) for p in path),
        "message": message,
    }


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: Iterable[dict[str, Any]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (kind or TITLES.get(status, "error").lower().replace(" ", "-")),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = reported(errors)
    body.update(extra)
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


def reported(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first ``MAX_REPORTED_ERRORS`` entries and, when there are more, one entry saying how many."""
    entries = list(errors)
    if len(entries) <= MAX_REPORTED_ERRORS:
        return entries
    return [*entries[:MAX_REPORTED_ERRORS], field_entry([], more_errors_message(len(entries) - MAX_REPORTED_ERRORS))]


def pydantic_path(loc: Sequence[str | int]) -> list[str | int]:
    """Turn a django-ninja error location into the client's field path.

    ``("body", "payload", "requirements", 0, "length")`` -> ``["requirements", 0, "length"]``;
    ``("query", "page")`` -> ``["page"]``; ``("path", "crn")`` -> ``["crn"]``.
    """
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 1 else []
    elif parts and parts[0] in ("query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return parts


def pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "Unknown field: remove it (see the OpenAPI document for the fields this accepts)"
    if kind == "missing":
        return "This field is required"
    message = str(error.get("msg", "Invalid value"))
    return message[len("Value error, "):] if message.startswith("Value error, ") else message


def log_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected error on %s %s", request.method, request.path, exc_info=exc)
    return problem(500, "Something went wrong on our side. It has been logged; please report it.")
