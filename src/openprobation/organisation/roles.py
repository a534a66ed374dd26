"""Roles and permissions of a member of staff: the one place that says what a role may do, whichever case it is.

Which cases an actor may see is people/access.py's question; this module answers the role part of every check:
- who may change case records (``WRITE_ROLES``): practitioners, SPOs, heads of service and administrators;
  quality assurance reads only;
- who may look at teams and their queues (``TEAM_VIEWERS``): SPOs, heads of service, quality assurance and
  administrators;
- who may read the audit trail of the cases they may see: administrators and quality assurance;
- who may read audit rounds, ratings, the league table and the serious further offence register, and record serious
  further offences (``QUALITY_READERS``): SPOs, heads of service, quality assurance and administrators; who may
  audit cases, rate standards and override a rating (``AUDITORS``): quality assurance (inspectors) only;
- access managers (``Staff.access_manager``): manage restriction and exclusion lists (people/access_lists.py).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from openprobation.core.errors import PermissionDenied
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff

Actor = AbstractBaseUser | AnonymousUser

WRITE_ROLES = frozenset({Role.PRACTITIONER, Role.SPO, Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR})
TEAM_VIEWERS = frozenset({Role.SPO, Role.HEAD_OF_SERVICE, Role.QUALITY_ASSURANCE, Role.ADMINISTRATOR})
QUALITY_READERS = TEAM_VIEWERS
AUDITORS = frozenset({Role.QUALITY_ASSURANCE})


def staff_for(actor: Actor | None) -> Staff | None:
    if actor is None or not actor.is_authenticated:
        return None
    try:
        staff: Staff = actor.staff  # type: ignore[attr-defined]
    except Staff.DoesNotExist:
        return None
    return staff


def require_write(actor: Actor | None) -> Staff:
    """The staff record of an actor allowed to change case records, or PermissionDenied."""
    staff = staff_for(actor)
    if staff is None or staff.role not in WRITE_ROLES:
        raise PermissionDenied("Your role can read case records but not change them")
    return staff


def require_role(actor: Actor | None, *roles: str) -> Staff:
    staff = staff_for(actor)
    if staff is None or staff.role not in roles:
        raise PermissionDenied("Your role cannot do this")
    return staff


def has_role(actor: Actor | None, *roles: str) -> bool:
    """Whether the actor holds one of ``roles`` (for showing or hiding actions; services use require_role)."""
    staff = staff_for(actor)
    return staff is not None and staff.role in roles


def can_read_audit(actor: Actor | None) -> bool:
    staff = staff_for(actor)
    return staff is not None and staff.role in (Role.ADMINISTRATOR, Role.QUALITY_ASSURANCE)


def can_write(actor: Actor | None) -> bool:
    """Whether the actor's role may change case records (for showing or hiding actions on pages)."""
    staff = staff_for(actor)
    return staff is not None and staff.role in WRITE_ROLES


def is_access_manager(actor: Actor | None) -> bool:
    staff = staff_for(actor)
    return staff is not None and staff.access_manager


def require_access_manager(actor: Actor | None) -> Staff:
    """The staff record of an access manager, or PermissionDenied."""
    staff = staff_for(actor)
    if staff is None or not staff.access_manager:
        raise PermissionDenied("Only an access manager can change restriction and exclusion lists")
    return staff


def manages_staff(manager: Staff, staff: Staff) -> bool:
    """Whether ``manager`` may change a member of staff's workforce record and reductions in hours: an
    administrator, or the SPO of their team."""
    if manager.role == Role.ADMINISTRATOR:
        return True
    return manager.role == Role.SPO and manager.team_id is not None and manager.team_id == staff.team_id
