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

from openprobation.demo import reference as ref
from openprobation.demo.plan import OrgPlan
from openprobation.rules.dates import add_months
from openprobation.rules.offences import offence_table

# Rows are generated this many people at a time; part of the determinism contract (a chunk has its own generator).
CHUNK_SIZE = 10_000

# Field names per table, in the order the generator fills each row tuple.
PERSON_FIELDS = ("id", "crn", "first_name", "last_name", "date_of_birth", "gender", "team_id", "practitioner_id",
                 "tier", "version", "created_at", "mobile_number", "email", "sms_reminders", "email_reminders")
ADDRESS_FIELDS = ("id", "person_id", "line1", "line2", "town", "postcode", "start_date", "end_date")
RELATIONSHIP_FIELDS = ("id", "person_id", "relationship", "first_name", "last_name", "date_of_birth", "start_date",
                       "end_date", "lives_in_household", "potential_victim", "notes", "version")
CASE_ACCESS_FIELDS = ("id", "person_id", "staff_id", "kind", "reason")
EVENT_FIELDS = ("id", "person_id", "number", "offence_code", "offence_category", "conviction_date",
                "sentence_date", "sentence_type", "length_months", "release_date", "expected_end_date",
                "termination_date", "termination_reason", "version")
REQUIREMENT_FIELDS = ("id", "event_id", "type", "length", "start_date", "end_date")
LICENCE_CONDITION_FIELDS = ("id", "event_id", "type", "details", "start_date", "end_date")
ALLOCATION_FIELDS = ("id", "event_id", "practitioner_id", "team_id", "start_date", "end_date", "reason")
REGISTRATION_FIELDS = ("id", "person_id", "code", "level", "category", "start_date", "review_date", "end_date",
                       "notes", "version")
CONTACT_FIELDS = ("id", "person_id", "event_id", "type", "date", "staff_id", "outcome", "notes", "version",
                  "created_at")

# Table keys in the order they must be written (parents first).
TABLES = ("person", "address", "relationship", "case_access", "event", "requirement", "licence_condition",
          "allocation", "registration", "contact")

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
APPOINTMENT_INTERVAL = {"low": 28, "medium": 21, "high": 14, "very_high": 7}
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

    rows: dict[str, list[tuple[object, ...]]] = field(default_factory=lambda: defaultdict(list))
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


def demo_reminder_details(index: int, first_name: str, last_name: str) -> tuple[str, str, bool, bool]:
    """Mobile number, email and consent to text and email reminders for the demo's ``index``-th person, by position
    (no random draw, so the rest of the demo is unchanged): two in five agreed to text messages and one in five to
    email, with numbers from Ofcom's range for drama (07700 900000 to 900999) and addresses at example.com."""
    sms, email = index % 5 in (0, 1), index % 5 == 2
    mobile = f"07700900{index % 1000:03d}" if sms or index % 5 == 3 else ""
    address = f"{first_name}.{last_name}@example.com".lower().replace(" ", "").replace("'", "") if email else ""
    return mobile, address, sms, email


