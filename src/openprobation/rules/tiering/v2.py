"""Tier V2: protect level A-D from risk of harm, change level 0-3 from needs and reoffending, "S" if unsupervised.

Policy: ``policy/tier_v2.toml`` (read from ministryofjustice/hmpps-tier at commit affac98a; the framework is
summarised in OpenProbation's domain notes, rules §7).

Protect points = RSR points + RoSH points - the smaller of the two (only the larger counts) + MAPPA level points
+ 2 per complexity registration (max 20) + women's additional factors; A >= 150, B 20-149, C 10-19, D < 10.

Change level = 0 with no mandate for change; 2 with no valid layer-3 assessment; otherwise from points =
sum(need weight x severity) + floor(OGRS% / 10) + 2 for an IOM nominal: 1 below 10, 2 for 10-19, 3 from 20.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Literal, cast

from openprobation.rules.ops import SCALAR, Check, Ops, report
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


def common_checks(
    o: Ops, *, rsr_percent: Any, mappa_level: Any, mappa_category: Any, ogrs_percent: Any = None
) -> list[Check]:
    """The ranges of the RSR and OGRS percents and the MAPPA level and category (V2 and V3)."""
    checks = [
        Check(
            "rsr_percent",
            o.and_(
                o.not_(o.is_null(rsr_percent)),
                o.or_(o.fill_null(rsr_percent, 0) < 0, o.fill_null(rsr_percent, 0) > 100),
            ),
            "Enter an RSR percentage from 0 to 100",
        ),
        Check(
            "mappa_level",
            o.and_(o.not_(o.is_null(mappa_level)), o.not_(o.is_in(o.fill_null(mappa_level, 1), (1, 2, 3)))),
            "Enter a MAPPA level of 1, 2 or 3",
        ),
        Check(
            "mappa_category",
            o.and_(o.not_(o.is_null(mappa_category)), o.not_(o.is_in(o.fill_null(mappa_category, 1), (1, 2, 3, 4)))),
            "Enter a MAPPA category of 1, 2, 3 or 4",
        ),
    ]
    if ogrs_percent is not None:
        checks.append(
            Check(
                "ogrs_percent",
                o.and_(
                    o.not_(o.is_null(ogrs_percent)),
                    o.or_(o.fill_null(ogrs_percent, 0) < 0, o.fill_null(ogrs_percent, 0) > 100),
                ),
                "Enter an OGRS percentage from 0 to 100",
            )
        )
    return checks


def check_common(
    problems: Problems,
    *,
    rsr_percent: Decimal | None,
    mappa_level: int | None,
    mappa_category: int | None,
    ogrs_percent: int | None = None,
) -> None:
    report(
        problems,
        common_checks(
            SCALAR,
            rsr_percent=rsr_percent,
            mappa_level=mappa_level,
            mappa_category=mappa_category,
            ogrs_percent=ogrs_percent,
        ),
    )


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


@cache
def rosh_codes_highest_first() -> tuple[str, ...]:
    levels = rosh_codes()
    return tuple(sorted(levels, key=lambda code: -ROSH_ORDER.index(levels[code])))


def registration_checks(o: Ops, *, rosh: Any, registrations: Any, mappa_level: Any, mappa_category: Any) -> list[Check]:
    """RoSH given and registered must agree; MAPPA level and category come together (and with a MAPP code)."""
    registered_code = o.first_in(registrations, rosh_codes_highest_first())
    registered = o.lookup(registered_code, rosh_codes())
    no_mappa = o.and_(o.is_null(mappa_level), o.is_null(mappa_category), o.contains(registrations, MAPPA_CODE))
    return [
        Check(
            "rosh",
            o.and_(o.not_(o.is_null(rosh)), o.not_(o.is_null(registered)), registered != rosh),
            lambda: (
                f"RoSH {rosh} disagrees with the RoSH registration {registered_code} ({registered}) in "
                "registrations: correct one of them, or leave rosh out to use the registration"
            ),
        ),
        Check(
            "mappa_category",
            o.and_(o.not_(o.is_null(mappa_level)), o.is_null(mappa_category)),
            "Enter the MAPPA category (1-4) that goes with the MAPPA level",
        ),
        Check(
            "mappa_level",
            o.and_(o.not_(o.is_null(mappa_category)), o.is_null(mappa_level)),
            "Enter the MAPPA level (1-3) that goes with the MAPPA category",
        ),
        Check("mappa_level", no_mappa, f"A {MAPPA_CODE} registration is listed: enter its MAPPA level (1-3)"),
        Check("mappa_category", no_mappa, f"A {MAPPA_CODE} registration is listed: enter its MAPPA category (1-4)"),
    ]


def check_registrations(
    problems: Problems,
    *,
    rosh: Rosh | None,
    registrations: tuple[str, ...],
    mappa_level: int | None,
    mappa_category: int | None,
) -> None:
    report(
        problems,
        registration_checks(
            SCALAR, rosh=rosh, registrations=registrations, mappa_level=mappa_level, mappa_category=mappa_category
        ),
    )


def tier_v2_checks(o: Ops, **x: Any) -> list[Check]:
    """Tier V2's checks of the values the formula reads (:func:`tier_v2_formula`'s inputs ``x``)."""
    return value_checks(o, **x) + needs_checks(o, **x)


def value_checks(o: Ops, **x: Any) -> list[Check]:
    """The ranges, the registrations and the women's answers."""
    return [
        *common_checks(
            o,
            rsr_percent=x["rsr_percent"],
            mappa_level=x["mappa_level"],
            mappa_category=x["mappa_category"],
            ogrs_percent=x["ogrs_percent"],
        ),
        *registration_checks(
            o,
            rosh=x["rosh"],
            registrations=x["registrations"],
            mappa_level=x["mappa_level"],
            mappa_category=x["mappa_category"],
        ),
        *answer_checks(o, [("impulsivity", x["impulsivity"]), ("temper_control", x["temper_control"])]),
    ]


