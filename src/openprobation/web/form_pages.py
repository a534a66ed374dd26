"""The small form pages that change the record: GET shows the form; POST parses it (``web.work_forms``) and calls
a service; on any error the form comes back with the GOV.UK error summary and nothing has been saved."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openprobation.core.errors import ValidationFailed, VersionConflict
from openprobation.people.access import require_write
from openprobation.web import work_forms
from openprobation.web.forms import STALE_MESSAGE, ErrorItem
from openprobation.web.work_forms import FormField


def form_page(
    request: HttpRequest,
    *,
    fields: Sequence[FormField],
    save: Callable[[dict[str, Any]], str],
    done_url: str,
    context: dict[str, Any],
    initial: dict[str, str] | None = None,
    template: str = "web/work_form.html",
    hidden: dict[str, str] | None = None,
    success_url: Callable[[], str] | None = None,
    writers_only: bool = True,
) -> HttpResponse:
    """GET shows the form; POST parses it and calls ``save`` (a service call returning the success message). On
    any error the form comes back with the GOV.UK error summary, and nothing has been saved. ``hidden`` values
    (a record's version) go back with the form; a record changed by someone else since (409) is reported. After
    saving, the user goes to ``success_url()`` when given (the next step of a form in steps), else ``done_url``;
    an empty message shows no banner. ``writers_only=False`` leaves the role check to ``save``'s service (a quality
    assurance form: its staff may not write to cases)."""
    if writers_only:
        require_write(request.user)
    form = work_forms.blank(fields, initial)
    if request.method == "POST":
        form = work_forms.parse(fields, request.POST)
        if not form.errors:
            try:
                message = save(form.values)
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            except VersionConflict:
                form.errors["general-stale"] = ErrorItem("", "", STALE_MESSAGE)
            else:
                if message:
                    messages.success(request, message)
                return redirect(success_url() if success_url is not None else done_url)
    # Like the other forms, a form with errors is shown again with 200: the error summary says what to fix.
    return render(
        request, template, {**context, "form": form, "cancel_url": done_url, "hidden": sorted((hidden or {}).items())}
    )




def posted_version(request: HttpRequest) -> int:
    """The version a form was opened at (0 when missing or mangled: the service then reports someone else's
    change, and nothing is saved)."""
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() and len(version) < 10 else 0
