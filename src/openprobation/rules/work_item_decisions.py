"""Work-item decisions: what one event in a case record does to the case's work items.

:func:`decide` takes a :class:`CaseSnapshot` (the case's work items, active registrations, the sentence types of its
events, what has already been done) and one event (:class:`EventCreated`, :class:`Allocated`,
:class:`ContactRecorded`, ...), and returns a :class:`Decision`: the items to create, close and cancel, in order, each
with its reason (and, for a new item, the rule id and policy version that made it), plus the facts to record so that
nothing is done twice (a first appointment's "attended" clock started, a contact's outcome applied).

Pure: no database, no clock (``snapshot.today`` is the day the event is recorded). The service applies the decision in
its own transaction (``workitems/generate.py``). The preset is the one in force on the day each clock starts
(:func:`~openprobation.rules.timescale_presets.timescale_policy_for`), and the values that say how the record starts a
clock (which sentence types, contact types, outcomes, registration codes and relationships) are that preset's
``[record]`` terms. See docs/timescales.md and decision record 0010.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from openprobation.rules.calendar import CalendarRangeError, WorkingCalendar, england_and_wales
from openprobation.rules.dates import long_date
from openprobation.rules.registrations import registration_type, rosh_codes
from openprobation.rules.signal_policy import signal_policy
from openprobation.rules.timescale_engine import items_due, next_occurrence
from openprobation.rules.timescale_presets import timescale_policy_for
from openprobation.rules.timescale_types import (
    CaseFacts,
    DueItem,
    ItemKind,
    RecordTerms,
    TimescalePolicy,
    TimescalePolicyError,
    Trigger,
    TriggerEvent,
)

OPEN, DONE, CANCELLED = "open", "done", "cancelled"

# ---- the snapshot ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFacts:
    """One of the case's work items. ``id`` is the stored item's id, or a key such as ``"new-1"`` for an item the
    decision itself makes (so a later step of the same decision can close it)."""

    id: int | str
    kind: ItemKind
    status: str
    trigger: str
    clock_started_on: dt.date
    due_date: dt.date
    event_id: int | None = None
    relationship_id: int | None = None
    closed_on: dt.date | None = None
    # A first appointment whose "first appointment attended" clock (sentence plan, monthly contact) has started.
    attended_clock_started: bool = False
    # A signal review's signal (``new_relationship``, ...); empty for every other kind.
    signal: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ItemKind(self.kind))


@dataclass(frozen=True)
class RegistrationFacts:
    id: int
    code: str
    start_date: dt.date
    end_date: dt.date | None = None


@dataclass(frozen=True)
class SentenceFacts:
    """An event (conviction and sentence) as the clocks need it."""

    id: int
    sentence_type: str
    sentence_date: dt.date
    release_date: dt.date | None = None


@dataclass(frozen=True)
class CaseSnapshot:
    """What the decisions may ask about a case, read in the recording transaction."""

    today: dt.date
    # The OPENPROBATION_TIMESCALE_PRESET setting: it chooses among presets where the one in force allows it.
    chosen_preset: str | None = None
    items: tuple[ItemFacts, ...] = ()
    registrations: tuple[RegistrationFacts, ...] = ()
    # event id -> sentence type, for the case's events
    sentence_types: Mapping[int, str] = field(default_factory=dict, hash=False)
    # (contact id, outcome) pairs whose work-item effects have already been applied
    outcomes_applied: frozenset[tuple[int, str]] = frozenset()


# ---- events ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventCreated:
    """A sentence (or a release on licence) recorded."""

    event: SentenceFacts


@dataclass(frozen=True)
class ReleaseDateChanged:
    """An event's release date or sentence type changed (the release date may now be none)."""

    event: SentenceFacts


@dataclass(frozen=True)
class Allocated:
    event: SentenceFacts
    staff_name: str
    start_date: dt.date


@dataclass(frozen=True)
class HouseholdChanged:
    """A relationship added or changed. ``was_household_member`` is the relationship type it had as a household
    member before the change (None when it was not one)."""

    relationship_id: int
    relationship: str
    lives_in_household: bool
    ended: bool
    was_household_member: str | None = None
    # The relationship was just added to the record (not changed): a new partner starts the partner checks even
    # when they do not live in the household.
    added: bool = False


@dataclass(frozen=True)
class RegistrationAdded:
    registration: RegistrationFacts


@dataclass(frozen=True)
class RegistrationEnded:
    registration: RegistrationFacts


