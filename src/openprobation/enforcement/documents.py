"""The enforcement documents, built from the record: the warning letter (a warning decided on a failure to comply)
and the breach report (a breach in progress and its report draft). Each is a context read from the case, rendered
by ``documents.pdf.render_pdf``; the names on the record are the known words of the report's spell-check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openprobation.contacts.choices import ContactOutcome, ContactType
from openprobation.documents.pdf import render_pdf
from openprobation.documents.spelling import check_spelling
from openprobation.enforcement.choices import DecisionStatus, EnforcementAction, WarningLetterType
from openprobation.enforcement.models import Breach, BreachReport, EnforcementDecision
from openprobation.organisation.models import Staff
from openprobation.people.models import Address, Person
from openprobation.risk.models import Registration
from openprobation.rules import breach as breach_rules
from openprobation.rules import enforcement as rules
from openprobation.rules.registrations import registration_type, rosh_codes
from openprobation.sentences.choices import REQUIREMENT_UNITS, RequirementType, SentenceType
from openprobation.sentences.models import Event

# How long the person has to respond to a warning (domain notes, enforcement section 1.6: 7 days [S/C]).
RESPONSE_DAYS = 7


def _name(staff: Staff | None) -> str:
    return f"{staff.first_name} {staff.last_name}" if staff is not None else ""


def _address(person: Person) -> Address | None:
    return Address.objects.filter(person=person, end_date__isnull=True).order_by("-start_date", "-id").first()


def _order(event: Event | None) -> dict[str, Any] | None:
    if event is None:
        return None
    length = f"{event.length_months} months" if event.length_months else ""
    return {
        "number": event.number,
        "type": SentenceType(event.sentence_type).label,
        "sentence_date": event.sentence_date,
        "length": length,
        "requirements": [
            {"type": RequirementType(r.type).label, "length": f"{r.length} {REQUIREMENT_UNITS.get(r.type, '')}".strip(),
             "start_date": r.start_date}
            for r in event.requirements.all()
        ],
    }  # fmt: skip


def _failure(decision: EnforcementDecision) -> dict[str, Any]:
    contact = decision.contact
    requirement = contact.requirement
    return {
        "id": decision.pk,
        "failed_on": decision.failed_on,
        "what": ContactOutcome(decision.failure_outcome).label,
        "appointment": ContactType(contact.type).label,
        "requirement": RequirementType(requirement.type).label if requirement is not None else "the whole order",
        "notes": contact.notes,
        "acceptable": decision.acceptable,
        "action": rules.ACTION_WORDS[rules.Action(decision.action)] if decision.action else "awaiting a decision",
        "reason": decision.reason,
        "decided_on": decision.decided_on,
    }


def _warnings(person: Person) -> list[dict[str, Any]]:
    labels = dict(WarningLetterType.choices)
    return [
        {"type": labels.get(d.warning_type, d.warning_type), "decided_on": d.decided_on, "failed_on": d.failed_on,
         "letter_generated_at": d.letter_generated_at}
        for d in EnforcementDecision.objects.filter(person=person, status=DecisionStatus.DECIDED,
                                                    action=EnforcementAction.WARNING).order_by("decided_on", "pk")
    ]  # fmt: skip


def _rosh_history(person: Person) -> list[dict[str, Any]]:
    levels = rosh_codes()
    rows = []
    for r in Registration.objects.filter(person=person, code__in=list(levels)).order_by("start_date", "pk"):
        kind = registration_type(r.code)
        rows.append({"level": levels[r.code].replace("_", " ").capitalize(),
                     "description": kind.name if kind else r.code, "start_date": r.start_date,
                     "end_date": r.end_date})  # fmt: skip
    return rows


def known_words(person: Person, *staff: Staff | None) -> list[str]:
    """The names on the record the spell-check should accept: the person's, the staff's, the team's and PDU's, the
    address and the people in their life."""
    words = [person.first_name, person.last_name]
    for member in staff:
        if member is not None:
            words += [member.first_name, member.last_name]
    if person.team is not None:
        words += [person.team.name, person.team.pdu.name]
    address = _address(person)
    if address is not None:
        words += [address.line1, address.line2, address.town]
    words += [n for r in person.relationships.all() for n in (r.first_name, r.last_name)]
    return words


def spelling_problems(report: BreachReport) -> dict[str, list[str]]:
    """The spell-check's messages for each section the author wrote, with the names on the record as known words."""
    breach = report.breach
    known = known_words(breach.person, report.author, breach.person.practitioner)
    out: dict[str, list[str]] = {}
    for key in breach_rules.SECTION_KEYS:
        messages = [p.message for p in check_spelling(getattr(report, key), known_words=known)]
        if messages:
            out[key] = messages
    return out


