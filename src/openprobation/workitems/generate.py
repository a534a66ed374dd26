"""Turning events in the record into work items, inside the transaction of the service that records the event.

The services of other areas call the ``on_*`` hooks here (sentences, allocation, household, registrations,
contacts). Each hook does three things and decides nothing itself:

1. loads a snapshot of the case (:func:`case_snapshot`: its work items, active registrations, the sentence types of
   its events, the contact outcomes already applied, today and the preset setting);
2. asks the pure rules what the event does (:func:`openprobation.rules.work_item_decisions.decide`): items to
   create, close and cancel, each with its reason, rule id and policy version, under the preset in force on the day
   each clock starts, with the record's terms (sentence types, contact types, registration codes, ...) from that
   preset's file;
3. applies the decision (:func:`apply_decision`): stores and closes the items, records what was done (a first
   appointment's "attended" clock started, a contact's outcome applied) and writes the audit events, all in the
   caller's transaction.

This module imports only models (never another area's services), so any service may call it without a cycle.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.utils import timezone

from openprobation.contacts.models import Contact
from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import ValidationFailed
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff
from openprobation.people.access import Actor
from openprobation.people.models import Person, Relationship
from openprobation.risk.models import Registration
from openprobation.rules import work_item_decisions as rules
from openprobation.rules.calendar import WorkingCalendar, england_and_wales
from openprobation.rules.timescales import (
    CaseFacts,
    ItemKind,
    Owner,
    TimescalePolicy,
    Trigger,
    timescale_policy,
)
from openprobation.sentences.models import Event
from openprobation.workitems.choices import WorkItemStatus
from openprobation.workitems.models import ContactOutcomeApplied, WorkItem


# The default preset's sentence types and the clocks they start (bulk loaders that bypass the services use it; the
# hooks read the terms of the preset in force on the day instead).
def _default_sentence_triggers() -> dict[str, Trigger]:
    record = timescale_policy().record
    return dict(record.sentence_triggers) if record is not None else {}


SENTENCE_TRIGGERS = _default_sentence_triggers()


def policy() -> TimescalePolicy:
    """The preset the setting names (``OPENPROBATION_TIMESCALE_PRESET``; the Probation Service levels by default).
    The hooks use the preset in force on the day each clock starts, which the setting chooses only where that
    preset's file allows it (docs/timescales.md, "Which preset")."""
    return timescale_policy(settings.TIMESCALE_PRESET)


@cache
def calendar() -> WorkingCalendar:
    return england_and_wales()


# ---- 1. the snapshot --------------------------------------------------------------------------------------------


def case_snapshot(person: Person) -> rules.CaseSnapshot:
    """What the decisions may ask about the case, as it is now in the database (inside the caller's transaction)."""
    items = tuple(
        rules.ItemFacts(
            id=pk,
            kind=ItemKind(kind),
            status=status,
            trigger=trigger,
            clock_started_on=started,
            due_date=due,
            event_id=event_id,
            relationship_id=relationship_id,
            closed_on=closed_on,
            attended_clock_started=attended,
            signal=signal,
        )
        for pk, kind, status, trigger, started, due, event_id, relationship_id, closed_on, attended, signal in (
            WorkItem.objects.filter(person=person)
            .order_by("due_date", "pk")
            .values_list(
                "pk",
                "kind",
                "status",
                "trigger",
                "clock_started_on",
                "due_date",
                "event_id",
                "relationship_id",
                "closed_on",
                "attended_clock_started",
                "signal",
            )
        )
    )
    registrations = tuple(
        rules.RegistrationFacts(id=pk, code=code, start_date=start, end_date=end)
        for pk, code, start, end in Registration.objects.filter(person=person).values_list(
            "pk", "code", "start_date", "end_date"
        )
    )
    applied = frozenset(
        ContactOutcomeApplied.objects.filter(contact__person=person).values_list("contact_id", "outcome")
    )
    return rules.CaseSnapshot(
        today=clock.today(),
        chosen_preset=settings.TIMESCALE_PRESET,
        items=items,
        registrations=registrations,
        sentence_types=dict(Event.objects.filter(person=person).values_list("pk", "sentence_type")),
        outcomes_applied=applied,
    )


