"""Turning events in the record into work items, inside the transaction of the service that records the event.

The services of other areas call the ``on_*`` hooks here (sentences, allocation, household, registrations,
contacts); each hook works out the trigger and the case facts, asks ``rules.timescales.items_due`` what the event
makes due under the configured preset (``OPENPROBATION_TIMESCALE_PRESET``), stores the items and writes one audit
event for them. An item is not made twice: while an item of the same kind (for the same partner or child) is open
on the case, the event adds nothing for that kind. Items that an event fulfils (the allocation, the first
appointment, a home visit) are closed here as done, and a recurring kind gets its next item.

This module imports only models (never another area's services), so any service may call it without a cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.utils import timezone

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff
from openprobation.people.access import Actor
from openprobation.people.models import Person, Relationship
from openprobation.risk.models import Registration
from openprobation.rules.calendar import CalendarRangeError, WorkingCalendar, england_and_wales
from openprobation.rules.registrations import registration_type, rosh_codes
from openprobation.rules.timescales import (
    CaseFacts,
    DueItem,
    ItemKind,
    Owner,
    TimescalePolicy,
    Trigger,
    TriggerEvent,
    items_due,
    next_occurrence,
    timescale_policy,
)
from openprobation.sentences.models import Event
from openprobation.workitems.choices import WorkItemStatus
from openprobation.workitems.models import WorkItem

CHILD_PROTECTION_CODE = "RCPR"
HIGH_ROSH = frozenset({"high", "very_high"})
SENTENCE_TRIGGERS = {
    "community_order": Trigger.SENTENCE_COMMUNITY,
    "suspended_sentence_order": Trigger.SENTENCE_COMMUNITY,
    "custody": Trigger.SENTENCE_CUSTODY,
    "licence": Trigger.SENTENCE_LICENCE_RELEASE,
    "post_sentence_supervision": Trigger.SENTENCE_LICENCE_RELEASE,
}
# Contacts that count as the first appointment (PS SL004: in person, office or home; the 2014-2021 levels also
# accepted video), as a face-to-face monthly contact, and as a home visit.
FIRST_APPOINTMENT_TYPES = frozenset({"office_appointment", "home_visit", "video"})
FACE_TO_FACE_TYPES = frozenset({"office_appointment", "home_visit"})
ATTENDED = "attended_complied"
MISSED = "failed_to_attend_unacceptable"
RECURRING_KINDS = frozenset({ItemKind.HOME_VISIT, ItemKind.MONTHLY_CONTACT})


def policy() -> TimescalePolicy:
    """The timescale preset in use (a setting; the Probation Service levels by default)."""
    return timescale_policy(settings.TIMESCALE_PRESET)


@cache
def calendar() -> WorkingCalendar:
    return england_and_wales()


def case_facts(person: Person, *, sentence_type: str | None = None) -> CaseFacts:
    """What the timescale conditions may ask, read from the case's active registrations."""
    active = list(
        Registration.objects.filter(person=person, end_date__isnull=True)
        .order_by("-start_date", "-id")
        .values_list("code", flat=True)
    )
    levels = rosh_codes()
    rosh = next((levels[c] for c in active if c in levels), None)
    return CaseFacts(
        sentence_type=sentence_type,  # type: ignore[arg-type]  # the rules accept the raw value
        rosh=rosh,
        child_protection=CHILD_PROTECTION_CODE in active,
    )


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
    if owner_role == Owner.PRACTITIONER:
        return practitioner_id
    if owner_role == Owner.SPO:
        return spo_id
    return None