def needs_checks(o: Ops, **x: Any) -> list[Check]:
    """The section scores: none below 0, given with a layer-3 assessment and a mandate, with their kind."""
    return [
        *(
            Check(f"needs.{section}", o.fill_null(x[f"need_{section}"], 0) < 0, "Enter a section score of 0 or more")
            for section in NEED_SECTIONS
        ),
        Check(
            "needs",
            o.and_(x["mandate"], x["has_layer3_assessment"], o.not_(x["needs_given"])),
            "Enter the OASys section scores from the layer-3 assessment",
        ),
        Check(
            "needs_assessment_type",
            o.and_(x["needs_given"], o.is_null(x["needs_assessment_type"])),
            "Say which assessment the section scores come from: oasys or san",
        ),
    ]


def formula_inputs(data: TierV2Input) -> dict[str, Any]:
    """The values :func:`tier_v2_formula` reads from one case's input (the mandate worked out when the
    convictions are given, the section scores as ``need_<section>``)."""
    if data.current_convictions is not None:
        mandate = has_mandate_for_change(policy(), data.current_convictions)
    else:
        mandate = bool(data.mandate_for_change)
    names = (
        "gender", "has_layer3_assessment", "rosh", "rsr_percent", "mappa_level", "mappa_category", "registrations",
        "ogrs_percent", "needs_assessment_type", "parental_responsibilities", "impulsivity", "temper_control",
        "recent_breach_or_recall",
    )  # fmt: skip
    return {
        **{name: getattr(data, name) for name in names},
        "mandate": mandate,
        "needs_given": data.needs is not None,
        **{f"need_{s}": getattr(data.needs, s) if data.needs is not None else None for s in NEED_SECTIONS},
    }


def tier_v2_check(data: TierV2Input, problems: Problems) -> None:
    x = formula_inputs(data)
    report(problems, value_checks(SCALAR, **x))
    if data.mandate_for_change is None and data.current_convictions is None:
        problems.add(
            "mandate_for_change",
            "Say whether there is a mandate for change, or give current_convictions to work it out from",
        )
    if data.mandate_for_change is not None and data.current_convictions is not None:
        problems.add("mandate_for_change", "Give either mandate_for_change or current_convictions, not both")
    report(problems, needs_checks(SCALAR, **x))


