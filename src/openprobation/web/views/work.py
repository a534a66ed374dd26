"""What's due (a practitioner's queue), a team's work queue for its SPO, and the forms that complete or cancel a work
item, move a safeguarding enquiry along (request, chase, response, used in an assessment, close), and start and
complete a RoSH assessment (with an SPO's exception when a response has not been used)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openprobation.contacts import selectors as contact_selectors
from openprobation.contacts.choices import FAILURE_OUTCOMES
from openprobation.core import clock
from openprobation.organisation import selectors as organisation_selectors
from openprobation.organisation.choices import Role
from openprobation.people import selectors as people_selectors
from openprobation.people.access import TEAM_VIEWERS, can_write, require_role, staff_for
from openprobation.risk import selectors as risk_selectors
from openprobation.safeguarding import selectors as safeguarding_selectors
from openprobation.safeguarding import services as safeguarding_services
from openprobation.safeguarding.choices import (
    RATED_KINDS,
    Agency,
    AssessmentKind,
    AssessmentStatus,
    RiskGroup,
    RoshLevel,
)
from openprobation.warningsigns import selectors as signal_selectors
from openprobation.warningsigns import services as signal_services
from openprobation.warningsigns.choices import DispositionOutcome
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page
from openprobation.web.templatetags.web_format import uk_date
from openprobation.web.work_forms import FormField
from openprobation.workitems import selectors as work_selectors
from openprobation.workitems import services as work_services
from openprobation.workload import selectors as workload_selectors
from openprobation.workload import services as workload_services


@staff_page
def whats_due(request: HttpRequest) -> HttpResponse:
    due = work_selectors.work_items_for_practitioner(actor=request.user)
    # An SPO also sees the team's unanswered enquiries escalated to them (worked out now, no job needed).
    escalated = safeguarding_selectors.checks_escalated_to(actor=request.user)
    notices = list(workload_selectors.notices_for(actor=request.user))
    return render(request, "web/whats_due.html", {"due": due, "escalated": escalated, "nav": "whats_due",
                                                  "notices": notices})  # fmt: skip


@staff_page
def notice_dismiss(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Mark one of one's notices read (POST; the button on "What's due")."""
    if request.method != "POST":
        raise Http404("Use the button on What's due")
    workload_services.notice_dismiss(actor=request.user, notice_id=notice_id)
    return redirect("web:whats-due")


QUEUE_COUNT_LABELS = {"overdue": "Overdue", "due_soon": "Due soon", "open": "Open", "escalated": "Escalated"}


@staff_page
def team_queue(request: HttpRequest, code: str) -> HttpResponse:
    """The team's counts per member of staff; each count links to its items (``?owner=<staff code>&count=overdue``,
    ``owner=none`` for items nobody in the team holds), each item one click from the case and its action."""
    require_role(request.user, *TEAM_VIEWERS)
    team = organisation_selectors.team_get_for_actor(actor=request.user, code=code)
    queue = work_selectors.team_queue(actor=request.user, team=team)
    owner_code, count = request.GET.get("owner", ""), request.GET.get("count", "")
    drill_down = None
    if owner_code and count:
        if count not in QUEUE_COUNT_LABELS:
            raise Http404("No such count")
        if owner_code == work_selectors.NOBODY:
            whose = "Nobody yet (unallocated cases)"
        else:
            staff = next((r.staff for r in queue.rows if r.staff is not None and r.staff.code == owner_code), None)
            if staff is None:
                raise Http404("No such member of the team")
            whose = staff.name
        drill_down = {
            "title": f"{QUEUE_COUNT_LABELS[count]}: {whose}",
            "items": work_selectors.team_queue_items(actor=request.user, team=team, owner_code=owner_code, count=count),
        }
    return render(
        request,
        "web/team_queue.html",
        {
            "team": team,
            "queue": queue,
            "drill_down": drill_down,
            "can_write": can_write(request.user),
            "checks": safeguarding_selectors.team_checks_outstanding(actor=request.user, team=team),
            "nav": "team",
        },
    )


