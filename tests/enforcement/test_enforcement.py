"""Failures to comply on the record: each opens an enforcement decision with its evidence and its clock; the decision
is recorded once, through the API or the page, as the policy allows (a warning, then a breach); a breach starts the
clock to court; the compliance summary counts the failures and shows a breach in progress. The clock is frozen at
Tuesday 24 November 2026, 12:00 UTC; the case's community order was passed on 5 January 2026."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.contacts.services import contact_record, contact_update
from openprobation.core.errors import ValidationFailed
from openprobation.core.models import AuditEvent
from openprobation.enforcement.models import Breach, EnforcementDecision
from openprobation.web.audit_words import ACTIONS
from openprobation.workitems.models import WorkItem
from openprobation.workitems.services import work_item_cancel, work_item_complete
from tests.factories import make_person
from tests.record.test_api import Api, problem_fields

pytestmark = pytest.mark.django_db

D = dt.date
UTC = dt.UTC


def _failure(org, person, when: dt.datetime, outcome: str = "failed_to_attend_unacceptable", notes: str = ""):
    return contact_record(actor=org.po.user, person=person, type="office_appointment", date=when, outcome=outcome,
                          notes=notes, event_number=1)  # fmt: skip


def _decision_items(person) -> list[WorkItem]:
    return list(WorkItem.objects.filter(person=person, kind="enforcement_decision").order_by("pk"))


def _decide(api: Api, person, decision: EnforcementDecision, **body: Any):
    payload = {"version": decision.version, "acceptable": False, "action": "warning", "warning_type": "first",
               "reason": "No reason given for missing the appointment", **body}  # fmt: skip
    return api.post(f"/people/{person.crn}/enforcement-decisions/{decision.pk}/decision", payload)


@pytest.mark.parametrize(
    ("name", "outcome", "opens"),
    [
        ("unacceptable_absence_opens_a_decision", "failed_to_attend_unacceptable", True),
        ("attended_failed_to_comply_opens_a_decision", "attended_failed_to_comply", True),
        ("acceptable_absence_opens_none", "failed_to_attend_acceptable", False),
        ("attended_and_complied_opens_none", "attended_complied", False),
    ],
)
def test_failure_to_comply_opens_an_enforcement_decision_with_its_evidence_and_clock(
    org, frozen_clock, name, outcome, opens
):
    person = make_person(org)
    contact = _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC), outcome=outcome)
    decisions = list(EnforcementDecision.objects.filter(person=person))
    if not opens:
        assert decisions == [] and _decision_items(person) == []
        return
    [decision] = decisions
    [item] = _decision_items(person)
    assert (decision.contact_id, decision.failed_on, decision.status, decision.work_item_id) == (
        contact.pk, D(2026, 11, 23), "awaiting", item.pk)
    # 7 days after Monday 23 November 2026
    assert (item.due_date, item.rule_id, item.policy_version, item.owner_id) == (
        D(2026, 11, 30), "enforcement_decision", "timescales-ps2021-v5", org.po.pk)
    assert AuditEvent.objects.filter(action="enforcement_decision.opened", crn=person.crn).count() == 1


def test_an_outcome_recorded_later_opens_the_decision_once(org, frozen_clock):
    person = make_person(org)
    contact = _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC), outcome="failed_to_attend_acceptable")
    contact = contact_update(actor=org.po.user, person=person, contact_id=contact.pk, version=contact.version,
                             changes={"outcome": "failed_to_attend_unacceptable"})  # fmt: skip
    contact_update(actor=org.po.user, person=person, contact_id=contact.pk, version=contact.version,
                   changes={"outcome": "attended_failed_to_comply"})  # fmt: skip
    assert EnforcementDecision.objects.filter(person=person).count() == 1 and len(_decision_items(person)) == 1


def test_warning_then_breach_under_the_policy_through_the_api(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    _failure(org, person, dt.datetime(2026, 11, 2, 10, tzinfo=UTC))
    first = EnforcementDecision.objects.get(person=person)
    response = _decide(api, person, first, decided_on="2026-11-03")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["action"], body["warning_type"], body["warnings_before"], body["decided_by"]) == (
        "decided", "warning", "first", 0, org.po.code)
    [item] = _decision_items(person)
    assert (item.status, item.closed_on) == ("done", D(2026, 11, 3))
    assert AuditEvent.objects.filter(action="enforcement_decision.recorded", crn=person.crn).count() == 1

    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC), outcome="attended_failed_to_comply")
    second = EnforcementDecision.objects.get(person=person, status="awaiting")
    compliance = api.get(f"/people/{person.crn}/compliance").json()
    assert (compliance["failures_to_comply"], compliance["warnings_given"], compliance["next_unacceptable_failure"],
            compliance["summary"]) == (2, 1, "breach",
                                       "2 failures to comply within 12 months. No breach in progress yet.")
    refused = _decide(api, person, second, warning_type="second")  # one warning allowed before breach
    assert problem_fields(refused) == {"action"}
    assert EnforcementDecision.objects.get(pk=second.pk).status == "awaiting"
    breach = _decide(api, person, second, action="breach", warning_type=None)
    assert breach.status_code == 200, breach.content
    started = Breach.objects.get(person=person)
    assert (started.aware_on, started.started_on, started.ended_on, breach.json()["breach_id"]) == (
        D(2026, 11, 23), D(2026, 11, 24), None, started.pk)
    to_court = WorkItem.objects.get(person=person, kind="breach_to_court")
    # 10 working days from the day the failure became known (Monday 23 November 2026)
    assert (to_court.due_date, to_court.trigger, to_court.rule_id) == (D(2026, 12, 7), "failure_to_comply_known",
                                                                       "breach_to_court")
    compliance = api.get(f"/people/{person.crn}/compliance").json()
    assert (compliance["breach_in_progress"], compliance["summary"]) == (True, "Breach in progress")


@pytest.mark.parametrize(
    ("name", "body", "fields"),
    [
        ("acceptable_with_a_warning", {"acceptable": True}, {"action"}),
        ("unacceptable_with_no_further_action", {"action": "no_further_action", "warning_type": None}, {"action"}),
        ("warning_without_its_type", {"warning_type": None}, {"warning_type"}),
        ("second_warning_before_a_first", {"warning_type": "second"}, {"warning_type"}),
        ("no_reason", {"reason": "  "}, {"reason"}),
        ("decided_before_the_failure", {"decided_on": "2026-11-22"}, {"decided_on"}),
        ("decided_in_the_future", {"decided_on": "2026-11-25"}, {"decided_on"}),
        ("unknown_action", {"action": "caution"}, {"action"}),
    ],
)
def test_a_decision_the_rules_refuse_changes_nothing(org, frozen_clock, name, body, fields):
    person = make_person(org)
    api = Api("po")
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    decision = EnforcementDecision.objects.get(person=person)
    audit_before = AuditEvent.objects.count()
    assert problem_fields(_decide(api, person, decision, **body)) == fields
    decision.refresh_from_db()
    assert (decision.status, decision.version, AuditEvent.objects.count()) == ("awaiting", 1, audit_before)
    assert [i.status for i in _decision_items(person)] == ["open"]


def test_a_decision_cannot_be_recorded_twice(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    decision = EnforcementDecision.objects.get(person=person)
    assert _decide(api, person, decision, acceptable=True, action="no_further_action", warning_type=None,
                   reason="Was in hospital: letter seen").status_code == 200  # fmt: skip
    decision.refresh_from_db()
    again = _decide(api, person, decision, action="breach", warning_type=None)
    assert problem_fields(again) == {"status"}
    decision.refresh_from_db()
    assert (decision.action, decision.acceptable, Breach.objects.count()) == ("no_further_action", True, 0)


def test_quality_assurance_cannot_record_a_decision(org, frozen_clock):
    person = make_person(org)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    decision = EnforcementDecision.objects.get(person=person)
    assert _decide(Api("qa"), person, decision).status_code == 403
    client = Client()
    client.force_login(org.qa.user)
    assert client.get(reverse("web:enforcement-decision", args=[person.crn, decision.pk])).status_code == 403
    assert EnforcementDecision.objects.get(pk=decision.pk).status == "awaiting"


def test_a_case_the_practitioner_cannot_see_is_not_found(org, frozen_clock):
    person = make_person(org)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    decision = EnforcementDecision.objects.get(person=person)
    assert _decide(Api("pob"), person, decision).status_code == 404  # team B does not see team A's case


def test_the_decision_item_is_closed_by_the_decision_not_by_hand(org, frozen_clock):
    person = make_person(org)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    [item] = _decision_items(person)
    for attempt in (lambda: work_item_complete(actor=org.po.user, item_id=item.pk),
                    lambda: work_item_cancel(actor=org.po.user, item_id=item.pk, reason="not needed")):  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            attempt()
        assert [e.path for e in refused.value.errors] == [("kind",)]
    item.refresh_from_db()
    assert item.status == "open"


def test_two_failures_share_the_open_decision_item_until_both_are_decided(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    _failure(org, person, dt.datetime(2026, 11, 20, 10, tzinfo=UTC))
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    first, second = EnforcementDecision.objects.filter(person=person).order_by("failed_on")
    [item] = _decision_items(person)
    assert first.work_item_id == second.work_item_id == item.pk
    _decide(api, person, first, acceptable=True, action="no_further_action", warning_type=None)
    item.refresh_from_db()
    assert item.status == "open"
    _decide(api, person, second)
    item.refresh_from_db()
    assert item.status == "done"


def test_every_enforcement_action_has_words():
    assert {"enforcement_decision.opened", "enforcement_decision.recorded", "breach.started"} <= set(ACTIONS)


# --- the pages ---------------------------------------------------------------------------------------------------


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_decide_a_failure_to_comply_on_the_page(org, frozen_clock):
    person = make_person(org)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC), notes="Did not attend; no call")
    decision = EnforcementDecision.objects.get(person=person)
    compliance = _client(org.po).get(reverse("web:case-compliance", args=[person.crn])).content.decode()
    overview = _client(org.po).get(reverse("web:case", args=[person.crn])).content.decode()
    assert "1 failure to comply within 12 months" in overview and "1 decision to make" in overview
    url = reverse("web:enforcement-decision", args=[person.crn, decision.pk])
    assert "1 failure to comply within 12 months" in compliance and f'href="{url}"' in compliance
    form = _client(org.po).get(url).content.decode()
    assert "Did not attend; no call" in form and "govuk-radios__conditional" in form and 'value="first"' in form
    response = _client(org.po).post(url, {"action": "warning", "warning_type": "first", "reason": "No reason given",
                                          "decided_on_day": "24", "decided_on_month": "11", "decided_on_year": "2026",
                                          "version": "1"})  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("/compliance/#enforcement")
    decision.refresh_from_db()
    assert (decision.status, decision.action, decision.warning_type, decision.acceptable) == (
        "decided", "warning", "first", False)
    page = _client(org.po).get(reverse("web:case-compliance", args=[person.crn])).content.decode()
    assert "Unacceptable: first warning" in page and "No reason given" in page


def test_whats_due_links_the_decision_item_to_the_compliance_section(org, frozen_clock):
    person = make_person(org)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    page = _client(org.po).get(reverse("web:whats-due")).content.decode()
    [item] = _decision_items(person)
    assert f'href="/case/{person.crn}/compliance/#enforcement">Decide' in page
    assert f"/work-items/{item.pk}/complete" not in page and f"/work-items/{item.pk}/cancel" not in page


def test_the_page_offers_only_a_breach_once_the_warnings_are_used(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    _failure(org, person, dt.datetime(2026, 11, 2, 10, tzinfo=UTC))
    _decide(api, person, EnforcementDecision.objects.get(person=person), decided_on="2026-11-03")
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    second = EnforcementDecision.objects.get(person=person, status="awaiting")
    form = _client(org.po).get(reverse("web:enforcement-decision", args=[person.crn, second.pk])).content.decode()
    assert 'value="warning"' not in form and 'value="breach"' in form and "now breached" in form


@pytest.mark.parametrize(
    ("name", "form", "field", "message"),
    [
        ("decision_missing", {}, "action", "Select the decision"),
        ("warning_type_missing", {"action": "warning"}, "warning_type", "Select which warning"),
        ("reason_missing", {"action": "breach", "reason": ""}, "reason", "Enter the reason for the decision"),
        ("decided_in_the_future", {"action": "breach", "decided_on_day": "25"}, "decided_on",
         "must be today or in the past"),
    ],
)  # fmt: skip
def test_decision_form_errors_save_nothing(org, frozen_clock, name, form, field, message):
    person = make_person(org)
    _failure(org, person, dt.datetime(2026, 11, 23, 10, tzinfo=UTC))
    decision = EnforcementDecision.objects.get(person=person)
    post = {"reason": "Because", "decided_on_day": "24", "decided_on_month": "11", "decided_on_year": "2026",
            "version": "1", **form}  # fmt: skip
    response = _client(org.po).post(reverse("web:enforcement-decision", args=[person.crn, decision.pk]), post)
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert f'href="#{field}' in page and message in page
    assert EnforcementDecision.objects.get(pk=decision.pk).status == "awaiting"
