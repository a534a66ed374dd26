"""The allocation screen: a team's unallocated cases with what the SPO needs to allocate them, the practitioners
who could take one (the team's and the neighbouring teams': those of the same PDU), and the team's cases that need
reallocating. Every list starts from ``people_visible_to``, so a restricted or excluded case is in no list or
count for anyone who may not see it. Each list costs a fixed number of queries, whatever the team's size.

Practitioners are ordered by the grade policy named in the workload policy (``allocation.grade_policy``, default
the 2021 unified rules of ``rules/allocation.py``, evaluated once per case by ``allocation_check``): those whose
grade it allows first, then by lowest capacity now; the reason is the rule's. Capacity after the case is the
workload rules' potential capacity (``rules.workload.batch.potential_frame``): a case a practitioner already holds
is not counted twice. Staff excluded from the case (its exclusion list, or not on its restriction list) are shown
as excluded and cannot be chosen; staff whose leaving date has passed are not offered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from openprobation.allocation.models import AllocationDecision
from openprobation.core import clock
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import Actor, lists_allow, people_visible_to
from openprobation.people.choices import AccessListKind
from openprobation.people.models import CaseAccess, Person
from openprobation.risk.models import Registration, RiskCalculation
from openprobation.rules import allocation as alloc
from openprobation.rules.registrations import MAPPA_CODE, registration_type, rosh_level
from openprobation.rules.workload.batch import potential_frame
from openprobation.rules.workload.policy import WorkloadPolicy, workload_policy
from openprobation.safeguarding.choices import OPEN_CHECK_STATUSES
from openprobation.safeguarding.models import SafeguardingCheck
from openprobation.sentences.choices import RequirementType, SentenceType
from openprobation.sentences.models import Allocation, Event, Requirement
from openprobation.workload import selectors as workload_selectors

RECENT_DAYS = 7
CRN_LENGTH = 7  # "cases allocated in the last 7 days"


def grade_policy(policy: WorkloadPolicy | None = None) -> alloc.AllocationPolicy:
    return alloc.allocation_policy((policy or workload_policy()).allocation_grade_policy)


@dataclass(frozen=True)
class CaseForAllocation:
    person: Person
    tier: str
    rosh: str | None
    rsr: Decimal | None
    mappa_level: int | None  # None: not a MAPPA case; 0: MAPPA with no level recorded
    registrations: list[str]
    offences: list[str]
    sentence: str
    case_type: str | None  # the workload case type of the latest active event
    requirements: list[str]
    checks_outstanding: int
    history: str  # new to probation, or previously managed and by whom
    check: alloc.AllocationExpectation | alloc.AllocationCannotCheck

    @property
    def facts(self) -> alloc.AllocationFacts:
        return alloc.AllocationFacts(rosh=self.rosh, mappa_level=self.mappa_level, rsr_percent=self.rsr,
                                     tier=self.tier or None)  # fmt: skip

    @property
    def allowed_grades(self) -> frozenset[str] | None:
        return self.check.allowed if isinstance(self.check, alloc.AllocationExpectation) else None


def _mappa_level(level: str) -> int:
    return int(level[1:]) if level[1:].isdigit() else 0


def _describe(people: list[Person], on: dt.date) -> list[CaseForAllocation]:
    """The screen's columns for each case: one query per kind of fact, whatever the number of cases."""
    ids = [p.pk for p in people]
    registrations: dict[int, list[Registration]] = {}
    for reg in Registration.objects.filter(person_id__in=ids, end_date__isnull=True).order_by("-start_date", "-id"):
        registrations.setdefault(reg.person_id, []).append(reg)
    rsr: dict[int, Decimal | None] = {}
    for person_id, score in (
        RiskCalculation.objects.filter(person_id__in=ids, tool="rsr").order_by("person_id", "-id")
        .values_list("person_id", "score")
    ):  # fmt: skip
        rsr.setdefault(person_id, score)
    events: dict[int, list[Event]] = {}
    for event in Event.objects.filter(person_id__in=ids, termination_date__isnull=True).order_by(
        "person_id", "-sentence_date", "-id"
    ):
        events.setdefault(event.person_id, []).append(event)
    requirements: dict[int, list[str]] = {}
    active_ids = [e.pk for found in events.values() for e in found]
    for event_id, kind, size in Requirement.objects.filter(event_id__in=active_ids).values_list(
        "event_id", "type", "length"
    ):
        requirements.setdefault(event_id, []).append(f"{RequirementType(kind).label} ({size})")
    checks = dict(
        SafeguardingCheck.objects.filter(person_id__in=ids, status__in=OPEN_CHECK_STATUSES)
        .values_list("person_id").annotate(n=Count("pk"))
    )  # fmt: skip
    previous: dict[int, Allocation] = {}
    # By the cases' event ids (indexed lookups), not a join the planner may answer with a scan of every allocation.
    every_event = list(Event.objects.filter(person_id__in=ids).values_list("pk", "person_id"))
    person_of = dict(every_event)
    for ended in Allocation.objects.filter(event_id__in=list(person_of), end_date__isnull=False).select_related(
        "practitioner", "team"
    ).order_by("-end_date", "-id"):
        previous.setdefault(person_of[ended.event_id], ended)
    policy = grade_policy()
    rows = []
    for person in people:
        regs = registrations.get(person.pk, [])
        mappa = next((r for r in regs if r.code == MAPPA_CODE), None)
        active = events.get(person.pk, [])
        latest = active[0] if active else None
        past = previous.get(person.pk)
        if past is not None:
            until = _long_date(past.end_date) if past.end_date else ""
            history = f"Previously managed by {past.practitioner.name} ({past.team.name}) until {until}"
        else:
            history = "New to probation"
        sentence = ""
        if latest is not None:
            length = f", {latest.length_months} months" if latest.length_months else ""
            sentenced = _long_date(latest.sentence_date)
            sentence = f"{SentenceType(latest.sentence_type).label}{length} (sentenced {sentenced})"
        facts = alloc.AllocationFacts(
            rosh=rosh_level(r.code for r in regs),
            mappa_level=_mappa_level(mappa.level) if mappa is not None else None,
            rsr_percent=rsr.get(person.pk),
            tier=person.tier or None,
        )
        rows.append(CaseForAllocation(
            person=person,
            tier=person.tier,
            rosh=facts.rosh,
            rsr=facts.rsr_percent,
            mappa_level=facts.mappa_level,
            registrations=[_registration_name(r.code) for r in regs],
            offences=[f"{e.offence_category or 'Offence'} ({e.offence_code})" for e in active],
            sentence=sentence,
            case_type=workload_selectors.CASE_TYPES.get(latest.sentence_type) if latest else None,
            requirements=[text for e in active for text in requirements.get(e.pk, [])],
            checks_outstanding=checks.get(person.pk, 0),
            history=history,
            check=alloc.allocation_check(facts, policy),
        ))  # fmt: skip
    return rows


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _registration_name(code: str) -> str:
    kind = registration_type(code)
    return kind.name if kind is not None else code


