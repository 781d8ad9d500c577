"""Kiosks: a device signs in once, books with the kiosk channel, asks for help, and forgets each user."""

from __future__ import annotations

import re

import time_machine

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import Address, Appointment
from app.web.guards import limiter
from tests.booking_helpers import NOW, World
from tests.factories import HubFactory
from tests.pages import csrf_token, set_up_kiosk, sign_out


def _kiosk(client, world, phone="+447700900600"):
    world.hub.staff_phone = phone
    device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    assert set_up_kiosk(client, token).headers["Location"] == "/kiosk/"
    return device


def _post(client, url, data):
    page = client.get(url)
    return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_a_kiosk_without_a_name_is_sent_back_with_the_hub_still_chosen(client, sign_in):
    world = World()
    db.session.commit()
    sign_in("admin")
    page = client.get("/admin/kiosks").get_data(as_text=True)
    html = client.post(
        "/admin/kiosks", data={"csrf_token": csrf_token(page), "hub_id": world.hub.id, "name": ""}
    ).get_data(as_text=True)
    assert "Choose a hub and give the kiosk a name" in html
    assert re.search(rf'<option value="{world.hub.id}" selected>', html)
    assert db.session.query(kiosks.KioskDevice).count() == 0


def test_admin_registers_a_kiosk_and_can_switch_it_off(client, sign_in):
    world = World()
    db.session.commit()
    sign_in("admin")
    page = client.get("/admin/kiosks").get_data(as_text=True)
    html = client.post(
        "/admin/kiosks", data={"csrf_token": csrf_token(page), "hub_id": world.hub.id, "name": "Front desk"}
    ).get_data(as_text=True)
    url = re.search(r'<code class="app-break-all">https?://[^/<]+(/kiosk/activate/[^<]+)</code>', html).group(
        1
    )
    device = db.session.query(kiosks.KioskDevice).one()
    sign_out(client)
    kiosk_browser = client.application.test_client()
    set_up_kiosk(kiosk_browser, url)
    start = kiosk_browser.get("/kiosk/")
    assert start.status_code == 200 and world.hub.name in start.get_data(as_text=True)
    kiosks.revoke(device)
    db.session.commit()
    assert kiosk_browser.get("/kiosk/").status_code == 403  # revocation is immediate
    assert client.application.test_client().get("/kiosk/").status_code == 403  # never activated


@time_machine.travel(NOW, tick=False)
def test_a_kiosk_booking_then_reset_leaves_nothing_for_the_next_person(client):
    world = World()
    db.session.add(
        Address(uprn="9", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    _kiosk(client, world)
    _post(client, "/book/service", {"service": world.service.code})
    _post(client, "/book/where", {"location_type": "hub"})
    _post(client, "/book/postcode", {"postcode": "SN10 1AA"})
    _post(client, "/book/hub", {"hub": world.hub.code})
    page = client.get("/book/time").get_data(as_text=True)
    assert "app-kiosk" in page and "Ask for help" in page
    # One day's times at a time, in big radios, and the next day by a big button (not 40 small radios).
    assert page.count("govuk-fieldset__legend--s") == 1 and "govuk-radios--small" not in page
    later = r'class="govuk-button govuk-button--secondary app-kiosk-big" href="/book/time\?from='
    assert re.search(later, page)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', page).group(1)
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(page)})
    _post(client, "/book/details", {"name": "Kim Kiosk", "phone": "07700 900321", "preferred_channel": "sms"})
    check = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(check)})
    appointment = db.session.query(Appointment).one()
    assert appointment.channel == "kiosk"
    confirmation = client.get("/book/confirmation")
    confirmed = confirmation.get_data(as_text=True)
    assert "Print a ticket" in confirmed
    # Kim's booking was texted already: no offer to text it (once, let alone twice).
    assert "We have sent you a link" in confirmed and "Text me my booking" not in confirmed
    # Nothing leads out of the kiosk's journey: no footer links, no feedback link in the Beta banner.
    assert "Accessibility statement" not in confirmed and "give your feedback" not in confirmed
    assert client.get("/").headers["Location"] == "/kiosk/"
    assert "no-store" in confirmation.headers["Cache-Control"]
    ticket = client.get("/kiosk/ticket").get_data(as_text=True)
    assert f"{appointment.reference[:4]}-{appointment.reference[4:]}" in ticket and "<svg" in ticket
    reset = client.post("/kiosk/reset", data={"csrf_token": csrf_token(ticket)})
    assert reset.headers["Clear-Site-Data"] == '"cache"'
    # The next person: nothing of Kim's booking can be reached, and the kiosk is still signed in.
    assert client.get("/book/confirmation").headers["Location"] == "/book/"
    assert client.get("/kiosk/ticket").headers["Location"] == "/kiosk/"
    assert client.get("/book/check").headers["Location"] == "/book/service"
    assert "Kim" not in client.get("/kiosk/").get_data(as_text=True)


