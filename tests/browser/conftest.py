"""Browser fixtures: the application served on loopback from a thread, a headless Chromium, and pages
that fail the test on any script error or Content-Security-Policy violation."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import IN_CI
from tests.reporting.conftest import install_communities

CHROMIUM_PATHS = ("/usr/bin/chromium",)
# Without the background-networking flags Chromium keeps trying to reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

# The page cannot report a CSP violation to the console in every case (e.g. a blocked inline handler
# from injected markup), so the document's own event is forwarded there too.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def chromium_executable() -> str | None:
    for path in CHROMIUM_PATHS:
        if Path(path).is_file():
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The shared application on a free loopback port; it reads and writes the test database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    if executable is None:
        message = "Chromium not installed: apt-get install chromium"
        if IN_CI:
            pytest.fail(f"{message} (CI must run the browser tests, not skip them)", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """Console errors, uncaught exceptions and CSP violations seen by every page of one test."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.allowed: list[str] = []

    def allow(self, text: str) -> None:
        """A report containing this text is one the test provokes on purpose."""
        self.allowed.append(text)

    def unexpected(self) -> list[str]:
        return [item for item in self.items if not any(text in item for text in self.allowed)]

    def watch(self, page: Page) -> None:
        page.on("console", lambda msg: self.items.append(f"{page.url}: console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda error: self.items.append(f"{page.url}: uncaught {error}"))


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def new_page(browser: Browser, live_server: str, page_problems: PageProblems) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh browser context: a different person with their own cookies.

    Nothing bypasses the site's Content-Security-Policy, so the tests see what a visitor's browser enforces.
    """
    contexts: list[BrowserContext] = []

    def open_page(viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(base_url=live_server, viewport=viewport or DESKTOP)
        context.set_default_timeout(10_000)
        context.add_init_script(_REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page_problems.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    problems = page_problems.unexpected()
    assert not problems, "The browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()



@pytest.fixture
def demo(app: Flask) -> Iterator[None]:
    """The demo data, seeded as `make run` seeds it: the longest content the service shows (a record with ten
    versions, three commitments and a signed agreement, a report card with every table filled). The clock stays
    where the demo's dates expect it for the whole test, and the server thread shares this process's clock."""
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=UTC)):
        install_communities()
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        yield
