"""A number that replied STOP gets texts again only when it replies START: a stranger's public booking
with that number cannot turn them back on (the attacker's report), nor can any other booking. The one
who booked is told on the confirmation page that texts are off and how to turn them on."""

from __future__ import annotations

import re

import pytest
import time_machine
from twilio.request_validator import RequestValidator

from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.messaging.consent import number_stopped
from app.models import Address, Appointment, Message
from tests.booking_helpers import NOW, book_first_slot, world_with_a_street
from tests.pages import csrf_token, submit_form
from tests.standins.twilio_api import AUTH_TOKEN

PHONE = "+447700900123"
STOPPED_NOTICE = "We will not text 07700 900123: that number replied STOP to one of our texts"
START_HINT = "To get our texts again, reply START to any text from us on that phone."


@pytest.fixture
def world():
    return world_with_a_street("SN10 1AA")


def _reply(client, word: str, sid: str):
    form = {"MessageSid": "SM" + sid * 32, "From": PHONE, "Body": word}
    url = "/webhooks/twilio/inbound"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"https://doorstep.council.example{url}", form)
    assert client.post(url, data=form, headers={"X-Twilio-Signature": signature}).status_code == 200


def _texts_about(appointment: Appointment) -> list[Message]:
    return db.session.query(Message).filter_by(channel="sms", appointment_id=appointment.id).all()


def _book_online(client, world, name: str) -> tuple[Appointment, str]:
    """A stranger's public booking, through the pages, with PHONE and texts chosen: the booking and its
    confirmation page."""
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AA"})
    submit_form(client, "/book/address", {"address": str(db.session.query(Address).one().id)})
    times = client.get("/book/time").get_data(as_text=True)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', times).group(1)
    client.post("/book/time", data={"csrf_token": csrf_token(times), "slot": slot})
    submit_form(client, "/book/details", {"name": name, "phone": "07700 900123", "preferred_channel": "sms"})
    assert submit_form(client, "/book/check", {}).headers["Location"] == "/book/confirmation"
    page = client.get("/book/confirmation").get_data(as_text=True)
    booked = db.session.query(Appointment).order_by(Appointment.id.desc()).first()
    return booked, re.sub(r"\s+", " ", page)


@time_machine.travel(NOW, tick=False)
def test_a_public_booking_cannot_turn_texts_back_on_for_a_number_that_said_stop(app, client, twilio, world):
    owner = book_first_slot(
        world, CustomerDetails(name="Jo Owner", phone=PHONE, preferred_channel="sms", sms_consent=True)
    )
    db.session.commit()
    assert len(_texts_about(owner)) == 1  # their confirmation
    _reply(client, "STOP", "1")
    assert number_stopped(PHONE)

    stranger_booking, page = _book_online(app.test_client(), world, "Sam Stranger")
    assert stranger_booking.customer.phone == PHONE and stranger_booking.customer.sms_consent  # as they said
    assert _texts_about(stranger_booking) == []  # but nothing is texted to the number that said STOP
    assert STOPPED_NOTICE in page and START_HINT in page
    assert "We have also sent it to you by text message" not in page

    _reply(client, "START", "2")  # the number's owner asks for texts again
    assert not number_stopped(PHONE)
    again, page = _book_online(app.test_client(), world, "Jo Owner")
    assert [m.kind for m in _texts_about(again)] == ["confirmation"]
    assert STOPPED_NOTICE not in page


@time_machine.travel(NOW, tick=False)
def test_a_booking_that_vouches_for_the_caller_cannot_undo_stop_either(client, twilio, world, sign_in):
    """An agent's caller ticks "agrees to texts": the carrier blocks texts to a number that sent STOP
    until it sends START, so we write none (the caller is told to reply START)."""
    _reply(client, "STOP", "3")
    agents = book_first_slot(
        world,
        CustomerDetails(name="Jo Caller", phone=PHONE, preferred_channel="sms", sms_consent=True),
        channel="phone",
    )
    db.session.commit()
    assert agents.customer.sms_consent and _texts_about(agents) == []
    sign_in("agent")
    page = re.sub(r"\s+", " ", client.get(f"/agent/customers/{agents.customer_id}").get_data(as_text=True))
    assert "this number replied STOP: no texts until it replies START" in page  # the agent can say so


@time_machine.travel(NOW, tick=False)
def test_the_manage_page_says_texts_are_off_for_the_number_and_how_to_turn_them_on(client, twilio, world):
    from app.appointments.links import manage_url

    appointment = book_first_slot(
        world, CustomerDetails(name="Jo Owner", phone=PHONE, preferred_channel="sms", sms_consent=True)
    )
    db.session.commit()
    _reply(client, "STOP", "4")
    resident = client.application.test_client()
    resident.get(re.sub(r"^https?://[^/]+", "", manage_url(appointment)))
    page = re.sub(r"\s+", " ", resident.get("/manage/booking").get_data(as_text=True))
    assert STOPPED_NOTICE in page and START_HINT in page
    assert "Stop sending me text messages" not in page
