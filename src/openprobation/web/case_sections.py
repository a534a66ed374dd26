"""The sections of a case record, each a page of its own under ``/case/<crn>/``, like the services practitioners
know: an overview, then personal details, risk, sentence, activity log, compliance, work and checks, and audit.

Every link into a case names the part it wants by its anchor (``work-due``, ``safeguarding``, ``contacts``...);
:func:`case_url` knows which section holds each anchor, so links and redirects never guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str


SECTIONS = (
    Section("overview", "Overview", "web:case"),
    Section("personal", "Personal details", "web:case-personal"),
    Section("risk", "Risk", "web:case-risk"),
    Section("sentence", "Sentence", "web:case-sentence"),
    Section("activity", "Activity log", "web:case-activity"),
    Section("compliance", "Compliance", "web:case-compliance"),
    Section("work", "Work and checks", "web:case-work"),
    Section("audit", "Audit", "web:audit"),
)
BY_KEY = {s.key: s for s in SECTIONS}

# Which section holds each part of the record a link may point at.
ANCHOR_SECTION = {
    "summary": "personal",
    "addresses": "personal",
    "household": "personal",
    "contact-details": "personal",
    "sentences": "sentence",
    "reporting": "sentence",
    "registrations": "risk",
    "risk-scores": "risk",
    "rosh-assessments": "risk",
    "risk-escalations": "risk",
    "work-due": "work",
    "safeguarding": "work",
    "contacts": "activity",
    "outcomes-to-log": "compliance",
    "enforcement": "compliance",
    "recall": "compliance",
    "breaches": "compliance",
}


def case_url(crn: str, anchor: str = "") -> str:
    """The URL of the section holding ``anchor`` (the overview when none), with the anchor as its fragment."""
    if anchor and anchor not in ANCHOR_SECTION:
        raise ValueError(f"No case section holds #{anchor}")
    section = BY_KEY[ANCHOR_SECTION[anchor]] if anchor else BY_KEY["overview"]
    url = reverse(section.url_name, args=[crn])
    return f"{url}#{anchor}" if anchor else url


def section_links(crn: str, current: str, *, can_read_audit: bool) -> list[dict[str, object]]:
    """The sub-navigation: every section the user may open, the current one marked."""
    return [
        {"label": s.label, "href": reverse(s.url_name, args=[crn]), "current": s.key == current}
        for s in SECTIONS
        if s.key != "audit" or can_read_audit
    ]
