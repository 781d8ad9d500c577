"""The field board with an open Help alert, and a resident's page after nobody was in, in a real browser:
no WCAG 2.2 AA problems found by axe, at a desk and on a phone. Screenshots go to $SHOTS if it is set."""

from __future__ import annotations

import os
import re
from datetime import timedelta

from app.appointments.links import manage_url
from app.extensions import db
from app.safety import safety
from app.timeutil import utcnow
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, sign_in_browser
from tests.factories import AppointmentFactory, UserFactory
from tests.safety_helpers import supervisor_on_duty

SHOTS = os.environ.get("SHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_board_s_alert_banner_and_the_resident_s_outcome_pass_axe(browser, live_server, committed):
    world = World(officers=2)
    officer, other = world.officers
    officer.first_name, officer.last_name, officer.phone = "Aisha", "Adams", "+447700900900"
    officer.user, other.user = UserFactory(role="officer"), UserFactory(role="officer")
    now = utcnow().replace(second=0, microsecond=0)
    heading = AppointmentFactory(
        service=world.service, officer=officer, window_start=now + timedelta(minutes=30)
    )
    missed = AppointmentFactory(
        service=world.service,
        officer=other,
        window_start=now - timedelta(minutes=50),
        address_line1="3 Mill Lane",
    )
    supervisor = supervisor_on_duty()
    db.session.commit()
    safety.on_my_way(heading, officer, officer.user)
    safety.help_now(None, officer, officer.user, via="web, session")
    safety.arrive(missed, other, other.user, at=now - timedelta(minutes=45))
    safety.finish(missed, other, other.user, "no_show", at=now - timedelta(minutes=30))
    db.session.commit()

    for viewport, name in (
        ({"width": 1280, "height": 900}, "desk"),
        ({"width": 375, "height": 740}, "phone"),
    ):
        page = browser.new_context(bypass_csp=True, viewport=viewport).new_page()
        sign_in_browser(page, live_server, supervisor)
        page.goto(f"{live_server}/supervisor/field")
        banner = page.locator("#open-alerts")
        assert "Help requested" in banner.inner_text() and "Aisha Adams" in banner.inner_text()
        check_accessibility(page)
        _shot(page, f"field-alert-{name}")
        page.get_by_role("link", name=re.compile("Open the alert for Aisha Adams")).click()
        page.wait_for_url(re.compile(r"/supervisor/alerts#alert-\d+$"))
        page.context.close()

    resident = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740}).new_page()
    resident.goto(re.sub(r"^https?://[^/]+", live_server, manage_url(missed)))
    assert "nobody was in" in resident.locator("#visit-outcome").inner_text()
    check_accessibility(resident)
    _shot(resident, "manage-nobody-in")


def test_a_nobody_in_tap_queued_before_the_visit_s_time_is_refused_on_screen(browser, live_server, committed):
    """Checked in early (allowed up to an hour before), "Nobody in" tapped with no signal before the
    visit's time: once sent, the phone says it was not recorded and why, and the visit is still open."""
    from app.models import Appointment
    from app.timeutil import format_time, local_now
    from tests.e2e.conftest import officer_with_one_visit
    from tests.e2e.test_officer_offline import READY, _saved_on_the_phone

    world = World()
    start = local_now().replace(second=0, microsecond=0) + timedelta(minutes=50)
    user = officer_with_one_visit(world, start)
    visit = db.session.query(Appointment).one()
    safety.arrive(visit, world.officers[0], user)
    db.session.commit()
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in_browser(page, live_server, user)
    page.goto(f"{live_server}/officer/day/{start.date().isoformat()}")
    assert page.evaluate(READY), "the service worker did not start"
    assert _saved_on_the_phone(page), "the day was not saved on the phone"
    context.set_offline(True)
    page.get_by_role("button", name="Nobody in for visit 1").click()
    page.locator("#sync-status", has_text="No signal.").wait_for()
    page.reload()  # opened again with no signal: the tap still waits
    page.locator("#sync-status", has_text="waiting on this phone").wait_for()
    context.set_offline(False)  # signal back: the page sends it, and the server refuses it
    summary = page.locator("#tap-error")
    summary.get_by_text("Not recorded").wait_for()
    told = summary.inner_text()
    assert "Not recorded: Nobody in for visit 1." in told
    assert f"You can record nobody in from {format_time(visit.window_start)}" in told
    check_accessibility(page)
    db.session.refresh(visit)
    assert visit.status == "checked_in"
    context.close()