def unallocated_cases(*, actor: Actor, team: Team, on: dt.date | None = None) -> list[CaseForAllocation]:
    """The team's cases with an active event and no practitioner that the actor may see, oldest first."""
    people = list(
        people_visible_to(actor)
        .filter(team=team, practitioner__isnull=True)
        .filter(Exists(Event.objects.filter(person_id=OuterRef("pk"), termination_date__isnull=True)))
        .order_by("created_at", "pk")
    )
    return _describe(people, on or clock.today())


def case_for_allocation(*, actor: Actor, team: Team, crn: str) -> CaseForAllocation | None:
    """One case of the team (allocated or not) the actor may see, with the screen's columns; None otherwise."""
    if "\x00" in crn or len(crn) > CRN_LENGTH:
        return None  # no case has such a CRN (PostgreSQL refuses NUL in text)
    person = people_visible_to(actor).filter(team=team, crn=crn).select_related("practitioner").first()
    if person is None:
        return None
    return _describe([person], clock.today())[0]


@dataclass(frozen=True)
class Candidate:
    staff: Staff
    team: Team
    capacity: Decimal | None
    capacity_after: Decimal | None
    over_after: bool
    allocated_recently: int
    by_type: dict[str, int]
    excluded: bool
    grade_fits: bool | None  # None: the grade policy cannot check the case
    holds_case: bool
    case_count: int
    reduction_hours: Decimal = field(default=Decimal(0))

    @property
    def choosable(self) -> bool:
        return not self.excluded and not self.holds_case

    @property
    def capacity_bar(self) -> int:
        return min(150, round(self.capacity or 0))

    @property
    def capacity_after_bar(self) -> int:
        return min(150, round(self.capacity_after or 0))


def neighbouring_staff(*, team: Team, on: dt.date) -> list[Staff]:
    """The practitioners of the team and of the teams of its PDU (its neighbours), not those who have left."""
    return list(
        Staff.objects.filter(role=Role.PRACTITIONER, team__pdu_id=team.pdu_id)
        .exclude(leaving_date__lt=on)
        .select_related("team")
        .order_by("last_name", "first_name", "pk")
    )


