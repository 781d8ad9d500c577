"""What a fresh-eyes walk of every persona at 375 px found (01:15 walk): each test failed before its fix."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from app.booking.availability import decode_slot
from app.extensions import db
from app.i18n import gettext_for
from app.models import Address, SafetyAlert
from tests.booking_helpers import NOW, World, off_sick_for_months, world_with_a_street
from tests.factories import CustomerFactory
from tests.pages import csrf_token, error_summary, submit_form

POLISH = gettext_for("pl")


@pytest.fixture
def world():
    return world_with_a_street()


@time_machine.travel(NOW, tick=False)
def test_address_not_listed_with_the_box_empty_asks_for_the_building_and_street(client, world):
    """Finding 1: it used to send the resident back to the postcode page with no error (a loop)."""
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    response = submit_form(client, "/book/address", {"address": "manual", "line1": "  "})
    assert response.status_code == 200
    assert error_summary(response.get_data(as_text=True)) == ["Enter the building and street"]
    filled = submit_form(client, "/book/address", {"address": "manual", "line1": "Flat 2, 3 Mill Lane"})
    assert filled.status_code == 302 and filled.headers["Location"] == "/book/time"


@time_machine.travel(NOW, tick=False)
def test_the_hub_route_is_polish_throughout(client, world):
    """Findings 2 and 3: the postcode button and the link to every hub's hours were English."""
    client.get("/language/pl")
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    postcode = client.get("/book/postcode").get_data(as_text=True)
    assert "Find hubs near me" not in postcode and POLISH("Find hubs near me") in postcode
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    hub = client.get("/book/hub").get_data(as_text=True)
    assert "Opening hours and closures of every hub" not in hub
    assert POLISH("Opening hours and closures of every hub") in hub


def _slots(html: str) -> list[str]:
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


