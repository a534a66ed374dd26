"""The forms for a case's risk-tool inputs: criminal history, an OASys assessment and a recorded score.

Built on ``work_forms`` (fields parsed from the POST, GOV.UK error summary). The answer names and kinds, layers,
statuses and need sections come from the rules the service validates against, so a new answer appears here without
a change. Parsing only (a whole number, a real date, a choice from the list); the rules are the services'.
Field names follow the service's error paths joined with dots (``answers.impulsivity``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openprobation.core.errors import FieldError
from openprobation.risk import services as risk_services
from openprobation.rules import case_record as cr
from openprobation.web import work_forms
from openprobation.web.forms import ErrorItem
from openprobation.web.work_forms import FormField, ParsedForm

NOT_ANSWERED = ""
YES_NO_OPTIONS = (("yes", "Yes"), ("no", "No"), (NOT_ANSWERED, "Not answered"))
ANSWER_OPTIONS = (
    ("0", "0: no problems"),
    ("1", "1: some problems"),
    ("2", "2: significant problems"),
    (NOT_ANSWERED, "Not answered"),
)
STALE_MESSAGE = (
    "Someone else changed this criminal history since you opened it. Nothing has been saved: reload the page "
    "to see their changes, then make yours again."
)


@dataclass(frozen=True)
class RiskField(FormField):
    inline: bool = False  # radios side by side (yes/no, 0/1/2)


@dataclass(frozen=True)
class Group:
    legend: str  # "" for fields outside a fieldset
    fields: Sequence[FormField]
    hint: str = ""


def all_fields(groups: Sequence[Group]) -> list[FormField]:
    return [f for g in groups for f in g.fields]


def humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _number(name: str, label: str, hint: str = "") -> RiskField:
    return RiskField(name, label, "number", hint=hint, required=False)


# ---- Criminal history ----

HISTORY_LABELS = {
    "total_sanctions": (
        "Total sanctions",
        "Cautions, reprimands, final warnings and convictions, including the current one",
    ),
    "age_at_first_sanction": ("Age at first sanction", "Their age in years when they were first sanctioned"),
    "violent_sanctions": ("Violent sanctions", ""),
    "contact_adult_sexual_sanctions": ("Contact sexual sanctions against adults", ""),
    "contact_child_sexual_sanctions": ("Contact sexual sanctions against children", ""),
    "non_contact_sexual_sanctions": ("Non-contact sexual sanctions", "Not counting indecent images"),
    "indecent_image_sanctions": ("Indecent image sanctions", ""),
    "stranger_victim": ("Was a victim a stranger?", ""),
    "recent_breach_or_recall": ("Recent breach or recall?", ""),
    "last_sexual_sanction_date": ("Date of the last sexual sanction", ""),
    "most_recent_offence_date": ("Date of the most recent offence", ""),
    "most_recent_sexual_offence_date": ("Date of the most recent sexual offence", ""),
}
SEXUAL_COUNTS = set(cr.SEXUAL_COUNTS)


def _history_label(name: str) -> tuple[str, str]:
    return HISTORY_LABELS.get(name, (humanise(name), ""))


def _history_field(name: str) -> FormField:
    label, hint = _history_label(name)
    if name in risk_services.HISTORY_DATES:
        return RiskField(
            name, label, "date", hint=hint or "For example, 27 3 2026. Leave blank if none", required=False
        )
    if name in risk_services.HISTORY_FLAGS:
        return RiskField(name, label, "radios", hint=hint, required=False, options=YES_NO_OPTIONS, inline=True)
    return _number(name, label, hint or "Leave blank if not known")


HISTORY_GROUPS = (
    Group("Sanctions", [_history_field(n) for n in risk_services.HISTORY_COUNTS if n not in SEXUAL_COUNTS]),
    Group("Sexual sanctions", [_history_field(n) for n in risk_services.HISTORY_COUNTS if n in SEXUAL_COUNTS]),
    Group("Dates", [_history_field(n) for n in risk_services.HISTORY_DATES]),
    Group("The offending", [_history_field(n) for n in risk_services.HISTORY_FLAGS]),
)


def _date_initial(name: str, value: dt.date | None) -> dict[str, str]:
    if value is None:
        return {}
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}


def _flag_text(value: bool | None) -> str:
    return NOT_ANSWERED if value is None else ("yes" if value else "no")


def history_initial(record: Any) -> dict[str, str]:
    """The form's values from the stored criminal history (or empty when there is none yet)."""
    if record is None:
        return {}
    data: dict[str, str] = {}
    for f in all_fields(HISTORY_GROUPS):
        value = getattr(record, f.name)
        if f.kind == "date":
            data.update(_date_initial(f.name, value))
        elif f.kind == "radios":
            data[f.name] = _flag_text(value)
        else:
            data[f.name] = "" if value is None else str(value)
    return data


