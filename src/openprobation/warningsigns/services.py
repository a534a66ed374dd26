"""Warning signs in contact notes, through the record (docs/signals.md, "Prompts"). One transaction each, audited.

A contact recorded or edited with notes (``core.followups.contact_notes_recorded``) is read by the pure rules
(``rules.signals``); what each signal found does is decided by the work-item rules (``SignalsFound`` in
``rules/work_item_decisions.py``) and applied by ``workitems.generate``: a signal review per signal (a repeat of
the same signal while its review is open joins it), and the combined rules' items. Here the evidence is stored
against its review, a possible failure to comply is opened by the enforcement service, and a review is closed by
its disposition, never by marking it done or cancelling it. ``signals_scan_all`` reads every note in batches, with
a cursor so that a stopped scan resumes, and makes prompts only for recent notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openprobation.contacts.models import Contact
from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, ValidationFailed
from openprobation.enforcement import services as enforcement_services
from openprobation.people.access import Actor, people_visible_to, require_write
from openprobation.people.choices import RelationshipType
from openprobation.people.models import Person, Relationship
from openprobation.risk.models import Registration
from openprobation.rules import work_item_decisions as rules
from openprobation.rules.dates import long_date
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.signals import SignalHit, signals_scan, signals_scan_many
from openprobation.rules.timescales import ItemKind
from openprobation.sentences.choices import LicenceConditionType
from openprobation.sentences.models import Event, LicenceCondition
from openprobation.warningsigns.choices import DispositionOutcome
from openprobation.warningsigns.models import SignalDisposition, SignalEvidence, SignalScanCursor
from openprobation.workitems import generate
from openprobation.workitems.choices import WorkItemStatus
from openprobation.workitems.models import WorkItem

LICENCE_TYPES = ("licence", "post_sentence_supervision")
DETAILS_LIMIT = 4000


# ---- what the combined rules need to know of the case -----------------------------------------------------------


@dataclass(frozen=True)
class CaseSignalFacts:
    on_licence: bool
    domestic_abuse_history: bool
    disclose_relationships: bool
    children_in_household: bool


def case_signal_facts(*, person: Person, today: dt.date) -> CaseSignalFacts:
    """On licence (a current licence or post-sentence supervision, or a custodial sentence released by today), any
    domestic-abuse registration (active or ended: it is history), a licence condition to disclose relationships in
    force today, and a child living in the household."""
    current = Event.objects.filter(person=person, termination_date__isnull=True)
    on_licence = current.filter(
        Q(sentence_type__in=LICENCE_TYPES) | Q(sentence_type="custody", release_date__lte=today)
    ).exists()
    codes = signal_policy().prompts.domestic_abuse_registration_codes
    disclose = LicenceCondition.objects.filter(
        event__in=current, type=LicenceConditionType.DISCLOSE_RELATIONSHIPS
    ).filter(Q(start_date__isnull=True) | Q(start_date__lte=today), Q(end_date__isnull=True) | Q(end_date__gte=today))
    children = Relationship.objects.filter(
        person=person, relationship=RelationshipType.CHILD, lives_in_household=True, end_date__isnull=True
    )
    return CaseSignalFacts(
        on_licence=on_licence,
        domestic_abuse_history=Registration.objects.filter(person=person, code__in=codes).exists(),
        disclose_relationships=on_licence and disclose.exists(),
        children_in_household=children.exists(),
    )


# ---- a contact's notes read, its signals prompted ----------------------------------------------------------------


@dataclass
class SignalsApplied:
    hits: tuple[SignalHit, ...] = ()
    evidence: list[SignalEvidence] = field(default_factory=list)
    made: list[WorkItem] = field(default_factory=list)


def contact_signals_apply(
    *, actor: Actor, person: Person, contact: Contact, hits: Sequence[SignalHit] | None = None
) -> SignalsApplied:
    """Read ``contact``'s notes (or take ``hits`` already found in them) and prompt each signal not already recorded
    for this contact, in the caller's transaction. Returns what was stored."""
    found = tuple(signals_scan(contact.notes) if hits is None else hits)
    result = SignalsApplied(hits=found)
    if not found:
        return result
    known = set(SignalEvidence.objects.filter(contact=contact).values_list("signal", flat=True))
    first: dict[str, SignalHit] = {}
    for hit in found:
        if hit.signal not in known:
            first.setdefault(hit.signal, hit)
    if not first:
        return result
    policy = signal_policy()
    today = clock.today()
    facts = case_signal_facts(person=person, today=today)
    event = rules.SignalsFound(
        contact_id=contact.pk,
        day=today,
        signals=tuple((signal, hit.sentence) for signal, hit in first.items()),
        reported_by_other=contact.type in policy.prompts.reported_by_others_contact_types,
        on_licence=facts.on_licence,
        domestic_abuse_history=facts.domestic_abuse_history,
        disclose_relationships=facts.disclose_relationships,
        children_in_household=facts.children_in_household,
    )
    applied = generate.on_signals_found(actor=actor, person=person, found=event)
    now = clock.now()
    for review, signal, _contact_id in applied.grouped:
        hit = first[signal]
        stored = SignalEvidence.objects.create(
            person=person, work_item=review, contact=contact, signal=signal, severity=hit.severity,
            evidence=hit.evidence[:300], sentence=hit.sentence, rule=hit.rule,
            policy_version=policy.policy_version, found_at=now,
        )  # fmt: skip
        result.evidence.append(stored)
    result.made = applied.made
    audit_record(
        actor=actor,
        action="signals.found",
        crn=person.crn,
        entity="contact",
        entity_id=contact.pk,
        after={
            "signals": [
                {"signal": e.signal, "evidence": e.evidence, "rule": e.rule, "signal_review": e.work_item_id}
                for e in result.evidence
            ],
            "policy_version": policy.policy_version,
        },
    )
    for _contact_id, failure in applied.possible_failures:
        enforcement_services.failure_to_comply_open(actor=actor, person=person, contact=contact, failure=failure)
    return result


