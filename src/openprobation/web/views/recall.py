"""Licence recall from the pages: start a recommendation, the SPO's decision, the recall type, the countersignatures
(SPO, then senior manager), the Part A sent, and the decision-not-to-recall letter. Each form calls the same service
as the API (``recall.services``): the same checks, the same audit; each page shows only the step the user's role may
take next. The Part A and the letter download as PDFs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openprobation.core.errors import NotFound, ValidationFailed
from openprobation.organisation.choices import Role
from openprobation.people import selectors as people_selectors
from openprobation.people.access import can_write, has_role
from openprobation.recall import documents as recall_documents
from openprobation.recall import selectors as recall_selectors
from openprobation.recall import services as recall_services
from openprobation.recall.choices import RecallReason, RecallStatus, RecallType, SpoDecision, WhyConsidered
from openprobation.rules import recall as recall_rules
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.work_forms import FormField
from openprobation.workitems import selectors as workitem_selectors

YES_NO = [("yes", "Yes"), ("no", "No")]
STEPS = ("decision", "type", "countersign-spo", "countersign-senior", "sent", "letter")
TEXT_LIMIT = recall_services.TEXT_LIMIT


def _detail_url(crn: str, recommendation_id: int) -> str:
    return reverse("web:recall", args=[crn, recommendation_id])


@staff_page
def recall_start(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    codes = recall_rules.recall_policy().codes
    fields = [
        FormField("circumstances", "Circumstances", "textarea", max_length=TEXT_LIMIT,
                  hint="Why recall is being considered, and why the risk can no longer be managed in the community",
                  missing="Enter the circumstances"),
        FormField("recall_reason", "Has the person been charged with or convicted of a further offence?", "radios",
                  options=RecallReason.choices, missing="Select whether they have been charged or convicted"),
        FormField("charged_with_serious_offence", "Charged with a serious offence?", "radios", options=YES_NO,
                  inline=True, missing="Select yes or no"),
        FormField("exclusions", "Exclusions from a fixed-term recall", "checkboxes", required=False,
                  options=[(code, words[0].upper() + words[1:]) for code, words in codes.items()],
                  hint="Select all that apply"),
        FormField("alternatives_tried", "Alternatives to recall tried", "textarea", required=False,
                  max_length=TEXT_LIMIT, hint="Warnings, increased reporting, new conditions, other agencies"),
    ]  # fmt: skip
    made: dict[str, int] = {}

    def save(values: dict[str, Any]) -> str:
        rec = recall_services.recommendation_start(
            actor=request.user, person=person, circumstances=values["circumstances"],
            recall_reason=values["recall_reason"],
            charged_with_serious_offence=values["charged_with_serious_offence"] == "yes",
            exclusions=values.get("exclusions") or [], alternatives_tried=values.get("alternatives_tried") or "",
        )  # fmt: skip
        made["id"] = rec.pk
        return "Recall recommendation started: the SPO has been asked to decide"

    return form_page(request, fields=fields, save=save, done_url=case_url(person.crn, "recall"),
                     success_url=lambda: _detail_url(person.crn, made["id"]),
                     context={"person": person, "heading": "Recommend a recall",
                              "submit": "Start the recommendation"})  # fmt: skip


def _step_fields(step: str) -> tuple[list[FormField], str, str]:
    """(fields, heading, submit) of each step's form."""
    if step == "decision":
        return [
            FormField("decision", "Decision", "radios", options=SpoDecision.choices, missing="Select the decision"),
            FormField("rationale", "Rationale", "textarea", max_length=TEXT_LIMIT, missing="Enter the rationale"),
        ], "Record the decision on recall", "Record the decision"
    if step == "type":
        return [
            FormField("recall_type", "Recall type", "radios", options=RecallType.choices,
                      missing="Select the recall type"),
            FormField("emergency", "Emergency recall?", "radios", options=YES_NO, inline=True,
                      missing="Select yes or no"),
            FormField("reasons", "Reasons for the recall type", "textarea", max_length=TEXT_LIMIT,
                      missing="Enter the reasons"),
        ], "Choose the recall type", "Save the recall type"  # fmt: skip
    if step in ("countersign-spo", "countersign-senior"):
        return [FormField("comment", "Comment", "textarea", max_length=TEXT_LIMIT, missing="Enter your comment")], (
            "Countersign as the SPO" if step == "countersign-spo" else "Countersign as the senior manager"
        ), "Countersign"
    if step == "sent":
        return [FormField("confirm", "The countersigned Part A has been sent to PPCS", "checkboxes",
                          options=[("yes", "Yes, it has been sent")], missing="Confirm it has been sent")], (
            "Record the Part A sent"), "Record it sent"  # fmt: skip
    return [
        FormField("why_considered", "Why recall was considered", "radios", options=WhyConsidered.choices,
                  missing="Select why recall was considered"),
        *(FormField(f"reason_{key}", words, "textarea", max_length=TEXT_LIMIT, missing=f"Enter {words.lower()}")
          for key, words in recall_services.LETTER_REASON_WORDS.items()),
        FormField("next_appointment", "Next appointment", "text", required=False, max_length=200,
                  hint="For example: office, 1 December 2026 at 10:00"),
    ], "Write the decision-not-to-recall letter", "Save the letter"  # fmt: skip


