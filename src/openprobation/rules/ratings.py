"""HM Inspectorate of Probation ratings: a key question's band, a standard's rating, a provider's overall rating.

The rules, each written once and used for one standard or provider (the ``rating`` calculator: ``openprobation calc
rating`` and ``POST /api/v1/calculate/rating``) and for many (audits and league tables):

- a key question is banded from the share of sampled cases judged sufficient (:func:`key_question_band`): at or
  above 80% outstanding, 65% good, 50% requires improvement, below that inadequate (policy/hmip_ratings.toml;
  the percentages are compared exactly, no rounding);
- a case-supervision standard takes its lowest key question's band (:func:`standard_rating`);
- a provider's overall score is the sum of its standards' points (outstanding 3, good 2, requires improvement 1,
  inadequate 0), banded by its scheme (:func:`overall_rating`): ten standards 0-5 inadequate, 6-15 requires
  improvement, 16-25 good, 26-30 outstanding; the nine-standard PDU scheme has its own bands;
- a rating panel may override the calculated rating, with a recorded reason.

Several values are unverified (the policy file says which; docs/quality.md lists them).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from openprobation.rules.predictors.base import Problems, Term

Rating = Literal["outstanding", "good", "requires_improvement", "inadequate"]
RATINGS: tuple[Rating, ...] = ("outstanding", "good", "requires_improvement", "inadequate")  # best first
RATING_WORDS = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Requires improvement",
                "inadequate": "Inadequate"}  # fmt: skip
KEY_QUESTIONS = ("engagement", "desistance", "keeping_safe")
KEY_QUESTION_WORDS = {"engagement": "engagement", "desistance": "desistance",
                      "keeping_safe": "keeping other people safe"}  # fmt: skip
TOOL = "rating"
MAXIMUM_CASES = 100_000


@dataclass(frozen=True)
class Scheme:
    name: str
    title: str
    standards: tuple[str, ...]
    overall_lowest: Mapping[Rating, int]  # each overall band's lowest score

    @property
    def maximum(self) -> int:
        return 3 * len(self.standards)


@dataclass(frozen=True)
class RatingPolicy:
    policy_version: str
    effective_from: dt.date
    default_scheme: str
    band_lowest_percent: Mapping[Rating, int]  # outstanding, good, requires_improvement
    points: Mapping[Rating, int]
    schemes: Mapping[str, Scheme]
    unverified: tuple[str, ...]


@cache
def rating_policy() -> RatingPolicy:
    text = resources.files("openprobation.rules").joinpath("policy/hmip_ratings.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    bands = raw["key_question_bands"]
    schemes = {
        name: Scheme(name, spec["name"], tuple(spec["standards"]), dict(spec["overall_bands"]))
        for name, spec in raw["schemes"].items()
    }
    unverified = [f"key_question_bands: {bands['note']}", f"standard_rating: {raw['standard_rating']['note']}",
                  f"points: {raw['points']['note']}"]  # fmt: skip
    unverified += [f"schemes.{name}: {spec['note']}" for name, spec in raw["schemes"].items() if spec.get("unverified")]
    return RatingPolicy(
        policy_version=raw["policy_version"],
        effective_from=raw["effective_from"],
        default_scheme=raw["default_scheme"],
        band_lowest_percent={r: int(bands[r]) for r in RATINGS if r != "inadequate"},
        points={r: int(raw["points"][r]) for r in RATINGS},
        schemes=schemes,
        unverified=tuple(unverified),
    )


# ---- the rules -----------------------------------------------------------------------------------------------------


def key_question_band(sufficient: int, total: int, policy: RatingPolicy | None = None) -> Rating:
    """The band of a key question with ``sufficient`` of ``total`` cases judged sufficient (``total`` at least 1)."""
    policy = policy or rating_policy()
    ranked: tuple[Rating, ...] = ("outstanding", "good", "requires_improvement")
    for rating in ranked:
        if sufficient * 100 >= policy.band_lowest_percent[rating] * total:
            return rating
    return "inadequate"


def lowest(ratings: list[Rating] | tuple[Rating, ...]) -> Rating:
    """The worst of some ratings."""
    return max(ratings, key=RATINGS.index)


def standard_rating(bands: Mapping[str, Rating]) -> Rating:
    """A case-supervision standard's rating: its lowest key question's band."""
    return lowest(tuple(bands.values()))


def overall_score(ratings: Mapping[str, Rating], policy: RatingPolicy | None = None) -> int:
    policy = policy or rating_policy()
    return sum(policy.points[r] for r in ratings.values())


def overall_rating(score: int, scheme: Scheme) -> Rating:
    """The overall band of a summed score under a scheme."""
    for rating in RATINGS:  # best first: the highest band whose lowest score is reached
        if score >= scheme.overall_lowest[rating]:
            return rating
    return "inadequate"


# ---- the calculator ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class KeyQuestionCount:
    sufficient: int
    total: int


@dataclass(frozen=True, kw_only=True)
class KeyQuestionCounts:
    engagement: KeyQuestionCount
    desistance: KeyQuestionCount
    keeping_safe: KeyQuestionCount


@dataclass(frozen=True, kw_only=True)
class RatingOverride:
    """A rating panel's rating in place of the calculated one, and why (required)."""

    rating: Rating
    reason: str


@dataclass(frozen=True, kw_only=True)
class RatingInput:
    """Either one standard's ``key_questions`` (sampled cases judged sufficient, per key question), or a provider's
    ``standards`` (each standard's rating) under a ``scheme`` (the policy's default when omitted)."""

    key_questions: KeyQuestionCounts | None = None
    scheme: str | None = None
    standards: dict[str, Rating] | None = None
    override: RatingOverride | None = None


