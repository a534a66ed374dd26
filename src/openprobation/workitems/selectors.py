"""Reading work items: a case's items, a practitioner's "what's due", a team's queue and a PDU's overdue counts.

Every query starts from ``people_visible_to`` so a restricted case is absent from lists, counts and queues alike.
"Overdue" is worked out in the query from the due date and today (due today is still in time), never stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from openprobation.core import clock
from openprobation.core.errors import NotFound
from openprobation.organisation.models import Pdu, Staff, Team
from openprobation.people.access import Actor, people_visible_to, staff_for
from openprobation.people.models import Person
from openprobation.rules import clocks
from openprobation.rules.timescale_types import ItemKind
from openprobation.workitems import generate
from openprobation.workitems.choices import WorkItemStatus
from openprobation.workitems.models import ReportingChange, WorkItem

DUE_SOON_WORKING_DAYS = 5
WHATS_DUE_HORIZON_DAYS = 28


def _with_overdue(items: QuerySet[WorkItem], today: dt.date) -> QuerySet[WorkItem]:
    return items.annotate(
        overdue=Case(
            When(status=WorkItemStatus.OPEN, due_date__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def work_items_for_person(*, person: Person, include_closed: bool = False) -> QuerySet[WorkItem]:
    """A visible case's items, soonest due first (open ones only unless ``include_closed``)."""
    items = WorkItem.objects.filter(person=person).select_related("person", "owner", "team", "relationship")
    if not include_closed:
        items = items.filter(status=WorkItemStatus.OPEN)
    return _with_overdue(items, clock.today()).order_by("due_date", "id")


def work_item_get(*, actor: Actor, item_id: int) -> WorkItem:
    item = (
        _with_overdue(WorkItem.objects.all(), clock.today())
        .select_related("person", "owner", "team", "relationship")
        .filter(pk=item_id, person__in=people_visible_to(actor))
        .first()
    )
    if item is None:
        raise NotFound(f"No work item {item_id}")
    return item


def work_item_list(
    *,
    actor: Actor,
    team: str | None = None,
    practitioner: str | None = None,
    overdue: bool | None = None,
    kind: str | None = None,
    status: str | None = WorkItemStatus.OPEN,
) -> QuerySet[WorkItem]:
    """Items on the cases the actor may see, filtered by team code, owner's staff code, overdue, kind and status."""
    today = clock.today()
    items = WorkItem.objects.filter(person__in=people_visible_to(actor)).select_related("person", "owner", "team")
    if status:
        items = items.filter(status=status)
    if team:
        items = items.filter(team__code=team.replace("\x00", ""))
    if practitioner:
        items = items.filter(owner__code=practitioner.replace("\x00", ""))
    if kind:
        items = items.filter(kind=kind)
    if overdue is True:
        items = items.filter(status=WorkItemStatus.OPEN, due_date__lt=today)
    elif overdue is False:
        items = items.exclude(status=WorkItemStatus.OPEN, due_date__lt=today)
    return _with_overdue(items, today).order_by("due_date", "id")


@dataclass(frozen=True)
class WhatsDue:
    as_of: dt.date
    week_ends: dt.date
    overdue: list[WorkItem]
    this_week: list[WorkItem]
    later: list[WorkItem]


def work_items_for_practitioner(*, actor: Actor, staff: Staff | None = None) -> WhatsDue:
    """A practitioner's open items (the actor's own by default): overdue first (oldest first), then due this week
    (to Sunday), then the next four weeks."""
    owner = staff or staff_for(actor)
    today = clock.today()
    week_ends = today + dt.timedelta(days=6 - today.weekday())
    if owner is None:
        return WhatsDue(today, week_ends, [], [], [])
    items = list(
        _with_overdue(
            WorkItem.objects.filter(
                owner=owner,
                status=WorkItemStatus.OPEN,
                due_date__lte=today + dt.timedelta(days=WHATS_DUE_HORIZON_DAYS),
                person__in=people_visible_to(actor),
            ),
            today,
        )
        .select_related("person", "relationship")
        .order_by("due_date", "id")
    )
    return WhatsDue(
        as_of=today,
        week_ends=week_ends,
        overdue=[i for i in items if i.due_date < today],
        this_week=[i for i in items if today <= i.due_date <= week_ends],
        later=[i for i in items if i.due_date > week_ends],
    )


