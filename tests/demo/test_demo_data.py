"""The demo caseload: sized right, deterministic, internally consistent, safe to run again."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db.models import Count, F, Q

from openprobation import cli
from openprobation.contacts.models import Contact
from openprobation.core.audit import audit_record
from openprobation.core.models import AuditEvent
from openprobation.demo.generate import KeyRangeExceeded, Keys
from openprobation.demo.loader import CASE_MODELS, DEMO_PASSWORD, DemoOptions, demo_load
from openprobation.demo.plan import MAX_CASELOAD, MIN_CASELOAD, TEAM_MAX, TEAM_MIN, organisation_plan
from openprobation.organisation.models import Region, Staff, Team
from openprobation.people.models import CaseAccess, Person
from openprobation.risk.models import CriminalHistory, OasysAssessment, RecordedScore, Registration, RiskCalculation
from openprobation.rules.offences import offence_code_problem
from openprobation.rules.registrations import registration_type
from openprobation.rules.workload.overload import week_of
from openprobation.sentences.models import Allocation, Event
from openprobation.workitems.models import WorkItem
from openprobation.workload.models import WorkloadSnapshot
from openprobation.workload.selectors import workloads
from openprobation.workload.services import workload_snapshot

AS_OF = dt.date(2026, 11, 24)
QUALITY_ACTIONS = ("audit_round.created", "audit_round.sample_drawn", "audit_case.recorded", "standard.rated",
                   "rating.overridden", "sfo.notified", "sfo.review_recorded", "case.viewed")  # fmt: skip
SERVICE_ACTIONS = ("risk.recomputed", *QUALITY_ACTIONS, "workload.snapshot_taken")
PEOPLE = 300


def load(people: int = PEOPLE, seed: int = 1, reset: bool = False):
    return demo_load(DemoOptions(people=people, seed=seed, reset=reset, progress=False, as_of=AS_OF))


def snapshot() -> list[tuple[object, ...]]:
    """Every person's identity and the size of their record, in CRN order."""
    return list(
        Person.objects.annotate(contacts_n=Count("contacts", distinct=True), events_n=Count("events", distinct=True))
        .order_by("crn")
        .values_list(
            "crn", "first_name", "last_name", "date_of_birth", "tier", "practitioner__code", "contacts_n", "events_n"
        )
    ) + [
        (model.__name__, model.objects.count())
        for model in (CriminalHistory, OasysAssessment, WorkItem, RiskCalculation)
    ] + sorted(RecordedScore.objects.values_list("person__crn", "kind", "value", "effective_date"))


# -- sizing (no database) -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("people", [300, 1_000, 2_500, 7_777, 25_000, 100_000, 250_000])
@pytest.mark.parametrize("seed", [1, 2])
def test_plan_gives_every_practitioner_30_to_80_cases_in_teams_of_6_to_10(people, seed):
    """Teams scale with N so caseloads stay within 30-80, the range inspection reports call manageable to heavy."""
    plan = organisation_plan(people=people, seed=seed)
    assert sum(plan.caseloads) == people
    assert all(MIN_CASELOAD <= c <= MAX_CASELOAD for c in plan.caseloads)
    team_sizes = Counter(plan.staff[i].team for i in plan.practitioners)
    assert len(team_sizes) == len(plan.teams)
    assert all(TEAM_MIN <= n <= TEAM_MAX for n in team_sizes.values())
    spos = Counter(s.team for s in plan.staff if s.role == "spo")
    assert spos == Counter(range(len(plan.teams)))
    heads = Counter(plan.teams[s.team].pdu for s in plan.staff if s.role == "head_of_service" and s.team is not None)
    assert heads == Counter(range(len(plan.pdus)))
    assert [r.name for r in plan.regions][:1] == ["London"] and len(plan.regions) == 12
    po_index = next(i for i, s in enumerate(plan.staff) if s.sign_in == "po")
    assert 40 <= plan.caseloads[plan.practitioners.index(po_index)] <= 60


def test_plan_usernames_are_unique_and_avoid_taken_names():
    plan = organisation_plan(people=5_000, seed=1, taken_usernames=["po", "sarah.smith"])
    names = [s.username for s in plan.staff]
    assert len(names) == len(set(names))
    assert "sarah.smith" not in names and "po" not in names
    assert {"admin", "spo", "pso", "qa"} <= set(names)


