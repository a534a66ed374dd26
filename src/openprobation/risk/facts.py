"""Reading one case's risk-tool facts from the record (``rules.case_record.CaseFacts``).

The same reading for a whole caseload, as columns, is in ``risk.recompute``; both follow the rules in
``rules/policy/case_record.toml`` and are tested to agree.
"""

from __future__ import annotations

import datetime as dt

from openprobation.people.models import Person
from openprobation.risk.models import CriminalHistory as HistoryRecord
from openprobation.risk.models import OasysAssessment, Registration
from openprobation.rules import case_record as cr
from openprobation.sentences.models import Event, Requirement

HISTORY_FIELDS = tuple(f for f in cr.CriminalHistory.__dataclass_fields__)


def latest_assessment(person: Person, as_of: dt.date) -> OasysAssessment | None:
    return (
        OasysAssessment.objects.filter(
            person=person, status__in=cr.policy()["assessment_counting_statuses"], completed_date__lte=as_of
        )
        .order_by("-completed_date", "-id")
        .first()
    )


def case_facts(person: Person, as_of: dt.date) -> cr.CaseFacts:
    events = list(
        Event.objects.filter(person=person, termination_date__isnull=True).order_by("-sentence_date", "-number")
    )
    current = events[0] if events else None
    requirement_types = Requirement.objects.filter(event__in=events).values_list("type", flat=True)
    record = HistoryRecord.objects.filter(person=person).first()
    history = (
        cr.CriminalHistory(**{name: getattr(record, name) for name in HISTORY_FIELDS}) if record is not None else None
    )
    assessment = latest_assessment(person, as_of)
    registrations = Registration.objects.filter(person=person, end_date__isnull=True).order_by("-start_date", "-id")
    return cr.CaseFacts(
        gender=person.gender,
        date_of_birth=person.date_of_birth,
        event=cr.CurrentEvent(
            offence_code=current.offence_code,
            conviction_date=current.conviction_date,
            sentence_date=current.sentence_date,
            sentence_type=current.sentence_type,
            release_date=current.release_date,
        )
        if current is not None
        else None,
        active_sentence_types=tuple(sorted({e.sentence_type for e in events})),
        active_requirement_types=tuple(sorted(set(requirement_types))),
        history=history,
        assessment=cr.Assessment(
            completed_date=assessment.completed_date,
            layer=assessment.layer,
            status=assessment.status,
            kind=assessment.kind,
            answers=assessment.answers,
            section_scores=assessment.section_scores,
        )
        if assessment is not None
        else None,
        registrations=tuple(
            cr.ActiveRegistration(code=r.code, level=r.level, category=r.category) for r in registrations
        ),
    )
