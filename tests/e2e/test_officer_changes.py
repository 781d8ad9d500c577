"""In a real browser, with no JavaScript: taking a skill away from an officer who holds visits needing
it (the warning, axe, the confirm step, the visits on Residents to call), and the officer's phone
saying who picked up their Help alert (axe, at a phone's width)."""

from __future__ import annotations

import os
from datetime import timedelta

from app.extensions import db
from app.models import SafetyAlert
from app.safety import safety
from app.timeutil import utcnow
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, sign_in_browser
from tests.factories import AppointmentFactory, UserFactory


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS"):  # screenshots, to look at: SHOTS=/tmp/shots
        page.screenshot(path=f"{os.environ['SHOTS']}/{name}.png", full_page=True)


def test_removing_a_skill_warns_then_confirms_without_javascript(browser, live_server, committed):
    world = World(officers=1)
    (officer,) = world.officers
    officer.first_name, officer.last_name = "Priya", "Shah"
    world.skill.name = "Housing"
    start = (utcnow() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    visit = AppointmentFactory(service=world.service, officer=officer, window_start=start)
    supervisor = UserFactory(role="supervisor")
    db.session.commit()

    # With JavaScript (for axe): the warning, then Cancel changes nothing.
    page = browser.new_context(bypass_csp=True).new_page()
    _to_the_warning(page, live_server, supervisor, officer)
    warning = page.locator("#visits-left").inner_text()
    assert "Priya Shah holds 1 booked visit needing Housing" in warning
    assert "Nobody else with the skill can do it there" in warning
    assert visit.reference[:4] in page.locator("#left-visits").inner_text()
    check_accessibility(page)
    _shot(page, "skill-removal-warning")
    page.get_by_role("link", name="Cancel: change nothing").click()
    page.wait_for_url(f"{live_server}/admin/officers/{officer.id}")
    assert page.get_by_label("Housing").is_checked()

    # Without JavaScript: the confirm step is a plain form.
    page = browser.new_context(java_script_enabled=False).new_page()
    _to_the_warning(page, live_server, supervisor, officer)
    page.get_by_role("button", name="Remove Housing and save").click()
    page.wait_for_url(f"{live_server}/supervisor/calls")
    assert "no longer has the Housing skill this visit needs" in page.locator("main").inner_text()


def _to_the_warning(page, live_server, supervisor, officer) -> None:
    sign_in_browser(page, live_server, supervisor)
    page.goto(f"{live_server}/admin/officers/{officer.id}")
    page.get_by_label("Housing").uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")


def test_the_officer_s_phone_says_who_saw_their_help_alert(browser, live_server, committed):
    world = World(officers=1)
    (officer,) = world.officers
    officer.user = UserFactory(role="officer")
    supervisor = UserFactory(role="supervisor", full_name="Sam Patel")
    db.session.commit()
    safety.help_now(None, officer, officer.user, via="web, session")
    db.session.commit()
    alert = db.session.query(SafetyAlert).one()
    safety.acknowledge(alert, supervisor, "Rang them: all fine")
    db.session.commit()

    page = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740}).new_page()
    sign_in_browser(page, live_server, officer.user)
    page.goto(f"{live_server}/officer/")
    assert "Help alert seen by Sam Patel at" in page.locator("#help-seen").inner_text()
    check_accessibility(page)
    _shot(page, "help-seen-phone")
