"""The demo's quality and inspection: audits already done, so a new user sees the league table and trends at once.

Made through the same services as the pages (``quality.services``), as the demo's quality-assurance staff: for each
of the first PDUs (at most ``PDUS``), two past audit rounds (spring and autumn), each with a small sample drawn from
a seed; every sampled case judged key question by key question, insufficient more often where the record's own
evidence shows something late, missing or unused; the inspector's standards rated; one rating panel's override.
Each PDU has a quality of its own, and its autumn round moves from its spring one, so the ratings differ between
PDUs and over time. Then a few serious further offences, some reviewed. The work is a few hundred cases whatever the
size of the caseload.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from openprobation.core.errors import ValidationFailed
from openprobation.organisation.models import Pdu, Staff
from openprobation.people.access import people_visible_to
from openprobation.quality import selectors, services
from openprobation.quality.models import AuditCase
from openprobation.rules import case_audit
from openprobation.rules.dates import add_months
from openprobation.rules.ratings import KEY_QUESTIONS, RATINGS
from openprobation.rules.serious_further_offences import sfo_policy

PDUS = 12
SAMPLE = 8
SFOS = 8
NOTES = {
    "assessment": "The assessment did not draw on the police and children's services information",
    "planning": "The plan did not set out how the risk to the partner would be managed",
    "implementation_and_delivery": "Contact was not enough to manage the risk; no home visit",
    "reviewing": "No review after the change in the household",
}
EVIDENCE = {
    "outstanding": "Leaders know the service well; staff describe clear priorities and support",
    "good": "Staff surveys and interviews show a settled team with reasonable caseloads",
    "requires_improvement": "Vacancies and high caseloads; interventions not always available",
    "inadequate": "Staffing shortfalls and gaps in information systems hold back the work",
}
FINDINGS = "The risk to the new partner was not reassessed; no police domestic abuse check was made"
ACTIONS = "Briefing on checks for new partners; managers to audit relationship disclosures monthly"


def _rating_near(quality: float, rng: random.Random) -> str:
    """An inspector's rating for a PDU of this quality (0 worst, 1 best), a little noisy."""
    score = min(max(quality + rng.uniform(-0.15, 0.15), 0), 0.999)
    return tuple(reversed(RATINGS))[int(score * 4)]


def seed_quality(seed: int, as_of: dt.date) -> dict[str, int]:
    """Audit rounds, case audits, ratings and serious further offences, through the services. Counts of each."""
    qa_staff = Staff.objects.filter(role="quality_assurance", user__isnull=False).order_by("code").first()
    if qa_staff is None:
        return {}
    actor: Any = qa_staff.user
    rng = random.Random(f"quality-{seed}")
    counts: Counter[str] = Counter()
    rounds = (("Spring", add_months(as_of, -8)), ("Autumn", add_months(as_of, -2)))
    for pdu in Pdu.objects.order_by("code")[:PDUS]:
        quality = rng.uniform(0.25, 0.95)
        for i, (season, ends) in enumerate(rounds):
            quality = min(max(quality + (rng.uniform(-0.2, 0.25) if i else 0), 0.05), 0.98)
            made = services.audit_round_create(
                actor=actor, name=f"{pdu.name}, {season.lower()} {ends.year}", scope_level="pdu",
                scope_code=pdu.code, starts_on=add_months(ends, -1), ends_on=ends,
            )  # fmt: skip
            counts["rounds"] += 1
            try:
                services.audit_sample_draw(actor=actor, round_id=made.pk, size=SAMPLE, seed=rng.randrange(2**31))
            except ValidationFailed:
                continue  # no cases in scope
            for audit_case in AuditCase.objects.filter(round=made).select_related("person"):
                _audit(actor, made.pk, audit_case, quality, rng)
                counts["cases_audited"] += 1
            for standard in selectors.inspector_standards_of(made.scheme):
                rating = _rating_near(quality, rng)
                services.standard_rate(actor=actor, round_id=made.pk, standard=standard, rating=rating,
                                       evidence=EVIDENCE[rating])  # fmt: skip
        counts["pdus"] += 1
    _override_one(actor)
    counts["sfos"] = _sfos(actor, rng, as_of)
    return dict(counts)


def _audit(actor: Any, round_id: int, audit_case: AuditCase, quality: float, rng: random.Random) -> None:
    facts = selectors.case_facts(person=audit_case.person)
    policy = case_audit.case_audit_policy()
    judgements: dict[str, dict[str, Any]] = {}
    for standard in case_audit.CASE_STANDARDS:
        for kq in KEY_QUESTIONS:
            lines = [
                line for p in policy.prompts_for(standard, kq) for line in case_audit.evidence_for_prompt(p, facts)
            ]
            missed = any(line.status == "not_met" for line in lines)
            chance = quality * (0.55 if missed else 1.0) * (0.9 if kq == "keeping_safe" else 1.0)
            sufficient = rng.random() < chance
            judgements[f"{standard}.{kq}"] = {"sufficient": sufficient, "notes": "" if sufficient else NOTES[standard]}
    services.audit_case_record(actor=actor, round_id=round_id, crn=audit_case.person.crn, version=audit_case.version,
                               judgements=judgements)  # fmt: skip


def _override_one(actor: Any) -> None:
    """One rating panel's override, on the lowest-scoring autumn round, with its reason."""
    latest = [r for r in selectors.audit_round_list(actor=actor) if r.name.split(", ")[-1].startswith("autumn")]
    ratings = selectors.ratings_for_rounds(latest)
    scored = [(ratings[r.pk].overall.points, r.pk, r) for r in latest if ratings[r.pk].overall is not None]  # type: ignore[union-attr]
    if not scored:
        return
    _, _, lowest = min(scored)
    reason = "Keeping other people safe was insufficient in most cases the panel read"
    services.rating_override(actor=actor, round_id=lowest.pk, version=lowest.version, rating="inadequate",
                             reason=reason)  # fmt: skip


def _sfos(actor: Any, rng: random.Random, as_of: dt.date) -> int:
    # The cases the quality-assurance user may see (a restricted case they are not on the list of is not theirs).
    visible = people_visible_to(actor).filter(team__isnull=False)
    people = list(visible.order_by("crn").values_list("crn", flat=True)[:4000])
    if not people:
        return 0
    policy = sfo_policy()
    offences = sorted(policy.offences)
    reviewer = Staff.objects.filter(role="head_of_service").order_by("code").first()
    made = 0
    for crn in rng.sample(people, min(SFOS, len(people))):
        notified = as_of - dt.timedelta(days=rng.randrange(10, 330))
        charged = notified - dt.timedelta(days=rng.randrange(1, 5))
        sfo = services.sfo_notify(actor=actor, crn=crn, offence=rng.choice(offences),
                                  offence_date=charged - dt.timedelta(days=rng.randrange(0, 20)), charged_on=charged,
                                  notified_on=notified)  # fmt: skip
        made += 1
        if reviewer is not None and sfo.review_due_on < as_of and rng.random() < 0.7:
            done = max(min(sfo.review_due_on - dt.timedelta(days=rng.randrange(-20, 30)), as_of), notified)
            services.sfo_review_record(actor=actor, sfo_id=sfo.pk, version=sfo.version, reviewer=reviewer.code,
                                       findings=FINDINGS, learning_actions=ACTIONS, completed_on=done)  # fmt: skip
    return made
