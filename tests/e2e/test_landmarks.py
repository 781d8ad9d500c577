"""Every piece of a page sits in a landmark (axe's "region" rule, a best practice that the WCAG run in
check_accessibility does not include): the Beta banner and the kiosk's bar were outside any, between
the header and <main>, and so was the Back link, so a screen reader user moving by landmarks never met
them. They are now in the header and at the start of <main>, still shown (found by an earlier walk)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.kiosk import kiosk as kiosks
from tests.booking_helpers import World
from tests.e2e.conftest import AXE, set_up_kiosk_browser, sign_in_browser
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


def _outside_landmarks(page) -> list[str]:
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'rule', values: ['region']}})"
    )
    return [node["html"][:120] for v in result["violations"] for node in v["nodes"]]


def _in_landmark(page, selector: str, landmark: str) -> None:
    """It is there, seen, and inside `landmark` (a CSS selector: header, main)."""
    found = page.locator(selector).first
    assert found.is_visible(), selector
    assert found.evaluate(f"el => el.closest('{landmark}') !== null"), (selector, landmark)


def test_the_beta_banner_and_the_back_link_are_in_landmarks_on_resident_pages(
    browser, live_server, committed
):
    world = World()
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{live_server}/")
    _in_landmark(page, ".govuk-phase-banner", "header")
    assert (
        page.locator("header .govuk-phase-banner").get_by_role("link", name="give your feedback").count() == 1
    )
    assert _outside_landmarks(page) == []
    page.goto(f"{live_server}/hubs/{world.hub.code}")  # a page with a Back link ("All community hubs")
    _in_landmark(page, ".govuk-back-link", "main")
    assert _outside_landmarks(page) == []
    for path in ("/book/service", "/hubs/", "/tell-us", "/no-such-page"):
        page.goto(f"{live_server}{path}")
        assert _outside_landmarks(page) == [], path


def test_staff_and_kiosk_pages_keep_everything_in_landmarks(browser, live_server, committed):
    world = World()
    user = UserFactory(role="supervisor")
    _device, token = kiosks.register(world.hub, "Test kiosk")
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{live_server}/sign-in")
    assert _outside_landmarks(page) == []
    sign_in_browser(page, live_server, user)
    page.wait_for_url(lambda url: "/sign-in" not in url)
    for path in ("/supervisor/dashboard", f"/admin/hubs/{world.hub.id}/closures"):
        page.goto(f"{live_server}{path}")
        assert _outside_landmarks(page) == [], path
    kiosk = browser.new_context(bypass_csp=True).new_page()
    set_up_kiosk_browser(kiosk, live_server, token)
    _in_landmark(kiosk, ".app-kiosk-bar", "header")
    _in_landmark(kiosk, ".govuk-phase-banner", "header")
    assert _outside_landmarks(kiosk) == []