def _sentence(event: Event) -> rules.SentenceFacts:
    return rules.SentenceFacts(
        id=event.pk,
        sentence_type=event.sentence_type,
        sentence_date=event.sentence_date,
        release_date=event.release_date,
    )


def _registration(registration: Registration) -> rules.RegistrationFacts:
    return rules.RegistrationFacts(
        id=registration.pk,
        code=registration.code,
        start_date=registration.start_date,
        end_date=registration.end_date,
    )


# ---- 2 and 3: decide, then apply ----------------------------------------------------------------------------------


def decide_and_apply(*, actor: Actor, person: Person, event: rules.RecordEvent) -> list[WorkItem]:
    """Load the snapshot, decide, apply; returns the items made. A date the calendar cannot count from is refused as
    a field error on the input that gave it, and the caller's transaction changes nothing."""
    try:
        decision = rules.decide(case_snapshot(person), event, calendar())
    except rules.UncountableDate as error:
        raise ValidationFailed.single(error.field, error.message) from error
    return apply_decision(actor=actor, person=person, decision=decision).made


@dataclasses.dataclass
class Applied:
    """The items a decision made, closed and cancelled, as stored."""

    made: list[WorkItem] = dataclasses.field(default_factory=list)
    closed: list[WorkItem] = dataclasses.field(default_factory=list)
    cancelled: list[WorkItem] = dataclasses.field(default_factory=list)
    # (signal review, signal, contact id): a signal found in a contact, grouped into that review
    grouped: list[tuple[WorkItem, str, int]] = dataclasses.field(default_factory=list)
    # (contact id, failure): possible failures to comply for the enforcement service to open
    possible_failures: list[tuple[int, str]] = dataclasses.field(default_factory=list)


def apply_decision(*, actor: Actor, person: Person, decision: rules.Decision) -> Applied:
    """Apply the steps in order, with their audit events.

    Items to close or cancel are locked and changed only while still open. Consecutive new items share one
    ``work_items.created`` audit event, as one event's items always have."""
    created: dict[int | str, WorkItem] = {}
    applied = Applied()
    pending: list[rules.Create] = []
    holders: tuple[int | None, int | None, int | None] | None = None

    def flush() -> None:
        nonlocal holders
        if not pending:
            return
        holders = holders or _holders(person)
        made = store_items(actor=actor, person=person, creates=pending, holders=holders)
        for step, item in zip(pending, made, strict=True):
            created[step.key] = item
        pending.clear()

    def stored(ref: int | str) -> WorkItem | None:
        if isinstance(ref, str):
            return created[ref]
        return WorkItem.objects.select_for_update().filter(pk=ref, status=WorkItemStatus.OPEN).first()

    for step in decision.steps:
        if isinstance(step, rules.Create):
            pending.append(step)
            continue
        flush()
        if isinstance(step, rules.Close):
            item = stored(step.item)
            if item is not None:
                applied.closed.append(_mark_done(actor=actor, person=person, item=item, on=step.on, note=step.reason))
        elif isinstance(step, rules.Cancel):
            item = stored(step.item)
            if item is not None:
                applied.cancelled.append(cancel_item(actor=actor, person=person, item=item, reason=step.reason))
        elif isinstance(step, rules.MarkAttendedClockStarted):
            pk = created[step.item].pk if isinstance(step.item, str) else step.item
            WorkItem.objects.filter(pk=pk).update(attended_clock_started=True)
        elif isinstance(step, rules.MarkOutcomeApplied):
            ContactOutcomeApplied.objects.get_or_create(
                contact_id=step.contact_id, outcome=step.outcome, defaults={"applied_at": clock.now()}
            )
        elif isinstance(step, rules.MoveToHolders):
            holders = _holders(person)
            _move_open_items(person, holders)
        elif isinstance(step, rules.SignalGrouped):
            review = created[step.item] if isinstance(step.item, str) else WorkItem.objects.get(pk=step.item)
            applied.grouped.append((review, step.signal, step.contact_id))
        elif isinstance(step, rules.PossibleFailureToComply):
            applied.possible_failures.append((step.contact_id, step.failure))
    flush()
    applied.made = list(created.values())
    return applied


