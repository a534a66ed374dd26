"""The work-item and safeguarding API: the fields the issue lists, the same access rules, clear 422s, no changes on
error. Clock frozen at Tuesday 24 November 2026."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openprobation.core.models import AuditEvent
from openprobation.safeguarding.models import SafeguardingCheck
from openprobation.sentences.models import Event
from openprobation.workitems.models import WorkItem
from tests.factories import limit_access, make_person
from tests.record.test_api import Api, problem_fields
from tests.workitems.support import YESTERDAY, build_hand_set_queue, hand_item, new_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def hand_set_queue(org):
    """Items set by hand at the overdue and due-soon boundaries (``tests.test_work_items.build_hand_set_queue``)."""
    return build_hand_set_queue(org)


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
    assert "5 working days" in first["reason"] and first["policy_version"] == "timescales-ps2021-v5"


def test_work_item_list_filters_and_leaves_out_cases_the_caller_cannot_see(org, frozen_clock):
    mine = make_person(org)
    theirs = make_person(org, practitioner=org.po_b)
    hidden = make_person(org)
    limit_access(person=hidden, staff_code=org.po2.code, kind="restriction", reason="LAO")
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
    item = WorkItem.objects.get(person=person, kind="first_appointment")
    api = Api("po")
    assert problem_fields(api.post(f"/work-items/{item.pk}/cancel", {"reason": " "})) == {"reason"}
    assert problem_fields(api.post(f"/work-items/{item.pk}/cancel", {})) == {"reason"}
    item.refresh_from_db()
    assert item.status == "open"
    ok = api.post(f"/work-items/{item.pk}/cancel", {"reason": "Transferred out"})
    assert (ok.json()["status"], ok.json()["cancel_reason"]) == ("cancelled", "Transferred out")


@pytest.mark.parametrize(
    ("kind", "who", "status"),
    [
        ("rosh_screening", "po", 422),
        ("police_da_check", "spo", 422),
        ("childrens_services_check", "po", 422),
        ("reporting_change_countersign", "po", 422),
        ("reporting_change_countersign", "spo", 422),
    ],
    ids=[
        "rosh_screening.complete_the_assessment",
        "police_da_check.record_the_enquiry",
        "childrens_services_check.record_the_enquiry",
        "countersign.practitioner_the_spo_decides",
        "countersign.spo_decides_not_cancels",
    ],
)
def test_cancelling_through_the_api_respects_the_item_kind_and_role(org, frozen_clock, kind, who, status):
    person = make_person(org)
    Api("po").post(f"/people/{person.crn}/reporting-changes", {"frequency": "weekly", "reason": "Start"})
    Api("po").post(f"/people/{person.crn}/reporting-changes", {"frequency": "monthly", "reason": "Progress"})
    item = WorkItem.objects.get(person=person, kind=kind, status="open")
    response = Api(who).post(f"/work-items/{item.pk}/cancel", {"reason": "Not needed"})
    assert response.status_code == status, response.content
    if status == 422:
        assert problem_fields(response) == {"kind"}
    item.refresh_from_db()
    assert item.status == ("cancelled" if status == 200 else "open")


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
    rated = {"rosh_level": "medium", "risk_to": ["public"]}  # what a review records
    blocked = api.post(f"/people/{person.crn}/rosh-assessments/{assessment['id']}/complete", rated)
    assert problem_fields(blocked) == {"safeguarding_checks"}
    used = api.post(f"{base}/{check['id']}/used-in-assessment", {"assessment_id": assessment["id"]}).json()
    assert (used["status"], used["used_in_assessment"]) == ("used_in_assessment", assessment["id"])
    signed = api.post(f"/people/{person.crn}/rosh-assessments/{assessment['id']}/complete", rated).json()
    assert (signed["status"], signed["completed_by"]) == ("complete", org.po.code)
    assert (signed["rosh_level"], signed["risk_to"]) == ("medium", ["public"])
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


def test_pdu_overdue_counts(org, frozen_clock, hand_set_queue):
    # Hand-set items (tests/workitems/support.py): team A has four overdue items the head of service may see (due
    # 10 November and three due yesterday) and four more open (due today, tomorrow, 1 and 2 December); team B one
    # overdue and one due tomorrow. Due today is not overdue; the restricted case is not counted.
    rows = Api("hos").get("/work-items/overdue-counts", pdu="N07P1").json()
    assert {r["team"]: (r["overdue"], r["open"]) for r in rows} == {"N07T01": (4, 8), "N07T02": (1, 2)}
    assert Api("hos").get("/work-items/overdue-counts", pdu="NOPE").status_code == 404


def test_work_item_list_overdue_and_team_filters_count_hand_set_items(org, frozen_clock, hand_set_queue):
    api = Api("spo")
    assert api.get("/work-items", team="N07T01", overdue="true").json()["count"] == 4
    assert api.get("/work-items", team="N07T01", overdue="false").json()["count"] == 4
    assert api.get("/work-items", practitioner="N07A001", overdue="true").json()["count"] == 2
    assert api.get("/work-items", team="N07T01", status="done").json()["count"] == 1


# ---- a page of items is a fixed number of queries -------------------------------------------------------------------


def _queries(api: Api, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path", ["/work-items?team=N07T01", "/people/{crn}/work-items"], ids=["work_item_list", "a_cases_work_items"]
)
def test_a_page_of_work_items_is_a_fixed_number_of_queries(org, frozen_clock, django_assert_num_queries, path):
    person = new_person(org)
    owners = [org.po, org.po2, org.spo, None]
    hand_item(person, org.po, YESTERDAY)
    api = Api("spo")
    url = path.format(crn=person.crn)
    api.get(url)  # warm-up
    one_item = _queries(api, url)
    for i in range(19):
        hand_item(person, owners[i % len(owners)], YESTERDAY + dt.timedelta(days=i))
    with django_assert_num_queries(one_item):
        response = api.get(url)
    items = response.json()["items"] if "items" in response.json() else response.json()
    assert len(items) == 20
    assert {i["team"] for i in items} == {"N07T01"} and {i["crn"] for i in items} == {person.crn}


# ---- page numbers are bounded ---------------------------------------------------------------------------------------

PAGE_BOUNDS = [
    ("work_items.page_1", "/work-items", 1, 200),
    ("work_items.page_1000000", "/work-items", 1_000_000, 200),
    ("work_items.page_1000001", "/work-items", 1_000_001, 422),
    ("work_items.page_10_to_the_20", "/work-items", 100000000000000000000, 422),
    ("work_items.page_0", "/work-items", 0, 422),
    ("people.page_1000000", "/people", 1_000_000, 200),
    ("people.page_1000001", "/people", 1_000_001, 422),
    ("people.page_10_to_the_20", "/people", 100000000000000000000, 422),
    ("contacts.page_10_to_the_20", "/people/{crn}/contacts", 100000000000000000000, 422),
]


@pytest.mark.parametrize(("path", "page", "status"), [b[1:] for b in PAGE_BOUNDS], ids=[b[0] for b in PAGE_BOUNDS])
def test_page_numbers_are_bounded(org, frozen_clock, path, page, status):
    person = make_person(org)
    response = Api("spo").get(path.format(crn=person.crn), page=str(page))
    assert response.status_code == status, response.content
    if status == 422:
        assert problem_fields(response) == {"page"}
    else:
        assert response.json()["page"] == page


# ---- event dates are bounded: from 1 January 1900 to 50 years ahead (24 November 2076) -------------------------------

EVENT = {
    "offence_code": "00101",
    "conviction_date": "2026-11-02",
    "sentence_date": "2026-11-02",
    "sentence_type": "custody",
    "length_months": 24,
}
EVENT_DATE_CASES = [
    ("sentence_date.9999_refused", {"sentence_date": "9999-12-20"}, "sentence_date"),
    ("sentence_date.50_years_ahead", {"sentence_date": "2076-11-24"}, None),
    ("sentence_date.50_years_and_a_day_ahead_refused", {"sentence_date": "2076-11-25"}, "sentence_date"),
    ("release_date.9999_refused", {"release_date": "9999-12-20"}, "release_date"),
    ("release_date.50_years_ahead", {"release_date": "2076-11-24"}, None),
    ("release_date.50_years_and_a_day_ahead_refused", {"release_date": "2076-11-25"}, "release_date"),
    (
        "licence_release_9999_refused",
        {"sentence_type": "licence", "release_date": "9999-12-20"},
        "release_date",
    ),
    (
        "conviction_date.1899_refused",
        {"conviction_date": "1899-12-31", "sentence_date": "1900-01-01"},
        "conviction_date",
    ),
    ("conviction_date.1_january_1900", {"conviction_date": "1900-01-01", "sentence_date": "1900-01-01"}, None),
]


@pytest.mark.parametrize(("change", "field"), [c[1:] for c in EVENT_DATE_CASES], ids=[c[0] for c in EVENT_DATE_CASES])
def test_event_dates_out_of_range_are_a_422_and_nothing_is_saved(org, frozen_clock, change, field):
    person, api = new_person(org), Api("po")
    audit_count = AuditEvent.objects.count()
    response = api.post(f"/people/{person.crn}/events", {**EVENT, **change})
    if field is None:
        assert response.status_code == 201, response.content
        return
    assert problem_fields(response) == {field}
    assert not Event.objects.filter(person=person).exists()
    assert not WorkItem.objects.filter(person=person).exists()
    assert AuditEvent.objects.count() == audit_count


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"release_date": "9999-12-20"}, "release_date"),
        ({"sentence_date": "9999-12-20"}, "sentence_date"),
        ({"termination_date": "9999-12-20", "termination_reason": "completed"}, "termination_date"),
    ],
    ids=["release_date", "sentence_date", "termination_date"],
)
def test_an_event_update_to_a_far_future_date_is_a_422_and_changes_nothing(org, frozen_clock, change, field):
    person, api = new_person(org), Api("po")
    created = api.post(f"/people/{person.crn}/events", EVENT)
    assert created.status_code == 201, created.content
    audit_count = AuditEvent.objects.count()
    response = api.patch(f"/people/{person.crn}/events/1", {"version": 1, **change})
    assert problem_fields(response) == {field}
    event = Event.objects.get(person=person)
    assert (event.version, event.release_date, event.termination_date) == (1, None, None)
    assert not WorkItem.objects.filter(person=person, trigger="sentence_licence_release").exists()
    assert AuditEvent.objects.count() == audit_count


def test_a_custodial_release_date_added_through_the_api_makes_the_first_appointment_due(org, frozen_clock):
    person = new_person(org)
    Api("po").post(f"/people/{person.crn}/events", {**EVENT, "practitioner": org.po.code})
    event = Api("po").get(f"/people/{person.crn}/events/1").json()
    patched = Api("po").patch(
        f"/people/{person.crn}/events/1", {"version": event["version"], "release_date": "2026-11-20"}
    )
    assert patched.status_code == 200, patched.content
    items = Api("po").get(f"/people/{person.crn}/work-items").json()
    assert [(i["kind"], i["due_date"], i["rule_id"]) for i in items] == [
        ("first_appointment", "2026-11-23", "first_appointment.licence")
    ]