def store_items(
    *,
    actor: Actor,
    person: Person,
    due: Iterable[DueItem],
    event: Event | None = None,
    relationship: Relationship | None = None,
) -> list[WorkItem]:
    """Store the due items the case does not already have open, with one audit event for them."""
    due = list(due)
    if not due:
        return []
    open_kinds = set(
        WorkItem.objects.filter(
            person=person,
            status=WorkItemStatus.OPEN,
            kind__in=[d.kind.value for d in due],
            relationship=relationship,
        ).values_list("kind", flat=True)
    )
    team_id, practitioner_id, spo_id = _holders(person)
    now = clock.now()
    created = [
        WorkItem(
            person=person,
            kind=d.kind.value,
            due_date=d.due_date,
            due_at=d.due_at,
            owner_role=d.owner.value,
            owner_id=_owner_id(d.owner, practitioner_id, spo_id),
            team_id=team_id,
            rule_id=d.rule_id,
            policy_version=d.policy_version,
            trigger=d.trigger.value,
            clock_started_on=d.clock_started_on,
            reason=d.reason,
            event=event,
            relationship=relationship,
            created_at=now,
        )
        for d in due
        if d.kind.value not in open_kinds
    ]
    for item in created:
        item.save()
    if created:
        audit_record(
            actor=actor,
            action="work_items.created",
            crn=person.crn,
            entity="work_item",
            entity_id=",".join(str(i.pk) for i in created),
            after={
                "trigger": created[0].trigger,
                "work_items": [
                    {
                        "id": i.pk,
                        "kind": i.kind,
                        "due_date": i.due_date,
                        "rule_id": i.rule_id,
                        "policy_version": i.policy_version,
                    }
                    for i in created
                ],
            },
        )
    return created


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
    """Store the work items one event in the record makes due (see the module docstring).

    ``field`` names the input that gave ``occurred_on``: a date the working-day calendar cannot count from (far in
    the future, say) is refused as a field error on it, and the caller's transaction changes nothing."""
    facts = facts or case_facts(person, sentence_type=event.sentence_type if event else None)
    try:
        due = items_due(TriggerEvent(trigger, occurred_on, facts), policy(), calendar())
    except CalendarRangeError as error:
        raise ValidationFailed.single(field, f"No due dates can be worked out from this date: {error}") from error
    return store_items(actor=actor, person=person, due=due, event=event, relationship=relationship)


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
    """Mark the case's open items of these kinds done, because the record now shows them done (only items whose
    clock had started by ``started_by``, when given: a contact before the sentence is not its first appointment)."""
    items = WorkItem.objects.select_for_update().filter(person=person, status=WorkItemStatus.OPEN, kind__in=list(kinds))
    if started_by is not None:
        items = items.filter(clock_started_on__lte=started_by)
    if not any_relationship:
        items = items.filter(relationship=relationship)
    closed = list(items)
    user = actor if getattr(actor, "is_authenticated", False) else None
    for item in closed:
        item.status = WorkItemStatus.DONE
        item.closed_on = on
        item.closed_by = user  # type: ignore[assignment]
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
    return closed


def schedule_next(*, actor: Actor, person: Person, done: Iterable[WorkItem], done_on: dt.date) -> list[WorkItem]:
    """For each recurring item just done, the next one while the rule's conditions still hold."""
    created: list[WorkItem] = []
    facts = case_facts(person)
    for item in done:
        if item.kind not in RECURRING_KINDS:
            continue
        try:
            nxt = next_occurrence(ItemKind(item.kind), done_on, facts, policy(), calendar())
        except CalendarRangeError as error:
            raise ValidationFailed.single("date", f"No next due date can be worked out: {error}") from error
        if nxt is not None:
            created += store_items(
                actor=actor, person=person, due=[nxt], event=item.event, relationship=item.relationship
            )
    return created


# ---- hooks called by other areas' services, inside their transactions ---------------------------------------


def on_event_created(*, actor: Actor, person: Person, event: Event) -> list[WorkItem]:
    """A sentence (or a release on licence) starts the clock on allocation, first appointment, RoSH screening
    and the safeguarding checks, by sentence type. A custodial sentence recorded with its release date also starts
    the licence-release clock."""
    trigger = SENTENCE_TRIGGERS.get(event.sentence_type)
    if trigger is None:
        return []
    if trigger is Trigger.SENTENCE_LICENCE_RELEASE and event.release_date:
        occurred, field = event.release_date, "release_date"
    else:
        occurred, field = event.sentence_date, "sentence_date"
    created = work_items_generate_for(
        actor=actor, trigger=trigger, person=person, occurred_on=occurred, event=event, field=field
    )
    return created + on_release_date_changed(actor=actor, person=person, event=event)


def on_release_date_changed(*, actor: Actor, person: Person, event: Event) -> list[WorkItem]:
    """Keep the licence-release clock on the event's release date, whenever that date or the sentence type changes.

    The clock runs for a custodial sentence with a release date and for a licence or post-sentence supervision
    (first appointment within a working day of release, ps2021). Items still open from another date, or from a
    release that no longer applies (date cleared, type changed), are cancelled with the reason and audited; then the
    clock starts on the current date unless an open or done item already runs from it (once per release date)."""
    released = event.release_date
    on_release = SENTENCE_TRIGGERS.get(event.sentence_type) is Trigger.SENTENCE_LICENCE_RELEASE
    applies = released is not None and (event.sentence_type == "custody" or on_release)
    _cancel_stale_release_items(actor=actor, person=person, event=event, current=released if applies else None)
    if not applies:
        return []
    assert released is not None
    already = WorkItem.objects.filter(
        event=event,
        trigger=Trigger.SENTENCE_LICENCE_RELEASE.value,
        clock_started_on=released,
        status__in=[WorkItemStatus.OPEN, WorkItemStatus.DONE],
    ).exists()
    if already:
        return []
    return work_items_generate_for(
        actor=actor,
        trigger=Trigger.SENTENCE_LICENCE_RELEASE,
        person=person,
        occurred_on=released,
        event=event,
        field="release_date",
    )