def report_facts(report: BreachReport, *, report_date: dt.date | None = None) -> breach_rules.ReportFacts:
    breach = report.breach
    decisions = EnforcementDecision.objects.filter(person=breach.person)
    failures = {
        d.pk: breach_rules.FailureFacts(d.pk, d.failed_on, d.status == DecisionStatus.DECIDED, d.acceptable, d.action)
        for d in decisions
    }
    event = breach.event
    return breach_rules.ReportFacts(
        report_date=report_date or report.report_date,
        aware_on=breach.aware_on,
        decided_on=breach.started_on,
        sentence_date=event.sentence_date if event is not None else None,
        sections={key: getattr(report, key) for key in breach_rules.SECTION_KEYS},
        cited=[int(c) for c in report.cited],
        failures=failures,
        warnings_on=[d.decided_on for d in decisions if d.action == EnforcementAction.WARNING and d.decided_on],
    )


@dataclass(frozen=True)
class Document:
    filename: str
    pdf: bytes


def breach_report_pdf(report: BreachReport, *, steps: list[dict[str, Any]], compliance: Any) -> Document:
    breach = report.breach
    person = breach.person
    cited = {d.pk: d for d in EnforcementDecision.objects.filter(person=person, pk__in=report.cited)
             .select_related("contact", "contact__requirement")}  # fmt: skip
    failures = [_failure(cited[int(i)]) for i in dict.fromkeys(report.cited) if int(i) in cited]
    context = {
        "title": f"Breach report: {person.first_name} {person.last_name}",
        "footer": f"{person.crn} {person.first_name} {person.last_name}: breach report",
        "person": person,
        "address": _address(person),
        "order": _order(breach.event),
        "breach": breach,
        "report": report,
        "failures": failures,
        "warnings": _warnings(person),
        "compliance": compliance,
        "rosh_history": _rosh_history(person),
        "sections": [(s.title, getattr(report, s.key)) for s in breach_rules.SECTIONS],
        "section_text": {s.key: getattr(report, s.key) for s in breach_rules.SECTIONS},
        "steps": steps,
        "author": _name(report.author),
        "approved_by": _name(breach.approved_by),
        "team": person.team.name if person.team is not None else "",
    }
    pdf = render_pdf("enforcement/breach_report.html", context)
    return Document(f"breach-report-{person.crn}-{breach.pk}.pdf", pdf)


def warning_letter_pdf(decision: EnforcementDecision, *, today: dt.date, officer: Staff | None) -> Document:
    person = decision.person
    policy = rules.enforcement_policy()
    labels = dict(WarningLetterType.choices)
    after_this = rules.warning_or_breach((decision.warnings_before or 0) + 1, policy)
    context = {
        "title": f"{labels[decision.warning_type]}: failure to comply",
        "footer": f"{person.crn} {person.first_name} {person.last_name}: warning letter",
        "person": person,
        "address": _address(person),
        "letter_date": today,
        "respond_by": today + dt.timedelta(days=RESPONSE_DAYS),
        "warning_type": labels[decision.warning_type],
        "final": decision.warning_type == WarningLetterType.FINAL,
        "order": _order(decision.event),
        "failure": _failure(decision),
        "next_is_breach": after_this.breach_required or decision.warning_type == WarningLetterType.FINAL,
        "period_months": policy.period_months,
        "officer": _name(officer),
        "team": person.team.name if person.team is not None else "",
        "reference": f"{person.crn}/W{decision.pk}"[:30],
    }
    pdf = render_pdf("enforcement/warning_letter.html", context)
    return Document(f"warning-letter-{person.crn}-{decision.pk}.pdf", pdf)


def step_rows(breach: Breach, report: BreachReport | None) -> list[dict[str, Any]]:
    """The breach's steps in order, each with its day (and time, when recorded with one) or none yet."""
    when: dict[breach_rules.Step, dt.date | dt.datetime | None] = {
        breach_rules.Step.AWARE: breach.aware_on,
        breach_rules.Step.DECIDED: breach.started_on,
        breach_rules.Step.REFERRAL_ACCEPTED: breach.referral_accepted_on,
        breach_rules.Step.REPORT_DRAFTED: report.drafted_at if report is not None else None,
        breach_rules.Step.REPORT_CHECKED: report.checked_at if report is not None else None,
        breach_rules.Step.APPROVED: breach.approved_at,
        breach_rules.Step.SENT: breach.sent_on,
        breach_rules.Step.PRESENTED: breach.presented_on,
        breach_rules.Step.OUTCOME: breach.ended_on,
    }
    rows = []
    for step, at in when.items():
        if step is breach_rules.Step.REFERRAL_ACCEPTED and at is None:
            continue  # only a referred breach has this step
        rows.append({"step": step.value, "label": breach_rules.STEP_WORDS[step], "at": at,
                     "has_time": isinstance(at, dt.datetime)})  # fmt: skip
    return rows
