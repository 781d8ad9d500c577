"""Staff pages on a 375 px phone: the menu's sections and the current section's pages work without
JavaScript; the caller's language is set on the caller's page. Chromium, with axe on each page."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Customer
from tests.e2e.conftest import check_accessibility, sign_in_browser
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.postgres
PHONE = {"width": 375, "height": 812}


def _fits(page) -> bool:
    """Nothing wider than the screen (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_supervisor_finds_pages_by_section_on_a_phone_without_javascript(browser, live_server, committed):
    supervisor = UserFactory(role="supervisor")
    db.session.commit()
    page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    sign_in_browser(page, live_server, supervisor)
    page.goto(f"{live_server}/agent/capacity")
    menu = page.get_by_role("navigation", name="Menu")
    for section in ("Today", "Bookings", "Officers & safety", "Reports", "Settings"):
        assert menu.get_by_role("link", name=section, exact=True).is_visible()
    pages = page.get_by_role("navigation", name="Bookings")
    assert pages.get_by_role("link", name="Capacity").get_attribute("aria-current") == "page"
    assert _fits(page)
    menu.get_by_role("link", name="Officers & safety").click()
    page.get_by_role("navigation", name="Officers & safety").get_by_role("link", name="Risk register").click()
    page.get_by_role("heading", level=1).wait_for()
    assert page.url == f"{live_server}/supervisor/risk"
    current = page.get_by_role("navigation", name="Officers & safety").get_by_role(
        "link", name="Risk register"
    )
    assert current.get_attribute("aria-current") == "page"
    assert _fits(page)


def test_an_agent_sets_a_callers_language_on_a_phone(browser, live_server, committed):
    caller = CustomerFactory(name="Piotr Nowak", postcode="SN10 1AA", address_line1="12 High Street")
    agent = UserFactory(role="agent")
    db.session.commit()
    page = browser.new_context(viewport=PHONE, bypass_csp=True).new_page()
    sign_in_browser(page, live_server, agent)
    page.goto(f"{live_server}/agent/customers/{caller.id}")
    check_accessibility(page)
    page.get_by_role("group", name="Texts, emails and letters in").get_by_label("Polski").check()
    page.get_by_role("button", name="Change language").click()
    page.get_by_text("Language changed: we will write to the caller in Polish.").wait_for()
    check_accessibility(page)
    assert _fits(page)
    db.session.expire_all()
    assert db.session.get(Customer, caller.id).locale == "pl"
