"""Reading enforcement decisions and the compliance summary. Callers pass a person obtained from
``people.selectors.person_get`` (access applied)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, Min, QuerySet
from django.utils import timezone

from openprobation.contacts import selectors as contact_selectors
from openprobation.contacts.choices import FAILURE_OUTCOMES
from openprobation.core.errors import NotFound
from openprobation.enforcement import documents
from openprobation.enforcement.choices import DecisionStatus, EnforcementAction
from openprobation.enforcement.models import Breach, BreachReport, EnforcementDecision
from openprobation.people.models import Person
from openprobation.rules import enforcement as rules
from openprobation.rules.clocks import BREACH_CLOCK_KINDS
from openprobation.sentences.choices import SentenceType
from openprobation.sentences.models import Event
from openprobation.workitems import selectors as workitem_selectors

# Sentences on which supervision in the community starts at release: the release date is the referral to probation.
RELEASED_SENTENCE_TYPES = (SentenceType.LICENCE, SentenceType.POST_SENTENCE_SUPERVISION)


def enforcement_decision_list(*, person: Person) -> QuerySet[EnforcementDecision]:
    """The case's decisions, awaiting first, then newest failure first."""
    return (
        EnforcementDecision.objects.filter(person=person)
        .select_related("contact", "contact__requirement", "decided_by", "work_item", "breach", "event")
        .order_by("status", "-failed_on", "-id")  # "awaiting" before "decided"
    )


def enforcement_decision_get(*, person: Person, decision_id: int) -> EnforcementDecision:
    decision = enforcement_decision_list(person=person).filter(pk=decision_id).first()
    if decision is None:
        raise NotFound(f"No enforcement decision {decision_id} on case {person.crn}")
    return decision


def breach_in_progress(*, person: Person) -> Breach | None:
    return Breach.objects.filter(person=person, ended_on__isnull=True).first()


def counted_from(*, person: Person, today: dt.date) -> dt.date:
    """The first day failures to comply and warnings count (``rules.enforcement.counted_from``): the sentence start
    is the earliest start of the case's current sentences, the referral the earliest release of a current licence
    or post-sentence supervision, and the end of the last breach its end date."""
    current = Event.objects.filter(person=person, termination_date__isnull=True)
    dates = current.aggregate(start=Min("sentence_date"))
    referral = current.filter(sentence_type__in=RELEASED_SENTENCE_TYPES).aggregate(r=Min("release_date"))["r"]
    last_end = Breach.objects.filter(person=person, ended_on__isnull=False).aggregate(e=Max("ended_on"))["e"]
    return rules.counted_from(today, rules.enforcement_policy(), sentence_start=dates["start"], referral=referral,
                              last_breach_end=last_end)  # fmt: skip


def warnings_given(*, person: Person, since: dt.date) -> int:
    return EnforcementDecision.objects.filter(
        person=person, status=DecisionStatus.DECIDED, action=EnforcementAction.WARNING, decided_on__gte=since
    ).count()


@dataclass(frozen=True)
class ComplianceStatus:
    """The case's compliance summary: failures to comply (distinct days) since ``counted_from``, whether a breach is
    in progress, the banner, and what the policy allows for the next unacceptable failure."""

    counted_from: dt.date
    failures: int
    breach: Breach | None
    banner: rules.ComplianceBanner
    warnings_given: int
    next_failure: rules.WarningOrBreach
    awaiting: int
    policy_version: str

    @property
    def breach_in_progress(self) -> bool:
        return self.breach is not None


def compliance_status(*, person: Person, now: dt.datetime) -> ComplianceStatus:
    today = timezone.localdate(now)
    since = counted_from(person=person, today=today)
    failure_days = {
        timezone.localdate(contact.date)
        for contact in contact_selectors.contact_list(person=person, outcome=FAILURE_OUTCOMES).filter(
            date__date__gte=since, date__lte=now
        )
    }
    breach = breach_in_progress(person=person)
    policy = rules.enforcement_policy()
    given = warnings_given(person=person, since=since)
    return ComplianceStatus(
        counted_from=since,
        failures=len(failure_days),
        breach=breach,
        banner=rules.compliance_banner(len(failure_days), breach is not None),
        warnings_given=given,
        next_failure=rules.warning_or_breach(given, policy),
        awaiting=EnforcementDecision.objects.filter(person=person, status=DecisionStatus.AWAITING).count(),
        policy_version=policy.policy_version,
    )


def warning_letters_outstanding() -> QuerySet[EnforcementDecision]:
    """Warnings whose letter has not been generated yet (``breaches.warning_letter_generate`` records the first)."""
    return EnforcementDecision.objects.filter(
        status=DecisionStatus.DECIDED, action=EnforcementAction.WARNING, letter_generated_at__isnull=True
    )


def breach_list(*, person: Person) -> QuerySet[Breach]:
    """The case's breaches, the one in progress first, then newest first."""
    return Breach.objects.filter(person=person).select_related("event", "approved_by").order_by(
        F("ended_on").desc(nulls_first=True), "-started_on", "-id"
    )


def breach_get(*, person: Person, breach_id: int) -> Breach:
    breach = breach_list(person=person).filter(pk=breach_id).first()
    if breach is None:
        raise NotFound(f"No breach {breach_id} on case {person.crn}")
    return breach


def breach_report(*, breach: Breach) -> BreachReport | None:
    return BreachReport.objects.filter(breach=breach).select_related("author", "checked_by").first()


def breach_decisions(*, breach: Breach) -> QuerySet[EnforcementDecision]:
    """The decisions that started or joined the breach: the failures a report would cite."""
    return EnforcementDecision.objects.filter(breach=breach).order_by("failed_on", "pk")


@dataclass(frozen=True)
class BreachView:
    """A breach as its page and the API show it: its steps in order, its clocks still running, the decisions that
    started or joined it, and the report's draft (none yet)."""

    breach: Breach
    steps: list[dict[str, Any]]
    clocks: list[workitem_selectors.RunningClock]
    decisions: list[EnforcementDecision]
    report: BreachReport | None


def breach_view(*, person: Person, breach: Breach, now: dt.datetime) -> BreachView:
    report = breach_report(breach=breach)
    running = workitem_selectors.running_clocks(crns=[person.crn], now=now).get(person.crn, [])
    return BreachView(
        breach=breach,
        steps=documents.step_rows(breach, report),
        clocks=workitem_selectors.clocks_of(running, *BREACH_CLOCK_KINDS) if breach.ended_on is None else [],
        decisions=list(breach_decisions(breach=breach)),
        report=report,
    )
