"""A case record, section by section (``web.case_sections``): the overview, personal details, risk, sentence,
activity log (contacts), compliance, and work and checks; recording a contact; and the case's audit history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openprobation.contacts import selectors as contact_selectors
from openprobation.contacts import services as contact_services
from openprobation.contacts.choices import (
    APPOINTMENT_OUTCOMES,
    APPOINTMENT_TYPES,
    FAILURE_OUTCOMES,
    ContactOutcome,
    ContactType,
)
from openprobation.core import clock
from openprobation.core.errors import ValidationFailed
from openprobation.enforcement import selectors as enforcement_selectors
from openprobation.escalation import selectors as escalation_selectors
from openprobation.people import selectors as people_selectors
from openprobation.people.access import can_read_audit, can_write, require_write
from openprobation.recall import selectors as recall_selectors
from openprobation.risk import selectors as risk_selectors
from openprobation.rules.registrations import MAPPA_CODE
from openprobation.sentences import selectors as sentence_selectors
from openprobation.sentences.choices import RequirementType
from openprobation.warningsigns import selectors as signal_selectors
from openprobation.web.case_sections import case_url, section_links
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.forms import NO_OUTCOME, ContactForm, contact_field_errors, contact_filters
from openprobation.web.templatetags.web_format import uk_datetime
from openprobation.web.views.reminders import case_reminders_context
from openprobation.web.views.work import case_work_context
from openprobation.web.work_forms import FormField
from openprobation.workitems import selectors as workitem_selectors

CONTACTS_PER_PAGE = 50
AUDIT_EVENTS_PER_PAGE = 100


def _render_section(
    request: HttpRequest, person: Any, section: str, context: dict[str, Any], *, template: str = ""
) -> HttpResponse:
    """A section's page: the case header (name, CRN, RoSH and flags) and sub-navigation, then the section."""
    registrations = context.get("registrations")
    if registrations is None:
        registrations = list(risk_selectors.registration_list(person=person))
    audit_allowed = can_read_audit(request.user)
    return render(
        request,
        template or f"web/case/{section}.html",
        {
            "person": person,
            "rosh": risk_selectors.person_rosh(person=person),
            "flags": [r for r in registrations if r.end_date is None],
            "section": section,
            "sections": section_links(person.crn, section, can_read_audit=audit_allowed),
            "can_read_audit": audit_allowed,
            "can_write": can_write(request.user),
            **context,
        },
    )


@staff_page
def case(request: HttpRequest, crn: str) -> HttpResponse:
    """The overview: what a practitioner needs first, each part linking to its section."""
    person = people_selectors.person_get(actor=request.user, crn=crn)
    now = clock.now()
    registrations = list(risk_selectors.registration_list(person=person))
    active = [r for r in registrations if r.end_date is None]
    events = [e for e in sentence_selectors.event_list(person=person) if e.termination_date is None]
    work = case_work_context(person)
    open_checks = [c for c in work["safeguarding_checks"] if c.status in ("awaiting_response", "response_received")]
    return _render_section(
        request,
        person,
        "overview",
        {
            "registrations": registrations,
            "mappa": next((r for r in active if r.code == MAPPA_CODE), None),
            "next_appointment": contact_selectors.next_appointment(person=person, now=now),
            "last_contact": contact_selectors.last_contact(person=person, now=now),
            "compliance": contact_selectors.compliance_summary(person=person, now=now),
            "enforcement": enforcement_selectors.compliance_status(person=person, now=now),
            "active_events": events,
            "sentence_end": max((e.expected_end_date for e in events if e.expected_end_date), default=None),
            "work_open": len(work["work_items"]),
            "work_overdue": sum(1 for item in work["work_items"] if item.overdue),
            "next_item": work["work_items"][0] if work["work_items"] else None,
            "open_checks": open_checks,
            "escalated_checks": sum(1 for c in open_checks if c.escalated),
            "signal_reviews": signal_selectors.open_signal_reviews(person=person),
            "clocks": workitem_selectors.case_clocks(person=person, now=now),
        },
    )


