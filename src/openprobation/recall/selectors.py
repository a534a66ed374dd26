"""Reading recall recommendations, the facts the recall-type rule takes from the record, and the running recall
clocks managers see. Callers pass a person obtained from ``people.selectors.person_get`` (access applied)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from openprobation.core.errors import NotFound
from openprobation.people.models import Person
from openprobation.recall.choices import OPEN_STATUSES
from openprobation.recall.models import RecallRecommendation
from openprobation.risk import selectors as risk_selectors
from openprobation.rules import recall as rules
from openprobation.rules.registrations import MAPPA_CODE
from openprobation.sentences.choices import SentenceType
from openprobation.sentences.models import Event

LICENCE_TYPES = (SentenceType.LICENCE, SentenceType.POST_SENTENCE_SUPERVISION)


def recommendation_list(*, person: Person) -> QuerySet[RecallRecommendation]:
    return RecallRecommendation.objects.filter(person=person).select_related(
        "event", "work_item", "started_by", "spo_decided_by", "type_chosen_by", "spo_signed_by", "senior_signed_by",
        "sent_by", "letter_written_by",
    )  # fmt: skip


def not_found(person: Person, recommendation_id: int) -> NotFound:
    return NotFound(f"No recall recommendation {recommendation_id} on case {person.crn}")


def recommendation_get(*, person: Person, recommendation_id: int) -> RecallRecommendation:
    rec = recommendation_list(person=person).filter(pk=recommendation_id).first()
    if rec is None:
        raise not_found(person, recommendation_id)
    rec.person = person
    return rec


def recommendation_open(*, person: Person) -> RecallRecommendation | None:
    return recommendation_list(person=person).filter(status__in=OPEN_STATUSES).first()


def licence_event(*, person: Person) -> Event | None:
    """The case's current licence: the newest current event on licence or post-sentence supervision, or a custodial
    sentence with its release date (released on licence)."""
    current = Event.objects.filter(person=person, termination_date__isnull=True).order_by("-sentence_date", "-pk")
    on_licence = current.filter(sentence_type__in=LICENCE_TYPES).first()
    if on_licence is not None:
        return on_licence
    return current.filter(sentence_type=SentenceType.CUSTODY, release_date__isnull=False).first()


def mappa_from_record(*, person: Person) -> tuple[int, int]:
    """(level, category) of the case's newest active MAPPA registration; (0, 0) when it has none."""
    for registration in risk_selectors.registration_list(person=person, active_only=True):
        if registration.code == MAPPA_CODE:
            level = int(registration.level[1:]) if registration.level[1:].isdigit() else 0
            category = int(registration.category[1:]) if registration.category[1:].isdigit() else 0
            return level, category
    return 0, 0


def rule_input(rec: RecallRecommendation) -> rules.RecallTypeInput:
    """The recall-type rule's input from the record (the licence's sentence) and the recommendation, on the day of
    the SPO's decision (today before it)."""
    event = rec.event
    decided = rec.spo_decided_at or timezone.now()
    return rules.RecallTypeInput(
        sentence_kind=event.sentence_kind,  # type: ignore[arg-type]
        sentenced_as_youth=event.sentenced_as_youth,
        sentence_length_months=None if event.sentence_kind == "indeterminate" else event.length_months,
        recall_reason=rec.recall_reason,  # type: ignore[arg-type]
        charged_with_serious_offence=rec.charged_with_serious_offence,
        mappa_level=rec.mappa_level,
        mappa_category=rec.mappa_category,
        exclusions=tuple(rec.exclusions),
        decision_date=timezone.localdate(decided),
    )


def rule_answer(rec: RecallRecommendation) -> rules.RecallTypeResult:
    return rules.recall_type_calculate(rule_input(rec))
