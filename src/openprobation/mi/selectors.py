"""The management information figures (see the package docstring): each a small set-based query over the cases in
scope, grouped in the database.

- ``timescale_compliance``: for each kind of work item due in the period, how many were done on time, done late or
  are open past their due date, and the share done on time (items not yet due and cancelled items are not counted).
- ``safeguarding_outstanding``: police and children's-services enquiries still open, by age in working days.
- ``workload_distribution``: practitioners in scope by capacity band (``rules/workload``), and the median.
- ``risk_mix``: cases by RoSH level (the newest active RoSH registration) and by tier.
- ``enforcement_timeliness``: decisions on failures to comply and breaches: open, overdue, and the timescale
  compliance of their work items.
- ``signal_reviews``: warning-sign reviews open, overdue and the oldest.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.db import connections, transaction
from django.db.models import Count, F, Min, Q, QuerySet

from openprobation.core.errors import FieldError, ValidationFailed
from openprobation.enforcement.choices import DecisionStatus
from openprobation.enforcement.models import Breach, EnforcementDecision
from openprobation.organisation.choices import Role
from openprobation.organisation.models import Pdu, Region, Staff
from openprobation.organisation.roles import require_role
from openprobation.people.access import Actor, visible_case_condition
from openprobation.people.models import Person
from openprobation.risk import riskfacts
from openprobation.risk.models import RiskFacts
from openprobation.rules.calendar import england_and_wales
from openprobation.rules.registrations import rosh_codes
from openprobation.rules.workload.overload import week_of
from openprobation.safeguarding.choices import OPEN_CHECK_STATUSES, Agency
from openprobation.safeguarding.models import SafeguardingCheck
from openprobation.workitems.choices import WorkItemKind, WorkItemStatus
from openprobation.workitems.models import WorkItem
from openprobation.workload.selectors import week_capacities, workloads

MI_READERS = (Role.QUALITY_ASSURANCE, Role.SPO, Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR)
# Age bands of open safeguarding enquiries, in working days since the request: (label, from, to inclusive).
AGE_BANDS = (("0 to 5 working days", 0, 5), ("6 to 10", 6, 10), ("11 to 20", 11, 20), ("over 20", 21, None))
# Capacity bands (per cent of available points; the 110% line is the workload policy's over-capacity threshold).
CAPACITY_BANDS = (("under 80%", None, Decimal(80)), ("80% to 99.9%", Decimal(80), Decimal(100)),
                  ("100% to 110%", Decimal(100), Decimal("110.1")), ("over 110%", Decimal("110.1"), None))  # fmt: skip
ENFORCEMENT_KINDS = (WorkItemKind.ENFORCEMENT_DECISION, WorkItemKind.BREACH_TO_COURT, WorkItemKind.BREACH_REFERRAL)
SIGNAL_REVIEW = WorkItemKind.SIGNAL_REVIEW
ROSH_ORDER = ("very_high", "high", "medium", "low")
ROSH_LABELS = {"very_high": "Very high", "high": "High", "medium": "Medium", "low": "Low", "": "No RoSH registration"}
MAX_PERIOD_DAYS = 366 * 3


@dataclass(frozen=True)
class Scope:
    """The cases (and practitioners) a figure counts: the reader's visible cases in a region or PDU, or all."""

    label: str
    region: str | None
    pdu: str | None
    start: dt.date
    end: dt.date
    today: dt.date
    reader: Actor | None = field(repr=False, compare=False)
    staff: QuerySet[Staff] = field(repr=False, compare=False)

    def cases(self, via: str = "person") -> Q:
        """The cases in scope as a condition on a model pointing at them through ``via`` ("" for people)."""
        condition = visible_case_condition(self.reader, via)
        prefix = f"{via}__" if via else ""
        if self.pdu:
            condition &= Q(**{f"{prefix}team__pdu__code": self.pdu})
        elif self.region:
            condition &= Q(**{f"{prefix}team__pdu__region__code": self.region})
        return condition

    @property
    def people(self) -> QuerySet[Person]:
        return Person.objects.filter(self.cases(""))


