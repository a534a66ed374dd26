"""Turning the domain's errors into pages: never a 500 for something the user or the record caused.

``NotFound`` becomes the 404 page (whether the case does not exist or is hidden, we never say which),
``PermissionDenied`` the 403 page, and an unexpected ``ValidationFailed`` a 400 page listing what to fix.

A refusal is an everyday answer, not a fault: the 403 page is rendered here rather than raised, so it is logged as
one line (Django's "Forbidden: <path>") without a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from openprobation.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict

View = Callable[..., HttpResponse]


def staff_page(view: View) -> View:
    """A page for signed-in staff, with domain errors shown as the matching error page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied:
            return render(request, "403.html", status=403)
        except ValidationFailed as exc:
            return render(request, "web/problem.html", {"problems": [e.message for e in exc.errors]}, status=400)
        except VersionConflict as exc:
            return render(request, "web/problem.html", {"problems": [str(exc)]}, status=409)

    return login_required(wrapped)
