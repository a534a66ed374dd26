"""Allocating a case in a real browser (Debian's Chromium through Playwright): the SPO opens the team's allocations,
chooses a case and a practitioner, is refused without a justification when the grade policy says otherwise, then
allocates, and sees the practitioner's capacity change on the team page. Each page checked with axe-core."""

from __future__ import annotations

import pytest

from openprobation.people.models import Person
from openprobation.workload import selectors as workload_selectors
from tests.allocation.test_allocation import unallocated
from tests.interfaces.browser import axe_violations, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_spo_allocates_a_case_and_sees_the_capacity_change(page, live_server, org):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    person = unallocated(org, tier="B2")
    sign_in(page, live_server, "spo")
    page.goto(f"{live_server.url}/team/{org.team_a.code}/")
    before = page.locator("#workloads").inner_text()
    assert "0.0%" in before
    page.get_by_role("link", name="Allocations:").click()
    page.wait_for_url(f"**/team/{org.team_a.code}/allocations/")
    assert axe_violations(page) == []
    page.locator("#unallocated-cases").get_by_role("link", name=person.name).click()
    page.wait_for_url(f"**/allocations/{person.crn}/")
    assert "Tier A or B: a probation officer holds the case" in page.locator("#grade-reason").inner_text()
    assert axe_violations(page) == []
    page.get_by_label(f"{org.po2.name} (").check()  # the PSO: against the grade policy
    page.get_by_role("button", name="Allocate the case").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter a justification" in summary.inner_text()
    assert Person.objects.get(pk=person.pk).practitioner is None
    page.get_by_label(f"{org.po.name} (").check()
    page.get_by_label("Instructions to the practitioner").fill("Book the first appointment this week")
    page.get_by_role("button", name="Allocate the case").click()
    page.wait_for_url(f"**/team/{org.team_a.code}/allocations/")
    assert f"Case {person.crn} allocated to {org.po.name}" in page.content()
    page.goto(f"{live_server.url}/team/{org.team_a.code}/")
    (now,) = workload_selectors.workloads(staff=[org.po])
    row = page.locator("#workloads tr", has_text=org.po.name).inner_text()
    assert f"{now.capacity_percent}%" in row and now.capacity_percent > 0
    assert axe_violations(page) == []
    assert problems == []
