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
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.offences import POLICY_VERSION as OFFENCE_POLICY_VERSION
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
    explanation: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def inputs_digest(self) -> str:
        return inputs_digest(self.inputs)

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


def canonical_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def inputs_digest(inputs: Mapping[str, Any]) -> str:
    return hashlib.sha1(canonical_json(inputs).encode(), usedforsecurity=False).hexdigest()


def _key_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(round(value * 100))  # percentages to 2 dp, as whole hundredths
    return str(value)


def result_key(tool: str, status: str, result: Mapping[str, Any] | None, reasons: tuple[dict[str, str], ...]) -> str:
    """A short text that changes exactly when the headline result (or why there is none) changes."""
    if status != "calculated" or result is None:
        return "x|" + ";".join(r["field"] for r in reasons)
    return "|".join(_key_value(result.get(name)) for name in HEADLINE_FIELDS[tool])


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


def missing_codes(facts: CaseFacts, tool: str) -> list[str]:
    history = facts.history
    present = {
        "no_event": facts.event is not None,
        "gender": facts.gender in ("male", "female"),
        "no_history": history is not None,
        "total_sanctions": history is None or history.total_sanctions is not None,
        "age_at_first_sanction": history is None or history.age_at_first_sanction is not None,
        "violent_sanctions": history is None or history.violent_sanctions is not None,
        "release_date": facts.event is None
        or facts.event.sentence_type not in policy()["custodial_sentence_types"]
        or facts.event.release_date is not None,
        "no_assessment": facts.assessment is not None,
    }
    return [code for code in MISSING_FOR[tool] if not present[code]]


def follow_up_start(event: CurrentEvent) -> dt.date | None:
    if event.sentence_type in policy()["custodial_sentence_types"]:
        return event.release_date
    return event.sentence_date


def layer3_valid(assessment: Assessment | None, as_of: dt.date) -> bool:
    pol = policy()
    return (
        assessment is not None
        and assessment.layer == "layer3"
        and assessment.status in pol["assessment_counting_statuses"]
        and assessment.completed_date <= as_of
        and (as_of - assessment.completed_date).days <= 7 * int(pol["layer3_valid_weeks"])
    )


def mandate_for_change(facts: CaseFacts) -> bool:
    pol = policy()
    custodial = any(t in pol["custodial_sentence_types"] for t in facts.active_sentence_types)
    return custodial or any(t in pol["mandate_requirement_types"] for t in facts.active_requirement_types)


def mappa(registrations: tuple[ActiveRegistration, ...]) -> tuple[int | None, int | None]:
    """Level and category (1-4) of the newest MAPPA registration, from its ``M1``.. codes."""
    for reg in registrations:
        if reg.code == MAPPA_CODE:
            level = int(reg.level[1:]) if reg.level[1:].isdigit() else None
            category = int(reg.category[1:]) if reg.category[1:].isdigit() else None
            return level, category
    return None, None


def tier_registrations(codes: Iterable[str], rosh: str | None) -> list[str]:
    """The active codes the tier is given: an older RoSH registration the newest one supersedes is left out, so
    the registrations never disagree with ``rosh`` (the tier refuses a RoSH that disagrees with a registration)."""
    levels = rosh_codes()
    return sorted({code for code in codes if levels.get(code, rosh) == rosh})


def _answers(facts: CaseFacts, names: tuple[str, ...]) -> dict[str, Any]:
    answers = facts.assessment.answers if facts.assessment is not None else {}
    return {name: answers.get(name) for name in names}


def history_inputs(facts: CaseFacts, as_of: dt.date) -> dict[str, Any]:
    """The fields OGRS3, SNSV, OSP, OVP and OGP share, JSON-ready (None where the record has nothing)."""
    event, history = facts.event, facts.history or CriminalHistory()
    return {
        "gender": facts.gender,
        "date_of_birth": iso(facts.date_of_birth),
        "conviction_date": iso(event.conviction_date) if event else None,
        "follow_up_start": iso(follow_up_start(event)) if event else None,
        "offence_code": event.offence_code if event else None,
        "total_sanctions": history.total_sanctions,
        "age_at_first_sanction": history.age_at_first_sanction,
    }