# ---- a signal review's disposition --------------------------------------------------------------------------------


def _locked_review(actor: Actor, item_id: int) -> WorkItem:
    item = (
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(pk=item_id, person__in=people_visible_to(actor), kind=ItemKind.SIGNAL_REVIEW)
        .first()
    )
    if item is None:
        raise NotFound(f"No signal review {item_id}")
    return item


def signal_review_dispose(
    *,
    actor: Actor,
    item_id: int,
    outcome: str,
    details: str = "",
    linked_item_id: int | None = None,
    linked_contact_id: int | None = None,
) -> SignalDisposition:
    """Close a signal review with its disposition: the action taken, linked to what was done (one of the case's
    work items or contacts), or no action with the reason. Recorded, audited, and the review marked done with the
    disposition as its note. Nothing else closes a signal review."""
    staff = require_write(actor)
    details = (details or "").strip()
    with transaction.atomic():
        item = _locked_review(actor, item_id)
        if item.status != WorkItemStatus.OPEN:
            raise ValidationFailed.single(
                "status", f"This review is already {item.get_status_display().lower()}: nothing was changed"
            )
        person = item.person
        c = Collector()
        linked_item = linked_contact = None
        if outcome not in DispositionOutcome.values:
            c.add("outcome", "Say whether action was taken or no action is needed")
        if len(details) > DETAILS_LIMIT:
            c.add("details", f"The details must be {DETAILS_LIMIT} characters or fewer")
        if outcome == DispositionOutcome.NO_ACTION:
            if not details:
                c.add("details", "Enter why no action is needed")
            if linked_item_id is not None or linked_contact_id is not None:
                c.add("outcome", "No action links to nothing: choose 'Action taken' to link what was done")
        elif outcome == DispositionOutcome.ACTION_TAKEN:
            if linked_item_id is not None:
                linked_item = WorkItem.objects.filter(person=person, pk=linked_item_id).exclude(pk=item.pk).first()
                if linked_item is None:
                    c.add("linked_item_id", f"No other work item {linked_item_id} on case {person.crn}")
            if linked_contact_id is not None:
                linked_contact = Contact.objects.filter(person=person, pk=linked_contact_id).first()
                if linked_contact is None:
                    c.add("linked_contact_id", f"No contact {linked_contact_id} on case {person.crn}")
            if linked_item_id is None and linked_contact_id is None:
                c.add("linked_item_id", "Choose what was done: a work item or a contact on the case")
        c.raise_if_any()
        disposition = SignalDisposition.objects.create(
            work_item=item, outcome=outcome, linked_item=linked_item, linked_contact=linked_contact,
            details=details, decided_by=staff, decided_at=clock.now(),
        )  # fmt: skip
        note = disposition_words(disposition)
        audit_record(
            actor=actor,
            action="signal_review.disposed",
            crn=person.crn,
            entity="work_item",
            entity_id=item.pk,
            before={"status": WorkItemStatus.OPEN},
            after={"outcome": outcome, "signal": item.signal, "linked_item": linked_item_id,
                   "linked_contact": linked_contact_id},
            reason=details or note,
        )  # fmt: skip
        generate.on_marked_done(actor=actor, person=person, item=item, on=clock.today(), note=note)
    return disposition


