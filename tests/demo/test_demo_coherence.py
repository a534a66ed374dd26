"""A demo that agrees with itself: its work items are the ones the work-item rules make from its record.

One seeded demo is loaded (through the same loader as ``openprobation demo-data``) and read back: every case's record
replayed through the rules must give exactly its stored items (demo/coherence.py), and the queues a new user sees
must be believable — attending cases have their first appointment closed and the follow-on clocks running, every kind
of item the record can start appears, nobody has more overdue items than cases, and something is due this week.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.conf import settings
from django.db.models import Count, Exists, OuterRef

from openprobation.contacts.models import Contact
from openprobation.demo.coherence import check_cases
from openprobation.demo.loader import DemoOptions, demo_load
from openprobation.people.models import Person
from openprobation.workitems.models import WorkItem

AS_OF = dt.date(2026, 11, 24)
PEOPLE = 1500
# Every kind the demo's record starts a clock for (enforcement, recall and reporting changes come from events the
# demo does not record).
KINDS_THE_RECORD_STARTS = {
    "allocation", "first_appointment", "sentence_plan", "monthly_contact", "non_attendance_follow_up",
    "rosh_screening", "rosh_full_analysis", "risk_management_plan", "police_da_check", "childrens_services_check",
    "home_visit", "rosh_review",
}  # fmt: skip


@pytest.fixture
def demo(db):
    result = demo_load(DemoOptions(people=PEOPLE, seed=4, progress=False, as_of=AS_OF))
    assert result.status == "loaded"
    return result


def test_every_stored_item_is_what_the_rules_make_from_the_record(demo):
    problems = check_cases(
        Person.objects.order_by("pk").values_list("pk", flat=True),
        as_of=AS_OF,
        chosen_preset=settings.TIMESCALE_PRESET,
    )
    assert problems == []


def test_the_check_finds_an_item_the_rules_would_not_have_left_open(demo):
    """The fault found in the old demo: a first appointment left open on a case that attended it."""
    first = (
        WorkItem.objects.filter(kind="first_appointment", status="done", note="First appointment attended")
        .order_by("pk")
        .first()
    )
    WorkItem.objects.filter(pk=first.pk).update(status="open", closed_on=None, note="")
    problems = check_cases([first.person_id], as_of=AS_OF, chosen_preset=settings.TIMESCALE_PRESET)
    assert any(f"item {first.pk}" in p and "first_appointment" in p for p in problems), problems


def test_attending_cases_have_their_first_appointment_closed_and_the_clocks_that_follow(demo):
    attended_first = Contact.objects.filter(
        person=OuterRef("person"),
        outcome__in=("attended_complied", "attended_failed_to_comply"),
        type__in=("office_appointment", "home_visit", "video", "induction", "group_induction"),
        date__date__gte=OuterRef("clock_started_on"),
    )
    open_first = WorkItem.objects.filter(kind="first_appointment", status="open").filter(Exists(attended_first))
    assert not open_first.exists()
    # every clock started by a first appointment cites one that happened: attended that day, or marked done that day
    cited = WorkItem.objects.filter(trigger="first_appointment_attended", reason__startswith="First appointment")
    closed_that_day = WorkItem.objects.filter(
        person=OuterRef("person"), kind="first_appointment", status="done", closed_on=OuterRef("clock_started_on")
    )
    assert cited.exists() and not cited.exclude(Exists(closed_that_day)).exists()
    assert not cited.filter(reason__startswith="First appointment attended").exclude(
        Exists(closed_that_day.filter(note="First appointment attended"))
    ).exists()


def test_the_queues_are_believable(demo):
    made = Counter(WorkItem.objects.values_list("kind", flat=True))
    assert KINDS_THE_RECORD_STARTS <= set(made), KINDS_THE_RECORD_STARTS - set(made)
    holders = (
        Person.objects.values("practitioner")
        .annotate(cases=Count("pk", distinct=True))
        .order_by("practitioner")
        .values_list("practitioner", "cases")
    )
    cases = dict(holders)
    late = Counter(
        WorkItem.objects.filter(status="open", due_date__lt=AS_OF, owner_role="practitioner").values_list(
            "owner", flat=True
        )
    )
    # overdue: open and past its due date, counted by who owes it
    assert late and all(late[who] <= cases.get(who, 0) for who in late), sorted(
        (late[w], cases.get(w, 0)) for w in late
    )
    this_week = WorkItem.objects.filter(status="open", due_date__gte=AS_OF, due_date__lt=AS_OF + dt.timedelta(days=7))
    assert this_week.filter(owner__user__username="po").exists()
    unowned = WorkItem.objects.filter(status="open", owner_role__in=("practitioner", "spo"), owner__isnull=True)
    assert not unowned.exists()


def test_notes_name_only_what_the_case_has(demo):
    """A MARAC on a domestic-abuse case only, a curfew only with a curfew, children at a visit only where they live."""
    from openprobation.risk.models import Registration
    from openprobation.sentences.models import LicenceCondition, Requirement

    def noted(text: str) -> set[int]:
        return set(Contact.objects.filter(notes__contains=text).values_list("person_id", flat=True))

    marac, curfew, children = noted("MARAC"), noted("curfew"), noted("Children present")
    assert marac and curfew and children
    assert marac <= set(Registration.objects.filter(code="ADVP").values_list("person_id", flat=True))
    with_curfew = set(Requirement.objects.filter(type="curfew").values_list("event__person_id", flat=True))
    with_curfew |= set(LicenceCondition.objects.filter(type="curfew").values_list("event__person_id", flat=True))
    assert curfew <= with_curfew
    at_home = set(
        Person.objects.filter(relationships__relationship="child", relationships__lives_in_household=True).values_list(
            "pk", flat=True
        )
    )
    assert children <= at_home
