"""The officer's day with no signal, in a real browser: the page is kept by the service worker from its
first opening, a check-in tap waits on the phone and is sent when signal returns, with the time it was
made; and after signing out, or once the session has ended, nothing of the day is readable with no signal."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError

from app.extensions import db
from app.models import Appointment, SafetySession, User
from app.staff.staff import end_sessions
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


READY = (
    "Promise.race([navigator.serviceWorker.ready.then(() => true),"
    " new Promise((resolve) => setTimeout(() => resolve(false), 30000))])"
)


def _saved_on_the_phone(page, seconds: float = 30) -> bool:
    """The page's own address is in the phone's saved pages (the worker saves it in the background)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.evaluate("async () => Boolean(await caches.match(location.href))"):
            return True
        time.sleep(0.3)
    return False


def _first_opening(browser, live_server, block_sign_in_script: bool = False):
    """An officer with one visit today signs in on a phone-sized browser that has never run the service
    worker, and opens their day once; it is then saved on the phone. Returns the browser context, the
    page, the user and the visit's resident's name. With `block_sign_in_script` the sign-in page's script
    that clears the phone does not load (a browser that runs no such script): what is left is the
    sign-out's header and the service worker's own care."""
    user = officer_with_one_visit(World(), local_now().replace(second=0, microsecond=0))
    name = db.session.query(Appointment).one().customer.name
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740})
    if block_sign_in_script:
        context.route("**/static/signed_out.js", lambda route: route.abort())
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.wait_for_url(f"{live_server}/staff/")
    page.goto(f"{live_server}/officer/")  # the first opening: no worker yet
    assert page.evaluate(READY), "the service worker did not start"
    assert _saved_on_the_phone(page), "the day was not saved on the phone"
    return context, page, user, name


def _day_opened_twice(browser, live_server, block_sign_in_script: bool = False):
    """As the walker did: the day opened, then opened again through the service worker."""
    context, page, user, name = _first_opening(browser, live_server, block_sign_in_script)
    page.reload()
    page.get_by_text(name).first.wait_for()
    return context, page, user, name


def _open_with_no_signal(context, page, url: str) -> str:
    """What the phone shows at `url` with no signal: the page's text, or "" where the browser has
    nothing to show (its own error page)."""
    context.set_offline(True)
    try:
        page.goto(url)
    except PlaywrightError:
        return ""
    return page.locator("body").inner_text()


def test_the_day_is_readable_with_no_signal_from_its_first_opening(browser, live_server, committed):
    """Opened once, before the service worker ever ran on this phone: with no signal, a reload still shows
    the day (it once said "This page was not saved on your phone")."""
    context, page, _user, name = _first_opening(browser, live_server)
    context.set_offline(True)
    page.reload()
    assert page.get_by_text(name).first.is_visible()
    assert page.get_by_role("button", name="Check in for visit 1").is_visible()
    assert page.get_by_text("This page was not saved on your phone").count() == 0
    context.close()


@pytest.mark.parametrize("block_sign_in_script", [False, True], ids=["header-and-script", "header-alone"])
def test_after_sign_out_the_day_is_not_readable_with_no_signal(
    browser, live_server, committed, block_sign_in_script
):
    """A lost or shared phone: once the officer has pressed "Sign out", no resident on their day can be
    read on it with no signal, by the sign-out's Clear-Site-Data alone or with the sign-in page's script."""
    context, page, _user, name = _day_opened_twice(browser, live_server, block_sign_in_script)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/sign-in")
    page.get_by_text("You have signed out.").wait_for()
    page.wait_for_load_state("load")
    shown = _open_with_no_signal(context, page, f"{live_server}/officer/")
    assert name not in shown
    assert "12 High Street" not in shown
    assert "Check in for visit 1" not in shown
    context.close()


