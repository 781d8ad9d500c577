"""The officer's day with no signal, in a real browser: the page is kept by the service worker, a
check-in tap waits on the phone and is sent when signal returns, with the time it was made."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import SafetySession
from app.timeutil import local_now
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, officer_with_one_visit, sign_in_browser

pytestmark = pytest.mark.postgres


def _poll(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.remove()
        found = condition()
        if found:
            return found
        time.sleep(0.3)
    return None


def test_a_check_in_made_with_no_signal_is_sent_later_with_its_real_time(browser, live_server, committed):
    world = World()
    user = officer_with_one_visit(world, local_now().replace(second=0, microsecond=0))
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/phone")
    check_accessibility(page)
    page.get_by_role("button", name="Trust this phone").click()
    page.wait_for_url(f"{live_server}/officer/")
    page.get_by_role("button", name="Arrived for visit 1").wait_for()
    ready = (
        "Promise.race([navigator.serviceWorker.ready.then(() => true),"
        " new Promise((resolve) => setTimeout(() => resolve(false), 30000))])"
    )
    assert page.evaluate(ready), "the service worker did not start"
    page.reload()  # now through the service worker, which keeps a copy
    check_accessibility(page)

    context.set_offline(True)
    page.get_by_role("button", name="Arrived for visit 1").click()
    page.locator("#sync-status", has_text="No signal.").wait_for()
    tapped = local_now()
    assert _poll(lambda: db.session.query(SafetySession).count(), seconds=2) is None  # nothing sent yet
    page.reload()  # still readable with no signal
    assert page.get_by_role("button", name="Arrived for visit 1").is_visible()

    context.set_offline(False)
    page.reload()  # the page sends what waited on the phone
    session = _poll(lambda: db.session.query(SafetySession).one_or_none())
    assert session is not None
    assert abs(session.started_at - tapped) < timedelta(seconds=5)
    assert session.started_received_at - session.started_at >= timedelta(seconds=2)
    context.close()


def test_a_refused_tap_shows_an_error_summary(browser, live_server, committed):
    """With JavaScript the tap is sent in the background; when it is refused the officer sees an error
    summary, focused, on the page they are on (not a status line, and not nothing)."""
    world = World()
    later = local_now().replace(second=0, microsecond=0) + timedelta(hours=3)  # too early to check in
    user = officer_with_one_visit(world, later)
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/day/{later.date().isoformat()}")
    today = later.date() == local_now().date()  # "On my way" is for today's visits (not after 9pm here)
    if today:
        page.get_by_role("button", name="On my way for visit 1").click()
        page.locator(".govuk-notification-banner--success").wait_for()  # "Marked on your way."
        page.wait_for_load_state("load")  # the reloaded page's script is listening again
    page.get_by_role("button", name="Arrived for visit 1").click()
    summary = page.locator("#tap-error")
    summary.get_by_text("You can check in to this visit from").wait_for()
    assert summary.is_visible() and summary.evaluate("box => document.activeElement === box")
    assert page.locator(".govuk-notification-banner--success").count() == 0  # no stale "Success" above
    check_accessibility(page)
    assert _poll(lambda: db.session.query(SafetySession).count(), seconds=1) is None
    context.close()
