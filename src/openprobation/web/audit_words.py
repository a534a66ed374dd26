"""The audit history in words: what each recorded action means, field names as labels, and stored values (codes,
ISO dates, true/false) as a person would write them. Presentation only; the audit trail itself keeps the codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone

from openprobation.contacts import choices as contact_choices
from openprobation.enforcement import choices as enforcement_choices
from openprobation.organisation import choices as organisation_choices
from openprobation.people import choices as people_choices
from openprobation.quality import choices as quality_choices
from openprobation.rules.dates import long_date
from openprobation.safeguarding import choices as safeguarding_choices
from openprobation.sentences import choices as sentence_choices
from openprobation.workitems import choices as workitem_choices

ACTIONS = {
    "address.added": "Added an address",
    "appointment.booked": "Booked an appointment",
    "appointment.rearranged": "Rearranged an appointment",
    "appointment_reminder.failed": "An appointment reminder failed",
    "appointment_reminder.opted_out": "No appointment reminder: no consent to reminders",
    "appointment_reminder.sending": "Sending an appointment reminder",
    "appointment_reminder.sent": "Sent an appointment reminder",
    "api_token.created": "Created an API token",
    "api_token.listed": "Listed API tokens",
    "api_token.revoked": "Revoked an API token",
    "assessment.recorded": "Recorded an OASys assessment",
    "audit_case.recorded": "Audited the case (quality assurance)",
    "audit_round.created": "Opened an audit round",
    "audit_round.sample_drawn": "Drew an audit round's sample of cases",
    "case.audit_read": "Read the case's audit history",
    "case.open_refused": "Tried to open the case and was refused",
    "case.viewed": "Opened the case",
    "case_access.added": "Added someone to the case's access list",
    "case_access.removed": "Removed someone from the case's access list",
    "case_access.restriction_lifted": "Lifted the case's restriction",
    "contact.recorded": "Recorded a contact",
    "contact.updated": "Changed a contact",
    "criminal_history.recorded": "Recorded the criminal history",
    "criminal_history.updated": "Changed the criminal history",
    "breach.started": "Started a breach (on licence, recall initiated)",
    "recall.started": "Started a recall recommendation",
    "recall.spo_decided": "Recorded the SPO's recall decision",
    "recall.type_chosen": "Chose the recall type",
    "recall.countersigned_spo": "Countersigned the recall (SPO)",
    "recall.countersigned_senior": "Countersigned the recall (senior manager)",
    "recall.part_a_generated": "Produced the Part A",
    "recall.sent": "Sent the Part A to PPCS",
    "recall.no_recall_letter": "Wrote the decision-not-to-recall letter",
    "breach_report.drafted": "Saved the breach report's draft",
    "breach_report.checked": "Checked the breach report before submission",
    "breach.approved": "Approved the breach report (senior probation officer)",
    "breach.referral_accepted": "Accepted a breach referral from a community rehabilitation company",
    "breach.sent": "Sent the breach to court",
    "breach.presented": "Recorded the breach presented at court",
    "breach.ended": "Recorded the breach's outcome (the breach ended)",
    "warning_letter.generated": "Generated a warning letter",
    "risk_escalation.requested": "Requested a risk escalation",
    "risk_escalation.accepted": "Accepted a risk escalation (the case moved)",
    "risk_escalation.declined": "Declined a risk escalation",
    "enforcement_decision.opened": "A failure to comply awaits an enforcement decision",
    "enforcement_decision.recorded": "Decided on a failure to comply",
    "event.allocated": "Allocated the case",
    "event.created": "Recorded a sentence (event)",
    "event.updated": "Changed a sentence (event)",
    "job.enqueued": "Queued a background job",
    "job.ran": "A background job ran",
    "person.created": "Created the case",
    "person.updated": "Changed personal details",
    "rating.overridden": "A rating panel overrode a round's overall rating",
    "recorded_score.set": "Recorded a score from another system",
    "registration.added": "Added a registration",
    "registration.updated": "Changed a registration",
    "relationship.added": "Added a relationship",
    "relationship.updated": "Changed a relationship",
    "reporting.change_decided": "Decided a change to reporting",
    "reporting.change_requested": "Asked to change reporting",
    "risk.calculated": "Risk tools recalculated",
    "signal_review.disposed": "Recorded the disposition of a warning sign",
    "signals.found": "Warning signs found in a contact note",
    "risk.recomputed": "Risk tools recalculated for the caseload",
    "rosh_assessment.completed": "Completed a RoSH assessment",
    "rosh_assessment.started": "Started a RoSH assessment",
    "safeguarding_check.chased": "Chased a safeguarding enquiry",
    "safeguarding_check.closed": "Closed a safeguarding enquiry",
    "safeguarding_check.requested": "Made a safeguarding enquiry",
    "safeguarding_check.response_recorded": "Recorded the reply to a safeguarding enquiry",
    "safeguarding_check.used_in_assessment": "Used an enquiry's reply in an assessment",
    "sfo.notified": "Notified a serious further offence",
    "sfo.review_recorded": "Recorded a serious further offence review",
    "standard.rated": "An inspector rated a standard",
    "work_item.cancelled": "Cancelled a work item",
    "work_item.done": "Marked a work item as done",
    "work_item.escalated": "An overdue work item was escalated",
    "workload.reduction_added": "A reduction in hours was recorded",
    "workload.reduction_ended": "A reduction in hours was ended",
    "workload.snapshot_taken": "The week's workload snapshot was taken",
    "workload.overload_alert_raised": "Over capacity for the weeks the policy sets: the managers were told",
    "case.allocation_decided": "Allocated the case through the allocation screen",
    "case.reallocation_decided": "Reallocated the case through the allocation screen",
    "staff.workforce_changed": "The workforce record (grade, hours, training stage, dates) was changed",
    "work_items.created": "Work became due",
}

# Field names whose plain label is not the name with spaces.
LABELS = {
    "crn": "CRN",
    "dob": "Date of birth",
    "pnc_number": "PNC number",
    "cro_number": "CRO number",
    "rosh": "RoSH",
    "id": "Record number",
    "sms_reminders": "Text message reminders",
    "email": "Email address",
}


def _choice_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for module in (contact_choices, organisation_choices, people_choices, safeguarding_choices, sentence_choices,
                   workitem_choices, enforcement_choices, quality_choices):  # fmt: skip
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, models.Choices) and value is not models.TextChoices:
                for code, label in value.choices:
                    labels.setdefault(str(code), str(label))
    return labels


CHOICE_LABELS = _choice_labels()


def action_words(action: str) -> str:
    """``contact.recorded`` -> "Recorded a contact"; an action with no words yet is spelt out from its code."""
    if action in ACTIONS:
        return ACTIONS[action]
    return action.replace(".", ": ").replace("_", " ").capitalize()


def field_label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def value_words(value: Any) -> str:
    """A stored value as words: a code's label, a date as "3 Feb 2026", true/false as Yes/No, a list joined."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(value_words(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {value_words(v)}" for k, v in value.items())
    if isinstance(value, str):
        if value in CHOICE_LABELS:
            return CHOICE_LABELS[value]
        try:
            if len(value) == 10:
                return long_date(dt.date.fromisoformat(value))
            if len(value) > 10 and value[10] == "T":
                moment = dt.datetime.fromisoformat(value)
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return f"{long_date(moment.date())}, {moment:%H:%M}"
        except ValueError:
            pass
    return str(value)


def values_in_words(values: Any) -> list[tuple[str, str]]:
    """A before/after snapshot as (label, words) pairs, in the order stored."""
    if not isinstance(values, dict):
        return [] if values in (None, "") else [("Value", value_words(values))]
    return [(field_label(str(k)), value_words(v)) for k, v in values.items()]


def who(event: Any) -> str:
    """The member of staff's name (their username when the account has no staff record; the command line's own
    description for changes made there)."""
    actor = event.actor
    staff = getattr(actor, "staff", None) if actor is not None else None
    return staff.name if staff is not None else event.actor_name
