"""Helpers for the browser tests: signing in, and checking a page with axe-core (Deque's accessibility engine,
bundled by the ``axe-playwright-python`` package)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD

_AXE = Axe()


def sign_in(page, live_server, username: str = "po") -> None:
    page.goto(f"{live_server.url}/")
    assert "/sign-in/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/sign-in/" not in url)


def _govuk_conditional_reveal(violation_id: str, node: dict) -> bool:
    """GOV.UK Frontend's conditional reveal sets ``aria-expanded`` on the radio that reveals a question, which
    axe-core does not allow on a radio. It is the design system's documented pattern (the radio says whether its
    question is shown), so that one finding, and only on such a radio, is not counted."""
    return (
        violation_id == "aria-allowed-attr"
        and 'class="govuk-radios__input"' in node.get("html", "")
        and "aria-controls=" in node.get("html", "")
        and all("aria-expanded" in str(check.get("data", "")) for check in node.get("any", []) + node.get("all", []))
    )


def axe_violations(page) -> list[str]:
    """Every axe-core violation on the page as it is now: ``rule: target (help)``, one per failing element."""
    results = _AXE.run(page)
    return [
        f"{page.url} {violation['id']}: {node['target']} ({violation['help']})"
        for violation in results.response["violations"]
        for node in violation["nodes"]
        if not _govuk_conditional_reveal(violation["id"], node)
    ]


def scrolls_sideways(page) -> bool:
    """Whether the page is wider than the window (a phone user would have to scroll sideways)."""
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def too_wide(page) -> list[str]:
    """The innermost elements that reach past the window's right edge (tag, classes, width), to say what to fix."""
    return list(
        page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const clipped = e => {
                    for (let a = e.parentElement; a; a = a.parentElement) {
                        if (["auto", "scroll", "hidden"].includes(getComputedStyle(a).overflowX)) return true;
                    }
                    return false;
                };
                return [...document.querySelectorAll("body *")]
                    .filter(e => e.getBoundingClientRect().right > width + 1 && !clipped(e))
                    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
                    .slice(0, 5)
                    .map(e => {
                        const chain = [];
                        for (let a = e; a && a !== document.body; a = a.parentElement) {
                            const id = a.id ? "#" + a.id : "";
                            chain.unshift(`${a.tagName.toLowerCase()}${id}.${[...a.classList].join(".")}`);
                        }
                        return `${chain.slice(-4).join(" > ")} ${Math.round(e.getBoundingClientRect().right)}px`;
                    });
            }"""
        )
    )
