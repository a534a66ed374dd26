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

from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.core.text import text_problem
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import Actor, people_visible_to, require_access_manager
from openprobation.people.choices import AccessListKind
from openprobation.people.models import CaseAccess, Person
from openprobation.rules.crn import crn_problem

MAX_REASON = 1000
ACTIONS = ("case_access.added", "case_access.removed", "case_access.restriction_lifted")


def _reason_problem(reason: str) -> str:
    if problem := text_problem(reason, multiline=True):
        return problem
    if not reason.strip().strip("\u200b\u200c\u200d\ufeff"):
        return "Enter why the list is being changed"
    if len(reason) > MAX_REASON:
        return f"The reason must be {MAX_REASON} characters or fewer"
    return ""


def _locked(person_id: int) -> Person:
    """Lock a case's row, then read it and its holder afresh (a locking read joined to another table could return
    the holder as it was before the lock was granted)."""
    Person.objects.select_for_update().filter(pk=person_id).first()
    return Person.objects.select_related("practitioner").get(pk=person_id)


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
    code = staff_code.strip()
    # No real staff code holds a NUL (and PostgreSQL refuses one in text): such a code matches nobody.
    staff = Staff.objects.filter(code=code).first() if code and "\x00" not in code else None
    if staff is None:
        c.add("staff_code", "Enter the staff code of a member of staff")
    if problem := _reason_problem(reason):
        c.add("reason", problem)
    c.raise_if_any()
    assert person is not None and staff is not None
    with transaction.atomic():
        # One list change or allocation per case at a time: the holder and the lists are read after the lock.
        person = _locked(person.pk)
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
    """Take a member of staff off a case's list. A restriction list is never emptied this way: the practitioner
    holding the case (or, on an unallocated case, the last person on it) comes off only when the restriction is
    lifted as a whole (``restriction_lift``)."""
    manager = require_access_manager(actor)
    c = Collector()
    if problem := _reason_problem(reason):
        c.add("reason", problem)
    with transaction.atomic():
        found = CaseAccess.objects.filter(pk=entry_id).values_list("person_id", flat=True).first()
        if found is None:
            raise NotFound("No such list entry")
        # The case is locked first, then the entry and the holder are read: two managers cannot both remove it.
        person = _locked(found)
        entry = CaseAccess.objects.select_related("staff").filter(pk=entry_id).first()
        if entry is None:
            raise NotFound("No such list entry")
        holder = person.practitioner
        restricted = list(CaseAccess.objects.filter(person=person, kind=AccessListKind.RESTRICTION))
        if entry.kind == AccessListKind.EXCLUSION and entry.staff_id == manager.pk:
            c.add("entry", "You cannot take yourself off an exclusion list: ask another access manager")
        elif entry.kind == AccessListKind.RESTRICTION and (
            (holder is not None and entry.staff_id == holder.pk) or len(restricted) == 1
        ):
            c.add("entry", "The practitioner holding the case comes off its restriction list only when the "
                           "restriction is lifted as a whole, by an access manager who is on the list")
        c.raise_if_any()
        _removed(actor, person, entry, reason)


def _removed(actor: Actor, person: Person, entry: CaseAccess, reason: str) -> None:
    audit_record(actor=actor, action="case_access.removed", crn=person.crn, entity="case_access", entity_id=entry.pk,
                 before={"list": entry.kind, "staff": entry.staff.code, "staff_name": entry.staff.name},
                 reason=reason.strip())
    entry.delete()


def restriction_lift(*, actor: Actor, crn: str, reason: str) -> int:
    """Lift a case's restriction: every entry of its restriction list comes off at once, so the case is open to
    everyone whose role covers it. Only an access manager who is on the list may do it, so lifting a restriction
    always takes two people: the one who put that manager on the list, and the manager. Returns the entries taken
    off."""
    manager = require_access_manager(actor)
    c = Collector()
    if problem := _reason_problem(reason):
        c.add("reason", problem)
    c.raise_if_any()
    with transaction.atomic():
        crn = crn.strip().upper()
        found_id = None if crn_problem(crn) else Person.objects.filter(crn=crn).values_list("pk", flat=True).first()
        if found_id is None:
            raise NotFound(f"No case with CRN {crn}")
        person = _locked(found_id)
        restricted = list(CaseAccess.objects.select_related("staff").filter(person=person,
                                                                             kind=AccessListKind.RESTRICTION))
        if not restricted:
            raise ValidationFailed.single("reason", "This case has no restriction list to lift")
        if manager.pk not in {e.staff_id for e in restricted}:
            raise ValidationFailed.single("reason", "Only an access manager on the restriction list can lift it: "
                                                    "ask another access manager to put you on it first")
        for entry in restricted:
            _removed(actor, person, entry, reason)
        audit_record(actor=actor, action="case_access.restriction_lifted", crn=person.crn, entity="person",
                     entity_id=person.pk, after={"entries": len(restricted)}, reason=reason.strip())
    return len(restricted)


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

    @property
    def restricted(self) -> bool:
        return any(e.kind == AccessListKind.RESTRICTION for e in self.entries)


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


# What an access manager who may not see a case reads of its history: who was put on or taken off its lists, and who
# opened it or tried to (not what was recorded about the person, and not the reasons written on the lists).
OVERSIGHT_ACTIONS = (*ACTIONS, "case.viewed", "case.open_refused", "case.audit_read")


def case_audit_for_access_manager(*, actor: Actor, crn: str) -> tuple[list[AuditEvent], Person | None]:
    """A case's audit history for an access manager's oversight (the reading itself audited), and the person when
    the manager may see the case. For a case they may not see, only the access events, without reasons."""
    require_access_manager(actor)
    crn = crn.strip().upper()
    if crn_problem(crn) or not AuditEvent.objects.filter(crn=crn).exists():
        raise NotFound(f"Nothing is recorded for CRN {crn}")
    with transaction.atomic():
        audit_record(actor=actor, action="case.audit_read", crn=crn, entity="person")
    person = people_visible_to(actor).filter(crn=crn).first()
    events = AuditEvent.objects.filter(crn=crn).select_related("actor__staff").order_by("-at", "-id")
    if person is not None:
        return list(events), person
    shown = list(events.filter(action__in=OVERSIGHT_ACTIONS))
    for event in shown:
        event.reason = ""  # shown, never saved (audit events cannot be changed)
    return shown, None


def access_changes_for_team(*, actor: Actor, team: Team, limit: int = 20) -> list[AuditEvent]:
    """The latest list changes on the cases a team holds, for its SPO (CRN, list, member of staff, who, when, and
    why where the reader may see the case)."""
    crns = Person.objects.filter(team=team).values("crn")
    events = list(AuditEvent.objects.filter(action__in=ACTIONS, crn__in=crns).select_related("actor__staff").order_by(
        "-at", "-id")[:limit])
    visible = set(people_visible_to(actor).filter(crn__in=[e.crn for e in events]).values_list("crn", flat=True))
    for event in events:
        if event.crn not in visible:
            event.reason = ""  # shown, never saved
    return events
