"""Reading registrations of a visible person, and the RoSH level they imply."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from openprobation.core.errors import NotFound
from openprobation.people.models import Person
from openprobation.risk.models import CriminalHistory, OasysAssessment, RecordedScore, Registration, RiskCalculation
from openprobation.rules import case_record as cr
from openprobation.rules.calculators import CalculationInputError
from openprobation.rules.registrations import rosh_level

logger = logging.getLogger(__name__)


def registration_list(*, person: Person, active_only: bool = False) -> QuerySet[Registration]:
    registrations = Registration.objects.filter(person=person)
    if active_only:
        registrations = registrations.filter(end_date__isnull=True)
    return registrations.order_by("-start_date", "-id")


def registration_get(*, person: Person, registration_id: int) -> Registration:
    registration = registration_list(person=person).filter(pk=registration_id).first()
    if registration is None:
        raise NotFound(f"No registration {registration_id} on case {person.crn}")
    return registration


def person_rosh(*, person: Person) -> str | None:
    codes = registration_list(person=person, active_only=True).values_list("code", flat=True)
    return rosh_level(codes)


# ---- Stored risk-tool calculations and recorded scores ----

TOOL_NAMES = {
    "rsr": "RSR (risk of serious recidivism)",
    "ogrs3": "OGRS3 (proven reoffending)",
    "ovp": "OVP (violent reoffending)",
    "ogp": "OGP (general reoffending)",
    "tier": "Tier",
}
HISTORY_LIMIT = 20


# Why a calculation's term-by-term explanation is or is not shown (it is never stored: decision 0005).
REPLAYED = "replayed"  # worked out again from the stored inputs, and it gives the stored result
NOT_CALCULATED = "not_calculated"  # nothing to explain: the reasons are shown instead
POLICY_CHANGED = "policy_changed"  # calculated under a policy that is no longer current: inputs and result only
MISMATCH = "mismatch"  # the replay does not give the stored result (or the inputs are now refused): not shown


@dataclass(frozen=True)
class Replay:
    status: str
    explanation: list[dict[str, Any]]
    notes: list[str]
    notice: str  # what the page says instead of (or above) the explanation; "" when it is simply shown


@dataclass(frozen=True)
class ToolScore:
    tool: str
    name: str
    current: RiskCalculation
    history: list[RiskCalculation]
    explanation: list[dict[str, Any]]
    notes: list[str]
    recorded: RecordedScore | None
    disagrees: bool
    explanation_status: str = REPLAYED
    explanation_notice: str = ""
    current_policy_version: str = ""

    @property
    def headline(self) -> str:
        return calculation_headline(self.current)

    @property
    def band_label(self) -> str:
        return self.current.band.replace("_", " ")

    @property
    def history_rows(self) -> list[tuple[RiskCalculation, str, str]]:
        return [(calc, calculation_headline(calc), calc.band.replace("_", " ")) for calc in self.history]

    @property
    def stored_inputs(self) -> list[tuple[str, str]]:
        """The current calculation's stored inputs as (field, value) lines, nested fields dotted."""
        return flatten_inputs(self.current.inputs)

    @property
    def stored_result(self) -> list[tuple[str, str]]:
        return flatten_inputs(self.current.result or {})


