"""Checking a loaded demo against the work-item rules.

Each case's stored record (its active sentence, allocations, registrations, household moves and contacts) is replayed
through the rules (:func:`~openprobation.demo.casework.replay_case`), with the items people marked done taken from
the stored items themselves (when and with what note), and a RoSH screening that indicated risk where the stored items
show one. The items the rules make must be exactly the stored ones: the same kinds, due dates, reasons, and the same
open, done or cancelled state, on the same days. An open first appointment on a case that has been attending, or a
sentence plan citing an attendance no contact shows, cannot pass.

Reads a case at a time, so it is for a seeded demo of a few thousand people (the tests), not a national load.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from openprobation.contacts.models import Contact
from openprobation.demo import casework
from openprobation.people.models import Relationship
from openprobation.risk.models import Registration
from openprobation.rules import work_item_decisions as rules
from openprobation.rules.timescale_types import ItemKind, Trigger
from openprobation.sentences.models import Allocation, Event
from openprobation.workitems.models import WorkItem

HAND_NOTES = frozenset({casework.MARKED_DONE, casework.KEPT_BEFORE_THE_RECORD})
_ITEM_FIELDS = (
    "pk", "kind", "trigger", "clock_started_on", "due_date", "event_id", "relationship_id", "status", "closed_on",
    "note", "cancel_reason", "reason", "owner_role",
)  # fmt: skip


def _key(kind: str, trigger: str, started: dt.date, due: dt.date, event: int | None, rel: int | None) -> tuple:
    return (kind, trigger, started, due, event, rel)


def check_cases(person_ids: Iterable[int], *, as_of: dt.date, chosen_preset: str | None) -> list[str]:
    """What is wrong with the stored work items of these cases, one line each (none when they agree)."""
    problems: list[str] = []
    for person_id in person_ids:
        problems.extend(_check_case(person_id, as_of, chosen_preset))
    return problems


def case_record(person_id: int, as_of: dt.date) -> casework.CaseRecord | None:
    """The case's stored record as the rules read it (None when it has no active event)."""
    event = (
        Event.objects.filter(person_id=person_id, termination_date__isnull=True)
        .order_by("pk")
        .values_list("pk", "sentence_type", "sentence_date", "release_date")
        .first()
    )
    if event is None:
        return None
    sentence = rules.SentenceFacts(*event)
    allocations = [
        (start, f"{first} {last}")
        for start, first, last in Allocation.objects.filter(event_id=sentence.id)
        .order_by("start_date", "pk")
        .values_list("start_date", "practitioner__first_name", "practitioner__last_name")
    ]
    registrations = [
        rules.RegistrationFacts(pk, code, start, end)
        for pk, code, start, end in Registration.objects.filter(person_id=person_id)
        .order_by("pk")
        .values_list("pk", "code", "start_date", "end_date")
    ]
    household = casework.household_moves(
        Relationship.objects.filter(person_id=person_id)
        .order_by("pk")
        .values_list("pk", "relationship", "start_date", "lives_in_household"),
        sentence,
    )
    contacts = [
        (timezone.localdate(when), ctype, outcome, pk)
        for pk, ctype, when, outcome in Contact.objects.filter(person_id=person_id)
        .exclude(outcome="")
        .order_by("date", "pk")
        .values_list("pk", "type", "date", "outcome")
        if timezone.localdate(when) <= as_of
    ]
    return casework.CaseRecord(
        sentence=sentence,
        allocations=allocations,
        registrations=registrations,
        household=household,
        contacts=contacts,
        history_from=min((c[0] for c in contacts), default=as_of),
        rosh="",
    )


def _check_case(person_id: int, as_of: dt.date, chosen_preset: str | None) -> list[str]:
    stored_rows = [dict(zip(_ITEM_FIELDS, row, strict=True)) for row in WorkItem.objects.filter(person_id=person_id)
                   .order_by("pk").values_list(*_ITEM_FIELDS)]  # fmt: skip
    record = case_record(person_id, as_of)
    if record is None:
        return [f"person {person_id}: work items with no active event"] if stored_rows else []
    waiting: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in stored_rows:
        key = _key(row["kind"], row["trigger"], row["clock_started_on"], row["due_date"], row["event_id"],
                   row["relationship_id"])  # fmt: skip
        waiting[key].append(row)
    screenings_found = {
        row["clock_started_on"] for row in stored_rows if row["trigger"] == Trigger.ROSH_SCREENING_INDICATES_RISK
    }
    matched: dict[str, dict[str, Any]] = {}

    def practitioner(item: rules.ReplayedItem, made_on: dt.date) -> list[tuple[dt.date, int, rules.RecordEvent]]:
        due = item.due
        key = _key(due.kind.value, due.trigger.value, due.clock_started_on, due.due_date, item.event_id,
                   item.relationship_id)  # fmt: skip
        if not waiting.get(key):
            return []
        row = matched[item.key] = waiting[key].pop(0)
        if row["status"] != "done" or row["note"] not in HAND_NOTES:
            return []
        done: list[tuple[dt.date, int, rules.RecordEvent]] = [
            (row["closed_on"], casework.MARKED, rules.MarkedDone(item.key, row["closed_on"], row["note"]))
        ]
        if due.kind is ItemKind.ROSH_SCREENING and row["closed_on"] in screenings_found:
            finds = rules.ClockStarted(Trigger.ROSH_SCREENING_INDICATES_RISK, row["closed_on"], event_id=item.event_id)
            done.append((row["closed_on"], casework.SCREENING, finds))
        return done

    replayed = casework.replay_case(record, as_of=as_of, chosen_preset=chosen_preset, practitioner=practitioner)
    problems = []
    for item in replayed:
        what = f"person {person_id}: {item.due.kind.value} due {item.due.due_date}"
        stored = matched.get(item.key)
        if stored is None:
            problems.append(f"{what}: made by the rules but not stored")
            continue
        made = (item.status, item.closed_on, item.due.reason, item.note, item.cancel_reason, item.due.owner.value)
        kept = tuple(stored[k] for k in ("status", "closed_on", "reason", "note", "cancel_reason", "owner_role"))
        if made != kept:
            problems.append(f"{what} (item {stored['pk']}): the rules give {made}, stored {kept}")
    for rows in waiting.values():
        for row in rows:
            problems.append(
                f"person {person_id}: stored {row['kind']} due {row['due_date']} (item {row['pk']}) was not made by "
                "the rules from the record"
            )
    return problems
