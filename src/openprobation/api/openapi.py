"""The OpenAPI document's error responses, declared in one place from each operation's shape.

The routes declare only their successes; ``declare_problems`` adds the ``application/problem+json`` responses an
operation can give, by rule:

- 401 on every operation that needs a token;
- 422 where it takes path or query parameters or a body (each invalid value named by its field path);
- 404 where the path names a case or a record (``{crn}``, an id);
- 400 (not JSON) where it takes a body, and 413 (larger than ``OPENPROBATION_MAX_REQUEST_BYTES``) on every
  operation, since any request may carry a body and it is refused before the operation is chosen;
- 403 on writes, which a role may be refused;
- 409 where the body sends the ``version`` the client read;
- and the few a rule cannot see (``EXTRA_STATUSES``): a read only some roles may make, a query naming a record.

The stateless calculators (``/calculate/``) name no record and change nothing: 401, 400, 413 and 422 only.
405 (a method the path does not accept) can happen on any path and is described once in the API's description.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

PROBLEM_MEDIA_TYPE = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error (RFC 9457). Other members may appear, such as `current_version` on a 409.",
    "type": "object",
    "properties": {
        "type": {"title": "Type", "type": "string", "description": "A URI naming the kind of problem"},
        "title": {"title": "Title", "type": "string", "description": "A short summary of the kind of problem"},
        "status": {"title": "Status", "type": "integer", "description": "The HTTP status code"},
        "detail": {"title": "Detail", "type": "string", "description": "What went wrong, and what to do"},
        "errors": {
            "title": "Errors",
            "type": "array",
            "description": "Each invalid value, with its field path (422, and 400 for a body that is not JSON)",
            "items": {"$ref": "#/components/schemas/ProblemFieldError"},
        },
        "current_version": {
            "title": "Current version",
            "type": "integer",
            "description": "On a 409: the record's version now; read it again before you change it",
        },
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "type": "object",
    "properties": {
        "field": {"title": "Field", "type": "string", "description": "Dotted path, e.g. requirements.0.length"},
        "pointer": {"title": "Pointer", "type": "string", "description": "JSON pointer, e.g. #/requirements/0/length"},
        "message": {"title": "Message", "type": "string", "description": "What is wrong and how to put it right"},
    },
    "required": ["field", "pointer", "message"],
}

DESCRIPTIONS = {
    400: "The body is not JSON that can be read",
    401: "No valid API token: send `Authorization: Bearer <token>`",
    403: "Your role may not do this",
    404: "No such case or record, or one you may not see (the two are never told apart)",
    409: "The record changed since you read it: the `version` sent is stale (see `current_version`)",
    413: "The body is larger than the service accepts",
    422: "Some values are not valid: `errors` lists each with its field path",
}

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
STATELESS = re.compile(r"/calculate/")
# (method, end of the path): statuses the rules above cannot see from the operation's shape.
EXTRA_STATUSES: dict[tuple[str, str], frozenset[int]] = {
    ("get", "/quality/risk-disagreements"): frozenset({403}),  # report readers only
    ("get", "/work-items/overdue-counts"): frozenset({404}),  # ?pdu= names a PDU that may not exist
    ("get", "/workload"): frozenset({403}),  # team viewers only
    ("get", "/reductions"): frozenset({403}),  # team viewers only
    ("get", "/figures"): frozenset({403}),  # management-information readers only
    ("get", "/figures/{key}"): frozenset({403}),
    # Quality and inspection: readers of audits, ratings and the SFO register only (organisation.roles)
    ("get", "/audit-rounds"): frozenset({403}),
    ("get", "/audit-rounds/{round_id}"): frozenset({403}),
    ("get", "/audit-rounds/{round_id}/cases"): frozenset({403}),
    ("get", "/audit-rounds/{round_id}/cases/{crn}"): frozenset({403}),
    ("get", "/league-table"): frozenset({403}),
    ("get", "/rating-trends"): frozenset({403}),
    ("get", "/serious-further-offences"): frozenset({403}),
    ("get", "/serious-further-offences/statistics"): frozenset({403}),
    ("get", "/serious-further-offences/{sfo_id}"): frozenset({403}),
    ("get", "/unallocated-cases"): frozenset({403}),  # team viewers only
    ("get", "/needs-reallocation"): frozenset({403}),  # team viewers only
    ("get", "/practitioners"): frozenset({403}),  # team viewers only
    ("get", "/workforce"): frozenset({403}),  # team viewers only
}


def problem_response(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def problem_statuses(method: str, path: str, operation: dict[str, Any], components: dict[str, Any]) -> set[int]:
    """The problem statuses one operation can answer with (see the module's docstring for the rules)."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses: set[int] = {413}
    if operation.get("security"):
        statuses.add(401)
    if parameters or has_body:
        statuses.add(422)
    if has_body:
        statuses.add(400)
    if STATELESS.search(path):
        return statuses
    if "{" in path:
        statuses.add(404)
    if method in WRITE_METHODS:
        statuses.add(403)
    if has_body and "version" in _body_properties(operation, components):
        statuses.add(409)
    for (extra_method, ending), extra in EXTRA_STATUSES.items():
        if method == extra_method and path.endswith(ending):
            statuses |= extra
    return statuses


def _body_properties(operation: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    schema = operation["requestBody"].get("content", {}).get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    properties: dict[str, Any] = schema.get("properties", {})
    return properties


Document = TypeVar("Document", bound=dict[str, Any])


def declare_problems(schema: Document) -> Document:
    """Add the ``Problem`` schema and every operation's problem responses to a generated OpenAPI document (in place;
    the routes' own responses are kept)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Problem", PROBLEM_SCHEMA)
    components.setdefault("ProblemFieldError", PROBLEM_FIELD_ERROR_SCHEMA)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "head", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(problem_statuses(method, path, operation, components)):
                # django-ninja keys responses by int (200, 201); a route's own declaration of a status wins
                if status not in responses and str(status) not in responses:
                    responses[status] = problem_response(status)
    return schema
