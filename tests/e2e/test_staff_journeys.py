"""Staff journeys in a real browser: an agent books for a caller; an officer works through a visit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Appointment, SafetySession
from app.timeutil import local_now, local_to_utc
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, officer_with_one_visit, sign_in_browser
from tests.factories import AppointmentFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.postgres


def test_agent_books_for_a_caller(browser, live_server, committed):
    world = World()
    CustomerFactory(
        name="Carol Caller", lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street"
    )
    agent = UserFactory(role="agent")
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in_browser(page, live_server, agent, check_the_page=True)
    page.goto(f"{live_server}/agent/")
    check_accessibility(page)
    page.get_by_label("Name, phone number, postcode or booking reference").fill("carol")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Carol Caller").click()
    check_accessibility(page)
    page.get_by_role("button", name="Book an appointment").click()
    page.get_by_label("Service", exact=True).select_option(world.service.code)
    page.get_by_label("Where", exact=True).select_option("home")
    page.get_by_role("button", name="Show free times").click()
    check_accessibility(page)
    page.locator("input[name=slot]").first.check()
    page.get_by_label("Text message").check()
    page.get_by_label("The caller agrees to texts about this appointment").check()
    page.get_by_role("button", name="Book", exact=True).click()
    # Wait for the page after the redirect: reading it at once races the navigation on a busy machine.
    page.get_by_text(re.compile(r"Booked: reference [A-Z0-9]{4}-[A-Z0-9]{4}")).first.wait_for()
    check_accessibility(page)
    appointment = db.session.query(Appointment).one()
    assert appointment.channel == "phone" and appointment.booked_by_id == agent.id


def test_officer_checks_in_and_out(browser, live_server, committed):
    world = World()
    user = UserFactory(role="officer")
    officer = world.officers[0]
    officer.user = user
    now = local_now().replace(second=0, microsecond=0)  # check-in opens an hour before the window
    AppointmentFactory(
        service=world.service,
        officer=officer,
        window_start=local_to_utc(now.date(), now.time()),
        window_end=local_to_utc(now.date(), now.time()) + timedelta(hours=1),
    )
    db.session.commit()
    page = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740}).new_page()  # a phone
    sign_in_browser(page, live_server, user, check_the_page=True)
    page.goto(f"{live_server}/officer/")
    check_accessibility(page)
    page.get_by_role("button", name="Check in for visit 1").click()
    page.get_by_text("Checked in. When you leave, tap Completed, Nobody in or Could not complete.").wait_for()
    check_accessibility(page)
    assert db.session.query(SafetySession).count() == 1
    page.get_by_role("button", name="Completed for visit 1").click()
    page.get_by_text("Checked out.").wait_for()
    appointment = db.session.query(Appointment).one()
    db.session.refresh(appointment)
    assert appointment.status == "completed"
    assert db.session.query(SafetySession).one().closed_at is not None


def test_route_map_tooltips_show_labels_as_text(browser, live_server, committed):
    """Regression (tidy item 1): tooltips were bound as strings, which Leaflet renders as HTML, so
    markup in a label (here a service name) ran on the officer's phone."""
    world = World()
    world.service.name = '<img src=x onerror="window.injected = true">Council tax'
    later = local_now().replace(second=0, microsecond=0) + timedelta(days=1)
    user = officer_with_one_visit(world, later)
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in_browser(page, live_server, user, check_the_page=True)
    page.goto(f"{live_server}/officer/day/{later.date().isoformat()}")
    stops = page.locator("#route-map .app-map-stop")
    stops.first.wait_for()
    for index in range(stops.count()):
        stops.nth(index).dispatch_event("mouseover")  # what a hover or tap does: opens the tooltip
    tooltip = page.locator(".leaflet-tooltip", has_text="Council tax")
    tooltip.wait_for()
    label = '1. <img src=x onerror="window.injected = true">Council tax, 12 High Street'
    assert tooltip.inner_text() == label
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("window.injected === undefined")
