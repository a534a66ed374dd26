"""Enforcement's part in what follows a change to the record (core/followups.py): a failure to comply opens its
enforcement decision, in the same transaction."""

from __future__ import annotations

from typing import Any

from openprobation.enforcement import services


class EnforcementFollowups:
    def failure_to_comply(self, *, actor: Any, person: Any, contact: Any) -> None:
        services.failure_to_comply_open(actor=actor, person=person, contact=contact)
