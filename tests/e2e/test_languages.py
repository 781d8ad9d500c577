"""The resident journey in Polish and Nepali: chosen on the first page, every page in that language and
accessible (axe, WCAG 2.2 AA, with the page's lang set), without JavaScript too, and the booking
remembers the language for every message that follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.i18n import LANGUAGES, gettext_for
from app.models import Address, Appointment, Message
from tests.booking_helpers import World
from tests.e2e.conftest import check_accessibility

pytestmark = pytest.mark.postgres
TRANSLATED = sorted(set(LANGUAGES) - {"en"})


@pytest.fixture
def world(committed):
    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    return world


def _book_in(page, base: str, world: World, locale: str, check: bool) -> str:
    _ = gettext_for(locale)

    def step(*actions):
        assert page.locator("html").get_attribute("lang") == locale
        if check:
            check_accessibility(page)
        for action in actions:
            action()

    page.goto(f"{base}/")
    page.get_by_role("link", name=LANGUAGES[locale]).click()  # the first page: each language in itself
    step(lambda: page.get_by_role("button", name=_("Start now")).click())
    step(
        lambda: page.get_by_label(world.service.name).check(),
        lambda: page.get_by_role("button", name=_("Continue")).click(),
    )
    step(
        lambda: page.get_by_label(_("At home")).check(),
        lambda: page.get_by_role("button", name=_("Continue")).click(),
    )
    step(
        lambda: page.get_by_label(_("What is the postcode of the address?")).fill("sn10 1aa"),
        lambda: page.get_by_role("button", name=_("Find address")).click(),
    )
    step(
        lambda: page.get_by_label("12 High Street, Devizes, SN10 1AA").check(),
        lambda: page.get_by_role("button", name=_("Continue")).click(),
    )
    step(
        lambda: page.locator("input[name=slot]").first.check(),
        lambda: page.get_by_role("button", name=_("Continue")).click(),
    )
    step(
        lambda: page.get_by_role("button", name=_("Continue")).click(),  # nothing filled in: errors
    )
    expect(page).to_have_title(re.compile("^" + re.escape(_("Error:"))))  # waits for the posted page
    step(
        lambda: page.get_by_label(_("Full name")).fill("Agnieszka Kowalska"),
        lambda: page.get_by_label(_("UK phone number")).fill("07700 900123"),
        lambda: page.get_by_label(_("Text message"), exact=True).check(),
        lambda: page.get_by_role("button", name=_("Continue")).click(),
    )
    step(lambda: page.get_by_role("button", name=_("Book appointment")).click())
    step()
    expect(page.get_by_role("heading", name=_("Appointment booked"))).to_be_visible()
    return page.locator(".govuk-panel__body strong").inner_text()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_journey_in_each_language_passes_axe_and_the_booking_keeps_the_language(
    browser, live_server, world, locale
):
    context = browser.new_context(bypass_csp=True)  # lets axe-core be injected
    page = context.new_page()
    reference = _book_in(page, live_server, world, locale, check=True)
    appointment = db.session.query(Appointment).one()
    assert reference.replace("-", "") == appointment.reference
    assert appointment.customer.locale == locale
    (text, *follow_up) = db.session.query(Message).filter_by(kind="confirmation").order_by(Message.id).all()
    english = gettext_for("en")("Ref %(reference)s.") % {"reference": reference}
    assert reference in text.body and english not in text.body, "the confirmation text is translated"
    context.close()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_journey_in_each_language_works_without_javascript(browser, live_server, world, locale):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    assert _book_in(page, live_server, world, locale, check=False)
    assert db.session.query(Appointment).one().customer.locale == locale
    context.close()


def test_the_browser_language_is_the_first_choice(browser, live_server, world):
    context = browser.new_context(locale="pl-PL")  # Accept-Language: pl-PL
    page = context.new_page()
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.get_by_role("heading", level=1).inner_text() == gettext_for("pl")(
        "Book a face-to-face appointment with the council"
    )
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()
