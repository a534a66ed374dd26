"""``openprobation demo-data``: load a deterministic, believable demo service into an empty database.

What it builds is described in docs/how-to/demo-data.md. How it behaves:
- The whole load (and, with ``reset``, the deletion before it) is one transaction: a failure leaves the database
  as it was, never half a service.
- Running it again when demo data is there changes nothing and reports what is there; ``reset`` deletes the case
  data and the organisation the demo made, then loads afresh. Audit events are append-only and stay; accounts
  that the audit trail points at are kept, deactivated and renamed, so their names are free for the new build.
- Rows get their primary keys from the loader and go in by COPY (PostgreSQL) or batched inserts (SQLite); the
  sequences are moved past them afterwards so the application's own inserts do not collide.
- On PostgreSQL (decision 0015) the cases' COPYs run on a second thread while the next chunk is generated, the
  foreign keys are checked once at the end, and the tables nothing reads during the load get their indexes built
  once at the end; the rows are the same.
- Each case's work items are made with its record, by replaying it through the work-item rules
  (``demo.casework``), so they are the items live recording would have made.
- After the cases: risk-tool inputs (``demo.extras``), then ``risk.recompute`` stores the risk calculations and
  ``Person.tier`` (it audits each batch, ``risk.recomputed``, as it always does); last, the quality report's risk
  facts of every case (``risk.riskfacts.refresh_all``).
- Then quality audits and serious further offences, through the quality services (``demo.quality``), which audit
  their own actions as they always do; last, this week's workload snapshot of every practitioner, taken by the
  service the daily ``workload_snapshot`` job runs (``workload.services.workload_snapshot``).
- One audit event, ``demo.loaded``, records the load (not one per row).
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Q
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openprobation.contacts.models import Contact
from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.models import AuditEvent
from openprobation.core.sign_in import DEMO_PASSWORD  # usable only when OPENPROBATION_DEMO=true
from openprobation.demo import extras
from openprobation.demo import generate as gen
from openprobation.demo import quality as demo_quality
from openprobation.demo.bulk import (
    BulkWriter,
    TableSpec,
    delete_all,
    foreign_keys_checked_once,
    gather_statistics,
    indexes_built_once,
    next_id,
    reset_sequences,
    table_spec,
    with_dependents,
)
from openprobation.demo.plan import DEMO_SIGN_INS, OrgPlan, caseload_slots, organisation_plan
from openprobation.organisation.models import Pdu, Provider, Region, Staff, Team
from openprobation.people.models import Address, CaseAccess, Person, Relationship
from openprobation.quality.models import AuditCase, AuditJudgement, AuditRound, SeriousFurtherOffence, StandardRating
from openprobation.risk.models import (
    CriminalHistory,
    OasysAssessment,
    RecomputeMark,
    RecordedScore,
    Registration,
    RiskCalculation,
)
from openprobation.risk.recompute import recompute
from openprobation.risk.riskfacts import refresh_all
from openprobation.sentences.models import Allocation, Event, LicenceCondition, Requirement
from openprobation.warningsigns.models import SignalDisposition, SignalEvidence
from openprobation.workitems.models import ReportingChange, WorkItem
from openprobation.workload.services import workload_snapshot

PROVIDER_CODE = "PS"
PROVIDER_NAME = "Probation Service"
AUDIT_ACTION = "demo.loaded"
# Roles whose demo accounts can sign in with the demo password (practitioners and SPOs only via the fixed names).
SIGN_IN_ROLES = frozenset({"head_of_service", "quality_assurance", "administrator"})
ROLE_NAMES = {
    "administrator": "administrator",
    "spo": "senior probation officer",
    "practitioner": "practitioner",
    "quality_assurance": "quality assurance",
    "head_of_service": "head of service",
}

CASE_MODELS: dict[str, type[models.Model]] = {
    "person": Person,
    "address": Address,
    "relationship": Relationship,
    "case_access": CaseAccess,
    "event": Event,
    "requirement": Requirement,
    "licence_condition": LicenceCondition,
    "allocation": Allocation,
    "registration": Registration,
    "contact": Contact,
    "reporting_change": ReportingChange,
    "work_item": WorkItem,
    "signal_evidence": SignalEvidence,
    "signal_disposition": SignalDisposition,
}
CASE_FIELDS: dict[str, tuple[str, ...]] = {
    "person": gen.PERSON_FIELDS,
    "address": gen.ADDRESS_FIELDS,
    "relationship": gen.RELATIONSHIP_FIELDS,
    "case_access": gen.CASE_ACCESS_FIELDS,
    "event": gen.EVENT_FIELDS,
    "requirement": gen.REQUIREMENT_FIELDS,
    "licence_condition": gen.LICENCE_CONDITION_FIELDS,
    "allocation": gen.ALLOCATION_FIELDS,
    "registration": gen.REGISTRATION_FIELDS,
    "contact": gen.CONTACT_FIELDS,
    "reporting_change": gen.REPORTING_CHANGE_FIELDS,
    "work_item": gen.WORK_ITEM_FIELDS,
    "signal_evidence": gen.SIGNAL_EVIDENCE_FIELDS,
    "signal_disposition": gen.SIGNAL_DISPOSITION_FIELDS,
}
# Tables that nothing reads during the load except by primary key: their other indexes are built once at the end.
# (The risk calculation reads events, requirements, registrations, risk inputs and earlier calculations by case,
# and people by key; its tier update rewrites people rows, so fewer indexes there make that cheaper too.)
UNREAD_DURING_LOAD: tuple[type[models.Model], ...] = (
    Person, Address, Relationship, CaseAccess, LicenceCondition, Allocation, Contact, WorkItem, RecordedScore,
    SignalEvidence, SignalDisposition,
)  # fmt: skip
USER_FIELDS = (
    "id",
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
)
STAFF_FIELDS = ("id", "code", "first_name", "last_name", "grade", "role", "contracted_hours", "team_id", "user_id",
                "access_manager")
# The demo's access manager (restriction and exclusion lists): the head of service, as a local arrangement might be.
DEMO_ACCESS_MANAGER = "hos"


@dataclass(frozen=True)
class DemoOptions:
    people: int = 2500
    seed: int = 1
    reset: bool = False
    progress: bool = True
    # The demo's "today": contact history runs up to it and appointments are booked after it.
    as_of: dt.date | None = None
    # Processes making chunks of cases beside this one (0: made here, one after another). None: one per CPU, at most
    # three, when there is more than one chunk (decision 0037: making the chunks is the load's longest part, and
    # the database and this process need less than a CPU between them). The rows are the same either way.
    workers: int | None = None
    chunk_size: int = gen.CHUNK_SIZE


@dataclass(frozen=True)
class SignIn:
    username: str
    role: str
    name: str
    detail: str


@dataclass
class DemoResult:
    status: str  # "loaded", "exists" or "refused"
    message: str = ""
    people: int = 0
    seed: int | None = None
    as_of: dt.date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    sign_ins: list[SignIn] = field(default_factory=list)
    password: str | None = None
    seconds: float = 0.0
    # Seconds each step of a load took, in order (``_Steps``): where the time went.
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    def summary(self) -> str:
        """What the command prints: what is there, and how to sign in."""
        if self.status == "refused":
            return f"Demo data not loaded: {self.message}"
        c = self.counts
        if self.status == "loaded":
            rows = c.get("rows", 0)
            head = (
                f"Demo data loaded (seed {self.seed}, as of {self.as_of}) in {self.seconds:.1f} s: "
                f"{rows:,} rows, {rows / max(self.seconds, 1e-9):,.0f} rows/s."
            )
        else:
            head = (
                f"Demo data is already loaded (seed {self.seed}, as of {self.as_of}); nothing changed "
                "(--reset loads it again)."
            )
        lines = [
            head,
            f"  organisation: {c.get('regions', 0)} regions, {c.get('pdus', 0):,} PDUs, {c.get('teams', 0):,} teams, "
            f"{c.get('staff', 0):,} staff",
            f"  cases: {c.get('people', 0):,} people, {c.get('events', 0):,} events, "
            f"{c.get('contacts', 0):,} contacts, {c.get('registrations', 0):,} registrations, "
            f"{c.get('relationships', 0):,} relationships, {c.get('restricted', 0):,} restricted cases",
            f"  risk and work: {c.get('criminal_histories', 0):,} criminal histories, "
            f"{c.get('assessments', 0):,} OASys assessments, {c.get('calculations', 0):,} risk calculations, "
            f"{c.get('recorded_scores', 0):,} recorded scores, {c.get('work_items', 0):,} work items",
            f"  warning signs: {c.get('signal_notes', 0):,} notes with signals, "
            f"{c.get('signal_reviews', 0):,} signal reviews ({c.get('signal_reviews_open', 0):,} open)",
            f"  quality: {c.get('audit_rounds', 0):,} audit rounds, {c.get('cases_audited', 0):,} cases audited, "
            f"{c.get('serious_further_offences', 0):,} serious further offences",
        ]
        if self.steps:
            lines.append("  steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.steps.items()))
        if self.message:
            lines.append(f"  {self.message}")
        if self.sign_ins:
            if self.password:
                lines.append(f"Demo sign-ins, all with the password {self.password}:")
            else:
                lines.append(
                    "Demo sign-ins (no password: OPENPROBATION_DEMO is not true, so these accounts cannot "
                    "sign in; run with OPENPROBATION_DEMO=true and --reset to give them the demo password):"
                )
            lines.extend(
                f"  {s.username:<6} {s.role} ({s.name}{', ' + s.detail if s.detail else ''})" for s in self.sign_ins
            )
        return "\n".join(lines)


class _Progress:
    """A rich progress bar, or nothing when progress is off."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self._bar: Any = None
        self._task: Any = None

    @contextmanager
    def running(self) -> Iterator[_Progress]:
        if not self.enabled:
            yield self
            return
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
        ) as bar:
            self._bar = bar
            self._task = bar.add_task("Loading demo people", total=self.total)
            yield self

    def note(self, description: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=description)

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)


