"""A breach from the decision to its outcome, through the API: the report drafted, checked before submission
(sections, dates, failures cited, British English spelling), approved by the SPO only when it passes or with an
override reason, sent, presented and ended; the report and the warning letter read back from their PDFs; bad
transitions change nothing; the clock to court escalates once overdue. The clock is frozen at Tuesday 24 November
2026, 12:00 UTC; the case's community order (unpaid work, 100 hours) was passed on 5 January 2026."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader

from openprobation.contacts.models import Contact
from openprobation.contacts.services import contact_record, contact_update
from openprobation.core import clock
from openprobation.core.models import AuditEvent
from openprobation.enforcement.models import Breach, BreachReport, EnforcementDecision
from openprobation.enforcement.selectors import compliance_status
from openprobation.sentences.models import Requirement
from openprobation.web.audit_words import ACTIONS
from openprobation.workitems.escalations import overdue_items_escalate
from openprobation.workitems.models import WorkItem, WorkItemEscalation
from tests.factories import make_person
from tests.record.test_api import Api, problem_fields

pytestmark = pytest.mark.django_db

D = dt.date
UTC = dt.UTC

GOOD_SECTIONS = {
    "how_told": "The requirements and the consequences of failing to comply were explained at the induction on "
                "12 January 2026. Each failure was followed by a letter.",
    "reasons": "He said he had overslept. This was not accepted because he had been reminded by text the day before.",
    "steps_taken": "A first warning was given and appointments were moved to the afternoon.",
    "compliance_to_date": "He completed forty hours of unpaid work before the failures.",
    "risk_history": "Risk of serious harm was medium at sentence and has not changed.",
    "proposal": "The order should continue with an additional ten hours of unpaid work.",
}  # fmt: skip


def text_of(pdf: bytes) -> str:
    """The PDF's text, read back, with line breaks (table cells wrap) as spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _failure(org, person, when: dt.datetime, outcome: str = "failed_to_attend_unacceptable", notes: str = "",
             requirement: Requirement | None = None):  # fmt: skip
    """A failure to comply on an appointment; with ``requirement``, an appointment that delivers it, recorded as
    complied with and corrected to the failure."""
    if requirement is None:
        return contact_record(actor=org.po.user, person=person, type="office_appointment", date=when,
                              outcome=outcome, notes=notes, event_number=1)  # fmt: skip
    contact = contact_record(actor=org.po.user, person=person, type="office_appointment", date=when, notes=notes,
                             outcome="attended_complied", event_number=1)  # fmt: skip
    Contact.objects.filter(pk=contact.pk).update(requirement=requirement)  # as booked for the requirement
    return contact_update(actor=org.po.user, person=person, contact_id=contact.pk, version=contact.version,
                          changes={"outcome": outcome})  # fmt: skip


def _decide(api: Api, person, decision: EnforcementDecision, **body: Any):
    decision.refresh_from_db()
    payload = {"version": decision.version, "acceptable": False, "action": "warning", "warning_type": "first",
               "reason": "No reason given for missing the appointment", **body}  # fmt: skip
    return api.post(f"/people/{person.crn}/enforcement-decisions/{decision.pk}/decision", payload)


def _breached(org) -> tuple[Any, Breach, EnforcementDecision, EnforcementDecision]:
    """A warning for a failure on 2 November, then a breach for the failure on 23 November (decided 24 November)."""
    person = make_person(org, first_name="Jordan", last_name="Okonkwo")
    api = Api("po")
    _failure(org, person, dt.datetime(2026, 11, 2, 10, tzinfo=UTC))
    warned = EnforcementDecision.objects.get(person=person)
    assert _decide(api, person, warned, decided_on="2026-11-03").status_code == 200
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC), notes="Did not attend; no call")
    breached = EnforcementDecision.objects.get(person=person, status="awaiting")
    response = _decide(api, person, breached, action="breach", warning_type=None,
                       reason="Said he overslept; not accepted, he was reminded the day before")  # fmt: skip
    assert response.status_code == 200, response.content
    return person, Breach.objects.get(person=person), warned, breached


def _url(person, breach: Breach, tail: str = "") -> str:
    return f"/people/{person.crn}/breaches/{breach.pk}{tail}"


