"""Demo bookings made through the real booking engine, so every one of them is a promise that can be kept."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from app.booking.availability import search
from app.booking.booking import (
    SlotUnavailable,
    book,
    booking_request,
)
from app.catalogue.queries import all_services
from app.extensions import db
from app.models import Appointment, Customer
from app.places.places import customer_place, hub_place, nearest_hubs
from app.timeutil import local_now, next_working_day
from app.unit_of_work import unit_of_work


def book_demo_visits(count: int, first_day: date | None = None, days: int = 14, seed: int = 7) -> int:
    """Book until there are `count` active appointments from `first_day`. Returns how many were added.
    Each booking is its own unit of work, as a resident's request would be."""
    rng = random.Random(seed)
    first_day = first_day or next_working_day(local_now().date())
    existing = (
        db.session.scalar(select(func.count(Appointment.id)).where(Appointment.status == "booked")) or 0
    )
    services = [s for s in all_services(bookable_only=True) if not s.premises_only]
    customers = list(db.session.scalars(select(Customer).order_by(Customer.id)))
    added, attempts = 0, 0
    while existing + added < count and attempts < count * 4:
        attempts += 1
        customer, service = rng.choice(customers), rng.choice(services)
        location_type = rng.choice(service.places)
        if location_type == "hub":
            place = hub_place(nearest_hubs(customer.lat, customer.lng, 1)[0][0])
        else:
            place = customer_place(customer, location_type)
            if place is None:  # a business visit for someone with no premises
                continue
        start = first_day + timedelta(days=rng.randrange(days))
        slots = search(service, place, start, 2).slots
        if not slots:
            continue
        slot = rng.choice(slots[:4])
        try:
            with unit_of_work():
                channel = rng.choice(["web", "phone", "phone", "kiosk"])
                book(booking_request(slot.token, service, place, channel=channel, record=customer))
        except SlotUnavailable:
            continue  # taken meanwhile: its unit of work rolled it back; try another
        added += 1
    return added
