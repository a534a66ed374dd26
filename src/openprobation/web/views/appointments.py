"""Booking an appointment (type, date and time, where, with whom, the event and the requirement it delivers) and
rearranging one with a reason. Its outcome is recorded once it has happened (``cases.contact_outcome``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from openprobation.contacts import selectors as contact_selectors
from openprobation.contacts import services as contact_services
from openprobation.contacts.choices import APPOINTMENT_TYPES, ContactType
from openprobation.core import clock
from openprobation.organisation import selectors as organisation_selectors
from openprobation.people import selectors as people_selectors
from openprobation.people.access import staff_for
from openprobation.sentences import selectors as sentence_selectors
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.templatetags.web_format import uk_datetime
from openprobation.web.work_forms import FormField

APPOINTMENT_CHOICES = [(value, label) for value, label in ContactType.choices if value in APPOINTMENT_TYPES]


def _when(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    return timezone.make_aware(dt.datetime.combine(day, time)) if day and time else None




@staff_page
def appointment_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    me = staff_for(request.user)
    team = person.team or (me.team if me else None)
    with_whom = [(s.code, f"{s.name} ({s.get_grade_display()})") for s in
                 (organisation_selectors.staff_list(team=team) if team else [])]  # fmt: skip
    events = [e for e in sentence_selectors.event_list(person=person) if e.termination_date is None]
    requirements = [(str(q.pk), f"Event {e.number}: {q.get_type_display()} ({q.length})")
                    for e in events for q in e.requirements.all()]  # fmt: skip
    fields = [
        FormField("type", "Type of appointment", "radios", options=APPOINTMENT_CHOICES,
                  missing="Select the type of appointment"),
        FormField("date", "Date", "date", hint="For example, 27 3 2027", missing="Enter the date of the appointment"),
        FormField("time", "Time", "time", hint="24-hour clock, like 14:30", missing="Enter the time, like 14:30"),
        FormField("location", "Where", "text", max_length=200, hint="The office, their home, or video call",
                  missing="Enter where the appointment is"),
        FormField("with_staff", "With", "select", options=with_whom, missing="Select who the appointment is with"),
        *([FormField("event_number", "Event", "radios", options=[(str(e.number), f"Event {e.number}: "
                     f"{e.get_sentence_type_display()}") for e in events], missing="Select the event")]
          if len(events) > 1 else []),
        *([FormField("requirement_id", "Requirement it delivers (optional)", "select", options=requirements,
                     required=False, hint="RAR days are counted from the appointments attended for the RAR")]
          if requirements else []),
        FormField("notes", "Notes (optional)", "textarea", required=False),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        number = values.get("event_number") or (str(events[0].number) if len(events) == 1 else "")
        booked = contact_services.appointment_book(
            actor=request.user, person=person, type=values["type"], when=_when(values["date"], values["time"]),
            location=values["location"], with_staff=values["with_staff"] or None,
            event_number=int(number) if number else None,
            requirement_id=int(values["requirement_id"]) if values.get("requirement_id") else None,
            notes=values["notes"],
        )  # fmt: skip
        return f"{booked.get_type_display()} booked for {uk_datetime(booked.date)}"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial={"with_staff": me.code if me and any(code == me.code for code, _ in with_whom) else ""},
        done_url=case_url(person.crn, "contacts"),
        context={"person": person, "heading": "Book an appointment", "submit": "Book the appointment"},
    )


@staff_page
def appointment_rearrange(request: HttpRequest, crn: str, contact_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    booked = contact_selectors.contact_get(person=person, contact_id=contact_id)
    if booked.type not in APPOINTMENT_TYPES or booked.outcome or booked.date <= clock.now():
        raise Http404("Only an appointment still to come can be rearranged")
    fields = [
        FormField("date", "New date", "date", hint="For example, 27 3 2027", missing="Enter the new date"),
        FormField("time", "New time", "time", hint="24-hour clock, like 14:30", missing="Enter the new time"),
        FormField("location", "Where", "text", max_length=200, missing="Enter where the appointment is"),
        FormField("reason", "Why is it being rearranged?", "textarea", missing="Enter why it is being rearranged"),
    ]

    def save(values: dict[str, Any]) -> str:
        new = contact_services.appointment_rearrange(
            actor=request.user, person=person, contact_id=booked.pk, version=posted_version(request),
            when=_when(values["date"], values["time"]), reason=values["reason"], location=values["location"],
        )  # fmt: skip
        return f"{new.get_type_display()} moved to {uk_datetime(new.date)}"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial={"location": booked.location},
        hidden={"version": str(booked.version)},
        done_url=case_url(person.crn, "contacts"),
        context={
            "person": person,
            "heading": "Rearrange an appointment",
            "intro": f"{booked.get_type_display()}, {uk_datetime(booked.date)}"
            + (f", {booked.location}" if booked.location else ""),
            "submit": "Rearrange",
        },
    )