@dataclass(frozen=True)
class ContactRecorded:
    """A contact recorded with its outcome (or none yet), or an outcome recorded later on an existing contact: the same
    effects, once per outcome per contact (``contact_id``; none for a contact the service could not name). ``day`` is
    the contact's local date."""

    type: str
    day: dt.date
    outcome: str
    contact_id: int | None = None


@dataclass(frozen=True)
class MarkedDone:
    """An open item marked done by hand on ``on`` (with the person's note): a recurring one gets its next while its
    rule still holds, and a first appointment starts the "first appointment attended" clock from ``on``, in words
    that say it was marked done (nobody was recorded attending). An item no longer open is left alone."""

    item_id: int | str
    on: dt.date
    note: str = ""


@dataclass(frozen=True)
class DoneOnTheRecord:
    """The record now shows items of these kinds done (an enquiry requested, an assessment completed, an SPO's
    decision): the open ones are closed with ``note``; only those for ``relationship_id`` (the case's own when None)
    unless ``any_relationship``, and only those whose clock had started by ``started_by`` when given."""

    kinds: tuple[ItemKind, ...]
    on: dt.date
    note: str
    relationship_id: int | None = None
    any_relationship: bool = False
    started_by: dt.date | None = None


@dataclass(frozen=True)
class ClockStarted:
    """A trigger recorded directly by a service (a RoSH screening indicating risk, a reduction in reporting)."""

    trigger: Trigger
    occurred_on: dt.date | dt.datetime
    event_id: int | None = None
    relationship_id: int | None = None
    facts: CaseFacts | None = None
    field: str = "date"
    phrase: str | None = None  # the record's words for the event, when not the trigger's own


@dataclass(frozen=True)
class FailureToComplyRecorded:
    """A contact given an outcome that is a failure to comply (``day``: the contact's local date): an enforcement
    decision falls due. One open decision item covers every failure awaiting a decision on the case."""

    contact_id: int
    day: dt.date
    outcome: str


@dataclass(frozen=True)
class EnforcementDecided:
    """A failure to comply decided on ``on``. The open enforcement-decision item is closed with ``note`` once no other
    failure on the case still awaits a decision (``still_awaiting``). A decision to breach starts the clock from the
    breach becoming known (``aware_on``) to the breach at court, with the number of unacceptable failures counted
    for the breach (``unacceptable_failures``)."""

    on: dt.date
    note: str
    still_awaiting: int = 0
    breach: bool = False
    aware_on: dt.date | None = None
    event_id: int | None = None
    unacceptable_failures: int | None = None


@dataclass(frozen=True)
class SignalsFound:
    """Warning signs found in a new or edited contact note or third-party report (``rules.signals``), with what the
    combined rules need to know of the case, read by the service. ``signals`` are the distinct signals found, in the
    order they appear, each with the sentence that raised it first; ``day`` is the day they were found (the clocks
    start then, as for a household change: the note may be about earlier days).

    Each signal makes a signal review (one per signal while a review of it is open: a repeat is grouped into the
    open review), and the combined rules of ``[prompts]`` in policy/signals.toml start their triggers."""

    contact_id: int
    day: dt.date
    signals: tuple[tuple[str, str], ...]  # (signal, the sentence that raised it)
    reported_by_other: bool = False  # a third-party report or information from another agency
    on_licence: bool = False
    domestic_abuse_history: bool = False
    disclose_relationships: bool = False  # a licence condition to disclose developing relationships is in force
    children_in_household: bool = False


RecordEvent = (
    EventCreated
    | ReleaseDateChanged
    | Allocated
    | HouseholdChanged
    | RegistrationAdded
    | RegistrationEnded
    | ContactRecorded
    | MarkedDone
    | DoneOnTheRecord
    | ClockStarted
    | FailureToComplyRecorded
    | EnforcementDecided
    | SignalsFound
)

# ---- the decision ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Create:
    """Store ``due`` as a new open item (its reason, rule id and policy version are the due item's)."""

    key: str
    due: DueItem
    event_id: int | None = None
    relationship_id: int | None = None
    signal: str = ""

    @property
    def reason(self) -> str:
        return self.due.reason


@dataclass(frozen=True)
class Close:
    """Mark an open item done on ``on`` because the record shows it done; ``reason`` is its note."""

    item: int | str
    on: dt.date
    reason: str


@dataclass(frozen=True)
class Cancel:
    item: int | str
    reason: str


@dataclass(frozen=True)
class MarkAttendedClockStarted:
    """Record on a first appointment item that its "first appointment attended" clock has started."""

    item: int | str


