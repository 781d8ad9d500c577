"""Hubs as residents see them: opening hours (Saturdays too), closures and holidays, the hub page, and
bookings made at a counter."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
import time_machine

from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.errors import SlotUnavailable
from app.extensions import db
from app.models import Appointment, HubClosure, HubOpening
from tests.booking_helpers import MONDAY, NOW, World
from tests.factories import CustomerFactory, OfficerFactory
from tests.pages import csrf_token

SATURDAY = date(2026, 12, 12)


def _saturday_world() -> World:
    world = World()
    world.hub.opening_hours.append(HubOpening(weekday=5, opens=time(9), closes=time(12, 30)))
    OfficerFactory(skills=[world.skill], areas=[world.area], weekdays=[5])  # works Saturdays only
    db.session.flush()
    return world


def _days(result) -> set[date]:
    return {slot.day for slot in result.slots}


@time_machine.travel(NOW, tick=False)
def test_a_hub_open_on_saturday_offers_saturday_times_inside_its_hours():
    world = _saturday_world()
    result = search(world.service, world.hub_place(), SATURDAY, 1, now=NOW)
    times = sorted(slot.window[0] for slot in result.slots)
    assert times and times[0] == 9 * 3600 and times[-1] <= 12 * 3600 + 30 * 60 - 45 * 60


@time_machine.travel(NOW, tick=False)
def test_home_visits_are_not_offered_on_a_saturday_even_by_a_saturday_officer():
    world = _saturday_world()
    assert search(world.service, world.home(), SATURDAY, 1, now=NOW).slots == []


@time_machine.travel(NOW, tick=False)
def test_a_hub_without_saturday_hours_offers_nothing_on_saturday():
    world = World()
    OfficerFactory(skills=[world.skill], areas=[world.area], weekdays=[5])
    assert search(world.service, world.hub_place(), SATURDAY, 1, now=NOW).slots == []


@time_machine.travel(NOW, tick=False)
def test_a_closure_stops_hub_times_but_not_home_visits():
    world = World()
    world.hub.closures.append(HubClosure(first_day=MONDAY, last_day=MONDAY, reason="Refurbishment"))
    db.session.flush()
    assert MONDAY not in _days(search(world.service, world.hub_place(), MONDAY, 2, now=NOW))
    assert MONDAY in _days(search(world.service, world.home(), MONDAY, 1, now=NOW))


@time_machine.travel(NOW, tick=False)
def test_bank_holidays_close_the_hub():
    world = _saturday_world()
    days = _days(search(world.service, world.hub_place(), date(2026, 12, 24), 6, now=NOW))
    assert date(2026, 12, 24) in days
    assert date(2026, 12, 25) not in days and date(2026, 12, 28) not in days  # Christmas, Boxing Day (sub)
    assert date(2026, 12, 26) not in days  # Boxing Day itself, a Saturday


@time_machine.travel(NOW, tick=False)
def test_the_hub_page_shows_hours_saturdays_closures_counter_and_kiosk(client):
    world = _saturday_world()
    world.hub.has_kiosk = True
    world.hub.closures.append(HubClosure(first_day=MONDAY, last_day=MONDAY, reason="Staff training"))
    db.session.commit()
    index = client.get("/hubs/").get_data(as_text=True)
    assert world.hub.name in index and "also open on Saturdays" in index
    page = client.get(f"/hubs/{world.hub.code}").get_data(as_text=True)
    assert "Saturday" in page and "9am to 12:30pm" in page and "Sunday" in page
    assert "Monday 7 December 2026: Staff training" in page
    assert "Friday 25 December 2026: Christmas Day" in page
    assert "counter" in page and "kiosk" in page
    assert client.get("/hubs/no-such-hub").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_adds_a_closure_and_its_day_is_no_longer_offered(client, sign_in):
    world = World()
    db.session.commit()
    sign_in("supervisor")
    page = client.get(f"/admin/hubs/{world.hub.id}/closures")
    token = csrf_token(page.get_data(as_text=True))
    bad = client.post(
        f"/admin/hubs/{world.hub.id}/closures",
        data={"csrf_token": token, "first_day": ["8", "12", "2026"], "last_day": ["7", "12", "2026"]},
    )
    assert bad.status_code == 200 and "govuk-error-summary" in bad.get_data(as_text=True)
    done = client.post(
        f"/admin/hubs/{world.hub.id}/closures",
        data={
            "csrf_token": token,
            "first_day": ["7", "12", "2026"],
            "last_day": ["8", "12", "2026"],
            "reason": "Refurbishment",
        },
    )
    assert done.status_code == 302
    days = _days(search(world.service, world.hub_place(), MONDAY, 3, now=NOW))
    assert MONDAY not in days and date(2026, 12, 8) not in days and date(2026, 12, 9) in days


@time_machine.travel(NOW, tick=False)
def test_a_booking_made_at_a_hub_counter_is_recorded_as_counter(client, sign_in):
    world = World()
    customer = CustomerFactory()
    db.session.commit()
    sign_in("agent")
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=hub:{world.hub.code}"
    page = client.get(url).get_data(as_text=True)
    assert "At a hub counter" in page
    slot = search(world.service, world.hub_place(), MONDAY, 1, now=NOW).slots[0]
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "slot": slot.token,
            "preferred_channel": "none",
            "booked_at": "counter",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.query(Appointment).one().channel == "counter"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "christmas", "boxing_day_substitute"),
    [
        ("en", "Christmas Day", "Boxing Day (substitute day)"),
        ("pl", "Boże Narodzenie", "Drugi dzień świąt Bożego Narodzenia (dzień zastępczy)"),
        ("ne", "क्रिसमस दिवस", "बक्सिङ डे (सट्टा बिदा)"),
    ],
)
def test_bank_holidays_on_a_hub_page_are_named_in_the_residents_language(
    client, locale, christmas, boxing_day_substitute
):
    world = World()
    db.session.commit()
    client.get(f"/language/{locale}")
    page = client.get(f"/hubs/{world.hub.code}").get_data(as_text=True)
    shut = re.findall(r"<li>([^<]*: [^<]*)</li>", page)
    assert any(line.endswith(f": {christmas}") and "25" in line for line in shut), shut
    assert any(line.endswith(f": {boxing_day_substitute}") and "28" in line for line in shut), shut
    assert locale == "en" or not any("Christmas" in line or "Boxing" in line for line in shut)


@time_machine.travel(NOW, tick=False)
def test_a_hub_time_offered_before_a_closure_is_not_booked_once_the_hub_is_closed_that_day():
    """A resident who searched before staff closed the hub for the day cannot book the time they were
    shown: the booking is checked against the hub's hours and closures when it is made."""
    world = World()
    place = world.hub_place()
    slot = search(world.service, place, MONDAY, 1, now=NOW).slots[0]
    world.hub.closures.append(HubClosure(first_day=MONDAY, last_day=MONDAY, reason="Flooding"))
    db.session.commit()
    request = BookingRequest(
        slot_token=slot.token,
        service=world.service,
        place=world.hub_place(),
        customer=CustomerDetails(name="Jo Bloggs", phone="07700900123", preferred_channel="sms"),
    )
    with pytest.raises(SlotUnavailable):
        book(request)
    db.session.rollback()
    assert db.session.query(Appointment).count() == 0
