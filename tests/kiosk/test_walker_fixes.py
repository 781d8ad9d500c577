"""Found by a fresh-eyes walk through the kiosk: the "are you still there?" warning gave a wait of its own
(not the setting the timer counts); the call-back asked for a "mobile" or just a "number" where any phone
will do; and the shared screen's browser offered the last person's details in the next one's fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from flask_babel import force_locale

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import Address
from app.web.wording import kiosk_clears_in
from tests.booking_helpers import World
from tests.pages import csrf_token, error_summary, field_error, set_up_kiosk, submit_form

SATURDAY = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)  # the phones are closed: the call-back is offered


def _kiosk(client, world: World):
    _device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    assert set_up_kiosk(client, token).status_code == 302


@pytest.mark.parametrize(
    ("reset_after_ms", "said"),
    [
        (30_000, "This screen will clear in 30 seconds to keep your details private."),
        (120_000, "This screen will clear in 2 minutes to keep your details private."),
        (60_000, "This screen will clear in 1 minute to keep your details private."),
        (1_000, "This screen will clear in 1 second to keep your details private."),
    ],
)
def test_the_kiosks_warning_says_the_wait_its_timer_counts(client, configure, reset_after_ms, said):
    configure(kiosk_reset_after_ms=reset_after_ms)
    _kiosk(client, World())
    html = client.get("/kiosk/").get_data(as_text=True)
    assert f'data-kiosk-reset-after="{reset_after_ms}"' in html  # what kiosk.js counts down
    assert said in html
    assert "30 seconds" not in html or reset_after_ms == 30_000


def test_the_kiosks_warning_is_worded_for_each_number_in_polish_and_nepali(app):
    with app.test_request_context():
        with force_locale("pl"):
            assert "za 1 minutę," in kiosk_clears_in(60_000)
            assert "za 2 minuty," in kiosk_clears_in(120_000)
            assert "za 5 minut," in kiosk_clears_in(300_000)
            assert "za 30 sekund," in kiosk_clears_in(30_000)
            assert "za 45 sekund," in kiosk_clears_in(45_000)
            assert "za 90 sekund," in kiosk_clears_in(90_000)  # not a whole number of minutes
        with force_locale("ne"):
            assert "2 मिनेटमा" in kiosk_clears_in(120_000) and "30 सेकेन्डमा" in kiosk_clears_in(30_000)


def test_the_call_back_asks_for_a_phone_number_in_the_same_words_throughout(client):
    world = World()
    with time_machine.travel(SATURDAY, tick=False):
        _kiosk(client, world)
        notice = client.get("/kiosk/call/?step=kiosk.start").get_data(as_text=True)
        offer = notice[notice.index("Or we can call you back") :]
        assert "Leave your phone number and an adviser will phone you when we open." in offer
        assert "mobile number" not in offer  # a landline will do
        assert re.search(r'<label class="govuk-label" for="phone">\s*Your phone number\s*</label>', offer)
        # The hint says what number will do, without saying again what the sentence above it said.
        assert "A mobile or a landline. For example, 07700 900 982 or 01380 722000" in offer
        assert offer.count("will phone you") == 1

        nothing = client.post(
            "/kiosk/call/call-back",
            data={"csrf_token": csrf_token(notice), "phone": "", "step": "kiosk.start"},
        )
        html = nothing.get_data(as_text=True)
        assert re.search(r"<h1[^>]*>\s*Leave your phone number for a call back\s*</h1>", html)
        assert error_summary(html) == ["Enter your phone number"] and field_error(html, "phone") == (
            "Enter your phone number"
        )
        wrong = client.post(
            "/kiosk/call/call-back",
            data={"csrf_token": csrf_token(html), "phone": "12", "step": "kiosk.start"},
        )
        assert error_summary(wrong.get_data(as_text=True)) == [
            "Enter a UK phone number, like 07700 900 982 or 01380 722000"
        ]


def _typed_fields(html: str) -> dict[str, str | None]:
    """Each field a person types into (by name): its autocomplete attribute, or None without one."""
    fields = {}
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", html):
        kind = re.search(r'type="([^"]+)"', tag)
        if tag.startswith("<input") and kind and kind.group(1) in ("hidden", "radio", "checkbox", "submit"):
            continue
        name = re.search(r'name="([^"]+)"', tag).group(1)
        found = re.search(r'autocomplete="([^"]*)"', tag)
        fields[name] = found.group(1) if found else None
    return fields


def _pages_with_typed_fields(client, world: World) -> dict[str, str]:
    """The resident's pages where something is typed, as the browser at hand gets them."""
    pages = {"service": client.get("/book/service").get_data(as_text=True)}
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    pages["postcode"] = client.get("/book/postcode").get_data(as_text=True)
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AA"})
    pages["address"] = client.get("/book/address").get_data(as_text=True)
    submit_form(client, "/book/address", {"address": str(db.session.query(Address).one().id)})
    times = client.get("/book/time").get_data(as_text=True)
    slot = re.findall(r'name="slot" type="radio" value="([^"]+)"', times)[0]
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(times)})
    pages["details"] = client.get("/book/details").get_data(as_text=True)
    pages["manage"] = client.get("/manage/find").get_data(as_text=True)
    pages["tell us"] = client.get("/tell-us").get_data(as_text=True)
    return pages


def test_no_field_on_a_kiosk_offers_the_last_persons_details(client):
    world = World()
    db.session.add(
        Address(uprn="9", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    _kiosk(client, world)
    pages = _pages_with_typed_fields(client, world)
    pages["call back"] = client.get("/kiosk/call/call-back").get_data(as_text=True)
    for page, html in pages.items():
        fields = _typed_fields(html)
        assert fields, page
        assert all(value == "off" for value in fields.values()), (page, fields)
    assert {"name", "phone", "email", "access_needs"} <= set(_typed_fields(pages["details"]))


def test_on_the_web_the_browser_still_fills_in_a_residents_own_details(client):
    world = World()
    db.session.add(
        Address(uprn="9", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    details = _typed_fields(_pages_with_typed_fields(client, world)["details"])
    assert (details["name"], details["phone"], details["email"]) == ("name", "tel", "email")
    assert details["access_needs"] is None  # the browser's own choice, as before