@dataclass(frozen=True)
class MarkOutcomeApplied:
    """Record that a contact's outcome has had its work-item effects."""

    contact_id: int
    outcome: str


@dataclass(frozen=True)
class MoveToHolders:
    """Give the case's open items to whoever now holds the case (its practitioner, the team's SPO)."""


@dataclass(frozen=True)
class SignalGrouped:
    """A signal found in contact ``contact_id`` belongs to the signal review ``item`` (an open one, which the new
    evidence joins, or one this decision makes): the service stores the evidence against it."""

    item: int | str
    signal: str
    contact_id: int


@dataclass(frozen=True)
class PossibleFailureToComply:
    """A possible failure to comply found in contact ``contact_id`` (``failure`` names it): the enforcement decision
    follows, made by the enforcement service."""

    contact_id: int
    failure: str


Step = (
    Create
    | Close
    | Cancel
    | MarkAttendedClockStarted
    | MarkOutcomeApplied
    | MoveToHolders
    | SignalGrouped
    | PossibleFailureToComply
)


@dataclass(frozen=True)
class Decision:
    """The steps to apply, in order (a later step may close an item an earlier one made)."""

    steps: tuple[Step, ...] = ()

    @property
    def create(self) -> tuple[Create, ...]:
        return tuple(s for s in self.steps if isinstance(s, Create))

    @property
    def close(self) -> tuple[Close, ...]:
        return tuple(s for s in self.steps if isinstance(s, Close))

    @property
    def cancel(self) -> tuple[Cancel, ...]:
        return tuple(s for s in self.steps if isinstance(s, Cancel))


