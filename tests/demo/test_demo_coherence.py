"""A demo that agrees with itself: its work items are the ones the work-item rules make from its record.

One seeded demo is loaded (through the same loader as ``openprobation demo-data``) and read back: every case's record
replayed through the rules must give exactly its stored items (demo/coherence.py), and the queues a new user sees
must be believable — attending cases have their first appointment closed and the follow-on clocks running, every kind
of item the record can start appears, nobody has more overdue items than cases, and something is due this week. A
few per cent of the notes carry warning signs, prompted as live recording prompts them, and the fixed case
(demo/showcase.py) shows its prompts to the ``po`` sign-in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef
from django.test import Client
from django.urls import reverse

from openprobation.contacts.models import Contact
from openprobation.core.errors import ValidationFailed
from openprobation.demo import showcase
from openprobation.demo.coherence import check_cases
from openprobation.demo.loader import DemoOptions, demo_load
from openprobation.organisation.models import Staff
from openprobation.people.models import Person
from openprobation.warningsigns.models import SignalDisposition, SignalEvidence
from openprobation.workitems.models import ReportingChange, WorkItem
from openprobation.workitems.services import reporting_reduction_countersign

AS_OF = dt.date(2026, 11, 24)
PEOPLE = 1500
# Every kind the demo's record starts a clock for (enforcement and recall come from events the demo does not record),
# warning signs' included.
KINDS_THE_RECORD_STARTS = {
    "allocation", "first_appointment", "sentence_plan", "monthly_contact", "non_attendance_follow_up",
    "rosh_screening", "rosh_full_analysis", "risk_management_plan", "police_da_check", "childrens_services_check",
    "home_visit", "rosh_review", "signal_review", "police_notification", "recall_consideration",
    "reporting_change_countersign",
}  # fmt: skip
# The combined rules' triggers (docs/signals.md, "Prompts").
SIGNAL_TRIGGERS = {"signal_found", "harm_signal_reported", "harm_signal_reported_on_licence", "unsafe_reported",
                   "new_relationship_reported", "new_relationship_children_involved"}


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


def test_warning_signs_at_believable_rates_prompted_and_mostly_disposed_on_time(demo):
    notes = Contact.objects.exclude(notes="").filter(date__date__lte=AS_OF).count()
    with_signals = SignalEvidence.objects.values("contact").distinct().count()
    assert 0.01 <= with_signals / notes <= 0.06, (with_signals, notes)  # a few per cent
    signals = Counter(SignalEvidence.objects.values_list("signal", flat=True))
    for common in ("substance_relapse", "accommodation_loss"):
        assert signals[common] > signals["weapons"] and signals[common] > signals["stalking_harassment"], signals
    assert len(signals) >= 10, signals
    # every combined rule has made its items
    made = set(WorkItem.objects.values_list("trigger", flat=True))
    assert SIGNAL_TRIGGERS <= made, SIGNAL_TRIGGERS - made
    reviews = WorkItem.objects.filter(kind="signal_review")
    assert not reviews.filter(signal="").exists()
    done = reviews.filter(status="done")
    assert reviews.filter(status="open").exists() and done.exists()
    assert done.count() == SignalDisposition.objects.count()
    assert done.filter(closed_on__lte=F("due_date")).count() >= 0.75 * done.count()  # mostly on time
    outcomes = Counter(SignalDisposition.objects.values_list("outcome", flat=True))
    assert outcomes["action_taken"] and outcomes["no_action"]
    assert not SignalDisposition.objects.filter(outcome="action_taken", linked_item__isnull=True).exists()


def test_the_check_finds_a_warning_sign_stored_wrong(demo):
    evidence = SignalEvidence.objects.order_by("pk").first()
    disposition = SignalDisposition.objects.filter(outcome="no_action").order_by("pk").first()
    SignalEvidence.objects.filter(pk=evidence.pk).delete()
    SignalDisposition.objects.filter(pk=disposition.pk).update(details="Something else")
    people = [evidence.person_id, disposition.work_item.person_id]
    problems = check_cases(people, as_of=AS_OF, chosen_preset=settings.TIMESCALE_PRESET)
    assert any(f"in contact {evidence.contact_id} not stored against review" in p for p in problems), problems
    assert any(f"signal review {disposition.work_item_id} closed with" in p for p in problems), problems


def test_the_fixed_case_shows_its_prompts_working(demo):
    person = Person.objects.get(crn=showcase.CRN)
    assert (person.first_name, person.last_name) == (showcase.FIRST_NAME, showcase.LAST_NAME)
    assert person.practitioner.user.username == "po"
    assert person.events.get().indeterminate_type == "life"
    open_items = Counter(
        WorkItem.objects.filter(person=person, status="open").values_list("kind", "signal", "owner_role")
    )
    for expected in [("signal_review", "stalking_harassment", "practitioner"),
                     ("signal_review", "feels_unsafe", "practitioner"), ("rosh_review", "", "practitioner"),
                     ("police_notification", "", "practitioner"), ("police_da_check", "", "practitioner"),
                     ("recall_consideration", "", "spo"), ("reporting_change_countersign", "", "spo")]:  # fmt: skip
        assert open_items[expected] == 1, (expected, open_items)
    # the earlier prompts were decided: the new partners' checks, the partner's report
    decided = Counter(WorkItem.objects.filter(person=person, kind="signal_review", status="done")
                      .values_list("signal", flat=True))  # fmt: skip
    assert decided == Counter({"new_relationship": 3, "relationship_ended": 1, "feels_unsafe": 1}), decided
    client = Client()
    client.force_login(person.practitioner.user)
    page = client.get(reverse("web:case", args=[person.crn])).content.decode()
    assert "Warning signs to review" in page and "<mark>follows her</mark>" in page, page
    # the reduction in reporting cannot be countersigned while her report is under review
    change = ReportingChange.objects.get(person=person, status="awaiting_countersignature")
    spo = Staff.objects.get(team=person.team, role="spo").user
    with pytest.raises(ValidationFailed) as refused:
        reporting_reduction_countersign(actor=spo, person=person, change_id=change.pk, approve=True)
    assert "feel unsafe" in str(refused.value)