class CaseGenerator:
    """Makes the rows for people ``start`` to ``stop`` of a demo build. Keys are assigned from ``first_ids``."""

    def __init__(self, *, plan: OrgPlan, slots: Sequence[int], seed: int, as_of: dt.date, datetime_suffix: str,
                 staff_ids: Sequence[int], team_ids: Sequence[int], first_ids: dict[str, int]) -> None:
        self.plan = plan
        self.slots = slots
        self.seed = seed
        self.as_of = as_of
        self.suffix = datetime_suffix
        self.staff_ids = staff_ids
        self.team_ids = team_ids
        self.next_ids = dict(first_ids)
        self.sentence_table = _cumulative(SENTENCE_TYPES)
        self.category_table = _cumulative(OFFENCE_CATEGORIES)
        self.codes = _offence_codes()
        crn_rng = random.Random(f"openprobation-demo:{seed}:crn")
        multiplier = crn_rng.randrange(1_000_003, CRN_SPACE)
        while gcd(multiplier, CRN_SPACE) != 1:
            multiplier += 1
        self.crn_multiplier, self.crn_offset = multiplier, crn_rng.randrange(CRN_SPACE)
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

    # -- small helpers -------------------------------------------------------------------------------------------

    def crn(self, index: int) -> str:
        """A CRN for the index-th person: an affine permutation of letter+6 digits, so unique without a lookup."""
        value = (self.crn_multiplier * index + self.crn_offset) % CRN_SPACE
        return f"{chr(65 + value // 1_000_000)}{value % 1_000_000:06d}"

    def _id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def at(self, day: dt.date, minutes: int) -> str:
        """A UTC timestamp string for ``minutes`` after midnight, London time, on ``day``."""
        start, end = _bst(day.year)
        minutes -= 60 if start <= day < end else 0
        return f"{day.isoformat()} {minutes // 60:02d}:{minutes % 60:02d}:00{self.suffix}"

    @staticmethod
    def weekday(day: dt.date) -> dt.date:
        wd = day.weekday()
        return day + dt.timedelta(days=7 - wd) if wd >= 5 else day

    def postcode(self, rng: random.Random, area: str) -> str:
        letters = ref.POSTCODE_LETTERS
        return f"{area}{rng.randint(1, 19)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"

    # -- one chunk ------------------------------------------------------------------------------------------------

    def chunk(self, start: int, stop: int) -> Chunk:
        rng = random.Random(f"openprobation-demo:{self.seed}:people:{start}")
        out = Chunk()
        for index in range(start, stop):
            self._person(rng, index, out)
        return out

    def _person(self, rng: random.Random, index: int, out: Chunk) -> None:
        as_of = self.as_of
        rows = out.rows
        holder = self.slots[index]
        holder_plan = self.plan.staff[holder]
        assert holder_plan.team is not None
        team = holder_plan.team
        holder_id, team_id = self.staff_ids[holder], self.team_ids[team]
        pdu = self.plan.pdus[self.pdu_of_team[team]]
        person_id = self._id("person")

        male = rng.random() < 0.85
        first_name = rng.choice(ref.MALE_FIRST_NAMES if male else ref.FEMALE_FIRST_NAMES)
        last_name = rng.choice(ref.LAST_NAMES)
        age = 18 + int(57 * rng.betavariate(1.6, 4.2))
        dob = as_of - dt.timedelta(days=int(age * 365.25) + rng.randrange(365))

        # The current event.
        sentence_type = _pick(rng, self.sentence_table)
        category = _pick(rng, self.category_table)
        active = self._sentence(rng, sentence_type)
        sentence_date, release_date = active.sentence_date, active.release_date

        # Risk: RoSH by who holds the case, raised for sexual and some violent offences.
        roll, cum, rosh = rng.random(), 0.0, "medium"
        for level, p in zip(ROSH_LEVELS, ROSH_BY_GRADE[holder_plan.grade], strict=True):
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

        # Tier (two-axis, as hmpps-tier's V2): protect letter from RoSH/MAPPA, change digit from needs.
        protect = {"very_high": "A", "high": "B", "medium": "C", "low": "D"}[rosh]
        if mappa and mappa[0] in ("M2", "M3"):
            protect = "A"
        elif protect == "D" and len(complexity) + child_protection >= 2:
            protect = "C"
        if sentence_type == "custody":
            change = "0"
        else:
            roll = rng.random()
            change = "1" if roll < 0.3 else "2" if roll < 0.72 else "3"
        tier = protect + change

        # Events: an older, finished one for some, then the active one.
        event_number = 1
        active_event_id = 0
        earlier = rng.random() < 0.13
        if earlier:
            self._earlier_event(rng, out, person_id, team, sentence_date, category)
            event_number = 2
        active_event_id = self._id("event")
        offence_category = category
        offence_code = rng.choice(self.codes[offence_category])
        rows["event"].append((
            active_event_id, person_id, event_number, offence_code, offence_category,
            active.conviction_date.isoformat(), sentence_date.isoformat(), sentence_type, active.length,
            release_date.isoformat() if release_date else None, active.expected_end.isoformat(), None, "", 1,
        ))
        supervision_start = release_date if sentence_type in ("licence", "post_sentence_supervision") else sentence_date
        assert supervision_start is not None
        self._requirements_and_conditions(rng, out, active_event_id, sentence_type, sentence_date, release_date,
                                          active.expected_end, da, category, rosh)

        # Allocation: the open row matches Person.team/practitioner; some cases were transferred within the team.
        colleagues = self.team_practitioners[team]
        alloc_start = sentence_date
        previous_holder = None
        if len(colleagues) > 1 and rng.random() < 0.2 and (as_of - sentence_date).days > 60:
            previous_holder = rng.choice([c for c in colleagues if c != holder])
            alloc_start = sentence_date + dt.timedelta(days=rng.randint(21, (as_of - sentence_date).days - 14))
            rows["allocation"].append((self._id("allocation"), active_event_id, self.staff_ids[previous_holder],
                                       team_id, sentence_date.isoformat(), alloc_start.isoformat(), "New event"))
        rows["allocation"].append((self._id("allocation"), active_event_id, holder_id, team_id,
                                   alloc_start.isoformat(), None,
                                   "Transfer within the team: caseload balancing" if previous_holder else "New event"))

        created_at = self.at(min(sentence_date, as_of), 9 * 60 + 30)
        rows["person"].append((person_id, self.crn(index), first_name, last_name, dob.isoformat(),
                               "male" if male else "female", team_id, holder_id, tier, 1, created_at,
                               *demo_reminder_details(index, first_name, last_name)))

        # Registrations.
        conviction_date = active.conviction_date
        reg_start = max(conviction_date, as_of - dt.timedelta(days=rng.randint(0, 200)))
        if rng.random() < 0.15 and (reg_start - conviction_date).days > 60:
            old_level = rng.choice([lv for lv in ROSH_LEVELS[:3] if lv != rosh])
            old_start = conviction_date + dt.timedelta(days=rng.randint(0, (reg_start - conviction_date).days - 30))
            self._registration(out, person_id, ROSH_CODES[old_level], old_start, end=reg_start)
        self._registration(out, person_id, ROSH_CODES[rosh], reg_start)
        if mappa:
            self._registration(out, person_id, "MAPP", reg_start, level=mappa[0], category=mappa[1])
        flags = [("ADVP", da), ("RCPR", child_protection), ("SPO", stalking), ("IIOM", iom)]
        for code, present in flags:
            if present:
                self._registration(out, person_id, code, max(conviction_date, reg_start - dt.timedelta(
                    days=rng.randint(0, 90))))
        for code in complexity:
            self._registration(out, person_id, code, reg_start)

        # Addresses.
        current_from = as_of - dt.timedelta(days=rng.randint(20, 2200))
        number = rng.randint(1, 180)
        flat = rng.choice(ref.FLAT_PREFIXES) + ", " if rng.random() < 0.3 else ""
        rows["address"].append((self._id("address"), person_id, f"{flat}{number} {rng.choice(ref.STREET_NAMES)}", "",
                                pdu.town, self.postcode(rng, pdu.postcode_area), current_from.isoformat(), None))
        if rng.random() < 0.45:
            previous_from = current_from - dt.timedelta(days=rng.randint(200, 2500))
            rows["address"].append((self._id("address"), person_id,
                                    f"{rng.randint(1, 180)} {rng.choice(ref.STREET_NAMES)}", "", pdu.town,
                                    self.postcode(rng, pdu.postcode_area), previous_from.isoformat(),
                                    current_from.isoformat()))

        self._household(rng, out, person_id, male, last_name, dob, age, da, child_protection)

        # Restricted cases: a restriction list (holder and SPO only) or an exclusion list (a colleague).
        roll = rng.random()
        if roll < 0.005:
            out.restricted += 1
            reason = rng.choice(("Family member of a member of staff", "High-profile case: media interest"))
            for staff_index in (holder, self.team_spo[team]):
                rows["case_access"].append((self._id("case_access"), person_id, self.staff_ids[staff_index],
                                            "restriction", reason))
        elif roll < 0.01 and len(colleagues) > 1:
            out.restricted += 1
            other = rng.choice([c for c in colleagues if c != holder])
            rows["case_access"].append((self._id("case_access"), person_id, self.staff_ids[other], "exclusion",
                                        "Knows the person outside work"))

        high_contact = rosh in ("high", "very_high") or child_protection
        self._contacts(rng, out, person_id, active_event_id, sentence_type, supervision_start, rosh, high_contact,
                       da, child_protection, holder, previous_holder, alloc_start, team)

    def _sentence(self, rng: random.Random, sentence_type: str) -> SentenceDates:
        """Dates and length of a current sentence of the given type, so that it is running on ``as_of``."""
        as_of = self.as_of
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

    def _earlier_event(self, rng: random.Random, out: Chunk, person_id: int, team: int, before: dt.date,
                       category: str) -> None:
        """A finished event: completed, revoked or (for a licence) recalled, ended before the current one."""
        event_id = self._id("event")
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
            add_months(sentence, length).isoformat(), termination.isoformat(), reason, 1,
        ))
        if sentence_type != "licence":
            out.rows["requirement"].append((self._id("requirement"), event_id, "unpaid_work",
                                            rng.choice((60, 80, 100, 120, 150)), sentence.isoformat(),
                                            termination.isoformat()))
        holder = rng.choice(self.team_practitioners[team])
        out.rows["allocation"].append((self._id("allocation"), event_id, self.staff_ids[holder],
                                       self.team_ids[team], sentence.isoformat(), termination.isoformat(),
                                       "New event"))

    def _requirements_and_conditions(self, rng: random.Random, out: Chunk, event_id: int, sentence_type: str,
                                     sentence: dt.date, release: dt.date | None, end: dt.date, da: bool,
                                     category: str, rosh: str) -> None:
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
                rows["requirement"].append((self._id("requirement"), event_id, rtype, length, start, finish))
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
                rows["licence_condition"].append((self._id("licence_condition"), event_id, ctype, details, start,
                                                  finish))

    def _registration(self, out: Chunk, person_id: int, code: str, start: dt.date, *, level: str = "",
                      category: str = "", end: dt.date | None = None) -> None:
        review = add_months(start, 6)
        out.rows["registration"].append((
            self._id("registration"), person_id, code, level, category, start.isoformat(),
            None if end else review.isoformat(), end.isoformat() if end else None, "", 1,
        ))

    def _household(self, rng: random.Random, out: Chunk, person_id: int, male: bool, last_name: str,
                   dob: dt.date, age: int, da: bool, child_protection: bool) -> None:
        as_of = self.as_of
        rows = out.rows
        partner_names = ref.FEMALE_FIRST_NAMES if male else ref.MALE_FIRST_NAMES
        lives_with_partner = False
        adult_from = dob + dt.timedelta(days=16 * 365)
        if rng.random() < 0.30:
            start = max(adult_from, as_of - dt.timedelta(days=rng.randint(60, 3650)))
            lives_with_partner = rng.random() < 0.55
            rows["relationship"].append((
                self._id("relationship"), person_id, "partner", rng.choice(partner_names), rng.choice(ref.LAST_NAMES),
                (dob + dt.timedelta(days=rng.randint(-2500, 2500))).isoformat(), start.isoformat(), None,
                lives_with_partner, da, "Partner named in a police call-out" if da and rng.random() < 0.4 else "", 1,
            ))
        if rng.random() < 0.18:
            start = max(adult_from, as_of - dt.timedelta(days=rng.randint(700, 5000)))
            end = min(as_of, start + dt.timedelta(days=rng.randint(180, 2500)))
            rows["relationship"].append((
                self._id("relationship"), person_id, "ex_partner", rng.choice(partner_names),
                rng.choice(ref.LAST_NAMES), None, start.isoformat(), end.isoformat(), False, da,
                "Victim of the index offence" if da and rng.random() < 0.5 else "", 1,
            ))
        if age >= 19 and rng.random() < 0.35:
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                child_age = rng.randint(0, min(17, age - 17))
                child_dob = as_of - dt.timedelta(days=child_age * 365 + rng.randrange(365))
                lives = rng.random() < (0.6 if lives_with_partner else 0.15)
                rows["relationship"].append((
                    self._id("relationship"), person_id, "child", rng.choice(ref.CHILD_FIRST_NAMES),
                    last_name if rng.random() < 0.6 else rng.choice(ref.LAST_NAMES), child_dob.isoformat(),
                    child_dob.isoformat(), None, lives, child_protection,
                    "Subject of a child protection plan" if child_protection else "", 1,
                ))
        if rng.random() < (0.45 if age < 25 else 0.15):
            rows["relationship"].append((
                self._id("relationship"), person_id, "parent", rng.choice(ref.FEMALE_FIRST_NAMES), last_name,
                None, dob.isoformat(), None, age < 25 and rng.random() < 0.5, False, "", 1,
            ))
        if rng.random() < 0.10:
            rows["relationship"].append((
                self._id("relationship"), person_id, "sibling", rng.choice(ref.SIBLING_FIRST_NAMES),
                last_name, None, dob.isoformat(), None, False, False, "", 1,
            ))

    def _contacts(self, rng: random.Random, out: Chunk, person_id: int, event_id: int, sentence_type: str,
                  supervision_start: dt.date, rosh: str, high_contact: bool, da: bool, child_protection: bool,
                  holder: int, previous_holder: int | None, alloc_start: dt.date, team: int) -> None:
        """A year (at most) of contacts before ``as_of``, then one or two booked appointments."""
        as_of = self.as_of
        rows = out.rows["contact"]
        staff_ids = self.staff_ids
        holder_id = staff_ids[holder]
        previous_id = staff_ids[previous_holder] if previous_holder is not None else holder_id
        colleagues = self.team_practitioners[team]
        at, weekday, new_id = self.at, self.weekday, self._id
        window_start = max(supervision_start, as_of - dt.timedelta(days=365))

        def add(day: dt.date, ctype: str, outcome: str, notes: str, minutes: int, staff: int | None = None) -> None:
            if staff is None:
                staff = previous_id if day < alloc_start else holder_id
                if rng.random() < 0.04:
                    staff = staff_ids[rng.choice(colleagues)]  # seen by the duty officer
            stamp = at(day, minutes)
            rows.append((new_id("contact"), person_id, event_id, ctype, stamp, staff, outcome, notes, 1, stamp))

        if da and window_start == supervision_start:
            add(window_start, "other_agency_information", "not_applicable", ref.NOTES_OTHER_AGENCY[0], 11 * 60)
        if child_protection and window_start == supervision_start:
            add(window_start, "other_agency_information", "not_applicable", ref.NOTES_OTHER_AGENCY[5], 14 * 60)

        if sentence_type == "custody":
            # In prison: keep in touch before release, mostly by notes and prison video calls.
            day = weekday(window_start + dt.timedelta(days=rng.randint(5, 30)))
            while day < as_of:
                if rng.random() < 0.5:
                    add(day, "video", "attended_complied", "Video call with the person in prison: release plan "
                        "and accommodation discussed.", 10 * 60 + 30 * rng.randrange(10))
                else:
                    add(day, "note", "not_applicable", rng.choice(ref.NOTES_GENERAL), 9 * 60 + 30 * rng.randrange(14))
                day = weekday(day + dt.timedelta(days=rng.randint(35, 70)))
            next_day = weekday(as_of + dt.timedelta(days=rng.randint(1, 28)))
            add(next_day, "video", "", "Pre-release planning call.", 11 * 60)
            return

        interval = APPOINTMENT_INTERVAL[rosh]
        induction_end = supervision_start + dt.timedelta(days=42)
        day = weekday(window_start + dt.timedelta(days=rng.randint(0, 6)))
        while day < as_of:
            roll = rng.random()
            if high_contact and roll < 0.18:
                ctype, minutes = "home_visit", 10 * 60 + 30 * rng.randrange(11)
            elif roll < 0.30:
                ctype, minutes = "telephone", 9 * 60 + 15 * rng.randrange(30)
            elif roll < 0.33:
                ctype, minutes = "video", 9 * 60 + 30 * rng.randrange(15)
            else:
                ctype, minutes = "office_appointment", 9 * 60 + 30 * rng.randrange(16)
            roll = rng.random()
            if roll < 0.88:
                notes_pool = ref.NOTES_HOME_VISIT if ctype == "home_visit" else (
                    ref.NOTES_PHONE if ctype == "telephone" else ref.NOTES_ATTENDED)
                add(day, ctype, "attended_complied", rng.choice(notes_pool), minutes)
            elif roll < 0.95:
                add(day, ctype, "failed_to_attend_acceptable", rng.choice(ref.NOTES_FTA_ACCEPTABLE), minutes)
            elif roll < 0.98:
                add(day, ctype, "failed_to_attend_unacceptable", rng.choice(ref.NOTES_FTA_UNACCEPTABLE), minutes)
            else:
                add(day, ctype, "rescheduled", rng.choice(ref.NOTES_RESCHEDULED), minutes)
                day = weekday(day + dt.timedelta(days=rng.randint(2, 6)))
                continue
            gap = 7 if day < induction_end else interval + rng.randint(-3, 4)
            if rng.random() < 0.28:  # something recorded between appointments
                between = weekday(day + dt.timedelta(days=rng.randint(1, max(1, gap - 1))))
                if between < as_of:
                    roll = rng.random()
                    if roll < 0.5:
                        add(between, "note", "not_applicable", rng.choice(ref.NOTES_GENERAL),
                            9 * 60 + 20 * rng.randrange(24))
                    elif roll < 0.9:
                        add(between, "other_agency_information", "not_applicable",
                            rng.choice(ref.NOTES_OTHER_AGENCY[1:]), 9 * 60 + 20 * rng.randrange(24))
                    else:
                        add(between, "third_party_report", "not_applicable", rng.choice(ref.NOTES_THIRD_PARTY),
                            9 * 60 + 20 * rng.randrange(24))
            day = weekday(day + dt.timedelta(days=gap))

        # Booked appointments: no outcome yet, so the caseload's "next appointment" is filled.
        booked = weekday(as_of + dt.timedelta(days=rng.randint(1, min(interval, 14))))
        for _ in range(1 if rng.random() < 0.5 else 2):
            ctype = "home_visit" if high_contact and rng.random() < 0.2 else "office_appointment"
            stamp = at(booked, 9 * 60 + 30 * rng.randrange(16))
            made = at(as_of - dt.timedelta(days=rng.randint(1, 14)), 10 * 60 + rng.randrange(300))
            rows.append((new_id("contact"), person_id, event_id, ctype, stamp, holder_id, "",
                         rng.choice(ref.NOTES_FUTURE), 1, made))
            booked = weekday(booked + dt.timedelta(days=interval))
