"""The quality pages with the Django test client: each page renders for a reader, audits and ratings are for quality
assurance only, a form with mistakes comes back with the error summary and saves nothing, and an override without a
reason is refused. The clock is frozen at Tuesday 24 November 2026, 12:00 UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from openprobation.quality import services
from openprobation.quality.models import AuditJudgement, AuditRound, SeriousFurtherOffence
from openprobation.rules import case_audit
from openprobation.rules.ratings import KEY_QUESTIONS
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db
D = dt.date


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def audit_round(org, frozen_clock):
    for i in range(4):
        make_person(org, practitioner=org.po if i % 2 else org.po_b)
    made = services.audit_round_create(
        actor=org.qa.user,
        name="Autumn 2026",
        scope_level="pdu",
        scope_code="N07P1",
        starts_on=D(2026, 11, 1),
        ends_on=D(2026, 11, 30),
    )
    services.audit_sample_draw(actor=org.qa.user, round_id=made.pk, size=2, seed=7)
    return AuditRound.objects.get(pk=made.pk)


def test_every_quality_page_renders_for_quality_assurance(org, audit_round):
    qa = _client("qa")
    crn = audit_round.cases.first().person.crn
    for url in (
        "/quality/",
        "/quality/rounds/new/",
        f"/quality/rounds/{audit_round.pk}/",
        f"/quality/rounds/{audit_round.pk}/cases/{crn}/",
        f"/quality/rounds/{audit_round.pk}/override/",
        f"/quality/rounds/{audit_round.pk}/standards/leadership/",
        "/quality/league-table/?level=region",
        "/quality/serious-further-offences/",
        "/quality/serious-further-offences/new/",
    ):
        response = qa.get(url)
        assert response.status_code == 200, url
        assert b"style=" not in response.content, url  # the content security policy forbids inline styles


def test_a_practitioner_may_not_see_the_quality_pages(org, audit_round):
    po = _client("po")
    for url in (
        "/quality/",
        f"/quality/rounds/{audit_round.pk}/",
        "/quality/league-table/",
        "/quality/serious-further-offences/",
    ):
        assert po.get(url).status_code == 403, url
    assert b'href="/quality/"' not in po.get("/caseload/").content


def test_auditing_from_the_page_saves_every_judgement_and_refuses_missing_notes(org, audit_round):
    qa = _client("qa")
    audit_case = audit_round.cases.first()
    url = f"/quality/rounds/{audit_round.pk}/cases/{audit_case.person.crn}/"
    data = {"version": "1"}
    for s in case_audit.CASE_STANDARDS:
        for kq in KEY_QUESTIONS:
            data[f"{s}.{kq}"] = "sufficient"
    data["reviewing.keeping_safe"] = "insufficient"
    refused = qa.post(url, data)
    assert refused.status_code == 200 and b"govuk-error-summary" in refused.content
    assert b"Say what was missing (reviewing, keeping other people safe)" in refused.content
    assert not AuditJudgement.objects.exists()
    data["reviewing.keeping_safe.notes"] = "No review after the new partner moved in"
    saved = qa.post(url, data)
    assert saved.status_code == 302 and saved["Location"] == f"/quality/rounds/{audit_round.pk}/"
    assert AuditJudgement.objects.filter(audit_case=audit_case).count() == 12
    page = qa.get(saved["Location"]).content.decode()
    assert "0 of 1 sufficient" in page  # reviewing's keeping other people safe


def test_head_of_service_reads_but_may_not_audit(org, audit_round):
    hos = _client("hos")
    crn = audit_round.cases.first().person.crn
    page = hos.get(f"/quality/rounds/{audit_round.pk}/cases/{crn}/")
    assert page.status_code == 200 and b"Record the audit" not in page.content
    assert (
        hos.post(
            f"/quality/rounds/{audit_round.pk}/override/", {"version": "1", "rating": "good", "reason": "x"}
        ).status_code
        == 403
    )


def test_override_from_the_page_needs_a_reason(org, audit_round):
    qa = _client("qa")
    url = f"/quality/rounds/{audit_round.pk}/override/"
    refused = qa.post(url, {"version": str(audit_round.version), "rating": "inadequate", "reason": "  "})
    assert b"Enter the rating panel&#x27;s reason for the override" in refused.content
    assert AuditRound.objects.get(pk=audit_round.pk).override_rating == ""
    saved = qa.post(
        url, {"version": str(audit_round.version), "rating": "inadequate", "reason": "Weak public protection"}
    )
    assert saved.status_code == 302


def test_notify_a_serious_further_offence_from_the_page(org, frozen_clock):
    person = make_person(org)
    hos = _client("hos")
    saved = hos.post(
        "/quality/serious-further-offences/new/",
        {
            "crn": person.crn,
            "offence": "manslaughter",
            "offence_date_day": "1",
            "offence_date_month": "9",
            "offence_date_year": "2026",
            "charged_on_day": "3",
            "charged_on_month": "9",
            "charged_on_year": "2026",
            "notified_on_day": "4",
            "notified_on_month": "9",
            "notified_on_year": "2026",
        },
    )
    assert saved.status_code == 302
    sfo = SeriousFurtherOffence.objects.get()
    assert sfo.review_due_on == D(2026, 12, 4)
    page = hos.get("/quality/serious-further-offences/").content.decode()
    assert "Manslaughter" in page and "Due 4 Dec 2026" in page
