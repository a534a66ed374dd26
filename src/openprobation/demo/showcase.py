"""One fixed demo case that replays the pattern warning signs are for (docs/signals.md; docs/how-to/demo-data.md).

A man on life licence with a condition to disclose developing relationships: successive new partners mentioned at
supervision, never recorded; a partner telling the office she does not feel safe; a reduction in reporting asked for
days later; a community mental-health nurse reporting that he follows the partner to work at 4am. Every note is an
ordinary contact, every prompt is made by the work-item rules from the record (``casework``), exactly as live
recording would make it, so a new user opening the case sees the prompts working: open signal reviews quoting the
sentences, a RoSH review, the police to be told, recall to be considered by the SPO, and a reduction in reporting the
SPO cannot countersign while the partner's report is under review.

The case sits on the ``po`` sign-in's caseload with a fixed CRN and an obviously fictional name. Its dates are
relative to the load date; it draws nothing from the demo's random generators except the practitioner's reminders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openprobation.demo import casework
from openprobation.demo.casework import CaseRecord, SignalNote, first_hits
from openprobation.rules import work_item_decisions as rules
from openprobation.rules.dates import add_months
from openprobation.rules.signals import signals_scan
from openprobation.rules.timescale_types import ItemKind, Trigger

CRN = "X123456"
FIRST_NAME, LAST_NAME = "John", "Example"
AGE = 52
RELEASED_DAYS_AGO = 330
LIFE_TARIFF_MONTHS = 168

# What the notes say, by how many days before the load date (the nearest appointment for those seen in the office).
NEW_PARTNER_1 = "Attended. Mentioned he has been seeing a woman he met at church for a few weeks; says it is casual."
NEW_PARTNER_2 = "Attended. Says he split up with her last month. Now seeing a woman he met online."
NEW_PARTNER_3 = "Attended. Now with a new partner, Ms C, for about 2/52; says he will bring her details next time."
PARTNER_UNSAFE = (
    "Ms C phoned the office: says she does not feel safe around him at the moment and did not want to say more."
)
REDUCTION_ASKED = (
    "Attended. Asked for reporting to be reduced to monthly now that he has started work; says things with Ms C "
    "are fine."
)
NURSE_REPORT = (
    "Community mental health nurse phoned: Ms C told her he follows her to work at 4am and waits outside, and she "
    "is frightened of him."
)
STORY_AT_APPOINTMENTS = ((270, NEW_PARTNER_1), (190, NEW_PARTNER_2), (120, NEW_PARTNER_3))
STORY_LATELY = ((6, "third_party_report", "not_applicable", PARTNER_UNSAFE),
                (3, "office_appointment", "attended_complied", REDUCTION_ASKED),
                (1, "third_party_report", "not_applicable", NURSE_REPORT))
ORDINARY = (
    "Attended. Licence conditions explained again on release, including telling me about any new relationship.",
    "Attended. Settling in at the approved premises; engaged well.",
    "Attended. Working on the victim awareness material; engaged well.",
    "Attended. Discussed budgeting and the job search.",
    "Attended on time. Discussed progress with the sentence plan; no concerns raised.",
    "Reported as instructed. Remains at the same address. Next appointment given.",
)
HOME_VISIT = "Home visit. Flat clean and tidy; no one else present."
REDUCTION_REASON = "Has started work and reporting has gone well; monthly appointments asked for."
FIRST_FREQUENCY_REASON = "Fortnightly after the first six weeks on licence."
# Items made longer ago than this were done on time; since then the practitioner has told the police and decided on
# the partner's report (the day after), and nothing else yet.
SETTLED = dt.timedelta(days=14)
ACTED_ON_NEXT_DAY = frozenset({ItemKind.POLICE_NOTIFICATION, ItemKind.SIGNAL_REVIEW})


@dataclass(frozen=True)
class Showcase:
    """Where the case goes: its index among the demo's people, and who holds it."""

    index: int
    holder: int  # index into the plan's staff