class _Steps:
    """Times the steps of a load one after another (each ``start`` ends the step before) and shows each on the
    progress bar."""

    def __init__(self, progress: _Progress) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def start(self, name: str, description: str) -> None:
        self.end()
        self.progress.note(description)
        self._current = (name, time.perf_counter())

    def end(self) -> None:
        if self._current is not None:
            name, began = self._current
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - began
            self._current = None


def _demo_marker() -> tuple[Provider, AuditEvent] | None:
    """The demo's provider and the audit event of the load that made it, if this database holds a demo build."""
    provider = Provider.objects.filter(code=PROVIDER_CODE).first()
    if provider is None:
        return None
    event = (
        AuditEvent.objects.filter(action=AUDIT_ACTION, entity="provider", entity_id=str(provider.pk))
        .order_by("-at", "-id")
        .first()
    )
    return (provider, event) if event is not None else None


def _sign_ins_from_db() -> list[SignIn]:
    staff = (
        Staff.objects.select_related("team", "user").filter(user__username__in=DEMO_SIGN_INS).order_by("user__username")
    )
    order = {name: i for i, name in enumerate(DEMO_SIGN_INS)}
    rows = [
        SignIn(
            username=s.user.username if s.user else "",
            role=ROLE_NAMES.get(s.role, s.role),
            name=s.name,
            detail=s.team.name if s.team else "",
        )
        for s in staff
    ]
    return sorted(rows, key=lambda s: order.get(s.username, 99))


