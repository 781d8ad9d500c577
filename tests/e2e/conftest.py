"""Real-browser tests: Debian's Chromium driven by Playwright against the app served on localhost."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium(*extra_args: str):
    """Debian's Chromium driven by Playwright (skipped where there is none, unless CI requires it)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")
        pytest.skip("needs Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                *extra_args,
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def check_accessibility(page) -> None:
    """axe-core in the browser: no WCAG 2.2 A or AA violations on this page."""
    # A click that navigates returns once the new page has begun to arrive: on a busy machine axe could
    # otherwise check a page still being parsed (it once found the skip link without its text).
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    problems = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} on {page.url}: {v['nodes'][0]['html'][:200]})"
        for v in result["violations"]
    ]
    assert problems == []


def sign_in_browser(page, base: str, user, check_the_page: bool = False) -> None:
    """Sign in through the sign-in page as a person would (checking that page with axe if asked)."""
    page.goto(f"{base}/sign-in")
    if check_the_page:
        check_accessibility(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def set_up_kiosk_browser(page, base: str, token: str, check_the_page: bool = False) -> None:
    """Open the kiosk's activation link and press "Set up this kiosk", as staff do on the kiosk."""
    page.goto(f"{base}/kiosk/activate/{token}")
    if check_the_page:
        check_accessibility(page)
    page.get_by_role("button", name="Set up this kiosk").click()
    page.wait_for_url(f"{base}/kiosk/")


def officer_with_one_visit(world, start_local) -> object:
    """The world's first officer, given a sign-in, with one hour-long visit starting at `start_local`
    (a local datetime); committed, for the browser's server to see. Returns the officer's user."""
    from datetime import timedelta

    from app.extensions import db
    from app.timeutil import local_to_utc
    from tests.factories import AppointmentFactory, UserFactory

    user = UserFactory(role="officer")
    world.officers[0].user = user
    start = local_to_utc(start_local.date(), start_local.time())
    AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        window_start=start,
        window_end=start + timedelta(hours=1),
    )
    db.session.commit()
    return user
