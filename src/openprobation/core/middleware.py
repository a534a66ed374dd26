"""Headers and limits on every response.

- ``SecurityHeadersMiddleware``: a ``Permissions-Policy`` denying every powerful browser feature on every response,
  and ``Cache-Control: no-store`` on every response that is not a static file, so no page, search result or API
  answer about a case is kept by the browser or a proxy.
- ``ContentSecurityPolicyMiddleware``: a strict Content Security Policy. Pages load only their own scripts, styles,
  fonts and images: no inline script, no CDN. The API docs page (Swagger UI) needs inline styles, so it alone is
  allowed them.
- ``RequestSizeLimitMiddleware``: a body over ``settings.MAX_REQUEST_BYTES`` gets 413 (problem+json under the API,
  an error page elsewhere) before anything reads it; one that turns out too large while a view reads it (Django's
  ``RequestDataTooBig``) gets the same answer instead of an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = STRICT_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

# Every feature a case management service never needs, denied to the page and anything it might embed. Only
# features browsers recognise: an unknown name is reported as an error in the browser's console (Chromium 150 does
# not know "bluetooth").
DENIED_FEATURES = (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)

API_PREFIX = "/api/"
PROBLEM_TYPE_TOO_LARGE = "https://openprobation.example/problems/content-too-large"  # as api.problems names them

Middleware = Callable[[HttpRequest], HttpResponse]


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; ``Cache-Control: no-store`` on all but static files. Sits before
    WhiteNoise so that static files get the first too."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith(settings.STATIC_URL or "/static/"):
            # Replaces any weaker choice a view made: nothing dynamic is stored.
            response["Cache-Control"] = "no-store"
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", DOCS_POLICY)
        else:
            response.setdefault("Content-Security-Policy", STRICT_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """413 for a body over ``settings.MAX_REQUEST_BYTES``: at once when its Content-Length says so (nothing is read,
    no session or account is looked up), and when a view finds it too large while reading it."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads no body when the length is not a number
        if declared > settings.MAX_REQUEST_BYTES:
            return too_large_response(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request)
        return None


def too_large_response(request: HttpRequest) -> HttpResponse:
    """The 413 answer: problem+json under the API, the error page elsewhere. Nothing has been saved."""
    limit = filesizeformat(settings.MAX_REQUEST_BYTES).replace("\xa0", " ")
    if request.path.startswith(API_PREFIX):
        body = {
            "type": PROBLEM_TYPE_TOO_LARGE,
            "title": "Content too large",
            "status": 413,
            "detail": f"The body is larger than the {limit} this service accepts; nothing was saved. Send less, "
            "for example one record at a time.",
        }
        return HttpResponse(json.dumps(body), status=413, content_type="application/problem+json")
    return render(request, "413.html", {"limit": limit}, status=413)
