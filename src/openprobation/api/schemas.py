"""API input and output schemas. Field names and enumeration values are snake_case and stable."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, field_validator

from openprobation.contacts.choices import ContactOutcome, ContactType
from openprobation.core.text import text_problem
from openprobation.people.choices import Gender, RelationshipType
from openprobation.rules.registrations import registration_type
from openprobation.sentences.choices import (
    REQUIREMENT_UNITS,
    IndeterminateType,
    LicenceConditionType,
    RequirementType,
    SentenceKind,
    SentenceType,
    TerminationReason,
)

StrictInt = Annotated[int, Field(strict=True)]
StrictBool = Annotated[bool, Field(strict=True)]
Version = Annotated[int, Field(strict=True, ge=1, description="The version you read; a stale one gets 409")]


def _clean_text(value: str) -> str:
    if problem := text_problem(value, multiline=True):
        raise ValueError(problem)
    return value


# Text from clients, checked as everything the service stores is (core/text.py): no NUL, no half surrogate pair, no
# control or direction-control characters.
Text = Annotated[str, AfterValidator(_clean_text)]


class In(Schema):
    """Base of every input: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A date-time without an offset is taken as UK local time."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# People -----------------------------------------------------------------------------------------


class PersonIn(In):
    crn: Text = Field(description="One capital letter and six digits, e.g. X123456")
    first_name: Text
    last_name: Text
    date_of_birth: dt.date
    gender: Gender
    team: Text | None = Field(None, description="Code of the team that holds the case; default the caller's team")
    pnc_number: Text = Field("", description="PNC ID, e.g. 2004/0046583U (stored in that spelling)")
    cro_number: Text = Field("", description="CRO number, e.g. 012345/99J or SF99/012345J (stored in that spelling)")


class PersonPatch(In):
    version: Version
    first_name: Text | None = None
    last_name: Text | None = None
    date_of_birth: dt.date | None = None
    gender: Gender | None = None
    pnc_number: Text | None = Field(None, description="PNC ID; empty or null clears it")
    cro_number: Text | None = Field(None, description="CRO number; empty or null clears it")
    mobile_number: Text | None = Field(None, description="A UK mobile number, e.g. 07700 900982; \"\" removes it")
    email: Text | None = Field(None, description="An email address; \"\" removes it")
    sms_reminders: StrictBool | None = Field(
        None, description="Whether the person agreed to appointment reminders by text message (needs a mobile number)"
    )
    email_reminders: StrictBool | None = Field(
        None, description="Whether the person agreed to appointment reminders by email (needs an email address)"
    )


class PersonOut(Schema):
    crn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    gender: Gender
    pnc_number: str
    cro_number: str
    team: str | None
    practitioner: str | None
    tier: str
    mobile_number: str = Field(description="UK mobile number as 07123456789, or \"\"")
    email: str
    sms_reminders: bool
    email_reminders: bool
    version: int

    @staticmethod
    def resolve_team(obj: Any) -> str | None:
        return obj.team.code if obj.team_id else None

    @staticmethod
    def resolve_practitioner(obj: Any) -> str | None:
        return obj.practitioner.code if obj.practitioner_id else None


class PersonPage(Schema):
    items: list[PersonOut]
    count: int
    page: int
    page_size: int


# Events -----------------------------------------------------------------------------------------


class RequirementIn(In):
    type: RequirementType
    length: StrictInt = Field(description="Hours of unpaid work, RAR days, programme sessions, or months")
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class LicenceConditionIn(In):
    type: LicenceConditionType
    details: Text = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None


KIND_DESCRIPTION = (
    "determinate: a fixed length (length_months). extended: a custodial term and an extension period on licence "
    "(custodial_term_months, extension_period_months; length_months is their sum). indeterminate: life, IPP or DPP "
    "(indeterminate_type) with a tariff, the minimum term (tariff_months), and no length. Extended and indeterminate "
    "sentences are custody or licence. Events recorded before sentence kinds existed are determinate."
)


MONTHS = "Whole months, 1 to 1200. "


