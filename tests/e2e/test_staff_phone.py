"""Staff screens on a 375 px phone, with and without JavaScript (each failed before its fix): one error
summary on the officer's day either way, a map whose numbered stops never sit on one another, and wide
staff tables that scroll in their own region with their caption in view."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from time import monotonic as time_now
from time import sleep

import pytest

from app.extensions import db
from app.timeutil import local_now, local_to_utc
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, officer_with_one_visit, sign_in_browser
from tests.factories import AppointmentFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.postgres
PHONE = {"width": 375, "height": 740}


def _eventually(condition, seconds: float = 5) -> bool:
    deadline = time_now() + seconds
    while time_now() < deadline:
        if condition():
            return True
        sleep(0.1)
    return False


def _tomorrow_page(browser, live_server, javascript: bool):
    """An officer's page for tomorrow, with one visit at 9:00 (too early to check in for)."""
    tomorrow = local_now().date() + timedelta(days=1)
    user = officer_with_one_visit(World(), datetime.combine(tomorrow, time(9)))
    page = browser.new_context(viewport=PHONE, java_script_enabled=javascript, bypass_csp=True).new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/day/{tomorrow.isoformat()}")
    return page


def test_without_javascript_the_officers_day_holds_one_error_summary(browser, live_server, committed):
    page = _tomorrow_page(browser, live_server, javascript=False)
    summaries = page.locator(".govuk-error-summary")
    assert summaries.count() == 0  # none hidden in the page for a script that does not run
    page.get_by_role("button", name="Check in for visit 1").click()  # refused: the page comes back
    summaries.first.wait_for()
    assert summaries.count() == 1 and summaries.is_visible()
    assert "You can check in to this visit from" in summaries.inner_text()
    page.get_by_role("link", name="Could not complete visit 1").click()
    page.get_by_role("button", name="Save", exact=True).click()  # no reason given; never checked in
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert summaries.count() == 1


def test_with_javascript_a_refused_tap_makes_the_one_error_summary(browser, live_server, committed):
    page = _tomorrow_page(browser, live_server, javascript=True)
    assert page.locator(".govuk-error-summary").count() == 0
    for _ in range(2):  # a second refusal replaces the first's summary
        page.get_by_role("button", name="Check in for visit 1").click()
        page.locator("#tap-error").get_by_text("You can check in to this visit from").wait_for()
        assert page.locator(".govuk-error-summary").count() == 1
    assert page.locator("#tap-error").evaluate("box => document.activeElement === box")
    check_accessibility(page)


def test_stops_at_one_place_are_numbered_markers_that_do_not_overlap(browser, live_server, committed):
    """Two visits at one address and the base beside it: each stop is a marker with its number inside,
    none on top of another, and its name shows when it is tapped."""
    world = World()
    day = local_now().date() + timedelta(days=1)
    user = officer_with_one_visit(world, datetime.combine(day, time(9)))
    AppointmentFactory(  # the same address as the first (the factory's), an hour later
        service=world.service, officer=world.officers[0], window_start=local_to_utc(day, time(11))
    )
    db.session.commit()
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, bypass_csp=True)
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/day/{day.isoformat()}")
    stops = page.locator("#route-map .app-map-stop")
    stops.first.wait_for()
    assert stops.all_inner_texts() == ["B", "1", "2"]
    boxes = [stop.bounding_box() for stop in stops.all()]
    for i, a in enumerate(boxes):
        assert a["width"] >= 24 and a["height"] >= 24  # a target a finger can hit (WCAG 2.5.8)
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            assert apart, f"markers overlap: {boxes}"
    assert page.locator(".leaflet-tooltip").count() == 0  # no labels piled on the map
    stops.nth(1).tap()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text() == f"1. {world.service.name}, 12 High Street"
    check_accessibility(page)
    context.close()


def test_a_wide_staff_table_scrolls_in_its_region_with_its_caption_in_view(browser, live_server, committed):
    world = World()
    for n in range(3):
        OfficerFactory(
            first_name=f"Longfirstname{n}", last_name="Surname", skills=[world.skill], areas=[world.area]
        )
    agent = UserFactory(role="agent")
    db.session.commit()
    page = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False).new_page()
    sign_in_browser(page, live_server, agent)
    page.goto(f"{live_server}/agent/capacity")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the page never scrolls sideways
    region = page.get_by_role("region", name="Officer time by community area (hours)")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # the table scrolls inside its region
    caption, box = region.locator("caption").bounding_box(), region.bounding_box()
    assert caption["x"] >= box["x"] and caption["x"] + caption["width"] <= box["x"] + box["width"] + 1
    region.focus()  # keyboard users scroll it with the arrow keys
    page.keyboard.press("ArrowRight")
    assert _eventually(lambda: region.evaluate("r => r.scrollLeft") > 0)  # it scrolls smoothly
    caption = region.locator("caption").bounding_box()
    assert caption["x"] >= box["x"]  # still in view after scrolling
