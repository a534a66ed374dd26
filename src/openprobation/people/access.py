"""Who may see which case: the one place this rule lives (what each role may do: organisation/roles.py).

Scope by role (a restricted case's lists then apply to everyone, administrators included):
- practitioner: cases held by their team;
- senior probation officer: cases held by their team, and unallocated cases;
- head of service: cases held by any team in their PDU, and unallocated cases;
- quality assurance / inspector and administrator: every case.
Then, for every role: a case with a restriction list is visible only to the staff on it; a case with an
exclusion list is invisible to the staff on it.

Managing those lists is a permission of its own, not a role: an access manager (``Staff.access_manager``, granted
only by ``openprobation access-manager``) changes them under the rules in ``access_lists.py``, and reads the access
history of every case (who was put on or taken off its lists, who opened it or tried to), and the whole history
of the cases they may see. Administrators and quality assurance read the audit trail of the cases they may see.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from openprobation.core.models import AuditEvent
from openprobation.core.prepared import Prepared
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff

# The role checks live with the roles (organisation/roles.py); they are named here too because every area asks this
# module "may this actor see or change this case?".
from openprobation.organisation.roles import (  # noqa: F401
    TEAM_VIEWERS,
    WRITE_ROLES,
    Actor,
    can_read_audit,
    can_write,
    has_role,
    is_access_manager,
    require_access_manager,
    require_role,
    require_write,
    staff_for,
)
from openprobation.people.choices import AccessListKind
from openprobation.people.models import CaseAccess, Person


class Scope(enum.Enum):
    """The cases a role covers before the lists apply."""

    OWN_TEAM = "cases held by the member of staff's team"
    UNALLOCATED = "cases no team holds yet"
    OWN_PDU = "cases held by any team in the member of staff's PDU"
    EVERY_CASE = "every case"


# The rule, as data: what each role covers. Three readers of it follow, one building a query over many cases
# (``people_visible_to``), one a condition on rows that point at a case, for counting many of them
# (``visible_case_condition``), and one deciding for a single case already read (``case_visible``); the
# table-driven tests hold them to the same answer for every role, team relation and list.
ROLE_SCOPES: dict[str, frozenset[Scope]] = {
    Role.PRACTITIONER: frozenset({Scope.OWN_TEAM}),
    Role.SPO: frozenset({Scope.OWN_TEAM, Scope.UNALLOCATED}),
    Role.HEAD_OF_SERVICE: frozenset({Scope.OWN_PDU, Scope.UNALLOCATED}),
    Role.QUALITY_ASSURANCE: frozenset({Scope.EVERY_CASE}),
    Role.ADMINISTRATOR: frozenset({Scope.EVERY_CASE}),
}


def _scope_condition(staff: Staff | Reader, scope: Scope, via: str = "") -> Q:
    """The scope as a condition on people or, with ``via`` (e.g. ``"person__"``), on rows pointing at them."""
    if scope is Scope.UNALLOCATED:
        return Q(**{f"{via}team__isnull": True})
    if scope is Scope.OWN_TEAM:
        return Q(**{f"{via}team_id": staff.team_id}) if staff.team_id else Q(pk__in=[])
    pdu_id = staff.pdu_id if isinstance(staff, Reader) else staff.team.pdu_id if staff.team else None
    return Q(**{f"{via}team__pdu_id": pdu_id}) if pdu_id else Q(pk__in=[])


def _in_scope(staff: Staff, scope: Scope, person: Person) -> bool:
    if scope is Scope.EVERY_CASE:
        return True
    if scope is Scope.UNALLOCATED:
        return person.team_id is None
    if scope is Scope.OWN_TEAM:
        return staff.team_id is not None and person.team_id == staff.team_id
    pdu_id = staff.team.pdu_id if staff.team else None
    return pdu_id is not None and person.team is not None and person.team.pdu_id == pdu_id


def lists_allow(staff_id: int, entries: Iterable[tuple[int, str]]) -> bool:
    """The lists' rule for one case: not on its exclusion list, and on its restriction list if it has one."""
    entries = list(entries)
    if (staff_id, AccessListKind.EXCLUSION) in entries:
        return False
    restricted = {entry_staff for entry_staff, kind in entries if kind == AccessListKind.RESTRICTION}
    return not restricted or staff_id in restricted


