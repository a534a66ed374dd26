"""Building blocks for tests: an organisation with staff in every role, and people on probation.

Everything goes through the services, so tests build data the way users do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import count

from openprobation.organisation.models import Pdu, Provider, Region, Staff, Team
from openprobation.organisation.services import staff_create
from openprobation.people.models import CaseAccess, Person
from openprobation.people.services import person_create
from openprobation.sentences.services import RequirementInput, event_create

PASSWORD = "correct-horse-battery-staple"
_crns = count(100001)


@dataclass
class Org:
    team_a: Team
    team_b: Team
    po: Staff  # practitioner, team A
    po2: Staff  # practitioner, team A
    po_b: Staff  # practitioner, team B
    spo: Staff  # SPO, team A
    hos: Staff  # head of service, team A's PDU
    qa: Staff
    admin: Staff


def make_org() -> Org:
    provider = Provider.objects.create(code="PS", name="Probation Service")
    region = Region.objects.create(provider=provider, code="N07", name="London")
    pdu = Pdu.objects.create(region=region, code="N07P1", name="Camden and Islington")
    team_a = Team.objects.create(pdu=pdu, code="N07T01", name="Camden Team 1")
    team_b = Team.objects.create(pdu=pdu, code="N07T02", name="Islington Team 1")

    def staff(username: str, role: str, grade: str, team: Team | None, code: str) -> Staff:
        return staff_create(username=username, password=PASSWORD, first_name=username.title(), last_name="Tester",
                            grade=grade, role=role, team=team.code if team else None, code=code,
                            check_password=False)

    return Org(
        team_a=team_a,
        team_b=team_b,
        po=staff("po", "practitioner", "po", team_a, "N07A001"),
        po2=staff("po2", "practitioner", "pso", team_a, "N07A002"),
        po_b=staff("pob", "practitioner", "po", team_b, "N07B001"),
        spo=staff("spo", "spo", "spo", team_a, "N07A100"),
        hos=staff("hos", "head_of_service", "other", team_a, "N07H001"),
        qa=staff("qa", "quality_assurance", "other", None, "N07Q001"),
        admin=staff("admin", "administrator", "other", None, "N07X001"),
    )


def make_person(org: Org, *, practitioner: Staff | None = None, crn: str | None = None,
                first_name: str = "Alex", last_name: str = "Smith") -> Person:
    """A person with one community order allocated to ``practitioner`` (default: org.po)."""
    holder = practitioner or org.po
    assert holder.team is not None
    person = person_create(actor=org.admin.user, crn=crn or f"X{next(_crns)}", first_name=first_name,
                           last_name=last_name, date_of_birth=dt.date(1990, 5, 17), gender="male",
                           team=holder.team.code)
    event_create(actor=org.admin.user, person=person, offence_code="00101", conviction_date=dt.date(2026, 1, 5),
                 sentence_date=dt.date(2026, 1, 5), sentence_type="community_order", length_months=12,
                 requirements=[RequirementInput(type="unpaid_work", length=100)], practitioner=holder.code)
    person.refresh_from_db()
    return person


def limit_access(*, person: Person, staff_code: str, kind: str, reason: str) -> CaseAccess:
    """Put a member of staff on a case's list directly, as a record migrated from an earlier system might hold it
    (tests of what a list hides; the rules for changing lists are tested through people/access_lists.py)."""
    return CaseAccess.objects.create(person=person, staff=Staff.objects.get(code=staff_code), kind=kind,
                                     reason=reason)
