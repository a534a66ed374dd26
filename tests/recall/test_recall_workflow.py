"""The licence recall workflow through the API: the practitioner's recommendation, the SPO's decision with its
rationale, the recall type within what the rules allow, the SPO's then the senior manager's countersignature, the
Part A (a real PDF read back) sent within the 24-hour clock, and the decision not to recall with its letter. Bad
transitions are refused with a clear error and change nothing. The clock is frozen at Tuesday 24 November 2026,
12:00 UTC (FTR56 with convictions not excluding: adults' fixed-term recall is 56 days)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader

from openprobation.core import clock
from openprobation.core.models import AuditEvent
from openprobation.recall.models import RecallRecommendation
from openprobation.risk.services import registration_add
from openprobation.sentences.services import event_create
from openprobation.web.audit_words import ACTIONS
from openprobation.workitems.escalations import overdue_items_escalate
from openprobation.workitems.models import WorkItem, WorkItemEscalation
from tests.factories import make_person
from tests.record.test_api import Api, problem_fields

pytestmark = pytest.mark.django_db
D = dt.date
UTC = dt.UTC


def on_licence(org, *, sentence_kind: str = "determinate", length: int | None = 24, youth: bool = False,
               mappa: tuple[str, str] | None = None, **terms: Any):  # fmt: skip
    person = make_person(org, first_name="Jordan", last_name="Reeves")
    event_create(actor=org.admin.user, person=person, offence_code="00101", conviction_date=D(2025, 1, 6),
                 sentence_date=D(2025, 1, 6), sentence_type="licence", length_months=length,
                 release_date=D(2026, 6, 1), sentence_kind=sentence_kind, sentenced_as_youth=youth,
                 practitioner=org.po.code, **terms)  # fmt: skip
    if mappa is not None:
        registration_add(actor=org.admin.user, person=person, code="MAPP", level=mappa[0], category=mappa[1],
                         start_date=D(2026, 6, 1))  # fmt: skip
    return person


def text_of(pdf: bytes) -> str:
    """The PDF's text with its line breaks as spaces (the layout wraps long lines)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


class Flow:
    """The steps through the API, each as its role."""

    def __init__(self, person) -> None:
        self.person = person
        self.po, self.spo, self.hos = Api("po"), Api("spo"), Api("hos")
        self.base = f"/people/{person.crn}/recalls"
        self.id: int | None = None

    @property
    def version(self) -> int:
        return RecallRecommendation.objects.get(pk=self.id).version

    def start(self, **body: Any):
        payload = {"circumstances": "Missed three appointments and was found at the victim's address.",
                   "recall_reason": "no_offence", "alternatives_tried": "Final warning; increased reporting.",
                   **body}  # fmt: skip
        response = self.po.post(self.base, payload)
        if response.status_code == 201:
            self.id = response.json()["id"]
        return response

    def decide(self, decision: str = "recall", api: Api | None = None):
        return (api or self.spo).post(f"{self.base}/{self.id}/decision", {
            "version": self.version, "decision": decision,
            "rationale": "Risk to the victim cannot be managed in the community."})  # fmt: skip

    def choose(self, recall_type: str = "fixed_term", emergency: bool = False):
        return self.po.post(f"{self.base}/{self.id}/recall-type", {
            "version": self.version, "recall_type": recall_type, "emergency": emergency,
            "reasons": "Excluded from nothing; the rules require a fixed-term recall."})  # fmt: skip

    def sign(self, level: str, api: Api | None = None):
        signer = api or (self.spo if level == "spo" else self.hos)
        return signer.post(f"{self.base}/{self.id}/countersignatures", {
            "version": self.version, "level": level, "comment": f"Agreed ({level})."})  # fmt: skip

    def send(self):
        return self.po.post(f"{self.base}/{self.id}/sent", {"version": self.version})

    def state(self) -> dict[str, Any]:
        return self.po.get(f"{self.base}/{self.id}").json()