def _holders(person: Person) -> tuple[int | None, int | None, int | None]:
    """(team, practitioner, team SPO) ids for the case as it is now in the database."""
    row = Person.objects.filter(pk=person.pk).values_list("team_id", "practitioner_id").first()
    team_id, practitioner_id = row if row else (None, None)
    spo_id = None
    if team_id is not None:
        spo_id = (
            Staff.objects.filter(team_id=team_id, role=Role.SPO).order_by("pk").values_list("pk", flat=True).first()
        )
    return team_id, practitioner_id, spo_id


def _owner_id(owner_role: str, practitioner_id: int | None, spo_id: int | None) -> int | None:
    """Who owes an item: the practitioner's items belong to the team's SPO until the case is allocated."""
    if owner_role == Owner.PRACTITIONER:
        return practitioner_id if practitioner_id is not None else spo_id
    if owner_role == Owner.SPO:
        return spo_id
    return None


def _move_open_items(person: Person, holders: tuple[int | None, int | None, int | None]) -> None:
    team_id, practitioner_id, spo_id = holders
    open_items = WorkItem.objects.filter(person=person, status=WorkItemStatus.OPEN)
    open_items.filter(owner_role=Owner.PRACTITIONER).update(
        owner_id=_owner_id(Owner.PRACTITIONER, practitioner_id, spo_id), team_id=team_id
    )
    open_items.filter(owner_role=Owner.SPO).update(owner_id=spo_id, team_id=team_id)
    open_items.filter(owner_role=Owner.ADMIN).update(team_id=team_id)


def store_items(
    *,
    actor: Actor,
    person: Person,
    creates: Iterable[rules.Create],
    holders: tuple[int | None, int | None, int | None] | None = None,
) -> list[WorkItem]:
    """Store the decided items, owned by the case's holders, with one audit event for them."""
    creates = list(creates)
    if not creates:
        return []
    team_id, practitioner_id, spo_id = holders or _holders(person)
    now = clock.now()
    made = [
        WorkItem(
            person=person,
            kind=c.due.kind.value,
            due_date=c.due.due_date,
            due_at=c.due.due_at,
            owner_role=c.due.owner.value,
            owner_id=_owner_id(c.due.owner, practitioner_id, spo_id),
            team_id=team_id,
            rule_id=c.due.rule_id,
            policy_version=c.due.policy_version,
            trigger=c.due.trigger.value,
            clock_started_on=c.due.clock_started_on,
            reason=c.due.reason,
            event_id=c.event_id,
            relationship_id=c.relationship_id,
            signal=c.signal,
            created_at=now,
        )
        for c in creates
    ]
    for item in made:
        item.save()
    audit_record(
        actor=actor,
        action="work_items.created",
        crn=person.crn,
        entity="work_item",
        entity_id=",".join(str(i.pk) for i in made),
        after={
            "trigger": made[0].trigger,
            "work_items": [
                {
                    "id": i.pk,
                    "kind": i.kind,
                    "due_date": i.due_date,
                    "rule_id": i.rule_id,
                    "policy_version": i.policy_version,
                }
                for i in made
            ],
        },
    )
    return made


def _mark_done(*, actor: Actor, person: Person, item: WorkItem, on: dt.date, note: str) -> WorkItem:
    item.status = WorkItemStatus.DONE
    item.closed_on = on
    item.closed_by = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[assignment]
    item.note = note
    item.save(update_fields=["status", "closed_on", "closed_by", "note"])
    audit_record(
        actor=actor,
        action="work_item.done",
        crn=person.crn,
        entity="work_item",
        entity_id=item.pk,
        before={"status": WorkItemStatus.OPEN},
        after={"status": item.status, "closed_on": on},
        reason=note,
    )
    return item


def cancel_item(*, actor: Actor, person: Person, item: WorkItem, reason: str) -> WorkItem:
    """Cancel one open item (already locked by the caller) today, saying why, with its audit event."""
    item.status = WorkItemStatus.CANCELLED
    item.closed_on = clock.today()
    item.closed_by = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[assignment]
    item.cancel_reason = reason
    item.save(update_fields=["status", "closed_on", "closed_by", "cancel_reason"])
    audit_record(
        actor=actor,
        action="work_item.cancelled",
        crn=person.crn,
        entity="work_item",
        entity_id=item.pk,
        before={"status": WorkItemStatus.OPEN},
        after={"status": item.status, "closed_on": item.closed_on},
        reason=reason,
    )
    return item


