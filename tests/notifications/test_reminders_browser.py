"""Changing a person's contact details and consent to reminders in a real browser (Debian's Chromium through
Playwright): a mistake shown in the GOV.UK error summary, which takes focus, then fixed and saved; each page checked
with axe-core."""

from __future__ import annotations

import os

import pytest

from openprobation.people.models import Person
from tests.factories import make_person
from tests.interfaces.browser import axe_violations, sign_in


@pytest.fixture
def watched_page(page, live_server):
    """The Playwright page, recording console errors and failed requests to our own server."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and r.url.startswith(live_server.url) else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.problems = problems  # type: ignore[attr-defined]
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_practitioner_records_consent_to_text_reminders(watched_page, live_server, org):
    page = watched_page
    person = make_person(org, first_name="Amira", last_name="Begum")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/case/{person.crn}/personal-details/")
    page.get_by_role("link", name="Change contact details and reminders").click()
    page.wait_for_url(f"**/case/{person.crn}/contact-details/change/")
    assert axe_violations(page) == []
    page.get_by_label("Mobile phone number").fill("0207 946 0000")
    page.locator("#sms_reminders").check()
    page.get_by_role("button", name="Save contact details").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter a UK mobile number, like 07700 900982" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.get_by_label("Mobile phone number").input_value() == "0207 946 0000"  # kept to correct
    assert Person.objects.get(pk=person.pk).mobile_number == ""
    assert axe_violations(page) == []

    page.get_by_label("Mobile phone number").fill("07700 900982")
    page.get_by_role("button", name="Save contact details").click()
    page.wait_for_url(f"**/case/{person.crn}/personal-details/#contact-details")
    section = page.locator("#contact-details + dl").inner_text()
    assert "07700900982" in section
    assert axe_violations(page) == []
    saved = Person.objects.get(pk=person.pk)
    assert (saved.mobile_number, saved.sms_reminders, saved.email_reminders) == ("07700900982", True, False)
    if os.environ.get("OPENPROBATION_SCREENSHOTS"):
        page.locator("#contact-details").scroll_into_view_if_needed()
        page.screenshot(path=os.environ["OPENPROBATION_SCREENSHOTS"] + "/contact-details.png", full_page=False)
    assert page.problems == []