def candidates(*, case: CaseForAllocation, team: Team, on: dt.date | None = None) -> list[Candidate]:
    """The practitioners who could take ``case``, in the grade policy's order then lowest capacity."""
    on = on or clock.today()
    policy = workload_policy()
    staff = neighbouring_staff(team=team, on=on)
    frame, cases = workload_selectors.workload_tables(staff=staff, on=on, policy=policy)
    person = case.person
    holder = person.practitioner_id
    new_case = {
        "tier": case.tier if case.tier and f"standard/community/{case.tier}" in policy.case_points else None,
        "case_type": case.case_type or "community",
        "t2a": _t2a(person, on),
    }
    rows = {r["practitioner"]: r for r in potential_frame(frame, new_case, [holder] if holder else [],
                                                          policy=policy).iter_rows(named=True)}  # fmt: skip
    counts = workload_selectors.type_counts(cases)
    since = on - dt.timedelta(days=RECENT_DAYS)
    recent = dict(
        Allocation.objects.filter(practitioner__in=staff, start_date__gt=since, start_date__lte=on)
        .values_list("practitioner_id").annotate(n=Count("event__person_id", distinct=True))
    )  # fmt: skip
    entries = list(CaseAccess.objects.filter(person=person).values_list("staff_id", "kind"))
    allowed = case.allowed_grades
    found = []
    for s in staff:
        r = rows[s.pk]
        graded = r["grade"] is not None and not r["invalid"]
        found.append(Candidate(
            staff=s, team=s.team, case_count=r["case_count"],  # type: ignore[arg-type]
            capacity=workload_selectors.tenths_percent(r["capacity_tenths"]) if graded else None,
            capacity_after=workload_selectors.tenths_percent(r["potential_capacity_tenths"]) if graded else None,
            over_after=bool(r["potential_over_capacity"]) if graded else False,
            allocated_recently=recent.get(s.pk, 0),
            by_type=counts.get(s.pk, dict.fromkeys(workload_selectors.WORKLOAD_CASE_TYPES, 0)),
            excluded=not lists_allow(s.pk, entries),
            grade_fits=None if allowed is None else s.grade in allowed,
            holds_case=s.pk == holder,
            reduction_hours=(Decimal(r["reduction_hundredths"]) / 100).quantize(Decimal("0.01")),
        ))  # fmt: skip
    return sorted(found, key=_order)


def _order(c: Candidate) -> tuple[int, int, Decimal, str, str]:
    """Choosable first; then those the grade policy allows; then lowest capacity (no capacity last)."""
    capacity = c.capacity if c.capacity is not None else Decimal(10**6)
    return (0 if c.choosable else 1, 0 if c.grade_fits is not False else 1, capacity, c.staff.last_name,
            c.staff.first_name)  # fmt: skip


def _t2a(person: Person, on: dt.date) -> bool:
    born = person.date_of_birth
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age in workload_selectors.T2A_AGES


@dataclass(frozen=True)
class NeedsReallocation:
    person: Person
    practitioner: Staff
    reasons: list[str]


def needs_reallocation(*, actor: Actor, team: Team, on: dt.date | None = None) -> list[NeedsReallocation]:
    """The team's cases (that the actor may see) whose holder is excluded from the case, has left (leaving date
    passed) or is on long-term absence (reductions today take all their contracted hours)."""
    on = on or clock.today()
    held = people_visible_to(actor).filter(team=team, practitioner__isnull=False)
    restricted = CaseAccess.objects.filter(person_id=OuterRef("pk"), kind=AccessListKind.RESTRICTION)
    excluded = Exists(CaseAccess.objects.filter(person_id=OuterRef("pk"), staff_id=OuterRef("practitioner_id"),
                                                kind=AccessListKind.EXCLUSION)) | (
        Exists(restricted) & ~Exists(restricted.filter(staff_id=OuterRef("practitioner_id")))
    )  # fmt: skip
    holders = list(Staff.objects.filter(pk__in=held.values("practitioner_id")))
    absent = {
        w.staff.pk for w in workload_selectors.workloads(staff=holders, on=on) if w.fully_reduced
    }
    left = {s.pk for s in holders if s.has_left(on)}
    people = (
        held.annotate(holder_excluded=excluded)
        .filter(Q(holder_excluded=True) | Q(practitioner_id__in=absent | left))
        .select_related("practitioner")
        .order_by("last_name", "first_name", "pk")
    )
    found = []
    for person in people:
        reasons = []
        if person.holder_excluded:
            reasons.append("The practitioner is excluded from the case")
        if person.practitioner_id in left:
            assert person.practitioner is not None and person.practitioner.leaving_date is not None
            reasons.append(f"The practitioner left on {_long_date(person.practitioner.leaving_date)}")
        if person.practitioner_id in absent:
            reasons.append("The practitioner is on long-term absence (no hours left after reductions)")
        assert person.practitioner is not None
        found.append(NeedsReallocation(person, person.practitioner, reasons))
    return found


def allocation_history(*, person: Person) -> list[AllocationDecision]:
    """A visible case's allocation decisions, newest first."""
    return list(
        AllocationDecision.objects.filter(person=person).select_related(
            "practitioner", "previous_practitioner", "decided_by"
        )
    )


def unallocated_count(*, actor: Actor, team: Team) -> int:
    return (
        people_visible_to(actor).filter(team=team, practitioner__isnull=True)
        .filter(Exists(Event.objects.filter(person_id=OuterRef("pk"), termination_date__isnull=True))).count()
    )  # fmt: skip
