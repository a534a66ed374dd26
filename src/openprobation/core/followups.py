"""What follows a change to the case record in areas above the one that records it: the clocks (work items) and
the risk tools (and the quality report's facts, ``risk.riskfacts``).

The domain apps are layered (pyproject.toml, docs/architecture.md): core, organisation, people, sentences and
contacts, risk, work items and safeguarding, each importing only those below it. A service that records a sentence,
a contact, a household change or a registration cannot call the work-item rules or the risk recalculation above it
without making a cycle, yet what follows must happen in the same transaction (decision 0006). So the recording
service calls the function here named for what happened, at the point it happens, inside its transaction; and the
areas that follow up register one handler each when Django starts (``RiskConfig.ready``, ``WorkItemsConfig.ready``).
A reader of a service still sees the call; this module lists every kind of follow-up; ``handlers()`` lists who acts
on them, in order (risk first, then work items, as the apps are installed).

A handler is an object with a method of the same name and keyword arguments for each change it acts on; it
ignores the others. With no handler registered (an app tested alone) the calls do nothing.
"""

from __future__ import annotations

from typing import Any

Actor = Any  # the acting user; models are typed Any here so that core imports no area above it


_handlers: list[object] = []


def register(handler: object) -> None:
    """Add a handler (once: registering the same class again replaces it, so a reloaded app does not act twice)."""
    _handlers[:] = [h for h in _handlers if type(h) is not type(handler)]
    _handlers.append(handler)


def handlers() -> tuple[object, ...]:
    return tuple(_handlers)


def _tell(name: str, **kwargs: Any) -> None:
    for handler in _handlers:
        method = getattr(handler, name, None)
        if method is not None:
            method(**kwargs)


def event_created(*, actor: Actor, person: Any, event: Any) -> None:
    _tell("event_created", actor=actor, person=person, event=event)


def event_changed(*, actor: Actor, person: Any, event: Any, changed: frozenset[str]) -> None:
    _tell("event_changed", actor=actor, person=person, event=event, changed=changed)


def event_allocated(*, actor: Actor, person: Any, event: Any, staff: Any, start_date: Any) -> None:
    _tell("event_allocated", actor=actor, person=person, event=event, staff=staff, start_date=start_date)


def contact_recorded(*, actor: Actor, person: Any, type: str, when: Any, outcome: str) -> None:
    _tell("contact_recorded", actor=actor, person=person, type=type, when=when, outcome=outcome)


def contact_outcome_changed(*, actor: Actor, person: Any, contact_id: int, type: str, when: Any, outcome: str) -> None:
    _tell("contact_outcome_changed", actor=actor, person=person, contact_id=contact_id, type=type, when=when,
          outcome=outcome)


def failure_to_comply(*, actor: Actor, person: Any, contact: Any) -> None:
    """An appointment was given an outcome that is a failure to comply (an unacceptable absence, or attending and
    failing to comply): the enforcement decision follows (rules.md §2.3)."""
    _tell("failure_to_comply", actor=actor, person=person, contact=contact)


def person_changed(*, actor: Actor, person: Any, changed: frozenset[str]) -> None:
    _tell("person_changed", actor=actor, person=person, changed=changed)


def household_changed(
    *, actor: Actor, person: Any, relationship: Any, was_household_member: str | None, added: bool = False
) -> None:
    """A relationship added (``added``) or changed; ``was_household_member`` is the type it had as a household member
    before the change (None when it was not one)."""
    _tell("household_changed", actor=actor, person=person, relationship=relationship,
          was_household_member=was_household_member, added=added)


def contact_notes_recorded(*, actor: Actor, person: Any, contact: Any) -> None:
    """A contact's notes were recorded or changed (a new contact with notes, or an edit of its notes or type): the
    warning signs in them are read (docs/signals.md, "Prompts")."""
    _tell("contact_notes_recorded", actor=actor, person=person, contact=contact)


def staff_changed(*, actor: Actor, staff: Any, changed: frozenset[str]) -> None:
    """A member of staff's record changed (``changed``: the fields), e.g. their grade, which the allocation rules
    compare for the cases they hold."""
    _tell("staff_changed", actor=actor, staff=staff, changed=changed)


def registration_added(*, actor: Actor, person: Any, registration: Any) -> None:
    _tell("registration_added", actor=actor, person=person, registration=registration)


def registration_ended(*, actor: Actor, person: Any, registration: Any) -> None:
    _tell("registration_ended", actor=actor, person=person, registration=registration)
