"""Tier V2: protect level A-D from risk of harm, change level 0-3 from needs and reoffending, "S" if unsupervised.

Policy: ``policy/tier_v2.toml`` (read from ministryofjustice/hmpps-tier at commit affac98a; the framework is
summarised in OpenProbation's domain notes, rules §7).

Protect points = RSR points + RoSH points - the smaller of the two (only the larger counts) + MAPPA level points
+ 2 per complexity registration (max 20) + women's additional factors; A >= 150, B 20-149, C 10-19, D < 10.

Change level = 0 with no mandate for change; 2 with no valid layer-3 assessment; otherwise from points =
sum(need weight x severity) + floor(OGRS% / 10) + 2 for an IOM nominal: 1 below 10, 2 for 10-19, 3 from 20.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Literal, cast

from openprobation.rules.ops import SCALAR, report
from openprobation.rules.predictors.base import Policy, Problems, Term, band_for, bands, load_policy
from openprobation.rules.predictors.checks import answer_checks
from openprobation.rules.predictors.history import Gender
from openprobation.rules.registrations import MAPPA_CODE, ROSH_ORDER, registration_type, rosh_codes

Rosh = Literal["low", "medium", "high", "very_high"]
NEED_SECTIONS = (
    "accommodation",
    "education_training_employment",
    "relationships",
    "lifestyle_associates",
    "drug_misuse",
    "alcohol_misuse",
    "thinking_behaviour",
    "attitudes",
    "financial",
    "emotional_wellbeing",
)


@dataclass(frozen=True, kw_only=True)
class Needs:
    """OASys (or SAN) section scores: the sum of the section's question scores; None = not answered."""

    accommodation: int | None = None
    education_training_employment: int | None = None
    relationships: int | None = None
    lifestyle_associates: int | None = None
    drug_misuse: int | None = None
    alcohol_misuse: int | None = None
    thinking_behaviour: int | None = None
    attitudes: int | None = None
    financial: int | None = None
    emotional_wellbeing: int | None = None


@dataclass(frozen=True, kw_only=True)
class Requirement:
    main_category: str
    restrictive: bool


