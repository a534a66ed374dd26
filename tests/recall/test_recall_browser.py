"""In the browser: a practitioner recommends a recall, the SPO decides to recall (the 24-hour clock shows on the
caseload, the case and the team page), the practitioner chooses the fixed-term recall the rules require, the SPO and
then the head of service countersign, and the countersigned Part A downloads as a PDF whose text reads back."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.interfaces.browser import sign_in
from tests.recall.test_recall_workflow import on_licence

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, username)


def test_from_a_recall_recommendation_to_a_countersigned_part_a(page, live_server, org, frozen_clock):
    person = on_licence(org)
    page.set_viewport_size({"width": 1280, "height": 900})
    _as(page, live_server, "po")
    page.goto(f"{live_server.url}/case/{person.crn}/compliance/")
    page.get_by_role("link", name="Recommend a recall").click()
    page.get_by_label("Circumstances").fill("Found at the victim's address twice this week.")
    page.get_by_label("No further offence").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Start the recommendation").click()
    assert page.locator("#recall-status").inner_text() == "Awaiting the SPO's decision"
    detail = page.url

    _as(page, live_server, "spo")
    page.goto(detail)
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Recall", exact=True).check()
    page.get_by_label("Rationale").fill("The risk to the victim cannot be managed in the community.")
    page.get_by_role("button", name="Record the decision").click()
    assert page.locator("#recall-clock").inner_text() == "Recall: 24h 0m left"
    page.goto(f"{live_server.url}/team/{org.team_a.code}/")
    assert "Recall: 24h 0m left" in page.locator("#team-clocks").inner_text()

    _as(page, live_server, "po")
    page.goto(f"{live_server.url}/caseload/")
    assert "Recall: 24h 0m left" in page.get_by_role("row", name=person.crn).inner_text()
    page.goto(f"{live_server.url}/case/{person.crn}/")
    assert "Recall: 24h 0m left" in page.locator("#overview-recall").inner_text()
    page.goto(detail)
    page.get_by_role("link", name="Choose the recall type").click()
    assert "fixed-term is mandatory" in page.locator("main").inner_text()
    page.get_by_label("Standard recall").check()  # not allowed: refused with the reason, nothing saved
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Reasons for the recall type").fill("No exclusion applies.")
    page.get_by_role("button", name="Save the recall type").click()
    assert "standard recall is not allowed" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Fixed-term recall").check()
    page.get_by_role("button", name="Save the recall type").click()
    assert page.locator("#recall-status").inner_text() == "Awaiting the SPO's countersignature"

    _as(page, live_server, "spo")
    page.goto(detail)
    page.get_by_role("link", name="Countersign as the SPO").click()
    page.get_by_label("Comment").fill("Agreed: the risk is imminent.")
    page.get_by_role("button", name="Countersign").click()
    assert page.locator("#recall-status").inner_text() == "Awaiting the senior manager's countersignature"

    _as(page, live_server, "hos")
    page.goto(detail)
    page.get_by_role("link", name="Countersign as the senior manager").click()
    page.get_by_label("Comment").fill("Endorsed.")
    page.get_by_role("button", name="Countersign").click()
    assert page.locator("#recall-status").inner_text() == "Countersigned: send the Part A"
    href = page.get_by_role("link", name="Download the Part A (PDF)").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    for words in ("Part A: recall report", person.crn, "Fixed-term recall (56 days)",
                  "Found at the victim's address twice this week.", "Agreed: the risk is imminent.", "Endorsed.",
                  "Spo Tester", "Hos Tester"):
        assert words in text, words