def _counts_from_db() -> dict[str, int]:
    return {
        "regions": Region.objects.filter(provider__code=PROVIDER_CODE).count(),
        "pdus": Pdu.objects.filter(region__provider__code=PROVIDER_CODE).count(),
        "teams": Team.objects.filter(pdu__region__provider__code=PROVIDER_CODE).count(),
        "staff": Staff.objects.count(),
        "people": Person.objects.count(),
        "events": Event.objects.count(),
        "contacts": Contact.objects.count(),
        "registrations": Registration.objects.count(),
        "relationships": Relationship.objects.count(),
        "restricted": CaseAccess.objects.values("person_id").distinct().count(),
        "criminal_histories": CriminalHistory.objects.count(),
        "assessments": OasysAssessment.objects.count(),
        "work_items": WorkItem.objects.count(),
        **_signal_counts(),
        "recorded_scores": RecordedScore.objects.count(),
        "audit_rounds": AuditRound.objects.count(),
        "cases_audited": AuditCase.objects.filter(status="audited").count(),
        "serious_further_offences": SeriousFurtherOffence.objects.count(),
        "calculations": RiskCalculation.objects.count(),
    }


def _signal_counts() -> dict[str, int]:
    reviews = WorkItem.objects.filter(kind="signal_review")
    return {
        "signal_notes": SignalEvidence.objects.values("contact_id").distinct().count(),
        "signal_reviews": reviews.count(),
        "signal_reviews_open": reviews.filter(status="open").count(),
    }


def _password_in_db() -> bool:
    user = get_user_model().objects.filter(username="po").first()
    return bool(user and user.has_usable_password())


