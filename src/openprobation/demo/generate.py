"""Generating the demo's case records as rows: people, events, registrations, households and contacts.

Everything comes from a seeded random generator per chunk of people and from an ``as_of`` date (the demo's
"today"), never the wall clock, so the same people count, seed and date give the same rows, byte for byte.
The proportions (sentence types, RoSH levels, registrations, households, attendance) are rough national shapes
chosen to look right on a caseload page, not statistics to report.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from math import gcd
from typing import TYPE_CHECKING, Any, TypeVar

from openprobation.demo import reference as ref
from openprobation.demo import showcase
from openprobation.demo.casework import (
    CaseRecord,
    Plans,
    SignalNote,
    case_work_items,
    first_hits,
    household_moves,
)
from openprobation.demo.plan import OrgPlan
from openprobation.rules import work_item_decisions as wi
from openprobation.rules.dates import add_months
from openprobation.rules.offences import offence_table
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.signals import SignalHit, signals_scan

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")

# Rows are generated this many people at a time; part of the determinism contract (a chunk has its own generator
# and its own range of keys in every table, so chunks can be made in any order, in several processes at once).
CHUNK_SIZE = 10_000
# The keys a chunk may use per person, by table: well above the most any chunk has needed (about 18 contacts and 19
# work items a person on average), so a chunk's keys never reach the next chunk's; a chunk that would is refused.
KEYS_PER_PERSON = {"person": 1, "address": 4, "relationship": 10, "case_access": 4, "event": 4, "requirement": 10,
                   "licence_condition": 10, "allocation": 6, "registration": 16, "contact": 60, "work_item": 80,
                   "signal_evidence": 10, "signal_disposition": 10, "reporting_change": 1}

# Field names per table, in the order the generator fills each row tuple.
PERSON_FIELDS = ("id", "crn", "first_name", "last_name", "date_of_birth", "gender", "team_id", "practitioner_id",
                 "tier", "version", "created_at", "mobile_number", "email", "sms_reminders", "email_reminders")
ADDRESS_FIELDS = ("id", "person_id", "line1", "line2", "town", "postcode", "start_date", "end_date")
RELATIONSHIP_FIELDS = ("id", "person_id", "relationship", "first_name", "last_name", "date_of_birth", "start_date",
                       "end_date", "lives_in_household", "potential_victim", "notes", "version")
CASE_ACCESS_FIELDS = ("id", "person_id", "staff_id", "kind", "reason")
EVENT_FIELDS = ("id", "person_id", "number", "offence_code", "offence_category", "conviction_date",
                "sentence_date", "sentence_type", "length_months", "release_date", "expected_end_date",
                "termination_date", "termination_reason", "version", "sentence_kind", "indeterminate_type",
                "tariff_months")
REQUIREMENT_FIELDS = ("id", "event_id", "type", "length", "start_date", "end_date")
LICENCE_CONDITION_FIELDS = ("id", "event_id", "type", "details", "start_date", "end_date")
ALLOCATION_FIELDS = ("id", "event_id", "practitioner_id", "team_id", "start_date", "end_date", "reason")
REGISTRATION_FIELDS = ("id", "person_id", "code", "level", "category", "start_date", "review_date", "end_date",
                       "notes", "version")
CONTACT_FIELDS = ("id", "person_id", "event_id", "type", "date", "staff_id", "outcome", "notes", "version",
                  "created_at")
WORK_ITEM_FIELDS = ("id", "person_id", "kind", "status", "due_date", "due_at", "owner_role", "owner_id", "team_id",
                    "rule_id", "policy_version", "trigger", "clock_started_on", "reason", "event_id", "relationship_id",
                    "created_at", "closed_on", "cancel_reason", "note", "attended_clock_started", "signal")
SIGNAL_EVIDENCE_FIELDS = ("id", "person_id", "work_item_id", "contact_id", "signal", "severity", "evidence", "sentence",
                          "rule", "policy_version", "found_at")
REPORTING_CHANGE_FIELDS = ("id", "person_id", "frequency", "previous_frequency", "status", "reason", "requested_by_id",
                           "requested_at", "decided_by_id", "decided_at", "decision_reason", "in_force_from")
SIGNAL_DISPOSITION_FIELDS = ("id", "work_item_id", "outcome", "linked_item_id", "linked_contact_id", "details",
                             "decided_by_id", "decided_at")

# Table keys in the order they must be written (parents first).
TABLES = ("person", "address", "relationship", "case_access", "event", "requirement", "licence_condition",
          "allocation", "registration", "contact", "reporting_change", "work_item", "signal_evidence",
          "signal_disposition")

SENTENCE_TYPES = (
    ("community_order", 0.35), ("suspended_sentence_order", 0.15), ("licence", 0.35),
    ("post_sentence_supervision", 0.05), ("custody", 0.10),
)
# Share of events by offence category (the reference table's OGRS3 categories).
OFFENCE_CATEGORIES = (
    ("Violence", 0.24), ("Theft (non-motor)", 0.11), ("Drug possession/supply", 0.10), ("Public order", 0.07),
    ("Burglary (domestic)", 0.05), ("Burglary (other)", 0.02), ("Robbery", 0.03), ("Fraud and forgery", 0.04),
    ("Drink driving and related offences", 0.05), ("Other motoring", 0.04), ("Criminal damage", 0.04),
    ("Handling stolen goods", 0.015), ("Taking & driving away and related offences", 0.015),
    ("Theft from vehicles", 0.01), ("Drug import/export/production", 0.02), ("Sexual (not against child)", 0.025),
    ("Sexual (against child)", 0.015), ("Absconding or bail offences", 0.01), ("Other offence", 0.06),
)
SEXUAL = frozenset({"Sexual (not against child)", "Sexual (against child)"})
ACQUISITIVE = frozenset({"Theft (non-motor)", "Burglary (domestic)", "Burglary (other)", "Robbery",
                         "Handling stolen goods", "Taking & driving away and related offences",
                         "Theft from vehicles"})
# RoSH (low, medium, high, very high) by the holder's grade: higher-risk cases go to qualified officers.
ROSH_LEVELS = ("low", "medium", "high", "very_high")
ROSH_CODES = {"low": "RLRH", "medium": "RMRH", "high": "RHRH", "very_high": "RVHR"}
ROSH_BY_GRADE = {"po": (0.15, 0.52, 0.29, 0.04), "pso": (0.88, 0.12, 0.0, 0.0), "pqip": (0.35, 0.62, 0.03, 0.0)}
# Days between supervision appointments by RoSH level (after weekly induction appointments).
APPOINTMENT_INTERVAL = {"low": 25, "medium": 21, "high": 14, "very_high": 7}  # inside the monthly contact
# The registrations that call for home visits (high and very high RoSH, child protection): see the timescale presets.
HOME_VISIT_CODES = frozenset({"RHRH", "RVHR", "RCPR"})
# A practitioner plans the next home visit this long after the last, inside the presets' three months.
HOME_VISIT_PLANNED_AFTER = dt.timedelta(days=63)
# The share of notes of each kind written with a warning sign (demo/reference.py's signal notes), when the case has a
# signal note of that kind that fits it: a few per cent of the notes overall, more among other agencies' information
# and third parties' reports, which is mostly why they call.
SIGNAL_SHARE = {"attended": 0.025, "home_visit": 0.03, "telephone": 0.02, "other_agency": 0.10, "third_party": 0.5}
SIGNAL_POOLS = {"attended": ref.SIGNAL_NOTES_ATTENDED, "home_visit": ref.SIGNAL_NOTES_HOME_VISIT,
                "telephone": ref.SIGNAL_NOTES_PHONE, "other_agency": ref.SIGNAL_NOTES_OTHER_AGENCY,
                "third_party": ref.SIGNAL_NOTES_THIRD_PARTY}
COMPLEXITY = (("RMDO", 0.10), ("ALSH", 0.06), ("RVLN", 0.03), ("RCCO", 0.02), ("STRG", 0.01))

CRN_SPACE = 26 * 1_000_000


@dataclass(frozen=True)
class SentenceDates:
    sentence_date: dt.date
    conviction_date: dt.date
    release_date: dt.date | None
    length: int
    expected_end: dt.date


@dataclass
class Chunk:
    """The rows for one chunk of people, by table key, and what they added up to."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))
    restricted: int = 0