def _save(api: Api, person, breach: Breach, sections: dict[str, str] | None = None,
          cited: list[int] | None = None, version: int | None = None):  # fmt: skip
    return api.post(_url(person, breach, "/report"), {"version": version, "sections": sections or GOOD_SECTIONS,
                                                      "cited": cited or []})  # fmt: skip


def _check(api: Api, person, breach: Breach):
    report = BreachReport.objects.get(breach=breach)
    return api.post(_url(person, breach, "/report/check"), {"version": report.version})


def _step(api: Api, person, breach: Breach, tail: str, **body: Any):
    breach.refresh_from_db()
    return api.post(_url(person, breach, tail), {"version": breach.version, **body})


def _state(breach: Breach) -> tuple[Any, ...]:
    breach.refresh_from_db()
    report = BreachReport.objects.filter(breach=breach).first()
    return (breach.version, breach.approved_at, breach.sent_on, breach.presented_on, breach.ended_on,
            report.version if report else None, report.checked_version if report else None,
            AuditEvent.objects.exclude(action="case.open_refused").count())


def test_a_breach_from_decision_to_outcome_with_its_report_checked_approved_and_read_back(org, frozen_clock):
    person, breach, _, breached = _breached(org)
    po, spo = Api("po"), Api("spo")
    body = api_breach = po.get(_url(person, breach)).json()
    assert [s["step"] for s in body["steps"] if s["at"]] == ["aware", "decided"]
    assert (api_breach["aware_on"], api_breach["started_on"], api_breach["failures"]) == (
        "2026-11-23", "2026-11-24", [breached.pk])
    # the clock to court: 10 working days from Monday 23 November 2026 is Monday 7 December
    [clock] = body["clocks"]
    assert (clock["kind"], clock["due_date"], clock["text"]) == ("breach_to_court", "2026-12-07",
                                                                 "Breach to court: 9 working days left")

    saved = _save(po, person, breach, cited=[breached.pk])
    assert saved.status_code == 200, saved.content
    checked = _check(po, person, breach)
    assert checked.status_code == 200, checked.content
    report = checked.json()["report"]
    assert (report["check_passed"], report["problems"], report["checked_version"]) == (True, [], 1)

    approved = _step(spo, person, breach, "/approval")
    assert approved.status_code == 200, approved.content
    assert (approved.json()["approved_by"], approved.json()["override_reason"]) == (org.spo.code, "")
    assert _step(po, person, breach, "/sent", on="2026-11-24").status_code == 200
    pdf = po.get(_url(person, breach, "/report.pdf"))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    text = text_of(pdf.content)
    for expected in ("Breach report", "Jordan Okonkwo", person.crn, "Community order", "Unpaid work",
                     "23 November 2026", "Did not attend; no call", "he was reminded the day before",
                     "First warning", "3 November 2026", "explained at the induction", "forty hours of unpaid work",
                     "Risk of serious harm was medium", "additional ten hours", "Approved by", "Sent to court",
                     "Presented at court", "Not yet"):  # fmt: skip
        assert expected in text, expected
    assert "2 November 2026" not in text.split("The failures to comply")[1].split("How the person")[0]  # not cited

    presented = _step(po, person, breach, "/presented", on="2026-11-24")
    assert presented.status_code == 200 and presented.json()["clocks"] == []
    to_court = WorkItem.objects.get(person=person, kind="breach_to_court")
    assert (to_court.status, to_court.closed_on) == ("done", D(2026, 11, 24))
    ended = _step(po, person, breach, "/outcome", outcome="order_continued", on="2026-11-24")
    assert ended.status_code == 200 and (ended.json()["in_progress"], ended.json()["outcome"]) == (
        False, "order_continued")
    # the compliance count starts again from the end of the breach
    status = compliance_status(person=person, now=dt.datetime(2026, 11, 24, 12, tzinfo=UTC))
    assert (status.counted_from, status.breach_in_progress) == (D(2026, 11, 24), False)
    assert (status.failures, status.warnings_given, status.banner.text) == (
        0, 0, "No failures to comply within 12 months")
    actions = set(AuditEvent.objects.filter(crn=person.crn).values_list("action", flat=True))
    assert {"breach_report.drafted", "breach_report.checked", "breach.approved", "breach.sent", "breach.presented",
            "breach.ended"} <= actions <= set(ACTIONS)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "change", "sections_flagged"),
    [
        ("misspelling", {"reasons": "He said he had overslept. This was not accepted becuase he was reminded."},
         {"reasons"}),
        ("american_spelling", {"proposal": "The order should continue; his behavior has improved."}, {"proposal"}),
        ("missing_section", {"risk_history": "   "}, {"risk_history"}),
        ("names_on_the_record_pass", {"reasons": "Jordan Okonkwo said he overslept. Okonkwo was reminded."}, set()),
    ],
)  # fmt: skip
def test_the_check_lists_problems_for_the_author_and_blocks_approval_without_an_override(
    org, frozen_clock, name, change, sections_flagged
):
    person, breach, _, breached = _breached(org)
    po, spo = Api("po"), Api("spo")
    _save(po, person, breach, sections={**GOOD_SECTIONS, **change}, cited=[breached.pk])
    report = _check(po, person, breach).json()["report"]
    assert {p["section"] for p in report["problems"]} == sections_flagged
    assert report["check_passed"] is (not sections_flagged)
    if not sections_flagged:
        return
    if name == "misspelling":
        assert any("“becuase”" in p["message"] and "“because”" in p["message"] for p in report["problems"])
    before = _state(breach)
    refused = _step(spo, person, breach, "/approval")
    assert problem_fields(refused) == {"override_reason"}
    assert _state(breach) == before
    approved = _step(spo, person, breach, "/approval", override_reason="Court date tomorrow; corrected by hand")
    assert approved.status_code == 200, approved.content
    assert approved.json()["override_reason"] == "Court date tomorrow; corrected by hand"
    assert AuditEvent.objects.filter(action="breach.approved", crn=person.crn).get().reason == (
        "Court date tomorrow; corrected by hand")


