"""Warning signs' part in what follows a change to the record (core/followups.py): a contact's notes recorded or
changed are read for warning signs, and each one found is prompted, in the same transaction."""

from __future__ import annotations

from typing import Any

from openprobation.warningsigns import services


class WarningSignFollowups:
    def contact_notes_recorded(self, *, actor: Any, person: Any, contact: Any) -> None:
        services.contact_signals_apply(actor=actor, person=person, contact=contact)
