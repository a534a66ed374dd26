"""``/api/v1/people`` and the resources of a case: events, contacts, registrations, relationships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from openprobation.api.schemas import (
    AllocationIn,
    AllocationOut,
    AppointmentIn,
    AppointmentRearrangeIn,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    EventIn,
    EventOut,
    EventPatch,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonPatch,
    RegistrationIn,
    RegistrationOut,
    RegistrationPatch,
    RelationshipIn,
    RelationshipOut,
    RelationshipPatch,
)
from openprobation.contacts import selectors as contact_selectors
from openprobation.contacts import services as contact_services
from openprobation.contacts.choices import ContactOutcome, ContactType
from openprobation.people import selectors as people_selectors
from openprobation.people import services as people_services
from openprobation.risk import selectors as risk_selectors
from openprobation.risk import services as risk_services
from openprobation.sentences import selectors as sentence_selectors
from openprobation.sentences import services as sentence_services

router = Router(tags=["people"])


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000)  # beyond any caseload; a bigger number would overflow the offset
    page_size: int = Field(50, ge=1, le=200)


class PeopleFilters(PageParams):
    team: str | None = Field(None, description="Team code")
    practitioner: str | None = Field(None, description="Staff code of the practitioner")
    q: str | None = Field(
        None,
        max_length=people_selectors.MAX_SEARCH_LENGTH,
        description=f"CRN or name (up to {people_selectors.MAX_SEARCH_LENGTH} characters; the first "
        f"{people_selectors.MAX_SEARCH_WORDS} words are used)",
    )


class ContactFilters(PageParams):
    type: ContactType | None = None
    outcome: ContactOutcome | None = None


class RegistrationFilters(PageParams):
    active: bool = Field(False, description="Only registrations that have not ended")


# Pages of a case's records: the same shape as PersonPage and ContactPage.


class EventPage(Schema):
    items: list[EventOut]
    count: int
    page: int
    page_size: int


class RegistrationPage(Schema):
    items: list[RegistrationOut]
    count: int
    page: int
    page_size: int


class RelationshipPage(Schema):
    items: list[RelationshipOut]
    count: int
    page: int
    page_size: int


def _page(queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    start = (params.page - 1) * params.page_size
    return {
        "items": list(queryset[start : start + params.page_size]),
        "count": queryset.count(),
        "page": params.page,
        "page_size": params.page_size,
    }


def _changes(payload: Schema) -> tuple[int, dict[str, Any]]:
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return version, data


def _person(request: HttpRequest, crn: str) -> Any:
    return people_selectors.person_get(actor=request.user, crn=crn)


# People ------------------------------------------------------------------------------------------


@router.get("", response=PersonPage, summary="List the people the caller may see")
def people_list(request: HttpRequest, filters: Query[PeopleFilters]) -> dict[str, Any]:
    people = people_selectors.people_list(
        actor=request.user, team=filters.team, practitioner=filters.practitioner, query=filters.q
    )
    return _page(people, filters)


@router.post("", response={201: PersonOut}, summary="Add a person on probation")
def person_create(request: HttpRequest, payload: PersonIn) -> Status[Any]:
    person = people_services.person_create(actor=request.user, **payload.model_dump())
    return Status(201, person)


@router.get("/{crn}", response=PersonOut, summary="One person")
def person_get(request: HttpRequest, crn: str) -> Any:
    return _person(request, crn)


@router.patch("/{crn}", response=PersonOut, summary="Change a person's details")
def person_update(request: HttpRequest, crn: str, payload: PersonPatch) -> Any:
    person = _person(request, crn)
    version, changes = _changes(payload)
    return people_services.person_update(actor=request.user, person=person, version=version, changes=changes)


# Events ------------------------------------------------------------------------------------------


@router.get("/{crn}/events", response=EventPage, summary="A person's events (convictions and sentences), paginated")
def event_list(request: HttpRequest, crn: str, filters: Query[PageParams]) -> dict[str, Any]:
    return _page(sentence_selectors.event_list(person=_person(request, crn)), filters)


@router.post("/{crn}/events", response={201: EventOut}, summary="Record an event")
def event_create(request: HttpRequest, crn: str, payload: EventIn) -> Status[Any]:
    person = _person(request, crn)
    data = payload.model_dump()
    requirements = [sentence_services.RequirementInput(**r) for r in data.pop("requirements")]
    conditions = [sentence_services.LicenceConditionInput(**lc) for lc in data.pop("licence_conditions")]
    data["indeterminate_type"] = data["indeterminate_type"] or ""
    event = sentence_services.event_create(
        actor=request.user, person=person, requirements=requirements, licence_conditions=conditions, **data
    )
    return Status(201, sentence_selectors.event_get(person=person, number=event.number))


@router.get("/{crn}/events/{number}", response=EventOut, summary="One event")
def event_get(request: HttpRequest, crn: str, number: int) -> Any:
    return sentence_selectors.event_get(person=_person(request, crn), number=number)


@router.patch("/{crn}/events/{number}", response=EventOut, summary="Change or terminate an event")
def event_update(request: HttpRequest, crn: str, number: int, payload: EventPatch) -> Any:
    person = _person(request, crn)
    version, changes = _changes(payload)
    sentence_services.event_update(actor=request.user, person=person, number=number, version=version, changes=changes)
    return sentence_selectors.event_get(person=person, number=number)


@router.post(
    "/{crn}/events/{number}/allocations", response={201: AllocationOut}, summary="Allocate an event to a practitioner"
)
def event_allocate(request: HttpRequest, crn: str, number: int, payload: AllocationIn) -> Status[Any]:
    person = _person(request, crn)
    allocation = sentence_services.event_allocate(
        actor=request.user, person=person, number=number, **payload.model_dump()
    )
    return Status(201, allocation)


# Contacts ----------------------------------------------------------------------------------------


@router.get("/{crn}/contacts", response=ContactPage, summary="A person's contacts, newest first")
def contact_list(request: HttpRequest, crn: str, filters: Query[ContactFilters]) -> dict[str, Any]:
    contacts = contact_selectors.contact_list(person=_person(request, crn), type=filters.type, outcome=filters.outcome)
    return _page(contacts, filters)


@router.post("/{crn}/contacts", response={201: ContactOut}, summary="Record a contact")
def contact_record(request: HttpRequest, crn: str, payload: ContactIn) -> Status[Any]:
    person = _person(request, crn)
    data = payload.model_dump()
    contact = contact_services.contact_record(actor=request.user, person=person, **data)
    return Status(201, contact_selectors.contact_get(person=person, contact_id=contact.pk))


@router.post("/{crn}/appointments", response={201: ContactOut}, summary="Book an appointment")
def appointment_book(request: HttpRequest, crn: str, payload: AppointmentIn) -> Status[Any]:
    person = _person(request, crn)
    data = payload.model_dump()
    contact = contact_services.appointment_book(actor=request.user, person=person, when=data.pop("date"), **data)
    return Status(201, contact_selectors.contact_get(person=person, contact_id=contact.pk))


@router.post(
    "/{crn}/appointments/{contact_id}/rearrange",
    response={201: ContactOut},
    summary="Rearrange an appointment (the old one is kept as rescheduled, with the reason; the new one is returned)",
)
def appointment_rearrange(
    request: HttpRequest, crn: str, contact_id: int, payload: AppointmentRearrangeIn
) -> Status[Any]:
    person = _person(request, crn)
    data = payload.model_dump()
    new = contact_services.appointment_rearrange(
        actor=request.user, person=person, contact_id=contact_id, version=data["version"], when=data["date"],
        reason=data["reason"], location=data["location"],
    )  # fmt: skip
    return Status(201, contact_selectors.contact_get(person=person, contact_id=new.pk))


@router.get("/{crn}/contacts/{contact_id}", response=ContactOut, summary="One contact")
def contact_get(request: HttpRequest, crn: str, contact_id: int) -> Any:
    return contact_selectors.contact_get(person=_person(request, crn), contact_id=contact_id)


@router.patch("/{crn}/contacts/{contact_id}", response=ContactOut, summary="Correct a contact or add its outcome")
def contact_update(request: HttpRequest, crn: str, contact_id: int, payload: ContactPatch) -> Any:
    person = _person(request, crn)
    version, changes = _changes(payload)
    contact_services.contact_update(
        actor=request.user, person=person, contact_id=contact_id, version=version, changes=changes
    )
    return contact_selectors.contact_get(person=person, contact_id=contact_id)


# Registrations -----------------------------------------------------------------------------------


@router.get("/{crn}/registrations", response=RegistrationPage, summary="A person's registrations, paginated")
def registration_list(request: HttpRequest, crn: str, filters: Query[RegistrationFilters]) -> dict[str, Any]:
    registrations = risk_selectors.registration_list(person=_person(request, crn), active_only=filters.active)
    return _page(registrations, filters)


@router.post("/{crn}/registrations", response={201: RegistrationOut}, summary="Add a registration")
def registration_add(request: HttpRequest, crn: str, payload: RegistrationIn) -> Status[Any]:
    person = _person(request, crn)
    return Status(201, risk_services.registration_add(actor=request.user, person=person, **payload.model_dump()))


@router.get("/{crn}/registrations/{registration_id}", response=RegistrationOut, summary="One registration")
def registration_get(request: HttpRequest, crn: str, registration_id: int) -> Any:
    return risk_selectors.registration_get(person=_person(request, crn), registration_id=registration_id)


@router.patch(
    "/{crn}/registrations/{registration_id}", response=RegistrationOut, summary="Review or end a registration"
)
def registration_update(request: HttpRequest, crn: str, registration_id: int, payload: RegistrationPatch) -> Any:
    person = _person(request, crn)
    version, changes = _changes(payload)
    return risk_services.registration_update(
        actor=request.user, person=person, registration_id=registration_id, version=version, changes=changes
    )


# Relationships -----------------------------------------------------------------------------------


@router.get(
    "/{crn}/relationships", response=RelationshipPage, summary="A person's relationships and household, paginated"
)
def relationship_list(request: HttpRequest, crn: str, filters: Query[PageParams]) -> dict[str, Any]:
    return _page(people_selectors.relationship_list(person=_person(request, crn)), filters)


@router.post("/{crn}/relationships", response={201: RelationshipOut}, summary="Record a relationship")
def relationship_add(request: HttpRequest, crn: str, payload: RelationshipIn) -> Status[Any]:
    person = _person(request, crn)
    return Status(201, people_services.relationship_add(actor=request.user, person=person, **payload.model_dump()))


@router.get("/{crn}/relationships/{relationship_id}", response=RelationshipOut, summary="One relationship")
def relationship_get(request: HttpRequest, crn: str, relationship_id: int) -> Any:
    return people_selectors.relationship_get(person=_person(request, crn), relationship_id=relationship_id)


@router.patch("/{crn}/relationships/{relationship_id}", response=RelationshipOut, summary="Change a relationship")
def relationship_update(request: HttpRequest, crn: str, relationship_id: int, payload: RelationshipPatch) -> Any:
    person = _person(request, crn)
    version, changes = _changes(payload)
    return people_services.relationship_update(
        actor=request.user, person=person, relationship_id=relationship_id, version=version, changes=changes
    )
