"""Risk escalation: the request with its evidence, and the receiving manager's decision. One transaction each,
audited; a refusal changes nothing.

``escalation_request``: a practitioner asks for the case to go to a probation officer, to MAPPA level 2 or 3, or
(under the 2014-2021 contracts) from the CRC to the NPS; the evidence is gathered from the record now and stored
with it, and the review clock starts (the ``risk_escalation_review`` work item, trigger
``risk_escalation_requested``, owed by the team's SPO). ``escalation_decide``: the SPO accepts (the case moves: a
reallocation through the allocation service, or a new MAPPA registration at the level through the registration
service) or declines with a reason; either closes the clock. See docs/recall.md, "Risk escalation".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, ValidationFailed
from openprobation.core.records import lock_for_update, snapshot
from openprobation.escalation import selectors
from openprobation.escalation.choices import EscalationDecision, EscalationStatus
from openprobation.escalation.models import RiskEscalation
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import Actor, require_role, require_write
from openprobation.people.models import Person
from openprobation.risk import services as risk_services
from openprobation.rules import escalation as rules
from openprobation.rules.registrations import MAPPA_CODE
from openprobation.rules.timescales import ItemKind, Trigger
from openprobation.sentences import services as sentence_services
from openprobation.workitems import generate

TEXT_LIMIT = 4000
CONTACTS_LIMIT = 50
MAPPA_CATEGORIES = ("M1", "M2", "M3", "M4")


def _text(c: Collector, field: str, value: str, label: str, *, required: bool = True) -> None:
    if required and not (value or "").strip():
        c.add(field, f"Enter {label}")
    elif len(value or "") > TEXT_LIMIT:
        c.add(field, f"{label[0].upper()}{label[1:]} must be {TEXT_LIMIT:,} characters or fewer")


def _audit(actor: Actor, esc: RiskEscalation, action: str, before: dict[str, Any] | None, fields: Sequence[str],
           reason: str = "") -> None:  # fmt: skip
    audit_record(actor=actor, action=action, crn=esc.person.crn, entity="risk_escalation", entity_id=esc.pk,
                 before=before, after=snapshot(esc, ("status", *fields)), reason=reason)  # fmt: skip


# ---- the request -------------------------------------------------------------------------------------------------


def escalation_request(
    *,
    actor: Actor,
    person: Person,
    target: str,
    reason: str,
    contact_ids: Sequence[int] = (),
    receiving_team: str | None = None,
) -> RiskEscalation:
    """Ask for the case to be escalated to ``target``, with the requester's ``reason`` and the contacts they chose
    as evidence. For the CRC to NPS referral, ``receiving_team`` is the code of the NPS team it goes to; otherwise
    the case's own team receives it. Refused: a target the case is already at; the referral outside the 2014-2021
    contracts; a second escalation while one awaits review; a contact not on the case; a case with no team."""
    staff = require_write(actor)
    c = Collector()
    if target not in {t.value for t in rules.Target}:
        c.add("target", "Choose where the case is to be escalated to")
    _text(c, "reason", reason, "why the case should be escalated: what has changed")
    ids = list(contact_ids)
    if len(ids) > CONTACTS_LIMIT:
        c.add("contact_ids", f"Choose at most {CONTACTS_LIMIT} contacts")
    elif len(set(ids)) != len(ids):
        c.add("contact_ids", "Each contact once")
    else:
        on_case = set(person.contacts.filter(pk__in=ids).values_list("pk", flat=True))
        for i, contact_id in enumerate(ids):
            if contact_id not in on_case:
                c.add(("contact_ids", i), f"No contact {contact_id} on this case")
    team: Team | None = None
    if target == rules.Target.NPS:
        team = Team.objects.filter(code=receiving_team or "").first()
        if not receiving_team:
            c.add("receiving_team", "Choose the NPS team the case is referred to")
        elif team is None:
            c.add("receiving_team", f"No team with code {receiving_team}")
        elif team.pk == person.team_id:
            c.add("receiving_team", "The referral goes to another team than the one holding the case")
    elif receiving_team:
        c.add("receiving_team", "Only the CRC to NPS referral names a receiving team: the case's team receives this")
    else:
        team = Team.objects.filter(pk=person.team_id).first() if person.team_id is not None else None
        if team is None:
            c.add("target", "The case has no team to receive the escalation: allocate it first")
    now = clock.now()
    if "target" not in {str(e.path[0]) for e in c.errors if e.path}:
        problem = rules.target_problem(target, now=selectors.picture_now(person=person, today=timezone.localdate(now)),
                                       holder_grade=selectors.holder_grade(person),
                                       preset=selectors.preset_now(timezone.localdate(now)))  # fmt: skip
        if problem is not None:
            c.add("target", problem)
    c.raise_if_any()
    assert team is not None
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if RiskEscalation.objects.filter(person=person, status=EscalationStatus.AWAITING_REVIEW).exists():
            raise ValidationFailed.single("status", "A risk escalation on this case is already awaiting review: "
                                                    "the receiving manager decides it first")  # fmt: skip
        evidence = selectors.evidence_gather(person=person, contact_ids=ids, now=now)
        holder = Staff.objects.filter(pk=person.practitioner_id).first() if person.practitioner_id else None
        esc = RiskEscalation.objects.create(
            person=person, target=target, requested_by=staff, requested_at=now, reason=reason,
            receiving_team=team, holder=holder, holder_grade=holder.grade if holder else "", evidence=evidence,
            preset=selectors.preset_now(timezone.localdate(now)),
        )  # fmt: skip
        made = generate.work_items_generate_for(actor=actor, trigger=Trigger.RISK_ESCALATION_REQUESTED,
                                                person=person, occurred_on=now)  # fmt: skip
        item = next((i for i in made if i.kind == ItemKind.RISK_ESCALATION_REVIEW), None)
        esc.work_item = item or generate.open_item(person=person, kind=ItemKind.RISK_ESCALATION_REVIEW)
        esc.save(update_fields=["work_item"])
        esc.person = person
        _audit(actor, esc, "risk_escalation.requested", None,
               ("target", "receiving_team_id", "holder_id", "work_item_id"), reason=reason)  # fmt: skip
    return esc


# ---- the decision ------------------------------------------------------------------------------------------------


def _officer(c: Collector, code: str, person: Person, team_id: int) -> Staff | None:
    if not code:
        c.add("practitioner", "Choose the probation officer the case moves to")
        return None
    officer = next((s for s in selectors.officers_for(person=person, team_id=team_id) if s.code == code), None)
    if officer is None:
        c.add("practitioner", f"{code} is not a probation officer of the receiving team who may hold this case")
    return officer


def escalation_decide(*, actor: Actor, person: Person, escalation_id: int, version: int, decision: str,
                      reason: str = "", practitioner: str = "",
                      mappa_category: str = "") -> RiskEscalation:  # fmt: skip
    """The SPO decides, once: ``accept`` moves the case (to ``practitioner``, a probation officer of the receiving
    team; or to the MAPPA level, keeping the current category or taking ``mappa_category`` when the case has no
    MAPPA registration); ``decline`` needs a reason. Accepting is refused when the case is by now at the level."""
    staff = require_role(actor, Role.SPO)
    c = Collector()
    if decision not in EscalationDecision.values:
        c.add("decision", "Choose accept or decline")
    _text(c, "reason", reason, "the reason for declining", required=decision == EscalationDecision.DECLINE)
    c.raise_if_any()
    today = clock.today()
    with transaction.atomic():
        esc = lock_for_update(RiskEscalation.objects.filter(person=person), pk=escalation_id, expected_version=version)
        esc.person = person
        if esc.status != EscalationStatus.AWAITING_REVIEW:
            raise ValidationFailed.single("status", "This escalation has already been decided")
        before = snapshot(esc, ("status",))
        target = rules.Target(esc.target)
        officer: Staff | None = None
        level = rules.MAPPA_TARGETS.get(target)
        category = ""
        if decision == EscalationDecision.ACCEPT:
            if target in rules.REALLOCATING_TARGETS:
                officer = _officer(c, practitioner, person, esc.receiving_team_id)
            elif practitioner:
                c.add("practitioner", "A MAPPA escalation does not move the case to another officer")
            current = next((r for r in _active_mappa(person)), None)
            if level is not None:
                if current is not None:
                    category = current.category
                    if mappa_category and mappa_category != category:
                        c.add("mappa_category", f"The case's MAPPA category is {category}: it is kept")
                elif mappa_category not in MAPPA_CATEGORIES:
                    c.add("mappa_category", "Choose the MAPPA category (the case has no MAPPA registration)")
                else:
                    category = mappa_category
            problem = rules.target_problem(esc.target, now=selectors.picture_now(person=person, today=today),
                                           holder_grade=selectors.holder_grade(person), preset=esc.preset)
            if problem is not None and target != rules.Target.NPS:
                c.add("status", f"Nothing to accept: {problem[0].lower()}{problem[1:]}")
            c.raise_if_any()
        elif practitioner or mappa_category:
            c.add("decision", "Declining moves nothing: leave the officer and the MAPPA category empty")
            c.raise_if_any()
        now = clock.now()
        esc.decision, esc.decision_reason, esc.decided_by, esc.decided_at = decision, reason, staff, now
        note = f"Risk escalation {esc.pk} {'accepted' if decision == EscalationDecision.ACCEPT else 'declined'}"
        if decision == EscalationDecision.ACCEPT:
            esc.status = EscalationStatus.ACCEPTED
            words = f"{note}: {rules.TARGET_WORDS[target]}" + (f". {reason}" if reason else "")
            if officer is not None:
                for event in selectors.current_events(person=person):
                    sentence_services.event_allocate(actor=actor, person=person, number=event.number,
                                                     practitioner=officer.code, start_date=today, reason=words)
                esc.moved_to = officer
            if level is not None:
                for registration in _active_mappa(person):
                    risk_services.registration_update(actor=actor, person=person, registration_id=registration.pk,
                                                      version=registration.version, changes={"end_date": today})
                esc.mappa_registration = risk_services.registration_add(
                    actor=actor, person=person, code=MAPPA_CODE, level=f"M{level}", category=category,
                    start_date=today, notes=words[:TEXT_LIMIT])  # fmt: skip
        else:
            esc.status = EscalationStatus.DECLINED
        esc.version += 1
        esc.save()
        generate.close_open_items(actor=actor, person=person, kinds=[ItemKind.RISK_ESCALATION_REVIEW], on=today,
                                  note=note)  # fmt: skip
        _audit(actor, esc, f"risk_escalation.{esc.status}", before,
               ("decision", "decided_at", "moved_to_id", "mappa_registration_id"), reason=reason)  # fmt: skip
    return esc


def _active_mappa(person: Person) -> list[Any]:
    """The case's active MAPPA registrations, newest first (locked for the caller's transaction)."""
    return list(person.registrations.select_for_update().filter(code=MAPPA_CODE, end_date__isnull=True)
                .order_by("-start_date", "-id"))  # fmt: skip
