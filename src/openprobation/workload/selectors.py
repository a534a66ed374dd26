"""Workload as it stands: each practitioner's points, available points and capacity, worked out from the record
when read (never stored, so never stale), with the workload rules evaluated for the whole team at once
(``rules.workload.batch``, the same formulas as the ``workload`` calculator: decision 0018).

How the record is read (docs/workload.md, "Live workload"):
- a case is a person the practitioner holds with an active event; its type is that of the latest active event
  (community order or suspended sentence: community; licence or post-sentence supervision: licence; custody);
- its tier is the person's tier (untiered: 0 points); it is a T2A case while the person is 18 to 24 (unverified:
  the workload tool takes the T2A flag from the case record, which this record does not hold);
- the grade is the member of staff's (PO, PSO, PQiP, SPO; "other" has no workload grade, so no capacity);
- reductions are those active on the day, summed, never more than the contracted hours. Reports and
  case-management adjustments are not recorded yet, so they count 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet, Sum

from openprobation.core import clock
from openprobation.organisation.choices import Grade, TrainingStage
from openprobation.organisation.models import Staff, Team
from openprobation.people.access import Actor, people_visible_to, staff_for
from openprobation.people.models import Person
from openprobation.rules import ops
from openprobation.rules.workload.batch import (
    CASE_SCHEMA,
    PRACTITIONER_SCHEMA,
    REDUCTION_SCHEMA,
    reduction_hundredths_frame,
    workload_frame,
)
from openprobation.rules.workload.formulas import half_up_quotient
from openprobation.rules.workload.policy import ALL_TIERS, WorkloadPolicy, workload_policy
from openprobation.sentences.models import Event
from openprobation.workload.models import OverloadAlert, StaffNotice, WorkloadReduction, WorkloadSnapshot

# The staff grade as the workload policy names it ("other" has none); a PO in their first year after qualifying
# is the policy's NQO.
POLICY_GRADES = {"po": "PO", "pso": "PSO", "pqip": "PQiP", "spo": "SPO"}
CASE_TYPES = {
    "community_order": "community",
    "suspended_sentence_order": "community",
    "licence": "licence",
    "post_sentence_supervision": "licence",
    "custody": "custody",
}
T2A_AGES = range(18, 25)
WORKLOAD_CASE_TYPES = ("community", "licence", "custody")


def policy_grade(staff: Staff) -> str | None:
    """The workload policy's grade for a member of staff (None: no workload grade)."""
    if staff.grade == Grade.PO and staff.training_stage == TrainingStage.NEWLY_QUALIFIED:
        return "NQO"
    return POLICY_GRADES.get(staff.grade)


@dataclass(frozen=True)
class Workload:
    staff: Staff
    case_count: int
    total_points: int | None  # None: no workload grade
    available_points: int | None
    capacity_percent: Decimal | None
    remaining_points: int | None
    over_capacity: bool
    reduction_hours: Decimal
    by_type: dict[str, int] = field(default_factory=dict)  # cases by type: community, licence, custody

    @property
    def capacity_bar(self) -> int:
        """The capacity as a bar's length on a chart that runs from 0 to 150%."""
        return min(150, round(self.capacity_percent or 0))

    @property
    def fully_reduced(self) -> bool:
        """Reductions take all of the contracted hours today (long-term sickness, maternity leave...)."""
        return self.staff.contracted_hours > 0 and self.reduction_hours >= self.staff.contracted_hours


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def reductions_active(*, staff: Iterable[Staff], on: dt.date) -> QuerySet[WorkloadReduction]:
    ids = [s.pk for s in staff]
    return WorkloadReduction.objects.filter(staff_id__in=ids, effective_from__lte=on).exclude(effective_to__lt=on)


def case_frame(*, holders: list[int] | None, on: dt.date, policy: WorkloadPolicy) -> pl.DataFrame:
    """The cases held (by ``holders``, or by anyone when None) as the workload rules read them (CASE_SCHEMA):
    three set-based queries whatever the number of cases, the latest active event of each picked in polars."""
    people = Person.objects.filter(practitioner__isnull=False)
    if holders is not None:
        people = people.filter(practitioner_id__in=holders)
    held = list(people.values_list("pk", "practitioner_id", "crn", "tier", "date_of_birth"))
    events = Event.objects.filter(termination_date__isnull=True)
    if holders is not None:
        # By the people's ids (the event_person_active index), not a join the planner may answer with a scan.
        events = events.filter(person_id__in=[row[0] for row in held])
    else:
        events = events.filter(person__practitioner__isnull=False)
    event_rows = pl.DataFrame(
        list(events.values_list("person_id", "sentence_type", "sentence_date", "id")),
        schema={"person": pl.Int64, "sentence_type": pl.String, "sentence_date": pl.Date, "event": pl.Int64},
        orient="row",
    )
    latest = (
        event_rows.sort(["person", "sentence_date", "event"], descending=[False, True, True])
        .unique(subset="person", keep="first", maintain_order=True)
        .with_columns(case_type=pl.col("sentence_type").replace_strict(CASE_TYPES, default=None))
        .select("person", "case_type")
    )
    person_rows = pl.DataFrame(
        held,
        schema={"person": pl.Int64, "practitioner": pl.Int64, "crn": pl.String, "tier": pl.String,
                "born": pl.Date},
        orient="row",
    )  # fmt: skip
    known_tiers = sorted({key.split("/")[2] for key in policy.case_points})
    age = pl.lit(on.year) - pl.col("born").dt.year() - (
        (pl.lit(on.month * 100 + on.day) < pl.col("born").dt.month().cast(pl.Int64) * 100 + pl.col("born").dt.day())
        .cast(pl.Int64)
    )
    return (
        person_rows.join(latest, on="person", how="inner")
        .filter(pl.col("case_type").is_not_null())
        .select(
            pl.col("practitioner"),
            pl.col("crn"),
            pl.when(pl.col("tier").is_in(known_tiers)).then(pl.col("tier")).otherwise(None).alias("tier"),
            pl.col("case_type"),
            age.is_between(T2A_AGES.start, T2A_AGES.stop - 1).fill_null(False).alias("t2a"),
            pl.lit(None, dtype=pl.String).alias("inactive"),
        )
        .cast(CASE_SCHEMA)  # type: ignore[arg-type]
    )


