"""Risk escalation from the pages: request one from the case's Risk section (only the targets the rules allow are
offered, with the case's recent contacts to choose as evidence), the request with its evidence laid out for the
reviewer, and the SPO's decision. Each form calls the same service as the API (``escalation.services``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from openprobation.core import clock
from openprobation.escalation import selectors as escalation_selectors
from openprobation.escalation import services as escalation_services
from openprobation.escalation.choices import EscalationDecision, EscalationStatus
from openprobation.organisation.choices import Role
from openprobation.people import selectors as people_selectors
from openprobation.people.access import has_role
from openprobation.rules import escalation as escalation_rules
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.templatetags.web_format import uk_datetime
from openprobation.web.work_forms import FormField
from openprobation.workitems import selectors as workitem_selectors

TEXT_LIMIT = escalation_services.TEXT_LIMIT
EXCERPT = 90


def _detail_url(crn: str, escalation_id: int) -> str:
    return reverse("web:escalation", args=[crn, escalation_id])


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


@staff_page
def escalation_start(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    now = clock.now()
    today = timezone.localdate(now)
    allowed = escalation_rules.targets_allowed(
        now=escalation_selectors.picture_now(person=person, today=today),
        holder_grade=escalation_selectors.holder_grade(person), preset=escalation_selectors.preset_now(today))
    teams = escalation_selectors.receiving_teams(person=person)
    conditional: tuple[tuple[str, FormField], ...] = ()
    if escalation_rules.Target.NPS in allowed:
        conditional = (("nps", FormField("receiving_team", "NPS team the case is referred to", "select",
                                         options=[(t.code, f"{t.name} ({t.code})") for t in teams],
                                         missing="Select the NPS team")),)  # fmt: skip
    contacts = escalation_selectors.recent_contacts(person=person, now=now)
    fields = [
        FormField("target", "Escalate the case", "radios",
                  options=[(t.value, escalation_rules.TARGET_WORDS[t]) for t in allowed],
                  missing="Select where the case is to be escalated to", conditional=conditional),
        FormField("reason", "What has changed", "textarea", max_length=TEXT_LIMIT,
                  hint="The changed risk factors and why the case needs a higher level of management. The RoSH and "
                       "MAPPA registrations, scores and tier then and now are gathered from the record for you.",
                  missing="Enter what has changed"),
        FormField("contact_ids", "Contacts behind the request", "checkboxes", required=False,
                  options=[(str(c.pk), f"{uk_datetime(c.date)}, {c.get_type_display()}: {_excerpt(c.notes)}")
                           for c in contacts],
                  hint=f"From the last {escalation_selectors.RECENT_DAYS} days. Contacts since the baseline whose "
                       "notes show warning signs are added as well."),
    ]  # fmt: skip
    made: dict[str, int] = {}

    def save(values: dict[str, Any]) -> str:
        ids = [int(v) for v in values.get("contact_ids") or [] if v.isdigit() and len(v) < 12]
        esc = escalation_services.escalation_request(
            actor=request.user, person=person, target=values["target"], reason=values["reason"], contact_ids=ids,
            receiving_team=values.get("receiving_team") or None)  # fmt: skip
        made["id"] = esc.pk
        return "Risk escalation requested: the manager has been asked to review it"

    intro = "" if allowed else "This case cannot be escalated further: it is at every level the rules allow."
    return form_page(request, fields=fields, save=save, done_url=case_url(person.crn, "risk-escalations"),
                     success_url=lambda: _detail_url(person.crn, made["id"]),
                     context={"person": person, "heading": "Request a risk escalation", "intro": intro,
                              "submit": "Request the escalation"})  # fmt: skip


@staff_page
def escalation_detail(request: HttpRequest, crn: str, escalation_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn)
    esc = escalation_selectors.escalation_get(person=person, escalation_id=escalation_id)
    evidence = esc.evidence or {}
    awaiting = esc.status == EscalationStatus.AWAITING_REVIEW
    contacts = [{**c, "when": dt.datetime.fromisoformat(c["date"])} for c in evidence.get("contacts", [])]
    registrations = [{**r, "start": _day(r["start_date"]), "end": _day(r["end_date"])}
                     for r in evidence.get("registrations", [])]  # fmt: skip
    assessments = [{**a, "day": _day(a.get("completed_date") or a.get("completed_on"))}
                   for a in [*evidence.get("assessments", []), *evidence.get("rosh_assessments", [])]]
    return render(request, "web/escalation.html", {
        "person": person, "esc": esc, "evidence": evidence, "contacts": contacts, "registrations": registrations,
        "assessments": assessments,
        "changed": [c for c in evidence.get("changes", []) if c["direction"] != "unchanged"],
        "unchanged": [c for c in evidence.get("changes", []) if c["direction"] == "unchanged"],
        "can_decide": awaiting and has_role(request.user, Role.SPO), "awaiting": awaiting,
        "clock": workitem_selectors.case_clocks(person=person).escalation if awaiting else None,
        "back_url": case_url(person.crn, "risk-escalations"),
    })  # fmt: skip


@staff_page
def escalation_decision(request: HttpRequest, crn: str, escalation_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    esc = escalation_selectors.escalation_get(person=person, escalation_id=escalation_id)
    target = escalation_rules.Target(esc.target)
    accept_children: list[FormField] = []
    if target in escalation_rules.REALLOCATING_TARGETS:
        officers = escalation_selectors.officers_for(person=person, team_id=esc.receiving_team_id)
        accept_children.append(FormField(
            "practitioner", f"Probation officer in {esc.receiving_team.name} the case moves to", "select",
            options=[(s.code, f"{s.name} ({s.code})") for s in officers], missing="Select the probation officer"))
    if target in escalation_rules.MAPPA_TARGETS and not escalation_selectors.has_mappa(person=person):
        categories = [(c, f"Category {c[1]}") for c in escalation_services.MAPPA_CATEGORIES]
        accept_children.append(FormField("mappa_category", "MAPPA category", "select", options=categories,
                                         missing="Select the MAPPA category"))  # fmt: skip
    accept_children.append(FormField("accept_reason", "Comment", "textarea", required=False, max_length=TEXT_LIMIT))
    decline = FormField("reason", "Why it is declined", "textarea", max_length=TEXT_LIMIT,
                        missing="Enter why the escalation is declined")
    fields = [FormField("decision", "Decision", "radios", options=EscalationDecision.choices,
                        missing="Select accept or decline",
                        conditional=(*(("accept", f) for f in accept_children), ("decline", decline)))]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        accepting = values["decision"] == EscalationDecision.ACCEPT
        escalation_services.escalation_decide(
            actor=request.user, person=person, escalation_id=esc.pk, version=posted_version(request),
            decision=values["decision"], reason=(values.get("accept_reason") if accepting else values.get("reason"))
            or "", practitioner=values.get("practitioner") or "", mappa_category=values.get("mappa_category") or "",
        )  # fmt: skip
        return "Escalation accepted: the case has moved" if accepting else "Escalation declined"

    return form_page(request, fields=fields, save=save, done_url=_detail_url(person.crn, esc.pk),
                     hidden={"version": str(esc.version)},
                     context={"person": person, "heading": "Decide the risk escalation",
                              "intro": f"{esc.get_target_display()}, requested by {esc.requested_by.name}. "
                                       "Accepting moves the case now; declining needs a reason.",
                              "submit": "Record the decision"})  # fmt: skip