def previous_weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def plans(
    item: rules.ReplayedItem, made_on: dt.date, record: CaseRecord, rng: Any, as_of: dt.date
) -> list[tuple[dt.date, int, rules.RecordEvent]]:
    """The practitioner's work on the case: everything made before the last fortnight done on time; since then
    the police told and each warning sign decided the day after it came in; the rest still to do."""
    due, kind = item.due, item.due.kind
    if kind in casework.CLOSED_BY_THE_RECORD:
        return []  # the contact history covers the whole licence
    earliest = max(due.clock_started_on, made_on)
    if made_on < as_of - SETTLED:
        done_on = min(due.due_date, earliest + dt.timedelta(days=2))
    elif kind in ACTED_ON_NEXT_DAY and made_on < as_of - dt.timedelta(days=4):
        done_on = made_on + dt.timedelta(days=1)
    else:
        return []
    done: list[tuple[dt.date, int, rules.RecordEvent]] = [
        (done_on, casework.MARKED, rules.MarkedDone(item.key, done_on, casework.MARKED_DONE))
    ]
    if kind is ItemKind.ROSH_SCREENING:
        finds = rules.ClockStarted(Trigger.ROSH_SCREENING_INDICATES_RISK, done_on, event_id=item.event_id)
        done.append((done_on, casework.SCREENING, finds))
    return done


