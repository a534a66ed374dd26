"""The licence recall workflow. One transaction each, audited; each step checks the one before it.

The practitioner starts a recommendation (``recommendation_start``); the SPO records a decision with a rationale
(``spo_decision_record``): recall starts the 24-hour clock (the ``recall_request`` work item, trigger
``recall_decided``) to the Part A being sent; no recall leads to the letter (``no_recall_letter_record``). For a
recall the practitioner chooses the type within what ``rules.recall`` allows (``recall_type_choose``); the SPO then
the senior manager countersign, in that order (``countersign``); the countersigned Part A is sent
(``part_a_sent``), which closes the clock. See docs/recall.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, PermissionDenied, ValidationFailed
from openprobation.core.records import lock_for_update, snapshot
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff
from openprobation.people.access import Actor, require_role, require_write
from openprobation.people.models import Person
from openprobation.recall import selectors
from openprobation.recall.choices import (
    OPEN_STATUSES,
    RecallReason,
    RecallStatus,
    RecallType,
    SpoDecision,
    WhyConsidered,
)
from openprobation.recall.models import RecallRecommendation
from openprobation.rules import recall as rules
from openprobation.rules.calculators import to_json
from openprobation.rules.timescales import ItemKind, Trigger
from openprobation.workitems import generate

TEXT_LIMIT = 4000
LETTER_REASONS = ("breach", "rationale", "progress", "views", "expectations")
LETTER_REASON_WORDS = {
    "breach": "The breach of your licence",
    "rationale": "Why you are not being recalled",
    "progress": "The progress you have made",
    "views": "What you told us",
    "expectations": "What we expect of you now",
}
SPO_ROLES = (Role.SPO,)
SENIOR_ROLES = (Role.HEAD_OF_SERVICE,)


def _text(c: Collector, field: str, value: str, label: str, *, required: bool = True) -> None:
    if required and not (value or "").strip():
        c.add(field, f"Enter {label}")
    elif len(value or "") > TEXT_LIMIT:
        c.add(field, f"{label[0].upper()}{label[1:]} must be {TEXT_LIMIT:,} characters or fewer")


def _audit(actor: Actor, rec: RecallRecommendation, action: str, before: dict[str, Any] | None,
           fields: Sequence[str], reason: str = "") -> None:  # fmt: skip
    audit_record(actor=actor, action=action, crn=rec.person.crn, entity="recall_recommendation", entity_id=rec.pk,
                 before=before, after=snapshot(rec, ("status", *fields)), reason=reason)  # fmt: skip


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.single(field, message)


def _locked(person: Person, recommendation_id: int, version: int) -> RecallRecommendation:
    rec = lock_for_update(RecallRecommendation.objects.filter(person=person), pk=recommendation_id,
                          expected_version=version)  # fmt: skip
    rec.person = person
    return rec


# ---- 1. the practitioner's recommendation --------------------------------------------------------------------------


def recommendation_start(
    *,
    actor: Actor,
    person: Person,
    circumstances: str,
    recall_reason: str,
    charged_with_serious_offence: bool = False,
    exclusions: Sequence[str] = (),
    alternatives_tried: str = "",
) -> RecallRecommendation:
    """Start a recall recommendation on the case's current licence and ask the SPO to decide. MAPPA level and
    category are read from the record now and kept with it."""
    staff = require_write(actor)
    c = Collector()
    _text(c, "circumstances", circumstances, "the circumstances: why recall is being considered")
    _text(c, "alternatives_tried", alternatives_tried, "the alternatives tried", required=False)
    if recall_reason not in RecallReason.values:
        c.add("recall_reason", "Choose whether the person has been charged with or convicted of a further offence")
    for i, code in enumerate(exclusions):
        if code not in rules.EXCLUSION_CODES:
            c.add(("exclusions", str(i)), f"Not an exclusion code; choose from: {', '.join(rules.EXCLUSION_CODES)}")
    if len(set(exclusions)) != len(exclusions):
        c.add("exclusions", "Each exclusion once")
    event = selectors.licence_event(person=person)
    if event is None:
        c.add("event", "This case has no current licence (a release on licence or post-sentence supervision): "
                       "only a licence can be recalled")  # fmt: skip
    c.raise_if_any()
    assert event is not None
    level, category = selectors.mappa_from_record(person=person)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if RecallRecommendation.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
            raise _refuse("status", "A recall recommendation is already in progress on this case: finish it first")
        rec = RecallRecommendation.objects.create(
            person=person, event=event, started_by=staff, started_at=clock.now(), circumstances=circumstances,
            alternatives_tried=alternatives_tried, recall_reason=recall_reason,
            charged_with_serious_offence=charged_with_serious_offence, exclusions=list(exclusions),
            mappa_level=level, mappa_category=category,
        )  # fmt: skip
        _audit(actor, rec, "recall.started", None, ("event_id", "recall_reason", "charged_with_serious_offence",
                                                    "exclusions", "mappa_level", "mappa_category"))  # fmt: skip
    return rec


# ---- 2. the SPO's decision ---------------------------------------------------------------------------------------


def spo_decision_record(*, actor: Actor, person: Person, recommendation_id: int, version: int, decision: str,
                        rationale: str) -> RecallRecommendation:  # fmt: skip
    """The SPO decides, once, with a rationale: recall (the 24-hour clock to the Part A being sent starts now) or no
    recall (the letter follows)."""
    staff = require_role(actor, *SPO_ROLES)
    c = Collector()
    if decision not in SpoDecision.values:
        c.add("decision", "Choose recall or do not recall")
    _text(c, "rationale", rationale, "the rationale for the decision")
    c.raise_if_any()
    with transaction.atomic():
        rec = _locked(person, recommendation_id, version)
        if rec.status != RecallStatus.AWAITING_SPO_DECISION:
            raise _refuse("status", "The SPO's decision on this recommendation is already recorded")
        before = snapshot(rec, ("status",))
        now = clock.now()
        rec.spo_decision, rec.spo_rationale, rec.spo_decided_by, rec.spo_decided_at = decision, rationale, staff, now
        if decision == SpoDecision.RECALL:
            rec.status = RecallStatus.RECALL_DECIDED
            made = generate.work_items_generate_for(actor=actor, trigger=Trigger.RECALL_DECIDED, person=person,
                                                    occurred_on=now, event=rec.event)  # fmt: skip
            item = next((i for i in made if i.kind == ItemKind.RECALL_REQUEST), None)
            rec.work_item = item or generate.open_item(person=person, kind=ItemKind.RECALL_REQUEST)
        else:
            rec.status = RecallStatus.NO_RECALL_DECIDED
        rec.version += 1
        rec.save()
        _audit(actor, rec, "recall.spo_decided", before, ("spo_decision", "spo_decided_at", "work_item_id"),
               reason=rationale)  # fmt: skip
    return rec


# ---- 3. the recall type ------------------------------------------------------------------------------------------


def recall_type_choose(*, actor: Actor, person: Person, recommendation_id: int, version: int, recall_type: str,
                       emergency: Any, reasons: str) -> RecallRecommendation:  # fmt: skip
    """Choose standard or fixed-term recall (and whether it is an emergency) within what the rule allows on the day
    of the SPO's decision. Refused: a type the rule forbids; an indeterminate sentence not recalled as an emergency;
    a change once the SPO has countersigned."""
    staff = require_write(actor)
    c = Collector()
    if recall_type not in RecallType.values:
        c.add("recall_type", "Choose standard or fixed-term recall")
    if not isinstance(emergency, bool):
        c.add("emergency", "Say whether this is an emergency recall")
    _text(c, "reasons", reasons, "the reasons for the recall type")
    c.raise_if_any()
    with transaction.atomic():
        rec = _locked(person, recommendation_id, version)
        if rec.status not in (RecallStatus.RECALL_DECIDED, RecallStatus.AWAITING_SPO_COUNTERSIGNATURE):
            message = ("The recall type can be chosen only after the SPO decides to recall and before the "
                       "countersignatures")  # fmt: skip
            raise _refuse("status", message)
        answer = selectors.rule_answer(rec)
        problem = rules.recall_type_problem(answer, recall_type)
        if problem is not None:
            raise _refuse("recall_type", problem)
        if rec.event.sentence_kind == "indeterminate" and not emergency:
            raise _refuse("emergency", "An indeterminate sentence is recalled as an emergency standard recall")
        before = snapshot(rec, ("status", "recall_type", "emergency"))
        rec.recall_type, rec.emergency, rec.type_reasons = recall_type, emergency, reasons
        rec.rule_answer = to_json(answer)
        rec.type_chosen_by, rec.type_chosen_at = staff, clock.now()
        rec.status = RecallStatus.AWAITING_SPO_COUNTERSIGNATURE
        rec.version += 1
        rec.save()
        _audit(actor, rec, "recall.type_chosen", before, ("recall_type", "emergency", "type_chosen_at"),
               reason=reasons)  # fmt: skip
    return rec


# ---- 4. the countersignatures, in order ----------------------------------------------------------------------------


def countersign(*, actor: Actor, person: Person, recommendation_id: int, version: int, level: str,
                comment: str) -> RecallRecommendation:  # fmt: skip
    """``level`` ``spo``: the SPO (line manager) countersigns the recall type chosen; ``senior``: then the senior
    manager (head of service) does. Each with a comment, once, in that order."""
    if level not in ("spo", "senior"):
        raise _refuse("level", "Choose spo or senior")
    staff = require_role(actor, *(SPO_ROLES if level == "spo" else SENIOR_ROLES))
    c = Collector()
    _text(c, "comment", comment, "your comment")
    c.raise_if_any()
    with transaction.atomic():
        rec = _locked(person, recommendation_id, version)
        before = snapshot(rec, ("status",))
        if level == "spo":
            if rec.spo_signed_at is not None:
                raise _refuse("status", "The SPO has already countersigned this recall")
            if rec.status != RecallStatus.AWAITING_SPO_COUNTERSIGNATURE:
                raise _refuse("status", "There is nothing to countersign yet: the recall type is chosen first")
            rec.spo_signed_by, rec.spo_signed_at, rec.spo_comment = staff, clock.now(), comment
            rec.status = RecallStatus.AWAITING_SENIOR_COUNTERSIGNATURE
            fields: tuple[str, ...] = ("spo_signed_at",)
        else:
            if rec.senior_signed_at is not None:
                raise _refuse("status", "The senior manager has already countersigned this recall")
            if rec.status != RecallStatus.AWAITING_SENIOR_COUNTERSIGNATURE:
                raise _refuse("status", "The SPO countersigns first; then the senior manager")
            if rec.spo_signed_by_id == staff.pk:
                raise PermissionDenied("The senior manager's countersignature must be another person's")
            rec.senior_signed_by, rec.senior_signed_at, rec.senior_comment = staff, clock.now(), comment
            rec.status = RecallStatus.COUNTERSIGNED
            fields = ("senior_signed_at",)
        rec.version += 1
        rec.save()
        _audit(actor, rec, f"recall.countersigned_{level}", before, fields, reason=comment)
    return rec


# ---- 5. the Part A sent -------------------------------------------------------------------------------------------


def part_a_generated(*, actor: Actor, person: Person, recommendation_id: int) -> RecallRecommendation:
    """Record the first time the countersigned Part A is produced (each time audited): anyone who may see the case
    may read it."""
    with transaction.atomic():
        rec = RecallRecommendation.objects.select_for_update().filter(person=person, pk=recommendation_id).first()
        if rec is None:
            raise selectors.not_found(person, recommendation_id)
        rec.person = person
        if rec.status not in (RecallStatus.COUNTERSIGNED, RecallStatus.SENT):
            raise _refuse("status", "The Part A is produced once the SPO and the senior manager have countersigned")
        if rec.part_a_generated_at is None:
            rec.part_a_generated_at = clock.now()
            rec.save(update_fields=["part_a_generated_at"])
        _audit(actor, rec, "recall.part_a_generated", None, ("part_a_generated_at",))
    return rec


def part_a_sent(*, actor: Actor, person: Person, recommendation_id: int, version: int) -> RecallRecommendation:
    """The countersigned Part A sent to PPCS: the 24-hour clock stops (its work item is done)."""
    staff = require_write(actor)
    with transaction.atomic():
        rec = _locked(person, recommendation_id, version)
        if rec.status == RecallStatus.SENT:
            raise _refuse("status", "The Part A has already been sent")
        if rec.status != RecallStatus.COUNTERSIGNED:
            raise _refuse("status", "The Part A cannot be sent before both countersignatures (the SPO's, then the "
                                    "senior manager's)")  # fmt: skip
        before = snapshot(rec, ("status",))
        now = clock.now()
        rec.sent_by, rec.sent_at, rec.status = staff, now, RecallStatus.SENT
        rec.version += 1
        rec.save()
        generate.close_open_items(actor=actor, person=person, kinds=[ItemKind.RECALL_REQUEST],
                                  on=timezone.localdate(now), note="Part A sent to PPCS")  # fmt: skip
        _audit(actor, rec, "recall.sent", before, ("sent_at",))
    return rec


# ---- the decision not to recall ------------------------------------------------------------------------------------


def no_recall_letter_record(*, actor: Actor, person: Person, recommendation_id: int, version: int,
                            why_considered: str, reasons: dict[str, str],
                            next_appointment: str) -> RecallRecommendation:  # fmt: skip
    """The decision-not-to-recall letter's words: why recall was considered, the five reasons, the next appointment.
    Recording them closes the recommendation; the letter (PDF) is then available."""
    staff = require_write(actor)
    c = Collector()
    if why_considered not in WhyConsidered.values:
        c.add("why_considered", "Choose why recall was considered")
    for key in reasons:
        if key not in LETTER_REASONS:
            c.add(("reasons", key), f"Not a part of the letter; the parts are: {', '.join(LETTER_REASONS)}")
    for key in LETTER_REASONS:
        _text(c, f"reasons.{key}", reasons.get(key, ""), LETTER_REASON_WORDS[key].lower())
    if len(next_appointment) > 200:
        c.add("next_appointment", "The next appointment must be 200 characters or fewer")
    c.raise_if_any()
    with transaction.atomic():
        rec = _locked(person, recommendation_id, version)
        if rec.status != RecallStatus.NO_RECALL_DECIDED:
            raise _refuse("status", "The letter follows the SPO's decision not to recall"
                          if rec.status != RecallStatus.NO_RECALL_CLOSED else "The letter has already been written")
        before = snapshot(rec, ("status",))
        rec.why_considered, rec.letter_reasons, rec.next_appointment = why_considered, dict(reasons), next_appointment
        rec.letter_written_by, rec.letter_written_at = staff, clock.now()
        rec.status = RecallStatus.NO_RECALL_CLOSED
        rec.version += 1
        rec.save()
        _audit(actor, rec, "recall.no_recall_letter", before, ("why_considered", "letter_written_at"))
    return rec


def staff_name(staff: Staff | None) -> str:
    return staff.name if staff is not None else ""


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None
