"""From a case record to the risk tools: which facts feed which tool, and what to store when a tool cannot run.

Policy: ``policy/case_record.toml`` (our rules for reading the record; the tools' own rules are in their files).
A case's facts (:class:`CaseFacts`: person, current event, criminal history, latest OASys assessment, active
registrations) become one JSON-like input per tool, the tool runs through :func:`calculate`, and the outcome is
either a headline result or the reasons it could not be calculated. Nothing missing is ever defaulted: a tool
without what it needs is "not calculated", with each missing fact named.

- Follow-up starts at the sentence date (community) or the release date (custody, licence, post-sentence
  supervision); a custodial sentence without a release date cannot be scored yet.
- The assessment date of SNSV/OSP is the calculation date (``as_of``).
- Dynamic OASys answers come from the newest complete (or locked incomplete) assessment; a layer-3 one counts for
  tiering only while no older than ``layer3_valid_weeks``.
- RoSH is the newest active RoSH registration (an older active RoSH registration is superseded and not passed to
  the tier); MAPPA level and category come from the newest MAPPA registration.
- The tier (V2) takes the RSR and OGRS3 calculated here, when they could be.

:func:`case_calculate` is the scalar reference; ``rules.vectorised`` does the same for a whole caseload at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from openprobation.rules.calculators import CalculationInputError, calculate, calculate_fields
from openprobation.rules.offences import POLICY_VERSION as OFFENCE_POLICY_VERSION
from openprobation.rules.ops import SCALAR, Ops
from openprobation.rules.predictors.base import Policy, load_policy
from openprobation.rules.registrations import MAPPA_CODE, registration_policy, rosh_codes, rosh_level
from openprobation.rules.tiering.v2 import NEED_SECTIONS

TOOLS = ("ogrs3", "rsr", "ovp", "ogp", "tier")
PREDICTORS = ("ogrs3", "rsr", "ovp", "ogp")
Status = Literal["calculated", "not_calculated"]

YES_NO = "yes_no"
ANSWER = "answer"  # 0 no problems, 1 some problems, 2 significant problems
PREVIOUS_CONVICTIONS = (
    "homicide",
    "wounding_gbh",
    "kidnapping",
    "firearms",
    "robbery",
    "aggravated_burglary",
    "weapon",
    "criminal_damage",
    "arson",
)
# Every OASys answer the tools read, and its kind. Previous convictions are stored as previous_<kind>.
OASYS_ANSWERS: dict[str, str] = {
    "weapon_used": YES_NO,
    "accommodation_suitability": ANSWER,
    "unemployed": YES_NO,
    "partner_relationship": ANSWER,
    "current_alcohol_use": ANSWER,
    "binge_drinking": ANSWER,
    "impulsivity": ANSWER,
    "temper_control": ANSWER,
    "pro_criminal_attitudes": ANSWER,
    "domestic_violence_perpetrator": YES_NO,
    **{f"previous_{kind}": YES_NO for kind in PREVIOUS_CONVICTIONS},
    "does_not_recognise_impact": YES_NO,
    "no_fixed_abode": YES_NO,
    "current_psychiatric_treatment": YES_NO,
    "activities_encourage_offending": ANSWER,
    "drug_misuse": ANSWER,
    "motivation_to_tackle_drug_misuse": ANSWER,
    "problem_solving": ANSWER,
    "awareness_of_consequences": ANSWER,
    "understands_others": ANSWER,
    "parental_responsibilities": YES_NO,
}
SNSV_DYNAMIC_ANSWERS = (
    "weapon_used",
    "accommodation_suitability",
    "unemployed",
    "partner_relationship",
    "current_alcohol_use",
    "binge_drinking",
    "impulsivity",
    "temper_control",
    "pro_criminal_attitudes",
    "domestic_violence_perpetrator",
)
OVP_ANSWERS = (
    "does_not_recognise_impact",
    "no_fixed_abode",
    "unemployed",
    "current_alcohol_use",
    "binge_drinking",
    "current_psychiatric_treatment",
    "temper_control",
    "pro_criminal_attitudes",
)
OGP_ANSWERS = (
    "no_fixed_abode",
    "unemployed",
    "activities_encourage_offending",
    "drug_misuse",
    "motivation_to_tackle_drug_misuse",
    "problem_solving",
    "awareness_of_consequences",
    "understands_others",
    "pro_criminal_attitudes",
)
WOMEN_ANSWERS = ("parental_responsibilities", "impulsivity", "temper_control")
SEXUAL_COUNTS = (
    "contact_adult_sexual_sanctions",
    "contact_child_sexual_sanctions",
    "non_contact_sexual_sanctions",
    "indecent_image_sanctions",
)
ASSESSMENT_LAYERS = ("layer1", "layer3", "standalone")
ASSESSMENT_STATUSES = ("complete", "locked_incomplete", "in_progress")
ASSESSMENT_KINDS = ("oasys", "san")
HEADLINE_FIELDS: dict[str, tuple[str, ...]] = {
    "ogrs3": ("one_year_percent", "two_year_percent", "band"),
    "rsr": (
        "percent",
        "band",
        "snsv_percent",
        "osp_dc_percent",
        "osp_iic_percent",
        "snsv_model",
        "osp_dc_band",
        "osp_iic_band",
    ),
    "ovp": ("points", "one_year_percent", "two_year_percent", "band"),
    "ogp": ("points", "one_year_percent", "two_year_percent", "band"),
    "tier": ("tier", "protect_level", "protect_points", "change_level", "change_points"),
}


@dataclass(frozen=True, kw_only=True)
class CriminalHistory:
    total_sanctions: int | None = None
    age_at_first_sanction: int | None = None
    violent_sanctions: int | None = None
    contact_adult_sexual_sanctions: int | None = None
    contact_child_sexual_sanctions: int | None = None
    non_contact_sexual_sanctions: int | None = None
    indecent_image_sanctions: int | None = None
    stranger_victim: bool | None = None
    last_sexual_sanction_date: dt.date | None = None
    most_recent_offence_date: dt.date | None = None
    most_recent_sexual_offence_date: dt.date | None = None
    recent_breach_or_recall: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Assessment:
    completed_date: dt.date
    layer: str
    status: str
    kind: str = "oasys"
    answers: Mapping[str, int | bool | None] = field(default_factory=dict)
    section_scores: Mapping[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CurrentEvent:
    offence_code: str
    conviction_date: dt.date
    sentence_date: dt.date
    sentence_type: str
    release_date: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class ActiveRegistration:
    code: str
    level: str = ""
    category: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    gender: str
    date_of_birth: dt.date
    event: CurrentEvent | None  # the newest active event
    active_sentence_types: tuple[str, ...] = ()
    active_requirement_types: tuple[str, ...] = ()
    history: CriminalHistory | None = None
    assessment: Assessment | None = None  # the newest complete or locked-incomplete assessment
    registrations: tuple[ActiveRegistration, ...] = ()  # active, newest first


@dataclass(frozen=True)
class ToolOutcome:
    tool: str
    status: Status
    policy_version: str
    inputs: dict[str, Any]
    result: dict[str, Any] | None
    reasons: tuple[dict[str, str], ...] = ()

    @property
    def result_key(self) -> str:
        return result_key(self.tool, self.status, self.result, self.reasons)


def policy() -> Policy:
    return load_policy("case_record")


@cache
def tool_policy_version(tool: str) -> str:
    """Every policy version a stored calculation of ``tool`` depends on, so a policy change is a new calculation."""
    own = {
        "ogrs3": ["ogrs3"],
        "rsr": ["rsr", "snsv", "osp_dc", "osp_iic"],
        "ovp": ["ovp"],
        "ogp": ["ogp", "ogrs3"],
        "tier": ["tier_v2"],
    }[tool]
    versions = [load_policy(name).policy_version for name in own]
    if tool in ("ogrs3", "rsr", "ogp"):
        versions.append(OFFENCE_POLICY_VERSION)
    if tool == "tier":
        versions.append(registration_policy().policy_version)
    versions.append(policy().policy_version)
    return " ".join(versions)


PERCENT_FIELDS = frozenset({"percent", "snsv_percent", "osp_dc_percent", "osp_iic_percent"})  # kept to 2 dp


def result_key_over(o: Ops, tool: str, calculated: Any, result: Mapping[str, Any], failed_fields: Any) -> Any:
    """:func:`result_key` over the evaluator ``o``: the headline fields joined by ``|`` (percents as whole
    hundredths), or ``x|`` and the fields of the reasons there is none, joined by ``;``."""
    parts = [o.key_text(result.get(name), hundredths=name in PERCENT_FIELDS) for name in HEADLINE_FIELDS[tool]]
    return o.where(calculated, o.join_text(parts, "|"), o.concat("x|", o.join_list(failed_fields, ";")))


def result_key(tool: str, status: str, result: Mapping[str, Any] | None, reasons: tuple[dict[str, str], ...]) -> str:
    """A short text that changes exactly when the headline result (or why there is none) changes."""
    calculated = status == "calculated" and result is not None
    return str(result_key_over(SCALAR, tool, calculated, result or {}, [r["field"] for r in reasons]))


def iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


# ---- What is missing from the record (checked before any tool runs) ----
# (code, field, message): fixed texts so the vectorised path can give exactly the same reasons.
MISSING: dict[str, tuple[str, str]] = {
    "no_event": ("event", "No current event (conviction and sentence) on the record"),
    "gender": ("gender", "The predictors are defined for men and women: record the gender as male or female"),
    "no_history": (
        "criminal_history",
        "Criminal history not recorded: enter the number of sanctions and the age at the first",
    ),
    "total_sanctions": ("criminal_history.total_sanctions", "Not recorded: enter the number of sanctions"),
    "age_at_first_sanction": (
        "criminal_history.age_at_first_sanction",
        "Not recorded: enter the age at the first sanction",
    ),
    "violent_sanctions": ("criminal_history.violent_sanctions", "Not recorded: enter the number of violent sanctions"),
    "release_date": ("event.release_date", "No release date: follow-up starts on release"),
    "no_assessment": ("assessment", "No complete OASys assessment with the answers this tool needs"),
}
# Which missing facts stop which tool, in the order they are reported.
MISSING_FOR: dict[str, tuple[str, ...]] = {
    "ogrs3": ("no_event", "gender", "no_history", "total_sanctions", "age_at_first_sanction", "release_date"),
    "rsr": (
        "no_event",
        "gender",
        "no_history",
        "total_sanctions",
        "age_at_first_sanction",
        "violent_sanctions",
        "release_date",
    ),
    "ovp": (
        "no_event",
        "gender",
        "no_history",
        "total_sanctions",
        "violent_sanctions",
        "release_date",
        "no_assessment",
    ),
    "ogp": (
        "no_event",
        "gender",
        "no_history",
        "total_sanctions",
        "age_at_first_sanction",
        "release_date",
        "no_assessment",
    ),
    "tier": ("no_event", "gender"),
}


HISTORY_FIELDS = tuple(CriminalHistory.__dataclass_fields__)


def fact_row(facts: CaseFacts) -> dict[str, Any]:
    """A case's facts as one flat row of values (a caseload's frame has a column for each): everything the tools
    read from the record, the newest RoSH level and the MAPPA level and category already read."""
    event, history, assessment = facts.event, facts.history, facts.assessment
    level, category = mappa(facts.registrations)
    pol = policy()
    return {
        "gender": facts.gender,
        "date_of_birth": facts.date_of_birth,
        "has_event": event is not None,
        "offence_code": event.offence_code if event else None,
        "conviction_date": event.conviction_date if event else None,
        "sentence_date": event.sentence_date if event else None,
        "sentence_type": event.sentence_type if event else None,
        "release_date": event.release_date if event else None,
        "any_custodial": any(t in pol["custodial_sentence_types"] for t in facts.active_sentence_types),
        "any_mandate_requirement": any(t in pol["mandate_requirement_types"] for t in facts.active_requirement_types),
        "has_history": history is not None,
        **{f"h_{name}": getattr(history, name) if history else None for name in HISTORY_FIELDS},
        "has_assessment": assessment is not None,
        "a_date": assessment.completed_date if assessment else None,
        "a_layer": assessment.layer if assessment else None,
        "a_status": assessment.status if assessment else None,
        "a_kind": assessment.kind if assessment else None,
        **{f"ans_{name}": assessment.answers.get(name) if assessment else None for name in OASYS_ANSWERS},
        **{f"need_{s}": assessment.section_scores.get(s) if assessment else None for s in NEED_SECTIONS},
        "rosh": rosh_level(r.code for r in facts.registrations),
        "mappa_level": level,
        "mappa_category": category,
        "registrations": sorted({r.code for r in facts.registrations}),
    }


def absent(o: Ops, x: Mapping[str, Any]) -> dict[str, Any]:
    """Whether each fact of :data:`MISSING` is missing from the record (``x``: :func:`fact_row`'s fields)."""
    custodial = o.fill_null(o.is_in(x["sentence_type"], policy()["custodial_sentence_types"]), False)
    history = x["has_history"]
    return {
        "no_event": o.not_(x["has_event"]),
        "gender": o.not_(o.is_in(x["gender"], ("male", "female"))),
        "no_history": o.not_(history),
        "total_sanctions": o.and_(history, o.is_null(x["h_total_sanctions"])),
        "age_at_first_sanction": o.and_(history, o.is_null(x["h_age_at_first_sanction"])),
        "violent_sanctions": o.and_(history, o.is_null(x["h_violent_sanctions"])),
        "release_date": o.and_(x["has_event"], custodial, o.is_null(x["release_date"])),
        "no_assessment": o.not_(x["has_assessment"]),
    }


def missing_codes(facts: CaseFacts, tool: str) -> list[str]:
    gaps = absent(SCALAR, fact_row(facts))
    return [code for code in MISSING_FOR[tool] if gaps[code]]


def layer3_current(o: Ops, x: Mapping[str, Any], as_of: Any) -> Any:
    """Whether the newest counting assessment is a layer-3 one still current for the tier (``layer3_valid_weeks``),
    over :func:`fact_row`'s fields."""
    pol = policy()
    completed = o.fill_null(x["a_date"], as_of)
    return o.and_(
        x["has_assessment"],
        x["a_layer"] == "layer3",
        o.fill_null(o.is_in(x["a_status"], pol["assessment_counting_statuses"]), False),
        completed <= as_of,
        o.days_between(completed, as_of) <= 7 * int(pol["layer3_valid_weeks"]),
    )


def mappa(registrations: tuple[ActiveRegistration, ...]) -> tuple[int | None, int | None]:
    """Level and category (1-4) of the newest MAPPA registration, from its ``M1``.. codes."""
    for reg in registrations:
        if reg.code == MAPPA_CODE:
            level = int(reg.level[1:]) if reg.level[1:].isdigit() else None
            category = int(reg.category[1:]) if reg.category[1:].isdigit() else None
            return level, category
    return None, None


def record_inputs(o: Ops, tool: str, x: Mapping[str, Any], as_of: Any, **upstream: Any) -> dict[str, Any]:
    """The input each tool gets from the record (``x``: :func:`fact_row`'s fields), as typed values (dates as
    dates; :func:`jsonable` gives what is stored). The tier also needs ``rsr_percent`` and ``ogrs_percent``, the
    RSR and OGRS3 worked out here (None when they could not be)."""
    pol = policy()
    has_event = x["has_event"]
    custodial = o.fill_null(o.is_in(x["sentence_type"], pol["custodial_sentence_types"]), False)

    def answers(names: Iterable[str]) -> dict[str, Any]:
        return {name: x[f"ans_{name}"] for name in names}

    base = {
        "gender": x["gender"],
        "date_of_birth": x["date_of_birth"],
        "conviction_date": o.where(has_event, x["conviction_date"], None),
        "follow_up_start": o.where(has_event, o.where(custodial, x["release_date"], x["sentence_date"]), None),
        "offence_code": o.where(has_event, x["offence_code"], None),
        "total_sanctions": x["h_total_sanctions"],
        "age_at_first_sanction": x["h_age_at_first_sanction"],
    }
    if tool == "ogrs3":
        return base
    if tool == "ogp":
        return {**base, **answers(OGP_ANSWERS)}
    if tool == "ovp":
        return {
            **{k: base[k] for k in ("gender", "date_of_birth", "follow_up_start", "total_sanctions")},
            "violent_sanctions": x["h_violent_sanctions"],
            **answers(OVP_ANSWERS),
        }
    if tool == "rsr":
        release = x["release_date"]
        previous = {k: x[f"ans_previous_{k}"] for k in PREVIOUS_CONVICTIONS}
        return {
            **base,
            "assessment_date": as_of,
            "violent_sanctions": x["h_violent_sanctions"],
            "has_sexual_offence_history": o.or_(*(o.fill_null(x[f"h_{n}"], 0) > 0 for n in SEXUAL_COUNTS)),
            **{n: x[f"h_{n}"] for n in SEXUAL_COUNTS},
            "stranger_victim": x["h_stranger_victim"],
            "last_sexual_sanction_date": x["h_last_sexual_sanction_date"],
            "in_custody": o.and_(
                has_event,
                o.fill_null(x["sentence_type"] == "custody", False),
                o.or_(o.is_null(release), o.fill_null(release, as_of) > as_of),
            ),
            "most_recent_offence_date": x["h_most_recent_offence_date"],
            "most_recent_sexual_offence_date": x["h_most_recent_sexual_offence_date"],
            **answers(SNSV_DYNAMIC_ANSWERS),
            "previous_convictions": o.where(
                o.and_(*(o.not_(o.is_null(v)) for v in previous.values())), o.record(previous), None
            ),
        }
    assert tool == "tier"
    layer3 = o.let(layer3_current(o, x, as_of))
    needs_given = o.let(o.and_(layer3, o.or_(*(o.not_(o.is_null(x[f"need_{s}"])) for s in NEED_SECTIONS))))
    female = o.fill_null(x["gender"] == "female", False)
    codes, rosh = x["registrations"], x["rosh"]
    levels = rosh_codes()
    kept = codes  # an older RoSH registration the newest one supersedes is left out
    for level in sorted(set(levels.values())):
        others = [code for code, other in levels.items() if other != level]
        kept = o.where(o.fill_null(rosh == level, False), o.without(codes, others), kept)
    return {
        "gender": x["gender"],
        "has_layer3_assessment": layer3,
        "rosh": rosh,
        "rsr_percent": upstream["rsr_percent"],
        "mappa_level": x["mappa_level"],
        "mappa_category": x["mappa_category"],
        "registrations": o.sort(kept),
        "ogrs_percent": upstream["ogrs_percent"],
        "needs": o.where(needs_given, o.record({s: x[f"need_{s}"] for s in NEED_SECTIONS}), None),
        "needs_assessment_type": o.where(needs_given, x["a_kind"], None),
        "mandate_for_change": o.or_(x["any_custodial"], x["any_mandate_requirement"]),
        **{name: o.where(female, x[f"ans_{name}"], None) for name in WOMEN_ANSWERS},
        "recent_breach_or_recall": o.where(female, x["h_recent_breach_or_recall"], None),
    }


def jsonable(value: Any) -> Any:
    """Typed input values as stored (JSON): dates as ``YYYY-MM-DD``, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def tool_inputs(
    row: Mapping[str, Any], as_of: dt.date, tool: str, upstream: Mapping[str, ToolOutcome]
) -> dict[str, Any]:
    """The input the tool gets from a case's record (:func:`fact_row`'s fields; the stored, replayable ``inputs``);
    the tier reads the RSR and OGRS3 already worked out (``upstream``)."""
    extra = {}
    if tool == "tier":
        rsr, ogrs3 = upstream["rsr"], upstream["ogrs3"]
        extra = {
            "rsr_percent": rsr.result["percent"] if rsr.result else None,
            "ogrs_percent": ogrs3.result["two_year_percent"] if ogrs3.result else None,
        }
    return jsonable(record_inputs(SCALAR, tool, row, as_of, **extra))


def headline(tool: str, output: Mapping[str, Any]) -> dict[str, Any]:
    """The stored result: the figures a page, report or comparison needs (the explanation is replayed)."""
    if tool == "rsr":
        return {
            "percent": output["percent"],
            "band": output["band"],
            "snsv_percent": output["snsv_percent"],
            "osp_dc_percent": output["osp_dc_percent"],
            "osp_iic_percent": output["osp_iic_percent"],
            "snsv_model": output["snsv_model"],
            "osp_dc_band": output["osp_dc"]["band"],
            "osp_iic_band": output["osp_iic"]["band"],
        }
    return {name: output[name] for name in HEADLINE_FIELDS[tool]}


def run_tool(tool: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Run a tool on stored inputs (None values dropped: absent and null mean the same to the record)."""
    return calculate(tool, {k: v for k, v in inputs.items() if v is not None})


