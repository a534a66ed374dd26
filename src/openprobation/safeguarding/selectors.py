"""Reading safeguarding enquiries and RoSH assessments; escalation is worked out here, when read.

An enquiry still awaiting its answer after its due date is escalated to the team's senior probation officer: it
shows as escalated on the case, on the SPO's team queue and in the SPO's own What's due from the day after it was
due, with no nightly job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When

from openprobation.core import clock
from openprobation.core.errors import NotFound
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import Actor, people_visible_to, staff_for
from openprobation.people.models import Person
from openprobation.safeguarding.choices import OPEN_CHECK_STATUSES, CheckStatus
from openprobation.safeguarding.models import RoshAssessment, SafeguardingChase, SafeguardingCheck


def _escalated(today: dt.date) -> Q:
    """The one escalation rule: still awaiting an answer after the day it was due."""
    return Q(status=CheckStatus.AWAITING_RESPONSE, due_by__lt=today)


def _with_escalation(checks: QuerySet[SafeguardingCheck], today: dt.date) -> QuerySet[SafeguardingCheck]:
    return checks.annotate(
        escalated=Case(
            When(_escalated(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        chase_count=Count("chases"),
    )


def safeguarding_checks_for_person(*, person: Person) -> QuerySet[SafeguardingCheck]:
    """A visible case's enquiries, open ones first, newest request first, with their chases."""
    checks = (
        SafeguardingCheck.objects.filter(person=person)
        .select_related("subject", "used_in", "requested_by")
        .prefetch_related(Prefetch("chases", queryset=SafeguardingChase.objects.select_related("chased_by")))
    )
    open_first = Case(When(status__in=OPEN_CHECK_STATUSES, then=Value(0)), default=Value(1))
    return _with_escalation(checks, clock.today()).order_by(open_first, "-requested_on", "-id")


def safeguarding_check_get(*, person: Person, check_id: int) -> SafeguardingCheck:
    check = safeguarding_checks_for_person(person=person).filter(pk=check_id).first()
    if check is None:
        raise NotFound(f"No safeguarding enquiry {check_id} on case {person.crn}")
    return check


def rosh_assessments_for_person(*, person: Person) -> QuerySet[RoshAssessment]:
    return RoshAssessment.objects.filter(person=person).select_related("started_by", "completed_by", "exception_by")


def rosh_assessment_get(*, person: Person, assessment_id: int) -> RoshAssessment:
    assessment = rosh_assessments_for_person(person=person).filter(pk=assessment_id).first()
    if assessment is None:
        raise NotFound(f"No RoSH assessment {assessment_id} on case {person.crn}")
    return assessment


def safeguarding_responses_not_used(*, person: Person) -> QuerySet[SafeguardingCheck]:
    """Enquiries answered but not yet used in an assessment: while there are any, a RoSH assessment cannot be
    completed without an SPO's exception."""
    return (
        SafeguardingCheck.objects.filter(person=person, status=CheckStatus.RESPONSE_RECEIVED)
        .select_related("subject")
        .order_by("pk")
    )


@dataclass(frozen=True)
class OutstandingCheck:
    check: SafeguardingCheck
    age_days: int  # calendar days since the request
    escalated_to: Staff | None


def team_checks_outstanding(*, actor: Actor, team: Team) -> list[OutstandingCheck]:
    """The team's enquiries not yet used or closed, oldest request first: unanswered ones (escalated to the team's
    SPO once past due) and answers received but not yet used in an assessment."""
    today = clock.today()
    spo = Staff.objects.filter(team=team, role=Role.SPO).order_by("pk").first()
    checks = _with_escalation(
        SafeguardingCheck.objects.filter(
            person__team=team, status__in=OPEN_CHECK_STATUSES, person__in=people_visible_to(actor)
        ).select_related("person", "person__practitioner", "subject"),
        today,
    ).order_by("requested_on", "id")
    return [
        OutstandingCheck(check=c, age_days=(today - c.requested_on).days, escalated_to=spo if c.escalated else None)  # type: ignore[attr-defined]
        for c in checks
    ]


def checks_escalated_to(*, actor: Actor) -> list[OutstandingCheck]:
    """The enquiries escalated to the actor as a senior probation officer: their team's cases' enquiries still
    awaiting an answer after the reply was due, oldest request first, on the cases the actor may see. Empty for
    anyone who is not an SPO in a team (escalation goes to the team's SPO)."""
    staff = staff_for(actor)
    if staff is None or staff.role != Role.SPO or staff.team_id is None:
        return []
    today = clock.today()
    checks = (
        SafeguardingCheck.objects.filter(
            _escalated(today), person__team_id=staff.team_id, person__in=people_visible_to(actor)
        )
        .select_related("person", "person__practitioner", "subject")
        .order_by("requested_on", "id")
    )
    return [OutstandingCheck(check=c, age_days=(today - c.requested_on).days, escalated_to=staff) for c in checks]