@dataclass(frozen=True)
class QueueRow:
    staff: Staff | None  # None: items with no owner (unallocated case, or no SPO in the team)
    overdue: int
    due_soon: int
    open: int
    escalated: int = 0  # open items the escalations job has escalated to the team's SPO


@dataclass(frozen=True)
class TeamQueue:
    team: Team
    as_of: dt.date
    due_soon_until: dt.date
    rows: list[QueueRow] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(r.overdue for r in self.rows)

    @property
    def due_soon(self) -> int:
        return sum(r.due_soon for r in self.rows)

    @property
    def escalated(self) -> int:
        return sum(r.escalated for r in self.rows)

    @property
    def open(self) -> int:
        return sum(r.open for r in self.rows)


def team_queue(*, actor: Actor, team: Team) -> TeamQueue:
    """Per member of the team: open items overdue, due within five working days, and open in all. One query."""
    today = clock.today()
    soon = generate.calendar().add_working_days(today, DUE_SOON_WORKING_DAYS)
    counts = {
        row["owner_id"]: row
        for row in WorkItem.objects.filter(team=team, status=WorkItemStatus.OPEN, person__in=people_visible_to(actor))
        .values("owner_id")
        .annotate(
            overdue=Count("id", filter=Q(due_date__lt=today)),
            due_soon=Count("id", filter=Q(due_date__gte=today, due_date__lte=soon)),
            open=Count("id"),
            escalated=Count("id", filter=Q(escalation__isnull=False)),
        )
        .order_by()
    }
    rows = []
    for staff in Staff.objects.filter(team=team).order_by("last_name", "first_name"):
        c = counts.pop(staff.pk, dict.fromkeys(QUEUE_COUNTS, 0))
        rows.append(QueueRow(staff, *(c[k] for k in QUEUE_COUNTS)))
    # Items owned by nobody, or by someone who has since left the team, are shown together so none is lost.
    if counts:
        rows.append(QueueRow(None, *(sum(c[k] for c in counts.values()) for k in QUEUE_COUNTS)))
    return TeamQueue(team=team, as_of=today, due_soon_until=soon, rows=rows)


QUEUE_COUNTS = ("overdue", "due_soon", "open", "escalated")  # QueueRow's counts, in its order
NOBODY = "none"  # the owner code of the queue row for items nobody in the team holds


def team_queue_items(*, actor: Actor, team: Team, owner_code: str, count: str) -> list[WorkItem]:
    """The open items behind one count on the team queue (``count``: overdue, due_soon, open or escalated; each item
    with when and to whom it was escalated, if it was) for one member of
    staff by code, or for nobody in the team (``owner_code`` ``"none"``), overdue first then soonest due. The same
    filters as :func:`team_queue`, so the list and the count agree."""
    if count not in QUEUE_COUNTS:
        raise NotFound(f"No queue count {count}")
    today = clock.today()
    items = WorkItem.objects.filter(team=team, status=WorkItemStatus.OPEN, person__in=people_visible_to(actor))
    if owner_code == NOBODY:
        items = items.filter(Q(owner__isnull=True) | ~Q(owner__team=team))
    else:
        items = items.filter(owner__code=owner_code.replace("\x00", ""), owner__team=team)
    if count == "overdue":
        items = items.filter(due_date__lt=today)
    elif count == "due_soon":
        soon = generate.calendar().add_working_days(today, DUE_SOON_WORKING_DAYS)
        items = items.filter(due_date__gte=today, due_date__lte=soon)
    elif count == "escalated":
        items = items.filter(escalation__isnull=False)
    items = items.annotate(
        escalated_at=F("escalation__recorded_at"),
        escalated_to_first_name=F("escalation__escalated_to__first_name"),
        escalated_to_last_name=F("escalation__escalated_to__last_name"),
    )
    return list(_with_overdue(items, today).select_related("person", "relationship").order_by("due_date", "id"))


@dataclass(frozen=True)
class TeamOverdue:
    team: Team
    overdue: int
    open: int


