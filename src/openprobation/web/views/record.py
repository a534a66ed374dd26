"""Keeping the record up to date from the pages: personal details, addresses, household and relationships,
registrations (add, review, end) and the reporting frequency. Each form calls the same service as the API, with
the same validation, version check (someone else's change since the page was opened is reported, nothing saved)
and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from openprobation.people import selectors as people_selectors
from openprobation.people import services as people_services
from openprobation.people.choices import Gender, RelationshipType
from openprobation.risk import selectors as risk_selectors
from openprobation.risk import services as risk_services
from openprobation.rules.registrations import RegistrationType, registration_policy, registration_type
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.templatetags.web_format import uk_date
from openprobation.web.work_forms import FormField, as_bool, yes_no
from openprobation.workitems import services as work_services
from openprobation.workitems.choices import ReportingFrequency

NAME_LIMIT = 100  # as the services check names
LINE_LIMIT = 100


def _date_text(day: dt.date | None) -> dict[str, str]:
    return {} if day is None else {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def _date_initial(name: str, day: dt.date | None) -> dict[str, str]:
    return {f"{name}_{part}": value for part, value in _date_text(day).items()}




def _context(person: Any, heading: str, submit: str, intro: str = "") -> dict[str, Any]:
    return {"person": person, "heading": heading, "submit": submit, "intro": intro}


# --- personal details -----------------------------------------------------------------------------------------


@staff_page
def personal_details_change(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    fields = [
        FormField("first_name", "First name", "text", max_length=NAME_LIMIT, missing="Enter the first name"),
        FormField("last_name", "Last name", "text", max_length=NAME_LIMIT, missing="Enter the last name"),
        FormField("date_of_birth", "Date of birth", "date", hint="For example, 27 3 1990"),
        FormField("gender", "Gender", "radios", options=Gender.choices, missing="Select the gender"),
        FormField("pnc_number", "PNC ID", "text", required=False, max_length=20,
                  hint="A four-digit year, a slash, up to 7 digits and a letter, like 2004/0046583U"),
        FormField("cro_number", "CRO number", "text", required=False, max_length=20,
                  hint="Like 012345/99J, or SF99/012345J"),
    ]  # fmt: skip
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "gender": person.gender,
        "pnc_number": person.pnc_number,
        "cro_number": person.cro_number,
        **_date_initial("date_of_birth", person.date_of_birth),
    }

    def save(values: dict[str, Any]) -> str:
        people_services.person_update(
            actor=request.user,
            person=person,
            version=posted_version(request),
            changes={name: values[name] for name in initial if not name.startswith("date_of_birth_")}
            | {"date_of_birth": values["date_of_birth"]},
        )
        return "Personal details saved"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial=initial,
        hidden={"version": str(person.version)},
        done_url=case_url(person.crn, "summary"),
        context=_context(person, "Change personal details", "Save personal details"),
    )


# --- addresses --------------------------------------------------------------------------------------------------


@staff_page
def address_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    fields = [
        FormField("line1", "Address line 1", "text", max_length=LINE_LIMIT,
                  missing="Enter the first line of the address"),
        FormField("line2", "Address line 2 (optional)", "text", required=False, max_length=LINE_LIMIT),
        FormField("town", "Town or city", "text", max_length=LINE_LIMIT, missing="Enter the town or city"),
        FormField("postcode", "Postcode", "text", max_length=10, missing="Enter a postcode, like AA1 1AA"),
        FormField("start_date", "Living there from", "date", missing="Enter the date they started living there"),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        people_services.address_add(
            actor=request.user, person=person, line1=values["line1"], line2=values["line2"], town=values["town"],
            postcode=values["postcode"], start_date=values["start_date"],
        )  # fmt: skip
        return "Address added"

    return form_page(
        request,
        fields=fields,
        save=save,
        done_url=case_url(person.crn, "addresses"),
        context=_context(person, "Add an address", "Add the address"),
    )


# --- household and relationships -----------------------------------------------------------------------------

RELATIONSHIP_HINT = "Household members and potential victims start safeguarding and home-visit work"


@staff_page
def relationship_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    fields = [
        FormField("relationship", "Relationship to the person", "radios", options=RelationshipType.choices,
                  missing="Select the relationship"),
        FormField("first_name", "First name", "text", max_length=NAME_LIMIT, missing="Enter their first name"),
        FormField("last_name", "Last name", "text", max_length=NAME_LIMIT, missing="Enter their last name"),
        FormField("date_of_birth", "Date of birth (optional)", "date", required=False,
                  hint="Leave blank if not known. For example, 27 3 2015"),
        FormField("start_date", "Relationship started", "date", missing="Enter the date the relationship started"),
        yes_no("lives_in_household", "Do they live in the same household?",
               missing="Select yes if they live in the same household"),
        yes_no("potential_victim", "Are they a potential victim?", missing="Select yes if they are a potential victim"),
        FormField("notes", "Notes (optional)", "textarea", required=False),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        people_services.relationship_add(
            actor=request.user, person=person, relationship=values["relationship"],
            first_name=values["first_name"], last_name=values["last_name"], date_of_birth=values["date_of_birth"],
            start_date=values["start_date"], lives_in_household=as_bool(values["lives_in_household"]),
            potential_victim=as_bool(values["potential_victim"]), notes=values["notes"],
        )  # fmt: skip
        return f"{values['first_name']} {values['last_name']} added"

    return form_page(
        request,
        fields=fields,
        save=save,
        done_url=case_url(person.crn, "household"),
        context=_context(person, "Add someone in the person's life", "Add them", RELATIONSHIP_HINT),
    )


@staff_page
def relationship_change(request: HttpRequest, crn: str, relationship_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    relationship = people_selectors.relationship_get(person=person, relationship_id=relationship_id)
    fields = [
        yes_no("lives_in_household", "Do they live in the same household?",
               missing="Select yes if they live in the same household"),
        yes_no("potential_victim", "Are they a potential victim?", missing="Select yes if they are a potential victim"),
        FormField("end_date", "Relationship ended (optional)", "date", required=False,
                  hint="Only if the relationship has ended. For example, 27 3 2026"),
        FormField("notes", "Notes (optional)", "textarea", required=False),
    ]  # fmt: skip
    initial = {
        "lives_in_household": "yes" if relationship.lives_in_household else "no",
        "potential_victim": "yes" if relationship.potential_victim else "no",
        "notes": relationship.notes,
        **_date_initial("end_date", relationship.end_date),
    }

    def save(values: dict[str, Any]) -> str:
        people_services.relationship_update(
            actor=request.user, person=person, relationship_id=relationship.pk, version=posted_version(request),
            changes={"lives_in_household": as_bool(values["lives_in_household"]),
                     "potential_victim": as_bool(values["potential_victim"]), "end_date": values["end_date"],
                     "notes": values["notes"]},
        )  # fmt: skip
        return f"{relationship.name} updated"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial=initial,
        hidden={"version": str(relationship.version)},
        done_url=case_url(person.crn, "household"),
        context=_context(
            person, f"Change {relationship.name} ({relationship.get_relationship_display().lower()})", "Save changes",
            RELATIONSHIP_HINT,
        ),
    )


# --- registrations ------------------------------------------------------------------------------------------


def registration_options() -> list[tuple[str, str]]:
    types = registration_policy().types.values()
    return [(t.code, f"{t.name} ({t.code})") for t in sorted(types, key=lambda t: (t.group != "rosh", t.name))]


def _level_and_category(kind: RegistrationType) -> list[FormField]:
    """The registration type's levels and categories as questions, when it has them (MAPPA has both)."""
    fields = []
    if kind.levels:
        fields.append(FormField("level", "Level", "radios", options=[(v, v) for v in kind.levels],
                                missing=f"Select the {kind.name} level"))  # fmt: skip
    if kind.categories:
        fields.append(FormField("category", "Category", "radios", options=[(v, v) for v in kind.categories],
                                missing=f"Select the {kind.name} category"))  # fmt: skip
    return fields


