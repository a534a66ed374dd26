"""The pages in a real browser (Debian's Chromium through Playwright): a practitioner's everyday journey.

The browser must load every asset (no 4xx/5xx, no console errors: the CSP would report inline script or style
here), the GOV.UK Frontend JavaScript must run (the error summary takes focus), and the pages must work from
the keyboard.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from openprobation.contacts.models import Contact
from openprobation.contacts.services import contact_record
from openprobation.people.models import Person
from openprobation.risk.services import registration_add
from tests.factories import make_person
from tests.interfaces.browser import sign_in

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "caseload.png"

# Ten made-up cases for the caseload (and its screenshot): name, tier, RoSH registration, next appointment.
CASES = [
    ("Amira", "Begum", "A1", "RVHR", dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)),
    ("Callum", "Doyle", "B2", "RHRH", dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.UTC)),
    ("Grace", "Evans", "C1", "RMRH", None),
    ("Tomasz", "Kowalski", "B1", "RHRH", dt.datetime(2026, 12, 2, 9, 15, tzinfo=dt.UTC)),
    ("Jordan", "Lewis", "D0", "RLRH", dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC)),
    ("Priya", "Nair", "C2", "RMRH", None),
    ("Kwame", "Owusu", "A2", "RVHR", dt.datetime(2026, 11, 25, 15, 45, tzinfo=dt.UTC)),
    ("Siobhan", "Quinn", "B3", None, dt.datetime(2026, 12, 8, 10, 30, tzinfo=dt.UTC)),
    ("Daniel", "Roberts", "", "RLRH", None),
    ("Leah", "Walsh", "C3", "RMRH", dt.datetime(2026, 12, 10, 16, 0, tzinfo=dt.UTC)),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_practitioner_records_a_contact_after_fixing_a_mistake(watched_page, live_server, org, frozen_clock):
    page = watched_page
    people = []
    for first, last, tier, rosh, appointment in CASES:
        person = make_person(org, first_name=first, last_name=last)
        if tier:
            Person.objects.filter(pk=person.pk).update(tier=tier)
        if rosh:
            registration_add(actor=org.po.user, person=person, code=rosh, start_date=dt.date(2026, 3, 2))
        if appointment:
            contact_record(actor=org.po.user, person=person, type="office_appointment", date=appointment)
        people.append(person)

    sign_in(page, live_server)
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "My caseload (10 cases)"
    assert heading.evaluate("h => getComputedStyle(h).fontFamily").lower().startswith("arial")
    if os.environ.get("OPENPROBATION_SCREENSHOTS"):  # refresh the README's screenshot on request only
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("link", name="Callum Doyle").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Callum Doyle"
    assert page.locator("#rosh").get_by_text("RoSH: High").is_visible()
    case_url = page.url

    # First attempt: no contact type chosen. Nothing is saved; the error summary is shown and focused.
    page.get_by_role("link", name="Record a contact").click()
    before = Contact.objects.filter(person=people[1]).count()
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Time of the contact").fill("10:15")
    page.get_by_label("Attended and complied").check()
    page.get_by_label("Notes").fill("Talked about finding work")
    page.get_by_role("button", name="Save contact").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert summary.is_visible()
    assert "Select the type of contact" in summary.inner_text()
    # GOV.UK Frontend focuses the summary when its script has run (a module, after the page has loaded).
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.get_by_label("Notes").input_value() == "Talked about finding work"
    assert Contact.objects.filter(person=people[1]).count() == before

    # The summary links to the field; then fix it and save.
    summary.get_by_role("link", name="Select the type of contact").click()
    page.get_by_label("Office appointment").check()
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(case_url + "activity/#contacts")  # back to the case's activity log
    assert page.locator(".govuk-notification-banner--success").inner_text().count("Contact recorded") == 1
    timeline = page.locator("#contact-timeline")
    assert "Talked about finding work" in timeline.inner_text()
    assert "20 Nov 2026, 10:15" in timeline.inner_text()
    assert Contact.objects.filter(person=people[1]).count() == before + 1

    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_skip_link_is_the_first_tab_stop_and_jumps_to_the_content(watched_page, live_server, org, frozen_clock):
    page = watched_page
    make_person(org)
    sign_in(page, live_server)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
    assert focused == ["Skip to main content", "#main-content"]
    assert page.locator(".govuk-skip-link").is_visible()  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    assert page.problems == []  # type: ignore[attr-defined]
