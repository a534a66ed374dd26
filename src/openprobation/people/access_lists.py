"""Managing the restriction and exclusion lists of limited-access cases: only access managers, never for oneself,
always with a reason, every change audited and shown to the SPO of the team holding the case.

Rules (each refused with a message that says what to do instead):
- only a member of staff who is an access manager may change a list (``openprobation access-manager grant``);
- nobody may put themselves on a restriction list, or take themselves off an exclusion list;
- a change needs a reason;
- the practitioner holding a case cannot be excluded from it (reallocate it first), and a restriction list must
  name the practitioner holding the case: the first entry of a new list is the practitioner, and the practitioner
  is the last entry to come off, so a case is never silently hidden from the person supervising it;
- a member of staff cannot be on both lists of one case;
- and, in sentences/services.py, a case cannot be allocated to someone its lists keep from it (``barred_from``).

An access manager may manage the lists of a case they cannot see themselves: they then see only its CRN and the
members of its lists, never the person's name or the reasons written on the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound
from openprobation.core.models import AuditEvent
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import Actor, people_visible_to, require_access_manager
from openprobation.people.choices import AccessListKind
from openprobation.people.models import CaseAccess, Person
from openprobation.rules.crn import crn_problem

MAX_REASON = 1000
ACTIONS = ("case_access.added", "case_access.removed")


def _reason_problem(reason: str) -> str:
    if not reason.strip():
        return "Enter why the list is being changed"
    if len(reason) > MAX_REASON:
        return f"The reason must be {MAX_REASON} characters or fewer"
    return ""


def case_access_add(*, actor: Actor, crn: str, kind: str, staff_code: str, reason: str) -> CaseAccess:
    """Put a member of staff on a case's restriction or exclusion list."""
    manager = require_access_manager(actor)
    c = Collector()
    crn = crn.strip().upper()
    person = None if crn_problem(crn) else Person.objects.select_related("practitioner").filter(crn=crn).first()
    if person is None:
        c.add("crn", "Enter the CRN of an existing case, like X123456")
    if kind not in AccessListKind.values:
        c.add("kind", "Choose restriction or exclusion")
    staff = Staff.objects.filter(code=staff_code.strip()).first() if staff_code.strip() else None
    if staff is None:
        c.add("staff_code", "Enter the staff code of a member of staff")
    if problem := _reason_problem(reason):
        c.add("reason", problem)
    c.raise_if_any()
    assert person is not None and staff is not None
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one list change per case at a time
        entries = list(CaseAccess.objects.filter(person=person))
        restricted = [e for e in entries if e.kind == AccessListKind.RESTRICTION]
        holder = person.practitioner
        if kind == AccessListKind.RESTRICTION and staff.pk == manager.pk:
            c.add("staff_code", "You cannot put yourself on a restriction list: ask another access manager")
        elif kind == AccessListKind.EXCLUSION and holder is not None and staff.pk == holder.pk:
            c.add("staff_code", f"{holder.name} holds this case: reallocate it before excluding them")
        elif kind == AccessListKind.RESTRICTION and not restricted and holder is not None and staff.pk != holder.pk:
            c.add("staff_code", f"Put {holder.name}, who holds this case, on its restriction list first, or the case "
                                "would be hidden from them")
        elif any(e.staff_id == staff.pk and e.kind == kind for e in entries):
            c.add("staff_code", f"{staff.name} is already on this list")
        elif any(e.staff_id == staff.pk for e in entries):
            c.add("staff_code", f"{staff.name} is on the other list of this case: take them off it first")
        c.raise_if_any()
        entry = CaseAccess.objects.create(person=person, staff=staff, kind=kind, reason=reason.strip())
        audit_record(actor=actor, action="case_access.added", crn=person.crn, entity="case_access",
                     entity_id=entry.pk, after={"list": kind, "staff": staff.code, "staff_name": staff.name},
                     reason=reason.strip())
    return entry