def write(gen: Any, showcase: Showcase, out: Any, work_items: Callable[..., None]) -> None:
    """The case's rows, into ``out`` (a ``generate.Chunk``), with ``gen``'s keys, stamps and plan (a
    ``generate.CaseGenerator``); ``work_items`` writes its replayed items (``CaseGenerator.write_work``)."""
    as_of, keys, at, rows = gen.as_of, gen.keys, gen.stamps.at, out.rows
    team = gen.plan.staff[showcase.holder].team
    team_id, holder_id = gen.team_ids[team], gen.staff_ids[showcase.holder]
    person_id = keys("person")
    released = as_of - dt.timedelta(days=RELEASED_DAYS_AGO)
    sentenced = add_months(released, -LIFE_TARIFF_MONTHS - 30)
    allocated = released - dt.timedelta(days=90)
    born = as_of - dt.timedelta(days=int(AGE * 365.25) + 100)
    rows["person"].append((person_id, CRN, FIRST_NAME, LAST_NAME, born.isoformat(), "male", team_id, holder_id, "B1",
                           1, at(sentenced, 9 * 60 + 30), *gen.reminders(showcase.index, FIRST_NAME, LAST_NAME)))
    event_id = keys("event")
    offence = next((c for c in gen.codes["Violence"] if c.startswith("001")), gen.codes["Violence"][0])
    rows["event"].append((event_id, person_id, 1, offence, "Violence", sentenced.isoformat(), sentenced.isoformat(),
                          "licence", None, released.isoformat(), None, None, "", 1, "indeterminate", "life",
                          LIFE_TARIFF_MONTHS))  # fmt: skip
    for ctype, details in (
        ("residence", "Reside at an address approved by the probation practitioner"),
        ("disclose_relationships", "Notify your supervising officer of any developing intimate relationship with a "
                                   "woman"),
        ("non_contact", "No contact with the family of the victim without prior approval"),
    ):  # fmt: skip
        rows["licence_condition"].append((keys("licence_condition"), event_id, ctype, details, released.isoformat(),
                                          None))  # fmt: skip
    rows["allocation"].append((keys("allocation"), event_id, holder_id, team_id, allocated.isoformat(), None,
                               "New event"))  # fmt: skip
    registered = released - dt.timedelta(days=30)
    registrations = []
    for code, level, category in (("RHRH", "", ""), ("MAPP", "M2", "M2"), ("ADVP", "", "")):
        key = keys("registration")
        rows["registration"].append((key, person_id, code, level, category, registered.isoformat(),
                                     add_months(registered, 6).isoformat(), None, "", 1))  # fmt: skip
        registrations.append(rules.RegistrationFacts(key, code, registered))
    pdu = gen.plan.pdus[gen.pdu_of_team[team]]
    moved = released + dt.timedelta(days=60)
    rows["address"].append((keys("address"), person_id, "Flat 2, 14 Example Street", "", pdu.town,
                            f"{pdu.postcode_area}1 2AB", moved.isoformat(), None))  # fmt: skip
    rows["address"].append((keys("address"), person_id, "Approved premises, 1 Station Road", "", pdu.town,
                            f"{pdu.postcode_area}1 1AA", released.isoformat(), moved.isoformat()))  # fmt: skip
    rows["relationship"].append((keys("relationship"), person_id, "ex_partner", "Alison", "Sample", None,
                                 "2001-05-01", "2008-03-01", False, True, "Former partner; police call-outs before "
                                 "custody", 1))  # fmt: skip

    # Supervision: weekly for six weeks, then fortnightly, a home visit every nine weeks or so, all kept.
    days, day, visit_due = [], released + dt.timedelta(days=1), released + dt.timedelta(days=63)
    while day < as_of:
        days.append(day)
        day += dt.timedelta(days=7 if day < released + dt.timedelta(days=42) else 14)
    story = {}
    for days_ago, text in STORY_AT_APPOINTMENTS:
        target = as_of - dt.timedelta(days=days_ago)
        story[min(days, key=lambda d: (abs((d - target).days), d))] = text
    contacts: list[tuple[dt.date, str, str, str]] = []
    for n, day in enumerate(days):
        ctype, text = "office_appointment", ORDINARY[min(n, 1) if n < 6 else 2 + n % 4]
        if n == 0:
            ctype = "induction"
            text = ORDINARY[0]
        elif day >= visit_due and day not in story:
            ctype, text, visit_due = "home_visit", HOME_VISIT, day + dt.timedelta(days=63)
        contacts.append((day, ctype, "attended_complied", story.get(day, text)))
    for days_ago, ctype, outcome, text in STORY_LATELY:
        contacts.append((previous_weekday(as_of - dt.timedelta(days=days_ago)), ctype, outcome, text))
    contacts.sort(key=lambda c: c[0])
    outcomes, signal_notes, stamps = [], [], {}
    for day, ctype, outcome, text in contacts:
        key = keys("contact")
        stamp = stamps[key] = at(day, 10 * 60 + (30 if ctype == "third_party_report" else 0))
        rows["contact"].append((key, person_id, event_id, ctype, stamp, holder_id, outcome, text, 1, stamp))
        outcomes.append((day, ctype, outcome, key))
        hits = first_hits(signals_scan(text))
        if hits:
            signal_notes.append(SignalNote(day, ctype, key, hits))
    booked = as_of + dt.timedelta(days=1)
    while booked.weekday() >= 5:
        booked += dt.timedelta(days=1)
    stamp = at(booked, 10 * 60)
    rows["contact"].append((keys("contact"), person_id, event_id, "office_appointment", stamp, holder_id, "",
                            "Planned supervision session.", 1, at(as_of - dt.timedelta(days=3), 11 * 60)))

    # Reporting: fortnightly from the end of the first six weeks; a reduction to monthly asked for three days ago,
    # awaiting the SPO.
    asked = next(c[0] for c in contacts if c[3] == REDUCTION_ASKED)
    first_set = released + dt.timedelta(days=42)
    rows["reporting_change"].append((keys("reporting_change"), person_id, "fortnightly", "", "in_force",
                                     FIRST_FREQUENCY_REASON, holder_id, at(first_set, 12 * 60), None, None, "",
                                     first_set.isoformat()))  # fmt: skip
    rows["reporting_change"].append((keys("reporting_change"), person_id, "monthly", "fortnightly",
                                     "awaiting_countersignature", REDUCTION_REASON, holder_id, at(asked, 12 * 60),
                                     None, None, "", None))  # fmt: skip
    sentence = rules.SentenceFacts(event_id, "licence", sentenced, released)
    record = CaseRecord(
        sentence=sentence, allocations=[(allocated, gen.staff_names[holder_id])], registrations=registrations,
        household=[], contacts=outcomes, history_from=released, rosh="high", signal_notes=signal_notes,
        disclose_relationships=[(released, None)], children_at_home=[], reporting_reductions=[asked],
    )  # fmt: skip
    work_items(out, person_id, team, showcase.holder, record, plans, stamps)
