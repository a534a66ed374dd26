"""Allocating and reallocating a case through the allocation screen: the SPO of the case's team, or an
administrator, gives the case to a practitioner of the team or of a neighbouring team (same PDU).

The same figures as the screen decide (``allocation.selectors.candidates``): an excluded practitioner, one who has
left or already holds the case cannot be chosen; allocating against the grade policy, or to someone the case
would take above the capacity threshold, is refused without a justification. Everything is one transaction,
with the case's row locked first; refused, nothing changes. The allocation keeps the instructions, justification
and oversight notes (``AllocationDecision``), each event's allocation history is kept (``sentences.Allocation``),
the practitioner a case is reallocated from is told (a ``StaffNotice``), and each decision is audited.
"""

from __future__ import annotations

from django.db import transaction

from openprobation.allocation import selectors
from openprobation.allocation.models import AllocationDecision
from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, PermissionDenied
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Team
from openprobation.organisation.roles import Actor, require_write, staff_for
from openprobation.people.models import Person
from openprobation.rules import allocation as alloc
from openprobation.rules.workload.policy import workload_policy
from openprobation.sentences import services as sentence_services
from openprobation.workload import services as workload_services

MAX_TEXT = 4000


def can_allocate(*, actor: Actor, team: Team) -> bool:
    """The team's SPO or an administrator (for showing the screen's actions; the services check it again)."""
    staff = staff_for(actor)
    if staff is None:
        return False
    return staff.role == Role.ADMINISTRATOR or (staff.role == Role.SPO and staff.team_id == team.pk)


def _text(c: Collector, field: str, value: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        c.add(field, f"{label} must be {MAX_TEXT:,} characters or fewer")
    return value


def case_allocate(
    *,
    actor: Actor,
    team: Team,
    crn: str,
    practitioner: str,
    instructions: str = "",
    justification: str = "",
    oversight_notes: str = "",
    reason: str = "",
    reallocate: bool = False,
) -> AllocationDecision:
    """Allocate an unallocated case of ``team`` (or, with ``reallocate``, move an allocated one, with a reason) to
    the practitioner whose staff code is ``practitioner``. Field errors name what to fix; nothing is saved."""
    manager = require_write(actor)
    if not can_allocate(actor=actor, team=team):
        raise PermissionDenied("Only the team's senior probation officer or an administrator can allocate its cases")
    c = Collector()
    instructions = _text(c, "instructions", instructions, "The instructions")
    justification = _text(c, "justification", justification, "The justification")
    oversight_notes = _text(c, "oversight_notes", oversight_notes, "The oversight notes")
    reason = _text(c, "reason", reason, "The reason")
    if reallocate and not reason:
        c.add("reason", "Enter the reason for reallocating the case")
    with transaction.atomic():
        case = selectors.case_for_allocation(actor=actor, team=team, crn=crn)
        if case is None:
            raise NotFound(f"No case {crn} in team {team.code}")
        person = Person.objects.select_for_update(of=("self",)).select_related("practitioner").get(pk=case.person.pk)
        case = selectors.case_for_allocation(actor=actor, team=team, crn=person.crn)  # read again, locked
        if case is None:
            raise NotFound(f"No case {crn} in team {team.code}")
        previous = person.practitioner
        if case.case_type is None:
            c.add("practitioner", "The case has no active sentence to allocate")
        elif reallocate and previous is None:
            c.add("practitioner", "The case is not allocated yet: allocate it instead")
        elif not reallocate and previous is not None:
            c.add("practitioner", f"The case is already allocated to {previous.name}: reallocate it, with a reason")
        today = clock.today()
        chosen = None
        if case.case_type is not None:
            offered = {cand.staff.code: cand for cand in selectors.candidates(case=case, team=team, on=today)}
            chosen = offered.get((practitioner or "").strip())
            if chosen is None:
                c.add("practitioner", "Choose a practitioner of the team or of a neighbouring team (the same PDU)")
            elif chosen.excluded:
                c.add("practitioner", f"{chosen.staff.name} is excluded from this case and cannot hold it")
            elif chosen.holds_case:
                c.add("practitioner", f"{chosen.staff.name} already holds this case: choose someone else")
        needs = []
        if chosen is not None and chosen.grade_fits is False:
            needs.append(f"{case.check.reason}, and {chosen.staff.name} is a {chosen.staff.get_grade_display()}")
        if chosen is not None and chosen.over_after:
            needs.append(f"this case takes {chosen.staff.name} to {chosen.capacity_after}% capacity, over "
                         f"{workload_policy().overload_percent}%")  # fmt: skip
        if needs and not justification:
            c.add("justification", f"Enter a justification: {'; '.join(needs)}")
        c.raise_if_any()
        assert chosen is not None
        staff = chosen.staff
        kind = "reallocation" if reallocate else "allocation"
        sentence_services.case_allocate(actor=actor, person=person, staff=staff, start_date=today,
                                        reason=reason or "Allocated through the allocation screen")  # fmt: skip
        check = case.check
        decision = AllocationDecision.objects.create(
            person=person, kind=kind, practitioner=staff, previous_practitioner=previous, start_date=today,
            grade_rule=check.rule,
            grades_allowed=",".join(sorted(check.allowed)) if isinstance(check, alloc.AllocationExpectation) else "",
            against_grade_policy=chosen.grade_fits is False, capacity_before=chosen.capacity,
            capacity_after=chosen.capacity_after, over_capacity=chosen.over_after,
            policy_versions=f"{check.policy_version}; {workload_policy().policy_version}",
            instructions=instructions, justification=justification, oversight_notes=oversight_notes, reason=reason,
            decided_by=manager, decided_at=clock.now(),
        )  # fmt: skip
        audit_record(
            actor=actor, action=f"case.{kind}_decided", crn=person.crn, entity="allocation_decision",
            entity_id=decision.pk,
            before={"practitioner": previous.code} if previous else None,
            after={"practitioner": staff.code, "team": staff.team.code if staff.team else None,
                   "grade_rule": check.rule, "against_grade_policy": decision.against_grade_policy,
                   "capacity_before": chosen.capacity, "capacity_after": chosen.capacity_after,
                   "over_capacity": chosen.over_after, "instructions": instructions,
                   "justification": justification, "oversight_notes": oversight_notes},
            reason=reason or justification,
        )  # fmt: skip
        if reallocate and previous is not None:
            workload_services.notice_send(
                recipient=previous, kind="reallocated", crn=person.crn,
                message=f"Case {person.crn} has been reallocated from you to {staff.name}: {reason}",
            )  # fmt: skip
    return decision