def outcome_for(tool: str, inputs: dict[str, Any], missing: list[str]) -> ToolOutcome:
    version = tool_policy_version(tool)
    if missing:
        reasons = tuple({"field": MISSING[c][0], "message": MISSING[c][1]} for c in missing)
        return ToolOutcome(tool, "not_calculated", version, inputs, None, reasons)
    try:
        # As run_tool, reading only the headline figures (the explanation is never stored: it is replayed).
        output = calculate_fields(tool, {k: v for k, v in inputs.items() if v is not None})
    except CalculationInputError as exc:
        return ToolOutcome(tool, "not_calculated", version, inputs, None, tuple(exc.as_dicts()))
    return ToolOutcome(tool, "calculated", version, inputs, headline(tool, output))


def case_calculate(facts: CaseFacts, as_of: dt.date) -> dict[str, ToolOutcome]:
    """Every tool for one case, as at ``as_of``: the scalar reference for the case record and recompute."""
    return row_calculate(fact_row(facts), as_of)


def row_calculate(row: Mapping[str, Any], as_of: dt.date) -> dict[str, ToolOutcome]:
    """Every tool for one case given as :func:`fact_row`'s fields."""
    gaps = absent(SCALAR, row)
    outcomes: dict[str, ToolOutcome] = {}
    for tool in TOOLS:
        inputs = tool_inputs(row, as_of, tool, outcomes)
        outcomes[tool] = outcome_for(tool, inputs, [code for code in MISSING_FOR[tool] if gaps[code]])
    return outcomes
