"""Hub times are listed day first (one macro, booking/_times.html): under each day's heading ("Wednesday
2 December") the times of that day, earliest first, so a person finds the day, then picks a time. The
resident's time page, the page that moves a booking and the agent's booking page all show them so."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import time_machine

from app.extensions import db
from app.web.day_first import day_heading
from tests.booking_helpers import NOW, book_first_slot, world_with_a_street
from tests.factories import CustomerFactory
from tests.pages import csrf_token, submit_form


@pytest.fixture
def world():
    return world_with_a_street("SN10 1AA")


def _days(html: str) -> list[tuple[str, list[str]]]:
    """Each fieldset of times: its legend, and the labels of the radios inside it."""
    days = []
    for fieldset in re.findall(r"<fieldset.*?</fieldset>", html, re.S):
        legend = re.search(r"<legend[^>]*>\s*(.*?)\s*</legend>", fieldset, re.S)
        labels = re.findall(
            r'<label class="govuk-label govuk-radios__label"[^>]*>\s*(.*?)\s*</label>', fieldset, re.S
        )
        if 'name="slot"' in fieldset and legend:
            days.append((unescape(legend.group(1)), [unescape(" ".join(t.split())) for t in labels]))
    return days


def _hub_times(client, world) -> str:
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AA"})
    submit_form(client, "/book/hub", {"hub": world.hub.code})
    return client.get("/book/time").get_data(as_text=True)


def _in_order(labels: list[str]) -> bool:
    def minutes(label: str) -> int:
        if label == "midday":
            return 12 * 60
        hour, minute, half = re.match(r"(\d+)(?::(\d+))?(am|pm)", label).groups()
        return (int(hour) % 12 + (12 if half == "pm" else 0)) * 60 + int(minute or 0)

    return [minutes(t) for t in labels] == sorted(minutes(t) for t in labels)


def test_a_day_s_heading_is_the_day_and_date_with_the_year_only_when_it_is_another():
    assert day_heading(date(2026, 12, 8), "en", 2026) == "Tuesday 8 December"
    assert day_heading(date(2027, 1, 5), "en", 2026) == "Tuesday 5 January 2027"
    assert day_heading(date(2026, 12, 8), "pl", 2026) == "Wtorek, 8 grudnia"


@time_machine.travel(NOW, tick=False)
def test_the_resident_picks_a_day_then_a_time_at_a_hub(client, world):
    days = _days(_hub_times(client, world))
    # Tuesday 1 December, 9am: a day's notice, and the hub opens Monday to Friday.
    assert [heading for heading, _ in days][:2] == ["Wednesday 2 December", "Thursday 3 December"]
    for heading, times in days:
        assert times and _in_order(times), heading
        assert all(re.fullmatch(r"\d+(:\d+)?(am|pm)|midday", t) for t in times), (
            times
        )  # only times: the day is above


@time_machine.travel(NOW, tick=False)
def test_polish_hub_times_are_under_polish_day_headings(client, world):
    client.get("/language/pl")
    days = _days(_hub_times(client, world))
    assert days[0][0] == "Środa, 2 grudnia"


@time_machine.travel(NOW, tick=False)
def test_a_missed_choice_keeps_the_days_and_says_what_to_do_at_the_times(client, world):
    page = _hub_times(client, world)
    refused = client.post("/book/time", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert _days(refused) == _days(page)
    assert 'id="slot-error"' in refused
    # Every day's group of times is described by the error, so it is read out whichever day one is in.
    assert refused.count('aria-describedby="slot-error"') == len(_days(refused))


def test_moving_a_hub_booking_lists_the_new_times_day_first(client, world):
    from app.appointments.links import manage_url
    from app.booking.booking_request import CustomerDetails

    with time_machine.travel(NOW, tick=False):
        appointment = book_first_slot(
            world,
            CustomerDetails(
                name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True
            ),
            place=world.hub_place(),
        )
        db.session.commit()
        client.get(re.sub(r"^https?://[^/]+", "", manage_url(appointment)))
        page = client.get("/manage/booking/change").get_data(as_text=True)
    days = _days(page)
    assert days and all(re.fullmatch(r"\w+day \d+ December", heading) for heading, _ in days), days
    assert all(times and _in_order(times) for _, times in days)


@time_machine.travel(NOW, tick=False)
def test_the_agent_books_a_hub_time_day_first_with_who_and_what_travel(client, sign_in, world):
    sign_in("agent")
    customer = CustomerFactory(lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street")
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=hub:{world.hub.code}"
    days = _days(client.get(url).get_data(as_text=True))
    assert days[0][0] == "Wednesday 2 December"
    officer = world.officers[0].name
    for _heading, times in days:
        assert all(t.endswith(f"– {officer}") for t in times), times
        assert _in_order([t.split(" ")[0] for t in times])
