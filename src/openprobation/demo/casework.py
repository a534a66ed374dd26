"""The work items of a generated case: its record replayed through the work-item rules, with the practitioner's own
work drawn around it.

Live recording makes work items one event at a time (``workitems.generate``); the demo makes them the same way, in
memory: the case's record (the sentence, its allocations, registrations, household changes and contacts) is
replayed in date order through :class:`~openprobation.rules.work_item_decisions.Replay`, so every item, its due date,
its reason and whether it is open are what the rules would have made from that record. Attended appointments close
first appointments and monthly contacts and start the clocks that follow; missed ones start their follow-ups.

A contact note with warning signs (``rules.signals``) is fed to the rules as live recording feeds it
(``warningsigns.services.contact_signals_apply``): the same ``SignalsFound`` event, with its distinct signals and
their first sentences and the case's facts on that day (on licence, domestic-abuse history, a condition to disclose
relationships, a child at home), so its signal reviews and the combined rules' items are the rules' own.

What the demo record does not hold is drawn from the case's own generator: a practitioner marking items done (a
sentence plan written, a check requested, a follow-up made), mostly on time, some late, a few not yet, through the
same ``MarkedDone`` event a person uses in the pages; a signal review closed by its disposition (action taken,
linked to the item the same note started, or no action with a reason), with the disposition's words as its note;
and, for the years before the contact history starts (it covers
a year at most), the appointments and visits that were kept then. A RoSH screening completed on a case at medium
risk or above indicates risk, as the assessment would, and starts the full analysis.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from openprobation.rules import work_item_decisions as rules
from openprobation.rules.dates import long_date
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.signals import SignalHit
from openprobation.rules.timescale_types import ItemKind, Trigger
from openprobation.warningsigns.choices import DispositionOutcome
from openprobation.workitems.choices import WorkItemKind

# Kinds the demo record itself closes (an allocation, an attended appointment or visit); the practitioner marks
# the others done.
CLOSED_BY_THE_RECORD = frozenset(
    {ItemKind.ALLOCATION, ItemKind.FIRST_APPOINTMENT, ItemKind.MONTHLY_CONTACT, ItemKind.HOME_VISIT}
)
SCREENING_FINDS_RISK = frozenset({"medium", "high", "very_high"})
# How a practitioner keeps up (demo behaviour, not policy): the share done on time, the share done late (the rest is
# not done yet), and how late.
ON_TIME, LATE, MAX_DAYS_LATE = 0.84, 0.13, 25
# An item due longer ago than this is done by now, if late.
LONG_AGO = dt.timedelta(days=120)
MARKED_DONE = "Marked done"
KEPT_BEFORE_THE_RECORD = "Marked done (before the contact history held here)"

# The order of a day's events: the record as the services store it (a contact's outcome, then what its notes
# raise), then the practitioner's own work.
SENTENCE, ALLOCATION, REGISTRATION, HOUSEHOLD, CONTACT, SIGNALS, MARKED, SCREENING = range(8)
# Sentences on licence (live recording also counts a custodial sentence released by the day).
LICENCE_TYPES = frozenset({"licence", "post_sentence_supervision"})
# Why a practitioner decides a warning sign needs nothing more (demo behaviour, by signal): when the note started
# no other item to link the action to.
NO_ACTION_REASONS = {
    "new_relationship": "Discussed at supervision; the relationship is to be recorded and checked.",
    "relationship_ended": "Discussed at supervision; no risk to others identified from the separation.",
    "children": "Children known to be in the household; no new concerns.",
    "police_involvement": "Known to the police offender manager; outcome to be followed up at the next appointment.",
    "substance_relapse": "Discussed at supervision; relapse prevention work continues with the treatment service.",
    "self_harm": "Crisis team and GP already involved; welfare check at the next appointment.",
    "accommodation_loss": "Housing referral already made; reviewed at the next appointment.",
    "weapons": "Discussed with the police offender manager; the charge is being dealt with by the court.",
    "victim_contact": "Discussed with victim liaison; warning given about the licence condition.",
    "threats": "Discussed with the police; words of advice already given.",
}
DEFAULT_NO_ACTION = "Discussed at supervision; the risk management plan already covers this."


@dataclass(frozen=True)
class CaseRecord:
    """One generated case as the work-item rules read it."""

    sentence: rules.SentenceFacts
    allocations: Sequence[tuple[dt.date, str]]  # (start date, practitioner's name)
    registrations: Sequence[rules.RegistrationFacts]
    household: Sequence[tuple[int, str, dt.date]]  # (relationship id, relationship, moved in) for those living there
    contacts: Sequence[tuple[dt.date, str, str, int]]  # (day, type, outcome, contact id), outcomes recorded only
    history_from: dt.date  # the first day of the contact history (earlier contacts are not in the demo record)
    rosh: str
    # Contacts whose notes raise warning signs, in the order they were recorded, and what the combined rules ask of
    # the case: periods of a licence condition to disclose relationships, the days children came to live there.
    signal_notes: Sequence[SignalNote] = ()
    disclose_relationships: Sequence[tuple[dt.date | None, dt.date | None]] = ()
    children_at_home: Sequence[dt.date] = ()
    # The days a reduction in reporting was asked for (it waits for an SPO's countersignature).
    reporting_reductions: Sequence[dt.date] = ()


@dataclass(frozen=True)
class SignalNote:
    """A contact whose notes raise warning signs: the first hit of each distinct signal, in the order found."""

    day: dt.date
    contact_type: str
    contact_id: int
    hits: tuple[SignalHit, ...]


@dataclass(frozen=True)
class Disposition:
    """How a practitioner closed a signal review: the outcome, the item it links to (an action taken), the details
    (the reason for no action), and the words that close the review (the service's ``disposition_words``)."""

    on: dt.date
    outcome: str
    linked_key: str | None
    details: str
    words: str


@dataclass
class CaseWork:
    """A replayed case: its items in the order made, the signals grouped into each review (review key, signal,
    contact id) and the reviews closed by a disposition (by review key)."""

    items: list[rules.ReplayedItem]
    grouped: list[tuple[str, str, int]]
    dispositions: dict[str, Disposition]


def first_hits(hits: Iterable[SignalHit]) -> tuple[SignalHit, ...]:
    """The first hit of each distinct signal, in the order found (what a note prompts)."""
    seen: dict[str, SignalHit] = {}
    for hit in hits:
        seen.setdefault(hit.signal, hit)
    return tuple(seen.values())


def signals_found(record: CaseRecord, note: SignalNote) -> rules.SignalsFound:
    """The event live recording makes of a note (``warningsigns.services.contact_signals_apply``): its signals with
    their sentences, and the case's facts on the note's day."""
    day, prompts = note.day, signal_policy().prompts
    sentence = record.sentence
    on_licence = sentence.sentence_type in LICENCE_TYPES or (
        sentence.sentence_type == "custody" and sentence.release_date is not None and sentence.release_date <= day
    )
    disclose = on_licence and any(
        (start is None or start <= day) and (end is None or end >= day) for start, end in record.disclose_relationships
    )
    return rules.SignalsFound(
        contact_id=note.contact_id,
        day=day,
        signals=tuple((hit.signal, hit.sentence) for hit in note.hits),
        reported_by_other=note.contact_type in prompts.reported_by_others_contact_types,
        on_licence=on_licence,
        domestic_abuse_history=any(
            r.code in prompts.domestic_abuse_registration_codes and r.start_date <= day for r in record.registrations
        ),
        disclose_relationships=disclose,
        children_in_household=any(start <= day for start in record.children_at_home),
    )


def household_moves(
    relationships: Iterable[tuple[int, str, dt.date, bool]], sentence: rules.SentenceFacts
) -> list[tuple[int, str, dt.date]]:
    """The household changes the demo records: each relationship (id, type, start, lives in the household) that lives
    in the household and began during supervision (a child born, a partner moving in) was recorded on the day it
    began; those that began earlier were on the record when the case came to probation, and start nothing."""
    supervision_start = sentence.release_date or sentence.sentence_date
    return [(pk, kind, start) for pk, kind, start, lives in relationships if lives and start > supervision_start]


class _Events:
    """The case's events in the order they happen: by day, then the day's order above, then as pushed. Events after
    ``as_of`` have not happened."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self._heap: list[tuple[dt.date, int, int, rules.RecordEvent]] = []
        self._pushed = 0

    def push(self, day: dt.date, order: int, event: rules.RecordEvent) -> None:
        if day <= self.as_of:
            self._pushed += 1
            heapq.heappush(self._heap, (day, order, self._pushed, event))

    def __iter__(self) -> Iterator[tuple[dt.date, rules.RecordEvent]]:
        while self._heap:
            day, _, _, event = heapq.heappop(self._heap)
            yield day, event


# What the practitioner does about a new item (made on a day, with the other items the same event made): the events
# it adds, each (day, order of the day, event).
Practitioner = Callable[
    [rules.ReplayedItem, dt.date, Sequence[rules.ReplayedItem]], Iterable[tuple[dt.date, int, rules.RecordEvent]]
]


def replay_case(
    record: CaseRecord, *, as_of: dt.date, chosen_preset: str | None, practitioner: Practitioner
) -> CaseWork:
    """The case's record replayed through the work-item rules up to ``as_of``, with what ``practitioner`` does about
    each item as it is made; returns the items in the order they were made and the signals grouped into reviews
    (no dispositions: they are the practitioner's)."""
    replay = rules.Replay(chosen_preset=chosen_preset)
    events = _Events(as_of)
    push = events.push
    sentence = record.sentence
    push(sentence.sentence_date, SENTENCE, rules.EventCreated(sentence))
    for start, name in record.allocations:
        push(max(start, sentence.sentence_date), ALLOCATION, rules.Allocated(sentence, name, start))
    for registration in record.registrations:
        added = rules.RegistrationFacts(registration.id, registration.code, registration.start_date)
        push(registration.start_date, REGISTRATION, rules.RegistrationAdded(added))
        if registration.end_date is not None:
            push(registration.end_date, REGISTRATION, rules.RegistrationEnded(registration))
    for relationship_id, relationship, moved_in in record.household:
        push(moved_in, HOUSEHOLD, rules.HouseholdChanged(relationship_id, relationship, True, False))
    for day, ctype, outcome, contact_id in record.contacts:
        if rules.outcome_has_effects(outcome, day, chosen_preset):
            push(day, CONTACT, rules.ContactRecorded(ctype, day, outcome, contact_id))
    for note in record.signal_notes:
        push(note.day, SIGNALS, signals_found(record, note))
    for day in record.reporting_reductions:
        push(day, SIGNALS, rules.ClockStarted(Trigger.REPORTING_REDUCTION_REQUESTED, day))
    for day, event in events:
        made = replay.record(day, event)
        for item in made:
            for done in practitioner(item, day, made):
                push(*done)
    return CaseWork(list(replay.items.values()), replay.grouped, {})


# When a practitioner marks a new item done (see ``_practitioner_plans``).
Plans = Callable[
    [rules.ReplayedItem, dt.date, CaseRecord, random.Random, dt.date], list[tuple[dt.date, int, rules.RecordEvent]]
]


def case_work_items(
    record: CaseRecord, *, as_of: dt.date, rng: random.Random, chosen_preset: str | None, plans: Plans | None = None
) -> CaseWork:
    """The case's work items as they stand on ``as_of``, with the practitioner's work drawn from ``rng`` (or
    planned by ``plans``); a signal review the practitioner closes is closed by its disposition."""
    dispositions: dict[str, Disposition] = {}
    plan = plans or _practitioner_plans

    def practitioner(
        item: rules.ReplayedItem, made_on: dt.date, made_with: Sequence[rules.ReplayedItem]
    ) -> list[tuple[dt.date, int, rules.RecordEvent]]:
        plans = plan(item, made_on, record, rng, as_of)
        if item.due.kind is ItemKind.SIGNAL_REVIEW and plans:
            disposition = _disposition(item, plans[0][0], made_with)
            if disposition.on <= as_of:  # later, it has not happened yet
                dispositions[item.key] = disposition
            plans[0] = (disposition.on, MARKED, rules.MarkedDone(item.key, disposition.on, disposition.words))
        return plans

    work = replay_case(record, as_of=as_of, chosen_preset=chosen_preset, practitioner=practitioner)
    work.dispositions = dispositions
    return work


def disposition_words(outcome: str, details: str, linked: rules.ReplayedItem | None) -> str:
    """A disposition in the words that close its review, as ``warningsigns.services.disposition_words`` puts them."""
    if outcome == DispositionOutcome.NO_ACTION:
        return f"No action: {details}"
    assert linked is not None
    words = f"Action taken: {WorkItemKind(linked.due.kind.value).label} (due {long_date(linked.due.due_date)})"
    return f"{words}. {details}" if details else words


def _disposition(item: rules.ReplayedItem, on: dt.date, made_with: Sequence[rules.ReplayedItem]) -> Disposition:
    """The practitioner's decision on a signal review: the action taken when the same note started an item of the
    signal's combined rule (a check, a RoSH review, the police told), linked to it; otherwise no action, for the
    signal's reason."""
    triggers = _combined_triggers(item.signal)
    linked = next((i for i in made_with if i.due.trigger in triggers), None)
    if linked is not None:
        return Disposition(on, DispositionOutcome.ACTION_TAKEN, linked.key, "",
                           disposition_words(DispositionOutcome.ACTION_TAKEN, "", linked))  # fmt: skip
    details = NO_ACTION_REASONS.get(item.signal, DEFAULT_NO_ACTION)
    return Disposition(on, DispositionOutcome.NO_ACTION, None, details,
                       disposition_words(DispositionOutcome.NO_ACTION, details, None))  # fmt: skip


def _combined_triggers(signal: str) -> frozenset[Trigger]:
    """The triggers of the combined rules a signal starts (``[prompts]`` in policy/signals.toml)."""
    prompts = signal_policy().prompts
    found: set[Trigger] = set()
    if signal in prompts.harm_signals:
        found |= {Trigger.HARM_SIGNAL_REPORTED, Trigger.HARM_SIGNAL_REPORTED_ON_LICENCE}
    if signal in prompts.unsafe_signals:
        found.add(Trigger.UNSAFE_REPORTED)
    if signal in prompts.relationship_signals:
        found |= {Trigger.NEW_RELATIONSHIP_REPORTED, Trigger.NEW_RELATIONSHIP_CHILDREN_INVOLVED}
    if signal in prompts.children_signals:
        found.add(Trigger.NEW_RELATIONSHIP_CHILDREN_INVOLVED)
    return frozenset(found)


def _practitioner_plans(
    item: rules.ReplayedItem, made_on: dt.date, record: CaseRecord, rng: random.Random, as_of: dt.date
) -> list[tuple[dt.date, int, rules.RecordEvent]]:
    """When the practitioner marks this new item done, if they do (events after ``as_of`` have not happened)."""
    due, kind = item.due, item.due.kind
    earliest = max(due.clock_started_on, made_on)
    span = max(0, (due.due_date - earliest).days)
    if kind in CLOSED_BY_THE_RECORD:
        if due.due_date >= record.history_from:
            return []  # the contact history (or the allocation) closes it, or it stays open
        done_on = earliest + dt.timedelta(days=rng.randint(0, span))
        note = KEPT_BEFORE_THE_RECORD
    else:
        roll = rng.random()
        if roll < ON_TIME:
            done_on = earliest + dt.timedelta(days=rng.randint(0, span))
        elif roll < ON_TIME + LATE or as_of - due.due_date > LONG_AGO:
            done_on = max(earliest, due.due_date) + dt.timedelta(days=rng.randint(1, MAX_DAYS_LATE))
        else:
            return []  # not done yet
        note = MARKED_DONE
    done: list[tuple[dt.date, int, rules.RecordEvent]] = [(done_on, MARKED, rules.MarkedDone(item.key, done_on, note))]
    if kind is ItemKind.ROSH_SCREENING and record.rosh in SCREENING_FINDS_RISK:
        finds = rules.ClockStarted(Trigger.ROSH_SCREENING_INDICATES_RISK, done_on, event_id=item.event_id)
        done.append((done_on, SCREENING, finds))
    return done
