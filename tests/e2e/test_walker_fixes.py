"""Found by a fresh-eyes walk through each persona, in a real browser: what the page's JavaScript does."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.timeutil import format_time, local_now, utcnow
from tests.booking_helpers import World
from tests.e2e.conftest import (
    check_accessibility,
    officer_with_one_visit,
    set_up_kiosk_browser,
    sign_in_browser,
)

pytestmark = pytest.mark.postgres


def _officer_on_a_phone(browser, live_server, **context_options):
    """An officer with a visit starting about now (so "On my way" and "Check in" are both offered),
    signed in on a phone-sized browser, on their day."""
    now = local_now().replace(second=0, microsecond=0)
    user = officer_with_one_visit(World(), now)
    context = browser.new_context(viewport={"width": 375, "height": 740}, **context_options)
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/day/{now.date().isoformat()}")
    return context, page


def test_a_tap_saved_with_no_signal_shows_its_time_in_uk_time_on_a_phone_set_to_another_zone(
    browser, live_server, committed
):
    """Kathmandu is 5 hours 45 minutes ahead of London: the phone's own clock would give another
    hour and minute from the one the rest of the page (and the office) uses."""
    context, page = _officer_on_a_phone(browser, live_server, timezone_id="Asia/Kathmandu")
    assert page.evaluate("new Date().getTimezoneOffset()") == -345  # the phone's clock: 5:45 ahead of UTC
    context.set_offline(True)
    before = utcnow()
    page.get_by_role("button", name="Check in for visit 1").click()
    note = page.get_by_text("Check in for visit 1: saved on this phone at")
    note.wait_for()
    after = utcnow()
    shown = note.inner_text()
    uk_times = {format_time(before), format_time(after), format_time(before + timedelta(seconds=30))}
    assert any(f"saved on this phone at {t}, waiting for signal" in shown for t in uk_times), shown
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_on_my_way_is_not_offered_again_once_tapped(browser, live_server, committed, javascript):
    context, page = _officer_on_a_phone(browser, live_server, java_script_enabled=javascript)
    page.get_by_role("button", name="On my way for visit 1").click()
    page.locator(".govuk-notification-banner--success", has_text="Marked on your way.").wait_for()
    page.wait_for_load_state("load")
    assert page.get_by_role("button", name="On my way for visit 1").count() == 0
    assert page.get_by_role("button", name="Check in for visit 1").is_visible()
    context.close()


@pytest.fixture
def world(committed):
    world = World()
    db.session.commit()
    return world


def test_the_kiosk_clears_no_sooner_than_its_warning_says(browser, live_server, world, configure):
    """The warning's words and the page's timer come from one setting: it says 3 seconds, and the
    screen is cleared once they have passed, not before (a browser's timer never fires early)."""
    configure(kiosk_warn_after_ms=1500, kiosk_reset_after_ms=3000)
    _device, token = kiosks.register(world.hub, "Test kiosk")
    db.session.commit()
    page = browser.new_context().new_page()
    set_up_kiosk_browser(page, live_server, token)
    page.get_by_role("button", name="Book an appointment").click()
    page.wait_for_url(re.compile(r"/book/service$"))
    dialog = page.get_by_role("alertdialog", name="Are you still there?")
    dialog.wait_for(state="visible", timeout=15_000)
    shown = time.monotonic()
    assert "This screen will clear in 3 seconds to keep your details private." in dialog.inner_text()
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=30_000)
    # Cleared after the 3 seconds it gave (less the moment the test took to see the warning open).
    assert time.monotonic() - shown > 2
    page.context.close()


def test_the_interpreter_banner_is_read_first_and_passes_axe(browser, live_server, world):
    from tests.factories import AppointmentFactory, CustomerFactory, UserFactory

    caller = CustomerFactory(name="Agnieszka Nowak", interpreter_language="polski")
    visit = AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        customer=caller,
        window_start=utcnow() + timedelta(days=5),
    )
    agent = UserFactory(role="agent")
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()  # for axe's script
    sign_in_browser(page, live_server, agent)
    page.wait_for_url(re.compile(r"/staff/$"))
    for path in (f"/agent/customers/{caller.id}/book", f"/agent/appointments/{visit.id}/move"):
        page.goto(f"{live_server}{path}")
        banner = page.get_by_role("region", name="Interpreter needed")
        assert "Agnieszka Nowak needs an interpreter: Polish." in banner.inner_text()
        check_accessibility(page)
    page.context.close()


@pytest.mark.parametrize("language", ["English", "Polski", "नेपाली"])
def test_the_cookies_page_fits_a_phone_at_400_percent_zoom(browser, live_server, world, language):
    """Its table of cookies pushed the whole page sideways at 320 pixels wide: now it scrolls alone."""
    page = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640}).new_page()
    page.goto(f"{live_server}/cookies")
    if language != "English":
        page.get_by_role("link", name=language).click()
        page.wait_for_load_state("load")
    assert not page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    region = page.locator(".app-table-scroll")
    assert region.get_attribute("role") == "region" and region.locator("table").count() == 1
    region.focus()  # keyboard users can scroll it
    assert region.evaluate("el => el === document.activeElement")
    check_accessibility(page)
    page.context.close()
