"""Demo bookings made through the real booking engine, so every one of them is a promise that can be kept."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import booking_request
from app.booking.errors import PossibleDuplicate, SlotUnavailable
from app.catalogue.queries import all_services
from app.extensions import db
from app.models import Appointment, Customer
from app.places.places import customer_place, hub_place, nearest_hubs
from app.timeutil import local_day_bounds, local_now, next_working_day, to_local, utcnow
from app.unit_of_work import unit_of_work


def book_demo_visits(
    count: int, first_day: date | None = None, days: int = 14, seed: int = 7, today: int = 0
) -> int:
    """Book until there are `count` active appointments from `first_day`, `today` of them (at most) later
    today. Returns how many were added. Each booking is its own unit of work, as a resident's request
    would be."""
    rng = random.Random(seed)
    first_day = first_day or next_working_day(local_now().date())
    services = [s for s in all_services(bookable_only=True) if not s.premises_only]
    customers = list(db.session.scalars(select(Customer).order_by(Customer.id)))
    added = _book_today(rng, services, customers, today) if today else 0
    existing = (
        db.session.scalar(select(func.count(Appointment.id)).where(Appointment.status == "booked")) or 0
    )
    booked, attempts = 0, 0
    while existing + booked < count and attempts < count * 4:
        attempts += 1
        customer, service = rng.choice(customers), rng.choice(services)
        place = _place(rng, customer, service)
        if place is None:
            continue
        start = first_day + timedelta(days=rng.randrange(days))
        slots = search(service, place, start, 2).slots
        if slots and _book(rng, customer, service, place, rng.choice(slots[:4])):
            booked += 1
    return added + booked


def _book_today(rng: random.Random, services: list, customers: list, wanted: int) -> int:
    """Visits later today, so the officers' phones and the supervisor's dashboard show a real day. They
    are booked as residents would have booked them a week ago (each service's notice was kept then),
    through the same engine, and none starts within the next half hour or has already begun. On a day
    nobody works (or late in the evening) there are none."""
    now = utcnow()
    day = to_local(now).date()
    already = visits_today()
    a_week_ago = now - timedelta(days=7)
    added, attempts = 0, 0
    while already + added < wanted and attempts < wanted * 6:
        attempts += 1
        customer, service = rng.choice(customers), rng.choice(services)
        place = _place(rng, customer, service)
        if place is None:
            continue
        slots = [
            s for s in search(service, place, day, 1, now=a_week_ago).slots if _later_today(s.start, now)
        ]
        if slots and _book(rng, customer, service, place, rng.choice(slots[:4])):
            added += 1
    return added


def visits_today() -> int:
    """Booked visits today (UK time)."""
    starts, ends = local_day_bounds(to_local(utcnow()).date())
    return (
        db.session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.status == "booked",
                Appointment.window_start >= starts,
                Appointment.window_start < ends,
            )
        )
        or 0
    )


def _later_today(start: datetime, now: datetime) -> bool:
    return start >= now + timedelta(minutes=30)


def _place(rng: random.Random, customer: Customer, service):
    location_type = rng.choice(service.places)
    if location_type == "hub":
        return hub_place(nearest_hubs(customer.lat, customer.lng, 1)[0][0])
    return customer_place(customer, location_type)  # None: a business visit for someone with no premises


def _book(rng: random.Random, customer: Customer, service, place, slot) -> bool:
    try:
        with unit_of_work():
            channel = rng.choice(["web", "phone", "phone", "kiosk"])
            book(booking_request(slot.token, service, place, channel=channel, record=customer))
    except (SlotUnavailable, PossibleDuplicate):
        return False  # taken meanwhile, or this customer is busy then: rolled back; try another
    return True