class UncountableDate(ValueError):
    """A date from which no due date can be worked out (outside the working-day calendar); ``field`` names the input
    that gave it, so the service can refuse it as a field error."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# ---- deciding -------------------------------------------------------------------------------------------------------


@cache
def _default_calendar() -> WorkingCalendar:
    return england_and_wales()


def decide(snapshot: CaseSnapshot, event: RecordEvent, calendar: WorkingCalendar | None = None) -> Decision:
    """What ``event`` does to the work items of the case in ``snapshot`` (see the module docstring)."""
    work = _Work(snapshot, calendar or _default_calendar())
    handler = _HANDLERS[type(event)]
    handler(work, event)
    return Decision(tuple(work.steps))


class _Work:
    """The case's items as the decision goes on: each step is recorded and seen by the steps after it."""

    def __init__(self, snapshot: CaseSnapshot, calendar: WorkingCalendar) -> None:
        self.snapshot = snapshot
        self.today = snapshot.today
        self.registrations = snapshot.registrations
        self.sentence_types = snapshot.sentence_types
        self.calendar = calendar
        self.items: dict[int | str, ItemFacts] = {i.id: i for i in snapshot.items}
        self.open: dict[int | str, ItemFacts] = {i.id: i for i in snapshot.items if i.status == OPEN}
        self.steps: list[Step] = []
        self._facts: dict[tuple[int, str | None], CaseFacts] = {}

    def registrations_changed(self, registrations: tuple[RegistrationFacts, ...]) -> None:
        self.registrations = registrations
        self._facts.clear()

    # -- policy and facts

    def policy(self, day: dt.date) -> TimescalePolicy:
        return timescale_policy_for(day, self.snapshot.chosen_preset)

    def terms(self, day: dt.date) -> RecordTerms:
        policy = self.policy(day)
        if policy.record is None:
            raise TimescalePolicyError(f"preset {policy.preset} has no [record] terms: no work items can be made")
        return policy.record

    def facts(self, terms: RecordTerms, sentence_type: str | None = None) -> CaseFacts:
        """Sentence type, RoSH level (the newest active RoSH registration) and child protection."""
        key = (id(terms), sentence_type)
        known = self._facts.get(key)
        if known is None:
            known = self._facts[key] = self._read_facts(terms, sentence_type)
        return known

    def _read_facts(self, terms: RecordTerms, sentence_type: str | None) -> CaseFacts:
        active = sorted(
            (r for r in self.registrations if r.end_date is None),
            key=lambda r: (r.start_date, r.id),
            reverse=True,
        )
        levels = rosh_codes()
        rosh = next((levels[r.code] for r in active if r.code in levels), None)
        return CaseFacts(
            sentence_type=sentence_type,  # type: ignore[arg-type]  # CaseFacts accepts the raw value
            rosh=rosh,
            child_protection=any(r.code in terms.child_protection_registration_codes for r in active),
        )

    # -- reading items

    def open_items(
        self,
        kinds: Iterable[ItemKind],
        *,
        started_by: dt.date | None = None,
        event_id: int | None = None,
        trigger: str | None = None,
    ) -> list[ItemFacts]:
        wanted = set(kinds)
        found = [
            i
            for i in self.open.values()
            if i.kind in wanted
            and (started_by is None or i.clock_started_on <= started_by)
            and (event_id is None or i.event_id == event_id)
            and (trigger is None or i.trigger == trigger)
        ]
        return sorted(found, key=_item_order)

    # -- steps

    def put(self, item: ItemFacts) -> None:
        self.items[item.id] = item
        if item.status == OPEN:
            self.open[item.id] = item
        else:
            self.open.pop(item.id, None)

    def close(self, items: Iterable[ItemFacts], on: dt.date, reason: str) -> list[ItemFacts]:
        closed = []
        for item in items:
            self.put(done := _changed(item, status=DONE, closed_on=on))
            self.steps.append(Close(item.id, on, reason))
            closed.append(done)
        return closed

    def cancel(self, item: ItemFacts, reason: str) -> None:
        self.put(_changed(item, status=CANCELLED, closed_on=self.today))
        self.steps.append(Cancel(item.id, reason))

    def create(
        self, due: Iterable[DueItem], *, event_id: int | None, relationship_id: int | None, signal: str = ""
    ) -> None:
        """The due items, less those of a kind already open on the case (for the same partner or child, and for a
        signal review the same signal)."""
        open_kinds = {
            i.kind for i in self.open.values() if i.relationship_id == relationship_id and i.signal == signal
        }
        for d in due:
            if d.kind in open_kinds:
                continue
            key = f"new-{len(self.items) + 1}"
            self.put(
                ItemFacts(
                    id=key,
                    kind=d.kind,
                    status=OPEN,
                    trigger=d.trigger.value,
                    clock_started_on=d.clock_started_on,
                    due_date=d.due_date,
                    event_id=event_id,
                    relationship_id=relationship_id,
                    signal=signal,
                )
            )
            self.steps.append(Create(key, d, event_id, relationship_id, signal))

    def start(self, event: ClockStarted, signal: str = "") -> None:
        """The items a trigger makes due under the preset in force on its day."""
        trigger_event = TriggerEvent(event.trigger, event.occurred_on, phrase=event.phrase)
        policy = self.policy(trigger_event.day)
        facts = event.facts
        if facts is None:
            sentence_type = self.sentence_types.get(event.event_id) if event.event_id is not None else None
            facts = self.facts(self.terms(trigger_event.day), sentence_type)
        try:
            due = _items_due(
                TriggerEvent(event.trigger, event.occurred_on, facts, phrase=event.phrase), policy, self.calendar
            )
        except CalendarRangeError as error:
            raise UncountableDate(event.field, f"No due dates can be worked out from this date: {error}") from error
        self.create(due, event_id=event.event_id, relationship_id=event.relationship_id, signal=signal)

    def schedule_next(self, done: Iterable[ItemFacts], done_on: dt.date) -> None:
        """For each item just done, the next one while a recurring rule for its kind still holds."""
        policy = self.policy(done_on)
        for item in done:
            facts = self.facts(self.terms(done_on))
            try:
                nxt = _next_occurrence(item.kind, done_on, facts, policy, self.calendar)
            except CalendarRangeError as error:
                raise UncountableDate("date", f"No next due date can be worked out: {error}") from error
            if nxt is not None:
                self.create([nxt], event_id=item.event_id, relationship_id=item.relationship_id)

    def start_attended_clock(self, first: ItemFacts, on: dt.date, field: str, phrase: str | None = None) -> None:
        """A first appointment done starts the "first appointment attended" clock on ``on``, once per item."""
        if first.attended_clock_started:
            return
        self.start(
            ClockStarted(Trigger.FIRST_APPOINTMENT_ATTENDED, on, event_id=first.event_id, field=field, phrase=phrase)
        )
        self.put(_changed(self.items[first.id], attended_clock_started=True))
        self.steps.append(MarkAttendedClockStarted(first.id))


# The timescale engine's answers depend only on their arguments (policies and calendars are built once and not
# changed), and a caseload asks the same questions over and over (the same trigger on the same day), so they are kept.
_ANSWERS: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_MAX_ANSWERS = 200_000


def _remember(key: tuple[Any, ...], keep: tuple[Any, ...], work_out: Callable[[], Any]) -> Any:
    known = _ANSWERS.get(key)
    if known is not None and known[0] is keep[0] and known[1] is keep[1]:
        return known[2]
    if len(_ANSWERS) >= _MAX_ANSWERS:
        _ANSWERS.clear()
    answer = work_out()
    _ANSWERS[key] = (*keep, answer)
    return answer


