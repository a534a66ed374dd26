"""The API, version 1: ``/api/v1``. Token authentication, the same access rules as the pages.

Every error is ``application/problem+json``: 401 without a valid token, 404 for an unknown CRN or one the caller
may not see (never revealing that a restricted case exists) and for any path under ``/api/v1/`` that is not an
endpoint, 405 for a method an endpoint does not accept, 409 for a stale ``version``, 413 for a body over
``OPENPROBATION_MAX_REQUEST_BYTES``, 422 with a field path for each invalid value. ``urls()`` gives the URL
patterns with the 404 and 405 in place. The OpenAPI document declares each operation's problem responses
(``api.openapi``) and is built once per process.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.common import no_append_slash
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer

from openprobation.api import openapi, problems
from openprobation.api.allocation import router as allocation_router
from openprobation.api.audits import router as audits_router
from openprobation.api.calculate import router as calculate_router
from openprobation.api.enforcement import router as enforcement_router
from openprobation.api.escalation import router as escalation_router
from openprobation.api.mi import router as mi_router
from openprobation.api.people import router as people_router
from openprobation.api.quality import router as quality_router
from openprobation.api.recall import router as recall_router
from openprobation.api.reminders import router as reminders_router
from openprobation.api.risk import router as risk_router
from openprobation.api.signal_reviews import router as signal_reviews_router
from openprobation.api.signals import router as signals_router
from openprobation.api.workitems import router as workitems_router
from openprobation.api.workload import router as workload_router
from openprobation.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from openprobation.core.middleware import too_large_response
from openprobation.core.tokens import token_user


class BearerToken(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user


class OpenProbationAPI(NinjaAPI):
    """The API, whose OpenAPI document declares every operation's problem responses and is built once (it does not
    change while the process runs; building it took a tenth of a second on every request)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[str, OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The document for ``path_prefix``, built on first use (callers must not change it)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = self._schemas.get(path_prefix)
        if schema is None:
            built = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            schema = self._schemas[path_prefix] = openapi.declare_problems(built)
        return schema


api = OpenProbationAPI(
    title="OpenProbation API",
    version="1",
    description=(
        "Case records of people on probation. Authenticate with `Authorization: Bearer <token>` "
        "(`openprobation token create USER`). Errors are application/problem+json (RFC 9457); each operation "
        "lists the ones it can give. Any path also answers 405 (with `Allow`) to a method it does not accept."
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
)
api.add_router("/people", people_router)
api.add_router("/calculate", calculate_router)
api.add_router("/calculate", signals_router)
api.add_router("", workitems_router)
api.add_router("", quality_router)
api.add_router("", risk_router)
api.add_router("", reminders_router)
api.add_router("", workload_router)
api.add_router("", allocation_router)
api.add_router("", enforcement_router)
api.add_router("", mi_router)
api.add_router("", recall_router)
api.add_router("", signal_reviews_router)
api.add_router("", escalation_router)
api.add_router("", audits_router)


@api.exception_handler(ValidationFailed)
def _validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    return problems.problem(
        422,
        "Some values are not valid: see errors.",
        errors=[problems.field_entry(e.path, e.message) for e in exc.errors],
    )


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return problems.problem(
        422,
        "Some values are not valid: see errors.",
        errors=[
            problems.field_entry(problems.pydantic_path(e.get("loc", ())), problems.pydantic_message(e))
            for e in exc.errors
        ],
    )


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return problems.problem(404, str(exc))


@api.exception_handler(VersionConflict)
def _conflict(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
    return problems.problem(409, str(exc), current_version=exc.current_version)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problems.problem(403, str(exc))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problems.problem(401, "Send a valid API token: Authorization: Bearer <token>")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # A body whose Content-Length is over the limit is refused before it gets here (core.middleware); this is a
    # body that turned out too large while it was read.
    return too_large_response(request)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problems.problem(exc.status_code, str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problems.log_unexpected(request, exc)


# Unknown paths and methods ------------------------------------------------------------------------


def _problem_for_wrong_method(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """django-ninja answers a method an endpoint lacks with a plain-text 405; make it a problem, keeping Allow."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = problems.problem(
                405,
                f"{request.method} is not allowed here; use one of: {allowed}",
                kind="method-not-allowed",
                title="Method not allowed",
            )
            response["Allow"] = allowed
        return response

    return wrapped


@csrf_exempt
@no_append_slash
def _no_such_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return problems.problem(404, "There is no such endpoint: see /api/v1/docs for the ones there are")


_DOCUMENT_BYTES: dict[str, bytes] = {}


def _openapi_document(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """The OpenAPI document, encoded once per process (it cannot change while the process runs)."""
    prefix = api.get_root_path(kwargs)
    body = _DOCUMENT_BYTES.get(prefix)
    if body is None:
        body = _DOCUMENT_BYTES[prefix] = json.dumps(api.get_openapi_schema(path_params=kwargs),
                                                    cls=DjangoJSONEncoder).encode()
    return HttpResponse(body, content_type="application/json")


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URL patterns for ``include``: every endpoint's wrong methods a 405 problem, and then any other path
    under the API a 404 problem instead of the site's HTML error page; the OpenAPI document served from its
    encoded bytes."""
    patterns, app_name, namespace = api.urls
    wrapped: list[URLPattern | URLResolver] = [
        URLPattern(p.pattern, _problem_for_wrong_method(_openapi_document if p.name == "openapi-json" else p.callback),
                   p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    wrapped.append(re_path(r"", _no_such_endpoint, name="no-such-endpoint"))
    return wrapped, app_name, namespace
