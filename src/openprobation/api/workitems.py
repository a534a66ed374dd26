"""Work items, safeguarding enquiries, RoSH assessment sign-off and reporting changes in the API.

``/api/v1/people/{crn}/work-items``, ``/api/v1/work-items`` (team and practitioner queues, completing and
cancelling), ``/api/v1/people/{crn}/safeguarding-checks`` and their transitions (chase, response,
used-in-assessment, close), ``/api/v1/people/{crn}/rosh-assessments`` and ``/api/v1/people/{crn}/reporting-changes``.
Every item says why it exists (``reason``, ``rule_id``, ``policy_version``); ``overdue`` is worked out when read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from openprobation.api.schemas import In, StrictBool, Text
from openprobation.people import selectors as people_selectors
from openprobation.safeguarding import selectors as safeguarding_selectors
from openprobation.safeguarding import services as safeguarding_services
from openprobation.safeguarding.choices import Agency, AssessmentKind, CheckStatus
from openprobation.workitems import selectors as work_selectors
from openprobation.workitems import services as work_services
from openprobation.workitems.choices import ReportingFrequency, WorkItemKind, WorkItemStatus

router = Router(tags=["work items and safeguarding"])
MAX_PAGE = 1_000_000  # beyond any queue; a bigger page number would overflow the database offset


def _person(request: HttpRequest, crn: str) -> Any:
    return people_selectors.person_get(actor=request.user, crn=crn)


# Schemas ----------------------------------------------------------------------------------------


class WorkItemOut(Schema):
    id: int
    crn: str
    kind: str
    label: str
    status: str
    due_date: dt.date
    due_at: dt.datetime | None
    overdue: bool
    owner: str | None = Field(description="Staff code of who owes it now; null while nobody holds the case")
    owner_role: str
    team: str | None
    reason: str = Field(description="Why the item exists and how its due date was reached")
    rule_id: str
    policy_version: str
    closed_on: dt.date | None
    cancel_reason: str | None

    @staticmethod
    def resolve_crn(obj: Any) -> str:
        return str(obj.person.crn)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.code if obj.owner_id else None

    @staticmethod
    def resolve_team(obj: Any) -> str | None:
        return obj.team.code if obj.team_id else None

    @staticmethod
    def resolve_cancel_reason(obj: Any) -> str | None:
        return obj.cancel_reason or None


class WorkItemPage(Schema):
    items: list[WorkItemOut]
    count: int
    page: int
    page_size: int


class WorkItemFilters(Schema):
    team: str | None = Field(None, description="Team code")
    practitioner: str | None = Field(None, description="Staff code of the owner")
    overdue: bool | None = None
    kind: WorkItemKind | None = None
    status: WorkItemStatus = WorkItemStatus.OPEN
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=200)


class CompleteIn(In):
    completed_on: dt.date | None = Field(None, description="Default today")
    note: Text = ""


class CancelIn(In):
    reason: Text


class TeamOverdueOut(Schema):
    team: str
    team_name: str
    overdue: int
    open: int

    @staticmethod
    def resolve_team(obj: Any) -> str:
        return str(obj.team.code)

    @staticmethod
    def resolve_team_name(obj: Any) -> str:
        return str(obj.team.name)


class ChaseOut(Schema):
    chased_on: dt.date
    notes: str
    chased_by: str

    @staticmethod
    def resolve_chased_by(obj: Any) -> str:
        return str(obj.chased_by.code)


class SafeguardingCheckOut(Schema):
    id: int
    agency: str
    agency_name: str | None
    subject: str = Field(description="'person', or the relationship id of the partner or child concerned")
    subject_name: str | None
    status: str
    requested_on: dt.date
    due_by: dt.date
    escalated: bool = Field(description="Unanswered after its due date: escalated to the team's SPO")
    chases: list[ChaseOut]
    response_received_on: dt.date | None
    response_summary: str | None
    used_in_assessment: int | None
    closed_on: dt.date | None
    close_reason: str | None

    @staticmethod
    def resolve_agency_name(obj: Any) -> str | None:
        return obj.agency_name or None

    @staticmethod
    def resolve_subject(obj: Any) -> str:
        return str(obj.subject_id) if obj.subject_id else "person"

    @staticmethod
    def resolve_subject_name(obj: Any) -> str | None:
        return obj.subject.name if obj.subject_id else None

    @staticmethod
    def resolve_chases(obj: Any) -> list[Any]:
        return list(obj.chases.all())

    @staticmethod
    def resolve_response_summary(obj: Any) -> str | None:
        return obj.response_summary or None

    @staticmethod
    def resolve_used_in_assessment(obj: Any) -> int | None:
        return obj.used_in_id

    @staticmethod
    def resolve_close_reason(obj: Any) -> str | None:
        return obj.close_reason or None


class CheckIn(In):
    agency: Agency
    requested_on: dt.date
    subject_id: int | None = Field(None, description="Relationship id of the partner or child; omit for the person")
    due_by: dt.date | None = Field(None, description="When the reply is due; default the local reply protocol")
    agency_name: Text = ""
    notes: Text = ""


class ChaseIn(In):
    chased_on: dt.date
    notes: Text = ""


class ResponseIn(In):
    received_on: dt.date
    summary: Text


class UsedIn(In):
    assessment_id: int


class CloseIn(In):
    reason: Text


class AssessmentOut(Schema):
    id: int
    kind: str
    status: str
    indicates_risk: bool | None
    rosh_level: str
    risk_to: list[str]
    completed_on: dt.date | None
    completed_by: str | None
    exception_reason: str | None
    exception_by: str | None

    @staticmethod
    def resolve_completed_by(obj: Any) -> str | None:
        return obj.completed_by.code if obj.completed_by_id else None

    @staticmethod
    def resolve_exception_by(obj: Any) -> str | None:
        return obj.exception_by.code if obj.exception_by_id else None

    @staticmethod
    def resolve_exception_reason(obj: Any) -> str | None:
        return obj.exception_reason or None


class AssessmentIn(In):
    kind: AssessmentKind


class AssessmentCompleteIn(In):
    completed_on: dt.date | None = None
    indicates_risk: StrictBool | None = Field(None, description="Screenings: whether it indicates risk")
    rosh_level: Text = Field("", description="Full analyses and reviews: low, medium, high or very_high")
    risk_to: list[Text] = Field(
        default_factory=list,
        description="Full analyses and reviews: who is at risk (children, public, known_adult, staff, prisoners)",
    )
    exception_reason: Text = Field("", description="An SPO's reason to sign off with responses not yet used")


class ReportingChangeIn(In):
    frequency: ReportingFrequency
    reason: Text


class ReportingDecisionIn(In):
    approve: StrictBool
    reason: Text = ""


class ReportingChangeOut(Schema):
    id: int
    frequency: str
    previous_frequency: str | None
    status: str
    in_force_from: dt.date | None
    requested_by: str
    decided_by: str | None

    @staticmethod
    def resolve_previous_frequency(obj: Any) -> str | None:
        return obj.previous_frequency or None

    @staticmethod
    def resolve_requested_by(obj: Any) -> str:
        return str(obj.requested_by.code)

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.code if obj.decided_by_id else None


# Work items -------------------------------------------------------------------------------------


@router.get("/people/{crn}/work-items", response=list[WorkItemOut], summary="A case's work items, soonest first")
def person_work_items(request: HttpRequest, crn: str, include_closed: bool = False) -> Any:
    return list(work_selectors.work_items_for_person(person=_person(request, crn), include_closed=include_closed))


@router.get("/work-items", response=WorkItemPage, summary="Work items on the cases the caller may see")
def work_item_list(request: HttpRequest, filters: Query[WorkItemFilters]) -> dict[str, Any]:
    items = work_selectors.work_item_list(
        actor=request.user,
        team=filters.team,
        practitioner=filters.practitioner,
        overdue=filters.overdue,
        kind=filters.kind,
        status=filters.status,
    )
    start = (filters.page - 1) * filters.page_size
    return {
        "items": list(items[start : start + filters.page_size]),
        "count": items.count(),
        "page": filters.page,
        "page_size": filters.page_size,
    }


@router.get("/work-items/overdue-counts", response=list[TeamOverdueOut], summary="A PDU's open and overdue items")
def pdu_overdue_counts(request: HttpRequest, pdu: str) -> Any:
    return work_selectors.pdu_overdue_counts(actor=request.user, pdu_code=pdu)


@router.get("/work-items/{item_id}", response=WorkItemOut, summary="One work item")
def work_item_get(request: HttpRequest, item_id: int) -> Any:
    return work_selectors.work_item_get(actor=request.user, item_id=item_id)


@router.post("/work-items/{item_id}/complete", response=WorkItemOut, summary="Record that an item was done")
def work_item_complete(request: HttpRequest, item_id: int, payload: CompleteIn) -> Any:
    work_services.work_item_complete(actor=request.user, item_id=item_id, **payload.model_dump())
    return work_selectors.work_item_get(actor=request.user, item_id=item_id)


@router.post("/work-items/{item_id}/cancel", response=WorkItemOut, summary="Cancel an item, with the reason")
def work_item_cancel(request: HttpRequest, item_id: int, payload: CancelIn) -> Any:
    work_services.work_item_cancel(actor=request.user, item_id=item_id, reason=payload.reason)
    return work_selectors.work_item_get(actor=request.user, item_id=item_id)


# Safeguarding enquiries -------------------------------------------------------------------------


@router.get(
    "/people/{crn}/safeguarding-checks",
    response=list[SafeguardingCheckOut],
    summary="A case's safeguarding enquiries, open ones first",
)
def check_list(request: HttpRequest, crn: str, status: CheckStatus | None = None) -> Any:
    checks = safeguarding_selectors.safeguarding_checks_for_person(person=_person(request, crn))
    return list(checks.filter(status=status) if status else checks)


@router.post(
    "/people/{crn}/safeguarding-checks",
    response={201: SafeguardingCheckOut},
    summary="Record a safeguarding enquiry sent to another agency",
)
def check_request(request: HttpRequest, crn: str, payload: CheckIn) -> Status[Any]:
    person = _person(request, crn)
    check = safeguarding_services.safeguarding_check_request(actor=request.user, person=person, **payload.model_dump())
    return Status(201, safeguarding_selectors.safeguarding_check_get(person=person, check_id=check.pk))


@router.get("/people/{crn}/safeguarding-checks/{check_id}", response=SafeguardingCheckOut, summary="One enquiry")
def check_get(request: HttpRequest, crn: str, check_id: int) -> Any:
    return safeguarding_selectors.safeguarding_check_get(person=_person(request, crn), check_id=check_id)


@router.post(
    "/people/{crn}/safeguarding-checks/{check_id}/chase",
    response=SafeguardingCheckOut,
    summary="Record a chase of an unanswered enquiry",
)
def check_chase(request: HttpRequest, crn: str, check_id: int, payload: ChaseIn) -> Any:
    person = _person(request, crn)
    safeguarding_services.safeguarding_check_chase(
        actor=request.user, person=person, check_id=check_id, **payload.model_dump()
    )
    return safeguarding_selectors.safeguarding_check_get(person=person, check_id=check_id)


@router.post(
    "/people/{crn}/safeguarding-checks/{check_id}/response",
    response=SafeguardingCheckOut,
    summary="Record the agency's response",
)
def check_response(request: HttpRequest, crn: str, check_id: int, payload: ResponseIn) -> Any:
    person = _person(request, crn)
    safeguarding_services.safeguarding_check_record_response(
        actor=request.user, person=person, check_id=check_id, **payload.model_dump()
    )
    return safeguarding_selectors.safeguarding_check_get(person=person, check_id=check_id)


@router.post(
    "/people/{crn}/safeguarding-checks/{check_id}/used-in-assessment",
    response=SafeguardingCheckOut,
    summary="Link the response to the RoSH assessment that took it into account",
)
def check_used(request: HttpRequest, crn: str, check_id: int, payload: UsedIn) -> Any:
    person = _person(request, crn)
    safeguarding_services.safeguarding_check_mark_used(
        actor=request.user, person=person, check_id=check_id, assessment_id=payload.assessment_id
    )
    return safeguarding_selectors.safeguarding_check_get(person=person, check_id=check_id)


@router.post(
    "/people/{crn}/safeguarding-checks/{check_id}/close",
    response=SafeguardingCheckOut,
    summary="Close an enquiry that will not be used, with the reason",
)
def check_close(request: HttpRequest, crn: str, check_id: int, payload: CloseIn) -> Any:
    person = _person(request, crn)
    safeguarding_services.safeguarding_check_close(
        actor=request.user, person=person, check_id=check_id, reason=payload.reason
    )
    return safeguarding_selectors.safeguarding_check_get(person=person, check_id=check_id)


# RoSH assessments and reporting changes ---------------------------------------------------------


@router.get("/people/{crn}/rosh-assessments", response=list[AssessmentOut], summary="A case's RoSH assessments")
def assessment_list(request: HttpRequest, crn: str) -> Any:
    return list(safeguarding_selectors.rosh_assessments_for_person(person=_person(request, crn)))


@router.post("/people/{crn}/rosh-assessments", response={201: AssessmentOut}, summary="Start a RoSH assessment")
def assessment_start(request: HttpRequest, crn: str, payload: AssessmentIn) -> Status[Any]:
    assessment = safeguarding_services.rosh_assessment_start(
        actor=request.user, person=_person(request, crn), kind=payload.kind
    )
    return Status(201, assessment)


@router.post(
    "/people/{crn}/rosh-assessments/{assessment_id}/complete",
    response=AssessmentOut,
    summary="Sign off a RoSH assessment (refused while a safeguarding response is unused, unless an SPO "
    "records an exception)",
)
def assessment_complete(request: HttpRequest, crn: str, assessment_id: int, payload: AssessmentCompleteIn) -> Any:
    return safeguarding_services.rosh_assessment_complete(
        actor=request.user, person=_person(request, crn), assessment_id=assessment_id, **payload.model_dump()
    )


@router.post(
    "/people/{crn}/reporting-changes",
    response={201: ReportingChangeOut},
    summary="Change how often the person reports (a reduction waits for an SPO's countersignature)",
)
def reporting_change(request: HttpRequest, crn: str, payload: ReportingChangeIn) -> Status[Any]:
    change = work_services.reporting_frequency_request(
        actor=request.user, person=_person(request, crn), frequency=payload.frequency, reason=payload.reason
    )
    return Status(201, change)


@router.post(
    "/people/{crn}/reporting-changes/{change_id}/decision",
    response=ReportingChangeOut,
    summary="An SPO countersigns or refuses a reduction in reporting",
)
def reporting_decision(request: HttpRequest, crn: str, change_id: int, payload: ReportingDecisionIn) -> Any:
    return work_services.reporting_reduction_countersign(
        actor=request.user,
        person=_person(request, crn),
        change_id=change_id,
        approve=payload.approve,
        reason=payload.reason,
    )