def tier_v2_formula(o: Ops, **x: Any) -> dict[str, Any]:
    """Tier V2 over its checked inputs ``x`` (:func:`formula_inputs`): the protect points of each factor (only the
    larger of RSR and RoSH counts), the protect level, the change points and level, unsupervised and the tier."""
    pol = policy()
    p, c = pol["protect"], pol["change"]
    codes = o.let(o.without(x["registrations"], pol["ignored_registration_codes"]))
    rsr_band = o.band(o.fill_null(x["rsr_percent"], 0), p["rsr"])
    rsr = o.let(
        o.where(o.is_null(x["rsr_percent"]), 0, o.lookup(rsr_band, {b["band"]: int(b["band"]) for b in p["rsr"]}))
    )
    level = o.where(
        o.is_null(x["rosh"]),
        o.lookup(o.first_in(codes, rosh_codes_highest_first()), rosh_codes()),
        x["rosh"],
    )
    level = o.let(level)
    rosh = o.let(o.lookup(level, {name: int(points) for name, points in p["rosh"].items()}, 0))
    rsr_counts = rsr >= rosh
    w = p["women"]
    female = x["gender"] == "female"
    layer3 = x["has_layer3_assessment"]
    either = o.or_(o.fill_null(x["impulsivity"], 0) > 0, o.fill_null(x["temper_control"], 0) > 0)
    protect = {
        "rsr": o.where(rsr_counts, rsr, 0),
        "rosh": o.where(rsr_counts, 0, rosh),
        "mappa_level": o.lookup(x["mappa_level"], {int(k): int(v) for k, v in p["mappa_level"].items()}, 0),
        "complexity_factors": o.minimum(
            o.count_in(codes, p["complexity"]["codes"]) * int(p["complexity"]["points_each"]),
            int(p["complexity"]["maximum"]),
        ),
        "parental_responsibilities": o.where(
            o.and_(female, layer3, o.fill_null(x["parental_responsibilities"], False)),
            int(w["parental_responsibilities"]),
            0,
        ),
        "impulsivity_or_temper_control": o.where(
            o.and_(female, layer3, either), int(w["impulsivity_or_temper_control"]), 0
        ),
        "recent_breach_or_recall": o.where(
            o.and_(female, o.fill_null(x["recent_breach_or_recall"], False)), int(w["recent_breach_or_recall"]), 0
        ),
    }
    protect_points: Any = 0
    for value in protect.values():
        protect_points = protect_points + value
    needs: dict[str, Any] = {}
    for section in NEED_SECTIONS:
        by_kind = []
        for kind in ("oasys", "san"):
            limits = c["thresholds"][kind].get(section)
            score = x[f"need_{section}"]
            if limits is None:
                by_kind.append(0)
                continue
            severity = o.where(
                o.fill_null(score, 0) >= int(limits["severe"]),
                int(c["severity_points"]["severe"]),
                o.where(
                    o.fill_null(score, 0) >= int(limits["standard"]),
                    int(c["severity_points"]["standard"]),
                    int(c["severity_points"]["no_need"]),
                ),
            )
            by_kind.append(o.where(o.is_null(score), 0, severity))
        points = o.where(x["needs_assessment_type"] == "san", by_kind[1], by_kind[0])
        needs[section] = int(c["need_weights"][section]) * o.fill_null(points, by_kind[0])
    change = {
        **needs,
        "ogrs": o.where(o.is_null(x["ogrs_percent"]), 0, o.fill_null(x["ogrs_percent"], 0) // int(c["ogrs_divisor"])),
        "iom_nominal": o.where(o.contains(codes, c["iom_code"]), int(c["iom_points"]), 0),
    }
    assessed: Any = 0
    for value in change.values():
        assessed = assessed + value
    scored = o.and_(x["mandate"], layer3)
    assessed = o.let(assessed)
    change_points = o.where(scored, assessed, 0)
    change_level = o.where(
        o.not_(x["mandate"]),
        int(c["no_mandate_level"]),
        o.where(
            o.not_(layer3),
            int(c["no_assessment_level"]),
            o.lookup(o.band(assessed, c["levels"]), {b["band"]: int(b["band"]) for b in c["levels"]}),
        ),
    )
    protect_points = o.let(protect_points)
    protect_level = o.let(o.band(protect_points, p["levels"]))
    change_level = o.let(change_level)
    unsupervised = o.contains(codes, pol["unsupervised_code"])
    return {
        "rosh": level,
        "protect": protect,
        "protect_points": protect_points,
        "protect_level": protect_level,
        "change": change,
        "change_points": change_points,
        "change_level": change_level,
        "unsupervised": unsupervised,
        "tier": o.concat(protect_level, change_level, o.where(unsupervised, "S", "")),
    }


def tier_v2_calculate(data: TierV2Input) -> TierV2Result:
    problems = Problems()
    tier_v2_check(data, problems)
    problems.raise_if_any()
    pol = policy()
    notes: list[str] = []
    codes = _registrations(pol, data.registrations, notes)
    f = tier_v2_formula(SCALAR, **formula_inputs(data))
    return TierV2Result(
        tool="tier",
        version=2,
        policy_version=pol.policy_version,
        tier=f["tier"],
        protect_level=f["protect_level"],
        protect_points=f["protect_points"],
        change_level=f["change_level"],
        change_points=f["change_points"],
        unsupervised=f["unsupervised"],
        explanation=(
            *_protect_terms(pol, data, codes, f, notes),
            *_change_terms(pol, data, f, notes),
            Term("unsupervised", f["unsupervised"], None, 0, detail=f"{pol['unsupervised_code']} registration"),
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


def _protect_terms(pol: Policy, data: TierV2Input, codes: list[str], f: dict[str, Any], notes: list[str]) -> list[Term]:
    p = pol["protect"]
    points = f["protect"]
    if data.rsr_percent is None:
        notes.append("No RSR given: 0 RSR points")
    rosh = read_rosh(data.rosh, data.registrations)
    if rosh.from_registrations:
        notes.append(f"No rosh given: RoSH {rosh.level} taken from the {rosh.codes[0]} registration")
    rsr_points = 0 if data.rsr_percent is None else int(band_for(data.rsr_percent, bands(p["rsr"])))
    rosh_points = int(p["rosh"][rosh.level]) if rosh.level else 0
    rsr_counts = rsr_points >= rosh_points
    larger = "; only the larger of RSR and RoSH counts"
    terms = [
        Term(
            "rsr",
            None if data.rsr_percent is None else float(data.rsr_percent),
            None,
            points["rsr"],
            detail=f"{rsr_points} points" + ("" if rsr_counts else larger),
        ),
        Term(
            "rosh",
            rosh.level,
            None,
            points["rosh"],
            detail=f"{rosh_points} points; {rosh.describe()}" + ("" if not rsr_counts else larger),
        ),
        Term("mappa_level", data.mappa_level, None, points["mappa_level"]),
    ]
    present = sorted({c for c in codes if c in p["complexity"]["codes"]})
    terms.append(
        Term(
            "complexity_factors",
            ", ".join(present) or None,
            str(p["complexity"]["points_each"]),
            points["complexity_factors"],
        )
    )
    terms.extend(_women(data, points, notes))
    return terms


def _women(data: TierV2Input, points: dict[str, Any], notes: list[str]) -> list[Term]:
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
                points["parental_responsibilities"],
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
                points["impulsivity_or_temper_control"],
                detail=f"impulsivity {data.impulsivity}, temper control {data.temper_control}; "
                "counted once when either is above 0",
            )
        )
    else:
        notes.append("No layer-3 assessment: the OASys-based factors for women are not counted")
    if data.recent_breach_or_recall is None:
        notes.append("recent_breach_or_recall not given: 0 points")
    terms.append(Term("recent_breach_or_recall", data.recent_breach_or_recall, None, points["recent_breach_or_recall"]))
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


def _change_terms(pol: Policy, data: TierV2Input, f: dict[str, Any], notes: list[str]) -> list[Term]:
    c = pol["change"]
    mandate = formula_inputs(data)["mandate"]
    source = "worked out from current_convictions" if data.current_convictions is not None else "as given"
    mandate_term = Term("mandate_for_change", mandate, None, 0, detail=source)
    if not mandate:
        return [mandate_term]
    if not data.has_layer3_assessment:
        notes.append("No valid layer-3 assessment: change level 2")
        return [mandate_term, Term("layer3_assessment", False, None, 0)]
    assert data.needs is not None and data.needs_assessment_type is not None
    points = f["change"]
    terms = [mandate_term]
    for section in NEED_SECTIONS:
        score = getattr(data.needs, section)
        severity = need_severity(pol, data.needs_assessment_type, section, score)
        terms.append(
            Term(
                f"needs.{section}",
                score,
                str(c["need_weights"][section]),
                points[section],
                detail=severity or "no severity",
            )
        )
    if data.ogrs_percent is None:
        notes.append("No OGRS given: 0 OGRS points")
    terms.append(
        Term("ogrs", data.ogrs_percent, f"1/{c['ogrs_divisor']}", points["ogrs"], detail="whole tens of OGRS%")
    )
    iom = c["iom_code"] in data.registrations
    terms.append(Term("iom_nominal", iom, None, points["iom_nominal"]))
    return terms