def _items_due(event: TriggerEvent, policy: TimescalePolicy, calendar: WorkingCalendar) -> tuple[DueItem, ...]:
    key = ("due", event, id(policy), id(calendar))
    return _remember(key, (policy, calendar), lambda: tuple(items_due(event, policy, calendar)))


def _next_occurrence(
    kind: ItemKind, done_on: dt.date, facts: CaseFacts, policy: TimescalePolicy, calendar: WorkingCalendar
) -> DueItem | None:
    key = ("next", kind, done_on, facts, id(policy), id(calendar))
    return _remember(key, (policy, calendar), lambda: next_occurrence(kind, done_on, facts, policy, calendar))


def _changed(item: ItemFacts, **changes: Any) -> ItemFacts:
    """``item`` with ``changes`` (``dataclasses.replace`` without running the checks again: the values are known)."""
    new = object.__new__(ItemFacts)
    new.__dict__.update(item.__dict__, **changes)
    return new


def _item_order(item: ItemFacts) -> tuple[dt.date, int, int, str]:
    # stored items in (due date, id) order, as the database lists them; on the same day, items the decision makes
    if isinstance(item.id, int):
        return (item.due_date, 0, item.id, "")
    return (item.due_date, 1, 0, item.id)


# ---- one handler per event ------------------------------------------------------------------------------------------


def _event_created(work: _Work, event: EventCreated) -> None:
    """A sentence (or a release on licence) starts the clocks of its sentence type; a custodial sentence recorded
    with its release date also starts the licence-release clock."""
    sentence = event.event
    terms = work.terms(sentence.sentence_date)
    trigger = terms.sentence_triggers.get(sentence.sentence_type)
    if trigger is None:
        return
    if trigger is Trigger.SENTENCE_LICENCE_RELEASE and sentence.release_date:
        occurred, field_name = sentence.release_date, "release_date"
    else:
        occurred, field_name = sentence.sentence_date, "sentence_date"
    work.start(ClockStarted(trigger, occurred, event_id=sentence.id, field=field_name))
    _release_date_changed(work, ReleaseDateChanged(sentence))


def _release_date_changed(work: _Work, event: ReleaseDateChanged) -> None:
    """Keep the licence-release clock on the event's release date: items still open from another date, or from a
    release that no longer applies, are cancelled saying why; then the clock starts on the current date unless an
    open or done item already runs from it (once per release date)."""
    sentence = event.event
    released = sentence.release_date
    terms = work.terms(sentence.sentence_date)
    applies = released is not None and sentence.sentence_type in terms.release_sentence_types
    current = released if applies else None
    licence = Trigger.SENTENCE_LICENCE_RELEASE.value
    for item in work.open_items(ItemKind, event_id=sentence.id, trigger=licence):
        if current is not None and item.clock_started_on == current:
            continue
        was = long_date(item.clock_started_on)
        reason = (
            f"Release date changed from {was} to {long_date(current)}"
            if current is not None
            else f"No release on {was} any more (release date cleared or sentence type changed)"
        )
        work.cancel(item, reason)
    if current is None:
        return
    already = any(
        i.event_id == sentence.id and i.trigger == licence and i.clock_started_on == current and i.status != CANCELLED
        for i in work.items.values()
    )
    if not already:
        work.start(ClockStarted(Trigger.SENTENCE_LICENCE_RELEASE, current, event_id=sentence.id, field="release_date"))


def _allocated(work: _Work, event: Allocated) -> None:
    """An allocation closes the allocation item, moves the open items to the new holders, and starts the clocks
    that run from allocation."""
    work.close(work.open_items([ItemKind.ALLOCATION]), event.start_date, f"Allocated to {event.staff_name}")
    work.steps.append(MoveToHolders())
    work.start(ClockStarted(Trigger.ALLOCATION, event.start_date, event_id=event.event.id, field="start_date"))


def _household_changed(work: _Work, event: HouseholdChanged) -> None:
    """A partner or child now living in the household starts the checks, on the day the change is recorded (the
    record has no move-in date). A partner added to the record who does not live in the household is a new intimate
    relationship all the same: the new-partner checks (a police domestic-abuse check and a RoSH review)."""
    if event.ended:
        return
    today = work.today
    trigger = work.terms(today).household_triggers.get(event.relationship)
    if not event.lives_in_household:
        if event.added and trigger is Trigger.PARTNER_JOINED_HOUSEHOLD:
            work.start(ClockStarted(Trigger.NEW_PARTNER_RECORDED, today, relationship_id=event.relationship_id))
        return
    if event.relationship == event.was_household_member:
        return
    if trigger is not None:
        work.start(ClockStarted(trigger, today, relationship_id=event.relationship_id))