class EventIn(In):
    offence_code: Text = Field(description="Home Office offence code, 5 digits, e.g. 00101")
    conviction_date: dt.date
    sentence_date: dt.date
    sentence_type: SentenceType
    sentence_kind: SentenceKind = Field(SentenceKind.DETERMINATE, description=KIND_DESCRIPTION)
    indeterminate_type: IndeterminateType | None = Field(None, description="Indeterminate sentences only")
    length_months: StrictInt | None = Field(None, description=MONTHS + "Determinate: required. Indeterminate: none")
    custodial_term_months: StrictInt | None = Field(None, description=MONTHS + "Extended sentences only")
    extension_period_months: StrictInt | None = Field(None, description=MONTHS + "Extended sentences only")
    tariff_months: StrictInt | None = Field(None, description=MONTHS + "Indeterminate sentences only: the minimum term")
    sentenced_as_youth: StrictBool = Field(False, description="Sentenced as a youth (under 18 when sentenced)")
    release_date: dt.date | None = None
    licence_expiry_date: dt.date | None = Field(None, description="Custodial sentences; none for a life licence")
    sentence_expiry_date: dt.date | None = Field(None, description="Custodial sentences; none if indeterminate")
    requirements: list[RequirementIn] = []
    licence_conditions: list[LicenceConditionIn] = []
    practitioner: Text | None = Field(None, description="Staff code of the responsible practitioner")


class EventPatch(In):
    version: Version
    offence_code: Text | None = None
    conviction_date: dt.date | None = None
    sentence_date: dt.date | None = None
    sentence_type: SentenceType | None = None
    sentence_kind: SentenceKind | None = Field(None, description=KIND_DESCRIPTION + " Changing the kind: send the "
                                               "terms of the new kind and null for those it does not have.")
    indeterminate_type: IndeterminateType | None = None
    length_months: StrictInt | None = None
    custodial_term_months: StrictInt | None = None
    extension_period_months: StrictInt | None = None
    tariff_months: StrictInt | None = None
    sentenced_as_youth: StrictBool | None = None
    release_date: dt.date | None = None
    licence_expiry_date: dt.date | None = None
    sentence_expiry_date: dt.date | None = None
    termination_date: dt.date | None = None
    termination_reason: TerminationReason | None = None


class AllocationIn(In):
    practitioner: Text = Field(description="Staff code")
    start_date: dt.date
    reason: Text = ""


class RequirementOut(Schema):
    type: RequirementType
    length: int
    unit: str
    start_date: dt.date | None
    end_date: dt.date | None

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return REQUIREMENT_UNITS[obj.type]


class LicenceConditionOut(Schema):
    type: LicenceConditionType
    details: str
    start_date: dt.date | None
    end_date: dt.date | None


class AllocationOut(Schema):
    practitioner: str
    team: str
    start_date: dt.date
    end_date: dt.date | None
    reason: str

    @staticmethod
    def resolve_practitioner(obj: Any) -> str:
        return str(obj.practitioner.code)

    @staticmethod
    def resolve_team(obj: Any) -> str:
        return str(obj.team.code)


class EventOut(Schema):
    number: int
    offence_code: str
    offence_category: str
    conviction_date: dt.date
    sentence_date: dt.date
    sentence_type: SentenceType
    sentence_kind: SentenceKind
    indeterminate_type: IndeterminateType | None
    length_months: int | None = Field(description="None for an indeterminate sentence")
    custodial_term_months: int | None
    extension_period_months: int | None
    tariff_months: int | None
    sentenced_as_youth: bool
    release_date: dt.date | None
    licence_expiry_date: dt.date | None
    sentence_expiry_date: dt.date | None
    expected_end_date: dt.date | None = Field(description="The sentence date plus the length; none if indeterminate")
    termination_date: dt.date | None
    termination_reason: str
    requirements: list[RequirementOut]
    licence_conditions: list[LicenceConditionOut]
    allocations: list[AllocationOut]
    version: int

    @staticmethod
    def resolve_indeterminate_type(obj: Any) -> str | None:
        return obj.indeterminate_type or None

    @staticmethod
    def resolve_requirements(obj: Any) -> list[Any]:
        return list(obj.requirements.all())

    @staticmethod
    def resolve_licence_conditions(obj: Any) -> list[Any]:
        return list(obj.licence_conditions.all())

    @staticmethod
    def resolve_allocations(obj: Any) -> list[Any]:
        return list(obj.allocations.all())


# Contacts ---------------------------------------------------------------------------------------