def case_access_remove(*, actor: Actor, entry_id: int, reason: str) -> None:
    """Take a member of staff off a case's list."""
    manager = require_access_manager(actor)
    c = Collector()
    if problem := _reason_problem(reason):
        c.add("reason", problem)
    with transaction.atomic():
        entry = CaseAccess.objects.select_related("person__practitioner", "staff").filter(pk=entry_id).first()
        if entry is None:
            raise NotFound("No such list entry")
        Person.objects.select_for_update().filter(pk=entry.person_id).first()
        holder = entry.person.practitioner
        others = CaseAccess.objects.filter(person_id=entry.person_id, kind=AccessListKind.RESTRICTION).exclude(
            pk=entry.pk)
        if entry.kind == AccessListKind.EXCLUSION and entry.staff_id == manager.pk:
            c.add("entry", "You cannot take yourself off an exclusion list: ask another access manager")
        elif (entry.kind == AccessListKind.RESTRICTION and holder is not None and entry.staff_id == holder.pk
              and others.exists()):
            c.add("entry", f"{holder.name} holds this case: take the others off its restriction list first, or "
                           "reallocate the case")
        c.raise_if_any()
        audit_record(actor=actor, action="case_access.removed", crn=entry.person.crn, entity="case_access",
                     entity_id=entry.pk,
                     before={"list": entry.kind, "staff": entry.staff.code, "staff_name": entry.staff.name},
                     reason=reason.strip())
        entry.delete()


@dataclass(frozen=True)
class ListEntry:
    id: int
    kind: str
    staff: Staff
    reason: str  # empty when the reader may not see the case


@dataclass(frozen=True)
class LimitedCase:
    crn: str
    name: str  # empty when the reader may not see the case
    visible: bool
    holder: str
    entries: list[ListEntry]


def limited_access_cases(*, actor: Actor) -> list[LimitedCase]:
    """Every case with a list, for an access manager: names and reasons only of the cases they may see."""
    require_access_manager(actor)
    visible = set(people_visible_to(actor).filter(access_lists__isnull=False).values_list("pk", flat=True))
    by_person: dict[int, LimitedCase] = {}
    entries = CaseAccess.objects.select_related("person__practitioner", "staff").order_by("person__crn", "kind",
                                                                                          "staff__last_name")
    for entry in entries:
        person = entry.person
        seen = person.pk in visible
        case = by_person.get(person.pk)
        if case is None:
            holder = person.practitioner.name if seen and person.practitioner else ""
            case = LimitedCase(crn=person.crn, name=person.name if seen else "", visible=seen, holder=holder,
                               entries=[])
            by_person[person.pk] = case
        case.entries.append(ListEntry(id=entry.pk, kind=entry.kind, staff=entry.staff,
                                      reason=entry.reason if seen else ""))
    return list(by_person.values())


def access_entry_get(*, actor: Actor, entry_id: int) -> tuple[CaseAccess, bool]:
    """One list entry for an access manager, and whether they may see its case (to hide the name and reason)."""
    require_access_manager(actor)
    entry = CaseAccess.objects.select_related("person", "staff").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("No such list entry")
    return entry, people_visible_to(actor).filter(pk=entry.person_id).exists()


def case_audit_for_access_manager(*, actor: Actor, crn: str) -> tuple[QuerySet[AuditEvent], Person | None]:
    """The whole audit history of a case, restricted or not, for an access manager's oversight (the reading is
    itself audited), and the person when the manager may see the case (to show the name)."""
    require_access_manager(actor)
    crn = crn.strip().upper()
    if crn_problem(crn) or not AuditEvent.objects.filter(crn=crn).exists():
        raise NotFound(f"Nothing is recorded for CRN {crn}")
    with transaction.atomic():
        audit_record(actor=actor, action="case.audit_read", crn=crn, entity="person")
    person = people_visible_to(actor).filter(crn=crn).first()
    events = AuditEvent.objects.filter(crn=crn).select_related("actor").order_by("-at", "-id")
    return events, person


def access_changes_for_team(*, team: Team, limit: int = 20) -> QuerySet[AuditEvent]:
    """The latest list changes on the cases a team holds, for its SPO (CRN, list, member of staff, who, when)."""
    crns = Person.objects.filter(team=team).values("crn")
    return AuditEvent.objects.filter(action__in=ACTIONS, crn__in=crns).select_related("actor").order_by(
        "-at", "-id")[:limit]
