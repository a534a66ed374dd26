"""Reading audit rounds, their ratings, the league table and the serious further offence register.

Who may read: the roles in ``organisation.roles.QUALITY_READERS`` (SPOs, heads of service, quality assurance and
administrators). Case-level detail (a sampled case, its evidence and judgements, a serious further offence) is shown
only for cases the reader may see (``people.access``): a case hidden from them is left out of lists and is not found
when asked for. A round's ratings count every audited case in its sample, as an inspection's ratings do: a rating
is the provider's, not the reader's (decision 0026).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from openprobation.contacts.choices import ContactType
from openprobation.contacts.models import Contact
from openprobation.core import clock
from openprobation.core.errors import NotFound
from openprobation.organisation.models import Pdu, Provider, Region
from openprobation.organisation.roles import QUALITY_READERS
from openprobation.people import selectors as people_selectors
from openprobation.people.access import Actor, people_visible_to, require_role
from openprobation.people.models import Person
from openprobation.quality.choices import ScopeLevel
from openprobation.quality.models import AuditCase, AuditJudgement, AuditRound, SeriousFurtherOffence, StandardRating
from openprobation.risk.models import Registration
from openprobation.rules import case_audit
from openprobation.rules import serious_further_offences as sfo_rules
from openprobation.rules.ratings import (
    KEY_QUESTIONS,
    RATING_WORDS,
    KeyQuestionCount,
    KeyQuestionCounts,
    Rating,
    RatingInput,
    RatingOverride,
    RatingResult,
    rating_calculate,
    rating_policy,
)
from openprobation.rules.registrations import rosh_codes
from openprobation.safeguarding import selectors as safeguarding_selectors
from openprobation.sentences.models import Allocation
from openprobation.workitems import selectors as workitem_selectors


def require_reader(actor: Actor | None) -> None:
    require_role(actor, *QUALITY_READERS)


# ---- rounds ----------------------------------------------------------------------------------------------------------


def scope_of(audit_round: AuditRound) -> tuple[str, str]:
    """The round's scope as (code, name)."""
    unit = {
        ScopeLevel.PROVIDER: audit_round.provider,
        ScopeLevel.REGION: audit_round.region,
        ScopeLevel.PDU: audit_round.pdu,
    }[ScopeLevel(audit_round.scope_level)]
    assert unit is not None
    return unit.code, unit.name


def _rounds() -> QuerySet[AuditRound]:
    return AuditRound.objects.select_related("provider", "region", "pdu", "created_by", "override_by").annotate(
        sampled=Count("cases", distinct=True),
        audited=Count("cases", filter=Q(cases__status="audited"), distinct=True),
    )


def audit_round_list(*, actor: Actor | None, scope_level: str | None = None) -> list[AuditRound]:
    """Every round, newest first (of providers, regions or PDUs only, when ``scope_level`` is given)."""
    require_reader(actor)
    rounds = _rounds()
    if scope_level:
        rounds = rounds.filter(scope_level=scope_level)
    return list(rounds.order_by("-ends_on", "-id"))


def audit_round_get(*, actor: Actor | None, round_id: int) -> AuditRound:
    require_reader(actor)
    found = _rounds().filter(pk=round_id).first()
    if found is None:
        raise NotFound(f"No audit round {round_id}")
    return found


def scope_choices() -> list[tuple[str, str]]:
    """Every provider, region and PDU as ``("level:code", "Level: name")``, for choosing a round's scope."""
    choices = [
        (f"provider:{code}", f"Provider: {name}")
        for code, name in Provider.objects.order_by("name").values_list("code", "name")
    ]
    choices += [
        (f"region:{code}", f"Region: {name}")
        for code, name in Region.objects.order_by("name").values_list("code", "name")
    ]
    choices += [
        (f"pdu:{code}", f"PDU: {name}") for code, name in Pdu.objects.order_by("name").values_list("code", "name")
    ]
    return choices


