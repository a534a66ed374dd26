"""Reading registrations of a visible person, and the RoSH level they imply."""

from __future__ import annotations

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

    @property
    def headline(self) -> str:
        return calculation_headline(self.current)

    @property
    def band_label(self) -> str:
        return self.current.band.replace("_", " ")

    @property
    def history_rows(self) -> list[tuple[RiskCalculation, str, str]]:
        return [(calc, calculation_headline(calc), calc.band.replace("_", " ")) for calc in self.history]


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


def _replay(calc: RiskCalculation) -> tuple[list[dict[str, Any]], list[str]]:
    """The explanation, worked out again from the stored inputs when the policy is still the one it used."""
    if calc.status != "calculated" or calc.policy_version != cr.tool_policy_version(calc.tool):
        return [], []
    try:
        output = cr.run_tool(calc.tool, calc.inputs)
    except CalculationInputError:
        return [], []
    return list(output.get("explanation", [])), list(output.get("notes", []))


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
        explanation, notes = _replay(history[0])
        scores.append(
            ToolScore(
                tool=tool,
                name=TOOL_NAMES[tool],
                current=history[0],
                history=history,
                explanation=explanation,
                notes=notes,
                recorded=recorded.get(tool),
                disagrees=recorded_disagrees(history[0], recorded.get(tool)),
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