# ---- Recorded scores ----

RECORDED_KIND_LABELS = {"rsr": "RSR percentage", "tier": "Tier", "allocation": "Allocation"}
ALLOCATION_LABELS = {
    "nps": "National Probation Service (NPS)",
    "crc": "Community Rehabilitation Company (CRC)",
    "po": "Probation officer (PO)",
    "pso": "Probation services officer (PSO)",
    "pqip": "Trainee probation officer (PQiP)",
}
TIER_OPTIONS = [(f"{letter}{n}{s}", f"{letter}{n}{s}") for s in ("", "S") for letter in "ABCD" for n in (3, 2, 1, 0)]
# Each kind asks for its own value (a conditional reveal), so an RSR box never takes a tier or a code.
RECORDED_VALUES = {
    "rsr": RiskField("value_rsr", "RSR percentage", "text", hint="For example, 6.90", max_length=10,
                     missing="Enter the RSR percentage, like 6.90"),
    "tier": RiskField("value_tier", "Tier", "select", options=TIER_OPTIONS, missing="Select the tier"),
    "allocation": RiskField("value_allocation", "Allocation", "radios",
                            options=[(k, ALLOCATION_LABELS.get(k, k)) for k in risk_services.RECORDED_ALLOCATIONS],
                            missing="Select the allocation"),
}  # fmt: skip
RECORDED_FIELDS: tuple[FormField, ...] = (
    RiskField(
        "kind",
        "What are you recording?",
        "radios",
        options=[(k, RECORDED_KIND_LABELS.get(k, humanise(k))) for k in risk_services.RECORDED_KINDS],
        missing="Select what you are recording",
        conditional=tuple((k, RECORDED_VALUES[k]) for k in risk_services.RECORDED_KINDS if k in RECORDED_VALUES),
    ),
    RiskField(
        "source",
        "Where did it come from?",
        "text",
        hint="For example, nDelius import or practitioner",
        missing="Enter where the value came from, like nDelius import or practitioner",
        max_length=100,
    ),
    RiskField("effective_date", "Date it took effect", "date", missing="Enter the date it took effect"),
    RiskField("notes", "Notes", "textarea", required=False),
)


def value_errors_to_box(values: Mapping[str, Any], errors: Sequence[FieldError]) -> list[FieldError]:
    """The service's errors about ``value``, put against the box the page asked for that kind."""
    field = RECORDED_VALUES.get(values.get("kind", ""))
    if field is None:
        return list(errors)
    return [FieldError((field.name,), e.message) if e.path == ("value",) else e for e in errors]


def recorded_value(values: Mapping[str, Any]) -> str:
    """The value typed or chosen for the kind being recorded."""
    field = RECORDED_VALUES.get(values.get("kind", ""))
    return str(values.get(field.name, "")) if field is not None else ""


# ---- OASys assessments ----

LAYER_LABELS = {"layer1": "Layer 1", "layer3": "Layer 3", "standalone": "Standalone"}
KIND_LABELS = {"oasys": "OASys", "san": "SAN (Strengths and Needs)"}
# Where each answer sits in the assessment (presentation only; an answer not listed goes under "Other answers").
ANSWER_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Offence analysis", ("weapon_used", "domestic_violence_perpetrator", "does_not_recognise_impact")),
    ("Accommodation", ("accommodation_suitability", "no_fixed_abode")),
    ("Education, training and employment", ("unemployed",)),
    ("Relationships", ("partner_relationship", "parental_responsibilities")),
    ("Lifestyle and associates", ("activities_encourage_offending",)),
    ("Drug misuse", ("drug_misuse", "motivation_to_tackle_drug_misuse")),
    ("Alcohol misuse", ("current_alcohol_use", "binge_drinking")),
    ("Emotional well-being", ("current_psychiatric_treatment",)),
    (
        "Thinking and behaviour",
        ("impulsivity", "temper_control", "problem_solving", "awareness_of_consequences", "understands_others"),
    ),
    ("Attitudes", ("pro_criminal_attitudes",)),
)
ANSWER_LABELS = {
    "weapon_used": "Weapon used in the current offence",
    "domestic_violence_perpetrator": "Perpetrator of domestic violence",
    "does_not_recognise_impact": "Does not recognise the impact of their offending",
    "no_fixed_abode": "No fixed abode",
    "current_psychiatric_treatment": "Current psychiatric treatment",
    "pro_criminal_attitudes": "Pro-criminal attitudes",
    "understands_others": "Understands other people's views",
    "previous_wounding_gbh": "Wounding or GBH",
}


