"""The work items of a generated case: its record replayed through the work-item rules, with the practitioner's own
work drawn around it.

Live recording makes work items one event at a time (``workitems.generate``); the demo makes them the same way, in
memory: the case's record (the sentence, its allocations, registrations, household changes and contacts) is
replayed in date order through :class:`~openprobation.rules.work_item_decisions.Replay`, so every item, its due date,
its reason and whether it is open are what the rules would have made from that record. Attended appointments close
first appointments and monthly contacts and start the clocks that follow; missed ones start their follow-ups.

What the demo record does not hold is drawn from the case's own generator: a practitioner marking items done (a
sentence plan written, a check requested, a follow-up made), mostly on time, some late, a few not yet, through the
same ``MarkedDone`` event a person uses in the pages; and, for the years before the contact history starts (it covers
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
from openprobation.rules.timescale_types import ItemKind, Trigger

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

# The order of a day's events: the record as the services store it, then the practitioner's own work.
SENTENCE, ALLOCATION, REGISTRATION, HOUSEHOLD, CONTACT, MARKED, SCREENING = range(7)


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


# What the practitioner does about a new item: the events it adds, each (day, order of the day, event).
Practitioner = Callable[[rules.ReplayedItem, dt.date], Iterable[tuple[dt.date, int, rules.RecordEvent]]]


def replay_case(
    record: CaseRecord, *, as_of: dt.date, chosen_preset: str | None, practitioner: Practitioner
) -> list[rules.ReplayedItem]:
    """The case's record replayed through the work-item rules up to ``as_of``, with what ``practitioner`` does about
    each item as it is made; returns the items in the order they were made."""
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
    for day, event in events:
        for item in replay.record(day, event):
            for done in practitioner(item, day):
                push(*done)
    return list(replay.items.values())


def case_work_items(
    record: CaseRecord, *, as_of: dt.date, rng: random.Random, chosen_preset: str | None
) -> list[rules.ReplayedItem]:
    """The case's work items as they stand on ``as_of``, with the practitioner's work drawn from ``rng``."""

    def practitioner(item: rules.ReplayedItem, made_on: dt.date) -> list[tuple[dt.date, int, rules.RecordEvent]]:
        return _practitioner_plans(item, made_on, record, rng, as_of)

    return replay_case(record, as_of=as_of, chosen_preset=chosen_preset, practitioner=practitioner)


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
