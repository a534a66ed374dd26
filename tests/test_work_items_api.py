"""The work-item and safeguarding API: the fields the issue lists, the same access rules, clear 422s, no changes on
error. Clock frozen at Tuesday 24 November 2026."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.people.services import case_access_add
from openprobation.safeguarding.models import SafeguardingCheck
from openprobation.workitems.models import WorkItem
from tests.factories import make_person
from tests.test_api import Api, problem_fields

pytestmark = pytest.mark.django_db


def test_a_cases_work_items_have_the_listed_fields(org, frozen_clock):
    person = make_person(org)  # community order sentenced 5 January 2026, allocated to po
    items = Api("po").get(f"/people/{person.crn}/work-items").json()
    first = next(i for i in items if i["kind"] == "first_appointment")
    assert {"id", "kind", "status", "due_date", "overdue", "owner", "reason"} <= set(first)
    assert (first["status"], first["due_date"], first["overdue"], first["owner"]) == (
        "open",
        "2026-01-12",
        True,
        org.po.code,
    )
    assert "5 working days" in first["reason"] and first["policy_version"] == "timescales-ps2021-v2"


def test_work_item_list_filters_and_leaves_out_cases_the_caller_cannot_see(org, frozen_clock):
    mine = make_person(org)
    theirs = make_person(org, practitioner=org.po_b)
    hidden = make_person(org)
    case_access_add(actor=org.admin.user, person=hidden, staff_code=org.po2.code, kind="restriction", reason="LAO")
    api = Api("spo")
    body = api.get("/work-items", team=org.team_a.code, overdue="true", kind="first_appointment").json()
    assert [i["crn"] for i in body["items"]] == [mine.crn] and body["count"] == 1
    assert api.get("/work-items", practitioner=org.po_b.code).json()["count"] == 0  # team B is not the SPO's
    assert (
        Api("pob").get("/work-items").json()["count"] == WorkItem.objects.filter(person=theirs, status="open").count()
    )
    assert Api("po").get(f"/people/{hidden.crn}/work-items").status_code == 404


def test_complete_then_complete_again_is_a_422_and_changes_nothing(org, frozen_clock):
    person = make_person(org)
    item = WorkItem.objects.get(person=person, kind="first_appointment")
    api = Api("po")
    done = api.post(f"/work-items/{item.pk}/complete", {"completed_on": "2026-11-20", "note": "Seen at court"})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["closed_on"], done.json()["overdue"]) == ("done", "2026-11-20", False)
    again = api.post(f"/work-items/{item.pk}/complete", {})
    assert problem_fields(again) == {"status"}
    item.refresh_from_db()
    assert item.closed_on == dt.date(2026, 11, 20)


def test_cancel_needs_a_reason(org, frozen_clock):
    person = make_person(org)
    item = WorkItem.objects.get(person=person, kind="rosh_screening")
    api = Api("po")
    assert problem_fields(api.post(f"/work-items/{item.pk}/cancel", {"reason": " "})) == {"reason"}
    assert problem_fields(api.post(f"/work-items/{item.pk}/cancel", {})) == {"reason"}
    item.refresh_from_db()
    assert item.status == "open"
    ok = api.post(f"/work-items/{item.pk}/cancel", {"reason": "Screened at court"})
    assert (ok.json()["status"], ok.json()["cancel_reason"]) == ("cancelled", "Screened at court")


def test_enquiry_transitions_through_the_api(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    base = f"/people/{person.crn}/safeguarding-checks"
    created = api.post(base, {"agency": "police_da", "requested_on": "2026-11-02"})
    assert created.status_code == 201, created.content
    check = created.json()
    assert (check["status"], check["due_by"], check["escalated"], check["subject"]) == (
        "awaiting_response",
        "2026-11-16",
        True,
        "person",
    )
    chased = api.post(f"{base}/{check['id']}/chase", {"chased_on": "2026-11-18", "notes": "Emailed"}).json()
    assert [c["chased_on"] for c in chased["chases"]] == ["2026-11-18"]
    answered = api.post(f"{base}/{check['id']}/response", {"received_on": "2026-11-23", "summary": "No trace"})
    assert (answered.json()["status"], answered.json()["escalated"]) == ("response_received", False)

    assessment = api.post(f"/people/{person.crn}/rosh-assessments", {"kind": "review"}).json()
    blocked = api.post(f"/people/{person.crn}/rosh-assessments/{assessment['id']}/complete", {})
    assert problem_fields(blocked) == {"safeguarding_checks"}
    used = api.post(f"{base}/{check['id']}/used-in-assessment", {"assessment_id": assessment["id"]}).json()
    assert (used["status"], used["used_in_assessment"]) == ("used_in_assessment", assessment["id"])
    signed = api.post(f"/people/{person.crn}/rosh-assessments/{assessment['id']}/complete", {}).json()
    assert (signed["status"], signed["completed_by"]) == ("complete", org.po.code)
    closed = api.post(f"{base}/{check['id']}/close", {"reason": "Done"})
    assert problem_fields(closed) == {"status"}


def test_response_before_request_is_a_422_and_changes_nothing(org, frozen_clock):
    person = make_person(org)
    api = Api("po")
    base = f"/people/{person.crn}/safeguarding-checks"
    check = api.post(base, {"agency": "childrens_services", "requested_on": "2026-11-10"}).json()
    bad = api.post(f"{base}/{check['id']}/response", {"received_on": "2026-11-09", "summary": "Early"})
    assert problem_fields(bad) == {"received_on"}
    assert "before the request was made (10 November 2026)" in bad.json()["errors"][0]["message"]
    stored = SafeguardingCheck.objects.get(pk=check["id"])
    assert (stored.status, stored.response_received_on) == ("awaiting_response", None)
    assert problem_fields(api.post(base, {"agency": "police", "requested_on": "2026-11-10"})) == {"agency"}


def test_spo_exception_and_reporting_countersign_through_the_api(org, frozen_clock):
    person = make_person(org)
    po, spo = Api("po"), Api("spo")
    base = f"/people/{person.crn}"
    check = po.post(f"{base}/safeguarding-checks", {"agency": "police_da", "requested_on": "2026-11-10"}).json()
    po.post(f"{base}/safeguarding-checks/{check['id']}/response", {"received_on": "2026-11-20", "summary": "x"})
    assessment = po.post(f"{base}/rosh-assessments", {"kind": "screening"}).json()
    url = f"{base}/rosh-assessments/{assessment['id']}/complete"
    payload = {"indicates_risk": False, "exception_reason": "Court today"}
    assert po.post(url, payload).status_code == 403
    signed = spo.post(url, payload).json()
    assert (signed["status"], signed["exception_by"]) == ("complete", org.spo.code)

    po.post(f"{base}/reporting-changes", {"frequency": "weekly", "reason": "Start"})
    reduction = po.post(f"{base}/reporting-changes", {"frequency": "monthly", "reason": "Progress"}).json()
    assert reduction["status"] == "awaiting_countersignature" and reduction["in_force_from"] is None
    decided = spo.post(f"{base}/reporting-changes/{reduction['id']}/decision", {"approve": True}).json()
    assert (decided["status"], decided["in_force_from"], decided["decided_by"]) == (
        "in_force",
        "2026-11-24",
        org.spo.code,
    )


def test_pdu_overdue_counts(org, frozen_clock):
    person = make_person(org)
    overdue = WorkItem.objects.filter(person=person, status="open", due_date__lt=dt.date(2026, 11, 24)).count()
    rows = Api("hos").get("/work-items/overdue-counts", pdu="N07P1").json()
    assert {r["team"]: r["overdue"] for r in rows} == {"N07T01": overdue, "N07T02": 0}
    assert Api("hos").get("/work-items/overdue-counts", pdu="NOPE").status_code == 404