def test_plan_grades_hours_and_roles():
    plan = organisation_plan(people=20_000, seed=1)
    grades = Counter(plan.staff[i].grade for i in plan.practitioners)
    assert set(grades) == {"po", "pso", "pqip"} and grades["po"] > grades["pso"] > grades["pqip"]
    hours = Counter(plan.staff[i].contracted_hours for i in plan.practitioners)
    assert hours.most_common(1)[0][0] == 37 and len(hours) > 1
    roles = Counter(s.role for s in plan.staff)
    assert roles["administrator"] >= 1 and roles["quality_assurance"] >= 1


# -- loading --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_recorded_rsr_and_tier_mostly_agree_with_the_calculation_with_a_few_mistakes_for_qa_to_find():
    from decimal import Decimal

    from openprobation.people.access import people_visible_to
    from openprobation.risk.quality import risk_disagreement_counts

    result = load(people=1_000)
    calculated = {
        (person_id, tool): (score, tier)
        for person_id, tool, score, tier in RiskCalculation.objects.filter(status="calculated")
        .order_by("person_id", "tool", "id")
        .values_list("person_id", "tool", "score", "tier")
    }  # the newest per case and tool wins (ordered by id)
    assert RecordedScore.objects.count() == result.counts["recorded_scores"]
    qa = get_user_model().objects.get(username="qa")
    visible = set(people_visible_to(qa).values_list("pk", flat=True))  # restricted cases are hidden from QA too
    recorded = [r for r in RecordedScore.objects.values_list("person_id", "kind", "value", "source") if r[0] in visible]
    rsr = [(calculated[(p, "rsr")][0], Decimal(v)) for p, k, v, _ in recorded if k == "rsr"]
    tier = [(calculated[(p, "tier")][1], v) for p, k, v, _ in recorded if k == "tier"]
    rsr_cases = sum(1 for (p, t) in calculated if t == "rsr" and p in visible)
    assert 0.5 * rsr_cases < len(rsr) < 0.7 * rsr_cases  # about 60% recorded
    wrong_rsr = sum(1 for calc, rec in rsr if abs(calc - rec) >= Decimal("0.01"))
    wrong_tier = sum(1 for calc, rec in tier if calc != rec)
    assert 0.03 * len(rsr) < wrong_rsr < 0.15 * len(rsr)  # about 8% entered wrongly
    assert 0.02 * len(tier) < wrong_tier < 0.10 * len(tier)  # about 5%
    assert {source for *_, source in recorded} == {"Previous case system import"}
    total = risk_disagreement_counts(actor=qa).total
    assert (total.rsr, total.tier) == (wrong_rsr, wrong_tier)  # the report finds every one of them


@pytest.mark.django_db
def test_same_seed_gives_identical_data_and_another_seed_differs():
    first = load(seed=7)
    assert first.status == "loaded"
    before = snapshot()
    again = load(seed=7, reset=True)
    assert again.status == "loaded"
    assert snapshot() == before
    assert again.counts == first.counts
    load(seed=8, reset=True)
    other = snapshot()
    assert [r[0] for r in other] != [r[0] for r in before]
    assert [r[1:3] for r in other] != [r[1:3] for r in before]


def _every_row() -> dict[str, list[tuple[object, ...]]]:
    """Every case table's rows, ids included, in id order."""
    return {name: list(model.objects.order_by("pk").values_list()) for name, model in CASE_MODELS.items()}


@pytest.mark.django_db
def test_chunks_made_in_worker_processes_give_the_same_rows_as_made_here():
    """The chunks (each with its own key range) are the same whichever process makes them, in whatever order."""
    options = {"people": 250, "seed": 5, "progress": False, "as_of": AS_OF, "chunk_size": 100}
    assert demo_load(DemoOptions(**options, workers=0)).status == "loaded"
    here = _every_row()
    assert demo_load(DemoOptions(**options, workers=2, reset=True)).status == "loaded"
    assert _every_row() == here
    assert len(here["person"]) == 250 and len(here["work_item"]) > 250


def test_a_chunk_that_outgrows_its_key_range_is_refused():
    keys = Keys.for_chunk({"contact": 1}, start=200, chunk_size=100)  # the third chunk: 60 contact keys a person
    assert keys("contact") == 1 + 2 * 100 * 60
    for _ in range(100 * 60 - 1):
        keys("contact")
    with pytest.raises(KeyRangeExceeded):
        keys("contact")


