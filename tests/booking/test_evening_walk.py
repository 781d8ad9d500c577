"""The evening walk (fresh eyes, phone, JavaScript off): each test failed before its fix."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.appointments.links import manage_url
from app.extensions import db
from app.models import Appointment
from tests.booking_helpers import NOW, world_with_a_street
from tests.factories import CustomerFactory
from tests.pages import csrf_token


def _booked_then_cancelled(client) -> Appointment:
    """Booked on the web in this browser, then cancelled from its manage link, as a resident would."""
    from tests.web.test_attack import _book_home_visit, _world_and_street

    world, address = _world_and_street()
    booked, _ = _book_home_visit(client, world, address)
    assert booked.headers["Location"] == "/book/confirmation"
    appointment = db.session.query(Appointment).one()
    client.get(re.sub(r"^https?://[^/]+", "", manage_url(appointment)))
    form = client.get("/manage/booking/cancel").get_data(as_text=True)
    client.post("/manage/booking/cancel", data={"csrf_token": csrf_token(form), "reason": "Sorted"})
    db.session.refresh(appointment)
    assert appointment.status == "cancelled"
    return appointment


@time_machine.travel(NOW, tick=False)
def test_after_cancelling_the_service_page_does_not_say_it_is_booked(client):
    """'Book a different service' on the cancellation page said 'You have booked …: you do not need
    to book it again' about the visit just cancelled."""
    _booked_then_cancelled(client)
    page = client.get("/book/service").get_data(as_text=True)
    assert 'id="just-booked"' not in page and "You do not need to book it again" not in page


@time_machine.travel(NOW, tick=False)
def test_back_to_the_confirmation_after_cancelling_shows_it_cancelled_not_booked(client):
    """Back (or the confirmation opened again) showed the green 'Appointment booked' panel, the
    cancelled time and officer, and a calendar entry for it."""
    _booked_then_cancelled(client)
    response = client.get("/book/confirmation")
    assert response.status_code == 302 and response.headers["Location"] == "/manage/booking"
    page = client.get("/manage/booking").get_data(as_text=True)
    assert "Your appointment has been cancelled" in page and "Appointment booked" not in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("locale", "said"), [("en", "Not given"), ("pl", "Nie podano")])
def test_the_booking_page_says_an_email_not_given_as_the_check_page_does(client, locale, said):
    """The check page said 'Email: Not given'; the booking's own page said 'Email address: None'."""
    from tests.booking.test_resident_walk_c import _booked_and_opened

    client.get(f"/language/{locale}")
    _booked_and_opened(client, world_with_a_street())
    page = client.get("/manage/booking").get_data(as_text=True)
    row = re.search(
        r'(?s)<dt class="govuk-summary-list__key">\s*(?:Email address|Adres e-mail)\s*</dt>'
        r"\s*<dd[^>]*>(.*?)</dd>",
        page,
    )
    assert row and row.group(1).strip() == said


def test_the_agent_finds_a_caller_with_only_a_postcode_without_a_stray_comma(client, sign_in):
    """A resident who booked a hub gave a postcode to find hubs, no street: the agent's search listed
    their address as ', SN10 1HJ'."""
    CustomerFactory(name="Piotr Nowak", address_line1="", postcode="SN10 1HJ")
    db.session.commit()
    sign_in("agent")
    page = client.get("/agent/?q=Nowak").get_data(as_text=True)
    assert '<td class="govuk-table__cell">SN10 1HJ</td>' in page and ", SN10 1HJ" not in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("locale", "said"), [("en", "We will not send you text messages."), ("pl", None)])
def test_stopping_texts_is_confirmed_at_the_top_of_the_page_it_opens_again_on(client, locale, said):
    """The page opened again at its top with nothing to say the button had worked: the only word of
    it was in the Text messages section, far below."""
    from babel.support import Translations

    from app.i18n import TRANSLATIONS_DIR
    from tests.booking.test_resident_walk_c import _booked_and_opened

    client.get(f"/language/{locale}")
    _booked_and_opened(client, world_with_a_street())
    page = client.get("/manage/booking").get_data(as_text=True)
    stopped = client.post("/manage/booking/stop-texts", data={"csrf_token": csrf_token(page)})
    assert stopped.headers["Location"] == "/manage/booking?texts=stopped"
    html = client.get(stopped.headers["Location"]).get_data(as_text=True)
    banner = re.search(
        r'(?s)<div class="govuk-notification-banner govuk-notification-banner--success".*?</p>', html
    )
    if said is None:  # the same words as the section below, in Polish
        said = Translations.load(TRANSLATIONS_DIR, [locale]).gettext("We will not send you text messages.")
        assert said != "We will not send you text messages."
    assert banner and said in banner.group(0)
    assert html.index(said) < html.index(_h1(html))  # before the page's heading: seen first


def _h1(html: str) -> str:
    return re.search(r'<h1 class="govuk-heading-l">', html).group(0)
