"""Reading registrations of a visible person, and the RoSH level they imply."""

from __future__ import annotations

from django.db.models import QuerySet

from openprobation.core.errors import NotFound
from openprobation.people.models import Person
from openprobation.risk.models import Registration
from openprobation.rules.registrations import rosh_level


def registration_list(*, person: Person, active_only: bool = False) -> QuerySet[Registration]:
    registrations = Registration.objects.filter(person=person)
    if active_only:
        registrations = registrations.filter(end_date__isnull=True)
    return registrations.order_by("-start_date", "-id")


def registration_get(*, person: Person, registration_id: int) -> Registration:
    registration = registration_list(person=person).filter(pk=registration_id).first()
    if registration is None:
        raise NotFound(f"No registration {registration_id} on case {person.crn}")
    return registration


def person_rosh(*, person: Person) -> str | None:
    codes = registration_list(person=person, active_only=True).values_list("code", flat=True)
    return rosh_level(codes)
