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
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from django.db.models import QuerySet

from openprobation.core import clock
from openprobation.organisation.models import Staff, Team
from openprobation.people.models import Person
from openprobation.rules.workload.batch import (
    CASE_SCHEMA,
    PRACTITIONER_SCHEMA,
    REDUCTION_SCHEMA,
    reduction_hundredths_frame,
    workload_frame,
)
from openprobation.rules.workload.policy import cell_key, workload_policy
from openprobation.sentences.models import Event
from openprobation.workload.models import WorkloadReduction

# The staff grade as the workload policy names it ("other" has none).
POLICY_GRADES = {"po": "PO", "pso": "PSO", "pqip": "PQiP", "spo": "SPO"}
CASE_TYPES = {
    "community_order": "community",
    "suspended_sentence_order": "community",
    "licence": "licence",
    "post_sentence_supervision": "licence",
    "custody": "custody",
}
T2A_AGES = range(18, 25)


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

    @property
    def capacity_bar(self) -> int:
        """The capacity as a bar's length on a chart that runs from 0 to 150%."""
        return min(150, round(self.capacity_percent or 0))


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def reductions_active(*, staff: Iterable[Staff], on: dt.date) -> QuerySet[WorkloadReduction]:
    ids = [s.pk for s in staff]
    return WorkloadReduction.objects.filter(staff_id__in=ids, effective_from__lte=on).exclude(effective_to__lt=on)


def workloads(*, staff: list[Staff], on: dt.date | None = None) -> list[Workload]:
    """Each member of staff's workload on ``on`` (today), in the order given."""
    on = on or clock.today()
    ids = [s.pk for s in staff]
    practitioners = pl.DataFrame(
        {
            "practitioner": ids,
            "grade": [POLICY_GRADES.get(s.grade) for s in staff],
            "contracted_hundredths": [int(s.contracted_hours * 100) for s in staff],
            "reduction_hundredths": [0] * len(ids),
        },
        schema=PRACTITIONER_SCHEMA,
    )
    reductions = pl.DataFrame(
        [
            (r.staff_id, r.reason, int(r.hours * 100), r.effective_from, r.effective_to)
            for r in reductions_active(staff=staff, on=on)
        ],
        schema=REDUCTION_SCHEMA,
        orient="row",
    )
    practitioners = reduction_hundredths_frame(practitioners, reductions, on)
    latest_type: dict[int, str] = {}
    for person_id, sentence_type in (
        Event.objects.filter(person__practitioner_id__in=ids, termination_date__isnull=True)
        .order_by("person_id", "-sentence_date", "-id")
        .values_list("person_id", "sentence_type")
    ):
        latest_type.setdefault(person_id, sentence_type)
    policy = workload_policy()
    rows = []
    for person_id, holder, crn, tier, born in Person.objects.filter(practitioner_id__in=ids).values_list(
        "pk", "practitioner_id", "crn", "tier", "date_of_birth"
    ):
        case_type = CASE_TYPES.get(latest_type.get(person_id, ""))
        if case_type is None:
            continue  # no active event: not a case on the caseload's workload
        tiered = tier if tier and cell_key("standard", case_type, tier) in policy.case_points else None
        rows.append((holder, crn, tiered, case_type, _age(born, on) in T2A_AGES if born else False, None))
    cases = pl.DataFrame(rows, schema=CASE_SCHEMA, orient="row")
    frame = {r["practitioner"]: r for r in workload_frame(practitioners, cases, policy=policy).iter_rows(named=True)}
    result = []
    for s in staff:
        r = frame[s.pk]
        graded = r["grade"] is not None and not r["invalid"]
        result.append(
            Workload(
                staff=s,
                case_count=r["case_count"],
                total_points=r["total_points"] if graded else None,
                available_points=r["available_points"] if graded else None,
                capacity_percent=(Decimal(r["capacity_tenths"]) / 10).quantize(Decimal("0.1")) if graded else None,
                remaining_points=r["remaining_points"] if graded else None,
                over_capacity=bool(r["over_capacity"]) if graded else False,
                reduction_hours=(Decimal(r["reduction_hundredths"]) / 100).quantize(Decimal("0.01")),
            )
        )
    return result


def team_workloads(*, team: Team, on: dt.date | None = None) -> list[Workload]:
    """The workload of each practitioner in the team (the caller checks the actor may view the team)."""
    staff = list(Staff.objects.filter(team=team, role="practitioner").order_by("last_name", "first_name"))
    return workloads(staff=staff, on=on)


def staff_reductions(*, staff: Staff) -> QuerySet[WorkloadReduction]:
    return WorkloadReduction.objects.filter(staff=staff).select_related("recorded_by")


def reduction_in_team(*, team: Team, reduction_id: int) -> WorkloadReduction | None:
    """A reduction of a member of the team (None when there is none)."""
    return WorkloadReduction.objects.select_related("staff").filter(pk=reduction_id, staff__team=team).first()