def _registration_added(work: _Work, event: RegistrationAdded) -> None:
    """A child-protection registration, or a RoSH registration at a level that calls for them: home visits."""
    registration = event.registration
    if registration.end_date is not None and registration.end_date <= work.today:
        return
    terms = work.terms(registration.start_date)
    if registration.code in terms.child_protection_registration_codes:
        trigger = Trigger.CHILD_PROTECTION_REGISTRATION
    elif rosh_codes().get(registration.code) in terms.home_visit_rosh_levels:
        trigger = Trigger.ROSH_HIGH_OR_VERY_HIGH
    else:
        return
    work.start(
        ClockStarted(trigger, registration.start_date, facts=work.facts(terms), field="start_date"),
    )


def _registration_ended(work: _Work, event: RegistrationEnded) -> None:
    """A registration that called for home visits ended: unless another active one still calls for them, the open
    home visit is cancelled, saying why."""
    registration = event.registration
    if registration.end_date is None:
        return
    terms = work.terms(registration.end_date)
    calls = registration.code in terms.child_protection_registration_codes or (
        rosh_codes().get(registration.code) in terms.home_visit_rosh_levels
    )
    if not calls:
        return
    facts = work.facts(terms)  # the ended registration has its end date, so it is not counted
    if facts.child_protection or facts.rosh in terms.home_visit_rosh_levels:
        return
    rtype = registration_type(registration.code)
    name = f"{registration.code} registration" + (f" ({rtype.name})" if rtype else "")
    verb = "ends" if registration.end_date > work.today else "ended"
    reason = f"Home visits no longer required: {name} {verb} on {long_date(registration.end_date)}"
    for item in work.open_items([ItemKind.HOME_VISIT]):
        work.cancel(item, reason)


def _contact(work: _Work, type: str, day: dt.date, outcome: str) -> None:
    """An attended first appointment closes that item and starts the sentence-plan and contact clocks; an attended
    home visit or face-to-face contact closes the open visit or monthly contact and books the next; an
    unacceptable absence starts the follow-up clock."""
    terms = work.terms(day)
    if outcome in terms.attended_outcomes:
        if type in terms.first_appointment_contact_types:
            # only a first appointment already owed by that day: a contact before the sentence is not its first
            first = work.close(
                work.open_items([ItemKind.FIRST_APPOINTMENT], started_by=day), day, "First appointment attended"
            )
            if first:
                work.start_attended_clock(first[0], day, "date")
        kinds = []
        if type in terms.home_visit_contact_types:
            kinds.append(ItemKind.HOME_VISIT)
        if type in terms.face_to_face_contact_types:
            kinds.append(ItemKind.MONTHLY_CONTACT)
        if kinds:
            # only visits and contacts already owed by that day: a backdated contact does not close a later one
            done_now = work.close(work.open_items(kinds, started_by=day), day, "Attended: " + type.replace("_", " "))
            work.schedule_next(done_now, day)
    elif outcome in terms.missed_outcomes:
        work.start(ClockStarted(Trigger.APPOINTMENT_MISSED, day))


def outcome_has_effects(outcome: str, day: dt.date, chosen_preset: str | None = None) -> bool:
    """Whether a contact with this outcome on ``day`` can change work items (attended, or an unacceptable absence,
    under the preset in force that day); a contact whose outcome cannot is left out of a replay."""
    record = timescale_policy_for(day, chosen_preset).record
    return record is not None and (outcome in record.attended_outcomes or outcome in record.missed_outcomes)


def _contact_recorded(work: _Work, event: ContactRecorded) -> None:
    work.terms(event.day)  # a preset without [record] terms makes no work items, and says so
    if not outcome_has_effects(event.outcome, event.day, work.snapshot.chosen_preset):
        return
    if event.contact_id is not None:
        if (event.contact_id, event.outcome) in work.snapshot.outcomes_applied:
            return  # set before (or set, changed and set again): its effects have happened
    _contact(work, event.type, event.day, event.outcome)
    if event.contact_id is not None:
        work.steps.append(MarkOutcomeApplied(event.contact_id, event.outcome))


FIRST_APPOINTMENT_MARKED_DONE = "First appointment marked done"


