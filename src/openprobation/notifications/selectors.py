"""Reading a case's appointment reminders and their messages. Callers pass a person from ``people.selectors.person_get``
(access applied)."""

from __future__ import annotations

from django.db.models import Prefetch

from openprobation.notifications.models import AppointmentReminder, Message
from openprobation.people.models import Person


def reminders_for_person(*, person: Person, limit: int = 20) -> list[AppointmentReminder]:
    """The case's newest appointment reminders (by appointment date) with their messages."""
    return list(
        AppointmentReminder.objects.filter(person=person)
        .select_related("contact")
        .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("channel", "id")))
        .order_by("-appointment_at", "-id")[:limit]
    )