@pytest.mark.django_db
def test_case_records_are_consistent():
    result = load()
    assert result.counts["people"] == Person.objects.count() == PEOPLE
    crn = re.compile(r"^[A-Z][0-9]{6}$")
    assert all(crn.match(c) for c in Person.objects.values_list("crn", flat=True))
    assert not [c for c in Event.objects.values_list("offence_code", flat=True).distinct() if offence_code_problem(c)]
    assert not Event.objects.filter(sentence_date__lt=F("conviction_date")).exists()
    assert not Event.objects.filter(
        Q(sentence_type__in=["licence", "custody", "post_sentence_supervision"]), release_date__isnull=True
    ).exists()
    active = Event.objects.filter(termination_date__isnull=True)
    assert active.count() == PEOPLE  # one current event each
    assert not active.filter(expected_end_date__lte=AS_OF).exists()
    for person in Person.objects.select_related("team", "practitioner"):
        open_rows = list(Allocation.objects.filter(event__person=person, end_date__isnull=True))
        current = [a for a in open_rows if a.event.termination_date is None]
        assert len(current) == 1 and len(open_rows) == 1, person.crn
        assert (current[0].team_id, current[0].practitioner_id) == (person.team_id, person.practitioner_id)
        assert person.practitioner.team_id == person.team_id
    assert all(registration_type(code) for code in Registration.objects.values_list("code", flat=True).distinct())
    mappa = Registration.objects.filter(code="MAPP")
    assert not mappa.exclude(level__in=["M1", "M2", "M3"]).exists()
    assert not mappa.exclude(category__in=["M1", "M2", "M3", "M4"]).exists()
    rosh = Registration.objects.filter(code__in=["RLRH", "RMRH", "RHRH", "RVHR"], end_date__isnull=True)
    assert rosh.count() == PEOPLE


@pytest.mark.django_db
def test_contact_history_runs_a_year_back_with_booked_appointments_ahead():
    load()
    now = dt.datetime.combine(AS_OF, dt.time(), tzinfo=dt.UTC)
    contacts = Contact.objects.all()
    per_person = contacts.count() / PEOPLE
    assert 8 <= per_person <= 25
    assert not contacts.filter(date__lt=now - dt.timedelta(days=367)).exists()
    future = contacts.filter(date__gte=now)
    assert not future.exclude(outcome="").exists()
    assert future.values("person_id").distinct().count() == PEOPLE
    past_appointments = contacts.filter(date__lt=now, type__in=["office_appointment", "home_visit", "telephone"])
    assert not past_appointments.filter(outcome="").exists()
    outcomes = Counter(past_appointments.values_list("outcome", flat=True))
    failed = outcomes["failed_to_attend_acceptable"] + outcomes["failed_to_attend_unacceptable"]
    assert 0.04 < failed / sum(outcomes.values()) < 0.2


@pytest.mark.django_db
def test_cases_have_risk_inputs_scores_and_work_items():
    """Case pages show risk scores and "What's due" is not empty: the demo fills the inputs and recomputes."""
    result = load()
    histories = CriminalHistory.objects.count()
    assert histories == result.counts["criminal_histories"] == PEOPLE  # every person has an open case
    assert Person.objects.filter(practitioner__user__username="po", criminal_history__isnull=False).exists()
    assert 0.5 * PEOPLE < OasysAssessment.objects.count() < 0.9 * PEOPLE
    assert RiskCalculation.objects.count() == result.counts["calculations"] > 0
    with_tier = RiskCalculation.objects.filter(tier__isnull=False).exclude(tier="")
    assert with_tier.values("person_id").distinct().count() > PEOPLE // 2
    assert Person.objects.exclude(tier="").exclude(tier__isnull=True).count() > PEOPLE // 2
    assert WorkItem.objects.count() == result.counts["work_items"]
    po_open = WorkItem.objects.filter(owner__user__username="po", status="open")
    assert po_open.exists()
    assert WorkItem.objects.filter(status="done").exists()
    assert "criminal histories" in result.summary()