def test_failures_cited_must_be_on_the_record_and_judged_unacceptable(org, frozen_clock):
    person, breach, _, breached = _breached(org)
    po = Api("po")
    _failure(org, person, dt.datetime(2026, 11, 20, 10, tzinfo=UTC))
    excused = EnforcementDecision.objects.get(person=person, status="awaiting")
    _decide(po, person, excused, acceptable=True, action="no_further_action", warning_type=None,
            reason="In hospital; letter seen")  # fmt: skip
    other = make_person(org)
    _failure(org, other, dt.datetime(2026, 11, 20, 10, tzinfo=UTC))
    elsewhere = EnforcementDecision.objects.get(person=other)
    _save(po, person, breach, cited=[breached.pk, excused.pk, elsewhere.pk])
    problems = _check(po, person, breach).json()["report"]["problems"]
    assert [(p["section"], p["message"]) for p in problems] == [
        ("cited", "The failure to comply on 20 November 2026 was judged acceptable, so it cannot be cited as a breach"),
        ("cited", f"Failure {elsewhere.pk} is cited but is not on this case's record"),
    ]
    assert _save(po, person, breach, cited=[], version=1).status_code == 200
    assert [p["section"] for p in _check(po, person, breach).json()["report"]["problems"]] == ["cited"]


