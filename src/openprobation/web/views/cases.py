"""The case page, recording a contact, and a case's audit history."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openprobation.contacts import selectors as contact_selectors
from openprobation.contacts import services as contact_services
from openprobation.contacts.choices import ContactOutcome, ContactType
from openprobation.core.errors import ValidationFailed
from openprobation.people import selectors as people_selectors
from openprobation.people.access import can_read_audit, can_write
from openprobation.risk import selectors as risk_selectors
from openprobation.sentences import selectors as sentence_selectors
from openprobation.web.errors import staff_page
from openprobation.web.forms import NO_OUTCOME, ContactFilterForm, ContactForm, contact_field_errors
from openprobation.web.views.reminders import case_reminders_context
from openprobation.web.views.work import case_work_context

CONTACTS_PER_PAGE = 50
AUDIT_EVENTS_PER_PAGE = 100


@staff_page
def case(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    filters = ContactFilterForm(request.GET)
    type_filter = outcome_filter = ""
    if filters.is_valid():
        type_filter = filters.cleaned_data["type"]
        outcome_filter = filters.cleaned_data["outcome"]
    contacts = contact_selectors.contact_list(person=person, type=type_filter, outcome=outcome_filter)
    page = Paginator(contacts, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    registrations = list(risk_selectors.registration_list(person=person))
    return render(
        request,
        "web/case.html",
        {
            "person": person,
            "rosh": risk_selectors.person_rosh(person=person),
            "addresses": people_selectors.address_list(person=person),
            "relationships": people_selectors.relationship_list(person=person),
            "events": sentence_selectors.event_list(person=person),
            "active_registrations": [r for r in registrations if r.end_date is None],
            "ended_registrations": [r for r in registrations if r.end_date is not None],
            "risk_scores": risk_selectors.risk_scores_for_case(person=person),
            "recorded_scores": risk_selectors.recorded_scores_current(person=person),
            "filters": filters,
            "filtered": bool(type_filter or outcome_filter),
            "contact_types": ContactType.choices,
            "contact_outcomes": ContactOutcome.choices,
            "type_filter": type_filter,
            "outcome_filter": outcome_filter,
            "page": page,
            "can_read_audit": can_read_audit(request.user),
            "can_write": can_write(request.user),
            **case_work_context(person),
            **case_reminders_context(person),
        },
    )


@staff_page
def record_contact(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    form = ContactForm(request.POST or None)
    errors = {}
    if request.method == "POST":
        if form.is_valid():
            try:
                contact_services.contact_record(
                    actor=request.user,
                    person=person,
                    type=form.cleaned_data["type"],
                    date=form.cleaned_data["when"],
                    outcome=form.cleaned_data["outcome_value"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationFailed as exc:
                errors = contact_field_errors(form, tuple(exc.errors))
            else:
                messages.success(request, "Contact recorded")
                return redirect("web:case", crn=person.crn)
        else:
            errors = contact_field_errors(form)
    return render(
        request,
        "web/record_contact.html",
        {
            "person": person,
            "form": form,
            "values": form.data if form.is_bound else {},
            "errors": errors,
            "contact_types": ContactType.choices,
            "contact_outcomes": [*ContactOutcome.choices, (NO_OUTCOME, "No outcome yet")],
        },
    )


@staff_page
def audit_history(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    events = people_selectors.audit_history_for_case(actor=request.user, person=person)
    page = Paginator(events, AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/audit.html", {"person": person, "page": page})
