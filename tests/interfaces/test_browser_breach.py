"""A breach in a real browser (Debian's Chromium): from a missed appointment to the decision to breach, the breach
report drafted with a spelling mistake that the check catches (shown as an error summary), corrected, approved by
the senior probation officer and downloaded as a PDF whose text is read back."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from openprobation.contacts.services import contact_record
from openprobation.enforcement.models import Breach
from tests.factories import make_person
from tests.interfaces.browser import sign_in

UTC = dt.UTC
SECTIONS = {
    "How the person was told": "The requirements were explained at the induction and in writing.",
    "The reasons given and why they were not accepted": "He said he forgot. This was not accepted becuase he was "
                                                         "reminded the day before.",
    "Steps taken to prevent the breach": "Appointments were moved to the afternoon.",
    "Compliance to date": "He attended every appointment until November.",
    "Risk history": "Risk of serious harm has been medium throughout.",
    "Proposal": "The order should continue with additional hours of unpaid work.",
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_from_a_missed_appointment_to_an_approved_breach_report(watched_page, live_server, org, frozen_clock):
    page = watched_page
    person = make_person(org, first_name="Robin", last_name="Hale")
    contact_record(actor=org.po.user, person=person, type="office_appointment",
                   date=dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC), outcome="failed_to_attend_unacceptable",
                   notes="Did not attend; no call")  # fmt: skip
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/case/{person.crn}/compliance/")
    page.get_by_role("link", name="Decide").click()
    page.get_by_label("Unacceptable: breach the order (on licence, recall initiated)").check()
    page.get_by_label("Reason").fill("Said he forgot; not accepted, he was reminded the day before")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"{live_server.url}/case/{person.crn}/compliance/#enforcement")
    assert "Breach to court: 9 working days left" in page.locator("#breach-list").inner_text()

    page.locator("#breach-list").get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Breach")
    page.get_by_role("link", name="Draft the report").click()
    for label, text in SECTIONS.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Check the report").click()
    summary = page.locator("#check-results")
    summary.wait_for()
    assert "“becuase”" in summary.inner_text()
    summary.get_by_role("link").first.click()  # to the section on the report form
    page.get_by_label("The reasons given and why they were not accepted", exact=True).fill(
        "He said he forgot. This was not accepted because he was reminded the day before.")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Check the report").click()
    assert page.locator("#report-status").get_by_text("Check passed").is_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, "spo")
    breach = Breach.objects.get(person=person)
    page.goto(f"{live_server.url}/case/{person.crn}/breaches/{breach.pk}/")
    page.get_by_role("button", name="Approve the breach report").click()
    assert "Approved by the senior probation officer" in page.locator("#breach-steps").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the breach report (PDF)").click()
    pdf = download.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Robin Hale" in text and "23 November 2026" in text and "because he was reminded" in text
    assert "Approved by" in text
    assert page.problems == []  # type: ignore[attr-defined]
