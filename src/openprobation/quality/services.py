"""Recording audit rounds, samples, case audits, inspectors' ratings, rating-panel overrides and serious further
offences. Each a single transaction, audited; bad input changes nothing and says what to fix.

Audits, ratings and overrides are quality assurance's (``organisation.roles.AUDITORS``), who read a case but never
change it: auditing a case opens it read-only (``people.selectors.person_get``), so a case hidden from the auditor
(not on its restriction list, or on its exclusion list) cannot be audited by them. Serious further offences are
recorded by the roles in ``QUALITY_READERS`` on the cases they may see.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from openprobation.core import clock
from openprobation.core.audit import audit_record
from openprobation.core.errors import Collector, NotFound, ValidationFailed, VersionConflict
from openprobation.organisation.models import Pdu, Provider, Region, Staff, Team
from openprobation.organisation.roles import AUDITORS, QUALITY_READERS
from openprobation.people import selectors as people_selectors
from openprobation.people.access import Actor, require_role
from openprobation.quality import selectors
from openprobation.quality.choices import AuditStatus, ScopeLevel
from openprobation.quality.models import AuditCase, AuditJudgement, AuditRound, SeriousFurtherOffence, StandardRating
from openprobation.risk import selectors as risk_selectors
from openprobation.rules import case_audit
from openprobation.rules import serious_further_offences as sfo_rules
from openprobation.rules.dates import long_date
from openprobation.rules.ratings import KEY_QUESTION_WORDS, KEY_QUESTIONS, RATINGS, rating_policy

NAME_LIMIT = 200
TEXT_LIMIT = 4000
SEED_LIMIT = 2**53  # a seed any JSON client can carry exactly


def _text(c: Collector, path: str, value: str, *, missing: str, limit: int = TEXT_LIMIT) -> None:
    if not value.strip():
        c.add(path, missing)
    elif len(value) > limit:
        c.add(path, f"Enter {limit} characters or fewer")


def default_scheme(scope_level: str) -> str:
    """A PDU round is rated on the nine-standard PDU scheme; a provider or region on the policy's default."""
    policy = rating_policy()
    return "pdu_2021" if scope_level == ScopeLevel.PDU and "pdu_2021" in policy.schemes else policy.default_scheme


def audit_round_create(
    *,
    actor: Actor | None,
    name: str,
    scope_level: str,
    scope_code: str,
    starts_on: dt.date,
    ends_on: dt.date,
    scheme: str | None = None,
) -> AuditRound:
    """Open an audit round of a provider, region or PDU (by code), rated on a scheme (by default: the PDU scheme
    for a PDU, the policy's default otherwise)."""
    staff = require_role(actor, *AUDITORS)
    c = Collector()
    _text(c, "name", name, missing="Enter a name for the round", limit=NAME_LIMIT)
    unit: Provider | Region | Pdu | None = None
    models: dict[str, Any] = {ScopeLevel.PROVIDER: Provider, ScopeLevel.REGION: Region, ScopeLevel.PDU: Pdu}
    if scope_level not in models:
        c.add("scope_level", "Choose what the round covers: provider, region or pdu")
    else:
        unit = models[scope_level].objects.filter(code=scope_code.replace("\x00", "")).first()
        if unit is None:
            c.add("scope_code", f"No {ScopeLevel(scope_level).label.lower()} with code {scope_code!r}")
    if ends_on < starts_on:
        c.add("ends_on", "The round must end on or after the day it starts")
    scheme = scheme or (default_scheme(scope_level) if scope_level in models else None)
    if scheme not in rating_policy().schemes:
        c.add("scheme", "Choose one of: " + ", ".join(rating_policy().schemes))
    c.raise_if_any()
    assert scheme is not None
    with transaction.atomic():
        audit_round = AuditRound.objects.create(
            name=name.strip(),
            scope_level=scope_level,
            scheme=scheme,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=staff,
            created_at=clock.now(),
            **{scope_level: unit},
        )
        audit_record(
            actor=actor,
            action="audit_round.created",
            entity="audit_round",
            entity_id=audit_round.pk,
            after={
                "name": audit_round.name,
                "scope_level": scope_level,
                "scope_code": scope_code,
                "scheme": scheme,
                "starts_on": starts_on,
                "ends_on": ends_on,
            },
        )
    return audit_round


