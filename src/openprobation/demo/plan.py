"""Sizing the demo organisation for a number of people: regions, PDUs, teams, staff and caseload quotas.

Pure Python (no database), so the sizing rules can be tested for any N without loading anything:
- teams of 6 to 10 practitioners, each team with one senior probation officer (SPO);
- one head of service per PDU, quality-assurance staff per region, one administrator;
- enough practitioners that each holds 30 to 80 cases (about 48 on average, the middle of the 40-80 range that
  inspection reports describe), shared in proportion to contracted hours, trainees (PQiP) holding fewer.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from openprobation.demo.reference import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, REGIONS

TARGET_CASELOAD = 48
MIN_CASELOAD = 30
MAX_CASELOAD = 80
TEAM_MIN, TEAM_MAX = 6, 10
TEAMS_PER_PDU = 4
FULL_TIME_HOURS = Decimal("37.0")
PART_TIME_HOURS = (Decimal("30.0"), Decimal("29.6"), Decimal("22.5"))
# A trainee's caseload is protected while they qualify.
PQIP_CASELOAD_FACTOR = 0.75

# The stable demo sign-ins every build has, by username.
DEMO_SIGN_INS = ("admin", "spo", "po", "pso", "qa", "hos")


@dataclass(frozen=True)
class RegionPlan:
    code: str
    name: str


@dataclass(frozen=True)
class PduPlan:
    code: str
    name: str
    region: int
    town: str
    postcode_area: str


@dataclass(frozen=True)
class TeamPlan:
    code: str
    name: str
    pdu: int


@dataclass
class StaffPlan:
    code: str
    first_name: str
    last_name: str
    grade: str
    role: str
    contracted_hours: Decimal
    team: int | None
    username: str = ""
    sign_in: str | None = None  # the demo sign-in name, for the stable demo accounts
    # Caseloads differ between practitioners with the same hours (complex cases, vacancies covered).
    caseload_factor: float = 1.0

    @property
    def caseload_weight(self) -> float:
        factor = PQIP_CASELOAD_FACTOR if self.grade == "pqip" else 1.0
        return float(self.contracted_hours / FULL_TIME_HOURS) * factor * self.caseload_factor


@dataclass
class OrgPlan:
    people: int
    regions: list[RegionPlan]
    pdus: list[PduPlan]
    teams: list[TeamPlan]
    staff: list[StaffPlan]
    # Index into ``staff`` of every practitioner, and how many cases each holds (same order).
    practitioners: list[int] = field(default_factory=list)
    caseloads: list[int] = field(default_factory=list)

    def sign_in(self, name: str) -> StaffPlan:
        return next(s for s in self.staff if s.sign_in == name)


def team_count(people: int) -> int:
    """How many teams a caseload of ``people`` needs: about 8 practitioners of about 48 cases each."""
    return max(1, round(people / (TARGET_CASELOAD * (TEAM_MIN + TEAM_MAX) / 2)))


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Share ``total`` out in proportion to ``weights`` as whole numbers that add up to ``total``."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _team_sizes(teams: int, practitioners: int, rng: random.Random) -> list[int]:
    """Practitioners per team, each 6-10, adding up to ``practitioners`` (already clamped to what fits)."""
    sizes = [practitioners // teams] * teams
    for i in rng.sample(range(teams), practitioners % teams):
        sizes[i] += 1
    for _ in range(teams):  # some variety, keeping the total
        a, b = rng.randrange(teams), rng.randrange(teams)
        if a != b and sizes[a] > TEAM_MIN and sizes[b] < TEAM_MAX:
            sizes[a] -= 1
            sizes[b] += 1
    return sizes


def caseload_quotas(people: int, weights: list[float]) -> list[int]:
    """Cases per practitioner: in proportion to weight, adding up to ``people``, each within 30-80 when possible."""
    quotas = _largest_remainder(people, weights)
    count = len(weights)
    if not MIN_CASELOAD * count <= people <= MAX_CASELOAD * count:
        return quotas
    # Clamp into range, then hand the surplus or shortfall to practitioners with room, largest weight first.
    quotas = [min(MAX_CASELOAD, max(MIN_CASELOAD, q)) for q in quotas]
    order = sorted(range(count), key=lambda i: (-weights[i], i))
    diff = people - sum(quotas)
    while diff:
        step = 1 if diff > 0 else -1
        for i in order:
            if diff and MIN_CASELOAD <= quotas[i] + step <= MAX_CASELOAD:
                quotas[i] += step
                diff -= step
    return quotas


def _ascii(name: str) -> str:
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower())


def assign_usernames(staff: list[StaffPlan], taken: Iterable[str] = ()) -> None:
    """first.last for everyone (first.last2 and so on when taken); the demo sign-ins get their fixed names."""
    taken = set(taken)
    used = taken | set(DEMO_SIGN_INS)
    for s in staff:
        if s.sign_in and s.sign_in not in taken:
            s.username = s.sign_in
            continue
        base = f"{_ascii(s.first_name)}.{_ascii(s.last_name)}"
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}{n}"
        used.add(name)
        s.username = name


def organisation_plan(*, people: int, seed: int, taken_usernames: Iterable[str] = ()) -> OrgPlan:
    """The whole demo organisation for ``people`` cases; the same arguments always give the same plan."""
    rng = random.Random(f"openprobation-demo:{seed}:organisation")

    def staff_name() -> tuple[str, str]:
        # The probation workforce is about two-thirds women.
        first = rng.choice(FEMALE_FIRST_NAMES if rng.random() < 0.65 else MALE_FIRST_NAMES)
        return first, rng.choice(LAST_NAMES)

    teams_total = team_count(people)
    per_region = _largest_remainder(teams_total, [r.weight for r in REGIONS])
    practitioners_total = min(max(round(people / TARGET_CASELOAD), TEAM_MIN * teams_total), TEAM_MAX * teams_total)
    sizes = _team_sizes(teams_total, practitioners_total, rng)

    regions = [RegionPlan(code=r.code, name=r.name) for r in REGIONS]
    pdus: list[PduPlan] = []
    teams: list[TeamPlan] = []
    staff: list[StaffPlan] = []
    practitioners: list[int] = []
    admin_first, admin_last = staff_name()
    staff.append(StaffPlan(code="NPSADM01", first_name=admin_first, last_name=admin_last, grade="other",
                           role="administrator", contracted_hours=FULL_TIME_HOURS, team=None, sign_in="admin"))
    for region_index, (spec, region_teams) in enumerate(zip(REGIONS, per_region, strict=True)):
        if region_teams == 0:
            continue
        pdu_count = min(len(spec.pdus), math.ceil(region_teams / TEAMS_PER_PDU))
        region_pdus = []
        for k, pdu_spec in enumerate(spec.pdus[:pdu_count]):
            pdus.append(PduPlan(code=f"{spec.code}P{k + 1:02d}", name=pdu_spec.name, region=region_index,
                                town=pdu_spec.town, postcode_area=pdu_spec.postcode_area))
            region_pdus.append(len(pdus) - 1)
        pdu_team_numbers = dict.fromkeys(region_pdus, 0)
        for t in range(region_teams):
            pdu_index = region_pdus[t % pdu_count]
            pdu_team_numbers[pdu_index] += 1
            code = f"{spec.code}T{t + 1:03d}"
            teams.append(TeamPlan(code=code, name=f"{pdus[pdu_index].name} {pdu_team_numbers[pdu_index]}",
                                  pdu=pdu_index))
            team_index = len(teams) - 1
            first_team = team_index == 0
            first, last = staff_name()
            staff.append(StaffPlan(code=f"{code}00", first_name=first, last_name=last, grade="spo", role="spo",
                                   contracted_hours=FULL_TIME_HOURS, team=team_index,
                                   sign_in="spo" if first_team else None))
            for k in range(sizes[team_index]):
                first, last = staff_name()
                if first_team and k < 2:
                    grade, hours, sign_in = ("po", "pso")[k], FULL_TIME_HOURS, ("po", "pso")[k]
                else:
                    roll = rng.random()
                    grade = "po" if roll < 0.55 else "pso" if roll < 0.85 else "pqip"
                    hours = FULL_TIME_HOURS
                    if grade != "pqip" and rng.random() < 0.18:
                        hours = rng.choice(PART_TIME_HOURS)
                    sign_in = None
                staff.append(StaffPlan(code=f"{code}{k + 1:02d}", first_name=first, last_name=last, grade=grade,
                                       role="practitioner", contracted_hours=hours, team=team_index,
                                       sign_in=sign_in, caseload_factor=1.0 if sign_in else rng.uniform(0.8, 1.35)))
                practitioners.append(len(staff) - 1)
        first_team_of_pdu = {pdu: next(i for i, t in enumerate(teams) if t.pdu == pdu) for pdu in region_pdus}
        for pdu_index in region_pdus:
            first, last = staff_name()
            staff.append(StaffPlan(code=f"{pdus[pdu_index].code}H", first_name=first, last_name=last, grade="other",
                                   role="head_of_service", contracted_hours=FULL_TIME_HOURS,
                                   team=first_team_of_pdu[pdu_index], sign_in="hos" if pdu_index == 0 else None))
        for q in range(1 + region_teams // 25):
            first, last = staff_name()
            staff.append(StaffPlan(code=f"{spec.code}QA{q + 1:02d}", first_name=first, last_name=last,
                                   grade="other", role="quality_assurance", contracted_hours=FULL_TIME_HOURS,
                                   team=None, sign_in="qa" if not any(s.sign_in == "qa" for s in staff) else None))
    weights = [staff[i].caseload_weight for i in practitioners]
    plan = OrgPlan(people=people, regions=regions, pdus=pdus, teams=teams, staff=staff,
                   practitioners=practitioners, caseloads=caseload_quotas(people, weights))
    assign_usernames(staff, taken_usernames)
    return plan


def caseload_slots(plan: OrgPlan, seed: int) -> list[int]:
    """For each person in order, the index (into ``plan.staff``) of the practitioner who holds the case."""
    slots = [p for p, quota in zip(plan.practitioners, plan.caseloads, strict=True) for _ in range(quota)]
    random.Random(f"openprobation-demo:{seed}:caseloads").shuffle(slots)
    return slots
