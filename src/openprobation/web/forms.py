"""Forms for the pages: they parse what was typed and report problems in the GOV.UK error-message style.

Business rules (which outcome suits which contact type, how far ahead a date may be) live in the services;
``field_errors`` merges the form's parsing errors with the service's field errors for the error summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from openprobation.contacts.choices import ContactOutcome, ContactType
from openprobation.core.errors import FieldError
from openprobation.web.dates import parse_date_input, parse_time_input

NO_OUTCOME = "none"
STALE_MESSAGE = (
    "Someone else changed this record since you opened the page. Nothing has been saved: go back to see their "
    "changes, then make yours again."
)

class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username"})
    password = forms.CharField(max_length=4096, strip=False, error_messages={"required": "Enter your password"})


@dataclass(frozen=True)
class ContactFilters:
    """The activity log's filters as applied: each valid one kept; each invalid one named in ``errors``."""

    type: str
    outcome: str
    errors: tuple[str, ...]


def contact_filters(query: Mapping[str, str]) -> ContactFilters:
    """Parse ``?type=&outcome=`` one filter at a time, so a bad value drops only itself and says so."""
    errors: list[str] = []
    type_value, outcome_value = query.get("type", ""), query.get("outcome", "")
    if type_value and type_value not in ContactType.values:
        errors.append("The contact type filter was not recognised, so contacts of every type are shown")
        type_value = ""
    if outcome_value and outcome_value not in ContactOutcome.values:
        errors.append("The outcome filter was not recognised, so contacts with any outcome are shown")
        outcome_value = ""
    return ContactFilters(type=type_value, outcome=outcome_value, errors=tuple(errors))


class ContactForm(forms.Form):
    """Record a contact: type, date (day, month, year) and time, outcome and notes."""

    type = forms.ChoiceField(choices=ContactType.choices, error_messages={"required": "Select the type of contact"})
    date_day = forms.CharField(required=False, max_length=2)
    date_month = forms.CharField(required=False, max_length=2)
    date_year = forms.CharField(required=False, max_length=4)
    time = forms.CharField(required=False, max_length=5)
    outcome = forms.ChoiceField(choices=[*ContactOutcome.choices, (NO_OUTCOME, "No outcome yet")], required=False)
    notes = forms.CharField(
        required=False,
        strip=False,  # the service refuses notes of only spaces (rather than saving them as none)
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"max_length": "Notes must be %(limit_value)d characters or fewer"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["type"].error_messages["invalid_choice"] = "Select the type of contact"
        self.fields["outcome"].error_messages["invalid_choice"] = "Select an outcome from the list"
        self.date_error = ""
        self.time_error = ""

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        date, self.date_error = parse_date_input(
            *(data.get(f"date_{p}", "") for p in ("day", "month", "year")),
            label="the date of the contact",
            missing="Enter the date of the contact",
        )
        time: dt.time | None = None
        raw_time = data.get("time", "").strip()
        time, self.time_error = parse_time_input(raw_time, label="the contact")
        if self.date_error or self.time_error:
            # Keeps is_valid() false; the message itself is shown against the date or time input.
            self.add_error(None, self.date_error or self.time_error)
        data["when"] = timezone.make_aware(dt.datetime.combine(date, time)) if date and time else None
        data["outcome_value"] = "" if data.get("outcome") in ("", NO_OUTCOME, None) else data["outcome"]
        return data


@dataclass(frozen=True)
class ErrorItem:
    field: str
    anchor: str
    message: str


# Where the error summary links to for each field: the first input of a group (GOV.UK pattern).
CONTACT_ANCHORS = {"type": "type", "date": "date-day", "time": "time", "outcome": "outcome",
                   "event_number": "event_number", "notes": "notes"}  # fmt: skip
CONTACT_ORDER = ("type", "date", "time", "outcome", "event_number", "notes")


def contact_field_errors(form: ContactForm, service_errors: tuple[FieldError, ...] = ()) -> dict[str, ErrorItem]:
    """The first problem with each field of the record-contact form, in the order the fields appear."""
    found: dict[str, str] = {}
    for name in ("type", "outcome", "notes"):
        if form.errors.get(name):
            found[name] = str(form.errors[name][0])
    if form.date_error:
        found["date"] = form.date_error
    if form.time_error:
        found["time"] = form.time_error
    general: list[str] = []
    for error in service_errors:
        field = str(error.path[0]) if error.path else ""
        if field in CONTACT_ANCHORS:
            found.setdefault(field, error.message)
        else:
            general.append(error.message)
    items = {f: ErrorItem(f, CONTACT_ANCHORS[f], found[f]) for f in CONTACT_ORDER if f in found}
    for n, message in enumerate(general):
        items[f"general-{n}"] = ErrorItem("", "", message)
    return items
