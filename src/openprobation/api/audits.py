"""Quality and inspection in the API: audit rounds, their samples and case audits, ratings, the league table and the
serious further offence register. The same services, selectors and access rules as the pages (docs/quality.md).

- ``GET/POST /api/v1/audit-rounds``; ``GET /api/v1/audit-rounds/{id}`` (with its ratings);
  ``POST .../{id}/sample`` draws the sample (once); ``GET .../{id}/cases``; ``GET/POST .../{id}/cases/{crn}``
  (the evidence from the record for each prompt, and the judgements);
  ``POST .../{id}/standards/{standard}`` (an inspector's rating); ``POST .../{id}/override`` (reason required);
- ``GET /api/v1/league-table?level=pdu`` and ``GET /api/v1/rating-trends?level=pdu``;
- ``GET/POST /api/v1/serious-further-offences``, ``GET .../{id}``, ``POST .../{id}/review``,
  ``GET /api/v1/serious-further-offences/statistics``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from openprobation.api.schemas import In, StrictBool, StrictInt, Text, Version
from openprobation.quality import selectors, services
from openprobation.rules.ratings import Rating, RatingResult

router = Router(tags=["quality and inspection"])
Level = Literal["provider", "region", "pdu"]


class RatingOut(Schema):
    rating: str
    calculated_rating: str
    overridden: bool
    points: int
    maximum_points: int
    explanation: list[dict[str, Any]]
    policy_version: str


def _rating(result: RatingResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "rating": result.rating,
        "calculated_rating": result.calculated_rating,
        "overridden": result.overridden,
        "points": result.points,
        "maximum_points": result.maximum_points,
        "policy_version": result.policy_version,
        "explanation": [vars(t) for t in result.explanation],
    }


class StandardOut(Schema):
    standard: str
    rated_from: str = Field(description="cases (the audited cases' judgements) or inspector")
    rating: Rating | None = Field(description="None until rated (a case standard: every key question judged)")
    key_questions: dict[str, dict[str, int]] = Field(description="Per key question: sufficient and total cases")
    calculation: RatingOut | None
    evidence: str = Field(description="An inspector's evidence notes")


class RoundOut(Schema):
    id: int
    name: str
    scope_level: str
    scope_code: str
    scope_name: str
    scheme: str
    starts_on: dt.date
    ends_on: dt.date
    sample_seed: int | None
    sample_size: int | None
    sample_population: int | None
    sampled: int
    audited: int
    override_rating: str
    override_reason: str
    version: int


class RoundDetailOut(RoundOut):
    standards: list[StandardOut]
    overall: RatingOut | None = Field(description="None until every standard of the scheme is rated")


def _round(r: Any) -> dict[str, Any]:
    code, name = selectors.scope_of(r)
    return {
        "id": r.pk,
        "name": r.name,
        "scope_level": r.scope_level,
        "scope_code": code,
        "scope_name": name,
        "scheme": r.scheme,
        "starts_on": r.starts_on,
        "ends_on": r.ends_on,
        "sample_seed": r.sample_seed,
        "sample_size": r.sample_size,
        "sample_population": r.sample_population,
        "sampled": r.sampled,
        "audited": r.audited,
        "override_rating": r.override_rating,
        "override_reason": r.override_reason,
        "version": r.version,
    }


def _round_detail(r: Any) -> dict[str, Any]:
    ratings = selectors.round_ratings(r)
    return {
        **_round(r),
        "overall": _rating(ratings.overall),
        "standards": [
            {
                "standard": s.standard,
                "rated_from": s.source,
                "rating": s.rating,
                "evidence": s.evidence,
                "key_questions": {kq: {"sufficient": n, "total": t} for kq, (n, t) in s.counts.items()},
                "calculation": _rating(s.result),
            }
            for s in ratings.standards
        ],
    }


class RoundIn(In):
    name: Text
    scope_level: Level
    scope_code: Text = Field(description="The provider's, region's or PDU's code")
    starts_on: dt.date
    ends_on: dt.date
    scheme: Text | None = Field(
        None, description="crc_2018, nps_2018 or pdu_2021; default pdu_2021 for a PDU, the policy's default otherwise"
    )


class SampleIn(In):
    size: StrictInt = Field(description="How many cases to sample (stratified by team and RoSH level)")
    seed: StrictInt | None = Field(None, description="The random seed; a random one when left out (stored)")


class AuditCaseOut(Schema):
    crn: str
    name: str
    team: str | None
    rosh_at_draw: str
    status: str
    auditor: str | None
    audited_at: dt.datetime | None
    version: int


def _audit_case(c: Any) -> dict[str, Any]:
    return {
        "crn": c.person.crn,
        "name": c.person.name,
        "team": c.team.code if c.team else None,
        "rosh_at_draw": c.rosh_at_draw,
        "status": c.status,
        "auditor": c.auditor.code if c.auditor else None,
        "audited_at": c.audited_at,
        "version": c.version,
    }


class RoundCasesOut(Schema):
    cases: list[AuditCaseOut]
    hidden: int = Field(description="Sampled cases you may not see: counted in the ratings, not listed")


class EvidenceLineOut(Schema):
    key: str
    status: str = Field(description="met, not_met, open (not yet due) or none (nothing to judge by)")
    finding: str
    where: str = Field(description="Where in the record (work item, safeguarding enquiry, RoSH assessment, contact)")


class PromptOut(Schema):
    text: str
    verified: bool = Field(description="Whether the prompt's wording is from a published source")
    evidence: list[EvidenceLineOut]


class QuestionOut(Schema):
    standard: str
    key_question: str
    question: str
    prompts: list[PromptOut]
    sufficient: bool | None
    notes: str


class AuditCaseDetailOut(AuditCaseOut):
    questions: list[QuestionOut]


def _audit_case_detail(audit_case: Any, scheme: str) -> dict[str, Any]:
    judged = selectors.judgements_of(audit_case)
    questions = []
    for standard in selectors.audit_evidence(person=audit_case.person, standards=selectors.case_standards_of(scheme)):
        for q in standard.questions:
            j = judged.get((q.standard, q.key_question))
            questions.append(
                {
                    "standard": q.standard,
                    "key_question": q.key_question,
                    "question": q.question,
                    "sufficient": j.sufficient if j else None,
                    "notes": j.notes if j else "",
                    "prompts": [
                        {
                            "text": p.prompt.text,
                            "verified": p.prompt.verified,
                            "evidence": [vars(line) for line in p.lines],
                        }
                        for p in q.prompts
                    ],
                }
            )
    return {**_audit_case(audit_case), "questions": questions}


class JudgementIn(In):
    sufficient: StrictBool
    notes: Text = Field("", description="Required when not sufficient: what was missing")


class AuditIn(In):
    version: Version
    judgements: dict[str, JudgementIn] = Field(
        description='Every key question of the round\'s case standards, keyed "standard.key_question", e.g. '
        '"assessment.engagement"'
    )


class StandardRatingIn(In):
    rating: Rating
    evidence: Text


class OverrideIn(In):
    version: Version
    rating: Rating
    reason: Text = Field(description="Required: why the panel's rating replaces the calculated one")


@router.get("/audit-rounds", response=list[RoundOut], summary="Audit rounds, newest first")
def round_list(request: HttpRequest, scope_level: Level | None = None) -> Any:
    return [_round(r) for r in selectors.audit_round_list(actor=request.user, scope_level=scope_level)]


@router.post("/audit-rounds", response={201: RoundDetailOut}, summary="Open an audit round (quality assurance)")
def round_create(request: HttpRequest, payload: RoundIn) -> Any:
    made = services.audit_round_create(actor=request.user, **payload.model_dump())
    return Status(201, _round_detail(selectors.audit_round_get(actor=request.user, round_id=made.pk)))


@router.get("/audit-rounds/{round_id}", response=RoundDetailOut, summary="An audit round with its ratings")
def round_get(request: HttpRequest, round_id: int) -> Any:
    return _round_detail(selectors.audit_round_get(actor=request.user, round_id=round_id))


@router.post(
    "/audit-rounds/{round_id}/sample",
    response=RoundCasesOut,
    summary="Draw the round's sample (once), stratified by team and RoSH level",
)
def sample_draw(request: HttpRequest, round_id: int, payload: SampleIn) -> Any:
    services.audit_sample_draw(actor=request.user, round_id=round_id, size=payload.size, seed=payload.seed)
    return _round_cases(request, round_id)


@router.get("/audit-rounds/{round_id}/cases", response=RoundCasesOut, summary="The round's sampled cases you may see")
def round_cases(request: HttpRequest, round_id: int) -> Any:
    return _round_cases(request, round_id)


def _round_cases(request: HttpRequest, round_id: int) -> dict[str, Any]:
    audit_round = selectors.audit_round_get(actor=request.user, round_id=round_id)
    found = selectors.round_cases(actor=request.user, audit_round=audit_round)
    return {"cases": [_audit_case(c) for c in found.cases], "hidden": found.hidden}


@router.get(
    "/audit-rounds/{round_id}/cases/{crn}",
    response=AuditCaseDetailOut,
    summary="A sampled case: each key question's prompts with the record's evidence, and the judgements",
)
def audit_case_get(request: HttpRequest, round_id: int, crn: str) -> Any:
    audit_round = selectors.audit_round_get(actor=request.user, round_id=round_id)
    audit_case = selectors.audit_case_get(actor=request.user, audit_round=audit_round, crn=crn)
    return _audit_case_detail(audit_case, audit_round.scheme)


@router.post(
    "/audit-rounds/{round_id}/cases/{crn}",
    response=AuditCaseDetailOut,
    summary="Record the audit of a sampled case: every key question sufficient or not, with notes",
)
def audit_case_record(request: HttpRequest, round_id: int, crn: str, payload: AuditIn) -> Any:
    services.audit_case_record(
        actor=request.user,
        round_id=round_id,
        crn=crn,
        version=payload.version,
        judgements={k: v.model_dump() for k, v in payload.judgements.items()},
    )
    audit_round = selectors.audit_round_get(actor=request.user, round_id=round_id)
    audit_case = selectors.audit_case_get(actor=request.user, audit_round=audit_round, crn=crn, audit_view=False)
    return _audit_case_detail(audit_case, audit_round.scheme)


@router.post(
    "/audit-rounds/{round_id}/standards/{standard}",
    response=RoundDetailOut,
    summary="An inspector's rating of an organisational or provider-specific standard, with evidence",
)
def standard_rate(request: HttpRequest, round_id: int, standard: str, payload: StandardRatingIn) -> Any:
    services.standard_rate(actor=request.user, round_id=round_id, standard=standard, **payload.model_dump())
    return _round_detail(selectors.audit_round_get(actor=request.user, round_id=round_id))


@router.post(
    "/audit-rounds/{round_id}/override",
    response=RoundDetailOut,
    summary="A rating panel's overall rating in place of the calculated one (reason required)",
)
def rating_override(request: HttpRequest, round_id: int, payload: OverrideIn) -> Any:
    services.rating_override(actor=request.user, round_id=round_id, **payload.model_dump())
    return _round_detail(selectors.audit_round_get(actor=request.user, round_id=round_id))


class LeagueRowOut(Schema):
    rank: int | None = Field(description="None until every standard is rated; equal scores share a rank")
    code: str
    name: str
    round_id: int
    round_name: str
    ends_on: dt.date
    score: int | None
    maximum: int
    rating: str | None
    change: int | None = Field(description="Change in overall score since the previous round")
    standards: dict[str, str | None]
    standard_changes: dict[str, int | None] = Field(description="Steps up (+) or down (-) since the previous round")


@router.get("/league-table", response=list[LeagueRowOut], summary="Providers, regions or PDUs ranked by score")
def league_table(request: HttpRequest, level: Level = "pdu") -> Any:
    return [
        {
            "rank": row.rank,
            "code": row.code,
            "name": row.name,
            "round_id": row.audit_round.pk,
            "round_name": row.audit_round.name,
            "ends_on": row.audit_round.ends_on,
            "score": row.score,
            "maximum": row.maximum,
            "rating": row.ratings.overall.rating if row.ratings.overall else None,
            "change": row.change,
            "standards": {s.standard: s.rating for s in row.ratings.standards},
            "standard_changes": {s.standard: row.standard_change(s.standard) for s in row.ratings.standards},
        }
        for row in selectors.league_table(actor=request.user, level=level)
    ]


class TrendPointOut(Schema):
    round_id: int
    round_name: str
    ends_on: dt.date
    score: int
    maximum: int
    rating: str


class TrendOut(Schema):
    code: str
    name: str
    points: list[TrendPointOut]


@router.get("/rating-trends", response=list[TrendOut], summary="Each unit's overall score over its audit rounds")
def rating_trends(request: HttpRequest, level: Level = "pdu") -> Any:
    return [
        {"code": t.code, "name": t.name, "points": [vars(p) for p in t.points]}
        for t in selectors.rating_trends(actor=request.user, level=level)
    ]


class SfoOut(Schema):
    id: int
    crn: str
    offence: str
    offence_date: dt.date
    charged_on: dt.date
    notified_on: dt.date
    rosh_at_notification: str = Field(description="The case's RoSH level at notification; empty when none")
    review_due_on: dt.date
    policy_version: str
    reviewer: str | None
    review_completed_on: dt.date | None
    findings: str
    learning_actions: str
    version: int


def _sfo(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "crn": s.person.crn,
        "offence": s.offence,
        "offence_date": s.offence_date,
        "charged_on": s.charged_on,
        "notified_on": s.notified_on,
        "rosh_at_notification": s.rosh_at_notification,
        "review_due_on": s.review_due_on,
        "policy_version": s.policy_version,
        "reviewer": s.reviewer.code if s.reviewer else None,
        "review_completed_on": s.review_completed_on,
        "findings": s.findings,
        "learning_actions": s.learning_actions,
        "version": s.version,
    }


class SfoIn(In):
    crn: Text
    offence: Text = Field(description="A qualifying offence code (policy data, sfo-1), e.g. murder, rape")
    offence_date: dt.date
    charged_on: dt.date
    notified_on: dt.date | None = Field(None, description="Default today")


class SfoReviewIn(In):
    version: Version
    reviewer: Text = Field(description="The reviewer's staff code")
    findings: Text = ""
    learning_actions: Text = ""
    completed_on: dt.date | None = Field(None, description="When the review was completed (findings required)")


class SfoStatisticsOut(Schema):
    by_rosh: dict[str, int] = Field(description="Notifications by RoSH level at notification (very_high first)")
    total: int
    reviews_open: int
    reviews_overdue: int
    reviews_completed: int
    completed_in_time: int


@router.get("/serious-further-offences", response=list[SfoOut], summary="Serious further offences, newest first")
def sfo_list(request: HttpRequest, crn: str | None = None) -> Any:
    return [_sfo(s) for s in selectors.sfo_list(actor=request.user, crn=crn)]


@router.post("/serious-further-offences", response={201: SfoOut}, summary="Notify a serious further offence")
def sfo_notify(request: HttpRequest, payload: SfoIn) -> Any:
    made = services.sfo_notify(actor=request.user, **payload.model_dump())
    return Status(201, _sfo(selectors.sfo_get(actor=request.user, sfo_id=made.pk)))


@router.get(
    "/serious-further-offences/statistics",
    response=SfoStatisticsOut,
    summary="Serious further offences by RoSH level at notification, and the reviews' progress",
)
def sfo_statistics(request: HttpRequest, since: dt.date | None = None) -> Any:
    return vars(selectors.sfo_statistics(actor=request.user, since=since))


@router.get("/serious-further-offences/{sfo_id}", response=SfoOut, summary="One serious further offence")
def sfo_get(request: HttpRequest, sfo_id: int) -> Any:
    return _sfo(selectors.sfo_get(actor=request.user, sfo_id=sfo_id))


@router.post(
    "/serious-further-offences/{sfo_id}/review",
    response=SfoOut,
    summary="Record the review: reviewer, findings, learning actions, completion",
)
def sfo_review(request: HttpRequest, sfo_id: int, payload: SfoReviewIn) -> Any:
    services.sfo_review_record(actor=request.user, sfo_id=sfo_id, **payload.model_dump())
    return _sfo(selectors.sfo_get(actor=request.user, sfo_id=sfo_id))
