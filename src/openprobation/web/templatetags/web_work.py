"""Template filters for the work-item and safeguarding forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from openprobation.contacts.choices import APPOINTMENT_TYPES
from openprobation.core import clock
from openprobation.safeguarding.services import safeguarding_check_closable
from openprobation.web.case_sections import case_url
from openprobation.workitems.services import work_item_cancellable

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """``mapping[key]`` or None: a form's value or error by field name."""
    return mapping.get(key) if mapping else None


@register.filter
def chosen(form: Any, name: str) -> list[str]:
    """The boxes ticked in a checkbox question, to tick them again after an error."""
    getlist = getattr(form.data, "getlist", None)
    return list(getlist(name)) if getlist is not None else list(form.data.get(name, []) or [])


@register.filter
def date_part(data: Mapping[str, str] | None, name: str) -> list[str]:
    """The day, month and year typed into a date field, to show them again after an error."""
    return [(data or {}).get(f"{name}_{p}", "") for p in ("day", "month", "year")]


CHECK_AGENCY = {"police_da_check": "police_da", "childrens_services_check": "childrens_services"}
# A RoSH item is done by completing the assessment itself (so the enquiry sign-off rule applies).
ASSESSMENT_KIND = {"rosh_screening": "screening", "rosh_full_analysis": "full_analysis", "rosh_review": "review"}


@register.filter
def item_action_url(item: Any) -> str:
    """Where the one click from a work item goes: record the enquiry for a check, otherwise mark it done."""
    if item.kind in CHECK_AGENCY:
        subject = f"&subject={item.relationship_id}" if item.relationship_id else ""
        return f"{reverse('web:check-new', args=[item.person.crn])}?agency={CHECK_AGENCY[item.kind]}{subject}"
    if item.kind == "reporting_change_countersign":
        return case_url(item.person.crn, "reporting")
    if item.kind == "enforcement_decision":  # decided on the case's Compliance section, each failure in turn
        return case_url(item.person.crn, "enforcement")
    if item.kind in ASSESSMENT_KIND:
        return f"{reverse('web:rosh-assessment-new', args=[item.person.crn])}?kind={ASSESSMENT_KIND[item.kind]}"
    if item.kind == "signal_review":  # closed only by its disposition
        return str(reverse("web:signal-review", args=[item.pk]))
    return str(reverse("web:work-item-action", args=[item.pk, "complete"]))


@register.simple_tag
def item_action_href(item: Any, came_from: str = "") -> str:
    """:func:`item_action_url`, marked with the page the user came from (``whats-due``, ``queue``) when the action
    is a work-item form, so it returns there."""
    url = item_action_url(item)
    if came_from and url.startswith("/work-items/"):
        return f"{url}?from={came_from}"
    return url


@register.filter
def item_action_label(item: Any) -> str:
    if item.kind in CHECK_AGENCY:
        return "Record the enquiry"
    if item.kind in ("reporting_change_countersign", "enforcement_decision"):
        return "Decide"
    if item.kind in ASSESSMENT_KIND:
        return "Start the assessment"
    if item.kind == "signal_review":
        return "Review"
    return "Mark as done"


@register.filter
def highlight(sentence: str, evidence: str) -> SafeString:
    """The sentence, escaped, with the words that raised the signal marked (``<mark>``), quoted as written."""
    at = sentence.find(evidence) if evidence else -1
    if at < 0:
        return mark_safe(f"“{escape(sentence)}”")
    before, words, after = sentence[:at], sentence[at : at + len(evidence)], sentence[at + len(evidence) :]
    return mark_safe(f"“{escape(before)}<mark>{escape(words)}</mark>{escape(after)}”")


@register.filter
def cancellable_by(item: Any, user: Any) -> bool:
    """Whether ``user`` may cancel this work item (the service's own rule), so the page offers only what works."""
    return work_item_cancellable(actor=user, kind=item.kind)


@register.filter
def closable_by(check: Any, user: Any) -> bool:
    """Whether ``user`` may close this safeguarding enquiry (the service's own rule)."""
    return safeguarding_check_closable(actor=user, status=check.status)


@register.simple_tag(name="case_url")
def case_url_tag(crn: str, anchor: str = "") -> str:
    """``{% case_url crn "work-due" %}``: the case section holding that part of the record."""
    return case_url(crn, anchor)


@register.filter
def needs_outcome(contact: Any) -> bool:
    """An appointment whose time has come with no outcome recorded yet."""
    return contact.type in APPOINTMENT_TYPES and not contact.outcome and contact.date <= clock.now()


@register.filter
def can_rearrange(contact: Any) -> bool:
    """A booked appointment still to come (no outcome yet)."""
    return contact.type in APPOINTMENT_TYPES and not contact.outcome and contact.date > clock.now()
