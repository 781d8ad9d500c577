"""What a walk through the app as each persona found, in a real browser (each failed before its fix)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services import kiosk as kiosks
from tests.booking_helpers import World

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
    page.goto(f"{live_server}/kiosk/activate/{token}")
    assert world.hub.name in page.locator(".app-kiosk-bar").inner_text()
    assert page.evaluate(NOT_ARIAL) == []
    context.close()