AGENCY_NAME_LIMIT = 200  # as the enquiry stores it

RETURN_TO: dict[str, Callable[[Any], str]] = {
    "whats-due": lambda item: reverse("web:whats-due"),
    "queue": lambda item: reverse("web:team-queue", args=[item.person.team.code]) if item.person.team else "/",
}

WORK_ITEM_FORMS = {
    "complete": [
        FormField(
            "completed_on",
            "Date it was done",
            "date",
            hint="Leave blank for today. For example, 27 3 2026",
            required=False,
        ),
        FormField("note", "Note", "textarea", required=False),
    ],
    "cancel": [
        FormField(
            "reason", "Why is this no longer needed?", "textarea", missing="Enter why this item is no longer needed"
        ),
    ],
}


@staff_page
def work_item_action(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    if action not in WORK_ITEM_FORMS:
        raise Http404("No such action")
    item = work_selectors.work_item_get(actor=request.user, item_id=item_id)
    # Back where the user came from: What's due or the team's queue when they started there, else the case.
    done_url = RETURN_TO.get(request.GET.get("from", ""), lambda _: case_url(item.person.crn, "work-due"))(item)

    def save(values: dict[str, Any]) -> str:
        if action == "complete":
            work_services.work_item_complete(
                actor=request.user, item_id=item.pk, completed_on=values["completed_on"], note=values["note"]
            )
            return f"{item.label} marked as done"
        work_services.work_item_cancel(actor=request.user, item_id=item.pk, reason=values["reason"])
        return f"{item.label} cancelled"

    return form_page(
        request,
        fields=WORK_ITEM_FORMS[action],
        save=save,
        done_url=done_url,
        context={
            "person": item.person,
            "heading": f"{'Mark as done' if action == 'complete' else 'Cancel'}: {item.label}",
            "intro": item.reason,
            "submit": "Mark as done" if action == "complete" else "Cancel this item",
        },
    )


@staff_page
def signal_review(request: HttpRequest, item_id: int) -> HttpResponse:
    """A warning sign's review: the sentences that raised it, and its disposition (the action taken, linked to the
    work item or contact for what was done, or no action with the reason), which alone closes it."""
    review = signal_selectors.signal_review_get(actor=request.user, item_id=item_id)
    item = review.item
    done_url = RETURN_TO.get(request.GET.get("from", ""), lambda _: case_url(item.person.crn))(item)
    items = [("", "None")] + [
        (str(i.pk), f"{i.label}, due {uk_date(i.due_date)} ({i.get_status_display().lower()})")
        for i in signal_selectors.linkable_items(item=item)
    ]
    contacts = [("", "None")] + [
        (str(c.pk), f"{c.get_type_display()}, {uk_date(timezone.localdate(c.date))}")
        for c in signal_selectors.linkable_contacts(item=item)[:50]
    ]
    fields = [
        FormField(
            "outcome", "What was decided?", "radios", options=DispositionOutcome.choices,
            missing="Say whether action was taken or no action is needed",
            conditional=(
                (DispositionOutcome.ACTION_TAKEN.value,
                 FormField("linked_item_id", "The work item for what was done", "select", options=items,
                           required=False)),
                (DispositionOutcome.ACTION_TAKEN.value,
                 FormField("linked_contact_id", "Or the contact for what was done", "select", options=contacts,
                           required=False)),
            ),
        ),
        FormField("details", "What was done, or why no action is needed", "textarea", required=False,
                  hint="Required when no action is needed"),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        signal_services.signal_review_dispose(
            actor=request.user, item_id=item.pk, outcome=values["outcome"], details=values["details"],
            linked_item_id=int(values["linked_item_id"]) if values.get("linked_item_id") else None,
            linked_contact_id=int(values["linked_contact_id"]) if values.get("linked_contact_id") else None,
        )  # fmt: skip
        return f"{review.label}: disposition recorded"

    if item.status != "open":
        return render(request, "web/signal_review.html", {
            "person": item.person, "review": review, "heading": f"Warning sign: {review.label}",
            "cancel_url": done_url, "closed": True,
        })  # fmt: skip
    return form_page(
        request,
        fields=fields,
        save=save,
        done_url=done_url,
        template="web/signal_review.html",
        context={
            "person": item.person,
            "review": review,
            "heading": f"Review a warning sign: {review.label}",
            "intro": f"Due {uk_date(item.due_date)}. Record what was done about it (link the work item or contact), "
            "or that no action is needed and why. The review is closed only by its disposition.",
            "submit": "Record the disposition",
        },
    )


def _subject_options(person: Any) -> list[tuple[str, str]]:
    options = [("", f"{person.name} (the person on probation)")]
    options += [
        (str(r.pk), f"{r.name} ({r.get_relationship_display().lower()})")
        for r in people_selectors.relationship_list(person=person)
        if r.end_date is None
    ]
    return options


@staff_page
def check_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    agency_name = FormField("agency_name", "Name of the agency", "text", max_length=AGENCY_NAME_LIMIT,
                            missing="Enter the name of the agency")  # fmt: skip
    subjects = _subject_options(person)
    fields = [
        FormField("agency", "Agency", "radios", options=Agency.choices, missing="Select the agency",
                  conditional=((Agency.OTHER.value, agency_name),)),
        # Only asked when there is a choice: someone in the person's life besides the person.
        *([FormField("subject_id", "Who is the enquiry about?", "radios", options=subjects, required=False)]
          if len(subjects) > 1 else []),
        FormField("requested_on", "Date requested", "date", hint="For example, 27 3 2026"),
        FormField("notes", "Notes", "textarea", required=False),
    ]  # fmt: skip
    initial = {"agency": request.GET.get("agency", ""), "subject_id": request.GET.get("subject", "")}

    def save(values: dict[str, Any]) -> str:
        safeguarding_services.safeguarding_check_request(
            actor=request.user,
            person=person,
            agency=values["agency"],
            requested_on=values["requested_on"],
            subject_id=int(values["subject_id"]) if values.get("subject_id") else None,
            agency_name=values["agency_name"],
            notes=values["notes"],
        )
        return "Safeguarding enquiry recorded"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial=initial,
        done_url=case_url(person.crn, "safeguarding"),
        context={
            "person": person,
            "heading": "Record a safeguarding enquiry",
            "submit": "Save enquiry",
            "intro": "Record an enquiry once it has been sent. The reply is due by the local protocol; an "
            "unanswered enquiry is escalated to the team's senior probation officer.",
        },
    )


@staff_page
def check_action(request: HttpRequest, crn: str, check_id: int, action: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    check = safeguarding_selectors.safeguarding_check_get(person=person, check_id=check_id)
    # Only assessments not yet complete: a response is used in the assessment being written, never in one that
    # was signed off without it (the service refuses that too).
    assessments = [
        (str(a.pk), f"{a.get_kind_display()} started {uk_date(a.started_at)} ({a.get_status_display().lower()})")
        for a in safeguarding_selectors.rosh_assessments_for_person(person=person)
        if a.status == AssessmentStatus.DRAFT
    ]
    # Each action: its heading, its fields, the service call that saves it, and the message once it is saved.
    forms: dict[str, tuple[str, list[FormField], Callable[[dict[str, Any]], object], str]] = {
        "chase": (
            "Record a chase",
            [
                FormField("chased_on", "Date chased", "date", hint="For example, 27 3 2026"),
                FormField("notes", "Notes", "textarea", required=False),
            ],
            lambda v: safeguarding_services.safeguarding_check_chase(
                actor=request.user, person=person, check_id=check.pk, chased_on=v["chased_on"], notes=v["notes"]
            ),
            "Chase recorded",
        ),
        "response": (
            "Record the response",
            [
                FormField("received_on", "Date received", "date", hint="For example, 27 3 2026"),
                FormField("summary", "Summary of the response", "textarea", missing="Enter a summary of the response"),
            ],
            lambda v: safeguarding_services.safeguarding_check_record_response(
                actor=request.user,
                person=person,
                check_id=check.pk,
                received_on=v["received_on"],
                summary=v["summary"],
            ),
            "Response recorded",
        ),
        "used": (
            "Mark as used in a RoSH assessment",
            [
                FormField(
                    "assessment_id",
                    "RoSH assessment",
                    "radios",
                    hint="" if assessments else "No RoSH assessment is in progress: start one from the case page first",
                    options=assessments,
                    missing="Select the RoSH assessment that took the response into account",
                ),
            ],
            lambda v: safeguarding_services.safeguarding_check_mark_used(
                actor=request.user, person=person, check_id=check.pk, assessment_id=int(v["assessment_id"])
            ),
            "Response marked as used in the assessment",
        ),
        "close": (
            "Close the enquiry",
            [
                FormField(
                    "reason",
                    "Why is the enquiry being closed?",
                    "textarea",
                    missing="Enter why the enquiry is being closed",
                ),
            ],
            lambda v: safeguarding_services.safeguarding_check_close(
                actor=request.user, person=person, check_id=check.pk, reason=v["reason"]
            ),
            "Enquiry closed",
        ),
    }
    if action not in forms:
        raise Http404("No such action")
    heading, fields, record, done_message = forms[action]

    def save(values: dict[str, Any]) -> str:
        record(values)
        return done_message

    return form_page(
        request,
        fields=fields,
        save=save,
        initial={"assessment_id": request.GET.get("assessment", "")} if action == "used" else None,
        done_url=case_url(person.crn, "safeguarding"),
        context={
            "person": person,
            "heading": heading,
            "submit": heading,
            "intro": f"{check.get_agency_display()} enquiry requested on {uk_date(check.requested_on)}, "
            f"reply due by {uk_date(check.due_by)}.",
        },
    )


def _rosh_done_url(person: Any) -> str:
    return case_url(person.crn, "rosh-assessments")


@staff_page
def rosh_assessment_new(request: HttpRequest, crn: str) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    fields = [
        FormField(
            "kind",
            "Which assessment are you starting?",
            "radios",
            options=AssessmentKind.choices,
            missing="Select which RoSH assessment you are starting",
        ),
    ]

    def save(values: dict[str, Any]) -> str:
        assessment = safeguarding_services.rosh_assessment_start(actor=request.user, person=person, kind=values["kind"])
        return f"{assessment.get_kind_display()} started"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial={"kind": request.GET.get("kind", "")},
        done_url=_rosh_done_url(person),
        context={
            "person": person,
            "heading": "Start a RoSH assessment",
            "submit": "Start assessment",
            "intro": "The assessment is a draft until it is marked complete. Safeguarding responses received "
            "must be used in it before it can be completed.",
        },
    )


@staff_page
def rosh_assessment_complete(request: HttpRequest, crn: str, assessment_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    assessment = safeguarding_selectors.rosh_assessment_get(person=person, assessment_id=assessment_id)
    unused = list(safeguarding_selectors.safeguarding_responses_not_used(person=person))
    staff = staff_for(request.user)
    # Which fields to show; whether the assessment can be completed is the service's decision.
    offer_exception = bool(unused) and staff is not None and staff.role == Role.SPO
    fields = [
        FormField(
            "completed_on",
            "Date completed",
            "date",
            hint="Leave blank for today. For example, 27 3 2026",
            required=False,
        ),
    ]
    if assessment.kind == AssessmentKind.SCREENING:
        fields.append(
            FormField(
                "indicates_risk",
                "Does the screening indicate a risk that needs a full analysis?",
                "radios",
                options=[("yes", "Yes: a full analysis and a risk management plan are due"), ("no", "No")],
                missing="Select whether the screening indicates a risk that needs a full analysis",
            )
        )
    if assessment.kind in RATED_KINDS:
        fields += [
            FormField("rosh_level", "Risk of serious harm level", "radios", options=RoshLevel.choices,
                      hint="The case's RoSH registration will be changed to this level if it differs",
                      missing="Select the RoSH level"),
            FormField("risk_to", "Who is at risk of serious harm?", "checkboxes", options=RiskGroup.choices,
                      hint="Select all that apply", missing="Select who is at risk of serious harm"),
        ]  # fmt: skip
    if offer_exception:
        fields.append(
            FormField(
                "exception_reason",
                "Reason for completing the assessment before these responses are used",
                "textarea",
                hint="As a senior probation officer you can record an exception. The reason, your name and the "
                "responses not used are kept with the assessment.",
                missing="Enter the reason for the exception: why the assessment can be completed before the "
                "responses are used",
            )
        )

    def save(values: dict[str, Any]) -> str:
        safeguarding_services.rosh_assessment_complete(
            actor=request.user,
            person=person,
            assessment_id=assessment.pk,
            completed_on=values["completed_on"],
            indicates_risk={"yes": True, "no": False}.get(values.get("indicates_risk", "")),
            rosh_level=values.get("rosh_level", ""),
            risk_to=values.get("risk_to", []),
            # Only an SPO is offered the field; anyone else sending a reason is refused by the service (403).
            exception_reason=values.get("exception_reason", request.POST.get("exception_reason", "")),
        )
        return f"{assessment.get_kind_display()} marked complete"

    return form_page(
        request,
        fields=fields,
        save=save,
        done_url=_rosh_done_url(person),
        template="web/rosh_complete.html",
        context={
            "person": person,
            "assessment": assessment,
            "unused": unused,
            "offer_exception": offer_exception,
            "heading": f"Mark complete: {assessment.get_kind_display()}",
            "submit": "Mark complete",
            "intro": f"Started {uk_date(assessment.started_at)} by {assessment.started_by.name}.",
        },
    )


def case_work_context(person: Any) -> dict[str, Any]:
    """What the case page shows of work items, safeguarding enquiries and reporting changes."""
    changes = list(work_selectors.reporting_changes_for_person(person=person))
    return {
        "work_items": list(work_selectors.work_items_for_person(person=person)),
        "work_due_soon_until": clock.today() + dt.timedelta(days=7),
        "safeguarding_checks": list(safeguarding_selectors.safeguarding_checks_for_person(person=person)),
        "rosh_assessments": list(safeguarding_selectors.rosh_assessments_for_person(person=person)),
        "reporting_in_force": work_services.reporting_frequency_in_force(person=person),
        "reporting_pending": [c for c in changes if c.status == "awaiting_countersignature"],
    }


@staff_page
def reporting_decision(request: HttpRequest, crn: str, change_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    change = work_selectors.reporting_change_get(person=person, change_id=change_id)  # another case's: 404
    now = clock.now()
    fields = [
        FormField(
            "decision",
            "Decision",
            "radios",
            options=[("approve", "Countersign: the reduction is in force from today"), ("refuse", "Refuse")],
            missing="Select whether you countersign or refuse the reduction",
        ),
        FormField("reason", "Reason", "textarea", hint="Required when refusing", required=False),
    ]

    def save(values: dict[str, Any]) -> str:
        change = work_services.reporting_reduction_countersign(
            actor=request.user,
            person=person,
            change_id=change_id,
            approve=values["decision"] == "approve",
            reason=values["reason"],
        )
        return f"Reduction to {change.get_frequency_display().lower()} reporting {change.get_status_display().lower()}"

    # Everything needed to decide, on the page: the change, who asked and why, and how the person has complied.
    return form_page(
        request,
        fields=fields,
        save=save,
        done_url=case_url(person.crn, "reporting"),
        template="web/reporting_decision.html",
        context={
            "person": person,
            "change": change,
            "compliance": contact_selectors.compliance_summary(person=person, now=now),
            "failures": list(
                contact_selectors.contact_list(person=person, outcome=FAILURE_OUTCOMES)[:RECENT_FAILURES_SHOWN]
            ),
            "last_contact": contact_selectors.last_contact(person=person, now=now),
            "rosh": risk_selectors.person_rosh(person=person),
            "heading": "Decide on a reduction in reporting",
            "submit": "Save decision",
            "intro": "A reduction in reporting is not in force until a senior probation officer countersigns it.",
        },
    )


RECENT_FAILURES_SHOWN = 5
