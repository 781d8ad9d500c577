"""The second walk's new pages, in a real browser: they pass axe-core's WCAG 2.2 AA checks (the re-plan
date input and its error summary, a cancelled booking, a kiosk nobody has set up). They are plain forms
and links: the page tests in tests/test_second_walk.py drive them without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.appointments.links import manage_url
from app.booking.changes import cancel
from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import Absence
from app.timeutil import local_now, local_to_utc
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility
from tests.factories import PASSWORD, AppointmentFactory, UserFactory

pytestmark = pytest.mark.postgres


def _sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_supervisor_types_a_wrong_day_to_replan_and_is_told_what_is_wrong(browser, live_server, committed):
    from datetime import time

    world = World()
    officer = world.officers[0]
    supervisor = UserFactory(role="supervisor")
    day = local_now().date() + timedelta(days=7)
    db.session.add(Absence(officer=officer, kind="sickness", starts_on=day, ends_on=day))
    start = local_to_utc(day, time(9))
    AppointmentFactory(
        service=world.service, officer=officer, window_start=start, window_end=start + timedelta(hours=2)
    )
    db.session.commit()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _sign_in(page, live_server, supervisor)
    page.goto(f"{live_server}/supervisor/replan?officer={officer.id}")
    check_accessibility(page)
    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Choose").click()
    summary = page.locator(".govuk-error-summary")
    assert "must be a real date" in summary.inner_text()
    check_accessibility(page)
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_role("button", name="Choose").click()
    page.get_by_role("heading", name=f"{officer.name}, ").wait_for()
    context.close()


def test_a_cancelled_booking_and_an_unset_kiosk_are_clear_and_accessible(browser, live_server, committed):
    from datetime import time

    world = World()
    day = local_now().date() + timedelta(days=7)
    start = local_to_utc(day, time(9))
    appointment = AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        window_start=start,
        window_end=start + timedelta(hours=2),
    )
    db.session.commit()
    cancel(appointment, "Not needed")
    db.session.commit()
    kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}{manage_url(appointment, external=False)}")
    page.get_by_role("heading", name="Your appointment has been cancelled").wait_for()
    check_accessibility(page)
    page.get_by_role("button", name=f"Book {world.service.name} again").click()
    page.wait_for_url("**/book/**")
    page.goto(f"{live_server}/kiosk/")
    page.get_by_role("heading", name="This kiosk is not set up").wait_for()
    check_accessibility(page)
    context.close()
