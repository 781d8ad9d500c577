"""What an attacker's sweep beyond #15 found: each was open before these fixes.

- A text from a number could cancel (or rate) another resident's booking that shares the number.
- The calendar link in texts, emails and API answers doubled as the manage link.
- A switched-off account answered sign-in faster than a live one (no password hash checked).
- Production would start with the debugger on, or sign CRM events with an empty secret over http.
- A CRM receiver using our verify() crashed on a timestamp that is not a number.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine

from app import ConfigError, create_app
from app.appointments.links import ics_url
from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.extensions import db
from app.models import Appointment, Message
from app.staff import staff
from notifications.webhook import signature, verify
from tests.booking_helpers import MONDAY, NOW, World
from tests.factories import PASSWORD, AppointmentFactory, CustomerFactory, UserFactory
from tests.messaging.test_notifications import _signed_post
from tests.staff.test_settings_and_accounts import GOOD_PRODUCTION, environment  # noqa: F401  (fixture)

SHARED = "+447700900123"


def _book_texted(world, name, slot_index=0, day=MONDAY):
    slot = search(world.service, world.home(), day, 1, now=NOW).slots[slot_index]
    appointment = book(
        BookingRequest(
            slot_token=slot.token,
            service=world.service,
            place=world.home(),
            customer=CustomerDetails(name=name, phone=SHARED, preferred_channel="sms", sms_consent=True),
        )
    )
    db.session.commit()
    return appointment


def _text(client, body, sid):
    return _signed_post(client, "/webhooks/twilio/inbound", {"MessageSid": sid, "From": SHARED, "Body": body})


@time_machine.travel(NOW, tick=False)
def test_a_text_cancels_only_a_booking_that_number_was_texted_about(client, twilio):
    world = World()
    # Her son's record carries her number, but he chose email: no text about his visit went to her.
    son = CustomerFactory(name="Sam Bloggs", phone=SHARED, preferred_channel="email", sms_consent=False)
    sons_visit = AppointmentFactory(service=world.service, customer=son, window_start=NOW + timedelta(days=1))
    hers = _book_texted(world, "Jo Bloggs")
    db.session.commit()
    _text(client, "CANCEL", "SM" + "a" * 32)
    db.session.expire_all()
    assert db.session.get(Appointment, hers.id).status == "cancelled"
    assert db.session.get(Appointment, sons_visit.id).status == "booked"


@time_machine.travel(NOW, tick=False)
def test_with_two_bookings_texted_cancel_asks_which_and_cancel_with_a_reference_cancels_that_one(
    client, twilio
):
    world = World(officers=2)
    # Two visits on two days (at one time, the booking engine would ask if they need both).
    first = _book_texted(world, "Jo Bloggs")
    second = _book_texted(world, "Jo Bloggs", day=MONDAY + timedelta(days=1))
    _text(client, "cancel", "SM" + "b" * 32)
    db.session.expire_all()
    assert {a.status for a in db.session.query(Appointment)} == {"booked"}
    reply = db.session.query(Message).filter_by(kind="reply").one()
    assert "reply CANCEL and its reference" in reply.body
    reference = f"{second.reference[:4]}-{second.reference[4:].lower()}"
    _text(client, f"Cancel {reference}", "SM" + "c" * 32)
    db.session.expire_all()
    assert db.session.get(Appointment, second.id).status == "cancelled"
    assert db.session.get(Appointment, first.id).status == "booked"


@time_machine.travel(NOW, tick=False)
def test_a_rating_goes_only_to_a_visit_that_number_was_asked_about(client, twilio):
    world = World()
    son = CustomerFactory(name="Sam Bloggs", phone=SHARED, preferred_channel="email")
    visit = AppointmentFactory(
        service=world.service, customer=son, window_start=NOW - timedelta(hours=3), status="completed"
    )
    db.session.commit()
    _text(client, "1", "SM" + "d" * 32)
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).satisfaction_score is None


@time_machine.travel(NOW, tick=False)
def test_the_calendar_link_downloads_the_calendar_but_cannot_manage_the_booking(client):
    world = World()
    appointment = _book_texted(world, "Jo Bloggs")
    link = ics_url(appointment, external=False)
    assert client.get(link).status_code == 200
    token = link.split("token=")[1]
    response = client.get(f"/manage/{token}")
    assert response.status_code == 404 and "/manage/booking" not in response.headers.get("Location", "")


def test_a_switched_off_account_costs_the_same_password_check(monkeypatch):
    live, off = UserFactory(), UserFactory(active=False)
    db.session.commit()
    checks = []
    real = staff.verify_password

    def counting(stored, password):  # the real check, counted
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(staff, "verify_password", counting)
    for email in (live.email, off.email, "nobody@council.example"):
        before = len(checks)
        started = time.perf_counter()
        staff.authenticate(email, "wrong-password")
        assert len(checks) == before + 1, email  # one argon2 check each: nothing to time
        assert time.perf_counter() - started > 0
    assert staff.authenticate(off.email, PASSWORD) is None


def test_production_refuses_the_debugger(environment, monkeypatch):  # noqa: F811
    environment(**GOOD_PRODUCTION)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="FLASK_DEBUG"):
        create_app()


@pytest.mark.parametrize(
    "crm",
    [
        {"CRM_WEBHOOK_URL": "https://crm.council.example/hook", "CRM_WEBHOOK_SECRET": ""},
        {"CRM_WEBHOOK_URL": "http://crm.council.example/hook", "CRM_WEBHOOK_SECRET": "s" * 40},
    ],
)
def test_production_refuses_unsigned_or_plain_http_crm_events(environment, crm):  # noqa: F811
    environment(**GOOD_PRODUCTION | crm)
    with pytest.raises(ConfigError, match="CRM_WEBHOOK"):
        create_app()


def test_a_crm_receiver_is_not_crashed_by_a_bad_timestamp():
    body = b'{"event": "appointment.booked"}'
    now = str(int(time.time()))
    assert verify("secret", now, body, signature("secret", now, body))
    for bad in ("", "soon", "1e9", "١٢٣"):
        assert verify("secret", bad, body, signature("secret", bad, body)) is False