@dataclass(frozen=True, kw_only=True)
class RatingResult:
    tool: str
    policy_version: str
    level: Literal["standard", "overall"]
    scheme: str | None
    rating: Rating
    calculated_rating: Rating
    overridden: bool
    points: int  # the rating's points (a standard), or the summed score (overall)
    maximum_points: int
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def rating_check(data: RatingInput, problems: Problems, policy: RatingPolicy) -> None:
    if (data.key_questions is None) == (data.standards is None):
        problems.add("body", "Give either key_questions (one standard's cases) or standards (a provider's ratings)")
        return
    if data.key_questions is not None:
        if data.scheme is not None:
            problems.add("scheme", "A scheme applies to a provider's standards, not to one standard's key questions")
        for name in KEY_QUESTIONS:
            count: KeyQuestionCount = getattr(data.key_questions, name)
            if not 1 <= count.total <= MAXIMUM_CASES:
                problems.add(f"key_questions.{name}.total", f"Enter the cases judged, from 1 to {MAXIMUM_CASES:,}")
            if not 0 <= count.sufficient <= max(count.total, 0):
                problems.add(f"key_questions.{name}.sufficient",
                             "Enter the cases judged sufficient, from 0 to the cases judged")  # fmt: skip
        return
    scheme = policy.schemes.get(data.scheme or policy.default_scheme)
    if scheme is None:
        problems.add("scheme", "Choose one of: " + ", ".join(policy.schemes))
        return
    assert data.standards is not None
    for name in data.standards:
        if name not in scheme.standards:
            problems.add(f"standards.{name}", f"Not a standard of the {scheme.name} scheme; its standards are: "
                                              + ", ".join(scheme.standards))  # fmt: skip
    for name in scheme.standards:
        if name not in data.standards:
            problems.add(f"standards.{name}", "Required: every standard of the scheme is rated")


def rating_calculate(data: RatingInput) -> RatingResult:
    policy = rating_policy()
    problems = Problems()
    rating_check(data, problems, policy)
    problems.raise_if_any()
    terms: list[Term] = []
    if data.key_questions is not None:
        bands: dict[str, Rating] = {}
        for name in KEY_QUESTIONS:
            count: KeyQuestionCount = getattr(data.key_questions, name)
            band = bands[name] = key_question_band(count.sufficient, count.total, policy)
            terms.append(Term("key_question", name, f"{count.sufficient} of {count.total} sufficient",
                              RATING_WORDS[band], detail=_percent_detail(count, band, policy)))  # fmt: skip
        calculated = standard_rating(bands)
        worst = [KEY_QUESTION_WORDS[n] for n, b in bands.items() if b == calculated]
        terms.append(Term("standard", None, "lowest key question", RATING_WORDS[calculated],
                          detail="the band of its lowest key question (" + ", ".join(worst) + ")"))  # fmt: skip
        level: Literal["standard", "overall"] = "standard"
        scheme_name = None
        maximum = 3
    else:
        assert data.standards is not None
        scheme = policy.schemes[data.scheme or policy.default_scheme]
        ordered = {name: data.standards[name] for name in scheme.standards}
        for name, rating in ordered.items():
            terms.append(Term("standard", name, RATING_WORDS[rating], policy.points[rating]))
        score = overall_score(ordered, policy)
        calculated = overall_rating(score, scheme)
        terms.append(Term("overall", scheme.name, f"{score} of {scheme.maximum} points", RATING_WORDS[calculated],
                          detail=_overall_detail(scheme)))  # fmt: skip
        level, scheme_name, maximum = "overall", scheme.name, scheme.maximum
    rating = calculated
    notes = [f"Unverified: {text}" for text in policy.unverified]
    if data.override is not None:
        rating = data.override.rating
        terms.append(Term("override", RATING_WORDS[data.override.rating], None, RATING_WORDS[rating],
                          detail=f"rating panel: {data.override.reason.strip()}"))  # fmt: skip
    points = policy.points[rating] if level == "standard" else overall_score(data.standards or {}, policy)
    return RatingResult(
        tool=TOOL,
        policy_version=policy.policy_version,
        level=level,
        scheme=scheme_name,
        rating=rating,
        calculated_rating=calculated,
        overridden=data.override is not None,
        points=points,
        maximum_points=maximum,
        explanation=tuple(terms),
        notes=tuple(notes),
    )


def _percent_detail(count: KeyQuestionCount, band: Rating, policy: RatingPolicy) -> str:
    percent = 100 * count.sufficient / count.total
    limits = policy.band_lowest_percent
    rule = {"outstanding": f"{limits['outstanding']}% or more", "good": f"{limits['good']}% or more",
            "requires_improvement": f"{limits['requires_improvement']}% or more",
            "inadequate": f"under {limits['requires_improvement']}%"}[band]  # fmt: skip
    return f"{percent:.1f}% sufficient ({RATING_WORDS[band]}: {rule})"


def _overall_detail(scheme: Scheme) -> str:
    edges = sorted(scheme.overall_lowest.items(), key=lambda item: item[1])
    parts = []
    for i, (rating, low) in enumerate(edges):
        high = edges[i + 1][1] - 1 if i + 1 < len(edges) else scheme.maximum
        parts.append(f"{low}-{high} {RATING_WORDS[rating].lower()}")
    return f"summed points (outstanding 3, good 2, requires improvement 1, inadequate 0): {', '.join(parts)}"
