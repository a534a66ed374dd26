"""Restriction and exclusion lists, for access managers: every limited-access case with its lists, a form to put
someone on a list and one to take them off, each with a reason (rules in people/access_lists.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openprobation.core.errors import ValidationFailed
from openprobation.people import access_lists
from openprobation.people.access import require_access_manager
from openprobation.people.choices import AccessListKind
from openprobation.web import work_forms
from openprobation.web.errors import staff_page
from openprobation.web.work_forms import FormField

ADD_FIELDS = [
    FormField("crn", "CRN", "text", hint="The case reference number, like X123456", missing="Enter the CRN"),
    FormField("kind", "Which list", "radios", options=[
        (AccessListKind.RESTRICTION, "Restriction list: only the staff on it may see the case"),
        (AccessListKind.EXCLUSION, "Exclusion list: the staff on it may not see the case"),
    ], missing="Choose restriction or exclusion"),
    FormField("staff_code", "Staff code", "text", hint="The member of staff to put on the list",
              missing="Enter the staff code"),
    FormField("reason", "Why", "textarea", hint="Recorded in the audit trail and shown to the team's manager",
              missing="Enter why the list is being changed"),
]
REMOVE_FIELDS = [
    FormField("reason", "Why are you taking them off the list?", "textarea",
              hint="Recorded in the audit trail and shown to the team's manager",
              missing="Enter why the list is being changed"),
]


@staff_page
def access_lists_page(request: HttpRequest) -> HttpResponse:
    require_access_manager(request.user)
    form = work_forms.blank(ADD_FIELDS)
    if request.method == "POST":
        form = work_forms.parse(ADD_FIELDS, request.POST)
        if not form.errors:
            try:
                entry = access_lists.case_access_add(actor=request.user, **form.values)
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, f"{entry.staff.name} is on the {entry.kind} list of {entry.person.crn}")
                return redirect("web:access-lists")
    cases = access_lists.limited_access_cases(actor=request.user)
    return render(request, "web/access_lists.html", {"cases": cases, "form": form, "nav": "access"})


AUDIT_EVENTS_PER_PAGE = 100
LIFT_FIELDS = [
    FormField("reason", "Why is the restriction being lifted?", "textarea",
              hint="Recorded in the audit trail and shown to the team's manager",
              missing="Enter why the list is being changed"),
]


@staff_page
def access_lift(request: HttpRequest, crn: str) -> HttpResponse:
    """Lift a case's restriction as a whole (only an access manager on its restriction list can)."""
    require_access_manager(request.user)
    done_url = reverse("web:access-lists")
    form = work_forms.blank(LIFT_FIELDS)
    if request.method == "POST":
        form = work_forms.parse(LIFT_FIELDS, request.POST)
        if not form.errors:
            try:
                lifted = access_lists.restriction_lift(actor=request.user, crn=crn, reason=form.values["reason"])
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, f"The restriction on {crn.upper()} is lifted ({lifted} taken off the list)")
                return redirect(done_url)
    return render(request, "web/access_lift.html", {"crn": crn.upper(), "form": form, "cancel_url": done_url,
                                                    "nav": "access"})


@staff_page
def access_case_audit(request: HttpRequest, crn: str) -> HttpResponse:
    events, person = access_lists.case_audit_for_access_manager(actor=request.user, crn=crn)
    page = Paginator(events, AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/access_audit.html", {"crn": crn.strip().upper(), "person": person, "page": page,
                                                     "nav": "access"})


@staff_page
def access_entry_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry, visible = access_lists.access_entry_get(actor=request.user, entry_id=entry_id)
    done_url = reverse("web:access-lists")
    form = work_forms.blank(REMOVE_FIELDS)
    if request.method == "POST":
        form = work_forms.parse(REMOVE_FIELDS, request.POST)
        if not form.errors:
            try:
                access_lists.case_access_remove(actor=request.user, entry_id=entry.pk, reason=form.values["reason"])
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, f"{entry.staff.name} is off the list of {entry.person.crn}")
                return redirect(done_url)
    context: dict[str, Any] = {"entry": entry, "visible": visible, "form": form, "cancel_url": done_url,
                               "nav": "access"}
    return render(request, "web/access_remove.html", context)