def scope_people(*, actor: Actor | None, audit_round: AuditRound) -> QuerySet[Person]:
    """The cases in the round's scope that the actor may see and a team holds: the population a sample is drawn
    from."""
    people = people_visible_to(actor).filter(team__isnull=False)
    lookup = {ScopeLevel.PDU: "team__pdu_id", ScopeLevel.REGION: "team__pdu__region_id",
              ScopeLevel.PROVIDER: "team__pdu__region__provider_id"}[ScopeLevel(audit_round.scope_level)]  # fmt: skip
    unit_id = {ScopeLevel.PDU: audit_round.pdu_id, ScopeLevel.REGION: audit_round.region_id,
               ScopeLevel.PROVIDER: audit_round.provider_id}[ScopeLevel(audit_round.scope_level)]  # fmt: skip
    return people.filter(**{lookup: unit_id})


def with_rosh(people: QuerySet[Person]) -> QuerySet[Person]:
    """People with ``rosh_code``: the newest active RoSH registration's code (as the caseload reads it)."""
    newest = (
        Registration.objects.filter(person_id=OuterRef("pk"), end_date__isnull=True, code__in=list(rosh_codes()))
        .order_by("-start_date", "-id")
        .values("code")[:1]
    )
    return people.annotate(rosh_code=Subquery(newest))


def sample_population(*, actor: Actor | None, audit_round: AuditRound) -> list[tuple[int, case_audit.SampleCase]]:
    """Each case the sample may be drawn from, with its stratum (team code, RoSH level now)."""
    levels = rosh_codes()
    people: QuerySet[Any] = with_rosh(scope_people(actor=actor, audit_round=audit_round))
    rows = people.values_list("pk", "crn", "team__code", "rosh_code")
    return [(pk, case_audit.SampleCase(crn, team, levels.get(code or "", ""))) for pk, crn, team, code in rows]


@dataclass(frozen=True)
class RoundCases:
    cases: list[AuditCase]
    hidden: int  # sampled cases the reader may not see (counted in the ratings, not listed)


def round_cases(*, actor: Actor | None, audit_round: AuditRound) -> RoundCases:
    require_reader(actor)
    every = AuditCase.objects.filter(round=audit_round)
    visible = list(every.filter(person__in=people_visible_to(actor)).select_related("person", "team", "auditor"))
    return RoundCases(visible, every.count() - len(visible))


def audit_case_get(*, actor: Actor | None, audit_round: AuditRound, crn: str, audit_view: bool = True) -> AuditCase:
    """A sampled case the reader may see (a view of a limited-access case is audited, as opening the case is)."""
    require_reader(actor)
    person = people_selectors.person_get(actor=actor, crn=crn, audit_view=audit_view)
    found = (
        AuditCase.objects.filter(round=audit_round, person=person).select_related("person", "team", "auditor").first()
    )
    if found is None:
        raise NotFound(f"Case {crn} is not in the sample of audit round {audit_round.pk}")
    return found


def judgements_of(audit_case: AuditCase) -> dict[tuple[str, str], AuditJudgement]:
    return {(j.standard, j.key_question): j for j in AuditJudgement.objects.filter(audit_case=audit_case)}


# ---- the evidence from the record --------------------------------------------------------------------------------


