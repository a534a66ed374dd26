"""Recording a sentence and changing it from the pages: the kind of sentence (determinate, extended, indeterminate)
with the terms each kind has revealed under it (GOV.UK conditional reveals), whether the person was sentenced as a
youth, and the release, licence expiry and sentence expiry dates. Each form calls the same service as the API
(``sentences.services.event_create`` and ``event_update``): the same checks, version check and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse

from openprobation.people import selectors as people_selectors
from openprobation.sentences import selectors as sentence_selectors
from openprobation.sentences import services as sentence_services
from openprobation.sentences.choices import IndeterminateType, SentenceKind, SentenceType
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.work_forms import FormField, as_bool, yes_no

MONTHS_HINT = "In months, for example 24 for two years"
KIND_FIELDS = ("sentence_kind", "indeterminate_type", "length_months", "custodial_term_months",
               "extension_period_months", "tariff_months")  # fmt: skip
DATE_FIELDS = ("release_date", "licence_expiry_date", "sentence_expiry_date")


def _sentence_fields() -> list[FormField]:
    """The questions about the sentence itself, shared by both forms."""
    kind = FormField(
        "sentence_kind", "Kind of sentence", "radios", options=SentenceKind.choices,
        hint="Extended and indeterminate sentences are custody or a licence",
        missing="Select the kind of sentence",
        conditional=(
            (SentenceKind.DETERMINATE.value,
             FormField("length_months", "Length", "number", hint=MONTHS_HINT, missing="Enter the sentence length")),
            (SentenceKind.EXTENDED.value,
             FormField("custodial_term_months", "Custodial term", "number", hint=MONTHS_HINT,
                       missing="Enter the custodial term")),
            (SentenceKind.EXTENDED.value,
             FormField("extension_period_months", "Extension period", "number", hint=MONTHS_HINT + ", on licence",
                       missing="Enter the extension period")),
            (SentenceKind.INDETERMINATE.value,
             FormField("indeterminate_type", "Type of indeterminate sentence", "radios",
                       options=IndeterminateType.choices, missing="Select life, IPP or DPP")),
            (SentenceKind.INDETERMINATE.value,
             FormField("tariff_months", "Tariff (minimum term)", "number", hint=MONTHS_HINT,
                       missing="Enter the tariff")),
        ),
    )  # fmt: skip
    return [
        FormField("sentence_type", "Sentence type", "radios", options=SentenceType.choices,
                  missing="Select the sentence type"),
        kind,
        yes_no("sentenced_as_youth", "Were they sentenced as a youth?", hint="Under 18 when sentenced",
               missing="Select yes if they were sentenced as a youth"),
        FormField("release_date", "Release date (optional)", "date", required=False,
                  hint="Custody, licence or post-sentence supervision. For example, 27 3 2026"),
        FormField("licence_expiry_date", "Licence expiry date (optional)", "date", required=False,
                  hint="Leave blank for a life licence. For example, 27 3 2030"),
        FormField("sentence_expiry_date", "Sentence expiry date (optional)", "date", required=False,
                  hint="Leave blank for an indeterminate sentence. For example, 27 3 2030"),
    ]  # fmt: skip


def _sentence_values(values: dict[str, Any]) -> dict[str, Any]:
    """The form's answers as the service takes them (a term not revealed for the chosen kind is none)."""
    return {
        "sentence_type": values["sentence_type"],
        **{name: values[name] for name in KIND_FIELDS},
        "sentenced_as_youth": as_bool(values["sentenced_as_youth"]),
        **{name: values[name] for name in DATE_FIELDS},
    }


def _date_initial(name: str, day: dt.date | None) -> dict[str, str]:
    if day is None:
        return {}
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def _context(person: Any, heading: str, submit: str) -> dict[str, Any]:
    return {"person": person, "heading": heading, "submit": submit}


@staff_page
def event_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    fields = [
        FormField("offence_code", "Offence code", "text", max_length=5, hint="The Home Office code, 5 digits",
                  missing="Enter the offence code"),
        FormField("conviction_date", "Conviction date", "date", missing="Enter the conviction date"),
        FormField("sentence_date", "Sentence date", "date", missing="Enter the sentence date"),
        *_sentence_fields(),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        event = sentence_services.event_create(
            actor=request.user, person=person, offence_code=values["offence_code"],
            conviction_date=values["conviction_date"], sentence_date=values["sentence_date"],
            **_sentence_values(values),
        )  # fmt: skip
        return f"Event {event.number} recorded"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial={"sentence_kind": SentenceKind.DETERMINATE, "sentenced_as_youth": "no"},
        done_url=case_url(person.crn, "sentences"),
        context=_context(person, "Record a sentence", "Record the sentence"),
    )


@staff_page
def event_sentence_change(request: HttpRequest, crn: str, number: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    event = sentence_selectors.event_get(person=person, number=number)
    fields = [FormField("sentence_date", "Sentence date", "date", missing="Enter the sentence date"),
              *_sentence_fields()]  # fmt: skip
    initial: dict[str, str] = {
        "sentence_type": event.sentence_type,
        "sentence_kind": event.sentence_kind,
        "indeterminate_type": event.indeterminate_type,
        "sentenced_as_youth": "yes" if event.sentenced_as_youth else "no",
        **{
            name: str(getattr(event, name))
            for name in ("custodial_term_months", "extension_period_months", "tariff_months")
            if getattr(event, name) is not None
        },
        **_date_initial("sentence_date", event.sentence_date),
        **{k: v for name in DATE_FIELDS for k, v in _date_initial(name, getattr(event, name)).items()},
    }
    if event.sentence_kind == SentenceKind.DETERMINATE and event.length_months is not None:
        initial["length_months"] = str(event.length_months)

    def save(values: dict[str, Any]) -> str:
        sentence_services.event_update(
            actor=request.user,
            person=person,
            number=event.number,
            version=posted_version(request),
            changes={"sentence_date": values["sentence_date"], **_sentence_values(values)},
        )
        return f"Sentence of event {event.number} saved"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial=initial,
        hidden={"version": str(event.version)},
        done_url=case_url(person.crn, "sentences"),
        context=_context(person, f"Change the sentence of event {event.number}", "Save the sentence"),
    )
