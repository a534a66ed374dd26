"""Administration in the service's own pages: adding a member of staff with their sign-in account in one form,
the team chosen by its name. Everything else is in the administration site (linked from the menu)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from openprobation.core.errors import FieldError, ValidationFailed
from openprobation.organisation import selectors as organisation_selectors
from openprobation.organisation import services as organisation_services
from openprobation.organisation.choices import Grade, Role
from openprobation.people.access import require_role
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page
from openprobation.web.work_forms import FormField

FIRST_SIGN_IN_HINT = "At least 12 characters; not like their name or username. They can change it once signed in."


def _fields(request: HttpRequest) -> list[FormField]:
    teams = [(t.code, f"{t.name} ({t.code})") for t in organisation_selectors.teams_for_actor(actor=request.user)]
    return [
        FormField("first_name", "First name", "text", max_length=100, missing="Enter their first name"),
        FormField("last_name", "Last name", "text", max_length=100, missing="Enter their last name"),
        FormField("username", "Username", "text", max_length=150, missing="Enter a username",
                  hint="What they type to sign in"),
        FormField("role", "Role", "radios", options=Role.choices, missing="Select their role"),
        FormField("grade", "Grade", "radios", options=Grade.choices, missing="Select their grade"),
        FormField("team", "Team", "select", options=teams, required=False,
                  hint="Practitioners, senior probation officers and heads of service need a team"),
        FormField("contracted_hours", "Contracted hours a week", "text", max_length=5, hint="For example, 37 or 22.5",
                  missing="Enter their contracted hours"),
        FormField("password", "First password", "password", hint=FIRST_SIGN_IN_HINT, missing="Enter a first password"),
    ]  # fmt: skip


@staff_page
def staff_new(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMINISTRATOR)

    def save(values: dict[str, Any]) -> str:
        problem = FieldError(("contracted_hours",), "Enter the hours as a number, like 37 or 22.5")
        try:
            hours = Decimal(values["contracted_hours"].strip())
        except InvalidOperation:
            raise ValidationFailed([problem]) from None
        if not hours.is_finite():
            raise ValidationFailed([problem])
        staff = organisation_services.staff_create(
            actor=request.user, username=values["username"].strip(), password=values["password"],
            first_name=values["first_name"].strip(), last_name=values["last_name"].strip(), grade=values["grade"],
            role=values["role"], team=values["team"] or None, contracted_hours=hours,
        )  # fmt: skip
        return f"{staff.name} added with the username {values['username'].strip()} (staff code {staff.code})"

    return form_page(
        request,
        fields=_fields(request),
        save=save,
        initial={"contracted_hours": "37"},
        done_url=reverse("web:staff-new"),
        template="web/admin_form.html",
        context={"heading": "Add a member of staff", "submit": "Add them",
                 "intro": "Their sign-in account is made with them. Everything they do is audited under their name."},
    )  # fmt: skip
