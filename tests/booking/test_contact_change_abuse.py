"""Attack of 2 December (afternoon) on the resident's own changes (app.booking.resident_changes): one
booking's link could send our texts and emails to any number of strangers, free its booker's allowance
by changing the record's email, redirect the resident's other bookings, and move a booking (a message
each time) as often as the rate limit allowed. Each is held here through the manage pages."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.booking.availability import decode_slot
from app.booking.booking_request import CustomerDetails
from app.booking.errors import TooManyBookings
from app.extensions import db
from app.models import Appointment, Message
from app.timeutil import at_day_seconds
from tests.booking.test_manage_details import _contact, _open, _text
from tests.booking_helpers import NOW, World, book_first_slot
from tests.pages import csrf_token

STRANGER = "+447700900999"


@pytest.fixture
def world():
    return World(officers=3)


def _public(
    world, name: str, phone: str = "", email: str = "", channel: str = "sms", **request
) -> Appointment:
    """A booking made online (the engine's public channel), committed."""
    details = CustomerDetails(
        name=name, phone=phone, email=email, preferred_channel=channel, sms_consent=channel == "sms"
    )
    appointment = book_first_slot(world, details, days=5, channel="web", unverified=True, **request)
    db.session.commit()
    return appointment


def _sent_to(recipient: str) -> list[str]:
    return [m.kind for m in db.session.query(Message).filter_by(recipient=recipient).order_by(Message.id)]


@time_machine.travel(NOW, tick=False)
def test_a_new_number_uses_its_allowance_so_links_cannot_be_turned_on_a_stranger(app, world, configure):
    configure(public_bookings_per_contact_per_day=2)
    bookings = [_public(world, f"Booker {n}", phone=f"+4477009001{n:02d}") for n in range(3)]
    answers = []
    for appointment in bookings:  # three bookings, each its own link, each turned on the same number
        browser = app.test_client()
        _open(browser, appointment)
        answers.append(_contact(browser, phone="07700 900999"))
    assert [a.status_code for a in answers] == [200, 200, 400]
    refused = _text(answers[2].get_data(as_text=True))
    assert (
        "We cannot send to that number, email address or address from an online change again today" in refused
    )
    assert "0300 456 0100" in refused
    # Each of the first two was confirmed to it (with that booking's confirmation, not sent yet, moved
    # there too); the third booking sent it nothing.
    assert _sent_to(STRANGER).count("contact_changed") == 2
    to_stranger = db.session.query(Message.appointment_id).filter_by(recipient=STRANGER)
    assert {a for (a,) in to_stranger} == {bookings[0].id, bookings[1].id}
    db.session.refresh(bookings[2].customer)
    assert bookings[2].customer.phone == "+447700900102"


@time_machine.travel(NOW, tick=False)
def test_changing_the_email_afterwards_does_not_free_the_bookers_allowance(client, world, configure):
    configure(public_bookings_per_contact_per_day=2)
    first = _public(world, "Ann One", email="reuse@example.org", channel="email")
    _public(world, "Bob Two", email="reuse@example.org", channel="email")
    _open(client, first)
    assert _contact(client, email="elsewhere@example.org", channel="email").status_code == 200
    with pytest.raises(TooManyBookings):
        _public(world, "Cat Three", email="reuse@example.org", channel="email")


@time_machine.travel(NOW, tick=False)
def test_one_bookings_link_cannot_redirect_the_residents_other_bookings(client, world):
    first = _public(world, "Jo Bloggs", phone="+447700900123")
    details = CustomerDetails(
        name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True
    )
    book_first_slot(  # the second, booked by an agent onto the same record
        world, details, days=5, channel="phone", customer_id=first.customer_id, confirmed_overlap=True
    )
    db.session.commit()
    html = _open(client, first)
    page = client.get("/manage/booking/contact")
    told = "We use these contact details for your other bookings with us too"
    assert page.status_code == 200 and told in _text(page.get_data(as_text=True))
    sent = client.post(
        "/manage/booking/contact",
        data={"csrf_token": csrf_token(html), "phone": "07700 900999", "preferred_channel": "sms"},
    )
    assert sent.status_code == 409 and told in _text(sent.get_data(as_text=True))
    db.session.refresh(first.customer)
    assert first.customer.phone == "+447700900123" and _sent_to(STRANGER) == []


@time_machine.travel(NOW, tick=False)
def _moves(client, appointment, count: int) -> list:
    answers = []
    for _ in range(count):
        html = client.get("/manage/booking/change").get_data(as_text=True)
        db.session.refresh(appointment)
        tokens = re.findall(r'name="slot" type="radio" value="([^"]+)"', html)
        elsewhere = next(
            t
            for t in tokens
            if at_day_seconds(decode_slot(t).day, decode_slot(t).window[0]) != appointment.window_start
        )
        answers.append(
            client.post("/manage/booking/change", data={"csrf_token": csrf_token(html), "slot": elsewhere})
        )
    return answers


@time_machine.travel(NOW, tick=False)
def test_a_booking_is_moved_online_a_few_times_a_day_not_a_message_a_second(client, world, configure):
    configure(public_bookings_per_contact_per_day=10)  # the booking's own cap, not the number's
    appointment = _public(world, "Jo Bloggs", phone="+447700900123")
    _open(client, appointment)
    answers = _moves(client, appointment, 4)
    assert [a.status_code for a in answers[:3]] == [302, 302, 302]
    assert "You have moved this appointment several times today" in _text(answers[3].get_data(as_text=True))
    assert _sent_to("+447700900123").count("reschedule") == 3


@time_machine.travel(NOW, tick=False)
def test_asking_for_letters_afterwards_uses_the_doors_allowance(client, world, configure):
    configure(public_letter_bookings_per_address_per_day=1)
    _public(world, "Ann One", channel="post")  # 12 High Street, SN10 1AA: its letter for the day
    texted = _public(world, "Bob Two", phone="+447700900124")
    _open(client, texted)
    answer = _contact(client, phone="07700 900124", channel="post")
    assert answer.status_code == 400
    assert "from an online change again today" in _text(answer.get_data(as_text=True))
    db.session.refresh(texted.customer)
    assert texted.customer.preferred_channel == "sms"


@time_machine.travel(NOW, tick=False)
def test_moves_and_changes_use_the_allowance_of_the_number_they_text(client, world, configure):
    """Second attack, same afternoon: a change that kept the number (only the email changed) and each
    move still texted it, counted by nobody; 33 texts to one number from four bookings."""
    configure(public_bookings_per_contact_per_day=3)
    appointment = _public(world, "Jo Bloggs", phone="+447700900555")  # 1 of 3
    _open(client, appointment)
    assert _contact(client, phone="07700 900555", email="a@evil.example").status_code == 200  # 2 of 3
    assert _moves(client, appointment, 1)[0].status_code == 302  # 3 of 3
    refused = _moves(client, appointment, 1)[0]
    assert "You have moved this appointment several times today" in _text(refused.get_data(as_text=True))
    again = _contact(client, phone="07700 900555", email="b@evil.example")
    assert again.status_code == 400
    assert _sent_to("+447700900555").count("reschedule") == 1
