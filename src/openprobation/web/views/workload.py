"""A practitioner's workload and their reductions in hours: for those who may view the team; reductions added and
ended by the team's SPO or an administrator (``workload.services``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openprobation.core import clock
from openprobation.organisation import selectors as organisation_selectors
from openprobation.organisation import services as organisation_services
from openprobation.organisation.choices import Grade, TrainingStage
from openprobation.people.access import TEAM_VIEWERS, require_role, staff_for
from openprobation.rules.workload.policy import workload_policy
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page
from openprobation.web.work_forms import FormField
from openprobation.workload import selectors as workload_selectors
from openprobation.workload import services as workload_services


def _team_member(request: HttpRequest, code: str, staff_code: str) -> tuple[Any, Any]:
    require_role(request.user, *TEAM_VIEWERS)
    team = organisation_selectors.team_get_for_actor(actor=request.user, code=code)
    return team, organisation_selectors.staff_in_visible_team(actor=request.user, code=staff_code, team=team)


def _can_manage(request: HttpRequest, staff: Any) -> bool:
    manager = staff_for(request.user)
    return manager is not None and workload_services.can_manage_reductions(manager=manager, staff=staff)


@staff_page
def staff_workload(request: HttpRequest, code: str, staff_code: str) -> HttpResponse:
    team, staff = _team_member(request, code, staff_code)
    (workload,) = workload_selectors.workloads(staff=[staff])
    reasons = workload_policy().reduction_reasons
    today = clock.today()
    reductions = [
        {"pk": r.pk, "reason_name": reasons[r.reason].name if r.reason in reasons else r.reason, "hours": r.hours,
         "effective_from": r.effective_from, "effective_to": r.effective_to, "notes": r.notes,
         "recorded_by": r.recorded_by, "ongoing": r.effective_to is None or r.effective_to >= today}
        for r in workload_selectors.staff_reductions(staff=staff)
    ]  # fmt: skip
    return render(request, "web/staff_workload.html", {
        "team": team, "staff": staff, "workload": workload, "reductions": reductions, "nav": "team",
        "threshold": workload_policy().overload_percent, "can_manage": _can_manage(request, staff),
        "trend": workload_selectors.staff_trend(staff=staff),
    })  # fmt: skip


def _date_initial(name: str, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}


@staff_page
def workforce_change(request: HttpRequest, code: str, staff_code: str) -> HttpResponse:
    """The workforce record: grade, contracted hours, training stage, start and leaving dates (the team's SPO or an
    administrator; audited)."""
    team, staff = _team_member(request, code, staff_code)
    fields = [
        FormField("grade", "Grade", "select", options=list(Grade.choices), missing="Choose the grade"),
        FormField("contracted_hours", "Contracted hours a week", "text", max_length=5,
                  missing="Enter the contracted hours", hint="For example 37 or 22.5"),
        FormField("training_stage", "Training stage", "select", required=False,
                  options=[("", "Qualified (no training stage)"), *TrainingStage.choices]),
        FormField("start_date", "Start date (optional)", "date", required=False),
        FormField("leaving_date", "Leaving date (optional)", "date", required=False,
                  hint="Their last working day. After it, their cases appear on the team's list to reallocate"),
    ]  # fmt: skip
    initial = {"grade": staff.grade, "contracted_hours": f"{staff.contracted_hours.normalize():f}",
               "training_stage": staff.training_stage, **_date_initial("start_date", staff.start_date),
               **_date_initial("leaving_date", staff.leaving_date)}  # fmt: skip
    done = reverse("web:staff-workload", args=[team.code, staff.code])

    def save(values: dict[str, Any]) -> str:
        organisation_services.staff_workforce_update(
            actor=request.user, staff_code=staff.code, grade=values["grade"],
            contracted_hours=workload_services.hours_from_text(values["contracted_hours"], field="contracted_hours")
            or Decimal(0),
            training_stage=values["training_stage"], start_date=values["start_date"],
            leaving_date=values["leaving_date"],
        )  # fmt: skip
        return "Workforce record saved"

    return form_page(request, fields=fields, save=save, done_url=done, template="web/staff_form.html",
                     initial=initial, context={"staff": staff, "heading": "Change the workforce record",
                                               "submit": "Save the workforce record", "nav": "team"})  # fmt: skip


@staff_page
def reduction_new(request: HttpRequest, code: str, staff_code: str) -> HttpResponse:
    team, staff = _team_member(request, code, staff_code)
    reasons = [(c, r.name) for c, r in workload_policy().reduction_reasons.items() if r.enabled]
    fields = [
        FormField("reason", "Reason", "select", options=[("", "Choose a reason"), *reasons],
                  missing="Choose the reason for the reduction"),
        FormField("hours", "Hours a week (optional)", "text", required=False, max_length=8,
                  hint="Leave blank to use the reason's allowance of the contracted hours, where it has one"),
        FormField("effective_from", "From", "date", missing="Enter the first day of the reduction"),
        FormField("effective_to", "To (optional)", "date", required=False, hint="The last day; blank if open-ended"),
        FormField("notes", "Notes (optional)", "textarea", required=False, max_length=workload_services.MAX_NOTES),
    ]  # fmt: skip
    done = reverse("web:staff-workload", args=[team.code, staff.code])

    def save(values: dict[str, Any]) -> str:
        workload_services.reduction_add(
            actor=request.user, staff_code=staff.code, reason=values["reason"],
            hours=workload_services.hours_from_text(values["hours"]), effective_from=values["effective_from"],
            effective_to=values["effective_to"], notes=values["notes"],
        )  # fmt: skip
        return "Reduction recorded"

    return form_page(request, fields=fields, save=save, done_url=done, template="web/staff_form.html", context={
        "staff": staff, "heading": "Add a reduction in hours", "submit": "Save the reduction", "nav": "team",
    })  # fmt: skip


@staff_page
def reduction_end(request: HttpRequest, code: str, reduction_id: int) -> HttpResponse:
    require_role(request.user, *TEAM_VIEWERS)
    team = organisation_selectors.team_get_for_actor(actor=request.user, code=code)
    reduction = workload_selectors.reduction_in_team(team=team, reduction_id=reduction_id)
    if reduction is None:
        raise Http404("No such reduction in this team")
    fields = [FormField("last_day", "Last day of the reduction", "date", missing="Enter the last day")]
    done = reverse("web:staff-workload", args=[team.code, reduction.staff.code])

    def save(values: dict[str, Any]) -> str:
        workload_services.reduction_end(actor=request.user, reduction_id=reduction.pk, last_day=values["last_day"])
        return "Reduction ended"

    return form_page(request, fields=fields, save=save, done_url=done, template="web/staff_form.html", context={
        "staff": reduction.staff, "heading": "End a reduction in hours", "submit": "End the reduction",
        "nav": "team",
    })  # fmt: skip