def pdu_overdue_counts(*, actor: Actor, pdu_code: str) -> list[TeamOverdue]:
    """Each team in a PDU with its open and overdue items on the cases the actor may see. One grouped query."""
    pdu = Pdu.objects.filter(code=pdu_code.replace("\x00", "")).first()
    if pdu is None:
        raise NotFound(f"No PDU with code {pdu_code}")
    today = clock.today()
    counts = dict(
        (row[0], row[1:])
        for row in WorkItem.objects.filter(
            team__pdu=pdu, status=WorkItemStatus.OPEN, person__in=people_visible_to(actor)
        )
        .values_list("team_id")
        .annotate(overdue=Count("id", filter=Q(due_date__lt=today)), open=Count("id"))
        .order_by()
    )
    return [TeamOverdue(team, *counts.get(team.pk, (0, 0))) for team in Team.objects.filter(pdu=pdu).order_by("name")]


def reporting_changes_for_person(*, person: Person) -> QuerySet[ReportingChange]:
    """A visible case's reporting-frequency changes, newest first."""
    return ReportingChange.objects.filter(person=person).select_related("requested_by", "decided_by")


def reporting_change_get(*, person: Person, change_id: int) -> ReportingChange:
    """One of a visible case's reporting changes; a change on another case is not found."""
    change = reporting_changes_for_person(person=person).filter(pk=change_id).first()
    if change is None:
        raise NotFound(f"No reporting change {change_id} on case {person.crn}")
    return change


# ---- running clocks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningClock:
    """An open work item of a clock kind (``rules.clocks.CLOCK_LABELS``) with its countdown tag; ``due_at`` is set
    for a clock counted in hours (a recall request)."""

    crn: str
    name: str
    item_id: int
    kind: str
    due_date: dt.date
    due_at: dt.datetime | None
    countdown: clocks.Countdown


def _clocks(items: QuerySet[WorkItem], now: dt.datetime | None) -> list[RunningClock]:
    now = now or clock.now()
    today = timezone.localdate(now)
    calendar = generate.calendar()
    out = []
    rows = (items.filter(status=WorkItemStatus.OPEN, kind__in=[k.value for k in clocks.CLOCK_KINDS])
            .order_by("due_date", "id")
            .values_list("id", "person__crn", "person__first_name", "person__last_name", "kind", "due_date", "due_at"))
    for item_id, crn, first, last, kind, due_date, due_at in rows:
        label = clocks.CLOCK_LABELS[ItemKind(kind)]
        if due_at is not None:
            tag = clocks.countdown_hours(label, due_at, now)
        else:
            left = calendar.working_days_between(today, due_date) if due_date >= today else 0
            tag = clocks.countdown(label, due_date, today, left)
        out.append(RunningClock(crn, f"{first} {last}", item_id, kind, due_date, due_at, tag))
    return out


def clocks_of(running: Iterable[RunningClock], *kinds: ItemKind) -> list[RunningClock]:
    """The clocks among ``running`` of these kinds (an area's own clocks: a breach's, a recall's), in order."""
    wanted = {k.value for k in kinds}
    return [c for c in running if c.kind in wanted]


@dataclass(frozen=True)
class CaseClocks:
    """A case's running clocks as its pages show them: the breach and enforcement clocks together, the recall
    request's and the risk escalation review's each on its own."""

    breach: list[RunningClock]
    recall: RunningClock | None
    escalation: RunningClock | None


def case_clocks(*, person: Person, now: dt.datetime | None = None) -> CaseClocks:
    """The running clocks of a case the caller may see (``people.selectors.person_get``)."""
    running = running_clocks(crns=[person.crn], now=now).get(person.crn, [])
    recall = clocks_of(running, ItemKind.RECALL_REQUEST)
    escalation = clocks_of(running, ItemKind.RISK_ESCALATION_REVIEW)
    return CaseClocks(clocks_of(running, *clocks.BREACH_CLOCK_KINDS), recall[0] if recall else None,
                      escalation[0] if escalation else None)


def running_clocks(*, crns: Iterable[str], now: dt.datetime | None = None) -> dict[str, list[RunningClock]]:
    """The running clocks of these cases by CRN (callers pass cases the actor may see), soonest due first: every
    open work item of a clock kind, whichever area started it (a breach, a recall request), with its countdown."""
    out: dict[str, list[RunningClock]] = {}
    for running in _clocks(WorkItem.objects.filter(person__crn__in=list(crns)), now):
        out.setdefault(running.crn, []).append(running)
    return out


def team_running_clocks(*, actor: Actor, team: Team, now: dt.datetime | None = None) -> list[RunningClock]:
    """The running clocks on the team's cases the actor may see, soonest due first (the SPO's team view)."""
    return _clocks(WorkItem.objects.filter(team=team, person__in=people_visible_to(actor)), now)
