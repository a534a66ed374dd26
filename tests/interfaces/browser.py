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


def axe_violations(page) -> list[str]:
    """Every axe-core violation on the page as it is now: ``rule: target (help)``, one per failing element."""
    results = _AXE.run(page)
    return [
        f"{page.url} {violation['id']}: {node['target']} ({violation['help']})"
        for violation in results.response["violations"]
        for node in violation["nodes"]
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
