"""In a real browser, with no JavaScript: taking a skill or a community area away from an officer who
holds visits needing it (the warning, axe, the confirm step, the visits on Residents to call), switching
an officer off (the warning, the confirm step, the re-plan it leads to, published), and the officer's
phone saying who picked up their Help alert (axe, at a phone's width)."""

from __future__ import annotations

import os
from datetime import date, timedelta

from app.extensions import db
from app.models import Appointment, CallListEntry, SafetyAlert
from app.safety import safety
from app.timeutil import local_now, utcnow
from tests.booking_helpers import World, at
from tests.e2e.conftest import check_accessibility, sign_in_browser
from tests.factories import AppointmentFactory, AreaFactory, CustomerFactory, UserFactory


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


def _to_the_warning(page, live_server, supervisor, officer, untick: str = "Housing") -> None:
    sign_in_browser(page, live_server, supervisor)
    page.goto(f"{live_server}/admin/officers/{officer.id}")
    page.get_by_label(untick, exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")


def _a_weekday_ahead() -> date:
    """A working day three or more days ahead (the officers work weekdays)."""
    day = local_now().date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_removing_a_community_area_warns_then_confirms_without_javascript(browser, live_server, committed):
    world = World(officers=1)
    (officer,) = world.officers
    officer.first_name, officer.last_name = "Priya", "Shah"
    world.area.name = "Devizes"
    kennet = AreaFactory(name="Kennet", lat=51.6, lng=-1.8)
    officer.areas.append(kennet)  # she keeps one
    day = _a_weekday_ahead()
    visit = AppointmentFactory(service=world.service, officer=officer, window_start=at(10, day=day))
    supervisor = UserFactory(role="supervisor")
    db.session.commit()

    # With JavaScript (for axe): the warning names the area and the visit.
    page = browser.new_context(bypass_csp=True).new_page()
    _to_the_warning(page, live_server, supervisor, officer, untick="Devizes")
    assert page.get_by_role("heading", level=1).inner_text() == "Remove Devizes from Priya Shah?"
    warning = page.locator("#visits-left").inner_text()
    assert "Priya Shah holds 1 booked visit in Devizes" in warning
    assert "Nobody else with the skill can do it there" in warning
    assert visit.reference[:4] in page.locator("#left-visits").inner_text()
    check_accessibility(page)
    _shot(page, "area-removal-warning")

    # Without JavaScript: the confirm step is a plain form; the visit goes on Residents to call.
    page = browser.new_context(java_script_enabled=False).new_page()
    _to_the_warning(page, live_server, supervisor, officer, untick="Devizes")
    page.get_by_role("button", name="Remove Devizes and save").click()
    page.wait_for_url(f"{live_server}/supervisor/calls")
    main = page.locator("main").inner_text()
    assert "1 booked visit in Devizes is on Residents to call" in main
    assert "Priya Shah no longer covers Devizes, where this visit is" in main
    assert "Community area removed from the officer" in main
    db.session.expire_all()
    assert [a.name for a in db.session.get(type(officer), officer.id).areas] == ["Kennet"]


def test_switching_an_officer_off_warns_then_re_plans_their_visits_without_javascript(
    browser, live_server, committed
):
    world = World(officers=2)
    leaver, colleague = world.officers
    leaver.first_name, leaver.last_name = "Priya", "Shah"
    colleague.first_name, colleague.last_name = "Tom", "Reed"
    day = _a_weekday_ahead()
    visit = AppointmentFactory(
        service=world.service,
        officer=leaver,
        window_start=at(10, day=day),
        window_end=at(12, day=day),
        customer=CustomerFactory(sms_consent=True),
    )
    supervisor = UserFactory(role="supervisor")
    db.session.commit()

    # With JavaScript (for axe): the warning says what switching off leaves, and that someone else can.
    page = browser.new_context(bypass_csp=True).new_page()
    _to_the_warning(page, live_server, supervisor, leaver, untick="Available for visits")
    assert page.get_by_role("heading", level=1).inner_text() == "Switch off Priya Shah?"
    warning = page.locator("#visits-left").inner_text()
    assert "Priya Shah holds 1 booked visit." in warning
    assert "Another officer with the skill could do it." in warning
    check_accessibility(page)
    _shot(page, "switch-off-warning")

    # Without JavaScript: confirm, land on the re-plan, choose the day, preview and publish.
    page = browser.new_context(java_script_enabled=False).new_page()
    _to_the_warning(page, live_server, supervisor, leaver, untick="Available for visits")
    page.get_by_role("button", name="Switch off and save").click()
    page.wait_for_url(f"{live_server}/supervisor/replan?officer={leaver.id}")
    assert "Priya Shah is switched off" in page.locator("main").inner_text()
    page.get_by_role("link", name=f"({1} visit)").click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Preview the re-plan").click()
    page.wait_for_load_state("load")
    assert "Tom Reed" in page.locator("main").inner_text()
    page.get_by_role("button", name="Publish this plan and tell the residents").click()
    page.wait_for_load_state("load")
    assert "This re-plan was published" in page.locator("main").inner_text()
    db.session.expire_all()
    visit = db.session.get(Appointment, visit.id)
    assert visit.officer_id == colleague.id and not db.session.get(type(leaver), leaver.id).active
    assert db.session.query(CallListEntry).filter(CallListEntry.open_for.is_not(None)).count() == 0


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
