"""The hand-check findings of issue 19, each proved in a real browser (not only by axe): the time
error's summary, title and accessible description; the kiosk time-out dialog keeps focus and closes on
Escape; a footer landmark on every page; staff tables scroll in their own region at 400% zoom; heading
order; and axe on the new resident and staff pages."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import Address, HubClosure
from app.timeutil import local_now
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility, set_up_kiosk_browser, sign_in_browser
from tests.factories import CustomerFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(committed):
    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    return world


def _sign_in(page, base, role):
    user = UserFactory(role=role)
    db.session.commit()
    sign_in_browser(page, base, user)
    page.wait_for_url(lambda url: "/sign-in" not in url)
    return user


def _description_of(page, selector: str) -> str:
    """The accessible description the browser computes from aria-describedby (what a screen reader
    reads after the name)."""
    return page.evaluate(
        """(selector) => {
            const el = document.querySelector(selector)
            const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
            return ids.map((id) => document.getElementById(id)?.textContent.trim() || '').join(' ')
        }""",
        selector,
    )


def _check_time_error(page, message: str) -> None:
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link", name=message)
    assert link.get_attribute("href") == "#slot"
    assert page.locator("#slot").count() == 1  # the link leads to the first time
    assert message in _description_of(page, "fieldset:has(#slot)")
    link.click()
    assert page.evaluate("document.activeElement.id") == "slot"  # focus lands on the choices
    check_accessibility(page)


def test_resident_time_error_is_summarised_described_and_linked(browser, live_server, world):
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{live_server}/book/")
    page.get_by_label(world.service.name).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("At home").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is the postcode of the address?").fill("SN10 1AA")
    page.get_by_role("button", name="Find address").click()
    page.get_by_label("12 High Street, Devizes, SN10 1AA").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # no time chosen
    page.locator(".govuk-error-summary").wait_for()
    # Focus order: GOV.UK Frontend moves focus to the summary first, so it is read before the form.
    # Its script may run after the summary is painted (a busy machine): wait for the focus, up to 10 s.
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')", timeout=10_000)
    _check_time_error(page, "Select a time for your appointment")


def test_agent_time_error_is_summarised_described_and_linked(browser, live_server, world):
    customer = CustomerFactory(lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street")
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()
    _sign_in(page, live_server, "agent")
    page.goto(f"{live_server}/agent/customers/{customer.id}/book?service={world.service.code}&place=home")
    page.get_by_label("No messages").check()
    page.get_by_role("button", name="Book", exact=True).click()
    page.locator(".govuk-error-summary").wait_for()
    _check_time_error(page, "Select a time")


def test_kiosk_time_out_dialog_keeps_focus_and_escape_closes_it(browser, live_server, world, configure):
    configure(kiosk_warn_after_ms=1500, kiosk_reset_after_ms=120000)
    _device, token = kiosks.register(world.hub, "Test kiosk")
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()
    set_up_kiosk_browser(page, live_server, token, check_the_page=True)  # its confirm page too
    start = page.get_by_role("button", name="Book an appointment")
    start.focus()
    dialog = page.get_by_role("alertdialog", name="Are you still there?")
    dialog.wait_for(state="visible", timeout=10000)
    check_accessibility(page)
    still_here = dialog.get_by_role("button", name="I am still here")
    assert still_here.evaluate("el => el === document.activeElement")
    for key in ("Tab", "Tab", "Shift+Tab", "Tab"):
        page.keyboard.press(key)
        assert still_here.evaluate("el => el === document.activeElement"), f"focus left the dialog on {key}"
    assert page.locator("main").evaluate(
        "el => el.closest('[inert]') !== null"
    )  # nothing behind is reachable
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert start.evaluate("el => el === document.activeElement")  # focus goes back where it was
    assert page.locator("main").evaluate("el => el.closest('[inert]') === null")


def test_every_page_has_one_footer_landmark(browser, live_server, world):
    page = browser.new_context().new_page()
    for path in ("/", "/book/service", "/hubs/", "/tell-us", "/sign-in", "/manage/find", "/no-such-page"):
        page.goto(f"{live_server}{path}")
        assert page.get_by_role("contentinfo").count() == 1, path
        assert page.get_by_role("contentinfo").get_by_role("link", name="Tell us what you think").count() == 1


def test_staff_tables_scroll_in_their_own_region_at_400_percent_zoom(browser, live_server, world):
    for n in range(3):
        OfficerFactory(first_name=f"Longnamedofficer{n}", skills=[world.skill], areas=[world.area])
    db.session.commit()
    page = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640}).new_page()  # 1280 / 4
    _sign_in(page, live_server, "admin")
    for path in ("/admin/officers", "/admin/services", "/admin/hubs", "/supervisor/dashboard"):
        page.goto(f"{live_server}{path}")
        page_scrolls = page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
            "document.documentElement.clientWidth + 1 && !e.closest('.app-table-scroll'))"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
        )
        assert not page_scrolls, f"{path} scrolls sideways: {wide}"
        region = page.locator(".app-table-scroll").first
        assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
        region.focus()  # keyboard users can scroll it
        assert region.evaluate("el => el === document.activeElement")
    check_accessibility(page)


def test_heading_levels_never_skip_on_the_officer_and_hub_edit_pages(browser, live_server, world):
    page = browser.new_context().new_page()
    _sign_in(page, live_server, "admin")
    for path in (f"/admin/officers/{world.officers[0].id}", f"/admin/hubs/{world.hub.id}"):
        page.goto(f"{live_server}{path}")
        levels = page.evaluate(
            "[...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1])"
        )
        assert levels[0] == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (path, levels)


def test_new_pages_pass_axe(browser, live_server, world):
    world.hub.closures.append(
        HubClosure(first_day=local_now().date(), last_day=local_now().date(), reason="Training")
    )
    db.session.commit()
    page = browser.new_context(bypass_csp=True).new_page()
    for path in ("/tell-us", "/hubs/", f"/hubs/{world.hub.code}"):
        page.goto(f"{live_server}{path}")
        check_accessibility(page)
    page.goto(f"{live_server}/tell-us")
    page.get_by_role("button", name="Send").click()
    page.locator(".govuk-error-summary").wait_for()
    check_accessibility(page)
    page.get_by_label("A complaint: something went wrong").check()
    page.get_by_label("Tell us what happened").fill("Nobody came")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Thank you for telling us").first.wait_for()
    check_accessibility(page)
    _sign_in(page, live_server, "supervisor")
    for path in (
        "/supervisor/tell-us",
        "/supervisor/equality",
        "/staff/letters/",
        f"/admin/hubs/{world.hub.id}/closures",
        "/supervisor/dashboard",
    ):
        page.goto(f"{live_server}{path}")
        check_accessibility(page)


def test_resident_books_then_answers_the_equality_questions_without_javascript(browser, live_server, world):
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server}/book/")
    page.get_by_label(world.service.name).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("At home").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is the postcode of the address?").fill("SN10 1AA")
    page.get_by_role("button", name="Find address").click()
    page.get_by_label("12 High Street, Devizes, SN10 1AA").check()
    page.get_by_role("button", name="Continue").click()
    page.locator("input[name=slot]").first.check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Full name").fill("Ala Nowak")
    page.get_by_label("UK phone number").fill("01380 729000")  # a landline: calls only
    page.get_by_label("By letter to this address").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Book appointment").click()
    page.get_by_role("link", name="Answer the optional questions").click()
    page.get_by_label("75 or over").check()
    page.get_by_role("button", name="Send answers").click()
    page.get_by_text("Thank you for your answers").first.wait_for()
    from app.models import EqualityResponse

    assert db.session.query(EqualityResponse).one().age_band == "75_plus"
    from app.messaging.outbox import LETTER_NOTICE
    from app.models import Appointment, Message
    from app.timeutil import utcnow

    appointment = db.session.query(Appointment).one()
    in_time = appointment.window_start - utcnow() >= LETTER_NOTICE  # else too late to post: nothing
    letters = [(m.kind, m.channel) for m in db.session.query(Message)]
    assert letters == ([("confirmation", "letter")] if in_time else [])
    assert re.search(r"/book/equality$", page.url)