def _answer_field(name: str) -> FormField:
    label = ANSWER_LABELS.get(name) or humanise(
        name.removeprefix("previous_") if name.startswith("previous_") else name
    )
    yes_no = cr.OASYS_ANSWERS[name] == cr.YES_NO
    return RiskField(
        f"answers.{name}",
        label,
        "radios",
        required=False,
        options=YES_NO_OPTIONS if yes_no else ANSWER_OPTIONS,
        inline=True,
    )


def _answer_groups() -> list[Group]:
    names = list(cr.OASYS_ANSWERS)
    placed: set[str] = set()
    groups = []
    previous = [n for n in names if n.startswith("previous_")]
    if previous:
        groups.append(Group("Previous convictions", [_answer_field(n) for n in previous], hint="Ever convicted of"))
        placed.update(previous)
    for legend, members in ANSWER_SECTIONS:
        present = [n for n in members if n in cr.OASYS_ANSWERS and n not in placed]
        if present:
            groups.append(Group(legend, [_answer_field(n) for n in present]))
            placed.update(present)
    rest = [n for n in names if n not in placed]
    if rest:
        groups.append(Group("Other answers", [_answer_field(n) for n in rest]))
    return groups


ASSESSMENT_GROUPS: tuple[Group, ...] = (
    Group(
        "",
        [
            RiskField(
                "completed_date", "Date the assessment was completed", "date", missing="Enter the date it was completed"
            ),
            RiskField(
                "layer",
                "Layer",
                "radios",
                options=[(v, LAYER_LABELS.get(v, humanise(v))) for v in cr.ASSESSMENT_LAYERS],
                missing="Select the layer",
            ),
            RiskField(
                "status",
                "Status",
                "radios",
                options=[(v, humanise(v)) for v in cr.ASSESSMENT_STATUSES],
                missing="Select the status",
            ),
            RiskField(
                "kind",
                "Kind of assessment",
                "radios",
                options=[(v, KIND_LABELS.get(v, humanise(v))) for v in cr.ASSESSMENT_KINDS],
                missing="Select the kind of assessment",
            ),
        ],
    ),
    *_answer_groups(),
    Group(
        "Need section scores",
        [_number(f"section_scores.{s}", humanise(s)) for s in risk_services.NEED_SECTIONS],
        hint="The section's weighted score, from 0 to 99. Leave blank if the section was not scored.",
    ),
)
ASSESSMENT_INITIAL = {"kind": cr.ASSESSMENT_KINDS[0]}


# ---- Parsing and errors ----


def blank(groups: Sequence[Group], initial: Mapping[str, str] | None = None) -> ParsedForm:
    return work_forms.blank(all_fields(groups), initial)


def parse(groups: Sequence[Group], data: Mapping[str, str]) -> ParsedForm:
    """``work_forms.parse`` (which reads whole numbers), then yes/no and 0/1/2 answers turned into values."""
    form = work_forms.parse(all_fields(groups), data)
    for f in form.fields:
        if f.name in form.errors:
            if f.options in (YES_NO_OPTIONS, ANSWER_OPTIONS):
                form.errors[f.name] = ErrorItem(f.name, f.anchor, f"{f.label}: choose one of the answers shown")
            continue
        raw = form.values[f.name]  # whole numbers are parsed by work_forms ("number" fields)
        if f.kind == "radios" and f.options in (YES_NO_OPTIONS, ANSWER_OPTIONS):
            form.values[f.name] = {"": None, "yes": True, "no": False}.get(raw, int(raw) if raw.isdigit() else None)
    return form


def add_service_errors(form: ParsedForm, errors: Sequence[FieldError]) -> None:
    """Each service error against its field (``answers.impulsivity`` for a nested path), otherwise at the top."""
    names = {g.name: g for f in form.fields for g in f.with_children()}
    for n, error in enumerate(errors):
        name = error.dotted
        if name in names:
            form.errors.setdefault(name, ErrorItem(name, names[name].anchor, error.message))
        else:
            form.errors[f"general-{n}"] = ErrorItem("", "", error.message)


def nested(values: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """``{"impulsivity": 1}`` from ``{"answers.impulsivity": 1}``, leaving out the ones not answered."""
    start = prefix + "."
    return {k.removeprefix(start): v for k, v in values.items() if k.startswith(start) and v is not None}
