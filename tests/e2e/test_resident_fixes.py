"""In a real browser (#18): the council's own look (Arial, its logo, no crown), a dead end that leads to
another hub and the waiting list: axe-clean, and the same with JavaScript off."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Address, Appointment, WaitlistEntry
from tests.booking_helpers import World, off_sick_for_months
from tests.e2e.conftest import check_accessibility
from tests.factories import AreaFactory, HubFactory, OfficerFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def far_world(committed):
    """No officer is free in Devizes (its one is off sick for months); one serves a nearby area with its
    own hub."""
    world = World(officers=0)
    off_sick_for_months(world)
    other = AreaFactory(lat=51.30, lng=-2.05)
    OfficerFactory(skills=[world.skill], areas=[other], base_lat=51.30, base_lng=-2.05)
    world.other_hub = HubFactory(area=other, lat=51.30, lng=-2.05, name="Melksham hub")
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    return world


def test_pages_use_the_councils_look_not_govuks(browser, live_server, far_world):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/")
    fonts = page.evaluate(
        "() => ['main p', 'h1', '.govuk-button', '.govuk-footer'].map("
        "s => getComputedStyle(document.querySelector(s)).fontFamily)"
    )
    assert all(f.startswith("arial") for f in fonts), fonts
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("() => [...document.fonts].map(f => f.family)")
    assert not [f for f in loaded if "Transport" in f]
    assert page.locator("img.app-council-logo").evaluate("img => img.naturalWidth") > 0
    assert page.locator(".govuk-header__logotype, .govuk-footer__crown").count() == 0
    assert "© Wiltshire Council" in page.locator("footer").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="give your feedback").click()
    check_accessibility(page)
    context.close()


def _to_time(page, base, world, where: str):
    page.goto(f"{base}/book/")
    page.get_by_label(world.service.name).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(where).check()
    page.get_by_role("button", name="Continue").click()
    page.locator("input[name=postcode]").fill("SN10 1AB")
    page.get_by_role("button", name="Find address" if where == "At home" else "Find hubs near me").click()
    if where == "At home":
        page.get_by_label("12 High Street, Devizes, SN10 1AB").check()
    else:
        page.get_by_label(world.hub.name).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/book/time"))


@pytest.mark.parametrize("javascript", [True, False])
def test_a_dead_end_leads_to_the_nearest_hub_with_times(browser, live_server, far_world, javascript):
    context = browser.new_context(bypass_csp=True, java_script_enabled=javascript)
    page = context.new_page()
    _to_time(page, live_server, far_world, "At a community hub")
    assert "There are no appointments free at" in page.content()
    if javascript:
        check_accessibility(page)
    page.get_by_role("button", name="Book at Melksham hub instead").click()
    page.locator("input[name=slot]").first.check()
    if javascript:
        check_accessibility(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Full name").fill("Jo Browser")
    page.get_by_label("UK phone number").fill("01380 722000")
    page.get_by_label("Do not remind me").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Book appointment").click()
    page.get_by_text("Appointment booked").first.wait_for()
    appointment = db.session.query(Appointment).one()
    assert appointment.hub_id == far_world.other_hub.id and appointment.customer.phone == "+441380722000"
    context.close()


def test_joining_the_waiting_list(browser, live_server, far_world):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _to_time(page, live_server, far_world, "At home")
    page.get_by_role("link", name="Join the waiting list").click()
    check_accessibility(page)
    page.get_by_label("Full name").fill("Wai Ting")
    page.get_by_label("Text me a link (mobile phones only)").check()  # or "Phone me", for a landline
    page.get_by_label("UK phone number").fill("07700 900123")
    page.get_by_role("button", name="Join the waiting list").click()
    page.get_by_text("You are on the waiting list").first.wait_for()
    check_accessibility(page)
    assert db.session.query(WaitlistEntry).count() == 1
    context.close()
