"""Two bookings can never take the same officer time, however many arrive at once (PostgreSQL)."""

from __future__ import annotations

import pytest

from app.booking.availability import search
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.extensions import db
from app.models import Appointment
from tests.booking_helpers import MONDAY, NOW, World, book_at_once

pytestmark = pytest.mark.postgres


def _setup_last_slot():
    world = World()
    db.session.commit()
    slots = search(world.service, world.home(), MONDAY, 1, now=NOW).slots
    db.session.commit()
    return world, slots


def test_twenty_clients_same_token_exactly_one_booking(app, postgres, committed):
    world, slots = _setup_last_slot()
    token, service_id, area_id = slots[0].token, world.service.id, world.area.id

    def make(i):
        def request():
            from app.models import Service
            from app.places.places import Place

            return BookingRequest(
                slot_token=token,
                service=db.session.get(Service, service_id),
                place=Place("home", 51.355, -1.99, area_id, line1=f"{i} High St", postcode="SN10 1AA"),
                customer=CustomerDetails(name=f"Caller {i}", phone=f"+4477009001{i:02d}"),
            )

        return request

    outcomes = book_at_once(app, [make(i) for i in range(20)])
    assert outcomes.count("booked") == 1 and outcomes.count("gone") == 19
    assert db.session.query(Appointment).count() == 1


def test_different_tokens_for_the_same_officer_time_never_overlap(app, postgres, committed):
    world, slots = _setup_last_slot()
    service_id, area_id = world.service.id, world.area.id
    tokens = [s.token for s in slots]  # every window of the one officer, all at once, several times over

    def make(i):
        def request():
            from app.models import Service
            from app.places.places import Place

            return BookingRequest(
                slot_token=tokens[i % len(tokens)],
                service=db.session.get(Service, service_id),
                place=Place("home", 51.355, -1.99, area_id, line1=f"{i} High St", postcode="SN10 1AA"),
                customer=CustomerDetails(name=f"Caller {i}", phone=f"+4477009002{i:02d}"),
            )

        return request

    outcomes = book_at_once(app, [make(i) for i in range(16)])
    booked = db.session.query(Appointment).order_by(Appointment.planned_arrival).all()
    assert outcomes.count("booked") == len(booked) == len(tokens)  # one per distinct token
    for earlier, later in zip(booked, booked[1:], strict=False):
        finish = earlier.planned_arrival.timestamp() + earlier.duration_minutes * 60
        assert finish <= later.planned_arrival.timestamp(), "two visits overlap in the officer's time"