def tool_inputs(facts: CaseFacts, as_of: dt.date, tool: str, upstream: Mapping[str, ToolOutcome]) -> dict[str, Any]:
    """The input the tool gets from this record (the stored, replayable ``inputs``)."""
    base = history_inputs(facts, as_of)
    history = facts.history or CriminalHistory()
    event = facts.event
    if tool == "ogrs3":
        return base
    if tool == "rsr":
        sexual = {name: getattr(history, name) for name in SEXUAL_COUNTS}
        answers = _answers(facts, (*SNSV_DYNAMIC_ANSWERS, *(f"previous_{k}" for k in PREVIOUS_CONVICTIONS)))
        previous = {k: answers.pop(f"previous_{k}") for k in PREVIOUS_CONVICTIONS}
        in_custody = (
            event is not None
            and event.sentence_type == "custody"
            and (event.release_date is None or event.release_date > as_of)
        )
        return {
            **base,
            "assessment_date": iso(as_of),
            "violent_sanctions": history.violent_sanctions,
            "has_sexual_offence_history": any((v or 0) > 0 for v in sexual.values()),
            **sexual,
            "stranger_victim": history.stranger_victim,
            "last_sexual_sanction_date": iso(history.last_sexual_sanction_date),
            "in_custody": in_custody,
            "most_recent_offence_date": iso(history.most_recent_offence_date),
            "most_recent_sexual_offence_date": iso(history.most_recent_sexual_offence_date),
            **answers,
            "previous_convictions": previous if all(v is not None for v in previous.values()) else None,
        }
    if tool == "ovp":
        return {
            "gender": base["gender"],
            "date_of_birth": base["date_of_birth"],
            "follow_up_start": base["follow_up_start"],
            "total_sanctions": history.total_sanctions,
            "violent_sanctions": history.violent_sanctions,
            **_answers(facts, OVP_ANSWERS),
        }
    if tool == "ogp":
        return {**base, **_answers(facts, OGP_ANSWERS)}
    assert tool == "tier"
    rsr, ogrs3 = upstream["rsr"], upstream["ogrs3"]
    level, category = mappa(facts.registrations)
    layer3 = layer3_valid(facts.assessment, as_of)
    assessment = facts.assessment
    needs = None
    if layer3 and assessment is not None and any(assessment.section_scores.get(s) is not None for s in NEED_SECTIONS):
        needs = {section: assessment.section_scores.get(section) for section in NEED_SECTIONS}
    women = _answers(facts, WOMEN_ANSWERS) if facts.gender == "female" else dict.fromkeys(WOMEN_ANSWERS)
    rosh = rosh_level(r.code for r in facts.registrations)
    return {
        "gender": facts.gender,
        "has_layer3_assessment": layer3,
        "rosh": rosh,
        "rsr_percent": rsr.result["percent"] if rsr.result else None,
        "mappa_level": level,
        "mappa_category": category,
        "registrations": tier_registrations([r.code for r in facts.registrations], rosh),
        "ogrs_percent": ogrs3.result["two_year_percent"] if ogrs3.result else None,
        "needs": needs,
        "needs_assessment_type": assessment.kind if needs is not None and assessment is not None else None,
        "mandate_for_change": mandate_for_change(facts),
        **women,
        "recent_breach_or_recall": history.recent_breach_or_recall if facts.gender == "female" else None,
    }


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
        output = run_tool(tool, inputs)
    except CalculationInputError as exc:
        return ToolOutcome(tool, "not_calculated", version, inputs, None, tuple(exc.as_dicts()))
    return ToolOutcome(
        tool,
        "calculated",
        version,
        inputs,
        headline(tool, output),
        explanation=tuple(output.get("explanation", ())),
        notes=tuple(output.get("notes", ())),
    )


def case_calculate(facts: CaseFacts, as_of: dt.date) -> dict[str, ToolOutcome]:
    """Every tool for one case, as at ``as_of``: the scalar reference for the case record and recompute."""
    outcomes: dict[str, ToolOutcome] = {}
    for tool in TOOLS:
        inputs = tool_inputs(facts, as_of, tool, outcomes)
        outcomes[tool] = outcome_for(tool, inputs, missing_codes(facts, tool))
    return outcomes