@dataclass(frozen=True, kw_only=True)
class Conviction:
    """A current (not terminated) conviction: its nDelius sentence type and requirements."""

    sentence_type: str
    requirements: tuple[Requirement, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TierV2Input:
    gender: Gender
    has_layer3_assessment: bool
    rosh: Rosh | None = None
    rsr_percent: Decimal | None = None
    mappa_level: int | None = None
    mappa_category: int | None = None
    registrations: tuple[str, ...] = ()
    ogrs_percent: int | None = None
    needs: Needs | None = None
    needs_assessment_type: Literal["oasys", "san"] | None = None
    # Give one of these: the mandate itself, or the current convictions it is worked out from.
    mandate_for_change: bool | None = None
    current_convictions: tuple[Conviction, ...] | None = None
    # Women's additional factors (ignored for men).
    parental_responsibilities: bool | None = None
    impulsivity: int | None = None
    temper_control: int | None = None
    recent_breach_or_recall: bool | None = None


@dataclass(frozen=True, kw_only=True)
class TierV2Result:
    tool: str
    version: int
    policy_version: str
    tier: str
    protect_level: str
    protect_points: int
    change_level: int
    change_points: int
    unsupervised: bool
    explanation: tuple[Term, ...]
    notes: tuple[str, ...] = ()


def policy() -> Policy:
    return load_policy("tier_v2")


def check_common(
    problems: Problems,
    *,
    rsr_percent: Decimal | None,
    mappa_level: int | None,
    mappa_category: int | None,
    ogrs_percent: int | None = None,
) -> None:
    if rsr_percent is not None and not Decimal(0) <= rsr_percent <= Decimal(100):
        problems.add("rsr_percent", "Enter an RSR percentage from 0 to 100")
    if mappa_level is not None and mappa_level not in (1, 2, 3):
        problems.add("mappa_level", "Enter a MAPPA level of 1, 2 or 3")
    if mappa_category is not None and mappa_category not in (1, 2, 3, 4):
        problems.add("mappa_category", "Enter a MAPPA category of 1, 2, 3 or 4")
    if ogrs_percent is not None and not 0 <= ogrs_percent <= 100:
        problems.add("ogrs_percent", "Enter an OGRS percentage from 0 to 100")


@dataclass(frozen=True)
class RoshReading:
    """The RoSH the tier uses: as given, or (when ``rosh`` is null) the highest RoSH registration."""

    level: Rosh | None
    codes: tuple[str, ...]  # the RoSH registration codes listed, highest level first
    from_registrations: bool

    def describe(self) -> str:
        if self.level is None:
            return "no RoSH: not given and no RoSH registration"
        if self.from_registrations:
            return f"{self.level} from the RoSH registration {self.codes[0]} (rosh not given)" + (
                f"; the highest of {', '.join(self.codes)}" if len(self.codes) > 1 else ""
            )
        return f"{self.level} as given"


def rosh_from_registrations(registrations: tuple[str, ...]) -> tuple[str, ...]:
    """The RoSH registration codes (RVHR, RHRH, RMRH, RLRH) among ``registrations``, highest level first."""
    levels = rosh_codes()
    present = {code for code in registrations if code in levels}
    return tuple(sorted(present, key=lambda code: -ROSH_ORDER.index(levels[code])))


def read_rosh(rosh: Rosh | None, registrations: tuple[str, ...]) -> RoshReading:
    codes = rosh_from_registrations(registrations)
    if rosh is None and codes:
        return RoshReading(cast(Rosh, rosh_codes()[codes[0]]), codes, True)
    return RoshReading(rosh, codes, False)


def check_registrations(
    problems: Problems,
    *,
    rosh: Rosh | None,
    registrations: tuple[str, ...],
    mappa_level: int | None,
    mappa_category: int | None,
) -> None:
    """RoSH given and registered must agree; MAPPA level and category come together (and with a MAPP code)."""
    codes = rosh_from_registrations(registrations)
    if rosh is not None and codes:
        registered = rosh_codes()[codes[0]]
        if registered != rosh:
            problems.add(
                "rosh",
                f"RoSH {rosh} disagrees with the RoSH registration {codes[0]} ({registered}) in registrations: "
                "correct one of them, or leave rosh out to use the registration",
            )
    if mappa_level is not None and mappa_category is None:
        problems.add("mappa_category", "Enter the MAPPA category (1-4) that goes with the MAPPA level")
    if mappa_category is not None and mappa_level is None:
        problems.add("mappa_level", "Enter the MAPPA level (1-3) that goes with the MAPPA category")
    if MAPPA_CODE in registrations and mappa_level is None and mappa_category is None:
        for name, what in (("mappa_level", "level (1-3)"), ("mappa_category", "category (1-4)")):
            problems.add(name, f"A {MAPPA_CODE} registration is listed: enter its MAPPA {what}")


def tier_v2_check(data: TierV2Input, problems: Problems) -> None:
    check_common(
        problems,
        rsr_percent=data.rsr_percent,
        mappa_level=data.mappa_level,
        mappa_category=data.mappa_category,
        ogrs_percent=data.ogrs_percent,
    )
    check_registrations(
        problems,
        rosh=data.rosh,
        registrations=data.registrations,
        mappa_level=data.mappa_level,
        mappa_category=data.mappa_category,
    )
    report(
        problems, answer_checks(SCALAR, [("impulsivity", data.impulsivity), ("temper_control", data.temper_control)])
    )
    if data.mandate_for_change is None and data.current_convictions is None:
        problems.add(
            "mandate_for_change",
            "Say whether there is a mandate for change, or give current_convictions to work it out from",
        )
    if data.mandate_for_change is not None and data.current_convictions is not None:
        problems.add("mandate_for_change", "Give either mandate_for_change or current_convictions, not both")
    if data.needs is not None:
        for f in fields(Needs):
            value = getattr(data.needs, f.name)
            if value is not None and value < 0:
                problems.add(f"needs.{f.name}", "Enter a section score of 0 or more")
    if data.current_convictions is not None:
        mandate = has_mandate_for_change(policy(), data.current_convictions)
    else:
        mandate = bool(data.mandate_for_change)
    if mandate and data.has_layer3_assessment and data.needs is None:
        problems.add("needs", "Enter the OASys section scores from the layer-3 assessment")
    if data.needs is not None and data.needs_assessment_type is None:
        problems.add("needs_assessment_type", "Say which assessment the section scores come from: oasys or san")


def tier_v2_calculate(data: TierV2Input) -> TierV2Result:
    problems = Problems()
    tier_v2_check(data, problems)
    problems.raise_if_any()
    pol = policy()
    notes: list[str] = []
    codes = _registrations(pol, data.registrations, notes)
    protect_terms, protect_points = _protect(pol, data, codes, notes)
    protect_level = band_for(protect_points, bands(pol["protect"]["levels"]))
    change_terms, change_points, change_level = _change(pol, data, codes, notes)
    unsupervised = pol["unsupervised_code"] in codes
    tier = f"{protect_level}{change_level}{'S' if unsupervised else ''}"
    return TierV2Result(
        tool="tier",
        version=2,
        policy_version=pol.policy_version,
        tier=tier,
        protect_level=protect_level,
        protect_points=protect_points,
        change_level=change_level,
        change_points=change_points,
        unsupervised=unsupervised,
        explanation=(
            *protect_terms,
            *change_terms,
            Term("unsupervised", unsupervised, None, 0, detail=f"{pol['unsupervised_code']} registration"),
        ),
        notes=tuple(notes),
    )


def _registrations(pol: Policy, given: tuple[str, ...], notes: list[str]) -> list[str]:
    ignored = set(pol["ignored_registration_codes"])
    codes = [c for c in given if c not in ignored]
    dropped = sorted(set(given) & ignored)
    if dropped:
        notes.append("Registrations not counted for tiering: " + ", ".join(dropped))
    unknown = sorted({c for c in codes if registration_type(c) is None})
    if unknown:
        notes.append("Registration codes with no part in tiering: " + ", ".join(unknown))
    return codes


def _protect(pol: Policy, data: TierV2Input, codes: list[str], notes: list[str]) -> tuple[list[Term], int]:
    p = pol["protect"]
    if data.rsr_percent is None:
        rsr_points = 0
        notes.append("No RSR given: 0 RSR points")
    else:
        rsr_points = int(band_for(data.rsr_percent, bands(p["rsr"])))
    rosh = read_rosh(data.rosh, data.registrations)
    if rosh.from_registrations:
        notes.append(f"No rosh given: RoSH {rosh.level} taken from the {rosh.codes[0]} registration")
    rosh_points = int(p["rosh"][rosh.level]) if rosh.level else 0
    counted = "rsr" if rsr_points >= rosh_points else "rosh"
    terms = [
        Term(
            "rsr",
            None if data.rsr_percent is None else float(data.rsr_percent),
            None,
            rsr_points if counted == "rsr" else 0,
            detail=f"{rsr_points} points" + ("" if counted == "rsr" else "; only the larger of RSR and RoSH counts"),
        ),
        Term(
            "rosh",
            rosh.level,
            None,
            rosh_points if counted == "rosh" else 0,
            detail=f"{rosh_points} points; {rosh.describe()}"
            + ("" if counted == "rosh" else "; only the larger of RSR and RoSH counts"),
        ),
        Term(
            "mappa_level",
            data.mappa_level,
            None,
            int(p["mappa_level"][str(data.mappa_level)]) if data.mappa_level else 0,
        ),
    ]
    complexity_codes = p["complexity"]["codes"]
    present = sorted({c for c in codes if c in complexity_codes})
    complexity = min(len(present) * int(p["complexity"]["points_each"]), int(p["complexity"]["maximum"]))
    terms.append(
        Term("complexity_factors", ", ".join(present) or None, str(p["complexity"]["points_each"]), complexity)
    )
    terms.extend(_women(pol, data, notes))
    return terms, sum(int(t.contribution) for t in terms)


def _women(pol: Policy, data: TierV2Input, notes: list[str]) -> list[Term]:
    w = pol["protect"]["women"]
    given = [data.parental_responsibilities, data.impulsivity, data.temper_control, data.recent_breach_or_recall]
    if data.gender != "female":
        if any(v is not None for v in given):
            notes.append("Additional factors for women are not counted for a man")
        return []
    terms: list[Term] = []
    if data.has_layer3_assessment:
        if data.parental_responsibilities is None:
            notes.append("parental_responsibilities not given: 0 points")
        terms.append(
            Term(
                "parental_responsibilities",
                data.parental_responsibilities,
                None,
                int(w["parental_responsibilities"]) if data.parental_responsibilities else 0,
            )
        )
        if data.impulsivity is None and data.temper_control is None:
            notes.append("impulsivity and temper_control not given: 0 points")
        either = (data.impulsivity or 0) > 0 or (data.temper_control or 0) > 0
        terms.append(
            Term(
                "impulsivity_or_temper_control",
                either,
                None,
                int(w["impulsivity_or_temper_control"]) if either else 0,
                detail=f"impulsivity {data.impulsivity}, temper control {data.temper_control}; "
                "counted once when either is above 0",
            )
        )
    else:
        notes.append("No layer-3 assessment: the OASys-based factors for women are not counted")
    if data.recent_breach_or_recall is None:
        notes.append("recent_breach_or_recall not given: 0 points")
    terms.append(
        Term(
            "recent_breach_or_recall",
            data.recent_breach_or_recall,
            None,
            int(w["recent_breach_or_recall"]) if data.recent_breach_or_recall else 0,
        )
    )
    return terms


def has_mandate_for_change(pol: Policy, convictions: tuple[Conviction, ...]) -> bool:
    """A custodial sentence, or a non-restrictive requirement other than unpaid work / order extended."""
    c = pol["change"]
    for conviction in convictions:
        if conviction.sentence_type in c["custodial_sentence_types"]:
            return True
        for requirement in conviction.requirements:
            if not requirement.restrictive and requirement.main_category not in c["excluded_requirement_categories"]:
                return True
    return False


def need_severity(pol: Policy, kind: str, section: str, score: int | None) -> str | None:
    limits = pol["change"]["thresholds"][kind].get(section)
    if score is None or limits is None:
        return None
    if score >= int(limits["severe"]):
        return "severe"
    if score >= int(limits["standard"]):
        return "standard"
    return "no_need"


def _change(pol: Policy, data: TierV2Input, codes: list[str], notes: list[str]) -> tuple[list[Term], int, int]:
    c = pol["change"]
    if data.current_convictions is not None:
        mandate = has_mandate_for_change(pol, data.current_convictions)
        source = "worked out from current_convictions"
    else:
        mandate = bool(data.mandate_for_change)
        source = "as given"
    mandate_term = Term("mandate_for_change", mandate, None, 0, detail=source)
    if not mandate:
        return [mandate_term], 0, int(c["no_mandate_level"])
    if not data.has_layer3_assessment:
        notes.append("No valid layer-3 assessment: change level 2")
        return [mandate_term, Term("layer3_assessment", False, None, 0)], 0, int(c["no_assessment_level"])
    assert data.needs is not None and data.needs_assessment_type is not None
    terms = [mandate_term]
    for section in NEED_SECTIONS:
        score = getattr(data.needs, section)
        severity = need_severity(pol, data.needs_assessment_type, section, score)
        weight = int(c["need_weights"][section])
        points = weight * int(c["severity_points"][severity]) if severity else 0
        terms.append(Term(f"needs.{section}", score, str(weight), points, detail=severity or "no severity"))
    if data.ogrs_percent is None:
        notes.append("No OGRS given: 0 OGRS points")
        ogrs_points = 0
    else:
        ogrs_points = data.ogrs_percent // int(c["ogrs_divisor"])
    terms.append(Term("ogrs", data.ogrs_percent, f"1/{c['ogrs_divisor']}", ogrs_points, detail="whole tens of OGRS%"))
    iom = c["iom_code"] in codes
    terms.append(Term("iom_nominal", iom, None, int(c["iom_points"]) if iom else 0))
    points = sum(int(t.contribution) for t in terms)
    return terms, points, int(band_for(points, bands(c["levels"])))