@pytest.mark.parametrize("block_sign_in_script", [False, True], ids=["worker-and-script", "worker-alone"])
def test_once_the_session_has_ended_the_day_is_not_readable_with_no_signal(
    browser, live_server, committed, block_sign_in_script
):
    """The session ended elsewhere (signed out on another device, a new password, an idle timeout): the
    next opening with signal is sent to sign in, and from then on the phone shows no resident with no
    signal, even without the sign-in page's script (the worker forgets what it saved)."""
    context, page, user, name = _day_opened_twice(browser, live_server, block_sign_in_script)
    end_sessions(db.session.get(User, user.id))
    db.session.commit()
    page.goto(f"{live_server}/officer/")
    page.wait_for_url(f"{live_server}/sign-in?next=/officer/")
    page.wait_for_load_state("load")
    if not block_sign_in_script:
        page.wait_for_function("async () => (await caches.keys()).length === 0")
    shown = _open_with_no_signal(context, page, f"{live_server}/officer/")
    assert name not in shown
    assert "Check in for visit 1" not in shown
    if block_sign_in_script:  # the worker still runs, and says plainly that nothing is saved
        assert "This page was not saved on your phone" in shown
    context.close()


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
    page.get_by_role("button", name="Check in for visit 1").wait_for()
    assert page.evaluate(READY), "the service worker did not start"
    page.reload()  # now through the service worker, which keeps a copy
    check_accessibility(page)

    context.set_offline(True)
    page.get_by_role("button", name="Check in for visit 1").click()
    page.locator("#sync-status", has_text="No signal.").wait_for()
    tapped = local_now()
    assert _poll(lambda: db.session.query(SafetySession).count(), seconds=2) is None  # nothing sent yet
    page.reload()  # still readable with no signal, and the card says the check-in waits on the phone
    assert page.get_by_text("Check in for visit 1: saved on this phone at").is_visible()
    assert page.get_by_role("button", name="Check in for visit 1").count() == 0

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
    # The phone's first opening: the service worker installs and saves the page in the background; let
    # it finish, as a person reading the day does, before the tap whose answer the reload must show.
    assert page.evaluate(READY), "the service worker did not start"
    assert _saved_on_the_phone(page), "the day was not saved on the phone"
    today = later.date() == local_now().date()  # "On my way" is for today's visits (not after 9pm here)
    if today:
        page.get_by_role("button", name="On my way for visit 1").click()
        page.locator(".govuk-notification-banner--success").wait_for()  # "Marked on your way."
        page.wait_for_load_state("load")  # the reloaded page's script is listening again
    page.get_by_role("button", name="Check in for visit 1").click()
    summary = page.locator("#tap-error")
    summary.get_by_text("You can check in to this visit from").wait_for()
    assert summary.is_visible() and summary.evaluate("box => document.activeElement === box")
    assert page.locator(".govuk-notification-banner--success").count() == 0  # no stale "Success" above
    check_accessibility(page)
    assert _poll(lambda: db.session.query(SafetySession).count(), seconds=1) is None
    context.close()


def test_a_tap_still_waiting_on_the_phone_is_sent_before_signing_out(browser, live_server, committed):
    """Signing out clears the phone's storage, where taps made with no signal wait: one that patchy signal
    has not sent yet goes first (it once went with the rest)."""
    context, page, _user, _name = _day_opened_twice(browser, live_server)
    context.set_offline(True)
    page.get_by_role("button", name="Check in for visit 1").click()
    page.locator("#sync-status", has_text="No signal.").wait_for()
    # The card says the check-in waits on the phone, and offers neither it nor "On my way" again.
    page.get_by_text("Check in for visit 1: saved on this phone at").wait_for()
    assert page.get_by_role("button", name="Check in for visit 1").count() == 0
    assert page.get_by_role("button", name="On my way for visit 1").count() == 0
    tried = []

    def lost_on_the_way(route):  # the signal comes and goes
        tried.append(route.request.url)
        route.abort()

    context.route("**/officer/visits/*/arrived", lost_on_the_way)
    context.set_offline(False)
    for _ in range(100):  # the page tries to send it when signal returns, and fails
        if tried:
            break
        page.wait_for_timeout(100)
    assert tried
    assert page.evaluate("JSON.parse(localStorage.getItem('doorstep-officer-queue')).length") == 1
    context.unroute("**/officer/visits/*/arrived")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/sign-in")
    assert _poll(lambda: db.session.query(SafetySession).one_or_none(), seconds=5) is not None
    context.close()


def test_a_queued_tap_the_server_refuses_stays_on_screen(browser, live_server, committed):
    """A check-in tapped with no signal, the page opened again still with none, and the tap refused once
    it is sent (too early): the officer must read "Not recorded" (no safety session runs), not a page
    reloaded over it as if all went well (it once was: the walker's finding of 2 December)."""
    later = local_now().replace(second=0, microsecond=0) + timedelta(hours=3)  # too early to check in
    user = officer_with_one_visit(World(), later)
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/day/{later.date().isoformat()}")
    assert page.evaluate(READY), "the service worker did not start"
    assert _saved_on_the_phone(page), "the day was not saved on the phone"
    context.set_offline(True)
    page.get_by_role("button", name="Check in for visit 1").click()
    page.locator("#sync-status", has_text="No signal.").wait_for()
    page.reload()  # opened again with no signal: the tap still waits, and its card still says so
    page.locator("#sync-status", has_text="waiting on this phone").wait_for()
    assert page.get_by_text("waiting for signal to send it").is_visible()
    assert page.get_by_role("button", name="Check in for visit 1").count() == 0
    context.set_offline(False)  # signal back: the page sends it, and the server refuses it
    summary = page.locator("#tap-error")
    summary.get_by_text("Not recorded").wait_for()
    page.wait_for_timeout(2000)  # a reload over it came within a moment
    assert summary.get_by_text("Not recorded").is_visible()
    assert db.session.query(SafetySession).count() == 0
    context.close()
