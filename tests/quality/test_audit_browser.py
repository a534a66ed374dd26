"""Auditing a case in a real browser (Debian's Chromium through Playwright): quality assurance opens a round's
sampled case, reads the record's evidence beside the prompts, judges each key question, and sees the standard's
rating move on the round's page; each page checked with axe-core."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.quality import services
from openprobation.rules import case_audit
from openprobation.rules.ratings import KEY_QUESTIONS
from tests.factories import make_person
from tests.interfaces.browser import axe_violations, scrolls_sideways, sign_in, too_wide
from tests.notifications.test_reminders_browser import watched_page  # noqa: F401 (a fixture)


def _judge_all(page, insufficient: str = "") -> None:
    for standard in case_audit.CASE_STANDARDS:
        for kq in KEY_QUESTIONS:
            name = f"{standard}.{kq}"
            choice = "insufficient" if name == insufficient else "sufficient"
            page.locator(f'input[name="{name}"][value="{choice}"]').check()
    if insufficient:
        page.locator(f'textarea[name="{insufficient}.notes"]').fill("No police check on the new partner")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_auditing_a_case_moves_the_standards_rating(watched_page, live_server, org):  # noqa: F811
    page = watched_page
    first = make_person(org, first_name="Amira", last_name="Begum")
    second = make_person(org, practitioner=org.po_b, first_name="Ben", last_name="Cole")
    made = services.audit_round_create(
        actor=org.qa.user,
        name="Camden and Islington, autumn",
        scope_level="pdu",
        scope_code="N07P1",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 11, 30),
    )
    services.audit_sample_draw(actor=org.qa.user, round_id=made.pk, size=2, seed=11)
    sign_in(page, live_server, "qa")
    page.get_by_role("link", name="Quality", exact=True).click()
    page.get_by_role("link", name="Camden and Islington, autumn").click()
    assessment = page.locator("#standard-assessment")
    assert "Not rated yet" in assessment.inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name=f"Amira Begum ({first.crn})").click()
    assert "RoSH screening" in page.locator("#question-assessment\\.keeping_safe").inner_text()
    assert axe_violations(page) == []
    _judge_all(page)
    page.get_by_role("button", name="Record the audit").click()
    page.wait_for_url(f"**/quality/rounds/{made.pk}/")
    assert "Audit of Amira Begum" in page.locator(".govuk-notification-banner").inner_text()
    assert "Outstanding" in page.locator("#standard-assessment").inner_text()

    page.get_by_role("link", name=f"Ben Cole ({second.crn})").click()
    _judge_all(page, insufficient="assessment.keeping_safe")
    page.locator('textarea[name="assessment.keeping_safe.notes"]').fill("")
    page.get_by_role("button", name="Record the audit").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Say what was missing (assessment, keeping other people safe)" in summary.inner_text()
    assert axe_violations(page) == []
    page.locator('textarea[name="assessment.keeping_safe.notes"]').fill("No police check on the new partner")
    page.get_by_role("button", name="Record the audit").click()
    page.wait_for_url(f"**/quality/rounds/{made.pk}/")
    row = page.locator("#standard-assessment").inner_text()
    assert "Requires improvement" in row and "1 of 2 sufficient" in row
    assert "Outstanding" in page.locator("#standard-planning").inner_text()
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quality_pages_pass_axe_and_fit_a_phone(watched_page, live_server, org):  # noqa: F811
    page = watched_page
    person = make_person(org)
    make_person(org, practitioner=org.po_b)
    for season, ends, judged in (("spring", dt.date(2026, 4, 30), False), ("autumn", dt.date(2026, 10, 31), True)):
        made = services.audit_round_create(actor=org.qa.user, name=f"Camden and Islington, {season}",
                                           scope_level="pdu", scope_code="N07P1", starts_on=ends.replace(day=1),
                                           ends_on=ends)  # fmt: skip
        services.audit_sample_draw(actor=org.qa.user, round_id=made.pk, size=2, seed=3)
        judgements = {f"{s}.{kq}": {"sufficient": judged, "notes": "Thin"}
                      for s in case_audit.CASE_STANDARDS for kq in KEY_QUESTIONS}  # fmt: skip
        for audit_case in made.cases.all():
            services.audit_case_record(actor=org.qa.user, round_id=made.pk, crn=audit_case.person.crn, version=1,
                                       judgements=judgements)  # fmt: skip
        for standard in ("leadership", "staff", "services", "information_and_facilities", "court_work"):
            services.standard_rate(actor=org.qa.user, round_id=made.pk, standard=standard, rating="good",
                                   evidence="Interviews")  # fmt: skip
    services.sfo_notify(actor=org.qa.user, crn=person.crn, offence="murder", offence_date=dt.date(2026, 6, 1),
                        charged_on=dt.date(2026, 6, 2), notified_on=dt.date(2026, 6, 3))  # fmt: skip
    sign_in(page, live_server, "qa")
    paths = ["/quality/", f"/quality/rounds/{made.pk}/", "/quality/rounds/new/", "/quality/league-table/",
             f"/quality/rounds/{made.pk}/override/", f"/quality/rounds/{made.pk}/standards/leadership/",
             "/quality/serious-further-offences/", "/quality/serious-further-offences/new/"]
    violations = []
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        violations += axe_violations(page)
    assert violations == []
    page.goto(f"{live_server.url}/quality/league-table/")
    assert page.locator("#ratings-chart polyline").count() == 1
    assert page.locator("#ratings-chart circle").count() == 2
    assert "Up " in page.locator("#league-table").inner_text()
    page.set_viewport_size({"width": 375, "height": 812})
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        assert not scrolls_sideways(page), (path, too_wide(page))
    assert page.problems == []  # type: ignore[attr-defined]