def people_visible_to(actor: Actor | None) -> QuerySet[Person]:
    """Every person the actor may see. All selectors start here."""
    staff = staff_for(actor)
    scopes = ROLE_SCOPES.get(staff.role, frozenset()) if staff is not None else frozenset()
    if staff is None or not scopes:
        return Person.objects.none()
    people = Person.objects.all()
    if Scope.EVERY_CASE not in scopes:
        covered = Q(pk__in=[])
        for scope in scopes:
            covered |= _scope_condition(staff, scope)
        people = people.filter(covered)
    restricted = CaseAccess.objects.filter(person_id=OuterRef("pk"), kind=AccessListKind.RESTRICTION)
    return people.exclude(
        Exists(CaseAccess.objects.filter(person_id=OuterRef("pk"), kind=AccessListKind.EXCLUSION, staff=staff))
    ).filter(~Exists(restricted) | Exists(restricted.filter(staff=staff)))


def cases_hidden_by_lists(staff: Staff | int) -> QuerySet[CaseAccess, Any]:
    """The ids (``person_id``) of the cases the lists hide from ``staff`` (or the member of staff with that id):
    those with them on the exclusion list, and the restricted ones without them on the restriction list. Few,
    whatever the caseload."""
    staff_id = staff if isinstance(staff, int) else staff.pk
    theirs = CaseAccess.objects.filter(kind=AccessListKind.RESTRICTION, staff_id=staff_id).values("person_id")
    return CaseAccess.objects.filter(
        Q(kind=AccessListKind.EXCLUSION, staff_id=staff_id)
        | (Q(kind=AccessListKind.RESTRICTION) & ~Q(person_id__in=theirs))
    ).values("person_id")


@dataclass(frozen=True)
class Reader:
    """What the rule reads of a member of staff: their role's scopes (its *shape*, with which of the ids below are
    set) and the ids the conditions hold (their own, their team's, their PDU's). The conditions below are built from
    a reader alone, so that a statement can be compiled once per shape and run with each reader's ids (the quality
    report's, ``core.prepared.ShapedSql``); ``Reader.of_shape`` gives a reader of a shape holding other ids."""

    scopes: frozenset[Scope]
    staff_id: int
    team_id: int | None
    pdu_id: int | None

    @property
    def shape(self) -> tuple[Any, ...]:
        return (tuple(sorted(s.name for s in self.scopes)), self.team_id is not None, self.pdu_id is not None)

    @property
    def sees_every_case(self) -> bool:
        """Whether the role covers every case (before the lists): ``hidden_from_one_who_sees_every_case`` applies."""
        return Scope.EVERY_CASE in self.scopes

    @property
    def ids(self) -> list[int]:
        """The ids the conditions hold, in a fixed order (those set only)."""
        return [v for v in (self.staff_id, self.team_id, self.pdu_id) if v is not None]

    @staticmethod
    def of_shape(shape: tuple[Any, ...], ids: Sequence[Any]) -> Reader:
        """A reader of ``shape`` (:attr:`shape`) holding ``ids`` (in the order of :attr:`ids`)."""
        names, has_team, has_pdu = shape
        given = iter(ids)
        staff_id = next(given)
        team_id = next(given) if has_team else None
        pdu_id = next(given) if has_pdu else None
        return Reader(frozenset(Scope[name] for name in names), staff_id, team_id, pdu_id)


def reader_for(actor: Actor | None) -> Reader | None:
    """The reader the rule sees in ``actor``; None for anyone who sees no case (no staff record, or a role with no
    scope)."""
    staff = staff_for(actor)
    scopes = ROLE_SCOPES.get(staff.role, frozenset()) if staff is not None else frozenset()
    if staff is None or not scopes:
        return None
    pdu_id = staff.team.pdu_id if Scope.OWN_PDU in scopes and staff.team is not None else None
    return Reader(scopes, staff.pk, staff.team_id, pdu_id)


