"""In the browser: a PSO whose case's RoSH has risen requests an escalation to a probation officer from the Risk
section, choosing a contact behind it; the review clock shows on the caseload, the case overview and the team page;
the SPO reads the evidence laid out on the request, is refused accepting without choosing an officer, then accepts,
and the case moves."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.risk.services import registration_add
from tests.escalation.test_escalation import SIGNAL_NOTE, contact, pso_case
from tests.interfaces.browser import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
UTC = dt.UTC


def _as(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, username)


def test_from_a_request_to_an_accepted_escalation(page, live_server, org, frozen_clock):
    person = pso_case(org, first_name="Casey", last_name="Holt")
    registration_add(actor=org.po2.user, person=person, code="RHRH", start_date=dt.date(2026, 11, 20))
    contact(org, person, dt.datetime(2026, 11, 19, 10, tzinfo=UTC), "Told me he has lost his job.")
    contact(org, person, dt.datetime(2026, 11, 21, 9, tzinfo=UTC), SIGNAL_NOTE)
    page.set_viewport_size({"width": 1280, "height": 900})

    _as(page, live_server, "po2")
    page.goto(f"{live_server.url}/case/{person.crn}/risk/")
    page.get_by_role("link", name="Request a risk escalation").click()
    assert page.get_by_label("To MAPPA level 2 (active multi-agency management)").count() == 1
    assert page.get_by_label("CRC to NPS risk-escalation referral").count() == 0  # 2014-2021 only
    page.get_by_label("To a probation officer").check()
    page.get_by_label("What has changed").fill("RoSH raised to high; the partner reports he follows her.")
    page.get_by_label("lost his job", exact=False).check()
    page.get_by_role("button", name="Request the escalation").click()
    assert page.locator("#escalation-status").inner_text() == "Awaiting the receiving manager's review"
    assert "Escalation: 5 working days left" in page.locator("main").inner_text()
    changes = page.locator("#escalation-changes + p + table").inner_text()
    assert "RoSH" in changes and "medium" in changes and "high" in changes and "raised" in changes
    listed = page.locator("#escalation-contacts").inner_text()
    assert "lost his job" in listed and "stalking_harassment" in listed
    detail = page.url

    page.goto(f"{live_server.url}/caseload/")
    assert "Escalation: 5 working days left" in page.get_by_role("row", name=person.crn).inner_text()
    page.goto(f"{live_server.url}/case/{person.crn}/")
    assert "Escalation: 5 working days left" in page.locator("#overview-escalation").inner_text()

    _as(page, live_server, "spo")
    page.goto(f"{live_server.url}/team/{org.team_a.code}/")
    assert "Escalation: 5 working days left" in page.locator("#team-clocks").inner_text()
    page.goto(detail)
    page.get_by_role("link", name="Decide the escalation").click()
    page.get_by_label("Accept: move the case").check()
    page.get_by_role("button", name="Record the decision").click()  # no officer chosen: refused, nothing saved
    assert "Select the probation officer" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Accept: move the case").check()
    page.get_by_label("Probation officer in Camden Team 1 the case moves to").select_option(org.po.code)
    page.get_by_role("button", name="Record the decision").click()
    assert page.locator("#escalation-status").inner_text() == "Accepted: the case has moved"
    assert org.po.name in page.locator("#escalation-decision").inner_text()
    page.goto(f"{live_server.url}/case/{person.crn}/")
    assert page.locator("#overview-escalation").count() == 0  # the clock has stopped
