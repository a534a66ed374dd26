"""The words of the operating timescales: how an event, an item kind, a date and a missing fact are put in a work
item's reason."""

from __future__ import annotations

import datetime as dt

from openprobation.rules.dates import long_date
from openprobation.rules.timescale_types import FACT_LABELS, LOCAL_TIME, ItemKind, SentenceType, Trigger, TriggerEvent

# ---- phrases ------------------------------------------------------------------------------------------------------

_EVENT_PHRASES = {
    Trigger.SENTENCE_COMMUNITY: "Community sentence passed",
    Trigger.SENTENCE_CUSTODY: "Custodial sentence passed",
    Trigger.SENTENCE_LICENCE_RELEASE: "Released on licence",
    Trigger.ALLOCATION: "Case allocated",
    Trigger.FIRST_APPOINTMENT_ATTENDED: "First appointment attended",
    Trigger.APPOINTMENT_MISSED: "Appointment missed",
    Trigger.ROSH_SCREENING_INDICATES_RISK: "RoSH screening indicated risk of serious harm",
    Trigger.ROSH_HIGH_OR_VERY_HIGH: "RoSH assessed as high or very high",
    Trigger.CHILD_PROTECTION_REGISTRATION: "Child protection registration recorded",
    Trigger.PARTNER_JOINED_HOUSEHOLD: "New partner recorded in the household",
    Trigger.CHILD_JOINED_HOUSEHOLD: "Child recorded as joining the household",
    Trigger.REPORTING_REDUCTION_REQUESTED: "Reduction in reporting frequency requested",
    Trigger.FAILURE_TO_COMPLY_RECORDED: "Failure to comply recorded",
    Trigger.FAILURE_TO_COMPLY_KNOWN: "Failure to comply known",
    Trigger.BREACH_REFERRAL_ACCEPTED: "Breach referral accepted",
    Trigger.RECALL_DECIDED: "Recall decided",
    Trigger.NEW_PARTNER_RECORDED: "New partner recorded (not living in the household)",
    Trigger.SIGNAL_FOUND: "Warning sign found in a contact note",
    Trigger.HARM_SIGNAL_REPORTED: "Stalking, harassment, threats or controlling behaviour reported",
    Trigger.HARM_SIGNAL_REPORTED_ON_LICENCE: (
        "Stalking, harassment, threats or controlling behaviour reported on licence"
    ),
    Trigger.UNSAFE_REPORTED: "Someone said they feel unsafe",
    Trigger.NEW_RELATIONSHIP_REPORTED: "New relationship disclosed or reported",
    Trigger.NEW_RELATIONSHIP_CHILDREN_INVOLVED: "New relationship reported with children involved",
    Trigger.RISK_ESCALATION_REQUESTED: "Risk escalation requested",
}

_SENTENCE_PHRASES = {
    SentenceType.COMMUNITY_ORDER: "Community order sentenced",
    SentenceType.SUSPENDED_SENTENCE_ORDER: "Suspended sentence order sentenced",
}

_ROSH_WORDS = {"high": "high", "very_high": "very high"}


def event_phrase(event: TriggerEvent) -> str:
    if event.phrase:
        return event.phrase
    facts = event.facts
    if event.trigger is Trigger.SENTENCE_COMMUNITY and facts.sentence_type in _SENTENCE_PHRASES:
        return _SENTENCE_PHRASES[facts.sentence_type]
    if event.trigger is Trigger.ROSH_HIGH_OR_VERY_HIGH and facts.rosh in _ROSH_WORDS:
        return f"RoSH assessed as {_ROSH_WORDS[facts.rosh]}"
    return _EVENT_PHRASES[event.trigger]


def item_label(kind: ItemKind) -> str:
    text = kind.value.replace("_", " ")
    for short, proper in (("rosh", "RoSH"), ("da ", "DA "), ("childrens", "children's")):
        text = text.replace(short, proper)
    return text[0].upper() + text[1:]


def assumption_text(assumed: tuple[str, ...], competing: bool) -> str:
    if not assumed:
        return ""
    missing = " and ".join(FACT_LABELS[f] for f in assumed)
    if competing:
        return f". The {missing} is not recorded, so the earliest of the possible timescales is used."
    return f". The {missing} is not recorded, so this timescale is applied to be safe."


def format_date(day: dt.date) -> str:
    return long_date(day)


def format_datetime(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL_TIME)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'} on {format_date(local.date())}"
