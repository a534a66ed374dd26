"""The recall documents, built from the record and the recommendation: the Part A (recall report) once both
countersignatures are in, and the decision-not-to-recall letter once its words are recorded. Rendered to PDF by
``openprobation.documents.pdf``; the section numbers follow the MoJ Part A (FTR56, 26 sections: domain notes,
enforcement-recall section 2.5), with the sections this record does not hold marked as such."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openprobation.documents.pdf import render_pdf
from openprobation.people.models import Person
from openprobation.recall import selectors
from openprobation.recall.choices import RecallStatus, RecallType, WhyConsidered
from openprobation.recall.models import RecallRecommendation
from openprobation.recall.services import LETTER_REASON_WORDS, LETTER_REASONS
from openprobation.risk import selectors as risk_selectors
from openprobation.rules import recall as rules
from openprobation.rules.dates import long_date

NOT_RECORDED = "Not recorded"


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return NOT_RECORDED
    if isinstance(value, dt.datetime):
        return long_date(timezone.localdate(value))
    return long_date(value)


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return NOT_RECORDED
    local = timezone.localtime(value)
    return f"{long_date(local.date())} at {local:%H:%M}"


def _sentence_length(rec: RecallRecommendation) -> str:
    event = rec.event
    if event.sentence_kind == "indeterminate":
        tariff = f", tariff {event.tariff_months} months" if event.tariff_months else ""
        return f"{event.get_indeterminate_type_display() or 'Indeterminate'}{tariff}"
    if event.sentence_kind == "extended":
        return (f"Extended: custodial term {event.custodial_term_months} months, extension period "
                f"{event.extension_period_months} months")  # fmt: skip
    return f"{event.length_months} months" if event.length_months else NOT_RECORDED


def _recall_type_words(rec: RecallRecommendation) -> str:
    kind = rec.event.sentence_kind
    if kind == "indeterminate":
        return "N/A (not a determinate recall): emergency standard recall"
    if kind == "extended":
        return "N/A (extended sentence recall): standard recall"
    label = RecallType(rec.recall_type).label if rec.recall_type else NOT_RECORDED
    days = rec.rule_answer.get("fixed_term_days")
    return f"{label} ({days} days)" if rec.recall_type == RecallType.FIXED_TERM and days else label


def part_a_context(person: Person, rec: RecallRecommendation) -> dict[str, Any]:
    event = rec.event
    policy = rules.recall_policy()
    codes = [policy.codes[c] for c in rec.exclusions]
    registrations = list(risk_selectors.registration_list(person=person, active_only=True))
    answer = rec.rule_answer
    address = person.addresses.filter(end_date__isnull=True).order_by("-start_date").first()
    return {
        "title": "Part A: recall report",
        "footer": f"{person.crn} {person.first_name} {person.last_name}: Part A",
        "person": person,
        "rec": rec,
        "emergency": "Yes" if rec.emergency else "No",
        "indeterminate": event.sentence_kind == "indeterminate",
        "extended": event.sentence_kind == "extended",
        "youth": event.sentenced_as_youth,
        "date_of_birth": _day(person.date_of_birth),
        "address": ", ".join(p for p in (address.line1, address.line2, address.town, address.postcode) if p)
        if address else "No fixed abode recorded",
        "sentence": {
            "offence": f"{event.offence_category or 'Offence'} (code {event.offence_code})",
            "type": event.get_sentence_type_display(),
            "sentence_date": _day(event.sentence_date),
            "length": _sentence_length(rec),
            "release_date": _day(event.release_date),
            "licence_expiry": _day(event.licence_expiry_date),
            "sentence_expiry": _day(event.sentence_expiry_date),
        },
        "licence_conditions": [c.get_type_display() + (f": {c.details}" if c.details else "")
                               for c in event.licence_conditions.all()],
        "reason": rec.get_recall_reason_display(),
        "serious_charge": "Yes" if rec.charged_with_serious_offence else "No",
        "exclusions": codes or ["None"],
        "mappa": f"Level {rec.mappa_level}, category {rec.mappa_category}" if rec.mappa_level else "Not managed under "
                 "MAPPA",
        "registrations": [r.code + (f" ({r.level})" if r.level else "") for r in registrations] or ["None"],
        "rosh": risk_selectors.person_rosh(person=person) or NOT_RECORDED,
        "recall_type": _recall_type_words(rec),
        "rule": f"{answer.get('rule_version', '')} ({answer.get('policy_version', '')}): fixed-term "
                f"{'allowed' if answer.get('fixed_term_allowed') else 'not allowed'}"
                f"{', mandatory' if answer.get('fixed_term_mandatory') else ''}; standard "
                f"{'allowed' if answer.get('standard_allowed') else 'not allowed'}",
        "decided_at": _moment(rec.spo_decided_at),
        "started_at": _moment(rec.started_at),
        "spo_signed_at": _moment(rec.spo_signed_at),
        "senior_signed_at": _moment(rec.senior_signed_at),
        "team": person.team.name if person.team else NOT_RECORDED,
    }


def part_a_pdf(*, person: Person, recommendation_id: int) -> bytes:
    rec = selectors.recommendation_get(person=person, recommendation_id=recommendation_id)
    if rec.status not in (RecallStatus.COUNTERSIGNED, RecallStatus.SENT):
        raise ValueError("the Part A is produced only once countersigned")
    return render_pdf("recall/part_a.html", part_a_context(person, rec))


def letter_context(person: Person, rec: RecallRecommendation) -> dict[str, Any]:
    address = person.addresses.filter(end_date__isnull=True).order_by("-start_date").first()
    return {
        "title": "Decision not to recall",
        "footer": f"{person.crn} {person.first_name} {person.last_name}: decision not to recall",
        "person": person,
        "rec": rec,
        "address_lines": [p for p in (address.line1, address.line2, address.town, address.postcode) if p]
        if address else [],
        "letter_date": _day(rec.letter_written_at),
        "why": WhyConsidered(rec.why_considered).label if rec.why_considered else "",
        "reasons": [(LETTER_REASON_WORDS[k], rec.letter_reasons.get(k, "")) for k in LETTER_REASONS],
        "manager": rec.spo_decided_by.name if rec.spo_decided_by else NOT_RECORDED,
        "officer": rec.letter_written_by.name if rec.letter_written_by else NOT_RECORDED,
    }


def no_recall_letter_pdf(*, person: Person, recommendation_id: int) -> bytes:
    rec = selectors.recommendation_get(person=person, recommendation_id=recommendation_id)
    if rec.status != RecallStatus.NO_RECALL_CLOSED:
        raise ValueError("the letter is produced once its words are recorded")
    return render_pdf("recall/no_recall_letter.html", letter_context(person, rec))
