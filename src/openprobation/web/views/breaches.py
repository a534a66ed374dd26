"""The breach pages: a breach with its steps, clock and report (``breach``), the report's draft form
(``breach_report``), its PDF (``breach_report_pdf``), and a warning's letter (``warning_letter``). Each action posts
to the breach page and calls the same service as the API (``enforcement.breaches``): the same rules, version checks
and audit. A refused action shows the breach page again with the GOV.UK error summary, and nothing has changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openprobation.core import clock
from openprobation.core.errors import ValidationFailed, VersionConflict
from openprobation.enforcement import breaches
from openprobation.enforcement import selectors as enforcement_selectors
from openprobation.enforcement.choices import BreachOutcome, DecisionStatus
from openprobation.organisation.choices import Role
from openprobation.people import selectors as people_selectors
from openprobation.people.access import can_write, has_role, require_write
from openprobation.rules import breach as rules
from openprobation.rules.dates import long_date
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.forms import STALE_MESSAGE, ErrorItem
from openprobation.web.work_forms import FormField, ParsedForm, parse

ON = FormField("on", "Date", "date", missing="Enter the date")
ACTIONS: dict[str, tuple[list[FormField], str]] = {
    "check": ([], "Breach report checked"),
    "approve": ([FormField("override_reason", "Reason for approving a report that did not pass its check",
                           "textarea", required=False, max_length=breaches.OVERRIDE_LIMIT)],
                "Breach report approved"),
    "referral": ([ON], "Breach referral accepted"),
    "sent": ([ON], "Breach recorded as sent to court"),
    "presented": ([ON], "Breach recorded as presented at court"),
    "outcome": ([FormField("outcome", "Outcome", "radios", options=BreachOutcome.choices,
                           missing="Select the outcome"), ON], "Breach outcome recorded: the breach has ended"),
}  # fmt: skip


def _url(crn: str, breach_id: int) -> str:
    return reverse("web:breach", args=[crn, breach_id])


def _do(request: HttpRequest, person: Any, breach: Any, action: str, values: dict[str, Any]) -> None:
    version = posted_version(request)
    common = {"actor": request.user, "person": person, "breach_id": breach.pk}
    if action == "check":
        breaches.breach_report_check(**common, version=version)
    elif action == "approve":
        breaches.breach_approve(**common, version=version, override_reason=values.get("override_reason", ""))
    elif action == "referral":
        breaches.breach_referral_accept(**common, version=version, on=values["on"])
    elif action == "sent":
        breaches.breach_send(**common, version=version, on=values["on"])
    elif action == "presented":
        breaches.breach_present(**common, version=version, on=values["on"])
    else:
        breaches.breach_outcome_record(**common, version=version, outcome=values["outcome"], on=values["on"])


@staff_page
def breach(request: HttpRequest, crn: str, breach_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    record = enforcement_selectors.breach_get(person=person, breach_id=breach_id)
    errors: list[ErrorItem] = []
    form: ParsedForm | None = None
    if request.method == "POST":
        require_write(request.user)
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return redirect(_url(crn, breach_id))
        fields, message = ACTIONS[action]
        form = parse(fields, request.POST)
        errors = list(form.summary)
        if not errors:
            try:
                _do(request, person, record, action, form.values)
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
                errors = list(form.summary)
            except VersionConflict:
                errors = [ErrorItem("", "", STALE_MESSAGE)]
            else:
                messages.success(request, message)
                return redirect(_url(crn, breach_id))
        record = enforcement_selectors.breach_get(person=person, breach_id=breach_id)
    view = enforcement_selectors.breach_view(person=person, breach=record, now=clock.now())
    report = view.report
    checked_current = report is not None and report.checked_version == report.version
    # The check's problems, each linking to its question on the report form (the dates link to the form's top).
    problems = report.problems if checked_current and report is not None else []
    check_errors = [{"anchor": p["section"] if p["section"] in rules.SECTION_KEYS else "cited",
                     "message": p["message"]} for p in problems]  # fmt: skip
    today = clock.today()
    context = {
        "person": person,
        "breach": record,
        "view": view,
        "report": report,
        "errors": errors,
        "form": form,
        "check_errors": check_errors,
        "report_url": reverse("web:breach-report", args=[crn, breach_id]),
        "can_write": can_write(request.user),
        "is_spo": has_role(request.user, Role.SPO),
        "outcomes": BreachOutcome.choices,
        "today": today,
        "back_url": case_url(person.crn, "breaches"),
        "checked_current": checked_current,
    }
    return render(request, "web/breach.html", context, status=200)


@staff_page
def breach_report(request: HttpRequest, crn: str, breach_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    record = enforcement_selectors.breach_get(person=person, breach_id=breach_id)
    report = enforcement_selectors.breach_report(breach=record)
    decisions = [d for d in enforcement_selectors.enforcement_decision_list(person=person)
                 if d.status == DecisionStatus.DECIDED and d.acceptable is False]  # fmt: skip
    options = [(str(d.pk), f"{long_date(d.failed_on)}: {d.contact.get_outcome_display().lower()} "
                           f"({d.get_action_display().lower()})") for d in decisions]  # fmt: skip
    fields = [
        FormField("cited", "Failures to comply cited", "checkboxes", options=options, required=False,
                  hint="The failures the court is asked to find in breach; each must have been judged unacceptable"),
        *(FormField(s.key, s.title, "textarea", hint=s.hint, required=False, max_length=breaches.SECTION_LIMIT)
          for s in rules.SECTIONS),
    ]  # fmt: skip
    if report is None:
        initial: dict[str, Any] = {"cited": [str(d.pk) for d in enforcement_selectors.breach_decisions(breach=record)]}
    else:
        initial = {"cited": [str(i) for i in report.cited], **{k: getattr(report, k) for k in rules.SECTION_KEYS}}

    def save(values: dict[str, Any]) -> str:
        version = posted_version(request)
        breaches.breach_report_save(
            actor=request.user, person=person, breach_id=record.pk, version=version or None,
            sections={k: values[k] for k in rules.SECTION_KEYS}, cited=[int(c) for c in values["cited"]],
        )  # fmt: skip
        return "Breach report saved: check it before it goes to the senior probation officer"

    return form_page(
        request, fields=fields, save=save, initial=_initial_data(initial), done_url=_url(crn, breach_id),
        hidden={"version": str(report.version) if report is not None else "0"},
        context={"person": person, "heading": "Breach report", "submit": "Save the draft",
                 "intro": "The person, the order, each failure with its date and decision, the warnings and the "
                          "risk history are filled in from the record. Write the sections below."},
    )  # fmt: skip


class _Initial(dict[str, Any]):
    """Initial form data that answers ``getlist`` for the checkboxes, as a posted form does."""

    def getlist(self, key: str) -> list[str]:
        value = self.get(key, [])
        return list(value) if isinstance(value, list) else [value]


def _initial_data(values: dict[str, Any]) -> dict[str, Any]:
    return _Initial(values)


@staff_page
def breach_report_pdf(request: HttpRequest, crn: str, breach_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    document = breaches.breach_report_document(person=person, breach_id=breach_id)
    return _pdf(document)


@staff_page
def warning_letter(request: HttpRequest, crn: str, decision_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect(case_url(crn, "enforcement"))
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=False)
    return _pdf(breaches.warning_letter_generate(actor=request.user, person=person, decision_id=decision_id))


def _pdf(document: Any) -> HttpResponse:
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response