def mi_scope(
    *,
    actor: Actor | None,
    region: str | None = None,
    pdu: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date,
) -> Scope:
    """The scope of the figures, checked: the reader may read MI, the codes exist, the period is a period."""
    reader = require_role(actor, *MI_READERS)
    region, pdu = ((v or "").replace("\x00", "").strip() or None for v in (region, pdu))
    end = end or today
    start = start or end - dt.timedelta(weeks=12)
    errors = []
    found_region = Region.objects.filter(code=region).first() if region else None
    found_pdu = Pdu.objects.select_related("region").filter(code=pdu).first() if pdu else None
    if region and found_region is None:
        errors.append(FieldError(("region",), f"No region with code {region!r}: choose a region from the list"))
    if pdu and found_pdu is None:
        errors.append(FieldError(("pdu",), f"No PDU with code {pdu!r}: choose a PDU from the list"))
    if found_pdu and found_region and found_pdu.region_id != found_region.pk:
        errors.append(FieldError(("pdu",), f"{found_pdu.name} is not in {found_region.name}: choose one or the other"))
    if start > end:
        errors.append(FieldError(("start",), "The start of the period must be on or before its end"))
    elif (end - start).days > MAX_PERIOD_DAYS:
        errors.append(FieldError(("start",), "Choose a period of at most three years"))
    if errors:
        raise ValidationFailed(errors)
    staff = Staff.objects.filter(role=Role.PRACTITIONER, team__isnull=False)
    if reader.role == Role.SPO:
        staff = staff.filter(team_id=reader.team_id) if reader.team_id else staff.none()
    elif reader.role == Role.HEAD_OF_SERVICE:
        staff = staff.filter(team__pdu_id=reader.team.pdu_id) if reader.team else staff.none()
    label = "The whole service"
    if found_region is not None:
        staff = staff.filter(team__pdu__region=found_region)
        label = found_region.name
    if found_pdu is not None:
        staff = staff.filter(team__pdu=found_pdu)
        label = found_pdu.name
    return Scope(label, region, pdu, start, end, today, actor, staff)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---- timescale compliance ----


@dataclass(frozen=True)
class KindCompliance:
    kind: str
    label: str
    on_time: int  # done on or before the due date
    late: int  # done after it
    overdue: int  # open, due date passed

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def percent_on_time(self) -> Decimal | None:
        return _percent(self.on_time, self.counted)


def _kind_label(kind: str) -> str:
    try:
        return str(WorkItemKind(kind).label)
    except ValueError:
        return kind.replace("_", " ").capitalize()


def _compliance(items: QuerySet[WorkItem], scope: Scope) -> list[KindCompliance]:
    done = Q(status=WorkItemStatus.DONE)
    query = (
        items.filter(scope.cases(), due_date__gte=scope.start, due_date__lte=scope.end)
        .exclude(status=WorkItemStatus.CANCELLED)
        .values("kind")
        .annotate(
            # Counting a column the index holds (``kind``, never null), not the id: the id is not in the index, and
            # reading it would mean reading the table.
            on_time=Count("kind", filter=done & Q(closed_on__lte=F("due_date"))),
            late=Count("kind", filter=done & Q(closed_on__gt=F("due_date"))),
            overdue=Count("kind", filter=Q(status=WorkItemStatus.OPEN, due_date__lt=scope.today)),
        )
        .order_by("kind")
    )
    with transaction.atomic(using=query.db):
        if connections[query.db].vendor == "postgresql":
            # The index work_item_due_counts holds every column this reads, so an index-only scan of the period
            # beats reading the table; PostgreSQL's default random_page_cost (4, for spinning disks) hides that
            # when the period is a fifth of the table. For this transaction only.
            with connections[query.db].cursor() as cursor:
                cursor.execute("SET LOCAL random_page_cost = 1.1")
        rows = list(query)
    found = [KindCompliance(r["kind"], _kind_label(r["kind"]), r["on_time"], r["late"], r["overdue"]) for r in rows]
    return sorted((k for k in found if k.counted), key=lambda k: k.label)