@pytest.mark.django_db
def test_the_summary_says_how_long_each_step_took():
    result = load()
    assert list(result.steps) == [
        "keys and indexes dropped", "cases", "sequences", "risk inputs", "statistics", "recompute", "recorded scores",
        "indexes and keys", "risk facts", "quality audits", "workload snapshot", "audit",
    ]  # fmt: skip
    assert all(seconds >= 0 for seconds in result.steps.values())
    assert sum(result.steps.values()) <= result.seconds
    assert "  steps: keys and indexes dropped " in result.summary()
    assert "steps:" not in load().summary()  # already loaded: nothing was timed


@pytest.mark.django_db
def test_demo_sign_ins_have_the_right_roles():
    load()
    staff = {
        s.user.username: s
        for s in Staff.objects.select_related("user", "team").filter(
            user__username__in=["admin", "spo", "po", "pso", "qa", "hos"]
        )
    }
    assert staff["admin"].role == "administrator" and staff["admin"].user.is_superuser
    assert staff["qa"].role == "quality_assurance"
    assert staff["spo"].role == "spo" and staff["spo"].grade == "spo"
    assert (staff["po"].role, staff["po"].grade) == ("practitioner", "po")
    assert (staff["pso"].role, staff["pso"].grade) == ("practitioner", "pso")
    assert staff["hos"].role == "head_of_service"
    first_team = Team.objects.order_by("pk").first()
    assert staff["spo"].team == staff["po"].team == staff["pso"].team == first_team
    assert 40 <= Person.objects.filter(practitioner=staff["po"]).count() <= 60
    usernames = list(get_user_model().objects.values_list("username", flat=True))
    assert len(usernames) == len(set(usernames)) == Staff.objects.count()


