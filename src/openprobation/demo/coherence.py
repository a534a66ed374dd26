"""Checking a loaded demo against the work-item rules.

Each case's stored record (its active sentence, allocations, registrations, household moves and contacts) is replayed
through the rules (:func:`~openprobation.demo.casework.replay_case`), with the items people marked done taken from
the stored items themselves (when and with what note), and a RoSH screening that indicated risk where the stored items
show one. Every contact note is read by the signal scan, as live recording reads it, and a note with warning signs
is fed to the rules as the same ``SignalsFound`` event; a signal review the stored items show closed is closed by
its stored disposition. The items the rules make must be exactly the stored ones: the same kinds, signals, due
dates, reasons, and the same open, done or cancelled state, on the same days; each signal's evidence must be stored
against the review the rules group it into, and each closed review must have its disposition, in the words it was
closed with. An open first appointment on a case that has been attending, a sentence plan citing an attendance no
contact shows, or a warning sign with no review cannot pass.

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
from openprobation.rules.signals import signals_scan_many
from openprobation.rules.timescale_types import ItemKind, Trigger
from openprobation.sentences.models import Allocation, Event, LicenceCondition
from openprobation.warningsigns.models import SignalDisposition, SignalEvidence
from openprobation.warningsigns.services import disposition_words
from openprobation.workitems.choices import REPORTING_ORDER
from openprobation.workitems.models import ReportingChange, WorkItem

HAND_NOTES = frozenset({casework.MARKED_DONE, casework.KEPT_BEFORE_THE_RECORD})
_ITEM_FIELDS = (
    "pk", "kind", "trigger", "clock_started_on", "due_date", "event_id", "relationship_id", "status", "closed_on",
    "note", "cancel_reason", "reason", "owner_role", "signal",
)  # fmt: skip


def _key(kind: str, trigger: str, started: dt.date, due: dt.date, event: int | None, rel: int | None,
         signal: str) -> tuple:  # fmt: skip
    return (kind, trigger, started, due, event, rel, signal)


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
    rows = [
        (timezone.localdate(when), ctype, outcome, pk, notes)
        for pk, ctype, when, outcome, notes in Contact.objects.filter(person_id=person_id)
        .order_by("date", "pk")
        .values_list("pk", "type", "date", "outcome", "notes")
        if timezone.localdate(when) <= as_of
    ]
    contacts = [(day, ctype, outcome, pk) for day, ctype, outcome, pk, _notes in rows if outcome]
    signal_notes = [
        casework.SignalNote(day, ctype, pk, casework.first_hits(hits))
        for (day, ctype, _outcome, pk, _notes), hits in zip(rows, signals_scan_many(r[4] for r in rows), strict=True)
        if hits
    ]
    disclose = list(
        LicenceCondition.objects.filter(event_id=sentence.id, type="disclose_relationships")
        .order_by("pk")
        .values_list("start_date", "end_date")
    )
    children = list(
        Relationship.objects.filter(person_id=person_id, relationship="child", lives_in_household=True,
                                    end_date__isnull=True)
        .order_by("pk")
        .values_list("start_date", flat=True)
    )  # fmt: skip
    reductions = [
        timezone.localdate(asked)
        for frequency, previous, asked in ReportingChange.objects.filter(person_id=person_id)
        .exclude(previous_frequency="")
        .order_by("requested_at", "pk")
        .values_list("frequency", "previous_frequency", "requested_at")
        if REPORTING_ORDER.index(frequency) > REPORTING_ORDER.index(previous)
    ]
    return casework.CaseRecord(
        sentence=sentence,
        allocations=allocations,
        registrations=registrations,
        household=household,
        contacts=contacts,
        history_from=min((c[0] for c in contacts), default=as_of),
        rosh="",
        signal_notes=signal_notes,
        disclose_relationships=disclose,
        children_at_home=[start for start in children if start is not None],
        reporting_reductions=reductions,
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
                   row["relationship_id"], row["signal"])  # fmt: skip
        waiting[key].append(row)
    screenings_found = {
        row["clock_started_on"] for row in stored_rows if row["trigger"] == Trigger.ROSH_SCREENING_INDICATES_RISK
    }
    matched: dict[str, dict[str, Any]] = {}

    def practitioner(
        item: rules.ReplayedItem, made_on: dt.date, made_with: object
    ) -> list[tuple[dt.date, int, rules.RecordEvent]]:
        due = item.due
        key = _key(due.kind.value, due.trigger.value, due.clock_started_on, due.due_date, item.event_id,
                   item.relationship_id, item.signal)  # fmt: skip
        if not waiting.get(key):
            return []
        row = matched[item.key] = waiting[key].pop(0)
        # a signal review is closed only by its disposition, in whatever words it gives (checked below)
        by_hand = row["note"] in HAND_NOTES or due.kind is ItemKind.SIGNAL_REVIEW
        if row["status"] != "done" or not by_hand:
            return []
        done: list[tuple[dt.date, int, rules.RecordEvent]] = [
            (row["closed_on"], casework.MARKED, rules.MarkedDone(item.key, row["closed_on"], row["note"]))
        ]
        if due.kind is ItemKind.ROSH_SCREENING and row["closed_on"] in screenings_found:
            finds = rules.ClockStarted(Trigger.ROSH_SCREENING_INDICATES_RISK, row["closed_on"], event_id=item.event_id)
            done.append((row["closed_on"], casework.SCREENING, finds))
        return done

    work = casework.replay_case(record, as_of=as_of, chosen_preset=chosen_preset, practitioner=practitioner)
    problems = []
    for item in work.items:
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
    problems.extend(_check_signals(person_id, record, work, matched))
    return problems


def _check_signals(person_id: int, record: casework.CaseRecord, work: casework.CaseWork,
                   matched: dict[str, dict[str, Any]]) -> list[str]:  # fmt: skip
    """Each signal the rules group into a review is stored against that review, with the words and sentence the scan
    finds; each closed review has its disposition, in the words it was closed with; nothing else is stored."""
    problems = []
    hits = {(n.contact_id, h.signal): h for n in record.signal_notes for h in n.hits}
    expected = set()
    for review_key, signal, contact_id in work.grouped:
        review = matched.get(review_key)
        if review is None:
            continue  # reported above
        hit = hits[(contact_id, signal)]
        expected.add((review["pk"], contact_id, signal, hit.severity, hit.evidence[:300], hit.sentence, hit.rule))
    stored = set(
        SignalEvidence.objects.filter(person_id=person_id).values_list(
            "work_item_id", "contact_id", "signal", "severity", "evidence", "sentence", "rule"
        )
    )
    for missing in sorted(expected - stored):
        problems.append(f"person {person_id}: {missing[2]} in contact {missing[1]} not stored against review "
                        f"{missing[0]}")  # fmt: skip
    for extra in sorted(stored - expected):
        problems.append(f"person {person_id}: stored {extra[2]} evidence for contact {extra[1]} the rules do not group")
    reviews = {row["pk"]: row for row in matched.values() if row["kind"] == ItemKind.SIGNAL_REVIEW}
    dispositions = {
        d.work_item_id: d
        for d in SignalDisposition.objects.filter(work_item__person_id=person_id).select_related("linked_item")
    }
    for pk, row in reviews.items():
        disposition = dispositions.pop(pk, None)
        if row["status"] == "done" and disposition is None:
            problems.append(f"person {person_id}: signal review {pk} closed without a disposition")
        elif row["status"] != "done" and disposition is not None:
            problems.append(f"person {person_id}: signal review {pk} is {row['status']} but has a disposition")
        elif disposition is not None and disposition_words(disposition) != row["note"]:
            problems.append(f"person {person_id}: signal review {pk} closed with {row['note']!r}, its disposition "
                            f"says {disposition_words(disposition)!r}")  # fmt: skip
    for pk in dispositions:
        problems.append(f"person {person_id}: a disposition on item {pk}, which is not a signal review the rules made")
    return problems
