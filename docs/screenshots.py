"""Take the screenshots used in docs/ from a running demo (make demo, or runserver).

    python docs/screenshots.py [BASE_URL]   # default http://127.0.0.1:8000

Uses Debian's Chromium through Playwright's Python package, like the browser tests.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent / "img"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# (file name, username, path, viewport width)
SHOTS = [
    ("login", None, "/accounts/login/", 1280),
    ("home-executive", "executive", "/o/acme/", 1280),
    ("dashboard", "executive", "/o/acme/dashboard/", 1280),
    ("dashboard-tablet", "executive", "/o/acme/dashboard/", 768),
    ("home-quality-manager", "quality", "/o/acme/", 1280),
    ("people", "quality", "/o/acme/people/", 1280),
    ("org-units", "contributor", "/o/acme/units/", 1280),
    ("home-contributor-phone", "contributor", "/o/acme/", 390),
    ("audit-trail", "auditor", "/o/acme/audit-trail/", 1280),
    ("system", "admin", "/o/acme/system/", 1280),
    ("api-token", "admin", "/accounts/api-token/", 1280),
    ("objectives", "executive", "/o/acme/objectives/", 1280),
    ("objective", "quality", "/o/acme/objectives/OBJ-04/", 1280),
    ("import", "quality", "/o/acme/objectives/import/", 1280),
    ("policy", "executive", "/o/acme/leadership/policy/", 1280),
    ("executive", "auditor", "/o/acme/leadership/executives/", 1280),
    ("risks", "quality", "/o/acme/registers/risks/", 1280),
    ("nonconformities", "quality", "/o/acme/registers/nonconformities/", 1280),
    ("actions", "quality", "/o/acme/actions/", 1280),
    ("reviews", "executive", "/o/acme/reviews/", 1280),
    ("review", "quality", "/o/acme/reviews/3/", 1280),
    ("my-actions-phone", "contributor", "/o/acme/actions/mine/", 390),
    ("quality-board-phone", "contributor", "/o/acme/engagement/board/", 390),
    ("competence-matrix", "quality", "/o/acme/leadership/competence/", 1280),
    ("readiness", "executive", "/o/acme/evidence/readiness/", 1280),
    ("announcements", "quality", "/o/acme/communication/", 1280),
    ("suggestions", "quality", "/o/acme/engagement/suggestions/", 1280),
    ("process", "quality", "/o/acme/leadership/processes/", 1280),
]


def leadership_record(page):
    page.goto(f"{BASE}/o/acme/leadership/executives/")
    page.get_by_role("link", name="Leadership record").first.click()
    page.wait_for_load_state()


def evidence_pack(page):
    """Build a pack (the server must run tasks: a worker, or CELERY_TASK_ALWAYS_EAGER=1),
    screenshot it ready, download it and screenshot the verify page's answer."""
    page.goto(f"{BASE}/o/acme/evidence/")
    page.get_by_role("button", name="Build the pack").click()
    page.get_by_text("Ready to download").first.wait_for(timeout=60_000)
    page.screenshot(path=str(OUT / "evidence-pack-ready.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the pack").click()
    path = OUT / "_pack.zip"
    download.value.save_as(path)
    page.goto(f"{BASE}/o/acme/evidence/verify/")
    page.get_by_label("Evidence pack (.zip)").set_input_files(str(path))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    path.unlink()
    return "evidence-pack-verified"


def member_page(page):
    """An administrator opens a member from People: the change form and the history."""
    page.goto(f"{BASE}/o/acme/people/")
    page.get_by_role("link", name="Carla Diaz").click()
    page.wait_for_load_state()


def leaver_handover(page):
    """A leaver's deactivation page with everything open in their name, one new holder chosen
    for all of it (not confirmed: the demo keeps its leaver)."""
    page.goto(f"{BASE}/o/acme/people/")
    page.get_by_role("link", name="Tom Baker").click()
    page.get_by_role("link", name="Deactivate (leaver)").click()
    page.get_by_label("Give everything to").select_option(label="Quentin Marsh (quality manager)")


# (file name, username, width, steps): pages reached by clicking; a step may save its own
# screenshots and names the last one.
FLOWS = [
    ("leadership-record", "executive", 1280, leadership_record),
    ("people-member", "admin", 1280, member_page),
    ("people-leaver", "admin", 1280, leaver_handover),
    (None, "auditor", 1280, evidence_pack),
]


def _sign_in(page, username: str) -> None:
    page.goto(f"{BASE}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo1234")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, username, path, width in SHOTS:
            context = browser.new_context(viewport={"width": width, "height": 800})
            page = context.new_page()
            if username:
                _sign_in(page, username)
            page.goto(f"{BASE}{path}")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
            context.close()
        for name, username, width, steps in FLOWS:
            context = browser.new_context(viewport={"width": width, "height": 800},
                                          accept_downloads=True)  # fmt: skip
            page = context.new_page()
            _sign_in(page, username)
            name = steps(page) or name
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