@pytest.mark.parametrize(
    ("name", "setup", "user", "tail", "body", "status", "fields"),
    [
        ("approve_before_a_report", [], "spo", "/approval", {}, 422, {"status"}),
        ("approve_before_a_check", ["save"], "spo", "/approval", {}, 422, {"status"}),
        ("approve_after_the_report_changed", ["save", "check", "save"], "spo", "/approval", {}, 422, {"status"}),
        ("approve_twice", ["save", "check", "approve"], "spo", "/approval", {}, 422, {"status"}),
        ("approve_as_the_practitioner", ["save", "check"], "po", "/approval", {}, 403, None),
        ("send_before_approval", ["save", "check"], "po", "/sent", {}, 422, {"status"}),
        ("send_before_the_breach_started", ["save", "check", "approve"], "po", "/sent", {"on": "2026-11-20"}, 422,
         {"on"}),
        ("send_in_the_future", ["save", "check", "approve"], "po", "/sent", {"on": "2026-11-25"}, 422, {"on"}),
        ("present_before_sending", ["save", "check", "approve"], "po", "/presented", {}, 422, {"status"}),
        ("outcome_before_presenting", ["save", "check", "approve", "send"], "po", "/outcome",
         {"outcome": "order_amended"}, 422, {"status"}),
        ("unknown_outcome", ["save", "check", "approve", "send", "present"], "po", "/outcome",
         {"outcome": "acquitted"}, 422, {"outcome"}),
        ("referral_with_none_to_accept", [], "po", "/referral-acceptance", {}, 422, {"status"}),
        ("change_the_report_once_approved", ["save", "check", "approve"], "po", "/report", None, 422, {"status"}),
        ("quality_assurance_cannot_send", ["save", "check", "approve"], "qa", "/sent", {}, 403, None),
        ("another_teams_practitioner", ["save", "check", "approve"], "pob", "/sent", {}, 404, None),
    ],
)  # fmt: skip
def test_bad_transitions_give_a_clear_error_and_change_nothing(org, frozen_clock, name, setup, user, tail, body,
                                                               status, fields):  # fmt: skip
    person, breach, _, breached = _breached(org)
    po, spo = Api("po"), Api("spo")
    for step in setup:
        report = BreachReport.objects.filter(breach=breach).first()
        version = report.version if report else None
        response = {
            "save": lambda v=version: _save(po, person, breach, cited=[breached.pk], version=v),
            "check": lambda: _check(po, person, breach),
            "approve": lambda: _step(spo, person, breach, "/approval"),
            "send": lambda: _step(po, person, breach, "/sent"),
            "present": lambda: _step(po, person, breach, "/presented"),
        }[step]()
        assert response.status_code == 200, (step, response.content)
    api = Api(user)
    before = _state(breach)
    items_before = list(WorkItem.objects.filter(person=person).values_list("pk", "status"))
    if body is None:
        report = BreachReport.objects.get(breach=breach)
        response = _save(api, person, breach, cited=[breached.pk], version=report.version)
    else:
        response = _step(api, person, breach, tail, **body)
    assert response.status_code == status, response.content
    if fields is not None:
        assert problem_fields(response) == fields
        assert response.json()["errors"][0]["message"]  # a clear message, not just a code
    assert _state(breach) == before
    assert list(WorkItem.objects.filter(person=person).values_list("pk", "status")) == items_before


def test_a_breach_on_an_acceptable_absence_is_refused(org, frozen_clock):
    person = make_person(org)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    decision = EnforcementDecision.objects.get(person=person)
    refused = _decide(Api("po"), person, decision, acceptable=True, action="breach", warning_type=None)
    assert problem_fields(refused) == {"action"}
    assert (Breach.objects.filter(person=person).count(),
            EnforcementDecision.objects.get(pk=decision.pk).status) == (0, "awaiting")  # fmt: skip


def test_a_breach_may_be_withdrawn_before_court_and_its_clock_stops(org, frozen_clock):
    person, breach, _, _ = _breached(org)
    ended = _step(Api("po"), person, breach, "/outcome", outcome="withdrawn")
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-11-24"
    to_court = WorkItem.objects.get(person=person, kind="breach_to_court")
    assert to_court.status == "cancelled" and "withdrawn" in to_court.cancel_reason
    again = _step(Api("po"), person, breach, "/outcome", outcome="withdrawn")
    assert problem_fields(again) == {"status"}


def test_the_clock_to_court_escalates_to_the_spo_once_it_passes_its_limit(org, frozen_clock):
    person, _, _, _ = _breached(org)
    to_court = WorkItem.objects.get(person=person, kind="breach_to_court")
    assert to_court.due_date == D(2026, 12, 7)
    overdue_items_escalate(today=D(2026, 12, 7))
    assert not WorkItemEscalation.objects.filter(work_item=to_court).exists()  # due today: still in time
    overdue_items_escalate(today=D(2026, 12, 8))
    escalation = WorkItemEscalation.objects.get(work_item=to_court)
    assert (escalation.overdue_since, escalation.escalated_to_id) == (D(2026, 12, 8), org.spo.pk)
    assert overdue_items_escalate(today=D(2026, 12, 9)).escalated == 0  # once
    assert AuditEvent.objects.filter(action="work_item.escalated", entity_id=str(to_court.pk)).count() == 1