def close_open_items(
    *,
    actor: Actor,
    person: Person,
    kinds: Iterable[str],
    on: dt.date,
    note: str,
    relationship: Relationship | None = None,
    any_relationship: bool = False,
    started_by: dt.date | None = None,
) -> list[WorkItem]:
    """Mark the case's open items of these kinds done, because the record now shows them done (the enquiry, the
    assessment or the SPO's decision its service has just recorded; only items whose clock had started by
    ``started_by``, when given). Returns the items closed."""
    event = rules.DoneOnTheRecord(
        kinds=tuple(ItemKind(k) for k in kinds),
        on=on,
        note=note,
        relationship_id=relationship.pk if relationship is not None else None,
        any_relationship=any_relationship,
        started_by=started_by,
    )
    decision = rules.decide(case_snapshot(person), event, calendar())
    return apply_decision(actor=actor, person=person, decision=decision).closed


def work_items_generate_for(
    *,
    actor: Actor,
    trigger: Trigger,
    person: Person,
    occurred_on: dt.date | dt.datetime,
    event: Event | None = None,
    relationship: Relationship | None = None,
    facts: CaseFacts | None = None,
    field: str = "date",
) -> list[WorkItem]:
    """Store the work items one trigger recorded by a service makes due (a RoSH screening indicating risk, a
    reduction in reporting). ``field`` names the input that gave ``occurred_on``, for a date the working-day
    calendar cannot count from."""
    return decide_and_apply(
        actor=actor,
        person=person,
        event=rules.ClockStarted(
            trigger=Trigger(trigger),
            occurred_on=occurred_on,
            event_id=event.pk if event is not None else None,
            relationship_id=relationship.pk if relationship is not None else None,
            facts=facts,
            field=field,
        ),
    )


# ---- hooks called by other areas' services, inside their transactions ---------------------------------------


def on_event_created(*, actor: Actor, person: Person, event: Event) -> list[WorkItem]:
    """A sentence (or a release on licence) starts the clock on allocation, first appointment, RoSH screening
    and the safeguarding checks, by sentence type. A custodial sentence recorded with its release date also starts
    the licence-release clock."""
    return decide_and_apply(actor=actor, person=person, event=rules.EventCreated(_sentence(event)))


def on_release_date_changed(*, actor: Actor, person: Person, event: Event) -> list[WorkItem]:
    """Keep the licence-release clock on the event's release date, whenever that date or the sentence type changes
    (items open from another date are cancelled saying why; the clock starts once per release date)."""
    return decide_and_apply(actor=actor, person=person, event=rules.ReleaseDateChanged(_sentence(event)))


def on_marked_done(*, actor: Actor, person: Person, item: WorkItem, on: dt.date, note: str) -> Applied:
    """An open item marked done by hand on ``on``: it is closed with the note; a recurring one gets its next, and a
    first appointment starts the sentence-plan and contact clocks from ``on`` (once), saying it was marked done."""
    try:
        decision = rules.decide(case_snapshot(person), rules.MarkedDone(item.pk, on, note), calendar())
    except rules.UncountableDate as error:
        raise ValidationFailed.single(error.field, error.message) from error
    return apply_decision(actor=actor, person=person, decision=decision)


def on_allocated(*, actor: Actor, person: Person, event: Event, staff: Staff, start_date: dt.date) -> list[WorkItem]:
    """An allocation closes the allocation item, moves the case's open items to the new holders, and starts the
    clocks that run from allocation."""
    return decide_and_apply(actor=actor, person=person, event=rules.Allocated(_sentence(event), staff.name, start_date))


def on_household_change(
    *, actor: Actor, person: Person, relationship: Relationship, was_household_member: str | None, added: bool = False
) -> list[WorkItem]:
    """A partner or child now living in the household (added, or changed to live there) starts the checks; so does
    a partner added to the record who does not live there (a new intimate relationship all the same).

    ``was_household_member`` is the relationship type the record had as a household member before the change
    (None when it was not one); ``added`` says the relationship was just added. The clock starts on the day the
    change is recorded: the record has no move-in date.
    """
    change = rules.HouseholdChanged(
        relationship_id=relationship.pk,
        relationship=relationship.relationship,
        lives_in_household=relationship.lives_in_household,
        ended=relationship.end_date is not None,
        was_household_member=was_household_member,
        added=added,
    )
    return decide_and_apply(actor=actor, person=person, event=change)