def disposition_words(disposition: SignalDisposition) -> str:
    if disposition.outcome == DispositionOutcome.NO_ACTION:
        return f"No action: {disposition.details}"
    done = []
    if disposition.linked_item is not None:
        done.append(f"{disposition.linked_item.label} (due {long_date(disposition.linked_item.due_date)})")
    if disposition.linked_contact is not None:
        contact = disposition.linked_contact
        done.append(f"{contact.get_type_display()} on {long_date(timezone.localdate(contact.date))}")
    words = "Action taken: " + " and ".join(done)
    return f"{words}. {disposition.details}" if disposition.details else words


# ---- the batch scan of every note ---------------------------------------------------------------------------------

ALL_NOTES = "all_notes"


@dataclass
class ScanProgress:
    total: int
    notes_read: int
    notes_with_signals: int
    prompted_notes: int
    finished: bool

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "notes_read": self.notes_read, "notes_with_signals": self.notes_with_signals,
                "prompted_notes": self.prompted_notes, "finished": self.finished}  # fmt: skip


def _progress(cursor: SignalScanCursor) -> ScanProgress:
    return ScanProgress(cursor.total, cursor.notes_read, cursor.notes_with_signals, cursor.prompted_notes,
                        cursor.finished_at is not None)  # fmt: skip


def _notes() -> Any:
    return Contact.objects.exclude(notes="")


def signals_scan_all(
    *,
    batch_size: int = 2000,
    restart: bool = False,
    progress: Callable[[ScanProgress], None] | None = None,
    stop_after: int | None = None,
) -> ScanProgress:
    """Read every contact note in id order, ``batch_size`` at a time. Each batch's prompts (for notes dated within
    the policy's ``batch_prompt_days``; older notes are read and counted only) and the cursor moving past it are one
    transaction, so a scan stopped at any point resumes after the last batch stored, and a note read twice adds
    nothing (evidence is stored once per contact and signal). A finished scan starts again from the first note
    (or ``restart``). ``stop_after`` stops after that many batches (tests)."""
    now = clock.now()
    with transaction.atomic():
        cursor, created = SignalScanCursor.objects.select_for_update().get_or_create(
            name=ALL_NOTES, defaults={"started_at": now, "updated_at": now}
        )
        if created or restart or cursor.finished_at is not None:
            cursor.last_contact_id = 0
            cursor.notes_read = cursor.notes_with_signals = cursor.prompted_notes = 0
            cursor.total = _notes().count()
            cursor.started_at = cursor.updated_at = now
            cursor.finished_at = None
            cursor.save()
    prompt_from = now - dt.timedelta(days=signal_policy().prompts.batch_prompt_days)
    batches = 0
    while True:
        rows = list(
            _notes().filter(pk__gt=cursor.last_contact_id).order_by("pk").values_list("pk", "date", "notes")[
                :batch_size
            ]
        )
        with transaction.atomic():
            cursor = SignalScanCursor.objects.select_for_update().get(name=ALL_NOTES)
            if not rows:
                cursor.finished_at = cursor.updated_at = clock.now()
                cursor.save()
                break
            if rows[0][0] <= cursor.last_contact_id:
                break  # another scan stored this batch meanwhile: stop rather than read it twice
            for (pk, date, _notes_text), hits in zip(rows, signals_scan_many(r[2] for r in rows), strict=True):
                if not hits:
                    continue
                cursor.notes_with_signals += 1
                if date >= prompt_from:
                    contact = Contact.objects.select_related("person").get(pk=pk)
                    applied = contact_signals_apply(
                        actor=AnonymousUser(), person=contact.person, contact=contact, hits=hits
                    )
                    cursor.prompted_notes += 1 if applied.evidence else 0
            cursor.last_contact_id = rows[-1][0]
            cursor.notes_read += len(rows)
            cursor.updated_at = clock.now()
            cursor.save()
        if progress is not None:
            progress(_progress(cursor))
        batches += 1
        if stop_after is not None and batches >= stop_after:
            break
    return _progress(cursor)


def scan_progress() -> ScanProgress | None:
    cursor = SignalScanCursor.objects.filter(name=ALL_NOTES).first()
    return _progress(cursor) if cursor is not None else None
