"""The caseload as a practitioner sees it: one row per case they hold, joining the person, their current sentence,
their next appointment and their RoSH registration. It reads several areas (people, sentences, contacts, risk),
so it sits above them all; it starts, like every selector, from ``people_visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Min, OuterRef, Q, Subquery

from openprobation.contacts.choices import APPOINTMENT_TYPES
from openprobation.core import clock
from openprobation.organisation.models import Staff
from openprobation.people.access import Actor, people_visible_to, staff_for
from openprobation.risk.models import Registration
from openprobation.rules.registrations import ROSH_ORDER, rosh_codes


@dataclass(frozen=True)
class CaseloadRow:
    crn: str
    name: str
    first_name: str
    last_name: str
    tier: str
    rosh: str | None
    next_appointment: dt.datetime | None
    sentence_end: dt.date | None

    @property
    def rosh_rank(self) -> int:
        return ROSH_ORDER.index(self.rosh) + 1 if self.rosh else 0


CASELOAD_SORTS = {
    "name": lambda r: (r.last_name.lower(), r.first_name.lower()),
    "crn": lambda r: r.crn,
    "tier": lambda r: (r.tier == "", r.tier),
    "rosh": lambda r: -r.rosh_rank,
    "next_appointment": lambda r: (r.next_appointment is None, r.next_appointment or clock.now()),
    "sentence_end": lambda r: (r.sentence_end is None, r.sentence_end or dt.date.min),
}


def caseload_rows(
    *, actor: Actor | None, practitioner: Staff | None = None, sort: str = "name", descending: bool = False
) -> list[CaseloadRow]:
    """A practitioner's caseload (the actor's own by default) with what the caseload table shows."""
    staff = practitioner or staff_for(actor)
    if staff is None:
        return []
    now = clock.now()
    rosh_subquery = (
        Registration.objects.filter(person_id=OuterRef("pk"), end_date__isnull=True, code__in=list(rosh_codes()))
        .order_by("-start_date", "-id")
        .values("code")[:1]
    )
    people = (
        people_visible_to(actor)
        .filter(practitioner=staff)
        .annotate(
            rosh_code=Subquery(rosh_subquery),
            next_appointment=Min(
                "contacts__date",
                filter=Q(contacts__date__gte=now, contacts__type__in=list(APPOINTMENT_TYPES))
                & (Q(contacts__outcome="")),
            ),
        )
    )
    ends = dict(
        people_visible_to(actor)
        .filter(practitioner=staff, events__termination_date__isnull=True)
        .values_list("pk")
        .annotate(end=Max("events__expected_end_date"))
    )
    levels = rosh_codes()
    rows = [
        CaseloadRow(
            crn=p.crn,
            name=p.name,
            first_name=p.first_name,
            last_name=p.last_name,
            tier=p.tier,
            rosh=levels.get(p.rosh_code) if p.rosh_code else None,
            next_appointment=p.next_appointment,
            sentence_end=ends.get(p.pk),
        )
        for p in people
    ]
    key = CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"])
    rows.sort(key=key, reverse=descending)
    return rows