@pytest.mark.django_db
def test_demo_password_works_only_in_demo_mode(settings):
    settings.DEMO_MODE = False
    result = load()
    assert result.password is None and "no password" in result.summary()
    assert authenticate(username="po", password=DEMO_PASSWORD) is None
    assert not get_user_model().objects.get(username="admin").has_usable_password()

    settings.DEMO_MODE = True
    result = load(reset=True)
    assert result.password == DEMO_PASSWORD and DEMO_PASSWORD in result.summary()
    for username in ("admin", "spo", "po", "pso", "qa"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
    # Other practitioners cannot sign in at all.
    other = Staff.objects.filter(role="practitioner").exclude(user__username__in=["po", "pso"]).first()
    assert not other.user.has_usable_password()


@pytest.mark.django_db
def test_demo_accounts_cannot_sign_in_with_the_demo_password_once_demo_mode_is_off(settings):
    from django.test import Client, RequestFactory

    from openprobation.core.sign_in import sign_in_check

    settings.DEMO_MODE = True
    load()
    settings.DEMO_MODE = False  # the same database, served without OPENPROBATION_DEMO
    request = RequestFactory().post("/sign-in/")
    for username in ("admin", "spo", "po", "pso", "qa"):
        assert sign_in_check(request=request, username=username, password=DEMO_PASSWORD) is None, username
    client = Client()
    assert client.post("/sign-in/", {"username": "po", "password": DEMO_PASSWORD}).status_code == 200
    assert client.post("/django-admin/login/", {"username": "admin", "password": DEMO_PASSWORD}).status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_running_again_changes_nothing_and_reports_what_is_there():
    first = load()
    counts = {m: m.objects.count() for m in (Person, Event, Contact, Staff, Region, AuditEvent)}
    again = load(people=999, seed=5)
    assert again.status == "exists" and again.ok
    assert {m: m.objects.count() for m in counts} == counts
    assert again.counts["people"] == first.counts["people"] and again.seed == 1
    for kind in ("criminal_histories", "work_items", "recorded_scores"):  # the report of what is there counts them
        assert again.counts[kind] == first.counts[kind] > 0, kind
    assert "already loaded" in again.summary()


@pytest.mark.django_db
def test_reset_reloads_and_keeps_the_audit_trail():
    load()
    po_user = get_user_model().objects.get(username="po")
    audit_record(actor=po_user, action="contact.recorded", crn=Person.objects.first().crn)
    # The recompute in the load audits its own batches, the demo's quality audits (made through the services) and the
    # week's workload snapshot their own actions, as they always do.
    own = AuditEvent.objects.exclude(action__in=SERVICE_ACTIONS)
    audit_before = own.count()
    result = load(people=200, seed=2, reset=True)
    assert result.status == "loaded"
    assert Person.objects.count() == 200 and Region.objects.count() == 12
    # Nothing deleted; one more "demo.loaded".
    assert own.count() == audit_before + 1
    retired = get_user_model().objects.get(pk=po_user.pk)
    assert not retired.is_active and retired.username.startswith("po.retired.")
    assert get_user_model().objects.get(username="po").pk != po_user.pk
    assert AuditEvent.objects.filter(action="demo.loaded").count() == 2


@pytest.mark.django_db
def test_refuses_to_load_over_case_records_it_did_not_make(org):
    from tests.factories import make_person

    make_person(org)
    result = load()
    assert result.status == "refused" and not result.ok
    assert Person.objects.count() == 1
    assert "--reset" in result.summary()


@pytest.mark.django_db
def test_restricted_cases_name_staff_in_the_holders_team():
    load(people=2_000)
    lists = CaseAccess.objects.select_related("person", "staff")
    assert lists.filter(kind="restriction").exists() and lists.filter(kind="exclusion").exists()
    for entry in lists:
        assert entry.staff.team_id == entry.person.team_id
        if entry.kind == "exclusion":
            assert entry.staff_id != entry.person.practitioner_id
    restricted = lists.filter(kind="restriction").values("person_id").distinct()
    for row in restricted:
        named = set(CaseAccess.objects.filter(person_id=row["person_id"]).values_list("staff__role", flat=True))
        assert named == {"practitioner", "spo"}


@pytest.mark.django_db(transaction=True)
def test_cli_loads_and_commits(capsys):
    """The command end to end: the load commits, and a second run says the data is there."""
    assert cli.main(["demo-data", "--people", "150", "--seed", "3", "--quiet", "--no-migrate"]) == 0
    assert "Demo data loaded" in capsys.readouterr().out
    assert Person.objects.count() == 150
    assert cli.main(["demo-data", "--people", "150", "--seed", "3", "--quiet", "--no-migrate"]) == 0
    assert "already loaded" in capsys.readouterr().out
    # Later inserts through the ORM get fresh keys (sequences were moved past the loaded rows).
    region = Region.objects.create(provider=Region.objects.first().provider, code="ZZ1", name="Test")
    assert region.pk > 12


@pytest.mark.django_db(transaction=True)
def test_reset_also_clears_records_that_hang_off_cases_such_as_work_items():
    from openprobation.people.services import relationship_add
    from openprobation.workitems.models import WorkItem

    load()
    person = Person.objects.filter(practitioner__user__username="po").first()
    relationship_add(
        actor=get_user_model().objects.get(username="po"),
        person=person,
        relationship="partner",
        first_name="Jo",
        last_name="New",
        start_date=AS_OF,
        lives_in_household=True,
    )
    added = WorkItem.objects.filter(person=person, relationship__isnull=False)
    assert added.exists()  # a new partner makes checks due
    added_ids = list(added.values_list("pk", flat=True))
    result = load(people=200, seed=2, reset=True)
    assert result.status == "loaded"
    assert not WorkItem.objects.filter(pk__in=added_ids).exists()
    # the new demo's own household checks are about its own people's relationships
    assert not WorkItem.objects.filter(relationship__isnull=False).exclude(relationship__person=F("person")).exists()
    assert not WorkItem.objects.exclude(person__in=Person.objects.all()).exists()
    assert Person.objects.count() == 200


@pytest.mark.django_db
def test_the_demo_takes_this_weeks_workload_snapshot_through_the_weekly_service():
    """The workload figures and trends read the week's snapshot: the demo takes it with the daily job's service, so
    each practitioner's snapshot holds what the live workload rules give for them on the demo's day."""
    result = load()
    practitioners = Staff.objects.filter(role="practitioner")
    snapshots = WorkloadSnapshot.objects.filter(week=week_of(AS_OF))
    assert snapshots.count() == result.counts["workload_snapshots"] == practitioners.count() > 0
    po = Staff.objects.get(user__username="po")
    [live] = workloads(staff=[po], on=AS_OF)
    taken = snapshots.get(staff=po)
    assert (taken.case_count, taken.total_points) == (live.case_count, live.total_points)
    assert workload_snapshot(on=AS_OF).taken == 0  # the daily job finds the week's snapshot already taken