def _checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" type="radio" value="([^"]+)" checked', html)


def test_an_agent_keeps_the_chosen_time_after_an_error_and_is_not_offered_texts_for_a_landline(
    client, sign_in
):
    """Finding 5: the time ticked was lost after "Texts need a mobile number" (a slot's token carries
    when it was issued, so the page searched again a moment later had other tokens), and reminders
    were ticked "Text message" for a caller with only a landline."""
    clock = time_machine.travel(NOW, tick=False)
    traveller = clock.start()
    sign_in("agent")
    world = World()
    customer = CustomerFactory(
        phone="+441380722000", email="", address_line1="12 High Street", postcode="SN10 1AB", lat=51.355,
        lng=-1.99, preferred_channel="sms", sms_consent=False,
    )  # fmt: skip
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    assert _checked(page, "preferred_channel") == ["post"]
    slot = _slots(page)[1]
    traveller.shift(timedelta(seconds=20))  # the agent reads the times out to the caller
    response = client.post(
        url, data={"csrf_token": csrf_token(page), "slot": slot, "preferred_channel": "sms"}
    )
    again = response.get_data(as_text=True)
    assert "Texts need a mobile number" in again
    chosen = _checked(again, "slot")
    assert len(chosen) == 1 and decode_slot(chosen[0]) == decode_slot(slot)  # the same time
    clock.stop()


@time_machine.travel(NOW, tick=False)
def test_a_new_caller_with_a_landline_is_reminded_by_letter_and_the_record_says_so(client, sign_in):
    """Finding 6: the new-caller form has no reminder choice, and the record claimed "Text message (no
    consent to texts recorded)" for a landline."""
    sign_in("agent")
    World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    page = client.get("/agent/callers/new").get_data(as_text=True)
    response = client.post(
        "/agent/callers/new",
        data={
            "csrf_token": csrf_token(page),
            "name": "Pat Landline",
            "phone": "01380 722000",
            "line1": "12 High Street",
            "postcode": "SN10 1AB",
            "new_record": "yes",
        },
    )
    assert response.status_code == 302
    record = client.get(response.headers["Location"]).get_data(as_text=True)
    reminders = re.search(r"Reminders by\s*</dt>\s*<dd[^>]*>\s*([^<]*?)\s*</dd>", record).group(1)
    assert reminders == "Letter by post"


def _help_alert() -> SafetyAlert:
    world = World()
    alert = SafetyAlert(kind="help", officer=world.officers[0], dedupe_key="help-1")
    db.session.add(alert)
    db.session.commit()
    return alert


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_must_say_what_they_did_to_acknowledge_a_help_alert(client, sign_in):
    """Finding 7: a Help alert could be acknowledged with "What did you do?" left empty."""
    sign_in("supervisor")
    alert = _help_alert()
    page = client.get("/supervisor/alerts").get_data(as_text=True)
    url = f"/supervisor/alerts/{alert.id}/acknowledge"
    response = client.post(url, data={"csrf_token": csrf_token(page), "note": "  "})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["Enter what you did, for example who you phoned and what they said"]
    assert f'href="#note-{alert.id}"' in html and f'id="note-{alert.id}"' in html
    db.session.refresh(alert)
    assert alert.acknowledged_at is None
    done = client.post(url, data={"csrf_token": csrf_token(page), "note": "Phoned Sam: safe, left the house"})
    assert done.status_code == 302
    db.session.refresh(alert)
    assert alert.acknowledged_at is not None and "Phoned Sam" in alert.note


@time_machine.travel(NOW, tick=False)
def test_a_business_sees_its_problems_listed_in_the_order_of_the_fields(client, world):
    """Finding 8: "Enter the name of the business" came last in the summary but second on the page."""
    world.service.at_business = True
    db.session.commit()
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "business"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address = db.session.query(Address).filter_by(uprn="100123").one()
    submit_form(client, "/book/address", {"address": str(address.id)})
    html = client.get("/book/time").get_data(as_text=True)
    client.post("/book/time", data={"slot": _slots(html)[0], "csrf_token": csrf_token(html)})
    page = submit_form(client, "/book/details", {"preferred_channel": "sms"}).get_data(as_text=True)
    summary = error_summary(page)
    fields = re.findall(r'<p id="([a-z_]+)-error" class="govuk-error-message">', page)
    assert summary[:2] == ["Enter your full name", "Enter the name of the business"]
    assert [
        re.search(r'href="#([a-z_]+)"', a).group(1)
        for a in re.findall(
            r'<a href="#[a-z_]+"', re.search(r"govuk-error-summary.*?</ul>", page, re.S).group(0)
        )
    ] == fields


@time_machine.travel(NOW, tick=False)
def test_a_kiosk_with_no_times_at_its_hub_offers_other_hubs_a_home_visit_and_help(client):
    """Finding 4: only "Show later dates" and a phone number (no phone at a kiosk)."""
    from tests.factories import AreaFactory, HubFactory, OfficerFactory
    from tests.kiosk.test_kiosk import _kiosk

    world = World(officers=0)
    off_sick_for_months(world)  # nobody free at the kiosk's hub (nobody at all: test_not_staffed.py)
    other = AreaFactory(lat=51.30, lng=-2.05)
    OfficerFactory(skills=[world.skill], areas=[other], base_lat=51.30, base_lng=-2.05)
    HubFactory(area=other, lat=51.30, lng=-2.05, name="Melksham hub")
    db.session.commit()
    _kiosk(client, world)
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    page = client.get("/book/time").get_data(as_text=True)
    main = page[page.index("<main") :]
    assert "There are no appointments free at" in main
    assert "Book at Melksham hub instead" in main
    assert "Ask for a visit at home instead" in main and "join the waiting list" in main
    assert "<strong>Ask for help</strong>" in main and "0300 456 0100" not in main
    assert not re.search(r"<li>\s*<form", main)  # finding 14: no empty bullet beside the button


@time_machine.travel(NOW, tick=False)
def test_a_hub_only_caller_has_no_stray_comma_and_a_two_part_text_says_so(client, sign_in):
    """Finding 10: "Address: , SP4 1AJ", and a Polish text sent as two listed as two confirmations."""
    from app.models import Message
    from tests.booking_helpers import at
    from tests.factories import AppointmentFactory

    sign_in("agent")
    world = World()
    customer = CustomerFactory(address_line1="", town="", postcode="SP4 1AJ", lat=None, lng=None)
    appointment = AppointmentFactory(
        service=world.service, officer=world.officers[0], customer=customer, window_start=at(10)
    )
    db.session.flush()
    for key in ("sms", "sms:2"):
        db.session.add(
            Message(
                appointment=appointment, kind="confirmation", channel="sms", recipient="+447700900123",
                body="Tekst", dedupe_key=f"{appointment.id}:confirmation:1:{key}",
            )
        )  # fmt: skip
    db.session.commit()
    page = client.get(f"/agent/customers/{customer.id}").get_data(as_text=True)
    address = re.search(r"Address\s*</dt>\s*<dd[^>]*>\s*([^<]*?)\s*</dd>", page).group(1)
    assert address == "SP4 1AJ"
    assert "confirmation by text, part 1 of 2" in page and "confirmation by text, part 2 of 2" in page


def test_on_my_way_waits_for_the_visits_day_like_arrived_and_the_card_says_so(client):
    """Finding 11: "On my way" was accepted a day early, and the card still said "Booked"."""
    from tests.booking_helpers import at
    from tests.safety_helpers import officer_with_a_visit, sign_in_as

    def tap(action):
        page = client.get("/officer/").get_data(as_text=True)
        return client.post(
            f"/officer/visits/{appointment.id}/{action}", data={"csrf_token": csrf_token(page)}
        )

    with time_machine.travel(at(9, 0) - timedelta(days=1), tick=False):
        _world, user, _officer, appointment = officer_with_a_visit(client, window_start=at(10))
        early = client.get(tap("on-my-way").headers["Location"]).get_data(as_text=True)
        assert "You can say you are on your way on the day of the visit" in early
        assert "Marked on your way" not in early
    with time_machine.travel(at(9, 0), tick=False):
        sign_in_as(client, user)  # the next morning
        day = client.get(tap("on-my-way").headers["Location"]).get_data(as_text=True)
        assert "Marked on your way" in day
        card = day[day.index(f'id="visit-{appointment.id}"') :]
        assert re.search(r'class="govuk-tag[^"]*">\s*On the way\s*<', card)


def test_the_help_page_says_who_was_texted_once_and_numbers_read_as_phone_numbers(client):
    """Finding 12: "Help requested" over "Help requested. Texted: ...", and +447700900991 shown raw."""
    from tests.booking_helpers import at
    from tests.safety_helpers import officer_with_a_visit, supervisor_on_duty

    with time_machine.travel(at(10, 0), tick=False):
        officer_with_a_visit(client, window_start=at(10))
        supervisor = supervisor_on_duty("+447700900991")
        db.session.commit()
        page = client.get("/officer/").get_data(as_text=True)
        html = client.post("/officer/help", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    main = html[html.index("<main") :]
    assert main.count("Help requested") == 1 and f"Texted: {supervisor.full_name}." in main
    assert "07700 900991" in main and ">Call " in main and "+447700900991<" not in main


@time_machine.travel(NOW, tick=False)
def test_one_visit_in_a_one_day_absence_reads_naturally(client, sign_in):
    """Finding 13: "1 booked visit fall in it" and "from <day> to <the same day>"."""
    from tests.booking_helpers import MONDAY, at
    from tests.factories import AppointmentFactory

    world = World(officers=2)
    AppointmentFactory(service=world.service, officer=world.officers[0], window_start=at(10))
    db.session.commit()
    sign_in("supervisor")
    url = f"/admin/officers/{world.officers[0].id}/absences"
    page = client.get(url).get_data(as_text=True)
    day = [str(MONDAY.day), str(MONDAY.month), str(MONDAY.year)]
    response = client.post(
        url, data={"kind": "sickness", "starts_on": day, "ends_on": day, "csrf_token": csrf_token(page)}
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 booked visit falls in it and needs another officer" in html
    assert "is off sick on Monday 7 December 2026." in html


@time_machine.travel(NOW, tick=False)
def test_polish_pages_write_miles_with_a_decimal_comma(client, world):
    """Finding 15: "1.4 mil stąd" in Polish."""
    client.get("/language/pl")
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    hub = client.get("/book/hub").get_data(as_text=True)
    assert re.search(r"\d,\d mili stąd", hub) and not re.search(r"\d\.\d mil", hub)  # "mili": a fraction


@time_machine.travel(NOW, tick=False)
def test_a_postcode_with_no_addresses_says_so_and_offers_to_enter_it(client, world):
    """Finding 14: "0 addresses found for SP4 1XX"."""
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 9ZZ"})
    page = client.get("/book/address").get_data(as_text=True)
    assert "0 addresses found" not in page and "We could not find any addresses for SN10 9ZZ" in page
    assert _checked(page, "address") == ["manual"]


def test_a_kiosk_offers_its_language_once_help_not_email_and_admins_choose_the_hub(client, sign_in):
    """Finding 16: the language choice twice on the kiosk's first page; the Beta banner's feedback
    page offered email on a shared kiosk; the kiosk form came with the first hub already chosen."""
    from tests.kiosk.test_kiosk import _kiosk

    world = World()
    db.session.commit()
    sign_in("admin")
    form = client.get("/admin/kiosks").get_data(as_text=True)
    assert re.search(r'<option value="" selected>\s*Choose a hub\s*</option>', form)
    page = submit_form(client, "/admin/kiosks", {"name": "Lobby kiosk", "hub_id": ""}).get_data(as_text=True)
    assert "Choose a hub and give the kiosk a name" in page
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    _kiosk(client, world)
    start = client.get("/kiosk/").get_data(as_text=True)
    assert start.count('aria-label="Language"') == 1
    feedback = client.get("/feedback").get_data(as_text=True)
    main = feedback[feedback.index("<main") :]
    assert "<strong>Ask for help</strong>" in main and "@" not in main


def test_signed_in_staff_are_not_offered_staff_sign_in(client, sign_in):
    """Finding 17: the footer offered "Staff sign in" to staff already signed in."""
    assert "Staff sign in" in client.get("/").get_data(as_text=True)
    sign_in("agent")
    assert "Staff sign in" not in client.get("/agent/").get_data(as_text=True)


def test_nepali_text_has_a_web_font_for_devices_without_one(client):
    """Finding 18: "नेपाली" showed as empty boxes where the device has no Devanagari font."""
    css = client.get("/static/doorstep.css").get_data(as_text=True)
    face = re.search(r"@font-face \{[^}]*Noto Sans Devanagari[^}]*\}", css).group(0)
    assert "unicode-range: U+0900-097F" in face  # fetched only for Devanagari text
    url = re.search(r'url\("([^"]+)"\)', face).group(1)
    font = client.get(url)
    assert font.status_code == 200 and font.mimetype == "font/ttf" and len(font.data) > 10_000
    assert client.get("/fonts/..%2Fletter.py").status_code == 404
    assert client.get("/fonts/OFL.txt").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_has_a_contents_list_of_its_tables(client, sign_in):
    """Finding 17: 14,700 px tall at 375 px with no contents list."""
    sign_in("supervisor")
    html = client.get("/supervisor/dashboard").get_data(as_text=True)
    contents = re.search(r'<nav[^>]*aria-labelledby="contents-title".*?</nav>', html, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', contents)
    assert len(targets) > 10 and all(f'id="{target}"' in html for target in targets)


def test_an_officer_map_with_no_street_map_says_so(client, configure):
    """Finding 17: the officer's map was a grey box with no tiles (no tile server set up)."""
    from tests.booking_helpers import at
    from tests.safety_helpers import officer_with_a_visit

    configure(map_tile_url="")
    with time_machine.travel(at(9, 0), tick=False):
        officer_with_a_visit(client, window_start=at(10))
        html = client.get("/officer/").get_data(as_text=True)
    assert "No street map is set up" in html