def audit_sample_draw(*, actor: Actor | None, round_id: int, size: Any, seed: Any = None) -> list[AuditCase]:
    """Draw the round's sample, once: ``size`` cases from the cases in scope that the auditor may see, stratified
    by team and RoSH level (rules.case_audit.draw_sample), from ``seed`` (a random one when not given; stored, so
    the draw can be repeated)."""
    require_role(actor, *AUDITORS)
    policy = case_audit.case_audit_policy()
    c = Collector()
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= policy.largest_sample:
        c.add("size", f"Enter the number of cases to sample, from 1 to {policy.largest_sample}")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < SEED_LIMIT):
        c.add("seed", f"Enter a whole number from 0 to {SEED_LIMIT - 1}, or leave it out for a random one")
    c.raise_if_any()
    seed = secrets.randbelow(SEED_LIMIT) if seed is None else seed
    with transaction.atomic():
        audit_round = AuditRound.objects.select_for_update().filter(pk=round_id).first()
        if audit_round is None:
            raise NotFound(f"No audit round {round_id}")
        if audit_round.drawn_at is not None:
            raise ValidationFailed.single("size", "This round's sample was already drawn: nothing was changed")
        population = selectors.sample_population(actor=actor, audit_round=audit_round)
        if not population:
            raise ValidationFailed.single("size", "There are no cases in the round's scope to sample")
        ids = {case.crn: pk for pk, case in population}
        chosen = case_audit.draw_sample([case for _, case in population], size, seed)
        teams = dict(Team.objects.filter(code__in={case.team for case in chosen}).values_list("code", "pk"))
        cases = AuditCase.objects.bulk_create(
            AuditCase(round=audit_round, person_id=ids[case.crn], team_id=teams.get(case.team), rosh_at_draw=case.rosh)
            for case in chosen
        )
        audit_round.sample_seed, audit_round.sample_size = seed, size
        audit_round.sample_population, audit_round.drawn_at = len(population), clock.now()
        audit_round.sample_policy_version = policy.policy_version
        audit_round.version += 1
        audit_round.save()
        audit_record(
            actor=actor,
            action="audit_round.sample_drawn",
            entity="audit_round",
            entity_id=audit_round.pk,
            after={
                "seed": seed,
                "size": size,
                "population": len(population),
                "drawn": len(chosen),
                "crns": [case.crn for case in chosen],
            },
        )
    return cases


def audit_case_record(
    *, actor: Actor | None, round_id: int, crn: str, version: int, judgements: Mapping[str, Mapping[str, Any]]
) -> AuditCase:
    """Record the audit of one sampled case: for each key question of each of the round's case standards
    (``judgements["assessment.engagement"] = {"sufficient": True, "notes": "..."}``) whether it was sufficient, with
    notes (required when it was not). Every key question is judged; judging again replaces the earlier judgements."""
    staff = require_role(actor, *AUDITORS)
    audit_round = selectors.audit_round_get(actor=actor, round_id=round_id)
    person = people_selectors.person_get(actor=actor, crn=crn)
    expected = [f"{s}.{kq}" for s in selectors.case_standards_of(audit_round.scheme) for kq in KEY_QUESTIONS]
    c = Collector()
    for name in judgements:
        if name not in expected:
            c.add(("judgements", name), "Not a key question of this round's standards")
    for name in expected:
        given = judgements.get(name)
        standard, kq = name.split(".")
        words = f"{case_audit.case_audit_policy().standard_titles[standard].lower()}, {KEY_QUESTION_WORDS[kq]}"
        if given is None or not isinstance(given.get("sufficient"), bool):
            c.add(("judgements", name, "sufficient"), f"Say whether {words} was sufficient")
            continue
        notes = given.get("notes") or ""
        if not isinstance(notes, str):
            c.add(("judgements", name, "notes"), "Notes must be text")
        elif not given["sufficient"] and not notes.strip():
            c.add(("judgements", name, "notes"), f"Say what was missing ({words})")
        elif len(notes) > TEXT_LIMIT:
            c.add(("judgements", name, "notes"), f"Enter {TEXT_LIMIT} characters or fewer")
    c.raise_if_any()
    with transaction.atomic():
        audit_case = AuditCase.objects.select_for_update().filter(round=audit_round, person=person).first()
        if audit_case is None:
            raise NotFound(f"Case {crn} is not in the sample of audit round {round_id}")
        if audit_case.version != version:
            raise VersionConflict(audit_case.version)
        before = {f"{j.standard}.{j.key_question}": j.sufficient for j in audit_case.judgements.all()}
        audit_case.judgements.all().delete()
        AuditJudgement.objects.bulk_create(
            AuditJudgement(
                audit_case=audit_case,
                standard=name.split(".")[0],
                key_question=name.split(".")[1],
                sufficient=judgements[name]["sufficient"],
                notes=(judgements[name].get("notes") or "").strip(),
            )
            for name in expected
        )
        audit_case.status, audit_case.auditor, audit_case.audited_at = AuditStatus.AUDITED, staff, clock.now()
        audit_case.version += 1
        audit_case.save()
        audit_record(
            actor=actor,
            action="audit_case.recorded",
            crn=person.crn,
            entity="audit_case",
            entity_id=audit_case.pk,
            before=before or None,
            after={"round": audit_round.pk, **{name: judgements[name]["sufficient"] for name in expected}},
        )
    return audit_case


