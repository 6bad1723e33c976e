"""Browser tests: Playwright's Python package driving Debian's Chromium (no browser download).

Screenshots land in test-artifacts/ so a person can look at what the tests saw.
"""

import os
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from tests.snapshot import Snapshot

CHROMIUM = os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium")
# Tests run as root on a closed network: no sandbox, no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Bootstrap skips its menu animations for people who ask for less motion; a click that
    # lands while a menu is still sliding open under a loaded CI machine is then impossible.
    "--force-prefers-reduced-motion",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server (on a free port: every test worker has its own), stopped
    before the test database is dropped, so that its connections do not keep the drop out."""
    return live_server


@pytest.fixture(scope="session")
def _demo_snapshot() -> dict:
    return {}


@pytest.fixture
def demo(transactional_db, _demo_snapshot):
    """The demo organisation, committed, for the live server to show: seeded by the first
    browser test of this test worker that asks for it, and put back from a snapshot of that
    for every later one (tests/snapshot.py), since each test may change what it shows."""
    if "demo" not in _demo_snapshot:
        call_command("seed_demo", verbosity=0)
        _demo_snapshot["demo"] = Snapshot.take()
    else:
        _demo_snapshot["demo"].restore()
        ContentType.objects.clear_cache()  # ids as in the snapshot, not as after the flush


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