@staff_page
def registration_new(request: HttpRequest, crn: str) -> HttpResponse:
    """Step 1: the type of registration (its levels and categories are asked for on the next page)."""
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    fields = [
        FormField("code", "Type of registration", "select", options=registration_options(),
                  hint="The nDelius register type", missing="Select the type of registration"),
    ]  # fmt: skip
    chosen: dict[str, str] = {}

    def save(values: dict[str, Any]) -> str:
        chosen["code"] = values["code"]
        return ""

    response = form_page(
        request,
        fields=fields,
        save=save,
        done_url=case_url(person.crn, "registrations"),
        context=_context(person, "Add a registration", "Continue"),
        success_url=lambda: reverse("web:registration-new-details", args=[person.crn, chosen["code"]]),
    )
    return response


@staff_page
def registration_new_details(request: HttpRequest, crn: str, code: str) -> HttpResponse:
    """Step 2: the registration's level and category (when its type has them), dates and notes."""
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    kind = registration_type(code)
    if kind is None:
        raise Http404("No such registration type")
    fields = [
        *_level_and_category(kind),
        FormField("start_date", "Start date", "date", missing="Enter the start date"),
        FormField("review_date", "Next review (optional)", "date", required=False,
                  hint="Leave blank for the usual review period. For example, 27 3 2027"),
        FormField("notes", "Notes (optional)", "textarea", required=False),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        risk_services.registration_add(
            actor=request.user, person=person, code=kind.code, level=values.get("level", ""),
            category=values.get("category", ""), start_date=values["start_date"],
            review_date=values["review_date"], notes=values["notes"],
        )  # fmt: skip
        return f"{kind.name} registration added"

    return form_page(
        request,
        fields=fields,
        save=save,
        done_url=case_url(person.crn, "registrations"),
        context=_context(person, f"Add a registration: {kind.name}", "Add the registration"),
    )


@staff_page
def registration_change(request: HttpRequest, crn: str, registration_id: int, action: str) -> HttpResponse:
    """Review a registration (next review date, level, category, notes) or end it (end date and why)."""
    if action not in ("review", "end"):
        raise Http404("No such action")
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    registration = risk_selectors.registration_get(person=person, registration_id=registration_id)
    kind = registration_type(registration.code)
    if registration.end_date is not None or kind is None:
        raise Http404("This registration has ended")
    started = f"Started {uk_date(registration.start_date)}"
    if action == "end":
        fields = [
            FormField("end_date", "End date", "date", missing="Enter the date the registration ended"),
            FormField("notes", "Why is it ending?", "textarea", missing="Enter why the registration is ending"),
        ]
        initial: dict[str, str] = {}
    else:
        fields = [
            *_level_and_category(kind),
            FormField("review_date", "Next review", "date", missing="Enter the date of the next review"),
            FormField("notes", "Review notes", "textarea", missing="Enter what the review found"),
        ]
        initial = {"level": registration.level, "category": registration.category}

    def save(values: dict[str, Any]) -> str:
        changes = {name: values[name] for name in ("level", "category", "review_date", "end_date") if name in values}
        note = values["notes"].strip()
        changes["notes"] = f"{registration.notes}\n{note}".strip() if registration.notes else note
        risk_services.registration_update(
            actor=request.user, person=person, registration_id=registration.pk, version=posted_version(request),
            changes=changes,
        )  # fmt: skip
        return f"{kind.name} registration {'ended' if action == 'end' else 'reviewed'}"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial=initial,
        hidden={"version": str(registration.version)},
        done_url=case_url(person.crn, "registrations"),
        context=_context(
            person,
            f"{'End' if action == 'end' else 'Review'} the registration: {kind.name}",
            "End the registration" if action == "end" else "Save the review",
            started,
        ),
    )


# --- reporting frequency -------------------------------------------------------------------------------------


@staff_page
def reporting_change_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    current = work_services.reporting_frequency_in_force(person=person)
    fields = [
        FormField("frequency", "How often should they report?", "radios", options=ReportingFrequency.choices,
                  hint="A reduction is in force only once a senior probation officer countersigns it",
                  missing="Select how often they should report"),
        FormField("reason", "Why is it changing?", "textarea",
                  missing="Enter why the reporting frequency is changing"),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        change = work_services.reporting_frequency_request(
            actor=request.user, person=person, frequency=values["frequency"], reason=values["reason"]
        )
        if change.status == "awaiting_countersignature":
            return "Reduction requested: it is in force once a senior probation officer countersigns it"
        return f"Reporting is now {change.get_frequency_display().lower()}"

    now = f"Now: {current.get_frequency_display().lower()}" if current else "No reporting frequency recorded yet"
    return form_page(
        request,
        fields=fields,
        save=save,
        done_url=case_url(person.crn, "reporting"),
        context=_context(person, "Change how often they report", "Save", now),
    )
