"""The breach pages: the compliance section lists the breach with its countdown, the breach page shows its steps,
the report form saves the draft, the check's problems come back as an error summary, the SPO approves (with an
override reason when the check failed), the report downloads as a PDF; the countdown tag shows on the caseload, the
overview and the team page. Frozen clock: Tuesday 24 November 2026, 12:00 UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.enforcement.models import Breach, BreachReport
from tests.enforcement.test_breach import GOOD_SECTIONS, _breached, text_of

pytestmark = pytest.mark.django_db


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _report_form(breach: Breach, cited: list[int], **sections: str) -> dict[str, object]:
    report = BreachReport.objects.filter(breach=breach).first()
    return {"version": str(report.version if report else 0), "cited": [str(c) for c in cited],
            **{**GOOD_SECTIONS, **sections}}  # fmt: skip


def _post(client: Client, breach: Breach, action: str, **extra: str):
    breach.refresh_from_db()
    report = BreachReport.objects.filter(breach=breach).first()
    version = report.version if action == "check" and report else breach.version
    return client.post(reverse("web:breach", args=[breach.person.crn, breach.pk]),
                       {"action": action, "version": str(version), **extra})  # fmt: skip


def test_the_breach_pages_from_draft_to_approval(org, frozen_clock):
    person, breach, _, breached = _breached(org)
    po, spo = _client(org.po), _client(org.spo)
    compliance = po.get(reverse("web:case-compliance", args=[person.crn])).content.decode()
    url = reverse("web:breach", args=[person.crn, breach.pk])
    assert f'href="{url}"' in compliance and "Breach to court: 9 working days left" in compliance
    for page in (po.get(reverse("web:caseload")), po.get(reverse("web:case", args=[person.crn])),
                 spo.get(reverse("web:team-detail", args=[org.po.team.code]))):  # fmt: skip
        assert "Breach to court: 9 working days left" in page.content.decode()

    page = po.get(url).content.decode()
    assert "Breach became known" in page and "23 Nov 2026" in page and "Not yet" in page
    form_url = reverse("web:breach-report", args=[person.crn, breach.pk])
    form = po.get(form_url).content.decode()
    assert f'value="{breached.pk}" checked' in form  # the breach's failures cited by default
    saved = po.post(form_url, _report_form(breach, [breached.pk], reasons="He said he overslept becuase of work."))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert _post(po, breach, "check").status_code == 302
    page = po.get(url).content.decode()
    assert "The report did not pass its check" in page and "“becuase”" in page
    assert f'href="{form_url}#reasons"' in page

    refused = _post(spo, breach, "approve")
    assert refused.status_code == 200 and "govuk-error-summary" in refused.content.decode()
    assert "approve it only with a reason" in refused.content.decode()
    breach.refresh_from_db()
    assert breach.approved_at is None
    approved = _post(spo, breach, "approve", override_reason="Court listing tomorrow")
    assert approved.status_code == 302
    breach.refresh_from_db()
    assert (breach.approved_by_id, breach.override_reason) == (org.spo.pk, "Court listing tomorrow")
    sent = _post(po, breach, "sent", on_day="24", on_month="11", on_year="2026")
    assert sent.status_code == 302
    pdf = po.get(reverse("web:breach-report-pdf", args=[person.crn, breach.pk]))
    assert pdf["Content-Type"] == "application/pdf" and "becuase" in text_of(pdf.content)


def test_a_practitioner_is_not_offered_approval_and_cannot_approve(org, frozen_clock):
    person, breach, _, breached = _breached(org)
    po = _client(org.po)
    po.post(reverse("web:breach-report", args=[person.crn, breach.pk]), _report_form(breach, [breached.pk]))
    _post(po, breach, "check")
    page = po.get(reverse("web:breach", args=[person.crn, breach.pk])).content.decode()
    assert "Check passed" in page and 'id="approve"' not in page
    assert _post(po, breach, "approve").status_code == 403
    breach.refresh_from_db()
    assert breach.approved_at is None


def test_a_warning_letter_from_the_compliance_section(org, frozen_clock):
    person, _, warned, _ = _breached(org)
    po = _client(org.po)
    compliance = po.get(reverse("web:case-compliance", args=[person.crn])).content.decode()
    letter_url = reverse("web:warning-letter", args=[person.crn, warned.pk])
    assert f'action="{letter_url}"' in compliance and "Generate the warning letter" in compliance
    response = po.post(letter_url)
    assert response["Content-Type"] == "application/pdf"
    assert "First warning" in text_of(response.content)
    assert "Download the warning letter again" in po.get(
        reverse("web:case-compliance", args=[person.crn])).content.decode()


def test_quality_assurance_sees_the_breach_but_cannot_act(org, frozen_clock):
    person, breach, _, _ = _breached(org)
    qa = _client(org.qa)
    page = qa.get(reverse("web:breach", args=[person.crn, breach.pk]))
    assert page.status_code == 200 and 'id="edit-report"' not in page.content.decode()
    assert _post(qa, breach, "outcome", outcome="withdrawn", on_day="24", on_month="11",
                 on_year="2026").status_code == 403  # fmt: skip
    breach.refresh_from_db()
    assert breach.ended_on is None


def test_a_date_in_the_future_is_a_form_error(org, frozen_clock):
    _, breach, _, _ = _breached(org)
    response = _post(_client(org.po), breach, "outcome", outcome="withdrawn", on_day="25", on_month="11",
                     on_year="2026")  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page and "today or in the past" in page
    breach.refresh_from_db()
    assert breach.ended_on is None
    assert dt.date(2026, 11, 24) == breach.started_on
