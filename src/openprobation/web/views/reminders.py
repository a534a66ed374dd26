"""A case's contact details and consent to appointment reminders: the change form, and the part of the case's
personal details showing them with the reminders sent, failed or not sent. Saved through
``people.services.person_update`` (the person's version: someone else's change meanwhile is a conflict, nothing
saved)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openprobation.core.errors import ValidationFailed, VersionConflict
from openprobation.notifications import selectors as notification_selectors
from openprobation.people import selectors as people_selectors
from openprobation.people import services as people_services
from openprobation.people.access import require_write
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.forms import ErrorItem

FIELDS = ("mobile_number", "email", "sms_reminders", "email_reminders")
YES_NO = {"yes": True, "no": False}
CONSENT_MISSING = {
    "sms_reminders": "Select yes if they want text message reminders of their appointments",
    "email_reminders": "Select yes if they want email reminders of their appointments",
}
STALE_MESSAGE = (
    "Someone else changed this person's details since you opened this page. Nothing has been saved: go back to the "
    "case to see their changes, then make yours again."
)


def case_reminders_context(person: Any) -> dict[str, Any]:
    """The "Contact details and reminders" part of the case's personal details."""
    return {"reminders": notification_selectors.reminders_for_person(person=person)}


def _initial(person: Any) -> dict[str, str]:
    return {
        "mobile_number": person.mobile_number,
        "email": person.email,
        "sms_reminders": "yes" if person.sms_reminders else "no",
        "email_reminders": "yes" if person.email_reminders else "no",
        "version": str(person.version),
    }


def _parse(data: Any) -> tuple[dict[str, Any], dict[str, ErrorItem]]:
    changes: dict[str, Any] = {
        "mobile_number": data.get("mobile_number", ""),
        "email": data.get("email", ""),
    }
    errors = {}
    for name, message in CONSENT_MISSING.items():
        answer = data.get(name, "")
        if answer in YES_NO:
            changes[name] = YES_NO[answer]
        else:
            errors[name] = ErrorItem(name, name, message)
    return changes, errors


@staff_page
def contact_details(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    require_write(request.user)
    data: Any = _initial(person)
    errors: dict[str, ErrorItem] = {}
    status = 200
    if request.method == "POST":
        data = request.POST
        changes, errors = _parse(data)
        version = data.get("version", "")
        if not errors:
            try:
                if not version.isdigit():
                    raise VersionConflict(person.version)
                people_services.person_update(actor=request.user, person=person, version=int(version),
                                              changes=changes)
            except ValidationFailed as exc:
                for n, e in enumerate(exc.errors):
                    name = str(e.path[0]) if e.path else ""
                    key = name if name in FIELDS else f"general-{n}"
                    errors.setdefault(key, ErrorItem(name if name in FIELDS else "", name if name in FIELDS else "",
                                                     e.message))
            except VersionConflict:
                errors["general-stale"] = ErrorItem("", "", STALE_MESSAGE)
                status = 409
            else:
                messages.success(request, "Contact details and reminders saved")
                return redirect(case_url(person.crn, "contact-details"))
    summary = sorted(errors.values(), key=lambda e: FIELDS.index(e.field) if e.field in FIELDS else -1)
    return render(
        request,
        "web/contact_details.html",
        {"person": person, "data": data, "errors": errors, "summary": summary,
         "cancel_url": case_url(person.crn, "contact-details")},
        status=status,
    )
