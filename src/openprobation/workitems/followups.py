"""The clocks' part in what follows a change to the record (core/followups.py): each change that starts, moves,
closes or cancels a timescale goes to its hook in ``generate``, in the same transaction."""

from __future__ import annotations

from typing import Any

from openprobation.workitems import generate

RELEASE_FIELDS = frozenset({"release_date", "sentence_type"})  # an event change that moves the licence-release clock


class WorkItemFollowups:
    def event_created(self, *, actor: Any, person: Any, event: Any) -> None:
        generate.on_event_created(actor=actor, person=person, event=event)

    def event_changed(self, *, actor: Any, person: Any, event: Any, changed: frozenset[str]) -> None:
        if RELEASE_FIELDS & changed:
            generate.on_release_date_changed(actor=actor, person=person, event=event)

    def event_allocated(self, *, actor: Any, person: Any, event: Any, staff: Any, start_date: Any) -> None:
        generate.on_allocated(actor=actor, person=person, event=event, staff=staff, start_date=start_date)

    def contact_recorded(self, *, actor: Any, person: Any, type: str, when: Any, outcome: str) -> None:
        generate.on_contact_recorded(actor=actor, person=person, type=type, when=when, outcome=outcome)

    def contact_outcome_changed(self, *, actor: Any, person: Any, contact_id: int, type: str, when: Any,
                                outcome: str) -> None:
        generate.on_contact_outcome_changed(actor=actor, person=person, contact_id=contact_id, type=type, when=when,
                                            outcome=outcome)

    def household_changed(self, *, actor: Any, person: Any, relationship: Any,
                          was_household_member: str | None, added: bool = False) -> None:
        generate.on_household_change(actor=actor, person=person, relationship=relationship,
                                     was_household_member=was_household_member, added=added)

    def registration_added(self, *, actor: Any, person: Any, registration: Any) -> None:
        generate.on_registration_added(actor=actor, person=person, registration=registration)

    def registration_ended(self, *, actor: Any, person: Any, registration: Any) -> None:
        generate.on_registration_ended(actor=actor, person=person, registration=registration)