def timescale_compliance(scope: Scope) -> list[KindCompliance]:
    """Each kind of work item due in the period: done on time, done late, open past due; kinds with none left out."""
    return _compliance(WorkItem.objects.all(), scope)


# ---- safeguarding enquiries outstanding ----


@dataclass(frozen=True)
class AgencyOutstanding:
    agency: str
    label: str
    bands: tuple[tuple[str, int], ...]  # (age band label, open enquiries)
    past_due: int  # open after the date the agency's reply was due

    @property
    def total(self) -> int:
        return sum(n for _, n in self.bands)


def safeguarding_outstanding(scope: Scope) -> list[AgencyOutstanding]:
    """Open police and children's-services (and other) enquiries by working days since they were requested."""
    calendar = england_and_wales()
    # An enquiry requested on day d is calendar.working_days_between(d, today) working days old; the band edges
    # become request dates, so the database groups without reading each row.
    annotations = {}
    for n, (_, low, high) in enumerate(AGE_BANDS):
        newest = calendar.subtract_working_days(scope.today, low) if low else None
        oldest = calendar.subtract_working_days(scope.today, high + 1) if high is not None else None
        condition = Q()
        if newest is not None:
            condition &= Q(requested_on__lte=newest)
        if oldest is not None:
            condition &= Q(requested_on__gt=oldest)
        annotations[f"band{n}"] = Count("id", filter=condition)
    rows = {
        r["agency"]: r
        for r in SafeguardingCheck.objects.filter(scope.cases(), status__in=OPEN_CHECK_STATUSES)
        .values("agency")
        .annotate(**annotations, past_due=Count("id", filter=Q(due_by__lt=scope.today)))
        .order_by("agency")
    }
    result = []
    for agency in Agency:
        r = rows.get(agency.value, {})
        bands = tuple((label, int(r.get(f"band{n}", 0))) for n, (label, _, _) in enumerate(AGE_BANDS))
        result.append(AgencyOutstanding(agency.value, str(agency.label), bands, int(r.get("past_due", 0))))
    return result


# ---- workload ----


@dataclass(frozen=True)
class WorkloadDistribution:
    bands: tuple[tuple[str, int], ...]  # (capacity band, practitioners)
    practitioners: int
    not_measured: int  # no grade the workload rules know
    median_percent: Decimal | None
    week: dt.date | None = None  # the week of the snapshot read (None: worked out from the record today)


def workload_distribution(scope: Scope) -> WorkloadDistribution:
    """Practitioners in scope (the teams the reader may view) by capacity band, with the median capacity: as this
    week's workload snapshot stands (taken for every practitioner by the daily ``weekly_workload_snapshot`` job, the
    week's once), or, before it is taken, worked out from the record today (``workload.selectors.workloads``)."""
    week: dt.date | None = week_of(scope.today)
    found = week_capacities(staff=scope.staff, week=week_of(scope.today))
    if found is None:  # the week's snapshot not taken yet
        week = None
        found = [w.capacity_percent for w in workloads(staff=list(scope.staff.order_by("id")), on=scope.today)]
    measured = [c for c in found if c is not None]
    bands = []
    for label, low, high in CAPACITY_BANDS:
        bands.append((label, sum(1 for c in measured if (low is None or c >= low) and (high is None or c < high))))
    middle = Decimal(str(median(measured))).quantize(Decimal("0.1")) if measured else None
    return WorkloadDistribution(tuple(bands), len(found), len(found) - len(measured), middle, week)


# ---- RoSH and tier mix ----


@dataclass(frozen=True)
class RiskMix:
    rosh: tuple[tuple[str, int], ...]  # (RoSH level label, cases)
    tiers: tuple[tuple[str, int], ...]  # (tier, cases), untiered as "Not tiered"
    cases: int