def _cancel_stale_release_items(*, actor: Actor, person: Person, event: Event, current: dt.date | None) -> None:
    """Cancel, saying why, the open licence-release items of this event not dated from ``current`` (all of them when
    no release applies any more), so nothing is owed twice or from the wrong date."""
    stale = WorkItem.objects.select_for_update().filter(
        event=event, trigger=Trigger.SENTENCE_LICENCE_RELEASE.value, status=WorkItemStatus.OPEN
    )
    if current is not None:
        stale = stale.exclude(clock_started_on=current)
    for item in stale:
        was = _day(item.clock_started_on)
        reason = (
            f"Release date changed from {was} to {_day(current)}"
            if current is not None
            else f"No release on {was} any more (release date cleared or sentence type changed)"
        )
        cancel_item(actor=actor, person=person, item=item, reason=reason)


def on_first_appointment_done(*, actor: Actor, person: Person, first: WorkItem, on: dt.date) -> list[WorkItem]:
    """A first appointment item just done (by hand, or by an attended contact) starts the "first appointment
    attended" clock (sentence plan, monthly contact) on ``on``, once: not if it already started for this item."""
    started = WorkItem.objects.filter(
        person=person, trigger=Trigger.FIRST_APPOINTMENT_ATTENDED.value, pk__gt=first.pk
    ).exists()
    if started:
        return []
    return work_items_generate_for(
        actor=actor,
        trigger=Trigger.FIRST_APPOINTMENT_ATTENDED,
        person=person,
        occurred_on=on,
        event=first.event,
        field="completed_on",
    )


def on_allocated(*, actor: Actor, person: Person, event: Event, staff: Staff, start_date: dt.date) -> list[WorkItem]:
    """An allocation closes the allocation item, moves the case's open items to the new holders, and starts the
    clocks that run from allocation."""
    close_open_items(
        actor=actor,
        person=person,
        kinds=[ItemKind.ALLOCATION],
        on=start_date,
        note=f"Allocated to {staff.name}",
        any_relationship=True,
    )
    team_id, practitioner_id, spo_id = _holders(person)
    open_items = WorkItem.objects.filter(person=person, status=WorkItemStatus.OPEN)
    open_items.filter(owner_role=Owner.PRACTITIONER).update(owner_id=practitioner_id, team_id=team_id)
    open_items.filter(owner_role=Owner.SPO).update(owner_id=spo_id, team_id=team_id)
    open_items.filter(owner_role=Owner.ADMIN).update(team_id=team_id)
    return work_items_generate_for(
        actor=actor, trigger=Trigger.ALLOCATION, person=person, occurred_on=start_date, event=event, field="start_date"
    )


def on_household_change(
    *, actor: Actor, person: Person, relationship: Relationship, was_household_member: str | None
) -> list[WorkItem]:
    """A partner or child now living in the household (added, or changed to live there) starts the checks.

    ``was_household_member`` is the relationship type the record had as a household member before the change
    (None when it was not one). The clock starts on the day the change is recorded: the record has no move-in date.
    """
    if not relationship.lives_in_household or relationship.end_date is not None:
        return []
    if relationship.relationship == was_household_member:
        return []
    trigger = {"partner": Trigger.PARTNER_JOINED_HOUSEHOLD, "child": Trigger.CHILD_JOINED_HOUSEHOLD}.get(
        relationship.relationship
    )
    if trigger is None:
        return []
    return work_items_generate_for(
        actor=actor, trigger=trigger, person=person, occurred_on=clock.today(), relationship=relationship
    )


def on_registration_added(*, actor: Actor, person: Person, registration: Registration) -> list[WorkItem]:
    """High or very high RoSH, or a child-protection registration: home visits at the policy's frequency."""
    if registration.end_date is not None and registration.end_date <= clock.today():
        return []
    facts = case_facts(person)
    if registration.code == CHILD_PROTECTION_CODE:
        trigger = Trigger.CHILD_PROTECTION_REGISTRATION
    elif rosh_codes().get(registration.code) in HIGH_ROSH:
        trigger = Trigger.ROSH_HIGH_OR_VERY_HIGH
    else:
        return []
    return work_items_generate_for(
        actor=actor,
        trigger=trigger,
        person=person,
        occurred_on=registration.start_date,
        facts=facts,
        field="start_date",
    )