def practitioner_frame(*, staff: list[Staff], on: dt.date, policy: WorkloadPolicy) -> pl.DataFrame:
    """The practitioners as the workload rules read them (PRACTITIONER_SCHEMA), with the reductions active on
    ``on``."""
    practitioners = pl.DataFrame(
        {
            "practitioner": [s.pk for s in staff],
            "grade": [policy_grade(s) for s in staff],
            "contracted_hundredths": [int(s.contracted_hours * 100) for s in staff],
            "reduction_hundredths": [0] * len(staff),
        },
        schema=PRACTITIONER_SCHEMA,
    )
    active = WorkloadReduction.objects.filter(effective_from__lte=on).exclude(effective_to__lt=on)
    if len(staff) < EVERYONE:
        active = active.filter(staff_id__in=[s.pk for s in staff])
    reductions = pl.DataFrame(
        list(active.values_list("staff_id", "reason", "hours", "effective_from", "effective_to")),
        schema={"practitioner": pl.Int64, "reason": pl.String, "hours": pl.Decimal(5, 2),
                "effective_from": pl.Date, "effective_to": pl.Date},
        orient="row",
    )  # fmt: skip
    reductions = reductions.with_columns(hundredths=(pl.col("hours") * 100).cast(pl.Int64)).select(
        list(REDUCTION_SCHEMA)
    )
    return reduction_hundredths_frame(practitioners, reductions, on, policy=policy)


# Above this many practitioners the queries read every row rather than naming each one (a long IN list).
EVERYONE = 200