def flatten_inputs(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        lines: list[tuple[str, str]] = []
        for key in sorted(value):
            lines += flatten_inputs(value[key], f"{prefix}.{key}" if prefix else str(key))
        return lines
    if isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        lines = []
        for i, item in enumerate(value):
            lines += flatten_inputs(item, f"{prefix}.{i}")
        return lines
    if isinstance(value, list):
        return [(prefix, ", ".join(str(v) for v in value) or "none")]
    return [
        (prefix, "not recorded" if value is None else str(value).lower() if isinstance(value, bool) else str(value))
    ]


def calculation_headline(calc: RiskCalculation) -> str:
    if calc.status != "calculated" or calc.result is None:
        return "Not calculated"
    r = calc.result
    if calc.tool == "rsr":
        return f"{r['percent']:.2f}%"
    if calc.tool == "tier":
        return str(r["tier"])
    return f"{r['one_year_percent']}% (1 year), {r['two_year_percent']}% (2 years)"


def recorded_disagrees(calc: RiskCalculation | None, recorded: RecordedScore | None) -> bool:
    """A recorded RSR or tier that is not what the record's own calculation gives."""
    if calc is None or recorded is None or calc.status != "calculated" or calc.result is None:
        return False
    if calc.tool == "rsr":
        return Decimal(recorded.value) != Decimal(str(calc.result["percent"])).quantize(Decimal("0.01"))
    if calc.tool == "tier":
        return recorded.value != calc.result["tier"]
    return False


def replay(calc: RiskCalculation) -> Replay:
    """The explanation of a stored calculation, worked out again from its stored inputs (decision 0005).

    Shown only when the policy is still the one the calculation used and the replay gives the stored result: a
    calculation under an older policy shows its stored inputs and result with a notice naming that policy, and a
    replay that does not reproduce the stored result shows no explanation, with a notice, rather than explaining a
    different result."""
    if calc.status != "calculated" or calc.result is None:
        return Replay(NOT_CALCULATED, [], [], "")
    current = cr.tool_policy_version(calc.tool)
    if calc.policy_version != current:
        return Replay(
            POLICY_CHANGED,
            [],
            [],
            f"This result was calculated under policy {calc.policy_version}, which is no longer current (now "
            f"{current}). Its term-by-term explanation is for that policy and is not shown; the stored inputs and "
            "result are shown instead. The case is recalculated under the current policy when its record changes "
            "or the caseload is recalculated.",
        )
    try:
        output = cr.run_tool(calc.tool, calc.inputs)
    except CalculationInputError:
        output = None
    if output is None or cr.headline(calc.tool, output) != calc.result:
        logger.warning("Replaying %s calculation %s did not give the stored result", calc.tool, calc.pk)
        return Replay(
            MISMATCH,
            [],
            [],
            "The explanation cannot be shown: working the calculation out again from its stored inputs does not "
            "give the stored result. The stored inputs and result are shown instead; please report this.",
        )
    return Replay(REPLAYED, list(output.get("explanation", [])), list(output.get("notes", [])), "")


def risk_calculation_history(*, person: Person, tool: str) -> list[RiskCalculation]:
    return list(RiskCalculation.objects.filter(person=person, tool=tool).order_by("-id")[:HISTORY_LIMIT])


def recorded_scores_current(*, person: Person) -> dict[str, RecordedScore]:
    current: dict[str, RecordedScore] = {}
    for score in RecordedScore.objects.filter(person=person).order_by("-id"):
        current.setdefault(score.kind, score)
    return current


def risk_scores_for_case(*, person: Person) -> list[ToolScore]:
    """Each tool's newest stored calculation, its history, its explanation and any recorded value beside it."""
    recorded = recorded_scores_current(person=person)
    scores = []
    for tool in TOOL_NAMES:
        history = risk_calculation_history(person=person, tool=tool)
        if not history:
            continue
        replayed = replay(history[0])
        scores.append(
            ToolScore(
                tool=tool,
                name=TOOL_NAMES[tool],
                current=history[0],
                history=history,
                explanation=replayed.explanation,
                notes=replayed.notes,
                recorded=recorded.get(tool),
                disagrees=recorded_disagrees(history[0], recorded.get(tool)),
                explanation_status=replayed.status,
                explanation_notice=replayed.notice,
                current_policy_version=cr.tool_policy_version(tool),
            )
        )
    return scores


def criminal_history_get(*, person: Person) -> CriminalHistory | None:
    """The case's criminal history as recorded, or None when none has been recorded yet."""
    return CriminalHistory.objects.filter(person=person).first()


def oasys_assessment_list(*, person: Person) -> QuerySet[OasysAssessment]:
    return OasysAssessment.objects.filter(person=person).order_by("-completed_date", "-id")


def recorded_score_list(*, person: Person) -> QuerySet[RecordedScore]:
    return RecordedScore.objects.filter(person=person).order_by("-id")
