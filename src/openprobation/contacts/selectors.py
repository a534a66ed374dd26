"""Reading contacts. Callers pass a person obtained from ``people.selectors.person_get`` (access applied)."""

from __future__ import annotations

from django.db.models import QuerySet

from openprobation.contacts.models import Contact
from openprobation.core.errors import NotFound
from openprobation.people.models import Person


def contact_list(*, person: Person, type: str | None = None, outcome: str | None = None) -> QuerySet[Contact]:
    """A person's contacts, newest first, optionally filtered by type and outcome."""
    contacts = Contact.objects.filter(person=person).select_related("staff", "event")
    if type:
        contacts = contacts.filter(type=type)
    if outcome:
        contacts = contacts.filter(outcome=outcome)
    return contacts.order_by("-date", "-id")


def contact_get(*, person: Person, contact_id: int) -> Contact:
    contact = Contact.objects.filter(person=person, pk=contact_id).select_related("staff", "event").first()
    if contact is None:
        raise NotFound(f"No contact {contact_id} on case {person.crn}")
    return contact