def case_facts(*, person: Person, today: dt.date | None = None) -> case_audit.CaseFacts:
    """What the record says about a visible case, as the evidence rules need it (rules/case_audit.py)."""
    items = tuple(
        case_audit.ItemFact(i.pk, i.kind, i.label, i.status, i.due_date, i.closed_on, i.reason, i.cancel_reason)
        for i in workitem_selectors.work_items_for_person(person=person, include_closed=True)
    )
    checks = tuple(
        case_audit.CheckFact(
            c.pk,
            c.agency,
            c.status,
            c.requested_on,
            c.due_by,
            c.response_received_on,
            c.used_in_id,
            c.subject.name if c.subject is not None else "",
        )
        for c in safeguarding_selectors.safeguarding_checks_for_person(person=person)
    )
    assessments = tuple(
        case_audit.AssessmentFact(a.pk, a.kind, a.status, a.completed_on)
        for a in safeguarding_selectors.rosh_assessments_for_person(person=person)
    )
    first = (
        Allocation.objects.filter(event__person=person)
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    visits = tuple(
        case_audit.ContactFact(c.pk, c.type, timezone.localdate(c.date), c.outcome)
        for c in Contact.objects.filter(person=person, type=ContactType.HOME_VISIT).order_by("date", "pk")
    )
    return case_audit.CaseFacts(
        today=today or clock.today(),
        first_allocated_on=first,
        items=items,
        checks=checks,
        assessments=assessments,
        home_visit_contacts=visits,
    )


@dataclass(frozen=True)
class PromptEvidence:
    prompt: case_audit.Prompt
    lines: list[case_audit.EvidenceLine]


@dataclass(frozen=True)
class QuestionEvidence:
    standard: str
    key_question: str
    question: str
    prompts: list[PromptEvidence]

    @property
    def name(self) -> str:
        return f"{self.standard}.{self.key_question}"


@dataclass(frozen=True)
class StandardEvidence:
    standard: str
    title: str
    questions: list[QuestionEvidence]


def audit_evidence(*, person: Person, standards: Sequence[str] = case_audit.CASE_STANDARDS) -> list[StandardEvidence]:
    """Each case standard's key questions, their prompts and the record's evidence for each prompt."""
    policy = case_audit.case_audit_policy()
    facts = case_facts(person=person)
    return [
        StandardEvidence(
            standard,
            policy.standard_titles[standard],
            [
                QuestionEvidence(
                    standard,
                    kq,
                    policy.questions[(standard, kq)],
                    [
                        PromptEvidence(p, case_audit.evidence_for_prompt(p, facts))
                        for p in policy.prompts_for(standard, kq)
                    ],
                )
                for kq in KEY_QUESTIONS
            ],
        )
        for standard in standards
    ]


# ---- ratings -----------------------------------------------------------------------------------------------------


def case_standards_of(scheme: str) -> tuple[str, ...]:
    """The standards of a scheme that the case audit rates."""
    return tuple(s for s in rating_policy().schemes[scheme].standards if s in case_audit.CASE_STANDARDS)


def inspector_standards_of(scheme: str) -> tuple[str, ...]:
    """The standards of a scheme that an inspector rates (organisational delivery and provider-specific)."""
    return tuple(s for s in rating_policy().schemes[scheme].standards if s not in case_audit.CASE_STANDARDS)


@dataclass(frozen=True)
class StandardResult:
    standard: str
    source: str  # "cases" (from the audited cases) or "inspector"
    rating: Rating | None  # None: not rated yet
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # key question -> (sufficient, total)
    result: RatingResult | None = None  # the calculator's answer, for a case standard with every key question judged
    evidence: str = ""  # an inspector's evidence notes
    rated_by: str = ""

    @property
    def words(self) -> str:
        return RATING_WORDS[self.rating] if self.rating else "Not rated yet"


@dataclass(frozen=True)
class RoundRatings:
    round_id: int
    scheme: str
    standards: list[StandardResult]
    overall: RatingResult | None  # None until every standard of the scheme is rated
    override_reason: str = ""

    @property
    def rated(self) -> dict[str, Rating]:
        return {s.standard: s.rating for s in self.standards if s.rating is not None}

    def get(self, standard: str) -> StandardResult:
        return next(s for s in self.standards if s.standard == standard)


def ratings_for_rounds(rounds: Iterable[AuditRound]) -> dict[int, RoundRatings]:
    """Each round's standards' ratings and its overall rating: two queries, however many rounds."""
    rounds = list(rounds)
    ids = [r.pk for r in rounds]
    counts: dict[int, dict[tuple[str, str], tuple[int, int]]] = defaultdict(dict)
    for round_id, standard, kq, sufficient, total in (
        AuditJudgement.objects.filter(audit_case__round_id__in=ids)
        .values_list("audit_case__round_id", "standard", "key_question")
        .annotate(sufficient=Count("id", filter=Q(sufficient=True)), total=Count("id"))
        .order_by()
    ):
        counts[round_id][(standard, kq)] = (sufficient, total)
    inspector: dict[int, dict[str, StandardRating]] = defaultdict(dict)
    for rating in StandardRating.objects.filter(round_id__in=ids).select_related("rated_by"):
        inspector[rating.round_id][rating.standard] = rating
    return {r.pk: _round_ratings(r, counts[r.pk], inspector[r.pk]) for r in rounds}


def _round_ratings(
    audit_round: AuditRound, counts: dict[tuple[str, str], tuple[int, int]], inspector: dict[str, StandardRating]
) -> RoundRatings:
    results: list[StandardResult] = []
    for standard in rating_policy().schemes[audit_round.scheme].standards:
        if standard in case_audit.CASE_STANDARDS:
            mine = {kq: counts[(standard, kq)] for kq in KEY_QUESTIONS if (standard, kq) in counts}
            result = None
            if len(mine) == len(KEY_QUESTIONS):
                result = rating_calculate(
                    RatingInput(
                        key_questions=KeyQuestionCounts(
                            **{kq: KeyQuestionCount(sufficient=s, total=t) for kq, (s, t) in mine.items()}
                        )
                    )
                )
            results.append(StandardResult(standard, "cases", result.rating if result else None, mine, result))
        else:
            rated = inspector.get(standard)
            results.append(
                StandardResult(
                    standard,
                    "inspector",
                    rated.rating if rated else None,  # type: ignore[arg-type]
                    evidence=rated.evidence if rated else "",
                    rated_by=rated.rated_by.name if rated else "",
                )
            )
    ratings = {s.standard: s.rating for s in results if s.rating is not None}
    overall = None
    if len(ratings) == len(results):
        override = (
            RatingOverride(rating=audit_round.override_rating, reason=audit_round.override_reason)  # type: ignore[arg-type]
            if audit_round.override_rating
            else None
        )
        overall = rating_calculate(RatingInput(scheme=audit_round.scheme, standards=ratings, override=override))
    return RoundRatings(audit_round.pk, audit_round.scheme, results, overall, audit_round.override_reason)


def round_ratings(audit_round: AuditRound) -> RoundRatings:
    return ratings_for_rounds([audit_round])[audit_round.pk]


# ---- the league table and trends -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeagueRow:
    rank: int | None  # None: not every standard rated yet
    level: str
    code: str
    name: str
    audit_round: AuditRound
    ratings: RoundRatings
    previous: AuditRound | None
    previous_ratings: RoundRatings | None

    @property
    def score(self) -> int | None:
        return self.ratings.overall.points if self.ratings.overall else None

    @property
    def maximum(self) -> int:
        return rating_policy().schemes[self.ratings.scheme].maximum

    @property
    def change(self) -> int | None:
        """The change in overall score since the unit's previous round (None without two scored rounds)."""
        if self.previous_ratings is None or self.previous_ratings.overall is None or self.score is None:
            return None
        return self.score - self.previous_ratings.overall.points

    def standard_change(self, standard: str) -> int | None:
        """Steps up (positive) or down since the previous round, for one standard."""
        if self.previous_ratings is None:
            return None
        now = self.ratings.get(standard).rating
        before = next((s.rating for s in self.previous_ratings.standards if s.standard == standard), None)
        if now is None or before is None:
            return None
        order = ("inadequate", "requires_improvement", "good", "outstanding")
        return order.index(now) - order.index(before)


LEVELS = tuple(ScopeLevel.values)


def _rounds_by_unit(level: str) -> dict[tuple[str, str], list[AuditRound]]:
    rounds = _rounds().filter(scope_level=level).order_by("ends_on", "id")
    by_unit: dict[tuple[str, str], list[AuditRound]] = defaultdict(list)
    for r in rounds:
        by_unit[scope_of(r)].append(r)
    return by_unit


def league_table(*, actor: Actor | None, level: str) -> list[LeagueRow]:
    """Each provider, region or PDU (``level``) by its latest round: ranked by overall score (highest first; equal
    scores share a rank), then those not yet fully rated; with the change since its previous round."""
    require_reader(actor)
    if level not in LEVELS:
        raise NotFound(f"No league table for {level!r}: choose one of {', '.join(LEVELS)}")
    by_unit = _rounds_by_unit(level)
    ratings = ratings_for_rounds(r for rs in by_unit.values() for r in rs)
    rows = []
    for (code, name), rs in by_unit.items():
        latest = rs[-1]
        previous = rs[-2] if len(rs) > 1 else None
        rows.append((code, name, latest, previous))

    def score(audit_round: AuditRound) -> int:
        overall = ratings[audit_round.pk].overall
        return overall.points if overall is not None else -1

    scored = sorted(rows, key=lambda row: (-score(row[2]), row[1]))
    table: list[LeagueRow] = []
    for code, name, latest, previous in scored:
        overall = ratings[latest.pk].overall
        rank = None
        if overall is not None:
            rank = 1 + sum(1 for row in rows if score(row[2]) > overall.points)
        table.append(
            LeagueRow(
                rank,
                level,
                code,
                name,
                latest,
                ratings[latest.pk],
                previous,
                ratings[previous.pk] if previous else None,
            )
        )
    return table


@dataclass(frozen=True)
class TrendPoint:
    round_id: int
    round_name: str
    ends_on: dt.date
    score: int
    maximum: int
    rating: Rating


@dataclass(frozen=True)
class Trend:
    code: str
    name: str
    points: list[TrendPoint]


def rating_trends(*, actor: Actor | None, level: str) -> list[Trend]:
    """Each unit's overall score at each of its fully rated rounds, oldest first."""
    require_reader(actor)
    if level not in LEVELS:
        raise NotFound(f"No trends for {level!r}: choose one of {', '.join(LEVELS)}")
    by_unit = _rounds_by_unit(level)
    ratings = ratings_for_rounds(r for rs in by_unit.values() for r in rs)
    trends = []
    for (code, name), rs in sorted(by_unit.items(), key=lambda item: item[0][1]):
        points = []
        for r in rs:
            overall = ratings[r.pk].overall
            if overall is not None:
                points.append(
                    TrendPoint(r.pk, r.name, r.ends_on, overall.points, overall.maximum_points, overall.rating)
                )
        if points:
            trends.append(Trend(code, name, points))
    return trends


# ---- serious further offences --------------------------------------------------------------------------------------


def _sfos(actor: Actor | None) -> QuerySet[SeriousFurtherOffence]:
    return SeriousFurtherOffence.objects.filter(person__in=people_visible_to(actor)).select_related(
        "person", "reviewer", "notified_by", "team_at_notification"
    )


def sfo_list(*, actor: Actor | None, crn: str | None = None) -> list[SeriousFurtherOffence]:
    """The notifications on the cases the reader may see (on one case, by CRN), newest first."""
    require_reader(actor)
    sfos = _sfos(actor)
    if crn:
        sfos = sfos.filter(person__crn=crn.replace("\x00", ""))
    return list(sfos.order_by("-notified_on", "-id"))


def sfo_get(*, actor: Actor | None, sfo_id: int) -> SeriousFurtherOffence:
    require_reader(actor)
    found = _sfos(actor).filter(pk=sfo_id).first()
    if found is None:
        raise NotFound(f"No serious further offence {sfo_id}")
    return found


@dataclass(frozen=True)
class SfoStatistics:
    by_rosh: dict[str, int]
    total: int
    reviews_open: int
    reviews_overdue: int
    reviews_completed: int
    completed_in_time: int


def sfo_statistics(*, actor: Actor | None, since: dt.date | None = None) -> SfoStatistics:
    """Notifications by the RoSH level at notification, and the reviews' progress, on the cases the reader may
    see (notified on or after ``since``, when given)."""
    require_reader(actor)
    today = clock.today()
    sfos = _sfos(actor).filter(notified_on__gte=since) if since else _sfos(actor)
    rows = list(sfos.values_list("rosh_at_notification", "review_due_on", "review_completed_on"))
    completed = [(due, done) for _, due, done in rows if done is not None]
    return SfoStatistics(
        by_rosh=sfo_rules.statistics_by_rosh(level for level, _, _ in rows),
        total=len(rows),
        reviews_open=sum(1 for _, _, done in rows if done is None),
        reviews_overdue=sum(1 for _, due, done in rows if done is None and due < today),
        reviews_completed=len(completed),
        completed_in_time=sum(1 for due, done in completed if done <= due),
    )
