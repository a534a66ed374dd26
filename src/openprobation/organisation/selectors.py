"""Reading teams and staff."""

from __future__ import annotations

from django.db.models import QuerySet

from openprobation.core.errors import NotFound
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import Actor, staff_for


def team_get(*, code: str) -> Team:
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
    team = teams_for_actor(actor=actor).filter(code=code).first()
    if team is None:
        raise NotFound(f"No team with code {code}")
    return team
