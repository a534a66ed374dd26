"""Fixtures for the browser tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def watched_page(page, live_server):
    """The Playwright page, recording console errors and failed requests to our own server."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and r.url.startswith(live_server.url)
            else None
        ),
    )
    # A request the browser itself abandoned because the test moved to the next page (the icon of a page left before
    # it loaded: net::ERR_ABORTED) is not a failure of the service; every other failed request is.
    page.on(
        "requestfailed",
        lambda r: None if r.failure == "net::ERR_ABORTED" else problems.append(f"request failed: {r.url} {r.failure}"),
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.problems = problems  # type: ignore[attr-defined]
    return page
