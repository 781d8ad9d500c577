"""The 375 px persona walk's layout finding, in a real browser: the re-plan preview on a phone."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.appointments.references import format_reference
from app.extensions import db
from app.models import Absence
from app.timeutil import format_date, local_now, local_to_utc
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, sign_in_browser
from tests.factories import AppointmentFactory, UserFactory

pytestmark = pytest.mark.postgres


def test_a_replan_preview_is_readable_on_a_phone(browser, live_server, configure):
    """Finding 9: at 375 px the table of visits that move was cut off (the To column clipped, the
    travel columns out of sight): each visit is now a summary card with every value on screen."""
    configure(replan_seconds=0.5)
    world = World(officers=2)
    sick, colleague = world.officers
    day = local_now().date() + timedelta(days=7)
    db.session.add(Absence(officer=sick, kind="sickness", starts_on=day, ends_on=day))
    start = local_to_utc(day, time(10))
    visit = AppointmentFactory(
        service=world.service, officer=sick, window_start=start, window_end=start + timedelta(hours=2)
    )
    supervisor = UserFactory(role="supervisor")
    db.session.commit()
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in_browser(page, live_server, supervisor)
    page.goto(f"{live_server}/supervisor/replan?officer={sick.id}&day={day.isoformat()}")
    assert f"is off sick on {format_date(day)}." in page.inner_text("main")  # finding 13: one day
    page.get_by_role("button", name="Preview the re-plan").click()
    card = page.locator(".govuk-summary-card", has_text=format_reference(visit.reference))
    card.wait_for()
    for value in (colleague.name, "Travel to it before", "Travel to it after"):
        cell = card.get_by_text(value).first
        assert cell.is_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (value, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not page.locator("table", has_text="Visits that move").is_visible()
    check_accessibility(page)
    context.close()