def _delete_existing(marker: tuple[Provider, AuditEvent] | None) -> None:
    """Delete every case, and the organisation, staff and accounts a previous demo build made."""
    delete_all(
        [
            SignalDisposition,  # it protects the work items and contacts it links to
            AuditJudgement,
            AuditCase,
            StandardRating,
            AuditRound,
            SeriousFurtherOffence,
            Contact,
            Allocation,
            Requirement,
            LicenceCondition,
            Registration,
            CaseAccess,
            Relationship,
            Address,
            Event,
            Person,
        ]
    )
    if marker is None:
        return
    provider, event = marker
    hq_codes = (event.after or {}).get("hq_staff", [])
    staff = Staff.objects.filter(Q(team__pdu__region__provider=provider) | Q(code__in=hq_codes))
    user_ids = set(staff.exclude(user__isnull=True).values_list("user_id", flat=True))
    staff.delete()
    User = get_user_model()
    # The audit trail must keep pointing at the accounts that acted: keep those, but retire them.
    audited = set(AuditEvent.objects.filter(actor_id__in=user_ids).values_list("actor_id", flat=True).distinct())
    for user in User.objects.filter(pk__in=audited):
        user.username = f"{user.get_username()}.retired.{user.pk}"[:150]
        user.is_active = False
        user.set_unusable_password()
        user.save()
    User.objects.filter(pk__in=user_ids - audited).delete()
    Team.objects.filter(pdu__region__provider=provider).delete()
    Pdu.objects.filter(region__provider=provider).delete()
    Region.objects.filter(provider=provider).delete()
    provider.delete()


def _clash(plan: OrgPlan) -> str | None:
    """A reason the organisation cannot be created: codes already used by an organisation the demo did not make."""
    if Provider.objects.filter(code=PROVIDER_CODE).exists():
        return f"a provider with code {PROVIDER_CODE} exists that the demo did not create"
    region_codes = [r.code for r in plan.regions]
    taken = list(Region.objects.filter(code__in=region_codes).values_list("code", flat=True)[:3])
    taken += list(Team.objects.filter(code__in=[t.code for t in plan.teams]).values_list("code", flat=True)[:3])
    taken += list(Staff.objects.filter(code__in=[s.code for s in plan.staff]).values_list("code", flat=True)[:3])
    if taken:
        return f"organisation codes the demo uses are taken: {', '.join(taken)}"
    return None


def demo_load(options: DemoOptions) -> DemoResult:
    """Load the demo service (or report the one already there). See the module docstring for the rules."""
    started = time.perf_counter()
    as_of = options.as_of or clock.today()
    with transaction.atomic():
        marker = _demo_marker()
        if marker is not None and not options.reset:
            after = marker[1].after or {}
            return DemoResult(
                status="exists",
                people=after.get("people", 0),
                seed=after.get("seed"),
                as_of=dt.date.fromisoformat(after["as_of"]) if after.get("as_of") else None,
                counts=_counts_from_db(),
                sign_ins=_sign_ins_from_db(),
                password=DEMO_PASSWORD if settings.DEMO_MODE and _password_in_db() else None,
                seconds=time.perf_counter() - started,
            )
        if not options.reset and Person.objects.exists():
            return DemoResult(
                status="refused",
                message=(
                    "the database already holds case records that the demo did not create. Demo data is for an empty "
                    "service; --reset deletes every case first."
                ),
            )
        if options.reset:
            _delete_existing(marker)
        User = get_user_model()
        plan = organisation_plan(
            people=options.people, seed=options.seed, taken_usernames=User.objects.values_list("username", flat=True)
        )
        problem = _clash(plan)
        if problem:
            transaction.set_rollback(True)
            return DemoResult(status="refused", message=problem)
        result = _load(plan, options, as_of)
    result.seconds = time.perf_counter() - started
    return result


def _workers(options: DemoOptions) -> int:
    if options.workers is not None:
        return max(0, options.workers)
    if options.people <= options.chunk_size:
        return 0
    return min(3, os.cpu_count() or 1)


def _chunks(generator_settings: dict[str, object], options: DemoOptions) -> Iterator[tuple[int, gen.Chunk]]:
    """Each chunk of cases in order, with how many people it holds. With workers, the next chunks are being made in
    other processes while this one is written (a few at a time, so memory stays bounded); the rows are the same."""
    size = options.chunk_size
    spans = [(start, min(start + size, options.people)) for start in range(0, options.people, size)]
    workers = _workers(options)
    if workers == 0:
        generator = gen.CaseGenerator(**generator_settings)  # type: ignore[arg-type]
        for start, stop in spans:
            yield stop - start, generator.chunk(start, stop)
        return
    # "spawn": the workers start clean (no copy of this process's database connection or threads), import only the
    # pure generator, and build it once from the settings.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=gen.start_worker,
                             initargs=(generator_settings,)) as pool:  # fmt: skip
        waiting: deque[tuple[int, Future[gen.Chunk]]] = deque()
        pending = iter(spans)
        for start, stop in itertools.islice(pending, workers + 1):
            waiting.append((stop - start, pool.submit(gen.worker_chunk, start, stop)))
        while waiting:
            people, future = waiting.popleft()
            chunk = future.result()
            for start, stop in itertools.islice(pending, 1):
                waiting.append((stop - start, pool.submit(gen.worker_chunk, start, stop)))
            yield people, chunk