@cache
def _offence_codes() -> dict[str, tuple[str, ...]]:
    """Offence codes with a real description, by category."""
    by_category: dict[str, list[str]] = defaultdict(list)
    for code, offence in sorted(offence_table().items()):
        if offence.has_description:
            by_category[offence.ogrs3_category].append(code)
    return {k: tuple(v) for k, v in by_category.items()}


def _cumulative(weights: Sequence[tuple[str, float]]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    names, total, cum = [], 0.0, []
    for name, w in weights:
        total += w
        names.append(name)
        cum.append(total)
    return tuple(names), tuple(c / total for c in cum)


def _pick(rng: random.Random, table: tuple[tuple[str, ...], tuple[float, ...]]) -> str:
    roll = rng.random()
    names, cum = table
    for name, c in zip(names, cum, strict=True):
        if roll < c:
            return name
    return names[-1]


@cache
def _bst(year: int) -> tuple[dt.date, dt.date]:
    """British Summer Time, last Sunday of March to last Sunday of October."""
    def last_sunday(month: int) -> dt.date:
        d = dt.date(year, month, 31)
        return d - dt.timedelta(days=(d.weekday() + 1) % 7)

    return last_sunday(3), last_sunday(10)


class Draws(random.Random):
    """A seeded ``random.Random`` whose integer draws (``randint``, ``randrange``, ``choice``) go straight to
    ``getrandbits`` the way ``Random`` itself makes them, without its layers of argument handling: the same seed
    gives the same values, in about half the time (they were a fifth of the time spent generating)."""

    def _below(self, n: int) -> int:
        """0 <= value < n, as ``Random._randbelow`` draws it."""
        if n <= 0:
            raise ValueError("empty range for a random draw")
        bits = n.bit_length()
        value = self.getrandbits(bits)
        while value >= n:
            value = self.getrandbits(bits)
        return value

    def randint(self, a: int, b: int) -> int:
        return a + self._below(b - a + 1)

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if step != 1:
            return super().randrange(start, stop, step)
        if stop is None:
            return self._below(start)
        return start + self._below(stop - start)

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        if not len(seq):
            raise IndexError("Cannot choose from an empty sequence")
        return seq[self._below(len(seq))]


class KeyRangeExceeded(RuntimeError):
    """A chunk made more rows of a table than its range of keys holds (``KEYS_PER_PERSON``)."""


class Keys:
    """Primary keys, table by table, handed out in the order the rows are made, below ``limits`` when given."""

    def __init__(self, first_ids: dict[str, int], limits: dict[str, int] | None = None) -> None:
        self._next = dict(first_ids)
        self._limits = limits

    def __call__(self, table: str) -> int:
        value = self._next[table]
        if self._limits is not None and value >= self._limits[table]:
            raise KeyRangeExceeded(f"a chunk of the demo needs more {table} rows than its key range holds")
        self._next[table] = value + 1
        return value

    @classmethod
    def for_chunk(cls, first_ids: dict[str, int], start: int, chunk_size: int) -> Keys:
        """The keys of the chunk of people starting at ``start``: each table's range after the earlier chunks'."""
        index = start // chunk_size
        bases = {t: first_ids[t] + index * chunk_size * KEYS_PER_PERSON[t] for t in first_ids}
        return cls(bases, {t: bases[t] + chunk_size * KEYS_PER_PERSON[t] for t in first_ids})


class Stamps:
    """Timestamps as the rows carry them: a London wall-clock time on a day, written in UTC (remembered, since the
    same few appointment times recur on the same days across a caseload)."""

    def __init__(self, datetime_suffix: str) -> None:
        self.suffix = datetime_suffix
        self._made: dict[tuple[dt.date, int], str] = {}

    def at(self, day: dt.date, minutes: int) -> str:
        """A UTC timestamp string for ``minutes`` after midnight, London time, on ``day``."""
        stamp = self._made.get((day, minutes))
        if stamp is None:
            start, end = _bst(day.year)
            utc = minutes - (60 if start <= day < end else 0)
            stamp = f"{day.isoformat()} {utc // 60:02d}:{utc % 60:02d}:00{self.suffix}"
            self._made[(day, minutes)] = stamp
        return stamp


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def weekday(day: dt.date) -> dt.date:
    """The day, or the Monday after it if it falls at a weekend."""
    wd = day.weekday()
    return day + dt.timedelta(days=7 - wd) if wd >= 5 else day


@dataclass(frozen=True)
class Someone:
    """Who a generated person is, and whose caseload they are on."""

    index: int
    person_id: int
    holder: int  # index into the plan's staff
    team: int  # index into the plan's teams
    male: bool
    first_name: str
    last_name: str
    age: int
    date_of_birth: dt.date


@dataclass(frozen=True)
class Risk:
    """A person's risk picture: RoSH level, the flags that give registrations, and the tier it adds up to."""

    rosh: str
    domestic_abuse: bool
    mappa: tuple[str, str] | None  # (level, category)
    child_protection: bool
    stalking: bool
    iom: bool
    complexity: tuple[str, ...]
    tier: str


def draw_sentence(rng: random.Random, sentence_type: str, as_of: dt.date) -> SentenceDates:
    """Dates and length of a current sentence of the given type, so that it is running on ``as_of``."""
    release: dt.date | None = None
    if sentence_type in ("community_order", "suspended_sentence_order"):
        choices = (6, 9, 12, 12, 12, 18, 18, 24, 24, 36) if sentence_type == "community_order" else (
            6, 12, 12, 18, 24, 24)
        length = rng.choice(choices)
        span = max(8, int(length * 30.4) - 14)
        sentence = as_of - dt.timedelta(days=rng.randint(7, span))
    elif sentence_type == "licence":
        length = rng.choice((12, 18, 24, 24, 30, 36, 36, 48, 60, 72, 96, 120))
        half = length // 2
        since_release = rng.randint(3, max(4, int(half * 30.4) - 20))
        release = as_of - dt.timedelta(days=since_release)
        sentence = add_months(release, -half)
    elif sentence_type == "post_sentence_supervision":
        term = rng.choice((3, 4, 6, 8, 10, 12, 16, 18, 20))
        length = term // 2 + 12
        since_release = rng.randint(3, 330)
        release = as_of - dt.timedelta(days=since_release)
        sentence = add_months(release, -(term // 2))
    else:  # custody, before release
        length = rng.choice((6, 12, 18, 24, 36, 48, 60, 84, 120))
        half = length // 2
        sentence = as_of - dt.timedelta(days=rng.randint(14, max(15, int(half * 30.4) - 14)))
        release = add_months(sentence, half)
        if release <= as_of:
            release = as_of + dt.timedelta(days=rng.randint(7, 60))
    expected_end = add_months(sentence, length)
    if expected_end <= as_of:  # keep it current: nudge the length up
        length += 1 + (as_of - expected_end).days // 28
        expected_end = add_months(sentence, length)
    conviction = sentence if rng.random() < 0.45 else sentence - dt.timedelta(days=rng.randint(14, 56))
    return SentenceDates(sentence_date=sentence, conviction_date=conviction, release_date=release, length=length,
                         expected_end=expected_end)


def draw_risk(rng: random.Random, grade: str, category: str, sentence_type: str) -> Risk:
    """RoSH by who holds the case, raised for sexual and some violent offences; the flags; the tier."""
    roll, cum, rosh = rng.random(), 0.0, "medium"
    for level, p in zip(ROSH_LEVELS, ROSH_BY_GRADE[grade], strict=True):
        cum += p
        if roll < cum:
            rosh = level
            break
    if category in SEXUAL and rosh == "low":
        rosh = "medium"
    violent = category in ("Violence", "Robbery")
    da = rng.random() < (0.42 if violent else 0.13)
    custodial = sentence_type in ("licence", "custody", "post_sentence_supervision")
    mappa: tuple[str, str] | None = None
    if category in SEXUAL:
        mappa = ("M1" if rng.random() < 0.85 else "M2", "M1")
    elif rosh in ("high", "very_high") and custodial and rng.random() < 0.15:
        level = "M3" if rosh == "very_high" and rng.random() < 0.3 else "M2" if rng.random() < 0.4 else "M1"
        mappa = (level, "M4" if rng.random() < 0.03 else "M2")
    child_protection = rng.random() < (0.12 if da else 0.03)
    stalking = rng.random() < (0.04 if da else 0.002)
    iom = rng.random() < (0.17 if category in ACQUISITIVE else 0.012)
    complexity = [code for code, p in COMPLEXITY if rng.random() < p]
    if category == "Sexual (against child)" or (child_protection and rng.random() < 0.3):
        complexity.append("RCHD")
    tier = _draw_tier(rng, rosh, mappa, len(complexity) + child_protection, sentence_type)
    return Risk(rosh=rosh, domestic_abuse=da, mappa=mappa, child_protection=child_protection, stalking=stalking,
                iom=iom, complexity=tuple(complexity), tier=tier)


def _draw_tier(rng: random.Random, rosh: str, mappa: tuple[str, str] | None, complexity_factors: int,
               sentence_type: str) -> str:
    """Tier (two-axis, as hmpps-tier's V2): protect letter from RoSH/MAPPA, change digit from needs.

    A first guess only: the load's risk calculation then stores each case's tier by the tiering rules."""
    protect = {"very_high": "A", "high": "B", "medium": "C", "low": "D"}[rosh]
    if mappa and mappa[0] in ("M2", "M3"):
        protect = "A"
    elif protect == "D" and complexity_factors >= 2:
        protect = "C"
    if sentence_type == "custody":
        change = "0"
    else:
        roll = rng.random()
        change = "1" if roll < 0.3 else "2" if roll < 0.72 else "3"
    return protect + change


def draw_orders(rng: random.Random, keys: Keys, out: Chunk, event_id: int, sentence_type: str, sentence: dt.date,
                release: dt.date | None, end: dt.date, da: bool, category: str, rosh: str) -> None:
    """A community sentence's requirements, or a licence's conditions, for the active event."""
    rows = out.rows
    if sentence_type in ("community_order", "suspended_sentence_order"):
        start, finish = sentence.isoformat(), end.isoformat()
        chosen: list[tuple[str, int]] = []
        if rng.random() < 0.55:
            chosen.append(("unpaid_work", rng.choice((40, 60, 80, 100, 120, 150, 180, 200, 240, 300))))
        if rng.random() < 0.6 or not chosen:
            chosen.append(("rar", rng.choice((5, 10, 15, 20, 20, 25, 30, 40, 50, 60))))
        if da and rng.random() < 0.6:
            chosen.append(("accredited_programme", 24))  # a domestic abuse programme
        elif category == "Violence" and rng.random() < 0.2:
            chosen.append(("accredited_programme", 19))  # a thinking skills programme
        if rng.random() < 0.1:
            chosen.append(("curfew", rng.choice((2, 3, 4, 6))))
        if category.startswith("Drug") and rng.random() < 0.4:
            chosen.append(("drug_treatment", rng.choice((6, 9, 12))))
        if category == "Drink driving and related offences" or rng.random() < 0.06:
            chosen.append(("alcohol_treatment", 6))
        if rng.random() < 0.04:
            chosen.append(("mental_health_treatment", rng.choice((6, 12))))
        for rtype, length in chosen:
            rows["requirement"].append((keys("requirement"), event_id, rtype, length, start, finish))
    elif sentence_type in ("licence", "post_sentence_supervision") and release is not None:
        start, finish = release.isoformat(), end.isoformat()
        conditions = [("residence", "Reside at an address approved by the probation practitioner")]
        if da:
            conditions.append(("disclose_relationships", "Notify your supervising officer of any developing "
                                                         "intimate relationship with a woman"))
            conditions.append(("non_contact", "No contact with the victim without prior approval"))
        if rosh in ("high", "very_high") and rng.random() < 0.5:
            conditions.append(("exclusion_zone", "Not to enter the area marked on the attached map"))
        if rng.random() < 0.15:
            conditions.append(("curfew", "Curfew 19:00 to 07:00, electronically monitored"))
        if category.startswith("Drug") and rng.random() < 0.5:
            conditions.append(("drug_testing", "Attend for drug testing as required"))
        if rng.random() < 0.05:
            conditions.append(("alcohol_monitoring", "Alcohol abstinence monitoring"))
        for ctype, details in conditions:
            rows["licence_condition"].append((keys("licence_condition"), event_id, ctype, details, start,
                                              finish))


def draw_household(rng: random.Random, keys: Keys, out: Chunk, who: Someone, risk: Risk, as_of: dt.date) -> None:
    """Partner, ex-partner, children, a parent, a sibling: some of each, some living with the person."""
    rows = out.rows
    male, last_name, dob, age = who.male, who.last_name, who.date_of_birth, who.age
    da, child_protection, person_id = risk.domestic_abuse, risk.child_protection, who.person_id
    partner_names = ref.FEMALE_FIRST_NAMES if male else ref.MALE_FIRST_NAMES
    lives_with_partner = False
    adult_from = dob + dt.timedelta(days=16 * 365)
    if rng.random() < 0.30:
        start = max(adult_from, as_of - dt.timedelta(days=rng.randint(60, 3650)))
        lives_with_partner = rng.random() < 0.55
        rows["relationship"].append((
            keys("relationship"), person_id, "partner", rng.choice(partner_names), rng.choice(ref.LAST_NAMES),
            (dob + dt.timedelta(days=rng.randint(-2500, 2500))).isoformat(), start.isoformat(), None,
            lives_with_partner, da, "Partner named in a police call-out" if da and rng.random() < 0.4 else "", 1,
        ))
    if rng.random() < 0.18:
        start = max(adult_from, as_of - dt.timedelta(days=rng.randint(700, 5000)))
        end = min(as_of, start + dt.timedelta(days=rng.randint(180, 2500)))
        rows["relationship"].append((
            keys("relationship"), person_id, "ex_partner", rng.choice(partner_names),
            rng.choice(ref.LAST_NAMES), None, start.isoformat(), end.isoformat(), False, da,
            "Victim of the index offence" if da and rng.random() < 0.5 else "", 1,
        ))
    if age >= 19 and rng.random() < 0.35:
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            child_age = rng.randint(0, min(17, age - 17))
            child_dob = as_of - dt.timedelta(days=child_age * 365 + rng.randrange(365))
            lives = rng.random() < (0.6 if lives_with_partner else 0.15)
            rows["relationship"].append((
                keys("relationship"), person_id, "child", rng.choice(ref.CHILD_FIRST_NAMES),
                last_name if rng.random() < 0.6 else rng.choice(ref.LAST_NAMES), child_dob.isoformat(),
                child_dob.isoformat(), None, lives, child_protection,
                "Subject of a child protection plan" if child_protection else "", 1,
            ))
    if rng.random() < (0.45 if age < 25 else 0.15):
        rows["relationship"].append((
            keys("relationship"), person_id, "parent", rng.choice(ref.FEMALE_FIRST_NAMES), last_name,
            None, dob.isoformat(), None, age < 25 and rng.random() < 0.5, False, "", 1,
        ))
    if rng.random() < 0.10:
        rows["relationship"].append((
            keys("relationship"), person_id, "sibling", rng.choice(ref.SIBLING_FIRST_NAMES),
            last_name, None, dob.isoformat(), None, False, False, "", 1,
        ))


def demo_reminder_details(index: int, first_name: str, last_name: str) -> tuple[str, str, bool, bool]:
    """Mobile number, email and consent to text and email reminders for the demo's ``index``-th person, by position
    (no random draw, so the rest of the demo is unchanged): two in five agreed to text messages and one in five to
    email, with numbers from Ofcom's range for drama (07700 900000 to 900999) and addresses at example.com."""
    sms, email = index % 5 in (0, 1), index % 5 == 2
    mobile = f"07700900{index % 1000:03d}" if sms or index % 5 == 3 else ""
    address = f"{first_name}.{last_name}@example.com".lower().replace(" ", "").replace("'", "") if email else ""
    return mobile, address, sms, email


class CaseGenerator:
    """Makes the rows for people ``start`` to ``stop`` of a demo build. Keys are assigned from ``first_ids``.

    One person's record is made in a fixed order of draws from the chunk's generator (who they are, the sentence,
    the risk, events, allocation, registrations, addresses, household, access list, contacts); the contacts are a
    ``ContactHistory``'s job."""

    def __init__(self, *, plan: OrgPlan, slots: Sequence[int], seed: int, as_of: dt.date, datetime_suffix: str,
                 staff_ids: Sequence[int], team_ids: Sequence[int], first_ids: dict[str, int],
                 timescale_preset: str | None = None, chunk_size: int = CHUNK_SIZE) -> None:
        self.plan = plan
        self.chunk_size = chunk_size
        self.first_ids = dict(first_ids)
        self.timescale_preset = timescale_preset
        self.staff_names = {staff_ids[i]: f"{s.first_name} {s.last_name}" for i, s in enumerate(plan.staff)}
        self.slots = slots
        self.seed = seed
        self.as_of = as_of
        self.staff_ids = staff_ids
        self.team_ids = team_ids
        self.keys = Keys(first_ids)  # replaced by each chunk's own range
        self.stamps = Stamps(datetime_suffix)
        self.sentence_table = _cumulative(SENTENCE_TYPES)
        self.category_table = _cumulative(OFFENCE_CATEGORIES)
        self.codes = _offence_codes()
        crn_rng = random.Random(f"openprobation-demo:{seed}:crn")
        multiplier = crn_rng.randrange(1_000_003, CRN_SPACE)
        while gcd(multiplier, CRN_SPACE) != 1:
            multiplier += 1
        self.crn_multiplier, self.crn_offset = multiplier, crn_rng.randrange(CRN_SPACE)
        # The case that replays the warning-sign pattern (demo/showcase.py): the first on the "po" sign-in's caseload.
        self.showcase = next(
            (showcase.Showcase(i, holder) for i, holder in enumerate(slots)
             if plan.staff[holder].sign_in == "po" and plan.staff[holder].username == "po"),
            None,
        )  # fmt: skip
        self.reminders = demo_reminder_details
        self.team_practitioners: dict[int, list[int]] = defaultdict(list)
        self.team_spo: dict[int, int] = {}
        for i, s in enumerate(plan.staff):
            if s.team is None:
                continue
            if s.role == "practitioner":
                self.team_practitioners[s.team].append(i)
            elif s.role == "spo":
                self.team_spo[s.team] = i
        self.pdu_of_team = [t.pdu for t in plan.teams]
        self._notes_for: dict[frozenset[str], dict[str, tuple[str, ...]]] = {}
        self._signal_notes_for: dict[frozenset[str], dict[str, tuple[str, ...]]] = {}
        self._hits: dict[str, tuple[SignalHit, ...]] = {}
        self.signal_policy_version = signal_policy().policy_version

    def crn(self, index: int) -> str:
        """A CRN for the index-th person: an affine permutation of letter+6 digits, so unique without a lookup."""
        if self.showcase is not None and index == self.showcase.index:
            return showcase.CRN
        value = (self.crn_multiplier * index + self.crn_offset) % CRN_SPACE
        crn = f"{chr(65 + value // 1_000_000)}{value % 1_000_000:06d}"
        if crn == showcase.CRN and self.showcase is not None:  # the showcase has this one: swap
            value = (self.crn_multiplier * self.showcase.index + self.crn_offset) % CRN_SPACE
            crn = f"{chr(65 + value // 1_000_000)}{value % 1_000_000:06d}"
        return crn

    def chunk(self, start: int, stop: int) -> Chunk:
        """The rows of people ``start`` to ``stop`` (``start`` a multiple of the chunk size, at most one chunk)."""
        if start % self.chunk_size or stop - start > self.chunk_size:
            raise ValueError(f"a chunk starts at a multiple of {self.chunk_size} people and holds at most that many")
        self.keys = Keys.for_chunk(self.first_ids, start, self.chunk_size)
        rng = Draws(f"openprobation-demo:{self.seed}:people:{start}")
        # The practitioners' own work has its own draws, so the record's draws are the same with or without it.
        self.work_rng = Draws(f"openprobation-demo:{self.seed}:work:{start}")
        # Which notes carry warning signs has its own draws too: the rest of the record is the same with or without.
        self.signal_rng = Draws(f"openprobation-demo:{self.seed}:signals:{start}")
        out = Chunk()
        for index in range(start, stop):
            if self.showcase is not None and index == self.showcase.index:
                showcase.write(self, self.showcase, out, self.write_work)
            else:
                self._person(rng, index, out)
        return out

    def _person(self, rng: random.Random, index: int, out: Chunk) -> None:
        """One person's whole record."""
        first = {key: len(out.rows[key]) for key in TABLES}
        who = self._someone(rng, index)
        sentence_type = _pick(rng, self.sentence_table)
        category = _pick(rng, self.category_table)
        active = draw_sentence(rng, sentence_type, self.as_of)
        risk = draw_risk(rng, self.plan.staff[who.holder].grade, category, sentence_type)
        event_id = self._events(rng, out, who, sentence_type, category, active, risk)
        previous_holder, alloc_start = self._allocations(rng, out, who, event_id, active.sentence_date)
        created_at = self.stamps.at(min(active.sentence_date, self.as_of), 9 * 60 + 30)
        out.rows["person"].append((who.person_id, self.crn(index), who.first_name, who.last_name,
                                   who.date_of_birth.isoformat(), "male" if who.male else "female",
                                   self.team_ids[who.team], self.staff_ids[who.holder], risk.tier, 1, created_at,
                                   *demo_reminder_details(index, who.first_name, who.last_name)))
        self._registrations(rng, out, who.person_id, active.conviction_date, risk)
        self._addresses(rng, out, who)
        draw_household(rng, self.keys, out, who, risk, self.as_of)
        self._access_list(rng, out, who)
        supervision_start = (active.release_date if sentence_type in ("licence", "post_sentence_supervision")
                             else active.sentence_date)
        assert supervision_start is not None
        facts = self._case_facts(out, first, who, risk, event_id)
        history = ContactHistory(self, rng, out, who, event_id, previous_holder, alloc_start, self._notes(facts),
                                 self._signal_notes(facts))
        # Practitioners plan home visits: from the registration that calls for them, one at the next appointment
        visits_from = [dt.date.fromisoformat(r[5]) for r in out.rows["registration"][first["registration"]:]
                       if r[2] in HOME_VISIT_CODES and r[7] is None]
        history.visit_due = min(visits_from, default=None)
        history.write(sentence_type, supervision_start, risk)
        self._work_items(out, who, first, history, wi.SentenceFacts(
            event_id, sentence_type, active.sentence_date, active.release_date), risk)

    @staticmethod
    def _case_facts(out: Chunk, first: dict[str, int], who: Someone, risk: Risk, event_id: int) -> frozenset[str]:
        """What the case's notes may mention (demo/reference.py): its orders, household and risk flags."""
        rows = out.rows
        orders = {r[2] for r in rows["requirement"][first["requirement"]:] if r[1] == event_id}
        orders |= {r[2] for r in rows["licence_condition"][first["licence_condition"]:] if r[1] == event_id}
        facts = set(orders) & {"curfew", "unpaid_work", "rar", "disclose_relationships"}
        if orders & {"drug_treatment", "alcohol_treatment", "mental_health_treatment", "drug_testing"}:
            facts.add("treatment")
        partner = False
        for r in rows["relationship"][first["relationship"]:]:
            if r[2] == "child":
                facts.add("children")
                if r[8]:
                    facts.add("children_at_home")
            elif r[2] == "ex_partner":
                facts.add("ex_partner")
            elif r[2] == "partner" and r[7] is None:
                partner = True
        facts.update(name for name, present in (("domestic_abuse", risk.domestic_abuse),
                                                ("child_protection", risk.child_protection), ("male", who.male))
                     if present)
        if who.male:  # the signal notes about partners are written of men with women partners
            facts.update(name for name, present in (
                ("man_single", not partner),
                ("man_single_unconditioned", not partner and "disclose_relationships" not in orders),
                ("man_with_partner", partner), ("da_man_with_partner", partner and risk.domestic_abuse),
                ("man_with_ex_partner", "ex_partner" in facts),
                ("victim_conditions", bool(orders & {"non_contact", "exclusion_zone"})),
            ) if present)
        return frozenset(facts)

    def _notes(self, facts: frozenset[str]) -> dict[str, tuple[str, ...]]:
        """The notes a case with these facts may have, by kind (worked out once per set of facts)."""
        known = self._notes_for.get(facts)
        if known is None:
            known = self._notes_for[facts] = {
                kind: tuple(text for text, needs in pool if needs is None or needs in facts)
                for kind, pool in (("attended", ref.NOTES_ATTENDED), ("home_visit", ref.NOTES_HOME_VISIT),
                                   ("telephone", ref.NOTES_PHONE), ("acceptable", ref.NOTES_FTA_ACCEPTABLE),
                                   ("unacceptable", ref.NOTES_FTA_UNACCEPTABLE), ("rescheduled", ref.NOTES_RESCHEDULED),
                                   ("other_agency", ref.NOTES_OTHER_AGENCY), ("general", ref.NOTES_GENERAL),
                                   ("third_party", ref.NOTES_THIRD_PARTY))
            }
        return known

    def _signal_notes(self, facts: frozenset[str]) -> dict[str, tuple[str, ...]]:
        """The notes with warning signs a case with these facts may have, by kind (worked out once per set)."""
        known = self._signal_notes_for.get(facts)
        if known is None:
            known = self._signal_notes_for[facts] = {
                kind: tuple(text for text, needs in pool if needs is None or needs in facts)
                for kind, pool in SIGNAL_POOLS.items()
            }
        return known

    def hits(self, text: str) -> tuple[SignalHit, ...]:
        """What a signal note raises: read by the signal scan once per text (the notes come from fixed pools), the
        first hit of each signal as a note prompts them."""
        known = self._hits.get(text)
        if known is None:
            known = self._hits[text] = first_hits(signals_scan(text))
        return known

    def _work_items(self, out: Chunk, who: Someone, first: dict[str, int], history: ContactHistory,
                    sentence: wi.SentenceFacts, risk: Risk) -> None:
        """The case's work items: its record (the rows from ``first`` on) replayed through the work-item rules."""
        rows = out.rows
        event_id = sentence.id
        allocations = [(dt.date.fromisoformat(a[4]), self.staff_names[a[2]])
                       for a in rows["allocation"][first["allocation"]:] if a[1] == event_id]
        registrations = [wi.RegistrationFacts(r[0], r[2], dt.date.fromisoformat(r[5]),
                                              dt.date.fromisoformat(r[7]) if r[7] else None)
                         for r in rows["registration"][first["registration"]:]]
        relationships = rows["relationship"][first["relationship"]:]
        household = household_moves(((r[0], r[2], dt.date.fromisoformat(r[6]), r[8]) for r in relationships),
                                    sentence)
        signal_notes = [SignalNote(day, ctype, contact_id, self.hits(text))
                        for day, ctype, contact_id, text, _stamp in history.signalled]
        stamps = {contact_id: stamp for _day, _type, contact_id, _text, stamp in history.signalled}
        record = CaseRecord(
            sentence=sentence, allocations=allocations, registrations=registrations, household=household,
            contacts=history.outcomes, history_from=history.window_start, rosh=risk.rosh, signal_notes=signal_notes,
            disclose_relationships=[(_day(c[4]), _day(c[5])) for c in rows["licence_condition"][
                first["licence_condition"]:] if c[1] == event_id and c[2] == "disclose_relationships"],
            children_at_home=[dt.date.fromisoformat(r[6]) for r in relationships
                              if r[2] == "child" and r[8] and r[7] is None],
        )
        self.write_work(out, who.person_id, who.team, who.holder, record, None, stamps)

    def write_work(self, out: Chunk, person_id: int, team: int, holder: int, record: CaseRecord,
                   plans: Plans | None, stamps: dict[int, str]) -> None:
        """A case's work items (its record replayed, with the practitioner's work drawn from the chunk's own
        generator or ``plans``), the evidence of each warning sign and each review's disposition. ``stamps``: when
        each contact with a warning sign was recorded."""
        rows = out.rows
        team_id = self.team_ids[team]
        owners = {"practitioner": self.staff_ids[holder], "spo": self.staff_ids[self.team_spo[team]]}
        at, out_rows, keys = self.stamps.at, rows["work_item"], self.keys
        work = case_work_items(record, as_of=self.as_of, rng=self.work_rng, chosen_preset=self.timescale_preset,
                               plans=plans)
        item_ids: dict[str, int] = {}
        for item in work.items:
            due = item.due
            item_ids[item.key] = key = keys("work_item")
            out_rows.append((
                key, person_id, due.kind.value, item.status, due.due_date.isoformat(),
                due.due_at.isoformat() if due.due_at else None, due.owner.value, owners.get(due.owner.value),
                team_id, due.rule_id, due.policy_version, due.trigger.value, due.clock_started_on.isoformat(),
                due.reason, item.event_id, item.relationship_id, at(item.made_on, 8 * 60),
                item.closed_on.isoformat() if item.closed_on else None, item.cancel_reason, item.note,
                item.attended_clock_started, item.signal,
            ))
        if not work.grouped:
            return
        found = {(note.contact_id, hit.signal): hit for note in record.signal_notes for hit in note.hits}
        for review_key, signal, contact_id in work.grouped:
            hit = found[(contact_id, signal)]
            rows["signal_evidence"].append((
                keys("signal_evidence"), person_id, item_ids[review_key], contact_id, signal, hit.severity,
                hit.evidence[:300], hit.sentence, hit.rule, self.signal_policy_version, stamps[contact_id],
            ))
        holder_id = self.staff_ids[holder]
        for review_key, disposition in work.dispositions.items():
            linked = item_ids[disposition.linked_key] if disposition.linked_key else None
            rows["signal_disposition"].append((
                keys("signal_disposition"), item_ids[review_key], disposition.outcome, linked, None,
                disposition.details, holder_id, at(disposition.on, 15 * 60),
            ))

    def _someone(self, rng: random.Random, index: int) -> Someone:
        """Who the index-th person is: their holder and team (from the caseload slots), name, sex and age."""
        holder = self.slots[index]
        team = self.plan.staff[holder].team
        assert team is not None
        person_id = self.keys("person")
        male = rng.random() < 0.85
        first_name = rng.choice(ref.MALE_FIRST_NAMES if male else ref.FEMALE_FIRST_NAMES)
        last_name = rng.choice(ref.LAST_NAMES)
        age = 18 + int(57 * rng.betavariate(1.6, 4.2))
        dob = self.as_of - dt.timedelta(days=int(age * 365.25) + rng.randrange(365))
        return Someone(index=index, person_id=person_id, holder=holder, team=team, male=male, first_name=first_name,
                       last_name=last_name, age=age, date_of_birth=dob)

    def _events(self, rng: random.Random, out: Chunk, who: Someone, sentence_type: str, category: str,
                active: SentenceDates, risk: Risk) -> int:
        """An older, finished event for some, then the active one with its requirements or licence conditions;
        returns the active event's key."""
        event_number = 1
        if rng.random() < 0.13:
            self._earlier_event(rng, out, who.person_id, who.team, active.sentence_date, category)
            event_number = 2
        event_id = self.keys("event")
        offence_code = rng.choice(self.codes[category])
        release_date = active.release_date
        out.rows["event"].append((
            event_id, who.person_id, event_number, offence_code, category, active.conviction_date.isoformat(),
            active.sentence_date.isoformat(), sentence_type, active.length,
            release_date.isoformat() if release_date else None, active.expected_end.isoformat(), None, "", 1,
            "determinate", "", None,
        ))
        draw_orders(rng, self.keys, out, event_id, sentence_type, active.sentence_date, release_date,
                    active.expected_end, risk.domestic_abuse, category, risk.rosh)
        return event_id

    def _allocations(self, rng: random.Random, out: Chunk, who: Someone, event_id: int,
                     sentence_date: dt.date) -> tuple[int | None, dt.date]:
        """The open allocation matches Person.team/practitioner; some cases were transferred within the team.
        Returns the earlier holder (if any) and when the current one took the case."""
        as_of = self.as_of
        team_id = self.team_ids[who.team]
        colleagues = self.team_practitioners[who.team]
        alloc_start = sentence_date
        previous_holder = None
        if len(colleagues) > 1 and rng.random() < 0.2 and (as_of - sentence_date).days > 60:
            previous_holder = rng.choice([c for c in colleagues if c != who.holder])
            alloc_start = sentence_date + dt.timedelta(days=rng.randint(21, (as_of - sentence_date).days - 14))
            out.rows["allocation"].append((self.keys("allocation"), event_id, self.staff_ids[previous_holder],
                                           team_id, sentence_date.isoformat(), alloc_start.isoformat(), "New event"))
        out.rows["allocation"].append((
            self.keys("allocation"), event_id, self.staff_ids[who.holder], team_id, alloc_start.isoformat(), None,
            "Transfer within the team: caseload balancing" if previous_holder else "New event",
        ))
        return previous_holder, alloc_start

    def _registrations(self, rng: random.Random, out: Chunk, person_id: int, conviction_date: dt.date,
                       risk: Risk) -> None:
        """The RoSH registration (sometimes after an earlier level), MAPPA, the flags and complexity factors."""
        as_of = self.as_of
        reg_start = max(conviction_date, as_of - dt.timedelta(days=rng.randint(0, 200)))
        if rng.random() < 0.15 and (reg_start - conviction_date).days > 60:
            old_level = rng.choice([lv for lv in ROSH_LEVELS[:3] if lv != risk.rosh])
            old_start = conviction_date + dt.timedelta(days=rng.randint(0, (reg_start - conviction_date).days - 30))
            self._registration(out, person_id, ROSH_CODES[old_level], old_start, end=reg_start)
        self._registration(out, person_id, ROSH_CODES[risk.rosh], reg_start)
        if risk.mappa:
            self._registration(out, person_id, "MAPP", reg_start, level=risk.mappa[0], category=risk.mappa[1])
        flags = [("ADVP", risk.domestic_abuse), ("RCPR", risk.child_protection), ("SPO", risk.stalking),
                 ("IIOM", risk.iom)]
        for code, present in flags:
            if present:
                self._registration(out, person_id, code, max(conviction_date, reg_start - dt.timedelta(
                    days=rng.randint(0, 90))))
        for code in risk.complexity:
            self._registration(out, person_id, code, reg_start)

    def _registration(self, out: Chunk, person_id: int, code: str, start: dt.date, *, level: str = "",
                      category: str = "", end: dt.date | None = None) -> None:
        review = add_months(start, 6)
        out.rows["registration"].append((
            self.keys("registration"), person_id, code, level, category, start.isoformat(),
            None if end else review.isoformat(), end.isoformat() if end else None, "", 1,
        ))

    def _addresses(self, rng: random.Random, out: Chunk, who: Someone) -> None:
        """The current address in the team's PDU, and for some an earlier one."""
        pdu = self.plan.pdus[self.pdu_of_team[who.team]]
        rows = out.rows["address"]
        current_from = self.as_of - dt.timedelta(days=rng.randint(20, 2200))
        number = rng.randint(1, 180)
        flat = rng.choice(ref.FLAT_PREFIXES) + ", " if rng.random() < 0.3 else ""
        rows.append((self.keys("address"), who.person_id, f"{flat}{number} {rng.choice(ref.STREET_NAMES)}", "",
                     pdu.town, self.postcode(rng, pdu.postcode_area), current_from.isoformat(), None))
        if rng.random() < 0.45:
            previous_from = current_from - dt.timedelta(days=rng.randint(200, 2500))
            rows.append((self.keys("address"), who.person_id, f"{rng.randint(1, 180)} {rng.choice(ref.STREET_NAMES)}",
                         "", pdu.town, self.postcode(rng, pdu.postcode_area), previous_from.isoformat(),
                         current_from.isoformat()))

    @staticmethod
    def postcode(rng: random.Random, area: str) -> str:
        letters = ref.POSTCODE_LETTERS
        return f"{area}{rng.randint(1, 19)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"

    def _access_list(self, rng: random.Random, out: Chunk, who: Someone) -> None:
        """Restricted cases: a restriction list (holder and SPO only) or an exclusion list (a colleague)."""
        colleagues = self.team_practitioners[who.team]
        roll = rng.random()
        if roll < 0.005:
            out.restricted += 1
            reason = rng.choice(("Family member of a member of staff", "High-profile case: media interest"))
            for staff_index in (who.holder, self.team_spo[who.team]):
                out.rows["case_access"].append((self.keys("case_access"), who.person_id, self.staff_ids[staff_index],
                                                "restriction", reason))
        elif roll < 0.01 and len(colleagues) > 1:
            out.restricted += 1
            other = rng.choice([c for c in colleagues if c != who.holder])
            out.rows["case_access"].append((self.keys("case_access"), who.person_id, self.staff_ids[other],
                                            "exclusion", "Knows the person outside work"))


    def _earlier_event(self, rng: random.Random, out: Chunk, person_id: int, team: int, before: dt.date,
                       category: str) -> None:
        """A finished event: completed, revoked or (for a licence) recalled, ended before the current one."""
        event_id = self.keys("event")
        sentence_type = rng.choice(("community_order", "community_order", "community_order", "licence",
                                    "suspended_sentence_order"))
        length = rng.choice((12, 12, 18, 24))
        termination = before - dt.timedelta(days=rng.randint(60, 900))
        roll = rng.random()
        reason = "completed" if roll < 0.7 else ("recalled" if sentence_type == "licence" else "revoked")
        if reason == "completed":
            sentence = add_months(termination, -length)
            termination = add_months(sentence, length)
        else:
            sentence = add_months(termination, -rng.randint(2, length))
        release = sentence if sentence_type == "licence" else None
        code = rng.choice(self.codes[category if rng.random() < 0.5 else _pick(rng, self.category_table)])
        out.rows["event"].append((
            event_id, person_id, 1, code, offence_table()[code].ogrs3_category, sentence.isoformat(),
            sentence.isoformat(), sentence_type, length, release.isoformat() if release else None,
            add_months(sentence, length).isoformat(), termination.isoformat(), reason, 1, "determinate", "", None,
        ))
        if sentence_type != "licence":
            out.rows["requirement"].append((self.keys("requirement"), event_id, "unpaid_work",
                                            rng.choice((60, 80, 100, 120, 150)), sentence.isoformat(),
                                            termination.isoformat()))
        holder = rng.choice(self.team_practitioners[team])
        out.rows["allocation"].append((self.keys("allocation"), event_id, self.staff_ids[holder],
                                       self.team_ids[team], sentence.isoformat(), termination.isoformat(),
                                       "New event"))


class ContactHistory:
    """One person's contacts: a year (at most) before ``as_of``, then one or two booked appointments."""

    def __init__(self, cases: CaseGenerator, rng: random.Random, out: Chunk, who: Someone, event_id: int,
                 previous_holder: int | None, alloc_start: dt.date, notes: dict[str, tuple[str, ...]],
                 signal_notes: dict[str, tuple[str, ...]]) -> None:
        self.rng = rng
        self.notes = notes  # the notes that fit the case, by kind
        self.signal_notes = signal_notes  # the notes with warning signs that fit it, by kind
        self.signal_rng = cases.signal_rng
        self.rows = out.rows["contact"]
        self.as_of = cases.as_of
        self.keys, self.at = cases.keys, cases.stamps.at
        self.staff_ids = cases.staff_ids
        self.colleagues = cases.team_practitioners[who.team]
        self.person_id, self.event_id = who.person_id, event_id
        self.holder_id = cases.staff_ids[who.holder]
        self.previous_id = cases.staff_ids[previous_holder] if previous_holder is not None else self.holder_id
        self.alloc_start = alloc_start
        self.window_start = cases.as_of
        self.visit_due: dt.date | None = None  # the day from which the next appointment is a home visit
        # (day, type, outcome, id) of the contacts with an outcome, for the work-item rules
        self.outcomes: list[tuple[dt.date, str, str, int]] = []
        # (day, type, id, notes, timestamp) of the contacts written with a warning sign
        self.signalled: list[tuple[dt.date, str, int, str, str]] = []

    def add(self, day: dt.date, ctype: str, outcome: str, notes: str, minutes: int, kind: str = "") -> None:
        """A contact with whoever held the case that day (now and then the duty officer instead). A note of a
        ``kind`` that has signal notes for the case is, now and then, one of those instead (SIGNAL_SHARE)."""
        signal_notes = self.signal_notes.get(kind) if kind else None
        signalled = bool(signal_notes) and self.signal_rng.random() < SIGNAL_SHARE[kind]
        if signalled:
            assert signal_notes
            notes = self.signal_rng.choice(signal_notes)
        staff = self.previous_id if day < self.alloc_start else self.holder_id
        if self.rng.random() < 0.04:
            staff = self.staff_ids[self.rng.choice(self.colleagues)]  # seen by the duty officer
        stamp = self.at(day, minutes)
        key = self.keys("contact")
        self.rows.append((key, self.person_id, self.event_id, ctype, stamp, staff, outcome, notes, 1, stamp))
        self.outcomes.append((day, ctype, outcome, key))
        if signalled:
            self.signalled.append((day, ctype, key, notes, stamp))

    def write(self, sentence_type: str, supervision_start: dt.date, risk: Risk) -> None:
        window_start = self.window_start = max(supervision_start, self.as_of - dt.timedelta(days=365))
        if risk.domestic_abuse and window_start == supervision_start:
            self.add(window_start, "other_agency_information", "not_applicable", ref.NOTE_POLICE_CALL_OUTS, 11 * 60)
        if risk.child_protection and window_start == supervision_start:
            self.add(window_start, "other_agency_information", "not_applicable", ref.NOTE_CHILD_IN_NEED, 14 * 60)
        if sentence_type == "custody":
            self.in_prison(window_start)
            return
        high_contact = risk.rosh in ("high", "very_high") or risk.child_protection
        interval = APPOINTMENT_INTERVAL[risk.rosh]
        self.supervision(window_start, supervision_start, interval, high_contact)
        self.booked(interval, high_contact)

    def in_prison(self, window_start: dt.date) -> None:
        """In prison: keep in touch before release, mostly by notes and prison video calls."""
        rng, as_of = self.rng, self.as_of
        day = weekday(window_start + dt.timedelta(days=rng.randint(5, 30)))
        while day < as_of:
            if rng.random() < 0.5:
                self.add(day, "video", "attended_complied", "Video call with the person in prison: release plan "
                         "and accommodation discussed.", 10 * 60 + 30 * rng.randrange(10))
            else:
                self.add(day, "note", "not_applicable", rng.choice(self.notes["general"]),
                         9 * 60 + 30 * rng.randrange(14))
            day = weekday(day + dt.timedelta(days=rng.randint(35, 70)))
        next_day = weekday(as_of + dt.timedelta(days=rng.randint(1, 28)))
        self.add(next_day, "video", "", "Pre-release planning call.", 11 * 60)

    def supervision(self, window_start: dt.date, supervision_start: dt.date, interval: int,
                    high_contact: bool) -> None:
        """Appointments (weekly for six weeks, then by RoSH level) with their outcomes, and what comes between."""
        rng, as_of = self.rng, self.as_of
        induction_end = supervision_start + dt.timedelta(days=42)
        day = weekday(window_start + dt.timedelta(days=rng.randint(0, 6)))
        first = window_start == supervision_start  # the history starts with the induction
        while day < as_of:
            ctype, minutes = self._appointment_kind(high_contact)
            if first:
                ctype, first = "induction", False
            elif high_contact and self.visit_due is not None and day >= self.visit_due:
                ctype = "home_visit"
            roll = rng.random()
            if roll < 0.88:
                if ctype == "home_visit" and self.visit_due is not None:
                    self.visit_due = day + HOME_VISIT_PLANNED_AFTER
                kind = ctype if ctype in ("home_visit", "telephone") else "attended"
                self.add(day, ctype, "attended_complied", rng.choice(self.notes[kind]), minutes, kind)
            elif roll < 0.95:
                self.add(day, ctype, "failed_to_attend_acceptable", rng.choice(self.notes["acceptable"]), minutes)
            elif roll < 0.98:
                self.add(day, ctype, "failed_to_attend_unacceptable", rng.choice(self.notes["unacceptable"]), minutes)
            else:
                self.add(day, ctype, "rescheduled", rng.choice(self.notes["rescheduled"]), minutes)
                day = weekday(day + dt.timedelta(days=rng.randint(2, 6)))
                continue
            gap = 7 if day < induction_end else interval + rng.randint(-3, 4)
            if rng.random() < 0.28:  # something recorded between appointments
                self._between(weekday(day + dt.timedelta(days=rng.randint(1, max(1, gap - 1)))))
            day = weekday(day + dt.timedelta(days=gap))

    def _appointment_kind(self, high_contact: bool) -> tuple[str, int]:
        rng = self.rng
        roll = rng.random()
        if high_contact and roll < 0.18:
            return "home_visit", 10 * 60 + 30 * rng.randrange(11)
        phone_until = 0.28 if high_contact else 0.15  # most supervision is face to face
        if roll < phone_until:
            return "telephone", 9 * 60 + 15 * rng.randrange(30)
        if roll < phone_until + 0.03:
            return "video", 9 * 60 + 30 * rng.randrange(15)
        return "office_appointment", 9 * 60 + 30 * rng.randrange(16)

    def _between(self, day: dt.date) -> None:
        """A note, another agency's information or a third party's report between appointments."""
        if day >= self.as_of:
            return
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            self.add(day, "note", "not_applicable", rng.choice(self.notes["general"]), 9 * 60 + 20 * rng.randrange(24))
        elif roll < 0.9:
            self.add(day, "other_agency_information", "not_applicable", rng.choice(self.notes["other_agency"]),
                     9 * 60 + 20 * rng.randrange(24), "other_agency")
        else:
            self.add(day, "third_party_report", "not_applicable", rng.choice(self.notes["third_party"]),
                     9 * 60 + 20 * rng.randrange(24), "third_party")

    def booked(self, interval: int, high_contact: bool) -> None:
        """Booked appointments: no outcome yet, so the caseload's "next appointment" is filled."""
        rng, as_of, at = self.rng, self.as_of, self.at
        booked = weekday(as_of + dt.timedelta(days=rng.randint(1, min(interval, 14))))
        for _ in range(1 if rng.random() < 0.5 else 2):
            ctype = "home_visit" if high_contact and rng.random() < 0.2 else "office_appointment"
            stamp = at(booked, 9 * 60 + 30 * rng.randrange(16))
            made = at(as_of - dt.timedelta(days=rng.randint(1, 14)), 10 * 60 + rng.randrange(300))
            self.rows.append((self.keys("contact"), self.person_id, self.event_id, ctype, stamp, self.holder_id, "",
                              rng.choice(ref.NOTES_FUTURE), 1, made))
            booked = weekday(booked + dt.timedelta(days=interval))


# ---- making chunks in other processes --------------------------------------------------------------------------
# The loader may make chunks in worker processes (each chunk depends only on the seed, the date, the plan and its
# own key range, so the rows are the same wherever it is made). These run in the worker.

_WORKER_GENERATOR: CaseGenerator | None = None


def start_worker(settings: dict[str, object]) -> None:
    """A worker's start: build the generator once from the loader's settings (the ``CaseGenerator`` arguments)."""
    global _WORKER_GENERATOR
    _WORKER_GENERATOR = CaseGenerator(**settings)  # type: ignore[arg-type]


def worker_chunk(start: int, stop: int) -> Chunk:
    assert _WORKER_GENERATOR is not None, "start_worker runs first"
    return _WORKER_GENERATOR.chunk(start, stop)