def visible_case_condition(actor: Actor | Reader | None, via: str = "person") -> Q:
    """The rule of ``people_visible_to`` as a condition on a model whose ``via`` field points at the case (a work
    item's ``person``; ``""`` for people themselves), for counting many such rows: the role's scope on the case's
    team, and the case not among the few the lists hide (one small set, instead of a test of each row's lists).
    Given a :class:`Reader` (``reader_for``), built from it alone."""
    reader = actor if isinstance(actor, Reader) else reader_for(actor)
    if reader is None:
        return Q(pk__in=[])
    covered = Q()
    if Scope.EVERY_CASE not in reader.scopes:
        covered = Q(pk__in=[])
        for scope in reader.scopes:
            covered |= _scope_condition(reader, scope, via=f"{via}__" if via else "")
    return covered & ~Q(**{f"{via}_id__in" if via else "pk__in": cases_hidden_by_lists(reader.staff_id)})


def hidden_from_one_who_sees_every_case(actor: Actor | Reader | None) -> QuerySet[CaseAccess, Any] | None:
    """For an actor whose role sees every case (quality assurance, administrators): the ids (``person_id``) of the
    few cases the lists hide from them, so that a count over every case can take those away instead of testing each
    case (the rule of ``visible_case_condition``). None for anyone else."""
    reader = actor if isinstance(actor, Reader) else reader_for(actor)
    if reader is None or not reader.sees_every_case:
        return None
    return cases_hidden_by_lists(reader.staff_id)


def case_visible(actor: Actor | None, person: Person, entries: Iterable[tuple[int, str]]) -> bool:
    """Whether the actor may see one case, given its list entries ``(staff_id, kind)``: the same rule as
    ``people_visible_to``, for a case already read (``person.team`` loaded)."""
    staff = staff_for(actor)
    if staff is None:
        return False
    scopes = ROLE_SCOPES.get(staff.role, frozenset())
    return any(_in_scope(staff, scope, person) for scope in scopes) and lists_allow(staff.pk, entries)


# A case by CRN with its team, practitioner and list entries: one row per entry (one row with no entry when the case
# has no lists), in one statement compiled once per process.
_CASE_WITH_LISTS: Prepared[Person] = Prepared(
    lambda crn: Person.objects.select_related("team", "practitioner")
    .filter(crn=crn)
    .annotate(entry_staff_id=F("access_lists__staff_id"), entry_kind=F("access_lists__kind"))
    .order_by()
)


def case_with_lists(crn: str) -> tuple[Person | None, list[tuple[int, str]]]:
    """A case by CRN with its list entries ``(staff_id, kind)``: one statement, run whether or not the case exists,
    so that what follows takes the same time either way."""
    rows = _CASE_WITH_LISTS.all(crn)
    if not rows:
        return None, []
    entries = [(row.entry_staff_id, row.entry_kind) for row in rows if row.entry_staff_id is not None]  # type: ignore[attr-defined]
    return rows[0], entries


def audit_events_visible_to(actor: Actor | None) -> QuerySet[AuditEvent]:
    """Audit events the actor may read in bulk (the Django admin's audit list): those about no case and those about a
    case the actor may see (events of a hidden case, or of a CRN that no longer has a case, are left out). Access
    managers oversee hidden cases from their own pages (people/access_lists.py), which show only the access events."""
    return AuditEvent.objects.filter(Q(crn="") | Q(crn__in=people_visible_to(actor).values("crn")))


def barred_from(person: Person, staff: Staff) -> bool:
    """Whether the case's lists keep ``staff`` from it (on its exclusion list, or not on its restriction list):
    such a member of staff cannot be made to hold the case."""
    return not lists_allow(staff.pk, CaseAccess.objects.filter(person=person).values_list("staff_id", "kind"))


def is_limited_access(person: Person) -> bool:
    """A case with a restriction or exclusion list: every view of it is audited."""
    return CaseAccess.objects.filter(person=person).exists()