def test_booking_look_ups_are_rate_limited_per_kiosk(client):
    world = World()
    _kiosk(client, world)
    other_kiosk = client.application.test_client()
    _device, token = kiosks.register(world.hub, "Second kiosk")
    db.session.commit()
    set_up_kiosk(other_kiosk, token)
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [
            _post(
                client, "/manage/find", {"reference": "AAAA3333", "surname": "x", "postcode": "SN10 1AA"}
            ).status_code
            for _ in range(11)
        ]
        other = _post(
            other_kiosk, "/manage/find", {"reference": "AAAA3333", "surname": "x", "postcode": "SN10 1AA"}
        )
    finally:
        limiter.enabled = False
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert other.status_code == 200  # each kiosk has its own allowance


def test_text_size_control(client):
    world = World()
    _kiosk(client, world)
    client.get("/kiosk/text-size/large")
    assert "app-kiosk--large" in client.get("/kiosk/").get_data(as_text=True)
    client.get("/kiosk/text-size/normal")
    assert "app-kiosk--large" not in client.get("/kiosk/").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_a_kiosk_books_at_its_own_hub_and_never_links_off_to_the_web(client):
    world = World()
    HubFactory(area=world.area, name="Another hub")
    _kiosk(client, world)
    _post(client, "/book/service", {"service": world.service.code})
    response = _post(client, "/book/where", {"location_type": "hub"})
    assert response.headers["Location"] == "/book/time"  # no postcode, no list of hubs
    page = client.get("/book/time").get_data(as_text=True)
    assert f"Appointments at {world.hub.name}" in page
    for url in ("/kiosk/", "/book/time", "/accessibility", "/privacy"):
        html = client.get(url).get_data(as_text=True)
        footer = html[html.index('class="govuk-footer"') :]
        assert re.findall(r'href="([^"]+)"', footer) == [], url  # no way out of the kiosk's journey
        assert "Staff sign in" not in footer
        assert 'href="/"' not in html, url  # the council's logo and the service's name lead to /kiosk/
        external = [h for h in re.findall(r'<a [^>]*href="(https?://[^"]+)"', html)]
        assert external == [], (url, external)


def test_back_from_the_kiosks_times_goes_to_where_not_to_a_list_of_hubs_it_never_showed(client):
    """The kiosk skips the list of hubs (it books at its own), so Back on the time page goes to 'Where would
    you like the appointment?', not to every hub in the county (found by the walk)."""
    world = World()
    HubFactory(area=world.area, name="Another hub")
    _kiosk(client, world)
    _post(client, "/book/service", {"service": world.service.code})
    _post(client, "/book/where", {"location_type": "hub"})
    page = client.get("/book/time").get_data(as_text=True)
    assert re.search(r'<a href="/book/where" class="govuk-back-link">', page)
    assert 'href="/book/hub"' not in page
    assert "Where would you like the appointment?" in client.get("/book/where").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_the_kiosks_check_page_says_how_details_are_used_without_a_link_out_of_the_journey(client):
    world = World()
    _kiosk(client, world)
    _post(client, "/book/service", {"service": world.service.code})
    _post(client, "/book/where", {"location_type": "hub"})
    times = client.get("/book/time").get_data(as_text=True)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', times).group(1)
    _post(client, "/book/time", {"slot": slot})
    details = {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"}
    assert _post(client, "/book/details", details).headers["Location"] == "/book/check"
    html = client.get("/book/check").get_data(as_text=True)
    assert "We use these details to arrange your appointment" in html
    assert 'href="/privacy"' not in html  # the kiosk never links out of its journey; staff can help


def test_back_from_the_times_on_the_web_still_goes_to_the_hubs(client):
    world = World()
    _post(client, "/book/service", {"service": world.service.code})
    _post(client, "/book/where", {"location_type": "hub"})
    _post(client, "/book/hub", {"hub": world.hub.code})
    page = client.get("/book/time").get_data(as_text=True)
    assert re.search(r'<a href="/book/hub" class="govuk-back-link">', page)


@time_machine.travel(NOW, tick=False)
def test_a_booking_checked_at_the_kiosk_offers_no_calendar_file_to_download(client):
    """Evening walk: "Check or change a booking" on the kiosk offered "Add to your calendar", which
    leaves the resident's booking (name, address, time) in the shared kiosk's downloads."""
    from app.booking.booking_request import CustomerDetails
    from tests.booking_helpers import book_first_slot

    world = World()
    appointment = book_first_slot(
        world,
        CustomerDetails(name="Kim Kiosk", phone="+447700900321", preferred_channel="sms", sms_consent=True),
    )
    db.session.commit()
    _kiosk(client, world)
    found = _post(
        client,
        "/manage/find",
        {"reference": appointment.reference, "surname": "Kiosk", "postcode": appointment.postcode},
    )
    assert found.headers["Location"] == "/manage/booking"
    page = client.get("/manage/booking").get_data(as_text=True)
    assert "Change the time" in page  # the booking is there, and can be changed
    assert "Add to your calendar" not in page and "calendar.ics" not in page
    web = client.application.test_client()  # the same booking opened on a phone still offers it
    _post(
        web,
        "/manage/find",
        {"reference": appointment.reference, "surname": "Kiosk", "postcode": appointment.postcode},
    )
    assert "Add to your calendar" in web.get("/manage/booking").get_data(as_text=True)