def _marked_done(work: _Work, event: MarkedDone) -> None:
    item = work.items.get(event.item_id)
    if item is None or item.status != OPEN:
        return
    done = work.close([item], event.on, event.note)
    work.schedule_next(done, event.on)
    if item.kind is ItemKind.FIRST_APPOINTMENT:
        work.start_attended_clock(done[0], event.on, "completed_on", FIRST_APPOINTMENT_MARKED_DONE)


def _done_on_the_record(work: _Work, event: DoneOnTheRecord) -> None:
    items = work.open_items(event.kinds, started_by=event.started_by)
    if not event.any_relationship:
        items = [i for i in items if i.relationship_id == event.relationship_id]
    work.close(items, event.on, event.note)


def _clock_started(work: _Work, event: ClockStarted) -> None:
    work.start(event)


def _failure_to_comply_recorded(work: _Work, event: FailureToComplyRecorded) -> None:
    """The enforcement decision falls due from the day of the failure (once: an open item already covers it)."""
    work.terms(event.day)  # a preset without [record] terms makes no work items, and says so
    work.start(ClockStarted(Trigger.FAILURE_TO_COMPLY_RECORDED, event.day))


def _enforcement_decided(work: _Work, event: EnforcementDecided) -> None:
    """The decision closes the enforcement-decision item when it was the last awaited; a breach starts the clock
    to court from the day the breach became known."""
    if event.still_awaiting == 0:
        work.close(work.open_items([ItemKind.ENFORCEMENT_DECISION]), event.on, event.note)
    if event.breach:
        aware = event.aware_on or event.on
        sentence_type = work.sentence_types.get(event.event_id) if event.event_id is not None else None
        facts = dataclasses.replace(work.facts(work.terms(aware), sentence_type),
                                    unacceptable_failures=event.unacceptable_failures)
        work.start(ClockStarted(Trigger.FAILURE_TO_COMPLY_KNOWN, aware, event_id=event.event_id, facts=facts,
                                field="aware_on"))


UNDISCLOSED_RELATIONSHIP = "undisclosed_relationship"


def _signals_found(work: _Work, event: SignalsFound) -> None:
    """Each signal: its review (grouped into an open review of the same signal), its sentence quoted in the reason.
    Then the combined rules of the policy's ``[prompts]`` (docs/signals.md, "Prompts"):

    - stalking, harassment, threats or controlling behaviour on a case with domestic-abuse history or on licence: a
      RoSH review, police notification and a police DA check in respect of the person harmed; on licence also the
      SPO's recall consideration;
    - someone saying they feel unsafe: a RoSH review and police notification;
    - a new relationship: a police DA check, a children's services check when children are involved, and on a
      licence with a condition to disclose relationships, reported by someone else, a possible failure to comply.
    """
    work.terms(event.day)  # a preset without [record] terms makes no work items, and says so
    prompts = signal_policy().prompts
    labels = signal_policy().labels
    found = dict(event.signals)
    for signal, sentence in event.signals:
        existing = work.open_items([ItemKind.SIGNAL_REVIEW])
        review = next((i for i in existing if i.signal == signal), None)
        if review is None:
            before = len(work.steps)
            phrase = f'{labels.get(signal, signal)} in a contact note ("{_quoted(sentence)}")'
            work.start(ClockStarted(Trigger.SIGNAL_FOUND, event.day, phrase=phrase), signal=signal)
            made = [s for s in work.steps[before:] if isinstance(s, Create)]
            if not made:
                continue
            review_id: int | str = made[0].key
        else:
            review_id = review.id
        work.steps.append(SignalGrouped(review_id, signal, event.contact_id))

    def quote(signals: frozenset[str]) -> str:
        for signal, sentence in event.signals:
            if signal in signals:
                return f'{labels.get(signal, signal)} in a contact note ("{_quoted(sentence)}")'
        return ""

    harm = prompts.harm_signals & found.keys()
    if harm and (event.domestic_abuse_history or event.on_licence):
        phrase = quote(prompts.harm_signals)
        work.start(ClockStarted(Trigger.HARM_SIGNAL_REPORTED, event.day, phrase=phrase))
        if event.on_licence:
            work.start(ClockStarted(Trigger.HARM_SIGNAL_REPORTED_ON_LICENCE, event.day, phrase=phrase))
    if prompts.unsafe_signals & found.keys():
        work.start(ClockStarted(Trigger.UNSAFE_REPORTED, event.day, phrase=quote(prompts.unsafe_signals)))
    if prompts.relationship_signals & found.keys():
        phrase = quote(prompts.relationship_signals)
        work.start(ClockStarted(Trigger.NEW_RELATIONSHIP_REPORTED, event.day, phrase=phrase))
        if event.children_in_household or prompts.children_signals & found.keys():
            work.start(ClockStarted(Trigger.NEW_RELATIONSHIP_CHILDREN_INVOLVED, event.day, phrase=phrase))
        if event.on_licence and event.disclose_relationships and event.reported_by_other:
            work.steps.append(PossibleFailureToComply(event.contact_id, UNDISCLOSED_RELATIONSHIP))