def test_a_warning_letter_is_generated_from_the_record(org, frozen_clock):
    person = make_person(org, first_name="Jordan", last_name="Okonkwo")
    requirement = Requirement.objects.get(event__person=person)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC), requirement=requirement)
    decision = EnforcementDecision.objects.get(person=person)
    po = Api("po")
    assert po.post(f"/people/{person.crn}/enforcement-decisions/{decision.pk}/warning-letter", {}).status_code == 422
    _decide(po, person, decision, reason="Said he forgot; not accepted, he had a reminder")
    response = po.post(f"/people/{person.crn}/enforcement-decisions/{decision.pk}/warning-letter", {})
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    text = text_of(response.content)
    for expected in ("First warning", "Jordan Okonkwo", "24 November 2026", "community order made on 5 January 2026",
                     "On 23 November 2026 you failed to comply with Unpaid work",
                     "he had a reminder", "What happens next", "returned to court for breach",
                     "1 December 2026", "Probation officer"):  # fmt: skip
        assert expected in text, expected
    decision.refresh_from_db()
    assert decision.letter_generated_at is not None
    assert AuditEvent.objects.filter(action="warning_letter.generated", crn=person.crn).count() == 1
    assert Api("qa").post(f"/people/{person.crn}/enforcement-decisions/{decision.pk}/warning-letter",
                          {}).status_code == 403  # fmt: skip


def test_a_requirement_not_complied_with_opens_a_decision_naming_the_requirement(org, frozen_clock):
    person = make_person(org)
    requirement = Requirement.objects.get(event__person=person)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC), outcome="attended_failed_to_comply",
             requirement=requirement)  # fmt: skip
    decision = EnforcementDecision.objects.get(person=person)
    assert (decision.contact.requirement_id, decision.status) == (requirement.pk, "awaiting")
    body = Api("po").get(f"/people/{person.crn}/enforcement-decisions/{decision.pk}").json()
    assert body["evidence"]["requirement"] == "unpaid_work"


def test_contracts_2014_a_referral_accepted_replaces_the_clock_to_court_with_2_working_days(org, monkeypatch):
    """Under the 2014-2021 preset a breach known on Monday 4 March 2019 makes the CRC's referral due in 8 working days
    (14 March) and the NPS's presentation in 10 (18 March); the NPS accepting the referral on Tuesday 12 March closes
    the referral and times the breach to court from then: 2 working days, Thursday 14 March."""
    person = make_person(org)
    now = dt.datetime(2019, 3, 12, 12, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: now)
    monkeypatch.setattr(clock, "today", lambda: now.date())
    _failure(org, person, dt.datetime(2019, 3, 4, 10, tzinfo=UTC))
    decision = EnforcementDecision.objects.get(person=person)
    po = Api("po")
    assert _decide(po, person, decision, action="breach", warning_type=None, decided_on="2019-03-05").status_code == 200
    breach = Breach.objects.get(person=person)
    due = {i.kind: (i.due_date, i.status) for i in WorkItem.objects.filter(person=person, kind__startswith="breach")}
    assert due == {"breach_referral": (D(2019, 3, 14), "open"), "breach_to_court": (D(2019, 3, 18), "open")}
    accepted = _step(po, person, breach, "/referral-acceptance", on="2019-03-12")
    assert accepted.status_code == 200, accepted.content
    items = {(i.kind, i.rule_id): (i.due_date, i.status)
             for i in WorkItem.objects.filter(person=person, kind__startswith="breach")}  # fmt: skip
    assert items == {
        ("breach_referral", "breach_referral.crc"): (D(2019, 3, 14), "done"),
        ("breach_to_court", "breach_to_court.nps"): (D(2019, 3, 18), "cancelled"),
        ("breach_to_court", "breach_to_court.crc_referral"): (D(2019, 3, 14), "open"),
    }
    assert [c["text"] for c in accepted.json()["clocks"]] == ["Breach to court: 2 working days left"]
    assert problem_fields(_step(po, person, breach, "/referral-acceptance", on="2019-03-12")) == {"status"}
