"""Reading teams and staff."""

from __future__ import annotations

from django.db.models import QuerySet

from openprobation.core.errors import NotFound
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff, Team
from openprobation.organisation.roles import Actor, staff_for

TEAM_CODE_MAX_LENGTH = 10  # Team.code's column


def _impossible_code(code: str) -> bool:
    """A code no team can have: longer than the column, or with a NUL (PostgreSQL refuses NUL in text, so the
    query itself would fail). Such a code is simply not found."""
    return "\x00" in code or len(code) > TEAM_CODE_MAX_LENGTH


def team_get(*, code: str) -> Team:
    if _impossible_code(code):
        raise NotFound("No team with that code")
    team = Team.objects.select_related("pdu__region").filter(code=code).first()
    if team is None:
        raise NotFound(f"No team with code {code}")
    return team


def teams_for_actor(*, actor: Actor) -> QuerySet[Team]:
    """The teams whose caseload counts the actor may view: an SPO their own, a head of service their PDU's."""
    staff = staff_for(actor)
    teams = Team.objects.select_related("pdu").order_by("name")
    if staff is None:
        return teams.none()
    if staff.role == Role.SPO:
        return teams.filter(id=staff.team_id) if staff.team_id else teams.none()
    if staff.role == Role.HEAD_OF_SERVICE and staff.team is not None:
        return teams.filter(pdu_id=staff.team.pdu_id)
    if staff.role in (Role.ADMINISTRATOR, Role.QUALITY_ASSURANCE):
        return teams
    return teams.filter(id=staff.team_id) if staff.team_id else teams.none()


def staff_list(*, team: Team) -> QuerySet[Staff]:
    return Staff.objects.filter(team=team).order_by("last_name", "first_name")


def team_get_for_actor(*, actor: Actor, code: str) -> Team:
    """One of the teams whose caseload counts the actor may view, or NotFound."""
    if _impossible_code(code):
        raise NotFound("No team with that code")
    team = teams_for_actor(actor=actor).filter(code=code).first()
    if team is None:
        raise NotFound(f"No team with code {code}")
    return team


def staff_in_visible_team(*, actor: Actor, code: str, team: Team | None = None) -> Staff:
    """A member of staff in one of the teams the actor may view (in ``team`` when given), or NotFound. One query."""
    teams = teams_for_actor(actor=actor)
    if team is not None:
        teams = teams.filter(pk=team.pk)
    staff = Staff.objects.filter(code=code.replace("\x00", ""), team__in=teams).select_related("team").first()
    if staff is None:
        raise NotFound(f"No member of staff {code} in a team you can view")
    return staff