def standard_rate(*, actor: Actor | None, round_id: int, standard: str, rating: str, evidence: str) -> StandardRating:
    """An inspector's rating of one of the round's organisational or provider-specific standards, with the evidence
    for it (rating it again replaces the earlier rating)."""
    staff = require_role(actor, *AUDITORS)
    audit_round = selectors.audit_round_get(actor=actor, round_id=round_id)
    c = Collector()
    allowed = selectors.inspector_standards_of(audit_round.scheme)
    if standard not in allowed:
        c.add("standard", "Rate one of the standards an inspector rates in this round: " + ", ".join(allowed))
    if rating not in RATINGS:
        c.add("rating", "Choose one of: " + ", ".join(RATINGS))
    _text(c, "evidence", evidence, missing="Enter the evidence for the rating")
    c.raise_if_any()
    with transaction.atomic():
        AuditRound.objects.select_for_update().filter(pk=audit_round.pk).first()
        existing = StandardRating.objects.filter(round=audit_round, standard=standard).first()
        before = {"rating": existing.rating, "evidence": existing.evidence} if existing else None
        rated, _ = StandardRating.objects.update_or_create(
            round=audit_round,
            standard=standard,
            defaults={"rating": rating, "evidence": evidence.strip(), "rated_by": staff, "rated_at": clock.now()},
        )
        audit_record(
            actor=actor,
            action="standard.rated",
            entity="audit_round",
            entity_id=audit_round.pk,
            before=before,
            after={"standard": standard, "rating": rating, "evidence": evidence.strip()},
        )
    return rated


def rating_override(*, actor: Actor | None, round_id: int, version: int, rating: str, reason: str) -> AuditRound:
    """A rating panel's overall rating in place of the calculated one. Refused without a reason; the calculated
    rating is kept beside it."""
    staff = require_role(actor, *AUDITORS)
    selectors.audit_round_get(actor=actor, round_id=round_id)
    c = Collector()
    if rating not in RATINGS:
        c.add("rating", "Choose one of: " + ", ".join(RATINGS))
    _text(c, "reason", reason, missing="Enter the rating panel's reason for the override")
    c.raise_if_any()
    with transaction.atomic():
        audit_round = AuditRound.objects.select_for_update().filter(pk=round_id).first()
        assert audit_round is not None
        if audit_round.version != version:
            raise VersionConflict(audit_round.version)
        before = {"rating": audit_round.override_rating, "reason": audit_round.override_reason}
        audit_round.override_rating, audit_round.override_reason = rating, reason.strip()
        audit_round.override_by, audit_round.override_at = staff, clock.now()
        audit_round.version += 1
        audit_round.save()
        audit_record(
            actor=actor,
            action="rating.overridden",
            entity="audit_round",
            entity_id=audit_round.pk,
            before=before,
            after={"rating": rating},
            reason=reason.strip(),
        )
    return audit_round


# ---- serious further offences ------------------------------------------------------------------------------------