def workload_tables(
    *, staff: list[Staff], on: dt.date | None = None, policy: WorkloadPolicy | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(one row per member of staff from ``workload_frame``, their cases) on ``on`` (today)."""
    on = on or clock.today()
    policy = policy or workload_policy()
    ids = [s.pk for s in staff]
    practitioners = practitioner_frame(staff=staff, on=on, policy=policy)
    cases = case_frame(holders=ids if len(ids) < EVERYONE else None, on=on, policy=policy)
    if len(ids) >= EVERYONE:
        cases = cases.filter(pl.col("practitioner").is_in(ids))
    return workload_frame(practitioners, cases, policy=policy), cases


def _workload(s: Staff, r: dict[str, Any], by_type: dict[str, int]) -> Workload:
    graded = r["grade"] is not None and not r["invalid"]
    return Workload(
        staff=s,
        case_count=r["case_count"],
        total_points=r["total_points"] if graded else None,
        available_points=r["available_points"] if graded else None,
        capacity_percent=tenths_percent(r["capacity_tenths"]) if graded else None,
        remaining_points=r["remaining_points"] if graded else None,
        over_capacity=bool(r["over_capacity"]) if graded else False,
        reduction_hours=(Decimal(r["reduction_hundredths"]) / 100).quantize(Decimal("0.01")),
        by_type=by_type,
    )


def tenths_percent(tenths: int | None) -> Decimal | None:
    return None if tenths is None else (Decimal(tenths) / 10).quantize(Decimal("0.1"))


def type_counts(cases: pl.DataFrame) -> dict[int, dict[str, int]]:
    """Each practitioner's cases by type."""
    counts: dict[int, dict[str, int]] = {}
    for holder, case_type, n in cases.group_by("practitioner", "case_type").len().iter_rows():
        counts.setdefault(holder, dict.fromkeys(WORKLOAD_CASE_TYPES, 0))[case_type] = n
    return counts


def workloads(*, staff: list[Staff], on: dt.date | None = None) -> list[Workload]:
    """Each member of staff's workload on ``on`` (today), in the order given."""
    frame, cases = workload_tables(staff=staff, on=on)
    rows = {r["practitioner"]: r for r in frame.iter_rows(named=True)}
    counts = type_counts(cases)
    empty = dict.fromkeys(WORKLOAD_CASE_TYPES, 0)
    return [_workload(s, rows[s.pk], counts.get(s.pk, empty)) for s in staff]


def team_workloads(*, team: Team, on: dt.date | None = None) -> list[Workload]:
    """The workload of each practitioner in the team (the caller checks the actor may view the team)."""
    staff = list(Staff.objects.filter(team=team, role="practitioner").order_by("last_name", "first_name"))
    return workloads(staff=staff, on=on)


def staff_reductions(*, staff: Staff) -> QuerySet[WorkloadReduction]:
    return WorkloadReduction.objects.filter(staff=staff).select_related("recorded_by")


def reduction_in_team(*, team: Team, reduction_id: int) -> WorkloadReduction | None:
    """A reduction of a member of the team (None when there is none)."""
    return WorkloadReduction.objects.select_related("staff").filter(pk=reduction_id, staff__team=team).first()


# ---- weekly snapshots: the trend ----------------------------------------------------------------------------------

TREND_WEEKS = 12
CHART_TOP = 150  # the trend chart runs from 0 to 150%


@dataclass(frozen=True)
class StaffWeek:
    week: dt.date
    case_count: int
    total_points: int | None
    capacity_percent: Decimal | None
    over_capacity: bool


def staff_trend(*, staff: Staff, weeks: int = TREND_WEEKS) -> list[StaffWeek]:
    """A practitioner's last ``weeks`` weekly snapshots, newest first."""
    return [
        StaffWeek(s.week, s.case_count, s.total_points, tenths_percent(s.capacity_tenths), s.over_capacity)
        for s in WorkloadSnapshot.objects.filter(staff=staff).order_by("-week")[:weeks]
    ]


def week_capacities(*, staff: QuerySet[Staff], week: dt.date) -> list[Decimal | None] | None:
    """The capacity of each of ``staff`` in the week's snapshot (None for a practitioner with no workload grade), or
    None when the week's snapshot has not been taken yet. Practitioners not in it (joined since it was taken) are
    left out: the figures are as the week's snapshot stood. Two index reads (``workload_snapshot_week``)."""
    taken = WorkloadSnapshot.objects.filter(week=week)
    if not taken.exists():
        return None
    return [tenths_percent(t) for t in taken.filter(staff__in=staff).values_list("capacity_tenths", flat=True)]


@dataclass(frozen=True)
class TeamWeek:
    week: dt.date
    practitioners: int
    total_points: int
    available_points: int
    over_capacity: int  # practitioners over the threshold that week
    capacity_percent: Decimal | None  # the team's points over its available points
    x: int = 0  # the bar's place on the chart

    @property
    def bar(self) -> int:
        return min(CHART_TOP, round(self.capacity_percent or 0))

    @property
    def bar_y(self) -> int:
        return CHART_TOP - self.bar


def team_trend(*, team: Team, weeks: int = TREND_WEEKS) -> list[TeamWeek]:
    """The team's points by week from the snapshots (the practitioners in the team that week), oldest first: one
    query. Capacity is the team's total points over its available points, by the workload rules' rounding."""
    rows = (
        WorkloadSnapshot.objects.filter(team=team).values("week")
        .annotate(n=Count("pk"), points=Sum("total_points"), available=Sum("available_points"),
                  over=Count("pk", filter=Q(over_capacity=True)))
        .order_by("-week")[:weeks]
    )  # fmt: skip
    found = []
    for place, r in enumerate(reversed(list(rows))):
        points, available = r["points"] or 0, r["available"] or 0
        tenths = capacity_tenths(points, available)
        found.append(TeamWeek(r["week"], r["n"], points, available, r["over"],
                              tenths_percent(tenths) if available else None, x=place * 20 + 4))  # fmt: skip
    return found


def capacity_tenths(points: int, available: int) -> int:
    """Capacity in tenths of a percent by the workload rules' rounding (``rules.workload.formulas``): total over
    available half-up to 3 decimal places; 0 when either is 0."""
    if not points or not available:
        return 0
    return int(half_up_quotient(ops.SCALAR, points * 1000, available))


def team_case_mix(*, actor: Actor, team: Team) -> list[tuple[str, int]]:
    """The team's cases the actor may see, by tier (untiered last): a restricted case the actor may not see is not
    counted."""
    counts = dict(
        people_visible_to(actor).filter(team=team, practitioner__isnull=False).values_list("tier")
        .annotate(n=Count("pk"))
    )  # fmt: skip
    tiers = [(tier, counts.pop(tier)) for tier in ALL_TIERS if tier in counts]
    untiered = sum(counts.values())
    return tiers + ([("Untiered", untiered)] if untiered else [])


def team_overload_alerts(*, team: Team) -> QuerySet[OverloadAlert]:
    """The open sustained-overload alerts of the team's practitioners."""
    return OverloadAlert.objects.filter(staff__team=team, cleared_at__isnull=True).select_related("staff")


def notices_for(*, actor: Actor) -> QuerySet[StaffNotice]:
    """The actor's notices not yet cleared, newest first."""
    staff = staff_for(actor)
    if staff is None:
        return StaffNotice.objects.none()
    return StaffNotice.objects.filter(recipient=staff, cleared_at__isnull=True)