def test_recall_from_recommendation_to_the_countersigned_part_a_sent_within_the_clock(org, frozen_clock):
    person = on_licence(org)
    flow = Flow(person)
    started = flow.start()
    assert started.status_code == 201, started.content
    assert (started.json()["status"], started.json()["started_by"], started.json()["mappa_level"]) == (
        "awaiting_spo_decision", org.po.code, 0)
    decided = flow.decide()
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (body["status"], body["spo_decided_by"]) == ("recall_decided", org.spo.code)
    # the 24-hour clock: the existing recall_request rule, from the decision
    item = WorkItem.objects.get(person=person, kind="recall_request")
    assert (item.due_at, item.rule_id, item.status) == (frozen_clock + dt.timedelta(hours=24), "recall_request",
                                                        "open")  # fmt: skip
    assert dt.datetime.fromisoformat(body["clock_due_at"]) == item.due_at
    chosen = flow.choose("fixed_term")
    assert chosen.status_code == 200, chosen.content
    answer = chosen.json()["rule_answer"]
    assert (answer["fixed_term_mandatory"], answer["fixed_term_days"], answer["rule_version"]) == (
        True, 56, "ftr56-conviction")
    assert flow.sign("spo").json()["status"] == "awaiting_senior_countersignature"
    assert flow.sign("senior").json()["status"] == "countersigned"
    pdf = flow.po.get(f"{flow.base}/{flow.id}/part-a.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = text_of(pdf.content)
    for words in ("Part A: recall report", "Jordan Reeves", person.crn, "Fixed-term recall (56 days)",
                  "Missed three appointments", "Agreed (spo).", "Agreed (senior).", "Spo Tester", "Hos Tester",
                  "Final warning; increased reporting.", "Risk to the victim cannot be managed"):
        assert words in text, words
    sent = flow.send()
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    item.refresh_from_db()
    assert (item.status, item.note) == ("done", "Part A sent to PPCS")
    actions = list(AuditEvent.objects.filter(crn=person.crn, action__startswith="recall.")
                   .order_by("id").values_list("action", flat=True))  # fmt: skip
    assert actions == ["recall.started", "recall.spo_decided", "recall.type_chosen", "recall.countersigned_spo",
                       "recall.countersigned_senior", "recall.part_a_generated", "recall.sent"]
    assert all(action in ACTIONS for action in actions)


def _unchanged(flow: Flow, response, field: str, before: dict[str, Any]) -> None:
    assert field in problem_fields(response), response.content
    assert flow.state() == before


def test_bad_transitions_are_refused_and_change_nothing(org, frozen_clock):
    flow = Flow(on_licence(org))
    flow.start()
    before = flow.state()
    _unchanged(flow, flow.choose("fixed_term"), "status", before)  # no type before the SPO decides
    _unchanged(flow, flow.sign("spo"), "status", before)  # nothing to countersign
    _unchanged(flow, flow.send(), "status", before)  # nothing to send
    assert flow.decide(api=flow.po).status_code == 403  # a practitioner cannot make the SPO's decision
    flow.decide()
    before = flow.state()
    _unchanged(flow, flow.decide(), "status", before)  # decided twice
    _unchanged(flow, flow.choose("standard"), "recall_type", before)  # fixed-term is mandatory here
    flow.choose("fixed_term")
    before = flow.state()
    _unchanged(flow, flow.sign("senior"), "status", before)  # the SPO countersigns first
    _unchanged(flow, flow.send(), "status", before)  # sending before both countersignatures
    assert flow.sign("spo", api=flow.hos).status_code == 403  # the SPO's countersignature is an SPO's
    flow.sign("spo")
    before = flow.state()
    _unchanged(flow, flow.sign("spo"), "status", before)  # approving twice
    _unchanged(flow, flow.send(), "status", before)  # one countersignature is not enough
    _unchanged(flow, flow.choose("fixed_term"), "status", before)  # no change of type once countersigned
    assert flow.po.get(f"{flow.base}/{flow.id}/part-a.pdf").status_code == 422  # no Part A before both
    flow.sign("senior")
    before = flow.state()
    _unchanged(flow, flow.sign("senior"), "status", before)
    flow.send()
    before = flow.state()
    _unchanged(flow, flow.send(), "status", before)  # sent twice


def test_fixed_term_where_the_rules_forbid_it_is_refused(org, frozen_clock):
    flow = Flow(on_licence(org, mappa=("M2", "M2")))  # MAPPA level 2: standard recall is mandatory under FTR56
    flow.start()
    assert flow.state()["mappa_level"] == 2
    flow.decide()
    before = flow.state()
    refused = flow.choose("fixed_term")
    _unchanged(flow, refused, "recall_type", before)
    assert "not allowed" in refused.json()["errors"][0]["message"]
    assert flow.choose("standard").status_code == 200


@pytest.mark.parametrize(
    ("terms", "recall_type", "emergency", "field"),
    [
        ({"sentence_kind": "extended", "length": None, "custodial_term_months": 36, "extension_period_months": 24},
         "fixed_term", False, "recall_type"),
        ({"sentence_kind": "indeterminate", "length": None, "indeterminate_type": "life", "tariff_months": 120},
         "fixed_term", True, "recall_type"),
        ({"sentence_kind": "indeterminate", "length": None, "indeterminate_type": "life", "tariff_months": 120},
         "standard", False, "emergency"),
    ],
    ids=["extended_fixed_term", "life_fixed_term", "life_not_emergency"],
)
def test_extended_and_indeterminate_sentences_are_recalled_standard(org, frozen_clock, terms, recall_type, emergency,
                                                                    field):  # fmt: skip
    flow = Flow(on_licence(org, **terms))
    flow.start()
    flow.decide()
    before = flow.state()
    _unchanged(flow, flow.choose(recall_type, emergency), field, before)
    assert flow.choose("standard", emergency=True).status_code == 200


def test_a_youth_fixed_term_is_14_days_under_12_months(org, frozen_clock):
    flow = Flow(on_licence(org, length=10, youth=True))
    flow.start(recall_reason="charged")
    flow.decide()
    answer = flow.choose("fixed_term").json()["rule_answer"]
    assert (answer["fixed_term_mandatory"], answer["fixed_term_days"]) == (True, 14)


def test_a_clock_that_passes_its_limit_escalates_to_the_spo(org, frozen_clock, monkeypatch):
    person = on_licence(org)
    flow = Flow(person)
    flow.start()
    flow.decide()
    item = WorkItem.objects.get(person=person, kind="recall_request")
    due = frozen_clock + dt.timedelta(hours=24)
    # at the limit: not yet overdue; a minute after it (the same day), escalated once, to the team's SPO
    overdue_items_escalate(now=due)
    assert not WorkItemEscalation.objects.filter(work_item=item).exists()
    overdue_items_escalate(now=due + dt.timedelta(minutes=1))
    escalation = WorkItemEscalation.objects.get(work_item=item)
    assert (escalation.escalated_to_id, escalation.overdue_since) == (org.spo.pk, D(2026, 11, 25))
    assert AuditEvent.objects.filter(action="work_item.escalated", entity_id=str(item.pk)).count() == 1
    overdue_items_escalate(now=due + dt.timedelta(hours=2))
    assert WorkItemEscalation.objects.filter(work_item=item).count() == 1  # once only


def test_a_recommendation_needs_a_licence_and_only_one_at_a_time(org, frozen_clock):
    community = make_person(org)
    refused = Api("po").post(f"/people/{community.crn}/recalls", {"circumstances": "x", "recall_reason": "charged"})
    assert problem_fields(refused) == {"event"}
    assert not RecallRecommendation.objects.filter(person=community).exists()
    flow = Flow(on_licence(org))
    assert flow.start().status_code == 201
    assert problem_fields(flow.start()) == {"status"}
    assert RecallRecommendation.objects.filter(person=flow.person).count() == 1


def test_a_case_the_user_may_not_see_is_404_and_read_only_roles_are_403(org, frozen_clock):
    flow = Flow(on_licence(org))
    assert Api("pob").post(flow.base, {"circumstances": "x", "recall_reason": "charged"}).status_code == 404
    assert Api("qa").post(flow.base, {"circumstances": "x", "recall_reason": "charged"}).status_code == 403


def test_decision_not_to_recall_with_its_letter(org, frozen_clock):
    person = on_licence(org)
    flow = Flow(person)
    flow.start()
    assert flow.decide("no_recall").json()["status"] == "no_recall_decided"
    assert not WorkItem.objects.filter(person=person, kind="recall_request").exists()  # no clock
    letter_url = f"{flow.base}/{flow.id}/no-recall-letter"
    assert flow.po.get(f"{letter_url}.pdf").status_code == 422  # no letter before its words
    body = {"version": flow.version, "why_considered": "both", "next_appointment": "Office, 1 December 2026 at 10:00",
            "reasons": {"breach": "You missed three appointments.", "rationale": "You have since engaged.",
                        "progress": "You found work.", "views": "You said you understood.",
                        "expectations": "Attend every appointment."}}  # fmt: skip
    missing = {**body, "reasons": {**body["reasons"], "progress": " "}}
    assert "reasons.progress" in problem_fields(flow.po.post(letter_url, missing))
    written = flow.po.post(letter_url, body)
    assert written.status_code == 200 and written.json()["status"] == "no_recall_closed"
    pdf = flow.po.get(f"{letter_url}.pdf")
    assert pdf.status_code == 200
    text = text_of(pdf.content)
    for words in ("DECISION NOT TO RECALL", "Jordan Reeves", "You missed three appointments.", "You found work.",
                  "Attend every appointment.", "Office, 1 December 2026 at 10:00", "Spo Tester", "Po Tester",
                  "your risk has increased and your contact with probation has broken down"):
        assert words in text, words
    assert problem_fields(flow.po.post(letter_url, {**body, "version": flow.version})) == {"status"}
    assert clock.now() == frozen_clock