def sfo_notify(
    *,
    actor: Actor | None,
    crn: str,
    offence: str,
    offence_date: dt.date,
    charged_on: dt.date,
    notified_on: dt.date | None = None,
) -> SeriousFurtherOffence:
    """Record a serious further offence notification on a case: the review is due under the policy (three months
    by default), and the case's RoSH level now is kept with it for the statistics."""
    staff = require_role(actor, *QUALITY_READERS)
    person = people_selectors.person_get(actor=actor, crn=crn)
    policy = sfo_rules.sfo_policy()
    notified_on = notified_on or clock.today()
    c = Collector()
    if offence not in policy.offences:
        c.add("offence", "Choose a qualifying offence: " + ", ".join(policy.offences))
    if notified_on > clock.today():
        c.add("notified_on", "The notification date must be today or in the past")
    if charged_on > notified_on:
        c.add("charged_on", f"The charge must be on or before the notification ({long_date(notified_on)})")
    if offence_date > charged_on:
        c.add("offence_date", f"The offence must be on or before the charge ({long_date(charged_on)})")
    c.raise_if_any()
    with transaction.atomic():
        sfo = SeriousFurtherOffence.objects.create(
            person=person,
            offence=offence,
            offence_date=offence_date,
            charged_on=charged_on,
            notified_on=notified_on,
            rosh_at_notification=risk_selectors.person_rosh(person=person) or "",
            team_at_notification=person.team,
            review_due_on=sfo_rules.review_due(notified_on, policy),
            policy_version=policy.policy_version,
            notified_by=staff,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="sfo.notified",
            crn=person.crn,
            entity="serious_further_offence",
            entity_id=sfo.pk,
            after={
                "offence": offence,
                "offence_date": offence_date,
                "charged_on": charged_on,
                "notified_on": notified_on,
                "rosh_at_notification": sfo.rosh_at_notification,
                "review_due_on": sfo.review_due_on,
            },
        )
    return sfo


def sfo_review_record(
    *,
    actor: Actor | None,
    sfo_id: int,
    version: int,
    reviewer: str,
    findings: str,
    learning_actions: str,
    completed_on: dt.date | None = None,
) -> SeriousFurtherOffence:
    """Record the review: the reviewer (staff code), the findings and the learning actions, and the day it was
    completed (findings required then)."""
    require_role(actor, *QUALITY_READERS)
    sfo = selectors.sfo_get(actor=actor, sfo_id=sfo_id)
    c = Collector()
    reviewer_staff = Staff.objects.filter(code=reviewer.replace("\x00", "")).first() if reviewer else None
    if reviewer_staff is None:
        c.add("reviewer", "Enter the staff code of the reviewer")
    for name, value in (("findings", findings), ("learning_actions", learning_actions)):
        if len(value) > TEXT_LIMIT:
            c.add(name, f"Enter {TEXT_LIMIT} characters or fewer")
    if completed_on is not None:
        if not findings.strip():
            c.add("findings", "Enter the review's findings before recording it as completed")
        if completed_on > clock.today():
            c.add("completed_on", "The completion date must be today or in the past")
        elif completed_on < sfo.notified_on:
            c.add(
                "completed_on", f"The review cannot be completed before the notification ({long_date(sfo.notified_on)})"
            )
    c.raise_if_any()
    with transaction.atomic():
        locked = SeriousFurtherOffence.objects.select_for_update().filter(pk=sfo.pk).first()
        assert locked is not None
        if locked.version != version:
            raise VersionConflict(locked.version)
        before = {
            "reviewer": locked.reviewer.code if locked.reviewer else None,
            "findings": locked.findings,
            "learning_actions": locked.learning_actions,
            "review_completed_on": locked.review_completed_on,
        }
        locked.reviewer, locked.findings = reviewer_staff, findings.strip()
        locked.learning_actions, locked.review_completed_on = learning_actions.strip(), completed_on
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="sfo.review_recorded",
            crn=sfo.person.crn,
            entity="serious_further_offence",
            entity_id=locked.pk,
            before=before,
            after={
                "reviewer": reviewer,
                "findings": locked.findings,
                "learning_actions": locked.learning_actions,
                "review_completed_on": completed_on,
            },
        )
    return locked