def on_registration_added(*, actor: Actor, person: Person, registration: Registration) -> list[WorkItem]:
    """High or very high RoSH, or a child-protection registration: home visits at the policy's frequency."""
    return decide_and_apply(actor=actor, person=person, event=rules.RegistrationAdded(_registration(registration)))


def on_registration_ended(*, actor: Actor, person: Person, registration: Registration) -> list[WorkItem]:
    """A registration that called for home visits has been given an end date: unless another active registration
    still calls for them, the open home visit is cancelled, saying why. Returns the cancelled items."""
    snapshot = case_snapshot(person)
    decision = rules.decide(snapshot, rules.RegistrationEnded(_registration(registration)), calendar())
    return apply_decision(actor=actor, person=person, decision=decision).cancelled


def on_contact_recorded(
    *, actor: Actor, person: Person, type: str, when: dt.datetime, outcome: str, contact_id: int | None = None
) -> list[WorkItem]:
    """An attended first appointment closes that item and starts the sentence-plan and contact clocks; an attended
    home visit or face-to-face contact closes the open visit or monthly contact and books the next; an
    unacceptable absence starts the follow-up clock. Once per outcome per contact.

    ``contact_id`` is the contact's id; without it, the contact is the one just saved by ``contact_record`` (the
    newest of the case's contacts of this type, time and outcome)."""
    if contact_id is None and outcome:
        contact_id = (
            Contact.objects.filter(person=person, type=type, date=when, outcome=outcome)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
    recorded = rules.ContactRecorded(type=type, day=timezone.localdate(when), outcome=outcome, contact_id=contact_id)
    return decide_and_apply(actor=actor, person=person, event=recorded)


def on_contact_outcome_changed(
    *, actor: Actor, person: Person, contact_id: int, type: str, when: dt.datetime, outcome: str
) -> list[WorkItem]:
    """An outcome recorded later on an existing contact (an appointment changed to attended, say) has the same
    effects as recording the contact with that outcome, once: if its effects have been applied for this contact
    before (set, changed and set again), nothing more is done."""
    return on_contact_recorded(actor=actor, person=person, type=type, when=when, outcome=outcome, contact_id=contact_id)


def on_failure_to_comply(
    *, actor: Actor, person: Person, contact: Contact, outcome: str | None = None
) -> list[WorkItem]:
    """A contact given an outcome that is a failure to comply (or a possible failure found in it, ``outcome``): an
    enforcement decision falls due from the day of the failure, unless an open one already covers the case's
    failures awaiting a decision."""
    failure = rules.FailureToComplyRecorded(contact_id=contact.pk, day=timezone.localdate(contact.date),
                                            outcome=outcome or contact.outcome)
    return decide_and_apply(actor=actor, person=person, event=failure)


def on_enforcement_decided(*, actor: Actor, person: Person, decided: rules.EnforcementDecided) -> Applied:
    """A failure to comply decided: the enforcement-decision item closes when no failure still awaits a decision,
    and a breach starts the clock to court (``failure_to_comply_known``)."""
    try:
        decision = rules.decide(case_snapshot(person), decided, calendar())
    except rules.UncountableDate as error:
        raise ValidationFailed.single(error.field, error.message) from error
    return apply_decision(actor=actor, person=person, decision=decision)


def on_signals_found(*, actor: Actor, person: Person, found: rules.SignalsFound) -> Applied:
    """Warning signs found in a contact note: a signal review per signal (grouped into an open review of the same
    signal) and the combined rules' items. The caller stores the evidence of each grouped signal and opens the
    possible failures to comply (``Applied.grouped``, ``Applied.possible_failures``)."""
    try:
        decision = rules.decide(case_snapshot(person), found, calendar())
    except rules.UncountableDate as error:
        raise ValidationFailed.single(error.field, error.message) from error
    return apply_decision(actor=actor, person=person, decision=decision)


def open_item(*, person: Person, kind: str) -> WorkItem | None:
    """The case's open item of ``kind`` (at most one is open per kind), locked for the caller's transaction."""
    return WorkItem.objects.select_for_update().filter(person=person, kind=kind, status=WorkItemStatus.OPEN).first()