class ContactIn(In):
    type: ContactType
    date: dt.datetime = Field(description="Date and time; without an offset it is taken as UK local time")
    outcome: ContactOutcome | None = None
    notes: Text = ""
    event_number: StrictInt | None = None

    @field_validator("date")
    @classmethod
    def _date_is_aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)


class ContactPatch(In):
    version: Version
    type: ContactType | None = None
    date: dt.datetime | None = None
    outcome: ContactOutcome | None = None
    notes: Text | None = None

    @field_validator("date")
    @classmethod
    def _date_is_aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)


class AppointmentIn(In):
    type: ContactType = Field(description="An appointment type (office, home visit, telephone, video, induction)")
    date: dt.datetime = Field(description="When, still to come; without an offset it is taken as UK local time")
    location: Text = Field(description="Where: the office, their home, video call")
    with_staff: Text | None = Field(None, description="Staff code of who it is with; default the caller")
    event_number: StrictInt | None = None
    requirement_id: StrictInt | None = Field(None, description="The requirement it delivers (RAR days count these)")
    notes: Text = ""

    @field_validator("date")
    @classmethod
    def _date_is_aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)


class AppointmentRearrangeIn(In):
    version: Version
    date: dt.datetime = Field(description="The new time, still to come")
    reason: Text
    location: Text | None = Field(None, description="Where, if it changes")

    @field_validator("date")
    @classmethod
    def _date_is_aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)


class ContactOut(Schema):
    id: int
    type: ContactType
    date: dt.datetime
    outcome: ContactOutcome | None
    notes: str
    staff: str | None
    event_number: int | None
    location: str
    with_staff: str | None
    requirement_id: int | None
    rearranged_from: int | None
    version: int

    @staticmethod
    def resolve_with_staff(obj: Any) -> str | None:
        return obj.with_staff.code if obj.with_staff_id else None

    @staticmethod
    def resolve_rearranged_from(obj: Any) -> int | None:
        return obj.rearranged_from_id

    @staticmethod
    def resolve_outcome(obj: Any) -> str | None:
        return obj.outcome or None

    @staticmethod
    def resolve_staff(obj: Any) -> str | None:
        return obj.staff.code if obj.staff_id else None

    @staticmethod
    def resolve_event_number(obj: Any) -> int | None:
        return obj.event.number if obj.event_id else None


class ContactPage(Schema):
    items: list[ContactOut]
    count: int
    page: int
    page_size: int


# Registrations ----------------------------------------------------------------------------------


class RegistrationIn(In):
    code: Text = Field(description="nDelius register type code, e.g. RHRH (RoSH high), MAPP, ADVP")
    level: Text | None = Field(None, description="MAPPA level M1-M3")
    category: Text | None = Field(None, description="MAPPA category M1-M4")
    start_date: dt.date
    review_date: dt.date | None = None
    end_date: dt.date | None = None
    notes: Text = ""


class RegistrationPatch(In):
    version: Version
    level: Text | None = None
    category: Text | None = None
    review_date: dt.date | None = None
    end_date: dt.date | None = None
    notes: Text | None = None


class RegistrationOut(Schema):
    id: int
    code: str
    name: str
    level: str | None
    category: str | None
    start_date: dt.date
    review_date: dt.date | None
    end_date: dt.date | None
    notes: str
    version: int

    @staticmethod
    def resolve_name(obj: Any) -> str:
        rtype = registration_type(obj.code)
        return rtype.name if rtype else obj.code

    @staticmethod
    def resolve_level(obj: Any) -> str | None:
        return obj.level or None

    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        return obj.category or None


# Relationships ----------------------------------------------------------------------------------


class RelationshipIn(In):
    relationship: RelationshipType
    first_name: Text
    last_name: Text
    date_of_birth: dt.date | None = None
    start_date: dt.date
    end_date: dt.date | None = None
    lives_in_household: StrictBool = False
    potential_victim: StrictBool = False
    notes: Text = ""


class RelationshipPatch(In):
    version: Version
    relationship: RelationshipType | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    date_of_birth: dt.date | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    lives_in_household: StrictBool | None = None
    potential_victim: StrictBool | None = None
    notes: Text | None = None


class RelationshipOut(Schema):
    id: int
    relationship: RelationshipType
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    start_date: dt.date
    end_date: dt.date | None
    lives_in_household: bool
    potential_victim: bool
    notes: str
    version: int
