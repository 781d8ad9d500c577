"""What a walk through the app as each persona found, in a real browser (each failed before its fix)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.kiosk import kiosk as kiosks
from tests.booking_helpers import World
from tests.e2e.conftest import officer_with_one_visit, set_up_kiosk_browser, sign_in_browser

pytestmark = pytest.mark.postgres

# Text drawn in anything but the council's Arial (e.g. the browser's default serif) where GOV.UK
# Frontend's typography classes are not applied.
NOT_ARIAL = """() => [...document.querySelectorAll('body *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .filter(e => e.offsetParent !== null && !/^arial/i.test(getComputedStyle(e).fontFamily))
  .map(e => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40))"""


def test_the_kiosk_bar_is_in_the_councils_font(browser, live_server, committed):
    world = World()
    _device, token = kiosks.register(world.hub, "Test kiosk")
    db.session.commit()
    context = browser.new_context(viewport={"width": 1080, "height": 1400})
    page = context.new_page()
    set_up_kiosk_browser(page, live_server, token)
    assert world.hub.name in page.locator(".app-kiosk-bar").inner_text()
    assert page.evaluate(NOT_ARIAL) == []
    context.close()


def test_help_clears_an_earlier_tap_error_so_the_officer_sees_only_that_help_was_sent(
    browser, live_server, committed
):
    """A refused tap (arriving a day early) leaves its error; pressing help must not show 'There is a
    problem' beside 'Help requested' to an officer who may be in danger."""
    from datetime import datetime, time, timedelta

    from app.timeutil import local_now

    world = World()
    tomorrow = local_now().date() + timedelta(days=1)
    user = officer_with_one_visit(world, datetime.combine(tomorrow, time(9)))
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/day/{tomorrow.isoformat()}")
    page.get_by_role("button", name="Check in for visit 1").click()
    error = page.locator("#tap-error")
    error.wait_for(state="visible")
    page.get_by_role("button", name="Get help now").click()
    page.locator("#sync-status, #help-calls").filter(has_text="Help").first.wait_for(state="visible")
    assert not error.is_visible()
    context.close()


def test_help_after_on_my_way_leaves_no_old_success_above_its_answer(browser, live_server, committed):
    """Found by re-walking the fixes: after "On my way" (the page reloads with "Success: Marked on
    your way") a press of help showed its answer below that stale green banner."""
    from datetime import timedelta

    from app.timeutil import local_now

    world = World()
    now = local_now().replace(second=0, microsecond=0)
    # A visit today ("On my way" is for today's only), whatever the time of day the test runs.
    later = now + timedelta(minutes=5) if (now + timedelta(minutes=5)).date() == now.date() else now
    user = officer_with_one_visit(world, later)
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/day/{later.date().isoformat()}")
    page.get_by_role("button", name="On my way for visit 1").click()
    banner = page.locator(".govuk-notification-banner--success")
    banner.wait_for()
    page.wait_for_load_state("load")  # the reloaded page's script is listening again
    page.get_by_role("button", name="Get help now").click()
    page.locator("#sync-status, #help-calls").filter(has_text="Help").first.wait_for(state="visible")
    assert banner.count() == 0
    context.close()