def risk_mix(scope: Scope) -> RiskMix:
    """Cases in scope by RoSH level (their newest active RoSH registration, as ``rules.registrations.rosh_level``
    reads it) and by tier. The RoSH levels are counted from each case's ready-made risk facts (``risk.RiskFacts``,
    decision 0030: ``rosh_code`` is that registration's code, kept by the services that change it), after working
    out again any row kept under other policies (which codes are RoSH); a case with no row has no registration."""
    riskfacts.ensure_current()
    codes = rosh_codes()
    tiers = dict(scope.people.values("tier").annotate(n=Count("id")).values_list("tier", "n").order_by())
    cases = sum(tiers.values())
    levels: Counter[str] = Counter()
    registered = RiskFacts.objects.filter(scope.cases(), rosh_code__isnull=False)
    for code, n in registered.values("rosh_code").annotate(n=Count("person_id")).values_list("rosh_code", "n"):
        if code in codes:
            levels[codes[code]] += n
    levels[""] = cases - sum(levels.values())
    rosh = tuple((ROSH_LABELS[level], levels.get(level, 0)) for level in (*ROSH_ORDER, ""))
    tier_rows = (*((tier, n) for tier, n in sorted(tiers.items()) if tier), ("Not tiered", tiers.get("", 0)))
    return RiskMix(rosh, tier_rows, cases)


# ---- enforcement ----


@dataclass(frozen=True)
class EnforcementTimeliness:
    decisions_awaiting: int
    decisions_overdue: int  # awaiting, their work item past due
    breaches_in_progress: int
    compliance: list[KindCompliance]


def enforcement_timeliness(scope: Scope) -> EnforcementTimeliness:
    """Failures to comply awaiting a decision (and how many are late), breaches in progress, and the timescale
    compliance of the enforcement work items due in the period."""
    awaiting = EnforcementDecision.objects.filter(scope.cases(), status=DecisionStatus.AWAITING)
    overdue_items = WorkItem.objects.filter(
        scope.cases(),
        kind=WorkItemKind.ENFORCEMENT_DECISION,
        status=WorkItemStatus.OPEN,
        due_date__lt=scope.today,
    )
    return EnforcementTimeliness(
        decisions_awaiting=awaiting.count(),
        decisions_overdue=overdue_items.count(),
        breaches_in_progress=Breach.objects.filter(scope.cases(), ended_on__isnull=True).count(),
        compliance=_compliance(WorkItem.objects.filter(kind__in=ENFORCEMENT_KINDS), scope),
    )


# ---- warning-sign reviews ----


@dataclass(frozen=True)
class SignalReviews:
    open: int
    overdue: int
    oldest_due: dt.date | None


def signal_reviews(scope: Scope) -> SignalReviews:
    """Reviews of warning signs found in contact notes that are still open, how many are past due, the oldest."""
    items = WorkItem.objects.filter(scope.cases(), kind=SIGNAL_REVIEW, status=WorkItemStatus.OPEN)
    found = items.aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=scope.today)), oldest=Min("due_date")
    )
    return SignalReviews(found["open"], found["overdue"], found["oldest"])


# ---- the filter choices ----


def scope_choices(*, actor: Actor | None) -> dict[str, list[tuple[str, str]]]:
    """Regions and PDUs for the filter form: all of them for those who see every case, else the reader's own."""
    reader = require_role(actor, *MI_READERS)
    regions = Region.objects.order_by("name")
    pdus = Pdu.objects.select_related("region").order_by("name")
    if reader.role in (Role.SPO, Role.HEAD_OF_SERVICE):
        if reader.team is None:
            return {"regions": [], "pdus": []}
        pdus = pdus.filter(id=reader.team.pdu_id)
        regions = regions.filter(pdus__id=reader.team.pdu_id)
    return {"regions": [(r.code, r.name) for r in regions], "pdus": [(p.code, p.name) for p in pdus]}
