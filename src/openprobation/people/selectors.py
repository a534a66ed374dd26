"""Reading people and caseloads. Every query starts from ``people_visible_to`` (see ``access.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet

from openprobation.core.audit import audit_record
from openprobation.core.errors import NotFound
from openprobation.core.models import AuditEvent
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import Actor, case_visible, case_with_lists, people_visible_to, require_role
from openprobation.people.models import Address, Person, Relationship
from openprobation.rules.crn import crn_problem
from openprobation.rules.dates import date_in_text
from openprobation.rules.identifiers import cro_canonical, pnc_forms


def person_get(*, actor: Actor | None, crn: str, audit_view: bool = True) -> Person:
    """One person the actor may see, or NotFound (whether it does not exist or is hidden from them).

    A view of a limited-access case is written to the audit trail, and so is every refused attempt to open a case
    by a well-formed CRN, whether the case is hidden from the actor or does not exist: the same work either way, so
    the caller learns nothing from the answer or its timing; the audit event says which it was.
    """
    if crn_problem(crn):
        raise NotFound(f"No case with CRN {crn!r}")
    person, entries = case_with_lists(crn)
    if person is None or not case_visible(actor, person, entries):
        with transaction.atomic():
            audit_record(actor=actor, action="case.open_refused", crn=crn, entity="person",
                         after={"case_exists": person is not None})
        raise NotFound(f"No case with CRN {crn}")
    if audit_view and entries:
        audit_record(actor=actor, action="case.viewed", crn=person.crn, entity="person", entity_id=person.pk)
    return person


def people_list(
    *,
    actor: Actor | None,
    team: str | None = None,
    practitioner: str | None = None,
    query: str | None = None,
) -> QuerySet[Person]:
    """People the actor may see, filtered by team code, practitioner staff code, or a CRN or name search."""
    people = people_visible_to(actor).select_related("team", "practitioner")
    # NUL cannot be stored or compared in PostgreSQL text; no real code or name contains it.
    team, practitioner, query = (v.replace("\x00", "") if v else v for v in (team, practitioner, query))
    if team:
        people = people.filter(team__code=team)
    if practitioner:
        people = people.filter(practitioner__code=practitioner)
    if query:
        people = people.filter(_search_filter(query))
    return people.order_by("last_name", "first_name", "crn")


# A search is a CRN, a PNC ID, a CRO number, a date of birth, or a few words of a name. Longer queries are cut
# to these limits (the API refuses a ``q`` over
# MAX_SEARCH_LENGTH): each word adds three conditions, and hundreds of them exceed SQLite's expression depth.
MAX_SEARCH_LENGTH = 100
MAX_SEARCH_WORDS = 5


def _search_filter(query: str) -> Q:
    """People matching a search: a CRN; a PNC ID or CRO number (however spelt); a date of birth; "Surname,
    Forename" (each the start of the name); or a few words, each the start of the first or last name."""
    text = query[:MAX_SEARCH_LENGTH].strip()
    words = text.split()[:MAX_SEARCH_WORDS]
    if len(words) == 1 and len(words[0]) == 7 and words[0][0].isalpha() and words[0][1:].isdigit():
        return Q(crn=words[0].upper())
    pnc, cro = pnc_forms(text), cro_canonical(text)
    if pnc or cro:
        return (Q(pnc_number__in=pnc) if pnc else Q(pk__in=[])) | (Q(cro_number=cro) if cro else Q(pk__in=[]))
    if (born := date_in_text(text)) is not None:
        return Q(date_of_birth=born)
    if "," in text:
        surname, _, forenames = text.partition(",")
        condition = Q()
        for word in surname.split()[:MAX_SEARCH_WORDS]:
            condition &= Q(last_name__istartswith=word)
        for word in forenames.replace(",", " ").split()[:MAX_SEARCH_WORDS]:
            condition &= Q(first_name__istartswith=word)
        return condition
    condition = Q()
    for word in words:
        condition &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word) | Q(crn__iexact=word)
    return condition


def people_search(*, actor: Actor | None, query: str, limit: int = 50) -> list[Person]:
    if not query.strip():
        return []
    return list(people_list(actor=actor, query=query.strip())[:limit])


@dataclass(frozen=True)
class PractitionerCount:
    staff: Staff
    cases: int


def team_caseload_counts(*, actor: Actor | None, team: Team) -> list[PractitionerCount]:
    """Each practitioner in a team with the number of cases they hold that the actor may see."""
    counts = dict(
        people_visible_to(actor).filter(practitioner__team=team).values_list("practitioner_id").annotate(n=Count("pk"))
    )
    return [
        PractitionerCount(staff=s, cases=counts.get(s.pk, 0))
        for s in Staff.objects.filter(team=team).order_by("last_name", "first_name")
    ]


def audit_history_for_case(*, actor: Actor, person: Person) -> QuerySet[AuditEvent]:
    """A visible case's audit history, newest first: administrators and quality assurance only."""
    require_role(actor, Role.ADMINISTRATOR, Role.QUALITY_ASSURANCE)
    return AuditEvent.objects.filter(crn=person.crn).select_related("actor__staff").order_by("-at", "-id")


def relationship_list(*, person: Person) -> QuerySet[Relationship]:
    """A visible person's relationships: current ones first, then ended, newest first."""
    return Relationship.objects.filter(person=person).order_by(F("end_date").desc(nulls_first=True), "-start_date")


def relationship_get(*, person: Person, relationship_id: int) -> Relationship:
    relationship = Relationship.objects.filter(person=person, pk=relationship_id).first()
    if relationship is None:
        raise NotFound(f"No relationship {relationship_id} on case {person.crn}")
    return relationship


def address_list(*, person: Person) -> QuerySet[Address]:
    """A visible person's addresses: current ones first, then previous ones, newest first."""
    return Address.objects.filter(person=person).order_by(F("end_date").desc(nulls_first=True), "-start_date")
