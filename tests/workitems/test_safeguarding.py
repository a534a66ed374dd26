"""Safeguarding enquiries: the full lifecycle, escalation when unanswered, and the RoSH sign-off rule.

Clock frozen at Tuesday 24 November 2026. The default reply protocol is 10 working days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.core.errors import NotFound, PermissionDenied, ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.people.services import relationship_add
from openprobation.risk.selectors import person_rosh
from openprobation.risk.services import registration_add
from openprobation.safeguarding import selectors
from openprobation.safeguarding.models import RoshAssessment, SafeguardingChase, SafeguardingCheck
from openprobation.safeguarding.services import (
    rosh_assessment_complete,
    rosh_assessment_start,
    safeguarding_check_chase,
    safeguarding_check_close,
    safeguarding_check_mark_used,
    safeguarding_check_record_response,
    safeguarding_check_request,
)
from openprobation.workitems.models import WorkItem
from tests.factories import make_person

pytestmark = pytest.mark.django_db

# What a full analysis or review records when it is completed (a screening records only whether risk is indicated).
RATED = {"rosh_level": "medium", "risk_to": ["public"]}


def rating(assessment) -> dict:
    return {} if assessment.kind == "screening" else RATED

D = dt.date


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [e.dotted for e in exc.value.errors]


def snapshot(check: SafeguardingCheck) -> tuple:
    check.refresh_from_db()
    return (
        check.status,
        check.response_received_on,
        check.response_summary,
        check.used_in_id,
        check.close_reason,
        check.chases.count(),
    )


def test_enquiry_lifecycle_blocked_sign_off_then_used_in_the_assessment(org, frozen_clock):
    person = make_person(org)
    assert WorkItem.objects.filter(person=person, kind="police_da_check", status="open").exists()

    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 11, 10)
    )
    assert (check.status, check.due_by) == ("awaiting_response", D(2026, 11, 24))  # 10 working days
    item = WorkItem.objects.get(person=person, kind="police_da_check")
    assert (item.status, item.closed_on) == ("done", D(2026, 11, 10))  # requesting it completes the work item

    safeguarding_check_chase(
        actor=org.po.user, person=person, check_id=check.pk, chased_on=D(2026, 11, 17), notes="Phoned the DA unit"
    )
    safeguarding_check_chase(actor=org.po.user, person=person, check_id=check.pk, chased_on=D(2026, 11, 20))
    assert list(SafeguardingChase.objects.filter(enquiry=check).values_list("chased_on", flat=True)) == [
        D(2026, 11, 17),
        D(2026, 11, 20),
    ]

    safeguarding_check_record_response(
        actor=org.po.user,
        person=person,
        check_id=check.pk,
        received_on=D(2026, 11, 23),
        summary="Two call-outs in 2025",
    )
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="full_analysis")

    with pytest.raises(ValidationFailed) as exc:
        rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=assessment.pk, **rating(assessment))
    assert fields(exc) == ["safeguarding_checks"]
    assert "Police (domestic abuse call-outs) (received 23 November 2026)" in exc.value.errors[0].message
    assessment.refresh_from_db()
    assert assessment.status == "draft"

    safeguarding_check_mark_used(actor=org.po.user, person=person, check_id=check.pk, assessment_id=assessment.pk)
    done = rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=assessment.pk, **rating(assessment))
    assert (done.status, done.completed_by, done.exception_reason) == ("complete", org.po, "")
    check.refresh_from_db()
    assert (check.status, check.used_in) == ("used_in_assessment", assessment)
    actions = list(
        AuditEvent.objects.filter(crn=person.crn, entity="safeguarding_check")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "safeguarding_check.requested",
        "safeguarding_check.chased",
        "safeguarding_check.chased",
        "safeguarding_check.response_recorded",
        "safeguarding_check.used_in_assessment",
    ]


def test_only_an_spo_can_record_an_exception_to_sign_off_with_an_unused_response(org, frozen_clock):
    person = make_person(org)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="childrens_services", requested_on=D(2026, 11, 2)
    )
    safeguarding_check_record_response(
        actor=org.po.user,
        person=person,
        check_id=check.pk,
        received_on=D(2026, 11, 20),
        summary="Known to CSC; case closed 2024",
    )
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="screening")

    with pytest.raises(PermissionDenied):
        rosh_assessment_complete(
            actor=org.po.user,
            person=person,
            assessment_id=assessment.pk,
            indicates_risk=False,
            exception_reason="Urgent: court tomorrow",
        )
    assessment.refresh_from_db()
    assert (assessment.status, assessment.exception_reason) == ("draft", "")

    done = rosh_assessment_complete(
        actor=org.spo.user,
        person=person,
        assessment_id=assessment.pk,
        indicates_risk=False,
        exception_reason="Report due at court today; review Friday",
    )
    assert (done.status, done.exception_by, done.exception_reason) == (
        "complete",
        org.spo,
        "Report due at court today; review Friday",
    )
    audit = AuditEvent.objects.get(crn=person.crn, action="rosh_assessment.completed")
    assert audit.after["unused_checks"] == [check.pk] and audit.reason.startswith("Report due")


def test_an_exception_when_none_is_needed_is_refused(org, frozen_clock):
    person = make_person(org)
    assessment = rosh_assessment_start(actor=org.spo.user, person=person, kind="review")
    with pytest.raises(ValidationFailed) as exc:
        rosh_assessment_complete(
            actor=org.spo.user, person=person, assessment_id=assessment.pk, exception_reason="Just in case",
            **rating(assessment),
        )
    assert fields(exc) == ["exception_reason"]


def test_an_unanswered_enquiry_is_escalated_to_the_spo_the_day_after_it_was_due(org, frozen_clock):
    person = make_person(org)
    late = safeguarding_check_request(
        actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 11, 2), due_by=D(2026, 11, 23)
    )
    due_today = safeguarding_check_request(
        actor=org.po.user,
        person=person,
        agency="childrens_services",
        requested_on=D(2026, 11, 2),
        due_by=D(2026, 11, 24),
    )
    answered_late = safeguarding_check_request(
        actor=org.po.user,
        person=person,
        agency="other",
        agency_name="Youth offending team",
        requested_on=D(2026, 11, 2),
        due_by=D(2026, 11, 9),
    )
    safeguarding_check_record_response(
        actor=org.po.user,
        person=person,
        check_id=answered_late.pk,
        received_on=D(2026, 11, 20),
        summary="Nothing known",
    )
    escalated = {c.pk: c.escalated for c in selectors.safeguarding_checks_for_person(person=person)}
    assert escalated == {late.pk: True, due_today.pk: False, answered_late.pk: False}
    outstanding = selectors.team_checks_outstanding(actor=org.spo.user, team=org.team_a)
    assert [(o.check.pk, o.age_days, o.escalated_to) for o in outstanding] == [
        (late.pk, 22, org.spo),
        (due_today.pk, 22, None),
        (answered_late.pk, 22, None),
    ]
    assert selectors.team_checks_outstanding(actor=org.po_b.user, team=org.team_a) == []


BAD_INPUT = [
    (
        "response_before_request",
        "received_on",
        lambda org, p, c: safeguarding_check_record_response(
            actor=org.po.user, person=p, check_id=c.pk, received_on=D(2026, 11, 9), summary="Early"
        ),
    ),
    (
        "response_in_the_future",
        "received_on",
        lambda org, p, c: safeguarding_check_record_response(
            actor=org.po.user, person=p, check_id=c.pk, received_on=D(2026, 11, 25), summary="Tomorrow"
        ),
    ),
    (
        "response_without_summary",
        "summary",
        lambda org, p, c: safeguarding_check_record_response(
            actor=org.po.user, person=p, check_id=c.pk, received_on=D(2026, 11, 20), summary="  "
        ),
    ),
    (
        "chase_before_request",
        "chased_on",
        lambda org, p, c: safeguarding_check_chase(
            actor=org.po.user, person=p, check_id=c.pk, chased_on=D(2026, 11, 1)
        ),
    ),
    (
        "close_without_reason",
        "reason",
        lambda org, p, c: safeguarding_check_close(actor=org.po.user, person=p, check_id=c.pk, reason=""),
    ),
    (
        "used_before_any_response",
        "status",
        lambda org, p, c: safeguarding_check_mark_used(
            actor=org.po.user,
            person=p,
            check_id=c.pk,
            assessment_id=rosh_assessment_start(actor=org.po.user, person=p, kind="review").pk,
        ),
    ),
]


@pytest.mark.parametrize(("expected", "attempt"), [b[1:] for b in BAD_INPUT], ids=[b[0] for b in BAD_INPUT])
def test_bad_enquiry_input_is_refused_and_changes_nothing(org, frozen_clock, expected, attempt):
    person = make_person(org)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 11, 10)
    )
    before = snapshot(check)
    with pytest.raises(ValidationFailed) as exc:
        attempt(org, person, check)
    assert fields(exc) == [expected]
    assert snapshot(check) == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"agency": "police", "requested_on": D(2026, 11, 10)}, "agency"),
        ({"agency": "other", "requested_on": D(2026, 11, 10)}, "agency_name"),
        ({"agency": "police_da", "requested_on": D(2026, 11, 25)}, "requested_on"),
        ({"agency": "police_da", "requested_on": D(2026, 11, 10), "due_by": D(2026, 11, 9)}, "due_by"),
        ({"agency": "police_da", "requested_on": D(2026, 11, 10), "subject_id": 999999}, "subject_id"),
        ({"agency": "police_da", "requested_on": D(1899, 12, 31)}, "requested_on"),
        ({"agency": "police_da", "requested_on": D(1, 1, 1), "due_by": D(1, 1, 5)}, "requested_on"),
        ({"agency": "police_da", "requested_on": D(2026, 11, 10), "due_by": D(2027, 11, 11)}, "due_by"),
        ({"agency": "police_da", "requested_on": D(2026, 11, 10), "due_by": D(9999, 12, 31)}, "due_by"),
    ],
    ids=[
        "unknown_agency",
        "other_agency_unnamed",
        "request_in_future",
        "due_before_request",
        "subject_not_on_case",
        "request_before_1900",
        "request_in_year_1",
        "due_366_days_after_request",
        "due_in_9999",
    ],
)
def test_bad_request_is_refused_and_nothing_is_saved(org, frozen_clock, kwargs, field):
    person = make_person(org)
    with pytest.raises(ValidationFailed) as exc:
        safeguarding_check_request(actor=org.po.user, person=person, **kwargs)
    assert fields(exc) == [field]
    assert not SafeguardingCheck.objects.filter(person=person).exists()
    assert WorkItem.objects.filter(person=person, kind="police_da_check", status="open").exists()


# Request-date bounds: on or after 1 January 1900 and not in the future (today is 24 November 2026); the reply due
# date from the request day to 365 days after it. Below, at and above each bound.
REQUEST_DATE_BOUNDS = [
    ("requested_on.day_before_1900", {"requested_on": D(1899, 12, 31), "due_by": D(1900, 1, 5)}, "requested_on"),
    ("requested_on.first_day_of_1900", {"requested_on": D(1900, 1, 1), "due_by": D(1900, 1, 5)}, None),
    ("requested_on.yesterday", {"requested_on": D(2026, 11, 23)}, None),
    ("requested_on.today", {"requested_on": D(2026, 11, 24)}, None),
    ("requested_on.tomorrow", {"requested_on": D(2026, 11, 25)}, "requested_on"),
    ("due_by.day_before_request", {"requested_on": D(2026, 11, 10), "due_by": D(2026, 11, 9)}, "due_by"),
    ("due_by.day_of_request", {"requested_on": D(2026, 11, 10), "due_by": D(2026, 11, 10)}, None),
    ("due_by.365_days_after_request", {"requested_on": D(2026, 11, 10), "due_by": D(2027, 11, 10)}, None),
    ("due_by.366_days_after_request", {"requested_on": D(2026, 11, 10), "due_by": D(2027, 11, 11)}, "due_by"),
]


@pytest.mark.parametrize(
    ("kwargs", "field"), [b[1:] for b in REQUEST_DATE_BOUNDS], ids=[b[0] for b in REQUEST_DATE_BOUNDS]
)
def test_enquiry_request_dates_are_bounded(org, frozen_clock, kwargs, field):
    person = make_person(org)
    audit_count = AuditEvent.objects.count()
    if field is None:
        check = safeguarding_check_request(actor=org.po.user, person=person, agency="police_da", **kwargs)
        assert check.requested_on == kwargs["requested_on"]
        return
    with pytest.raises(ValidationFailed) as exc:
        safeguarding_check_request(actor=org.po.user, person=person, agency="police_da", **kwargs)
    assert fields(exc) == [field]
    assert not SafeguardingCheck.objects.filter(person=person).exists()
    assert AuditEvent.objects.count() == audit_count


def _answered(org, person, agency: str = "police_da") -> SafeguardingCheck:
    check = safeguarding_check_request(actor=org.po.user, person=person, agency=agency, requested_on=D(2026, 11, 10))
    return safeguarding_check_record_response(
        actor=org.po.user, person=person, check_id=check.pk, received_on=D(2026, 11, 20), summary="Two call-outs"
    )


def _completed_assessment(org, person, kind: str) -> RoshAssessment:
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind=kind)
    return rosh_assessment_complete(
        actor=org.po.user,
        person=person,
        assessment_id=assessment.pk,
        indicates_risk=False if kind == "screening" else None,
        **rating(assessment),
    )


@pytest.mark.parametrize("kind", ["screening", "full_analysis", "review"])
def test_a_response_cannot_be_marked_used_in_a_completed_assessment(org, frozen_clock, kind):
    """The sign-off guard: a completed assessment was signed off without the response, so linking it afterwards
    would make the record say it was used when it was not."""
    person = make_person(org)
    completed = _completed_assessment(org, person, kind)  # completed before any response arrived
    check = _answered(org, person)
    before, audit_count = snapshot(check), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        safeguarding_check_mark_used(actor=org.spo.user, person=person, check_id=check.pk, assessment_id=completed.pk)
    assert fields(exc) == ["assessment_id"]
    assert "was completed on 24 November 2026" in exc.value.errors[0].message
    assert "not yet complete" in exc.value.errors[0].message
    assert snapshot(check) == before and AuditEvent.objects.count() == audit_count

    draft = rosh_assessment_start(actor=org.po.user, person=person, kind=kind)
    used = safeguarding_check_mark_used(actor=org.po.user, person=person, check_id=check.pk, assessment_id=draft.pk)
    assert (used.status, used.used_in_id) == ("used_in_assessment", draft.pk)


# Closing an enquiry: a reason always; an SPO when its response was received but not used (that is the SPO's
# exception under another name). (status, who closes, expected: None = closed, else the error)
CLOSE_CASES = [
    ("awaiting_response.practitioner_may_close", "awaiting", "po", None),
    ("awaiting_response.spo_may_close", "awaiting", "spo", None),
    ("response_not_used.practitioner_refused", "answered", "po", PermissionDenied),
    ("response_not_used.head_of_service_refused", "answered", "hos", PermissionDenied),
    ("response_not_used.spo_may_close", "answered", "spo", None),
]


@pytest.mark.parametrize(("state", "who", "error"), [c[1:] for c in CLOSE_CASES], ids=[c[0] for c in CLOSE_CASES])
def test_closing_an_unused_response_needs_an_spo(org, frozen_clock, state, who, error):
    person = make_person(org)
    if state == "answered":
        check = _answered(org, person)
    else:
        check = safeguarding_check_request(
            actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 11, 10)
        )
    actor = getattr(org, who).user
    before, audit_count = snapshot(check), AuditEvent.objects.count()
    if error is not None:
        with pytest.raises(error, match="Only a senior probation officer"):
            safeguarding_check_close(actor=actor, person=person, check_id=check.pk, reason="Not relevant")
        assert snapshot(check) == before and AuditEvent.objects.count() == audit_count
        return
    closed = safeguarding_check_close(actor=actor, person=person, check_id=check.pk, reason="Not relevant")
    assert (closed.status, closed.close_reason) == ("closed", "Not relevant")
    assert AuditEvent.objects.filter(crn=person.crn, action="safeguarding_check.closed").count() == 1


def test_a_response_cannot_be_recorded_twice_and_a_used_enquiry_cannot_be_closed(org, frozen_clock):
    person = make_person(org)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 11, 10)
    )
    safeguarding_check_record_response(
        actor=org.po.user, person=person, check_id=check.pk, received_on=D(2026, 11, 20), summary="Nothing known"
    )
    with pytest.raises(ValidationFailed) as exc:
        safeguarding_check_record_response(
            actor=org.po.user, person=person, check_id=check.pk, received_on=D(2026, 11, 21), summary="Again"
        )
    assert fields(exc) == ["status"]
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="review")
    safeguarding_check_mark_used(actor=org.po.user, person=person, check_id=check.pk, assessment_id=assessment.pk)
    with pytest.raises(ValidationFailed):
        safeguarding_check_close(actor=org.po.user, person=person, check_id=check.pk, reason="Not needed")
    check.refresh_from_db()
    assert (check.status, check.response_received_on) == ("used_in_assessment", D(2026, 11, 20))


def test_closing_an_unused_response_with_a_reason_unblocks_sign_off(org, frozen_clock):
    person = make_person(org)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="childrens_services", requested_on=D(2026, 11, 10)
    )
    safeguarding_check_record_response(
        actor=org.po.user,
        person=person,
        check_id=check.pk,
        received_on=D(2026, 11, 20),
        summary="Wrong family: different address",
    )
    safeguarding_check_close(
        actor=org.spo.user,  # a response received but not used: only an SPO may close it
        person=person,
        check_id=check.pk,
        reason="Response was about a different family; re-requested",
    )
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="review")
    done = rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=assessment.pk, **rating(assessment))
    assert done.status == "complete"


def test_a_check_on_a_new_partner_completes_that_partners_item(org, frozen_clock):
    person = make_person(org)
    partner = relationship_add(
        actor=org.po.user,
        person=person,
        relationship="partner",
        first_name="Jo",
        last_name="Bell",
        start_date=D(2026, 10, 1),
        lives_in_household=True,
    )
    partner_item = WorkItem.objects.get(person=person, kind="police_da_check", relationship=partner)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 11, 24), subject_id=partner.pk
    )
    assert check.subject == partner
    partner_item.refresh_from_db()
    assert partner_item.status == "done"
    # the sentence-time check on the person themself is a separate item and stays open
    assert WorkItem.objects.get(person=person, kind="police_da_check", relationship=None).status == "open"


def test_enquiries_on_a_case_the_actor_cannot_see_are_not_reachable(org, frozen_clock):
    person = make_person(org)
    check = safeguarding_check_request(
        actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 11, 10)
    )
    other = make_person(org, practitioner=org.po_b)
    with pytest.raises(NotFound):
        safeguarding_check_chase(actor=org.po_b.user, person=other, check_id=check.pk, chased_on=D(2026, 11, 20))
    assert RoshAssessment.objects.count() == 0


def _enquiry_in(org, person, state: str) -> SafeguardingCheck:
    if state == "awaiting":
        return safeguarding_check_request(
            actor=org.po.user, person=person, agency="police_da", requested_on=D(2026, 11, 10)
        )
    check = _answered(org, person)
    if state == "used":
        assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="full_analysis")
        return safeguarding_check_mark_used(
            actor=org.po.user, person=person, check_id=check.pk, assessment_id=assessment.pk
        )
    if state == "closed":
        return safeguarding_check_close(actor=org.spo.user, person=person, check_id=check.pk, reason="Not relevant")
    return check


@pytest.mark.parametrize("who", ["po", "spo", "hos", "qa", "admin"])
@pytest.mark.parametrize("state", ["awaiting", "answered", "used", "closed"])
def test_close_is_offered_exactly_when_the_service_would_close(org, frozen_clock, state, who):
    from openprobation.core.errors import DomainError
    from openprobation.safeguarding.services import safeguarding_check_closable

    person = make_person(org)
    check = _enquiry_in(org, person, state)
    assert check.status == {
        "awaiting": "awaiting_response", "answered": "response_received", "used": "used_in_assessment",
        "closed": "closed",
    }[state]  # fmt: skip
    actor = getattr(org, who).user
    offered = safeguarding_check_closable(actor=actor, status=check.status)
    try:
        safeguarding_check_close(actor=actor, person=person, check_id=check.pk, reason="Not needed")
        closed = True
    except DomainError:
        closed = False
    assert offered is closed


# --- what a RoSH assessment records, and the registration that follows it ---------------------------------------


def test_an_assessment_cannot_be_completed_before_the_day_it_was_started(org, frozen_clock):
    person = make_person(org)
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="screening")  # started 24 Nov 2026
    with pytest.raises(ValidationFailed) as exc:
        rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=assessment.pk,
                                 completed_on=D(2026, 11, 23), indicates_risk=False)  # fmt: skip
    assert fields(exc) == ["completed_on"] and "24 November 2026" in exc.value.errors[0].message
    done = rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=assessment.pk,
                                    completed_on=D(2026, 11, 24), indicates_risk=False)  # fmt: skip
    assert done.completed_on == D(2026, 11, 24)  # the same day is fine


@pytest.mark.parametrize(
    ("kind", "given", "problems"),
    [
        ("full_analysis", {}, ["rosh_level", "risk_to"]),
        ("review", {"rosh_level": "high"}, ["risk_to"]),
        ("review", {"rosh_level": "extreme", "risk_to": ["public"]}, ["rosh_level"]),
        ("review", {"rosh_level": "high", "risk_to": ["public", "aliens"]}, ["risk_to"]),
        ("screening", {"indicates_risk": True, "rosh_level": "high"}, ["rosh_level"]),
    ],
    ids=["analysis_records_nothing", "review_without_who", "unknown_level", "unknown_group", "screening_with_level"],
)
def test_a_full_analysis_or_review_records_the_level_and_who_is_at_risk(org, frozen_clock, kind, given, problems):
    person = make_person(org)
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind=kind)
    with pytest.raises(ValidationFailed) as exc:
        rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=assessment.pk, **given)
    assert fields(exc) == problems
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def _rosh_codes(person) -> list[tuple[str, object]]:
    return [(r.code, r.end_date) for r in person.registrations.filter(code__in=["RLRH", "RMRH", "RHRH", "RVHR"])
            .order_by("start_date", "id")]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "level", "after"),
    [
        (None, "high", [("RHRH", None)]),
        ("RHRH", "high", [("RHRH", None)]),  # the same level: unchanged
        ("RHRH", "very_high", [("RHRH", D(2026, 11, 24)), ("RVHR", None)]),
        ("RHRH", "medium", [("RHRH", D(2026, 11, 24)), ("RMRH", None)]),
    ],
    ids=["none_yet_added", "same_level_unchanged", "raised", "lowered"],
)
def test_the_rosh_registration_follows_the_assessment(org, frozen_clock, before, level, after):
    person = make_person(org)
    if before:
        registration_add(actor=org.po.user, person=person, code=before, start_date=D(2026, 6, 1))
    assessment = rosh_assessment_start(actor=org.po.user, person=person, kind="review")
    done = rosh_assessment_complete(actor=org.po.user, person=person, assessment_id=assessment.pk, rosh_level=level,
                                    risk_to=["staff", "children"])  # fmt: skip
    assert (done.rosh_level, done.risk_to) == (level, ["children", "staff"])  # in the listed order
    assert _rosh_codes(person) == after
    person.refresh_from_db()
    assert person_rosh(person=person) == level
