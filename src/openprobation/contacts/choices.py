from django.db import models


class ContactType(models.TextChoices):
    OFFICE_APPOINTMENT = "office_appointment", "Office appointment"
    HOME_VISIT = "home_visit", "Home visit"
    TELEPHONE = "telephone", "Telephone"
    VIDEO = "video", "Video"
    INDUCTION = "induction", "Induction (one to one)"
    GROUP_INDUCTION = "group_induction", "Induction (group)"
    OTHER_AGENCY_INFORMATION = "other_agency_information", "Information from another agency"
    THIRD_PARTY_REPORT = "third_party_report", "Third-party report"
    NOTE = "note", "Note"


class ContactOutcome(models.TextChoices):
    ATTENDED_COMPLIED = "attended_complied", "Attended and complied"
    ATTENDED_FAILED_TO_COMPLY = "attended_failed_to_comply", "Attended: failed to comply"
    FAILED_TO_ATTEND_ACCEPTABLE = "failed_to_attend_acceptable", "Failed to attend: acceptable absence"
    FAILED_TO_ATTEND_UNACCEPTABLE = "failed_to_attend_unacceptable", "Failed to attend: unacceptable absence"
    RESCHEDULED = "rescheduled", "Rescheduled"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# Appointments are contacts the person is expected to attend; an appointment in the future has no outcome yet.
APPOINTMENT_TYPES = frozenset(
    {ContactType.OFFICE_APPOINTMENT, ContactType.HOME_VISIT, ContactType.TELEPHONE, ContactType.VIDEO,
     ContactType.INDUCTION, ContactType.GROUP_INDUCTION}
)  # fmt: skip

# The outcomes an appointment can be given once it has happened (the page's choice; ``not_applicable`` is for contacts
# that are not appointments).
APPOINTMENT_OUTCOMES = tuple(c for c in ContactOutcome.choices if c[0] != ContactOutcome.NOT_APPLICABLE)
# Outcomes that are a failure to comply: the enforcement decision follows (rules.md §2.3).
FAILURE_OUTCOMES = frozenset({ContactOutcome.ATTENDED_FAILED_TO_COMPLY, ContactOutcome.FAILED_TO_ATTEND_UNACCEPTABLE})
# Outcomes where the person attended (a RAR day is delivered by attending, whether or not they complied).
ATTENDED_OUTCOMES = frozenset({ContactOutcome.ATTENDED_COMPLIED, ContactOutcome.ATTENDED_FAILED_TO_COMPLY})