QUOTE_LIMIT = 200


def _quoted(sentence: str) -> str:
    """A sentence for a reason: one line, at most ``QUOTE_LIMIT`` characters, cut at a word."""
    text = " ".join(sentence.split())
    if len(text) <= QUOTE_LIMIT:
        return text
    return text[:QUOTE_LIMIT].rsplit(" ", 1)[0] + "…"


_HANDLERS: dict[type, Callable[[_Work, Any], None]] = {
    EventCreated: _event_created,
    ReleaseDateChanged: _release_date_changed,
    Allocated: _allocated,
    HouseholdChanged: _household_changed,
    RegistrationAdded: _registration_added,
    RegistrationEnded: _registration_ended,
    ContactRecorded: _contact_recorded,
    MarkedDone: _marked_done,
    DoneOnTheRecord: _done_on_the_record,
    ClockStarted: _clock_started,
    FailureToComplyRecorded: _failure_to_comply_recorded,
    EnforcementDecided: _enforcement_decided,
    SignalsFound: _signals_found,
}


# ---- a case's record replayed -----------------------------------------------------------------------------------


@dataclass(slots=True)
class ReplayedItem:
    """An item as a replay leaves it: the due item that made it and what happened to it since."""

    key: str
    due: DueItem
    event_id: int | None
    relationship_id: int | None
    made_on: dt.date
    status: str = OPEN
    closed_on: dt.date | None = None
    note: str = ""
    cancel_reason: str = ""
    attended_clock_started: bool = False
    signal: str = ""


class Replay:
    """A case's record replayed through :func:`decide`, one event after another in the order they happened, as the
    services would have recorded them: the items each event makes, closes and cancels are the ones live recording
    would have made. Used to build a record in bulk (the demo) and to check a stored record against the rules.

    :meth:`record` takes the day the event was recorded; a registration or an event is added to the case's facts
    before its event is decided (the services store it first). Items are keyed ``new-N`` in the order they are made.
    """

    def __init__(self, *, chosen_preset: str | None = None, calendar: WorkingCalendar | None = None) -> None:
        self._registrations: dict[int, RegistrationFacts] = {}
        self._sentence_types: dict[int, str] = {}
        snapshot = CaseSnapshot(today=dt.date.min, chosen_preset=chosen_preset, sentence_types=self._sentence_types)
        self._work = _Work(snapshot, calendar or _default_calendar())
        self.items: dict[str, ReplayedItem] = {}
        # (signal review key, signal, contact id) for each signal grouped into a review, in order
        self.grouped: list[tuple[str, str, int]] = []

    def record(self, day: dt.date, event: RecordEvent) -> list[ReplayedItem]:
        """Decide ``event`` on ``day`` and apply it; returns the items it made."""
        work = self._work
        work.today = day
        if isinstance(event, RegistrationAdded | RegistrationEnded):
            self._registrations[event.registration.id] = event.registration
            work.registrations_changed(tuple(self._registrations.values()))
        elif isinstance(event, EventCreated | ReleaseDateChanged):
            self._sentence_types[event.event.id] = event.event.sentence_type
        _HANDLERS[type(event)](work, event)
        made: list[ReplayedItem] = []
        for step in work.steps:
            if isinstance(step, Create):
                item = ReplayedItem(step.key, step.due, step.event_id, step.relationship_id, day, signal=step.signal)
                self.items[step.key] = item
                made.append(item)
            elif isinstance(step, Close):
                done = self.items[str(step.item)]
                done.status, done.closed_on, done.note = DONE, step.on, step.reason
            elif isinstance(step, Cancel):
                cancelled = self.items[str(step.item)]
                cancelled.status, cancelled.closed_on, cancelled.cancel_reason = CANCELLED, day, step.reason
            elif isinstance(step, MarkAttendedClockStarted):
                self.items[str(step.item)].attended_clock_started = True
            elif isinstance(step, SignalGrouped):
                self.grouped.append((str(step.item), step.signal, step.contact_id))
        work.steps.clear()
        return made
