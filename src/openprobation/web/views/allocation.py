"""The allocation screen for a team's SPO: its unallocated cases and the cases that need reallocating; for a chosen
case, the practitioners of the team and its PDU with their capacity now and after the case, and the form that
allocates or reallocates it (``allocation.services``: the same rules as the API)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openprobation.allocation import selectors as allocation_selectors
from openprobation.allocation import services as allocation_services
from openprobation.core.errors import PermissionDenied
from openprobation.organisation import selectors as organisation_selectors
from openprobation.people.access import TEAM_VIEWERS, require_role
from openprobation.rules.workload.policy import workload_policy
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page
from openprobation.web.work_forms import FormField

TEXT_HINT = "Optional"


@staff_page
def team_allocations(request: HttpRequest, code: str) -> HttpResponse:
    require_role(request.user, *TEAM_VIEWERS)
    team = organisation_selectors.team_get_for_actor(actor=request.user, code=code)
    return render(request, "web/allocations.html", {
        "team": team, "nav": "team",
        "cases": allocation_selectors.unallocated_cases(actor=request.user, team=team),
        "needs_reallocation": allocation_selectors.needs_reallocation(actor=request.user, team=team),
        "can_allocate": allocation_services.can_allocate(actor=request.user, team=team),
    })  # fmt: skip


def _option(c: Any) -> tuple[str, str]:
    capacity = f"{c.capacity}% now, {c.capacity_after}% after this case" if c.capacity is not None else "no capacity"
    return c.staff.code, f"{c.staff.name} ({c.staff.get_grade_display()}, {c.team.name}): {capacity}"


@staff_page
def case_allocate(request: HttpRequest, code: str, crn: str) -> HttpResponse:
    require_role(request.user, *TEAM_VIEWERS)
    team = organisation_selectors.team_get_for_actor(actor=request.user, code=code)
    if not allocation_services.can_allocate(actor=request.user, team=team):
        raise PermissionDenied("Only the team's senior probation officer or an administrator can allocate its cases")
    case = allocation_selectors.case_for_allocation(actor=request.user, team=team, crn=crn)
    if case is None:
        raise Http404("No such case in this team")
    candidates = allocation_selectors.candidates(case=case, team=team)
    reallocate = case.person.practitioner_id is not None
    choosable = [_option(c) for c in candidates if c.choosable]
    fields = [
        FormField("practitioner", "Practitioner", "radios", options=choosable, missing="Choose a practitioner",
                  hint="Excluded staff, and whoever holds the case now, cannot be chosen"),
        *([FormField("reason", "Reason for reallocating", "textarea", max_length=allocation_services.MAX_TEXT,
                     missing="Enter the reason for reallocating the case")] if reallocate else []),
        FormField("instructions", "Instructions to the practitioner", "textarea", required=False,
                  max_length=allocation_services.MAX_TEXT, hint=TEXT_HINT),
        FormField("justification", "Justification", "textarea", required=False,
                  max_length=allocation_services.MAX_TEXT,
                  hint="Needed when the practitioner's grade is not the one the grade policy gives, or when the "
                       f"case takes them over {workload_policy().overload_percent}% capacity"),
        FormField("oversight_notes", "SPO oversight notes", "textarea", required=False,
                  max_length=allocation_services.MAX_TEXT, hint=TEXT_HINT),
    ]  # fmt: skip
    done = reverse("web:team-allocations", args=[team.code])

    def save(values: dict[str, Any]) -> str:
        decision = allocation_services.case_allocate(
            actor=request.user, team=team, crn=case.person.crn, practitioner=values["practitioner"],
            instructions=values["instructions"], justification=values["justification"],
            oversight_notes=values["oversight_notes"], reason=values.get("reason", ""), reallocate=reallocate,
        )  # fmt: skip
        return f"Case {case.person.crn} {'reallocated' if reallocate else 'allocated'} to {decision.practitioner.name}"

    return form_page(request, fields=fields, save=save, done_url=done, template="web/allocate_case.html", context={
        "team": team, "case": case, "candidates": candidates, "nav": "team", "reallocate": reallocate,
        "threshold": workload_policy().overload_percent,
        "history": allocation_selectors.allocation_history(person=case.person),
        "submit": "Reallocate the case" if reallocate else "Allocate the case",
    })  # fmt: skip
