"""Completing and cancelling work items, and changing how often a person reports. One transaction each, audited.

Items are made by events (``generate.py``); here a person closes one. An item that stands for a safeguarding check
is closed by requesting the check (``safeguarding.services``), and a countersignature item by countersigning: the
record of what was done is then the enquiry or the decision, not a tick.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, PermissionDenied, ValidationFailed
from openprobation.organisation.choices import Role
from openprobation.people.access import Actor, can_write, people_visible_to, require_write
from openprobation.people.models import Person
from openprobation.rules.dates import long_date
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.timescales import ItemKind, Trigger
from openprobation.workitems import generate
from openprobation.workitems.choices import (
    REPORTING_ORDER,
    ReportingChangeStatus,
    ReportingFrequency,
    WorkItemStatus,
)
from openprobation.workitems.models import ReportingChange, WorkItem

CHECK_KINDS = frozenset({ItemKind.POLICE_DA_CHECK, ItemKind.CHILDRENS_SERVICES_CHECK})
# Done only by completing the RoSH assessment itself, so the sign-off rule (no unused enquiry responses) holds.
ASSESSMENT_KINDS = frozenset({ItemKind.ROSH_SCREENING, ItemKind.ROSH_FULL_ANALYSIS, ItemKind.ROSH_REVIEW})
# Closed only by the decision they stand for.
DECISION_KINDS = frozenset(
    {ItemKind.REPORTING_CHANGE_COUNTERSIGN, ItemKind.ENFORCEMENT_DECISION, ItemKind.SIGNAL_REVIEW,
     ItemKind.RISK_ESCALATION_REVIEW}
)
SIGNAL_REVIEW_WORDS = (
    "A warning sign is closed only by recording its disposition (the action taken, linked to what was done, or no "
    "action with the reason) on the review's own page. Nothing was changed"
)
MAX_TEXT = 5000


def _locked_item(actor: Actor, item_id: int) -> WorkItem:
    item = (
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(pk=item_id, person__in=people_visible_to(actor))
        .first()
    )
    if item is None:
        raise NotFound(f"No work item {item_id}")
    return item


def _still_open(item: WorkItem) -> None:
    if item.status != WorkItemStatus.OPEN:
        when = f" on {item.closed_on.day} {item.closed_on:%B %Y}" if item.closed_on else ""
        raise ValidationFailed.single(
            "status", f"This item is already {item.get_status_display().lower()}{when}: nothing was changed"
        )


def work_item_complete(*, actor: Actor, item_id: int, completed_on: dt.date | None = None, note: str = "") -> WorkItem:
    """Record that an open item was done (today unless ``completed_on``); a recurring item gets its next one."""
    require_write(actor)
    completed_on = completed_on or clock.today()
    with transaction.atomic():
        item = _locked_item(actor, item_id)
        _still_open(item)
        c = Collector()
        if item.kind in CHECK_KINDS:
            c.add("kind", "Record the request as a safeguarding enquiry on the case: that completes this item")
        elif item.kind in ASSESSMENT_KINDS:
            c.add("kind", "Complete the RoSH assessment on the case: that completes this item")
        elif item.kind == ItemKind.REPORTING_CHANGE_COUNTERSIGN:
            c.add("kind", "Countersign or refuse the reduction in reporting: that completes this item")
        elif item.kind == ItemKind.ENFORCEMENT_DECISION:
            c.add("kind", "Record the decision on the failure to comply (the case's Compliance section): that "
                  "completes this item")
        elif item.kind == ItemKind.SIGNAL_REVIEW:
            c.add("kind", SIGNAL_REVIEW_WORDS)
        if completed_on > clock.today():
            c.add("completed_on", "The date it was done must be today or in the past")
        elif completed_on < item.clock_started_on:
            c.add(
                "completed_on",
                f"The date it was done cannot be before its clock started ({long_date(item.clock_started_on)})",
            )
        if len(note) > MAX_TEXT:
            c.add("note", f"The note must be {MAX_TEXT} characters or fewer")
        c.raise_if_any()
        # Closed through the work-item rules, with what follows from it: a recurring item's next, and for a first
        # appointment the sentence plan and contact clocks (once: a later attended contact does not start them).
        generate.on_marked_done(actor=actor, person=item.person, item=item, on=completed_on, note=note)
        item.refresh_from_db()
    return item


def work_item_cancellable(*, actor: Actor | None, kind: str) -> bool:
    """Whether ``actor`` may cancel an open item of this kind: the rule ``work_item_cancel`` applies, for pages to
    offer the action only where it can succeed."""
    if kind in CHECK_KINDS or kind in ASSESSMENT_KINDS or kind in DECISION_KINDS:
        return False
    return can_write(actor)


def work_item_cancel(*, actor: Actor, item_id: int, reason: str) -> WorkItem:
    """Cancel an open item that is no longer owed, saying why (the reason is required and kept).

    A safeguarding-check, RoSH assessment or countersignature item is not cancelled: it is closed by its record (the
    enquiry, the assessment, the SPO's decision on the reduction), so neither the sign-off rule nor the
    countersignature can be side-stepped (a cancelled countersignature would leave the reduction waiting for ever)."""
    require_write(actor)
    reason = (reason or "").strip()
    with transaction.atomic():
        item = _locked_item(actor, item_id)
        _still_open(item)
        c = Collector()
        if item.kind == ItemKind.RISK_ESCALATION_REVIEW:
            c.add("kind", "A risk escalation is not cancelled here: the receiving SPO accepts it or declines it with a "
                          "reason, which closes this item. Nothing was changed")
        elif item.kind == ItemKind.ENFORCEMENT_DECISION:
            c.add(
                "kind",
                "An enforcement decision is not cancelled here: record the decision on the failure to comply (an "
                "acceptable failure is decided as such, with its reason), which closes this item. Nothing was changed",
            )
        elif item.kind == ItemKind.SIGNAL_REVIEW:
            c.add("kind", SIGNAL_REVIEW_WORDS)
        elif item.kind == ItemKind.REPORTING_CHANGE_COUNTERSIGN:
            c.add(
                "kind",
                "A countersignature is not cancelled here: the senior probation officer approves or refuses the "
                "reduction in reporting on the case, which closes this item. Nothing was changed",
            )
        elif item.kind in CHECK_KINDS:
            c.add(
                "kind",
                f"A {item.get_kind_display().lower()} is not cancelled here: record the enquiry on the case, which "
                "completes this item (and close the enquiry with a reason if it is not needed). Nothing was changed",
            )
        elif item.kind in ASSESSMENT_KINDS:
            c.add(
                "kind",
                f"A {item.get_kind_display()} item is not cancelled here: complete the RoSH assessment on the case, "
                "which completes this item. Nothing was changed",
            )
        if not reason:
            c.add("reason", "Enter why this item is no longer needed")
        elif len(reason) > MAX_TEXT:
            c.add("reason", f"The reason must be {MAX_TEXT} characters or fewer")
        c.raise_if_any()
        generate.cancel_item(actor=actor, person=item.person, item=item, reason=reason)
    return item


# ---- reporting frequency ------------------------------------------------------------------------------------


def reporting_frequency_in_force(*, person: Person) -> ReportingChange | None:
    """The reporting frequency in force now: the latest change an SPO countersigned or that needed no signature."""
    return (
        ReportingChange.objects.filter(person=person, status=ReportingChangeStatus.IN_FORCE)
        .order_by("-in_force_from", "-id")
        .first()
    )


def reporting_frequency_request(*, actor: Actor, person: Person, frequency: str, reason: str) -> ReportingChange:
    """Set how often the person reports. The first setting and any increase are in force at once; a reduction
    waits for an SPO's countersignature (and makes a work item for the team's SPO)."""
    staff = require_write(actor)
    reason = (reason or "").strip()
    c = Collector()
    if frequency not in ReportingFrequency.values:
        c.add("frequency", f"Choose how often the person reports: one of {', '.join(ReportingFrequency.values)}")
    if not reason:
        c.add("reason", "Enter why the reporting frequency is changing")
    c.raise_if_any()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one pending change per case
        if ReportingChange.objects.filter(
            person=person, status=ReportingChangeStatus.AWAITING_COUNTERSIGNATURE
        ).exists():
            raise ValidationFailed.single(
                "frequency", "A reduction in reporting is already waiting for an SPO: it must be decided first"
            )
        current = reporting_frequency_in_force(person=person)
        previous = current.frequency if current else ""
        if previous == frequency:
            raise ValidationFailed.single("frequency", f"Reporting is already {frequency}")
        reduction = bool(previous) and REPORTING_ORDER.index(frequency) > REPORTING_ORDER.index(previous)
        now = clock.now()
        change = ReportingChange.objects.create(
            person=person,
            frequency=frequency,
            previous_frequency=previous,
            reason=reason,
            requested_by=staff,
            requested_at=now,
            status=ReportingChangeStatus.AWAITING_COUNTERSIGNATURE if reduction else ReportingChangeStatus.IN_FORCE,
            in_force_from=None if reduction else clock.today(),
        )
        audit_record(
            actor=actor,
            action="reporting.change_requested",
            crn=person.crn,
            entity="reporting_change",
            entity_id=change.pk,
            before={"frequency": previous},
            after={"frequency": frequency, "status": change.status},
            reason=reason,
        )
        if reduction:
            generate.work_items_generate_for(
                actor=actor, trigger=Trigger.REPORTING_REDUCTION_REQUESTED, person=person, occurred_on=now
            )
    return change


def unsafe_review_open(*, person: Person) -> WorkItem | None:
    """The open review that blocks countersigning a reduction in reporting: a RoSH review started because someone
    said they feel unsafe, or the signal review of that report (docs/signals.md, "Prompts"); None when there is
    none."""
    unsafe = signal_policy().prompts.unsafe_signals
    return (
        WorkItem.objects.filter(person=person, status=WorkItemStatus.OPEN)
        .filter(
            Q(kind=ItemKind.ROSH_REVIEW, trigger=Trigger.UNSAFE_REPORTED)
            | Q(kind=ItemKind.SIGNAL_REVIEW, signal__in=unsafe)
        )
        .order_by("due_date", "pk")
        .first()
    )


def reporting_reduction_countersign(
    *, actor: Actor, person: Person, change_id: int, approve: bool, reason: str = ""
) -> ReportingChange:
    """An SPO's decision on a reduction in reporting: countersigned, it is in force from today; refused (with a
    reason), the frequency stays as it was."""
    staff = require_write(actor)
    if staff.role != Role.SPO:
        raise PermissionDenied("Only a senior probation officer can countersign a reduction in reporting")
    reason = (reason or "").strip()
    with transaction.atomic():
        change = ReportingChange.objects.select_for_update().filter(person=person, pk=change_id).first()
        if change is None:
            raise NotFound(f"No reporting change {change_id} on case {person.crn}")
        c = Collector()
        if change.status != ReportingChangeStatus.AWAITING_COUNTERSIGNATURE:
            c.add("status", f"This change is already {change.get_status_display().lower()}: nothing was changed")
        if change.requested_by_id == staff.pk:
            c.add("approve", "A reduction must be countersigned by someone other than the person who asked for it")
        if not approve and not reason:
            c.add("reason", "Enter why the reduction is refused")
        if approve and change.status == ReportingChangeStatus.AWAITING_COUNTERSIGNATURE:
            blocking = unsafe_review_open(person=person)
            if blocking is not None:
                c.add(
                    "approve",
                    "A reduction in reporting cannot be countersigned while someone's report that they feel unsafe "
                    f"is under review ({blocking.label.lower()}, due {long_date(blocking.due_date)}): complete the "
                    "review first, or refuse the reduction. Nothing was changed",
                )
        c.raise_if_any()
        change.status = ReportingChangeStatus.IN_FORCE if approve else ReportingChangeStatus.REFUSED
        change.decided_by = staff
        change.decided_at = clock.now()
        change.decision_reason = reason
        change.in_force_from = clock.today() if approve else None
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "in_force_from"])
        audit_record(
            actor=actor,
            action="reporting.change_decided",
            crn=person.crn,
            entity="reporting_change",
            entity_id=change.pk,
            before={"status": ReportingChangeStatus.AWAITING_COUNTERSIGNATURE},
            after={"status": change.status, "in_force_from": change.in_force_from},
            reason=reason,
        )
        decision = "Countersigned" if approve else "Refused"
        generate.close_open_items(
            actor=actor,
            person=person,
            kinds=[ItemKind.REPORTING_CHANGE_COUNTERSIGN],
            on=clock.today(),
            note=f"{decision}: {change.get_frequency_display().lower()}",
            any_relationship=True,
        )
    return change