def _load(plan: OrgPlan, options: DemoOptions, as_of: dt.date) -> DemoResult:
    writer = BulkWriter()
    suffix = writer.datetime_suffix
    User = get_user_model()
    ids = {model: next_id(model) for model in (Provider, Region, Pdu, Team, Staff, User)}
    counts: Counter[str] = Counter()

    def write(model: type[models.Model], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        writer.write(table_spec(model, fields), rows)

    provider_id = ids[Provider]
    write(Provider, ("id", "code", "name"), [(provider_id, PROVIDER_CODE, PROVIDER_NAME)])
    region_ids = [ids[Region] + i for i in range(len(plan.regions))]
    write(
        Region,
        ("id", "provider_id", "code", "name"),
        [(region_ids[i], provider_id, r.code, r.name) for i, r in enumerate(plan.regions)],
    )
    pdu_ids = [ids[Pdu] + i for i in range(len(plan.pdus))]
    write(
        Pdu,
        ("id", "region_id", "code", "name"),
        [(pdu_ids[i], region_ids[p.region], p.code, p.name) for i, p in enumerate(plan.pdus)],
    )
    team_ids = [ids[Team] + i for i in range(len(plan.teams))]
    write(
        Team,
        ("id", "pdu_id", "code", "name"),
        [(team_ids[i], pdu_ids[t.pdu], t.code, t.name) for i, t in enumerate(plan.teams)],
    )

    # Accounts: hash the one demo password once (argon2 is slow by design) and share the hash.
    demo_hash = make_password(DEMO_PASSWORD) if settings.DEMO_MODE else None
    joined = f"{as_of.isoformat()} 08:00:00{suffix}"
    staff_ids = [ids[Staff] + i for i in range(len(plan.staff))]
    user_ids = [ids[User] + i for i in range(len(plan.staff))]
    user_rows, staff_rows = [], []
    sign_ins: list[SignIn] = []
    for i, s in enumerate(plan.staff):
        can_sign_in = s.username == s.sign_in or s.role in SIGN_IN_ROLES
        password = demo_hash if demo_hash and can_sign_in else make_password(None)
        admin = s.role == "administrator"
        user_rows.append(
            (user_ids[i], password, None, admin, s.username, s.first_name, s.last_name, "", admin, True, joined)
        )
        staff_rows.append(
            (
                staff_ids[i],
                s.code,
                s.first_name,
                s.last_name,
                s.grade,
                s.role,
                str(s.contracted_hours),
                team_ids[s.team] if s.team is not None else None,
                user_ids[i],
                s.sign_in == DEMO_ACCESS_MANAGER and s.username == s.sign_in,
            )
        )
        if s.sign_in and s.username == s.sign_in:
            sign_ins.append(
                SignIn(
                    username=s.username,
                    role=ROLE_NAMES[s.role],
                    name=f"{s.first_name} {s.last_name}",
                    detail=plan.teams[s.team].name if s.team is not None else "",
                )
            )
    write(User, USER_FIELDS, user_rows)
    write(Staff, STAFF_FIELDS, staff_rows)

    # Cases, a chunk of people at a time.
    specs: dict[str, TableSpec] = {k: table_spec(CASE_MODELS[k], CASE_FIELDS[k]) for k in gen.TABLES}
    generator_settings: dict[str, object] = {
        "plan": plan,
        "slots": caseload_slots(plan, options.seed),
        "seed": options.seed,
        "as_of": as_of,
        "datetime_suffix": suffix,
        "staff_ids": staff_ids,
        "team_ids": team_ids,
        "first_ids": {k: next_id(CASE_MODELS[k]) for k in gen.TABLES},
        "timescale_preset": settings.TIMESCALE_PRESET,
        "chunk_size": options.chunk_size,
    }
    progress = _Progress(options.progress, options.people)
    steps = _Steps(progress)
    with progress.running():
        steps.start("keys and indexes dropped", "Dropping keys and indexes to build once")
        # Every table the load writes has its foreign keys checked once, at the end (the cases, and what hangs off
        # them: risk inputs, work items, calculations, recorded scores), not row by row at commit.
        with (
            foreign_keys_checked_once(with_dependents(list(CASE_MODELS.values()))),
            indexes_built_once(UNREAD_DURING_LOAD),
        ):
            steps.start("cases", "Loading demo people")
            # The database stores each chunk while the next is made (a second thread runs the COPYs).
            with writer.in_background():
                for people, chunk in _chunks(generator_settings, options):
                    for key in gen.TABLES:
                        rows = chunk.rows.get(key, [])
                        writer.write(specs[key], rows)
                        counts[key] += len(rows)
                    counts["restricted"] += chunk.restricted
                    progress.advance(people)
                    del chunk
            steps.start("sequences", "Finishing cases (sequences)")
            reset_sequences([Provider, Region, Pdu, Team, Staff, User, *CASE_MODELS.values()])
            # The parts of the record that hang off the cases: risk-tool inputs, work items, then the risk scores.
            steps.start("risk inputs", "Risk-tool inputs (criminal histories, OASys)")
            counts["criminal_history"], counts["assessment"] = extras.seed_risk_inputs(options.seed, as_of, writer)
            # The planner's statistics of everything loaded so far, for the recompute's reads and what follows.
            steps.start("statistics", "Table statistics for the database's planner")
            gather_statistics()
            steps.start("recompute", "Recalculating risk scores and tiers")
            # The risk facts of every case are worked out once, below (refresh_all), not batch by batch as well.
            recomputed = recompute(as_of=as_of, refresh_facts=False)
            counts["calculation"] = recomputed.written
            steps.start("recorded scores", "Recorded scores (an earlier system's RSR and tier)")
            counts["recorded_score"] = extras.seed_recorded_scores(options.seed, as_of, writer)
            steps.start("statistics", "Table statistics for the database's planner")
            gather_statistics([RiskCalculation, RecomputeMark, RecordedScore])
            steps.start("indexes and keys", "Building indexes and checking keys")
        steps.start("risk facts", "Risk facts for the quality report")
        refresh_all()  # one set-based pass over the cases loaded (risk.riskfacts, decision 0030)
        # Quality audits read each sampled case's record by case: after the indexes are built (decision 0026).
        steps.start("quality audits", "Quality audits and serious further offences (through the services)")
        quality_counts = demo_quality.seed_quality(options.seed, as_of)
        # The week's workload snapshot, as the daily job takes it, so the workload figures and trends read it.
        steps.start("workload snapshot", "This week's workload snapshot (the weekly job's service)")
        snapshot = workload_snapshot(on=as_of)
        steps.start("audit", "Finishing (audit)")

    order = {name: i for i, name in enumerate(DEMO_SIGN_INS)}
    sign_ins.sort(key=lambda s: order[s.username])
    totals = {
        "regions": len(plan.regions),
        "pdus": len(plan.pdus),
        "teams": len(plan.teams),
        "staff": len(plan.staff),
        "people": counts["person"],
        "events": counts["event"],
        "contacts": counts["contact"],
        "registrations": counts["registration"],
        "relationships": counts["relationship"],
        "restricted": counts["restricted"],
        "criminal_histories": counts["criminal_history"],
        "assessments": counts["assessment"],
        "work_items": counts["work_item"],
        **_signal_counts(),
        "calculations": counts["calculation"],
        "recorded_scores": counts["recorded_score"],
        "audit_rounds": quality_counts.get("rounds", 0),
        "cases_audited": quality_counts.get("cases_audited", 0),
        "serious_further_offences": quality_counts.get("sfos", 0),
        "workload_snapshots": snapshot.taken,
        "rows": writer.rows_written + counts["calculation"],
    }
    audit_record(
        actor=None,
        action=AUDIT_ACTION,
        entity="provider",
        entity_id=provider_id,
        after={
            "people": options.people,
            "seed": options.seed,
            "as_of": as_of.isoformat(),
            "demo_mode": settings.DEMO_MODE,
            "counts": totals,
            "hq_staff": [s.code for s in plan.staff if s.team is None],
        },
    )
    steps.end()
    return DemoResult(
        status="loaded",
        people=options.people,
        seed=options.seed,
        as_of=as_of,
        counts=totals,
        sign_ins=sign_ins,
        password=DEMO_PASSWORD if demo_hash else None,
        steps=steps.seconds,
    )
