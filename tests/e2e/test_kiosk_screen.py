"""The kiosk's 1080 x 1920 portrait touch screen: a wide column, large type, language links big enough
to touch, and no link out of the kiosk's journey (footer, Beta banner). Screenshots are left in
KIOSK_SHOTS (default /tmp/kiosk-shots) to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.extensions import db
from app.kiosk import kiosk as kiosks
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, set_up_kiosk_browser

pytestmark = pytest.mark.postgres
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "/tmp/kiosk-shots"))
# Every link a kiosk page may offer: the kiosk's own pages, booking, checking a booking, languages.
KIOSK_JOURNEY = ("/kiosk/", "/book/", "/manage/", "/language/", "/inclusion/", "/feedback/")
LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => new URL(a.href).pathname)"
SIZE = """(selector) => [...document.querySelectorAll(selector)]
  .map(e => e.getBoundingClientRect()).map(r => [r.width, r.height])"""
TEXT = "main .govuk-body, main .govuk-label, main .govuk-fieldset__legend, main .govuk-radios__label"
FONT = "(selector) => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)"


def _look(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    check_accessibility(page)
    assert [path for path in page.evaluate(LINKS) if not path.startswith(KIOSK_JOURNEY)] == []
    assert page.locator(".govuk-footer a, .govuk-phase-banner a").count() == 0


def test_kiosk_pages_use_the_portrait_screen(browser, live_server, committed):
    world = World()
    world.hub.staff_phone = "+447700900600"
    _device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, bypass_csp=True)
    page = context.new_page()
    set_up_kiosk_browser(page, live_server, token)
    _look(page, "kiosk_start")
    page.get_by_role("button", name="Book an appointment").click()
    page.wait_for_load_state("load")
    _look(page, "kiosk_service")
    column = page.locator("main").bounding_box()
    assert column["width"] >= 900  # not a 520 px column in the middle of a 1080 px screen
    body = page.evaluate(FONT, TEXT)
    assert body >= 24
    targets = page.evaluate(SIZE, ".app-language-switcher__list a, .app-language-switcher__current")
    assert len(targets) == 3 and all(width >= 56 and height >= 56 for width, height in targets)
    page.get_by_role("button", name="Ask for help").click()
    page.wait_for_load_state("load")
    _look(page, "kiosk_help")
    context.close()


def test_the_kiosks_later_and_earliest_dates_buttons_stand_apart(browser, live_server, committed):
    """On the kiosk's time page, 'Show later dates' and 'Show the earliest dates' sat flush together and
    read as one grey bar (found by the walk): they are two buttons with space between them."""
    world = World()
    _device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    context = browser.new_context(viewport={"width": 1024, "height": 768}, java_script_enabled=False)
    page = context.new_page()
    set_up_kiosk_browser(page, live_server, token)
    page.goto(f"{live_server}/book/service")
    page.get_by_label(world.service.name).check()
    page.get_by_role("button", name="Continue").click()
    if page.get_by_label("At a community hub").count():
        page.get_by_label("At a community hub").check()
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Show later dates").click()
    later = page.get_by_role("link", name="Show later dates").bounding_box()
    earliest = page.get_by_role("link", name="Show the earliest dates").bounding_box()
    apart_sideways = earliest["x"] - (later["x"] + later["width"])
    apart_below = earliest["y"] - (later["y"] + later["height"])
    assert max(apart_sideways, apart_below) >= 10, (later, earliest)
    context.close()
