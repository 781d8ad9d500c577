"""Consent to texts is honoured everywhere (STOP, the manage page, agents, satisfaction texts), and texts
say where a hub appointment is and what to have ready (#18)."""

from __future__ import annotations

import re

import time_machine
from twilio.request_validator import RequestValidator

from app.booking.booking_request import CustomerDetails
from app.booking.changes import record_outcome
from app.extensions import db
from app.messaging.dispatch import dispatch_due
from app.messaging.reminders import queue_due_reminders
from app.models import Customer, Message
from notifications.templates import sms_segments
from tests.booking_helpers import NOW, World, book_first_slot
from tests.pages import csrf_token
from tests.standins.twilio_api import AUTH_TOKEN

PHONE = "+447700900123"


def _book(world, *, channel="sms", consent=True, hub=False, phone=PHONE, email=""):
    place = world.hub_place() if hub else world.home()
    appointment = book_first_slot(
        world,
        CustomerDetails(
            name="Jo Bloggs", phone=phone, email=email, preferred_channel=channel, sms_consent=consent
        ),
        place,
    )
    db.session.commit()
    return appointment


def _texts():
    return db.session.query(Message).filter_by(channel="sms").order_by(Message.id).all()


def _signed_post(client, url, form):
    full = f"https://doorstep.council.example{url}"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(full, form)
    return client.post(url, data=form, headers={"X-Twilio-Signature": signature})


@time_machine.travel(NOW, tick=False)
def test_a_stop_reply_ends_every_text_to_that_number(client, twilio):
    world = World()
    appointment = _book(world)
    assert [m.kind for m in _texts()] == ["confirmation"]
    response = _signed_post(
        client, "/webhooks/twilio/inbound", {"MessageSid": "SM" + "5" * 32, "From": PHONE, "Body": "Stop"}
    )
    assert response.status_code == 200
    customer = db.session.get(Customer, appointment.customer_id)
    assert customer.sms_consent is False
    with time_machine.travel("2026-12-06 10:00:00+00:00", tick=False):
        queue_due_reminders()
    record_outcome(appointment, "checked_in")
    record_outcome(appointment, "completed")
    db.session.commit()
    assert [m.kind for m in _texts()] == ["confirmation"]  # no reminder, no satisfaction text, no reply


@time_machine.travel(NOW, tick=False)
def test_no_satisfaction_text_to_someone_who_chose_no_messages():
    world = World()
    appointment = _book(world, channel="none", consent=True)
    record_outcome(appointment, "completed")
    db.session.commit()
    assert _texts() == []


@time_machine.travel(NOW, tick=False)
def test_a_resident_stops_texts_from_the_manage_page(client):
    world = World()
    appointment = _book(world)
    queued = _texts()[0]
    assert queued.status == "created"
    with client.session_transaction() as session:
        session["manage_reference"] = appointment.reference
    page = client.get("/manage/booking").get_data(as_text=True)
    assert "Stop sending me text messages" in page and "reply STOP" in page
    response = client.post("/manage/booking/stop-texts", data={"csrf_token": csrf_token(page)})
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We will not send you text messages" in after
    db.session.refresh(queued)
    assert queued.status == "cancelled"  # the unsent confirmation is not sent either
    assert db.session.get(Customer, appointment.customer_id).sms_consent is False


@time_machine.travel(NOW, tick=False)
def test_an_agent_records_that_a_caller_withdraws_consent(client, sign_in):
    world = World()
    appointment = _book(world)
    sign_in("agent")
    url = f"/agent/customers/{appointment.customer_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Stop texts: the caller withdraws consent" in page
    client.post(f"{url}/stop-texts", data={"csrf_token": csrf_token(page)})
    page = client.get(url).get_data(as_text=True)
    assert "no consent to texts recorded" in page and "Stop texts:" not in page
    record_outcome(appointment, "completed")
    db.session.commit()
    assert [m.status for m in _texts()] == ["cancelled"]


@time_machine.travel(NOW, tick=False)
def test_hub_texts_say_where_and_what_to_have_ready(twilio):
    world = World()
    appointment = _book(world, hub=True)
    (text,) = _texts()
    assert world.hub.name in text.body and world.hub.postcode in text.body
    assert sms_segments(text.body) <= 2
    home = _book(world, phone="+447700900124")
    body = [m for m in _texts() if m.appointment_id == home.id][0].body
    assert "Have ready:" in body and sms_segments(body) <= 2
    assert appointment.reference[:4] in text.body


@time_machine.travel(NOW, tick=False)
def test_texts_go_to_mobiles_only(twilio):
    world = World()
    _book(world, phone="+441380722000")  # a landline, kept for calls
    assert _texts() == []
    dispatch_due()


def test_agents_see_what_to_have_ready_and_the_officer(client, sign_in):
    with time_machine.travel(NOW, tick=False):
        world = World()
        appointment = _book(world)
    sign_in("agent")
    page = client.get(f"/agent/customers/{appointment.customer_id}").get_data(as_text=True)
    assert "What to have ready" in page and "Proof of identity" in page
    assert re.search(rf"Officer: {re.escape(world.officers[0].name)}", page)
