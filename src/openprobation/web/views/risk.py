"""The forms for a case's risk-tool inputs: edit the criminal history, record an OASys assessment, and record an
RSR, tier or allocation from another system. Each saves through the risk services (which recalculate the case's
scores) and goes back to the case page's risk scores; on any error nothing is saved."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openprobation.core.errors import ValidationFailed, VersionConflict
from openprobation.people import selectors as people_selectors
from openprobation.people.access import require_write
from openprobation.risk import selectors as risk_selectors
from openprobation.risk import services as risk_services
from openprobation.web import risk_forms
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.forms import ErrorItem
from openprobation.web.risk_forms import Group
from openprobation.web.work_forms import ParsedForm

TEMPLATE = "web/risk_form.html"


def _person(request: HttpRequest, crn: str) -> Any:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    require_write(request.user)
    return person


def _done_url(person: Any) -> str:
    return case_url(person.crn, "risk-scores")


def _page(
    request: HttpRequest,
    *,
    person: Any,
    groups: Sequence[Group],
    save: Callable[[ParsedForm], str],
    initial: dict[str, str] | None = None,
    context: dict[str, Any],
) -> HttpResponse:
    """GET shows the form; POST parses it and calls ``save`` (a service call returning the success message). On any
    error the form comes back with the GOV.UK error summary, the values kept, and nothing saved."""
    form = risk_forms.blank(groups, initial)
    status = 200
    if request.method == "POST":
        form = risk_forms.parse(groups, request.POST)
        if not form.errors:
            try:
                message = save(form)
            except ValidationFailed as exc:
                risk_forms.add_service_errors(form, exc.errors)
            except VersionConflict:
                form.errors["general-stale"] = ErrorItem("", "", risk_forms.STALE_MESSAGE)
                status = 409
            else:
                messages.success(request, message)
                return redirect(_done_url(person))
    return render(
        request,
        TEMPLATE,
        {"person": person, "form": form, "groups": groups, "cancel_url": _done_url(person), **context},
        status=status,
    )


@staff_page
def criminal_history(request: HttpRequest, crn: str) -> HttpResponse:
    person = _person(request, crn)
    record = risk_selectors.criminal_history_get(person=person)
    version = request.POST.get("version", "") if request.method == "POST" else str(record.version if record else "")

    def save(form: ParsedForm) -> str:
        if version and not version.isdigit():
            raise VersionConflict(record.version if record else 0)
        risk_services.criminal_history_set(
            actor=request.user, person=person, values=dict(form.values), version=int(version) if version else None
        )
        return "Criminal history saved and risk scores recalculated"

    return _page(
        request,
        person=person,
        groups=risk_forms.HISTORY_GROUPS,
        save=save,
        initial=risk_forms.history_initial(record),
        context={
            "heading": "Criminal history",
            "intro": "The counts and dates the risk predictors read. Leave a count blank if it is not known.",
            "submit": "Save criminal history",
            "version": version,
        },
    )


@staff_page
def recorded_score_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = _person(request, crn)

    def save(form: ParsedForm) -> str:
        v = form.values
        try:
            score = risk_services.recorded_score_set(
                actor=request.user,
                person=person,
                kind=v["kind"],
                value=risk_forms.recorded_value(v),
                source=v["source"],
                effective_date=v["effective_date"],
                notes=v["notes"],
            )
        except ValidationFailed as exc:  # the service's "value" is the box asked for that kind
            raise ValidationFailed(risk_forms.value_errors_to_box(v, exc.errors)) from exc
        return f"{risk_forms.RECORDED_KIND_LABELS.get(score.kind, score.kind)} recorded: {score.value}"

    return _page(
        request,
        person=person,
        groups=[risk_forms.Group("", risk_forms.RECORDED_FIELDS)],
        save=save,
        initial={"kind": request.GET.get("kind", "")},
        context={
            "heading": "Record a score from another system",
            "intro": "An RSR, tier or allocation worked out elsewhere. It is kept beside the calculated score, "
            "which it does not change.",
            "submit": "Save score",
        },
    )


@staff_page
def oasys_assessment_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = _person(request, crn)

    def save(form: ParsedForm) -> str:
        v = form.values
        risk_services.oasys_assessment_record(
            actor=request.user,
            person=person,
            completed_date=v["completed_date"],
            layer=v["layer"],
            status=v["status"],
            kind=v["kind"],
            answers=risk_forms.nested(v, "answers"),
            section_scores=risk_forms.nested(v, "section_scores"),
        )
        return "Assessment recorded and risk scores recalculated"

    return _page(
        request,
        person=person,
        groups=risk_forms.ASSESSMENT_GROUPS,
        save=save,
        initial=risk_forms.ASSESSMENT_INITIAL,
        context={
            "heading": "Record an OASys assessment",
            "intro": "The assessment's date, layer and status, and the answers the risk tools read. Leave an answer "
            "as 'Not answered' if the assessment does not have it.",
            "submit": "Save assessment",
        },
    )
