"""Who may see which case: the one place this rule lives (what each role may do: organisation/roles.py).

Scope by role (a restricted case's lists then apply to everyone, administrators included):
- practitioner: cases held by their team;
- senior probation officer: cases held by their team, and unallocated cases;
- head of service: cases held by any team in their PDU, and unallocated cases;
- quality assurance / inspector and administrator: every case.
Then, for every role: a case with a restriction list is visible only to the staff on it; a case with an
exclusion list is invisible to the staff on it.

Managing those lists is a permission of its own, not a role: an access manager (``Staff.access_manager``, granted
only by ``openprobation access-manager``) changes them under the rules in ``access_lists.py``, and may read the
audit trail of every case, restricted ones included, so that access can be overseen (the Django admin's audit
list). Everyone else who may read the audit trail (administrators, quality assurance) reads it only for the cases
they may see.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from openprobation.core.models import AuditEvent
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


def people_visible_to(actor: Actor | None) -> QuerySet[Person]:
    """Every person the actor may see. All selectors start here."""
    staff = staff_for(actor)
    if staff is None:
        return Person.objects.none()
    people = Person.objects.all()
    if staff.role == Role.PRACTITIONER:
        people = people.filter(team_id=staff.team_id) if staff.team_id else people.none()
    elif staff.role == Role.SPO:
        people = people.filter(Q(team_id=staff.team_id) | Q(team__isnull=True))
    elif staff.role == Role.HEAD_OF_SERVICE:
        pdu_id = staff.team.pdu_id if staff.team else None
        people = people.filter(Q(team__pdu_id=pdu_id) | Q(team__isnull=True))
    elif staff.role not in (Role.QUALITY_ASSURANCE, Role.ADMINISTRATOR):
        return Person.objects.none()

    restricted = CaseAccess.objects.filter(person_id=OuterRef("pk"), kind=AccessListKind.RESTRICTION)
    return people.exclude(
        Exists(CaseAccess.objects.filter(person_id=OuterRef("pk"), kind=AccessListKind.EXCLUSION, staff=staff))
    ).filter(~Exists(restricted) | Exists(restricted.filter(staff=staff)))


def audit_events_visible_to(actor: Actor | None) -> QuerySet[AuditEvent]:
    """Audit events the actor may read in bulk (the Django admin's audit list): every event for an access manager;
    for anyone else those about no case and those about a case the actor may see (events of a hidden case, or of a
    CRN that no longer has a case, are left out)."""
    if is_access_manager(actor):
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(Q(crn="") | Q(crn__in=people_visible_to(actor).values("crn")))


def barred_from(person: Person, staff: Staff) -> bool:
    """Whether the case's lists keep ``staff`` from it (on its exclusion list, or not on its restriction list):
    such a member of staff cannot be made to hold the case."""
    entries = list(CaseAccess.objects.filter(person=person).values_list("staff_id", "kind"))
    if (staff.pk, AccessListKind.EXCLUSION) in entries:
        return True
    restricted = {staff_id for staff_id, kind in entries if kind == AccessListKind.RESTRICTION}
    return bool(restricted) and staff.pk not in restricted


def is_limited_access(person: Person) -> bool:
    """A case with a restriction or exclusion list: every view of it is audited."""
    return CaseAccess.objects.filter(person=person).exists()
