"""The access rule is written as data (``ROLE_SCOPES`` and the lists' rule) and read three ways: as a query over many
cases (``people_visible_to``), as a condition on rows that point at a case (``visible_case_condition``, used to count
work items and enquiries) and for one case already read (``case_visible``, used by ``person_get``). Every role,
against every kind of case and every state of its lists, gets the same answer from all three."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db.models import Q

from openprobation.organisation.models import Team
from openprobation.people.access import case_visible, case_with_lists, people_visible_to, visible_case_condition
from openprobation.people.models import CaseAccess, Person
from openprobation.people.services import person_create
from openprobation.risk.models import Registration
from tests.factories import make_person

pytestmark = pytest.mark.django_db

_crns = itertools.count(300001)
VIEWERS = ["po", "po2", "po_b", "spo", "hos", "qa", "admin"]
HOLDERS = ["team_a", "team_b", "other_pdu", "unallocated"]
LISTS = ["none", "excludes_viewer", "excludes_someone_else", "restricted_to_viewer", "restricted_to_others"]


def _case(org, holder: str) -> Person:
    if holder == "team_a":
        return make_person(org, practitioner=org.po)
    if holder == "team_b":
        return make_person(org, practitioner=org.po_b)
    person = person_create(actor=org.admin.user, crn=f"Z{next(_crns)}", first_name="Una", last_name="Llocated",
                           date_of_birth=dt.date(1990, 5, 17), gender="male", team=None)
    if holder == "other_pdu":
        pdu = org.team_a.pdu
        other = Team.objects.create(pdu=type(pdu).objects.create(region=pdu.region, code="N07P9", name="Elsewhere"),
                                    code="N07T99", name="Elsewhere 1")
        Person.objects.filter(pk=person.pk).update(team=other)
        person.refresh_from_db()
    return person


@pytest.mark.parametrize(("holder", "lists"), list(itertools.product(HOLDERS, LISTS)),
                         ids=[f"{h}-{c}" for h, c in itertools.product(HOLDERS, LISTS)])
def test_the_query_and_the_single_case_check_agree_for_every_role(org, holder, lists):
    person = _case(org, holder)
    Registration.objects.create(person=person, code="RLRH", start_date=dt.date(2026, 1, 1))  # a row pointing at it
    for viewer_name in VIEWERS:
        viewer = getattr(org, viewer_name)
        CaseAccess.objects.filter(person=person).delete()
        someone_else = org.qa if viewer_name != "qa" else org.admin
        if lists == "excludes_viewer":
            CaseAccess.objects.create(person=person, staff=viewer, kind="exclusion", reason="x")
        elif lists == "excludes_someone_else":
            CaseAccess.objects.create(person=person, staff=someone_else, kind="exclusion", reason="x")
        elif lists == "restricted_to_viewer":
            CaseAccess.objects.create(person=person, staff=viewer, kind="restriction", reason="x")
        elif lists == "restricted_to_others":
            CaseAccess.objects.create(person=person, staff=someone_else, kind="restriction", reason="x")
        in_query = people_visible_to(viewer.user).filter(pk=person.pk).exists()
        found, entries = case_with_lists(person.crn)
        assert found is not None
        assert case_visible(viewer.user, found, entries) is in_query, (viewer_name, holder, lists)
        condition = visible_case_condition(viewer.user, via="person") & Q(person=person)
        assert Registration.objects.filter(condition).exists() is in_query, (viewer_name, holder, lists)
        on_people = Person.objects.filter(visible_case_condition(viewer.user, via=""), pk=person.pk).exists()
        assert on_people is in_query, (viewer_name, holder, lists)


@pytest.mark.parametrize(("viewer", "holder", "sees"), [
    ("po", "team_a", True), ("po", "team_b", False), ("po", "unallocated", False),
    ("spo", "team_a", True), ("spo", "unallocated", True), ("spo", "team_b", False),
    ("hos", "team_b", True), ("hos", "other_pdu", False), ("hos", "unallocated", True),
    ("qa", "other_pdu", True), ("admin", "other_pdu", True),
], ids=lambda v: str(v))
def test_what_each_role_covers_before_the_lists(org, viewer, holder, sees):
    person = _case(org, holder)
    found, entries = case_with_lists(person.crn)
    assert case_visible(getattr(org, viewer).user, found, entries) is sees
