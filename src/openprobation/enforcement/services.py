"""Enforcement decisions on failures to comply. One transaction each, audited.

A failure to comply (an appointment attended without complying, or an unacceptable absence) opens a decision with
its evidence, the contact, and the ``enforcement_decision`` work item that times it (``failure_to_comply_open``,
called through ``core.followups``). The practitioner records the decision once (``enforcement_decision_record``):
acceptable (no further action) or unacceptable, a warning or a breach, as ``rules.enforcement`` allows; a breach
starts the clock to court. See docs/enforcement.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from openprobation.contacts.models import Contact
from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, ValidationFailed, VersionConflict
from openprobation.core.records import snapshot
from openprobation.enforcement import selectors
from openprobation.enforcement.choices import DecisionStatus, EnforcementAction
from openprobation.enforcement.models import Breach, EnforcementDecision
from openprobation.people.access import Actor, require_write
from openprobation.people.models import Person
from openprobation.rules import enforcement as rules
from openprobation.rules import work_item_decisions as work_rules
from openprobation.rules.dates import long_date
from openprobation.rules.timescales import ItemKind
from openprobation.workitems import generate

REASON_LIMIT = 4000  # as the breach notice's further reasons (enforcement notes, section 1.4)
DECISION_FIELDS = ("status", "acceptable", "action", "warning_type", "reason", "decided_on", "warnings_before",
                   "policy_version")  # fmt: skip


def failure_to_comply_open(
    *, actor: Actor, person: Person, contact: Contact, failure: str | None = None
) -> EnforcementDecision:
    """Open the decision on a failure to comply, once per contact, with the work item that times it (a new one, or
    the case's open decision item that already covers the failures awaiting a decision). In the caller's
    transaction. ``failure`` names a possible failure found in what was reported (``rules.enforcement.
    POSSIBLE_FAILURES``: a relationship not disclosed as a licence requires); by default the contact's outcome."""
    existing = EnforcementDecision.objects.filter(contact=contact).first()
    if existing is not None:
        return existing
    failure = failure or contact.outcome
    made = generate.on_failure_to_comply(actor=actor, person=person, contact=contact, outcome=failure)
    item = next((i for i in made if i.kind == ItemKind.ENFORCEMENT_DECISION), None)
    if item is None:
        item = generate.open_item(person=person, kind=ItemKind.ENFORCEMENT_DECISION)
    decision = EnforcementDecision.objects.create(
        person=person,
        contact=contact,
        event_id=contact.event_id,
        work_item=item,
        failure_outcome=failure,
        failed_on=timezone.localdate(contact.date),
        opened_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="enforcement_decision.opened",
        crn=person.crn,
        entity="enforcement_decision",
        entity_id=decision.pk,
        after={"contact": contact.pk, "failure_outcome": failure, "failed_on": decision.failed_on,
               "work_item": item.pk if item is not None else None},
    )  # fmt: skip
    return decision


def _check_input(c: Collector, *, acceptable: Any, action: str, reason: str, decided_on: dt.date,
                 failed_on: dt.date) -> None:  # fmt: skip
    if not isinstance(acceptable, bool):
        c.add("acceptable", "Say whether the failure to comply was acceptable or unacceptable")
    if action not in EnforcementAction.values:
        c.add("action", f"Choose the action: one of {', '.join(EnforcementAction.values)}")
    if not reason.strip():
        c.add("reason", "Enter the reason for the decision")
    elif len(reason) > REASON_LIMIT:
        c.add("reason", f"The reason must be {REASON_LIMIT} characters or fewer")
    if decided_on > clock.today():
        c.add("decided_on", "The decision date must be today or in the past")
    elif decided_on < failed_on:
        c.add("decided_on", f"The decision date must be on or after the failure to comply ({long_date(failed_on)})")


def enforcement_decision_record(
    *,
    actor: Actor,
    person: Person,
    decision_id: int,
    version: int,
    acceptable: bool,
    action: str,
    reason: str,
    warning_type: str = "",
    decided_on: dt.date | None = None,
) -> EnforcementDecision:
    """Record the decision on a failure to comply (once). Unacceptable: a warning of a type the policy allows, or a
    breach; once the warnings the policy allows in the period have been given, only a breach. Closes the decision's
    work item when no other failure on the case awaits a decision; a breach starts (or joins) the case's breach in
    progress and the clock to court."""
    staff = require_write(actor)
    decided_on = decided_on or clock.today()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one decision at a time on a case
        decision = EnforcementDecision.objects.select_for_update().filter(person=person, pk=decision_id).first()
        if decision is None:
            raise NotFound(f"No enforcement decision {decision_id} on case {person.crn}")
        if decision.status == DecisionStatus.DECIDED:
            assert decision.decided_on is not None
            raise ValidationFailed.single(
                "status", f"This failure to comply was already decided on {long_date(decision.decided_on)}: "
                "nothing was changed")  # fmt: skip
        if decision.version != version:
            raise VersionConflict(decision.version)
        c = Collector()
        _check_input(c, acceptable=acceptable, action=action, reason=reason, decided_on=decided_on,
                     failed_on=decision.failed_on)  # fmt: skip
        c.raise_if_any()
        policy = rules.enforcement_policy()
        since = selectors.counted_from(person=person, today=decided_on)
        given = selectors.warnings_given(person=person, since=since)
        for field, message in rules.decision_problems(
            outcome=decision.failure_outcome, acceptable=acceptable, action=action, warning_type=warning_type or None,
            warnings_given=given, policy=policy,
        ):  # fmt: skip
            c.add(field, message)
        c.raise_if_any()
        before = snapshot(decision, DECISION_FIELDS)
        decision.status = DecisionStatus.DECIDED
        decision.acceptable = acceptable
        decision.action = action
        decision.warning_type = warning_type if action == EnforcementAction.WARNING else ""
        decision.reason = reason
        decision.decided_on = decided_on
        decision.decided_by = staff
        decision.warnings_before = given
        decision.policy_version = policy.policy_version
        decision.version += 1
        breach_started = False
        if action == EnforcementAction.BREACH:
            decision.breach, breach_started = _breach_for(actor=actor, person=person, decision=decision,
                                                          on=decided_on)
        decision.save()
        audit_record(
            actor=actor,
            action="enforcement_decision.recorded",
            crn=person.crn,
            entity="enforcement_decision",
            entity_id=decision.pk,
            before=before,
            after={**snapshot(decision, DECISION_FIELDS), "contact": decision.contact_id,
                   "breach": decision.breach_id},
            reason=reason,
        )  # fmt: skip
        still_awaiting = EnforcementDecision.objects.filter(
            person=person, status=DecisionStatus.AWAITING, work_item_id=decision.work_item_id
        ).count() if decision.work_item_id is not None else 0  # fmt: skip
        words = rules.ACTION_WORDS[rules.Action(action)]
        generate.on_enforcement_decided(actor=actor, person=person, decided=work_rules.EnforcementDecided(
            on=decided_on,
            note=f"Failure to comply on {long_date(decision.failed_on)} decided: {words}",
            still_awaiting=still_awaiting,
            breach=breach_started,
            aware_on=decision.failed_on,
            event_id=decision.event_id,
            unacceptable_failures=selectors.compliance_status(person=person, now=clock.now()).failures,
        ))  # fmt: skip
    return decision


def _breach_for(*, actor: Actor, person: Person, decision: EnforcementDecision, on: dt.date) -> tuple[Breach, bool]:
    """The case's breach in progress, or a new one from this failure (True when new)."""
    current = Breach.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    if current is not None:
        return current, False
    breach = Breach.objects.create(person=person, event_id=decision.event_id, aware_on=decision.failed_on,
                                   started_on=on)  # fmt: skip
    audit_record(
        actor=actor,
        action="breach.started",
        crn=person.crn,
        entity="breach",
        entity_id=breach.pk,
        after={"event": decision.event_id, "aware_on": breach.aware_on, "started_on": breach.started_on,
               "enforcement_decision": decision.pk},
    )  # fmt: skip
    return breach, True
