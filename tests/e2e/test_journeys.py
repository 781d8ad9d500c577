"""Journeys in a real browser, with axe-core checking every page (WCAG 2.2 AA)."""

from __future__ import annotations

import re
import time

import pytest

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import Address, Appointment
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, set_up_kiosk_browser

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(committed):
    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.add(
        Address(
            uprn="2", line1="14 High Street", town="Devizes", postcode="SN10 1AA", lat=51.3551, lng=-1.9901
        )
    )
    db.session.commit()
    return world


def _book(page, base, world, check=True):
    def step(action):
        if check:
            check_accessibility(page)
        action()

    page.goto(f"{base}/")
    step(lambda: page.get_by_role("button", name="Start now").click())
    step(
        lambda: (
            page.get_by_label(world.service.name).check(),
            page.get_by_role("button", name="Continue").click(),
        )
    )
    step(lambda: (page.get_by_label("At home").check(), page.get_by_role("button", name="Continue").click()))
    step(
        lambda: (
            page.get_by_label("What is the postcode of the address?").fill("sn10 1aa"),
            page.get_by_role("button", name="Find address").click(),
        )
    )
    step(
        lambda: (
            page.get_by_label("12 High Street, Devizes, SN10 1AA").check(),
            page.get_by_role("button", name="Continue").click(),
        )
    )
    step(
        lambda: (
            page.locator("input[name=slot]").first.check(),
            page.get_by_role("button", name="Continue").click(),
        )
    )
    step(
        lambda: (
            page.get_by_label("Full name").fill("Jo Browser"),
            page.get_by_label("UK phone number").fill("07700 900123"),
            page.get_by_label("Text message").check(),
            page.get_by_role("button", name="Continue").click(),
        )
    )
    step(lambda: page.get_by_role("button", name="Book appointment").click())
    if check:
        check_accessibility(page)
    return page.locator(".govuk-panel__body strong").inner_text()


def test_resident_books_moves_and_cancels_with_every_page_accessible(browser, live_server, world):
    context = browser.new_context(
        bypass_csp=True
    )  # lets axe-core be injected; the app's CSP is tested elsewhere
    page = context.new_page()
    reference = _book(page, live_server, world)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
    page.get_by_role("link", name="Manage your appointment").click()
    check_accessibility(page)
    page.get_by_role("button", name="Change the time").click()
    check_accessibility(page)
    page.locator("input[name=slot]").last.check()
    page.get_by_role("button", name="Move appointment").click()
    page.get_by_text("Your appointment has been moved").wait_for()  # the page, not just its start
    page.get_by_role("button", name="Cancel appointment").click()
    check_accessibility(page)
    page.get_by_label("Why are you cancelling? (optional)").fill("Not needed now")
    page.get_by_role("button", name="Cancel appointment").click()
    page.get_by_text("Appointment cancelled").first.wait_for()
    check_accessibility(page)
    appointment = db.session.query(Appointment).one()
    assert appointment.status == "cancelled" and appointment.sequence == 2
    context.close()


def test_resident_journey_works_with_javascript_switched_off(browser, live_server, world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    reference = _book(page, live_server, world, check=False)
    assert reference and db.session.query(Appointment).count() == 1
    context.close()


def test_resident_journey_by_keyboard_alone(browser, live_server, world):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/book/")
    page.keyboard.press("Tab")  # skip link first: keyboard users can jump straight to the content
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.get_by_label(world.service.name).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Continue").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book/where$"))
    context.close()


def test_kiosk_resets_after_inactivity_and_nothing_remains(app, browser, live_server, world, configure):
    configure(kiosk_warn_after_ms=4000, kiosk_reset_after_ms=2000)
    _device, token = kiosks.register(world.hub, "Test kiosk")
    db.session.commit()
    context = browser.new_context()
    page = context.new_page()
    set_up_kiosk_browser(page, live_server, token)
    page.get_by_role("button", name="Book an appointment").click()
    page.get_by_label(world.service.name).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/book/where$"))
    assert world.service.name in page.content()
    page.get_by_role("alertdialog").wait_for(state="visible", timeout=8000)  # "Are you still there?"
    page.wait_for_url(re.compile(r"/kiosk/$"), timeout=15000)
    assert "Welcome to" in page.content()
    page.go_back()
    time.sleep(0.3)
    assert "Where would you like the appointment?" not in page.content()  # the last person's step is gone
    page.goto(f"{live_server}/book/where")
    assert page.url.endswith("/book/service")
    context.close()