@staff_page
def recall_step(request: HttpRequest, crn: str, recommendation_id: int, step: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    rec = recall_selectors.recommendation_get(person=person, recommendation_id=recommendation_id)
    if step not in STEPS:
        raise NotFound(f"No step {step!r} of a recall")
    fields, heading, submit = _step_fields(step)
    actor = request.user

    def save(values: dict[str, Any]) -> str:
        common: dict[str, Any] = {"actor": actor, "person": person, "recommendation_id": rec.pk,
                                  "version": posted_version(request)}
        if step == "decision":
            recall_services.spo_decision_record(**common, decision=values["decision"], rationale=values["rationale"])
            return "Decision recorded"
        if step == "type":
            recall_services.recall_type_choose(**common, recall_type=values["recall_type"],
                                               emergency=values["emergency"] == "yes", reasons=values["reasons"])
            return "Recall type saved: the SPO is asked to countersign"
        if step in ("countersign-spo", "countersign-senior"):
            recall_services.countersign(**common, level=step.removeprefix("countersign-"), comment=values["comment"])
            return "Countersigned"
        if step == "sent":
            recall_services.part_a_sent(**common)
            return "Part A recorded as sent to PPCS"
        reasons = {key: values[f"reason_{key}"] for key in recall_services.LETTER_REASONS}
        recall_services.no_recall_letter_record(**common, why_considered=values["why_considered"], reasons=reasons,
                                                next_appointment=values.get("next_appointment") or "")  # fmt: skip
        return "Letter written"

    intro = ""
    if step == "type":
        answer = recall_selectors.rule_answer(rec)
        intro = ("The rules allow: " + ("fixed-term recall" if answer.fixed_term_allowed else "")
                 + (" or " if answer.fixed_term_allowed and answer.standard_allowed else "")
                 + ("standard recall" if answer.standard_allowed else "")
                 + (" (fixed-term is mandatory)" if answer.fixed_term_mandatory else "")
                 + (f"; a fixed-term recall is {answer.fixed_term_days} days" if answer.fixed_term_days else "")
                 + f" (rule {answer.rule_version}).")  # fmt: skip
    return form_page(request, fields=fields, save=save, done_url=_detail_url(person.crn, rec.pk),
                     hidden={"version": str(rec.version)},
                     context={"person": person, "heading": heading, "submit": submit, "intro": intro})  # fmt: skip


@staff_page
def recall_detail(request: HttpRequest, crn: str, recommendation_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    rec = recall_selectors.recommendation_get(person=person, recommendation_id=recommendation_id)
    status = rec.status
    writer = can_write(request.user)
    steps = {
        RecallStatus.AWAITING_SPO_DECISION: ("decision", has_role(request.user, Role.SPO)),
        RecallStatus.RECALL_DECIDED: ("type", writer),
        RecallStatus.AWAITING_SPO_COUNTERSIGNATURE: ("countersign-spo", has_role(request.user, Role.SPO)),
        RecallStatus.AWAITING_SENIOR_COUNTERSIGNATURE: ("countersign-senior",
                                                        has_role(request.user, Role.HEAD_OF_SERVICE)),
        RecallStatus.COUNTERSIGNED: ("sent", writer),
        RecallStatus.NO_RECALL_DECIDED: ("letter", writer),
    }  # fmt: skip
    step, allowed = steps.get(RecallStatus(status), ("", False))
    return render(request, "web/recall.html", {
        "person": person, "rec": rec, "step": step if allowed else "", "waiting_for": step and not allowed,
        "clock": workitem_selectors.case_clocks(person=person).recall, "back_url": case_url(person.crn, "recall"),
        "part_a": status in (RecallStatus.COUNTERSIGNED, RecallStatus.SENT),
        "letter": status == RecallStatus.NO_RECALL_CLOSED,
    })  # fmt: skip


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_page
def recall_part_a(request: HttpRequest, crn: str, recommendation_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    rec = recall_services.part_a_generated(actor=request.user, person=person, recommendation_id=recommendation_id)
    return _pdf(recall_documents.part_a_pdf(person=person, recommendation_id=rec.pk), f"part-a-{crn}-{rec.pk}.pdf")


@staff_page
def recall_letter(request: HttpRequest, crn: str, recommendation_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    rec = recall_selectors.recommendation_get(person=person, recommendation_id=recommendation_id)
    if rec.status != RecallStatus.NO_RECALL_CLOSED:
        raise ValidationFailed.single("status", "The letter is produced once its words are recorded")
    return _pdf(recall_documents.no_recall_letter_pdf(person=person, recommendation_id=rec.pk),
                f"decision-not-to-recall-{crn}-{rec.pk}.pdf")  # fmt: skip