def on_registration_ended(*, actor: Actor, person: Person, registration: Registration) -> list[WorkItem]:
    """A high or very high RoSH or child-protection registration has been given an end date: unless another active
    registration still calls for home visits, the open home visit is cancelled, saying why."""
    if registration.end_date is None or not _calls_for_home_visits(registration.code):
        return []
    facts = case_facts(person)  # the registration is already saved with its end date, so it is not counted
    if facts.child_protection or facts.rosh in HIGH_ROSH:
        return []
    rtype = registration_type(registration.code)
    name = f"{registration.code} registration" + (f" ({rtype.name})" if rtype else "")
    verb = "ends" if registration.end_date > clock.today() else "ended"
    reason = f"Home visits no longer required: {name} {verb} on {_day(registration.end_date)}"
    items = list(
        WorkItem.objects.select_for_update().filter(
            person=person, status=WorkItemStatus.OPEN, kind=ItemKind.HOME_VISIT.value
        )
    )
    for item in items:
        cancel_item(actor=actor, person=person, item=item, reason=reason)
    return items


def _calls_for_home_visits(code: str) -> bool:
    return code == CHILD_PROTECTION_CODE or rosh_codes().get(code) in HIGH_ROSH


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def on_contact_recorded(*, actor: Actor, person: Person, type: str, when: dt.datetime, outcome: str) -> list[WorkItem]:
    """An attended first appointment closes that item and starts the sentence-plan and contact clocks; an attended
    home visit or face-to-face contact closes the open visit or monthly contact and books the next; an
    unacceptable absence starts the follow-up clock."""
    day = timezone.localdate(when)
    created: list[WorkItem] = []
    if outcome == ATTENDED:
        if type in FIRST_APPOINTMENT_TYPES:
            first = close_open_items(
                actor=actor,
                person=person,
                kinds=[ItemKind.FIRST_APPOINTMENT],
                on=day,
                note="First appointment attended",
                any_relationship=True,
                started_by=day,
            )
            if first:
                created += _start_after_first_appointment(actor=actor, person=person, first=first[0], on=day)
            else:
                # A first appointment marked done earlier without starting the clock (before this was fixed): the
                # clock starts from the day it was recorded as done, once.
                earlier = (
                    WorkItem.objects.filter(
                        person=person, kind=ItemKind.FIRST_APPOINTMENT.value, status=WorkItemStatus.DONE
                    )
                    .order_by("-pk")
                    .first()
                )
                if earlier is not None and earlier.closed_on is not None:
                    created += _start_after_first_appointment(
                        actor=actor, person=person, first=earlier, on=earlier.closed_on
                    )
        kinds = []
        if type == "home_visit":
            kinds.append(ItemKind.HOME_VISIT)
        if type in FACE_TO_FACE_TYPES:
            kinds.append(ItemKind.MONTHLY_CONTACT)
        if kinds:
            note = "Attended: " + type.replace("_", " ")
            # only visits and contacts already owed by that day: a backdated contact does not close a later one
            done = close_open_items(
                actor=actor, person=person, kinds=kinds, on=day, note=note, any_relationship=True, started_by=day
            )
            created += schedule_next(actor=actor, person=person, done=done, done_on=day)
    elif outcome == MISSED:
        created += work_items_generate_for(
            actor=actor, trigger=Trigger.APPOINTMENT_MISSED, person=person, occurred_on=day, field="date"
        )
    return created


def _start_after_first_appointment(*, actor: Actor, person: Person, first: WorkItem, on: dt.date) -> list[WorkItem]:
    try:
        return on_first_appointment_done(actor=actor, person=person, first=first, on=on)
    except ValidationFailed as error:  # the contact's date is the field the caller knows
        raise ValidationFailed.single("date", error.errors[0].message) from error


def on_contact_outcome_changed(
    *, actor: Actor, person: Person, contact_id: int, type: str, when: dt.datetime, outcome: str
) -> list[WorkItem]:
    """An outcome recorded later on an existing contact (an appointment changed to attended, say) has the same
    effects as recording the contact with that outcome, once: if the contact has had this outcome before (set,
    changed and set again), its effects have already happened and nothing more is done.

    Called after the service has written its ``contact.updated`` audit event, so that event is one of those read.
    """
    if outcome not in (ATTENDED, MISSED):
        return []
    times = AuditEvent.objects.filter(
        crn=person.crn,
        entity="contact",
        entity_id=str(contact_id),
        action__in=("contact.recorded", "contact.updated"),
        after__outcome=outcome,
    ).count()
    if times > 1:
        return []
    return on_contact_recorded(actor=actor, person=person, type=type, when=when, outcome=outcome)
