"""Input the Django admin's own views do not check (a filter value PostgreSQL cannot store, an action on a record
id that is not a number, a year past any calendar) is a 400 there, never a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

logger = logging.getLogger(__name__)
ADMIN_PREFIX = "/django-admin/"
BAD_INPUT = (ValueError, OverflowError, DataError)


class AdminBadInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(ADMIN_PREFIX) or not isinstance(exception, BAD_INPUT):
            return None
        logger.warning("Bad input on %s %s: %s", request.method, request.path, type(exception).__name__)
        return HttpResponseBadRequest(
            "<h1>Bad request</h1><p>Something in the address or the form is not a value this page can use (a number "
            "too large, a character the database cannot store, a record id that is not a number). Go back and try "
            "again.</p>"
        )
