"""Real-browser tests: Debian's chromium, driven by Playwright, against the app served by gunicorn.

Each test gets its own server process on a free loopback port, serving the same database the test
process seeds (the session's SQLite file, or the PostgreSQL database under TEST_DATABASE_URL), and
emptied after every test like the rest of the suite. Mail goes to a real SMTP server on loopback.

Playwright never downloads a browser here: it launches /usr/bin/chromium (`apt-get install chromium
chromium-driver`). Without it these tests skip with that message; under CI=true a skip fails the run.
"""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.pages import PageChecker
from tests.smtp_server import LoopbackSMTPServer, free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts" / "browser"
# Map tiles come from this made-up host, answered inside the browser with a blank tile, so pages
# with maps behave as in production without the test reaching the internet.
TILE_HOST = "tiles.test"
BLANK_TILE = (PROJECT / "tests" / "browser" / "blank-tile.png").read_bytes()
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Browser tests need Debian's chromium at {CHROMIUM}: "
            "sudo apt-get install chromium chromium-driver (see README, 'Tests')."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class LiveServer:
    url: str
    smtp: LoopbackSMTPServer
    log: Path

    def emails_to(self, address: str) -> list:
        return [m for m in self.smtp.messages if address in m.envelope_recipients]

    def wait_for_email(self, address: str, count: int = 1, timeout: float = 10.0) -> list:
        """Mail is sent after the response, so it may land a moment after the page loads."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.emails_to(address)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(
            f"expected {count} email(s) to {address}, got {self.emails_to(address)}"
        )


@pytest.fixture
def live_server(app, tmp_path):
    """gunicorn serving the app on loopback, on the test database, mailing a loopback SMTP server."""
    smtp = LoopbackSMTPServer().start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    environment = {
        **os.environ,
        "CIRCLES_ENV": "development",
        "SECRET_KEY": "browser-test-secret",
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_SECURITY": "none",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PUBLIC_URL": url,
        "MAP_TILE_URL": f"https://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--threads", "4", "--access-logfile", "-", "app:app",
            ],  # fmt: skip
            cwd=PROJECT, env=environment, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_serving(url, server, log)
        yield LiveServer(url=url, smtp=smtp, log=log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        smtp.stop()


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/privacy", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {url} within 30 s:\n{log.read_text()}")


@dataclass
class Browsing:
    """Opens pages in fresh browser contexts and checks each page the test visits."""

    browser: object
    server: LiveServer
    artefacts: Path
    contexts: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def new_page(self, viewport=None, color_scheme="light", **options):
        """A page in a new context (its own cookies): one per person in a journey."""
        context = self.browser.new_context(
            base_url=self.server.url,
            viewport=viewport or {"width": 1280, "height": 900},
            color_scheme=color_scheme,
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(15_000)
        context.route("**/*", self._only_loopback)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        return PageChecker(page, self.artefacts)

    def _only_loopback(self, route):
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        elif host == TILE_HOST:
            route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def _console(self, page, message):
        if message.type != "error":
            return
        if (
            message.text.startswith("Failed to load resource")
            and message.location["url"] == page.url
        ):
            # Chromium logs a page's own 4xx answer (a 404 page, a form answered 400) this way;
            # that status is the page's, and the tests that ask for it assert it.
            return
        self.problems.append(f"console error: {message.text}")

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server, request):
    """Pages for one test; after it, no page may have logged an error (a CSP refusal, a failed
    script) or asked any host but the app's for anything."""
    artefacts = ARTIFACTS / request.node.name.replace("/", "_")
    shutil.rmtree(artefacts, ignore_errors=True)
    artefacts.mkdir(parents=True)
    session = Browsing(browser=browser, server=live_server, artefacts=artefacts)
    yield session
    session.close()
    assert not session.problems, "\n".join(session.problems)
