"""Reading events, requirements, licence conditions and allocations of a visible person."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from openprobation.core.errors import NotFound
from openprobation.people.models import Person
from openprobation.sentences.models import Allocation, Event


def event_list(*, person: Person) -> QuerySet[Event]:
    return (
        Event.objects.filter(person=person)
        .prefetch_related(
            "requirements",
            "licence_conditions",
            Prefetch("allocations", queryset=Allocation.objects.select_related("practitioner", "team")),
        )
        .order_by("-sentence_date", "-number")
    )


def event_get(*, person: Person, number: int) -> Event:
    event = event_list(person=person).filter(number=number).first()
    if event is None:
        raise NotFound(f"No event {number} on case {person.crn}")
    return event