@staff_page
def personal_details(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    return _render_section(
        request,
        person,
        "personal",
        {
            "addresses": people_selectors.address_list(person=person),
            "relationships": people_selectors.relationship_list(person=person),
            **case_reminders_context(person),
        },
    )


@staff_page
def risk(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    registrations = list(risk_selectors.registration_list(person=person))
    work = case_work_context(person)
    return _render_section(
        request,
        person,
        "risk",
        {
            "registrations": registrations,
            "active_registrations": [r for r in registrations if r.end_date is None],
            "ended_registrations": [r for r in registrations if r.end_date is not None],
            "risk_scores": risk_selectors.risk_scores_for_case(person=person),
            "recorded_scores": risk_selectors.recorded_scores_current(person=person),
            "rosh_assessments": work["rosh_assessments"],
            "escalations": list(escalation_selectors.escalation_list(person=person)),
            "escalation_open": escalation_selectors.escalation_open(person=person),
            "clocks": workitem_selectors.case_clocks(person=person),
        },
    )


@staff_page
def sentence(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    work = case_work_context(person)
    events = list(sentence_selectors.event_list(person=person))
    rar_ids = [q.pk for e in events for q in e.requirements.all() if q.type == RequirementType.RAR]
    return _render_section(
        request,
        person,
        "sentence",
        {
            "events": events,
            "rar_days": contact_selectors.rar_days_delivered(requirement_ids=rar_ids),
            "reporting_in_force": work["reporting_in_force"],
            "reporting_pending": work["reporting_pending"],
        },
    )


@staff_page
def activity(request: HttpRequest, crn: str) -> HttpResponse:
    """The activity log: contacts, newest first, filterable by type and outcome (an invalid filter is reported and
    ignored on its own; the others still apply)."""
    person = people_selectors.person_get(actor=request.user, crn=crn)
    filters = contact_filters(request.GET)
    contacts = contact_selectors.contact_list(person=person, type=filters.type, outcome=filters.outcome)
    page = Paginator(contacts, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    return _render_section(
        request,
        person,
        "activity",
        {
            "filters": filters,
            "filtered": bool(filters.type or filters.outcome),
            "contact_types": ContactType.choices,
            "contact_outcomes": ContactOutcome.choices,
            "type_filter": filters.type,
            "outcome_filter": filters.outcome,
            "page": page,
        },
    )


@staff_page
def compliance(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    now = clock.now()
    summary = contact_selectors.compliance_summary(person=person, now=now)
    status = enforcement_selectors.compliance_status(person=person, now=now)
    failures = contact_selectors.contact_list(person=person, outcome=FAILURE_OUTCOMES)
    return _render_section(
        request,
        person,
        "compliance",
        {
            "compliance": summary,
            "enforcement": status,
            "decisions": list(enforcement_selectors.enforcement_decision_list(person=person)),
            "breaches": list(enforcement_selectors.breach_list(person=person)),
            "clocks": workitem_selectors.case_clocks(person=person, now=now),
            "to_log": list(contact_selectors.outcomes_to_log(person=person, now=now)),
            "failures": list(failures.filter(date__date__gte=status.counted_from, date__lte=now)),
            "recalls": list(recall_selectors.recommendation_list(person=person)),
            "recall_open": recall_selectors.recommendation_open(person=person),
            "on_licence": recall_selectors.licence_event(person=person) is not None,
        },
    )


@staff_page
def work(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    return _render_section(request, person, "work", case_work_context(person))


@staff_page
def record_contact(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    require_write(request.user)  # a read-only role is not shown a form it cannot submit
    form = ContactForm(request.POST or None)
    errors = {}
    # A contact belongs to a sentence: the only current one, or the one chosen when there are several.
    events = [e for e in sentence_selectors.event_list(person=person) if e.termination_date is None]
    chosen = request.POST.get("event_number", "")
    typed = int(chosen) if chosen.isdigit() and len(chosen) < 6 else None
    event_number = events[0].number if len(events) == 1 else typed
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
                    event_number=event_number,
                )
            except ValidationFailed as exc:
                errors = contact_field_errors(form, tuple(exc.errors))
            else:
                messages.success(request, "Contact recorded")
                return redirect(case_url(person.crn, "contacts"))
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
            "events": events,
        },
    )


@staff_page
def audit_history(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    events = people_selectors.audit_history_for_case(actor=request.user, person=person)
    page = Paginator(events, AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return _render_section(request, person, "audit", {"page": page}, template="web/audit.html")


@staff_page
def contact_outcome(request: HttpRequest, crn: str, contact_id: int) -> HttpResponse:
    """Record the outcome of an appointment that has happened (an appointment booked earlier with no outcome)."""
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    contact = contact_selectors.contact_get(person=person, contact_id=contact_id)
    if contact.type not in APPOINTMENT_TYPES or contact.outcome or contact.date > clock.now():
        raise Http404("This appointment has no outcome to record")
    fields = [
        FormField(
            "outcome",
            "What happened?",
            "radios",
            options=APPOINTMENT_OUTCOMES,
            missing="Select what happened at the appointment",
        ),
        FormField("notes", "Notes", "textarea", required=False, hint="What was discussed, or why they did not attend"),
    ]

    def save(values: dict[str, Any]) -> str:
        contact_services.contact_update(
            actor=request.user,
            person=person,
            contact_id=contact.pk,
            version=posted_version(request),
            changes={"outcome": values["outcome"], "notes": values["notes"] or contact.notes},
        )
        return f"Outcome recorded: {dict(APPOINTMENT_OUTCOMES)[values['outcome']].lower()}"

    return form_page(
        request,
        fields=fields,
        save=save,
        done_url=case_url(person.crn, "contacts"),
        initial={"notes": contact.notes},
        hidden={"version": str(contact.version)},
        context={
            "person": person,
            "heading": "Record the outcome of an appointment",
            "intro": f"{contact.get_type_display()}, {uk_datetime(contact.date)}"
            + (f", with {contact.staff.name}" if contact.staff else ""),
            "submit": "Record the outcome",
        },
    )
