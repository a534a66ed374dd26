"""A case's risk-tool inputs, recorded (imported) scores and stored calculations.

``/api/v1/people/{crn}/criminal-history`` (GET, PUT), ``/oasys-assessments`` (GET, POST), ``/recorded-scores``
(GET, POST) and ``/risk-scores`` (GET: each tool's newest calculation with its explanation and history). Every change
recalculates the case's scores in the same transaction (see docs/risk-tools.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from openprobation.api.schemas import In, Text
from openprobation.people import selectors as people_selectors
from openprobation.risk import selectors as risk_selectors
from openprobation.risk import services as risk_services

router = Router(tags=["risk"])

Count = Annotated[int, Field(strict=True)]
Flag = Annotated[bool, Field(strict=True)]


class CriminalHistoryIn(In):
    version: Annotated[int, Field(strict=True, ge=1)] | None = Field(
        None, description="The version you read; leave out when recording the history for the first time"
    )
    total_sanctions: Count | None = Field(None, description="Sanctions including the current one")
    age_at_first_sanction: Count | None = None
    violent_sanctions: Count | None = None
    contact_adult_sexual_sanctions: Count | None = None
    contact_child_sexual_sanctions: Count | None = None
    non_contact_sexual_sanctions: Count | None = None
    indecent_image_sanctions: Count | None = None
    stranger_victim: Flag | None = None
    last_sexual_sanction_date: dt.date | None = None
    most_recent_offence_date: dt.date | None = None
    most_recent_sexual_offence_date: dt.date | None = None
    recent_breach_or_recall: Flag | None = None


class CriminalHistoryOut(Schema):
    total_sanctions: int | None
    age_at_first_sanction: int | None
    violent_sanctions: int | None
    contact_adult_sexual_sanctions: int | None
    contact_child_sexual_sanctions: int | None
    non_contact_sexual_sanctions: int | None
    indecent_image_sanctions: int | None
    stranger_victim: bool | None
    last_sexual_sanction_date: dt.date | None
    most_recent_offence_date: dt.date | None
    most_recent_sexual_offence_date: dt.date | None
    recent_breach_or_recall: bool | None
    updated_at: dt.datetime
    version: int


class OasysAssessmentIn(In):
    completed_date: dt.date
    layer: Text = Field(description="layer1, layer3 or standalone")
    status: Text = Field(description="complete, locked_incomplete or in_progress")
    kind: Text = Field("oasys", description="oasys, or san (the Strengths and Needs assessment)")
    answers: dict[str, Any] = Field(default_factory=dict, description="The OASys answers the risk tools read")
    section_scores: dict[str, Any] = Field(default_factory=dict, description="Need section scores, by section")


class OasysAssessmentOut(Schema):
    id: int
    completed_date: dt.date
    layer: str
    status: str
    kind: str
    answers: dict[str, Any]
    section_scores: dict[str, Any]
    recorded_at: dt.datetime


class RecordedScoreIn(In):
    kind: Literal["rsr", "tier", "allocation"]
    value: Text = Field(description="An RSR %, a tier such as B2, or an allocation (nps, crc, po, pso, pqip)")
    source: Text = Field(description="Where the value came from, e.g. 'nDelius import' or 'practitioner'")
    effective_date: dt.date
    notes: Text = ""


class RecordedScoreOut(Schema):
    id: int
    kind: str
    value: str
    source: str
    effective_date: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    notes: str


class CalculationOut(Schema):
    status: str
    result: dict[str, Any] | None
    calculated_at: dt.datetime
    as_of: dt.date
    policy_version: str
    score: float | None
    band: str
    tier: str
    inputs: dict[str, Any]
    reasons: list[Any]


class RiskScoreOut(Schema):
    tool: str
    name: str
    headline: str
    current: CalculationOut
    explanation: list[dict[str, Any]] = Field(
        description="Term by term, worked out again from the stored inputs; empty unless explanation_status is replayed"
    )
    notes: list[str]
    explanation_status: str = Field(
        description="replayed (shown); not_calculated; policy_changed (calculated under a policy that is no longer "
        "current: see current.inputs and the notice); mismatch (the replay did not give the stored result: not shown)"
    )
    explanation_notice: str = Field(description="What to tell the reader when the explanation is not shown")
    current_policy_version: str
    recorded: RecordedScoreOut | None
    disagrees_with_recorded: bool
    history: list[CalculationOut]

    @staticmethod
    def resolve_disagrees_with_recorded(obj: Any) -> bool:
        return bool(obj.disagrees)


def _person(request: HttpRequest, crn: str) -> Any:
    return people_selectors.person_get(actor=request.user, crn=crn)


@router.get(
    "/people/{crn}/criminal-history",
    response={200: CriminalHistoryOut, 204: None},
    summary="The case's criminal history (204 when none is recorded)",
)
def criminal_history_get(request: HttpRequest, crn: str) -> Any:
    history = risk_selectors.criminal_history_get(person=_person(request, crn))
    return history if history is not None else Status(204, None)


@router.put(
    "/people/{crn}/criminal-history",
    response=CriminalHistoryOut,
    summary="Record or change the criminal history; the case's scores are recalculated",
)
def criminal_history_set(request: HttpRequest, crn: str, payload: CriminalHistoryIn) -> Any:
    values = payload.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    return risk_services.criminal_history_set(
        actor=request.user, person=_person(request, crn), values=values, version=version
    )


@router.get("/people/{crn}/oasys-assessments", response=list[OasysAssessmentOut], summary="OASys assessments")
def oasys_assessment_list(request: HttpRequest, crn: str) -> Any:
    return list(risk_selectors.oasys_assessment_list(person=_person(request, crn)))


@router.post(
    "/people/{crn}/oasys-assessments",
    response={201: OasysAssessmentOut},
    summary="Record an OASys assessment; the case's scores are recalculated",
)
def oasys_assessment_record(request: HttpRequest, crn: str, payload: OasysAssessmentIn) -> Status[Any]:
    assessment = risk_services.oasys_assessment_record(
        actor=request.user, person=_person(request, crn), **payload.model_dump()
    )
    return Status(201, assessment)


@router.get(
    "/people/{crn}/recorded-scores",
    response=list[RecordedScoreOut],
    summary="Recorded (practitioner-entered or imported) RSR, tier and allocation, newest first",
)
def recorded_score_list(request: HttpRequest, crn: str) -> Any:
    return list(risk_selectors.recorded_score_list(person=_person(request, crn)))


@router.post(
    "/people/{crn}/recorded-scores",
    response={201: RecordedScoreOut},
    summary="Record an RSR, tier or allocation from another system, kept beside the calculation",
)
def recorded_score_set(request: HttpRequest, crn: str, payload: RecordedScoreIn) -> Status[Any]:
    score = risk_services.recorded_score_set(actor=request.user, person=_person(request, crn), **payload.model_dump())
    return Status(201, score)


@router.get(
    "/people/{crn}/risk-scores",
    response=list[RiskScoreOut],
    summary="Each tool's newest stored calculation, with its explanation, history and recorded value",
)
def risk_scores(request: HttpRequest, crn: str) -> Any:
    return risk_selectors.risk_scores_for_case(person=_person(request, crn))
