"""The risk tools' part in what follows a change to the record (core/followups.py): recalculate the case's risk
tools and tier, in the same transaction, whenever an input they read has changed; and keep the quality report's row
of a case (``risk.riskfacts``) when the practitioner holding it, or a holder's grade, changes."""

from __future__ import annotations

from typing import Any

from openprobation.risk import riskfacts
from openprobation.risk.services import risk_recalculate

PERSON_INPUTS = frozenset({"date_of_birth", "gender"})  # age and gender feed every tool and the women's tier factors


class RiskFollowups:
    def event_created(self, *, actor: Any, person: Any, event: Any) -> None:
        risk_recalculate(actor=actor, person=person)

    def event_changed(self, *, actor: Any, person: Any, event: Any, changed: frozenset[str]) -> None:
        risk_recalculate(actor=actor, person=person)

    def person_changed(self, *, actor: Any, person: Any, changed: frozenset[str]) -> None:
        if PERSON_INPUTS & changed:
            risk_recalculate(actor=actor, person=person)

    def event_allocated(self, *, actor: Any, person: Any, event: Any, staff: Any, start_date: Any) -> None:
        riskfacts.refresh_cases([person.pk])  # the holder's grade, which the 2021 allocation rules compare

    def staff_changed(self, *, actor: Any, staff: Any, changed: frozenset[str]) -> None:
        if "grade" in changed:
            riskfacts.refresh_cases(riskfacts.holder_cases(staff.pk))
