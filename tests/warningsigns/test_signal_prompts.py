"""Warning signs through the record: a contact note or third-party report posted through the API makes a signal
review per signal (grouped while one is open) and the combined rules' items, with their due dates and owners; a
review is closed only by its disposition; a reduction in reporting cannot be countersigned while someone's report
that they feel unsafe is under review. The clock is frozen at Tuesday 24 November 2026, 12:00 UTC: one working day
later is Wednesday 25 November, two is Thursday 26, five is Tuesday 1 December."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from openprobation.cli import main
from openprobation.contacts.services import contact_record, contact_update
from openprobation.core.models import AuditEvent
from openprobation.enforcement.models import EnforcementDecision
from openprobation.people.services import person_create
from openprobation.risk.services import registration_add
from openprobation.sentences.services import LicenceConditionInput, event_create
from openprobation.warningsigns.models import SignalDisposition, SignalEvidence
from openprobation.warningsigns.services import signals_scan_all
from openprobation.workitems import generate
from openprobation.workitems.models import WorkItem
from openprobation.workitems.services import reporting_frequency_request
from tests.factories import make_person
from tests.record.test_api import Api, problem_fields

pytestmark = pytest.mark.django_db

D = dt.date
WED, THU, TUE_1_DEC = D(2026, 11, 25), D(2026, 11, 26), D(2026, 12, 1)
SEED = ("Call from a mental health nurse: Janet says he has been following her to work at 4am and she is scared "
        "of him. She also said he has a new girlfriend.")  # fmt: skip


def licence_case(org, *, disclose: bool = True, crn: str = "L100001"):
    person = person_create(actor=org.admin.user, crn=crn, first_name="Simon", last_name="Marsh",
                           date_of_birth=D(1970, 3, 1), gender="male", team=org.po.team.code)  # fmt: skip
    conditions = [LicenceConditionInput(type="disclose_relationships")] if disclose else []
    event_create(actor=org.admin.user, person=person, offence_code="00101", conviction_date=D(2010, 1, 4),
                 sentence_date=D(2010, 1, 4), sentence_type="licence", length_months=240,
                 release_date=D(2026, 6, 1), licence_conditions=conditions, practitioner=org.po.code)  # fmt: skip
    person.refresh_from_db()
    return person


def post_report(api: Api, person, text: str, type: str = "third_party_report"):
    response = api.post(f"/people/{person.crn}/contacts",
                        {"type": type, "date": "2026-11-24T10:00:00+00:00", "notes": text,
                         "outcome": "not_applicable", "event_number": 1})  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()


def open_items(person, since_pk: int = 0) -> set[tuple[str, str, D, str]]:
    """(kind, signal, due date, owner's code) of the case's open items made after ``since_pk``."""
    return {
        (i.kind, i.signal, i.due_date, i.owner.code if i.owner else "")
        for i in WorkItem.objects.filter(person=person, status="open", pk__gt=since_pk).select_related("owner")
    }


def last_item_pk() -> int:
    return WorkItem.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize(
    ("name", "case", "text", "expected"),
    [
        (
            "stalking_on_licence.rosh_review_police_notification_recall_consideration_police_da_check",
            "licence",
            "Her sister reports that he keeps turning up at her work.",
            {("signal_review", "stalking_harassment", THU, "PO"), ("rosh_review", "", TUE_1_DEC, "PO"),
             ("police_notification", "", WED, "PO"), ("police_da_check", "", WED, "PO"),
             ("recall_consideration", "", WED, "SPO")},
        ),
        (
            "threats_with_domestic_abuse_history.rosh_review_police_notification_police_da_check_no_recall",
            "da_history",
            "Police report: he sent her messages threatening to kill her.",
            {("signal_review", "threats", THU, "PO"), ("rosh_review", "", TUE_1_DEC, "PO"),
             ("police_notification", "", WED, "PO"), ("police_da_check", "", WED, "PO")},
        ),
        (
            "controlling_with_domestic_abuse_history.combined_rule",
            "da_history",
            "His partner says he checks her phone every night and will not let her see her friends.",
            {("signal_review", "controlling_behaviour", THU, "PO"), ("rosh_review", "", TUE_1_DEC, "PO"),
             ("police_notification", "", WED, "PO"), ("police_da_check", "", WED, "PO")},
        ),
        (
            "stalking_on_community_order_without_history.signal_review_only",
            "community",
            "Her sister reports that he keeps turning up at her work.",
            {("signal_review", "stalking_harassment", THU, "PO")},
        ),
        (
            "feels_unsafe.rosh_review_and_police_notification",
            "community",
            "His partner rang to say she does not feel safe at home.",
            {("signal_review", "feels_unsafe", THU, "PO"), ("rosh_review", "", TUE_1_DEC, "PO"),
             ("police_notification", "", WED, "PO")},
        ),
        (
            "new_relationship.police_da_check",
            "community",
            "His sister told me he has a new girlfriend.",
            {("signal_review", "new_relationship", THU, "PO"), ("police_da_check", "", TUE_1_DEC, "PO")},
        ),
        (
            "new_relationship_with_children.police_da_check_and_childrens_services_check",
            "community",
            "His sister told me he has a new girlfriend who has two children under 5 living with her.",
            {("signal_review", "new_relationship", THU, "PO"), ("signal_review", "children", THU, "PO"),
             ("police_da_check", "", TUE_1_DEC, "PO"), ("childrens_services_check", "", TUE_1_DEC, "PO")},
        ),
        (
            "ordinary_note.nothing",
            "licence",
            "Attended unpaid work induction and completed the health and safety briefing.",
            set(),
        ),
    ],
)
def test_combined_rules_through_the_api(org, frozen_clock, name, case, text, expected):
    if case == "licence":
        person = licence_case(org, disclose=False)
    else:
        person = make_person(org)
        # The checks made at sentence are done, so the ones the note calls for are new (an open one is not doubled).
        generate.close_open_items(actor=org.po.user, person=person, kinds=["police_da_check",
                                  "childrens_services_check"], on=D(2026, 1, 6), note="Requested at court")
        if case == "da_history":
            registration_add(actor=org.po.user, person=person, code="REG30", start_date=D(2025, 3, 1))
    before = last_item_pk()
    post_report(Api(org.po.user.username), person, text)
    codes = {org.po.code: "PO", org.spo.code: "SPO"}
    assert {(k, s, due, codes.get(owner, owner)) for k, s, due, owner in open_items(person, before)} == expected
    assert not EnforcementDecision.objects.filter(person=person).exists()


def test_the_seed_pattern_on_a_licence_to_disclose_relationships(org, frozen_clock):
    """The seed case: on licence with a condition to disclose relationships, a nurse reports stalking, her fear and
    a new girlfriend: three reviews quoting their sentences, the combined items, and a possible failure to comply
    awaiting an enforcement decision (a relationship someone else reported)."""
    person = licence_case(org)
    api = Api(org.po.user.username)
    before = last_item_pk()
    contact = post_report(api, person, SEED)
    made = open_items(person, before)
    assert {k for k, *_ in made} == {"signal_review", "rosh_review", "police_notification", "police_da_check",
                                     "recall_consideration", "enforcement_decision"}  # fmt: skip
    assert {s for k, s, *_ in made if k == "signal_review"} == {"stalking_harassment", "feels_unsafe",
                                                                 "new_relationship"}  # fmt: skip
    review = WorkItem.objects.get(person=person, kind="signal_review", signal="stalking_harassment")
    assert "following her to work at 4am" in review.reason
    [decision] = EnforcementDecision.objects.filter(person=person)
    assert (decision.contact_id, decision.failure_outcome, decision.status) == (
        contact["id"], "undisclosed_relationship", "awaiting")
    body = api.get(f"/work-items/{review.pk}/signal-review").json()
    assert body["signal"] == "stalking_harassment" and body["disposition"] is None
    assert [e["evidence"] for e in body["evidence"]] == ["following her"]
    assert body["evidence"][0]["sentence"].startswith("Call from a mental health nurse")


def test_the_same_relationship_disclosed_by_the_person_is_no_failure_to_comply(org, frozen_clock):
    person = licence_case(org)
    post_report(Api(org.po.user.username), person, "He disclosed a new relationship with a woman he met at work.",
                type="office_appointment" if False else "note")
    assert not EnforcementDecision.objects.filter(person=person).exists()
    assert WorkItem.objects.filter(person=person, kind="police_da_check", status="open").exists()


def test_a_repeated_signal_joins_the_open_review_and_a_new_one_follows_its_disposition(org, frozen_clock):
    person = make_person(org)
    api = Api(org.po.user.username)
    post_report(api, person, "His ex-partner says he keeps driving past her house.")
    post_report(api, person, "Police report he was seen waiting outside her house again last night.")
    [review] = WorkItem.objects.filter(person=person, kind="signal_review")
    assert SignalEvidence.objects.filter(work_item=review).count() == 2
    response = api.post(f"/work-items/{review.pk}/disposition",
                        {"outcome": "no_action", "details": "Already known to the police; MARAC referral made."})
    assert response.status_code == 200, response.content
    post_report(api, person, "She reports he followed her into town on Saturday.")
    reviews = WorkItem.objects.filter(person=person, kind="signal_review").order_by("pk")
    assert [r.status for r in reviews] == ["done", "open"]


def test_editing_a_note_prompts_only_what_is_new(org, frozen_clock):
    person = make_person(org)
    contact = contact_record(actor=org.po.user, person=person, type="note",
                             date=dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC), notes="Phoned him about his hours.")
    assert not WorkItem.objects.filter(person=person, kind="signal_review").exists()
    contact = contact_update(actor=org.po.user, person=person, contact_id=contact.pk, version=contact.version,
                             changes={"notes": "Phoned him. He said he has been drinking again."})  # fmt: skip
    contact_update(actor=org.po.user, person=person, contact_id=contact.pk, version=contact.version,
                   changes={"notes": "Phoned him. He said he has been drinking again, daily."})  # fmt: skip
    assert SignalEvidence.objects.filter(contact=contact).count() == 1
    assert WorkItem.objects.filter(person=person, kind="signal_review", signal="substance_relapse").count() == 1


# ---- a review is closed only by its disposition ----------------------------------------------------------------


@pytest.fixture
def review(org, frozen_clock):
    person = make_person(org)
    post_report(Api(org.po.user.username), person, "His partner rang to say she does not feel safe at home.")
    return WorkItem.objects.get(person=person, kind="signal_review")


@pytest.mark.parametrize(
    ("name", "body", "fields"),
    [
        ("no_outcome.refused", {"details": "x"}, {"outcome"}),
        ("no_action_without_reason.refused", {"outcome": "no_action", "details": "  "}, {"details"}),
        ("action_taken_without_link.refused", {"outcome": "action_taken", "details": "Told the police"},
         {"linked_item_id"}),
        ("action_taken_linked_to_another_case.refused", {"outcome": "action_taken", "linked_item_id": 999999},
         {"linked_item_id"}),
    ],
)
def test_a_review_is_not_closed_without_a_disposition(org, review, name, body, fields):
    response = Api(org.po.user.username).post(f"/work-items/{review.pk}/disposition", body)
    if "outcome" in fields and "outcome" not in body:
        assert response.status_code == 422
    else:
        assert problem_fields(response) == fields
    review.refresh_from_db()
    assert review.status == "open" and not SignalDisposition.objects.exists()


@pytest.mark.parametrize("action", ["complete", "cancel"])
def test_a_review_is_not_marked_done_or_cancelled(org, review, action):
    body = {"reason": "bulk tidy"} if action == "cancel" else {"note": "bulk tidy"}
    response = Api(org.po.user.username).post(f"/work-items/{review.pk}/{action}", body)
    assert problem_fields(response) == {"kind"}
    review.refresh_from_db()
    assert review.status == "open"


def test_action_taken_links_what_was_done_and_is_audited(org, review):
    notification = WorkItem.objects.get(person=review.person, kind="police_notification")
    api = Api(org.po.user.username)
    response = api.post(f"/work-items/{review.pk}/disposition",
                        {"outcome": "action_taken", "linked_item_id": notification.pk, "details": "Rang 101."})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done"
    assert body["disposition"]["outcome"] == "action_taken"
    assert body["disposition"]["linked_item"] == notification.pk and body["disposition"]["decided_by"] == org.po.code
    review.refresh_from_db()
    assert review.note.startswith("Action taken: Tell the police")
    assert AuditEvent.objects.filter(action="signal_review.disposed", entity_id=str(review.pk)).count() == 1
    again = api.post(f"/work-items/{review.pk}/disposition", {"outcome": "no_action", "details": "x"})
    assert problem_fields(again) == {"status"}


def test_another_teams_practitioner_cannot_see_or_dispose_a_review(org, review):
    api = Api(org.po_b.user.username)
    assert api.get(f"/work-items/{review.pk}/signal-review").status_code == 404
    response = api.post(f"/work-items/{review.pk}/disposition", {"outcome": "no_action", "details": "x"})
    assert response.status_code == 404


# ---- the countersign block ---------------------------------------------------------------------------------------


def _reduction(org, person):
    reporting_frequency_request(actor=org.po.user, person=person, frequency="weekly", reason="Start of order")
    return reporting_frequency_request(actor=org.po.user, person=person, frequency="fortnightly",
                                       reason="Good progress")  # fmt: skip


def test_a_reduction_cannot_be_countersigned_while_an_unsafe_report_is_under_review(org, review):
    person = review.person
    change = _reduction(org, person)
    spo = Api(org.spo.user.username)
    path = f"/people/{person.crn}/reporting-changes/{change.pk}/decision"
    blocked = spo.post(path, {"approve": True})
    assert problem_fields(blocked) == {"approve"}
    assert "feel unsafe" in blocked.json()["errors"][0]["message"]
    # The review of the report disposed of and the RoSH review done: the reduction may be countersigned.
    po = Api(org.po.user.username)
    notification = WorkItem.objects.get(person=person, kind="police_notification")
    assert po.post(f"/work-items/{review.pk}/disposition",
                   {"outcome": "action_taken", "linked_item_id": notification.pk}).status_code == 200
    assert problem_fields(spo.post(path, {"approve": True})) == {"approve"}  # the RoSH review is still open
    generate.close_open_items(actor=org.po.user, person=person, kinds=["rosh_review"], on=D(2026, 11, 24),
                              note="RoSH review completed", any_relationship=True)  # fmt: skip
    assert spo.post(path, {"approve": True}).status_code == 200


def test_refusing_a_reduction_is_not_blocked(org, review):
    change = _reduction(org, review.person)
    response = Api(org.spo.user.username).post(
        f"/people/{review.person.crn}/reporting-changes/{change.pk}/decision",
        {"approve": False, "reason": "She has said she feels unsafe"},
    )
    assert response.status_code == 200


# ---- pages -------------------------------------------------------------------------------------------------------


def test_the_overview_quotes_the_sentence_and_the_review_page_records_the_disposition(org, review):
    client = Client()
    client.force_login(org.po.user)
    overview = client.get(reverse("web:case", args=[review.person.crn])).content.decode()
    assert "Warning signs to review" in overview
    assert "does not <mark>feel safe</mark>" in overview or "<mark>" in overview
    url = reverse("web:signal-review", args=[review.pk])
    page = client.get(url).content.decode()
    assert "govuk-radios" in page and "<mark>" in page
    refused = client.post(url, {"outcome": "no_action", "details": ""}).content.decode()
    assert "Enter why no action is needed" in refused
    done = client.post(url, {"outcome": "no_action", "details": "Partner has moved to a refuge; police aware."})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == "done" and review.note.startswith("No action: Partner has moved")


# ---- the batch scan ----------------------------------------------------------------------------------------------


def test_the_batch_scan_resumes_and_makes_no_duplicate_prompts(org, frozen_clock):
    person = make_person(org)
    for n, text in enumerate(["Attended. Discussed work.", "He has a new girlfriend.", "Attended, no issues.",
                              "She says he keeps ringing her 30 times a day."]):  # fmt: skip
        contact_record(actor=org.admin.user, person=person, type="note",
                       date=dt.datetime(2026, 11, 20 + n, 9, tzinfo=dt.UTC), notes=text)  # fmt: skip
    # Notes recorded before the scan existed: forget what recording them prompted.
    SignalEvidence.objects.all().delete()
    WorkItem.objects.filter(person=person, kind__in=["signal_review", "police_da_check"]).delete()
    first = signals_scan_all(batch_size=2, stop_after=1)  # stopped after one batch, as after a crash
    assert (first.notes_read, first.finished) == (2, False)
    resumed = signals_scan_all(batch_size=2)
    assert (resumed.notes_read, resumed.notes_with_signals, resumed.finished) == (4, 2, True)
    reviews = set(WorkItem.objects.filter(person=person, kind="signal_review").values_list("signal", flat=True))
    assert reviews == {"new_relationship", "stalking_harassment"}
    signals_scan_all(batch_size=3)  # finished: reads everything again, prompts nothing twice
    assert WorkItem.objects.filter(person=person, kind="signal_review").count() == 2
    assert SignalEvidence.objects.filter(person=person).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_scan_runs_as_a_job_and_from_the_command_line(org, frozen_clock, capsys):
    person = make_person(org)
    contact_record(actor=org.admin.user, person=person, type="note",
                   date=dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC), notes="He has a new girlfriend.")  # fmt: skip
    SignalEvidence.objects.all().delete()
    WorkItem.objects.filter(person=person, kind="signal_review").delete()
    assert main(["jobs", "enqueue", "signals_scan"]) == 0
    assert main(["worker", "--batch", "--no-schedule"]) == 0
    task = DBTaskResult.objects.get()
    assert (task.status, task.return_value["notes_read"], task.return_value["finished"]) == ("SUCCESSFUL", 1, True)
    assert WorkItem.objects.filter(person=person, kind="signal_review", signal="new_relationship").count() == 1
    assert main(["signals", "batch", "--quiet"]) == 0
    assert "1 of 1 notes read; 1 with warning signs; 0 prompted" in capsys.readouterr().out
    assert WorkItem.objects.filter(person=person, kind="signal_review").count() == 1
    assert main(["signals", "batch", "--batch", "0"]) == 2
