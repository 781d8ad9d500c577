"""Offering freed time to the waitlist: when a cancellation frees a slot, offer the same day and window
by text to matching people in the order they joined. (Accepting an offer is a booking: app/booking/
waitlist.py, which builds on the booking engine; the booking engine calls this when it cancels.)"""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.appointments.links import external_url
from app.appointments.presenters import translated, window_text
from app.booking.availability import search
from app.extensions import db
from app.i18n import gettext_for
from app.messaging import outbox
from app.models import Appointment, WaitlistEntry, WaitlistOffer
from app.places.places import customer_place
from app.staff import audit
from app.timeutil import day_seconds, to_local
from notifications import templates

OFFERS_PER_SLOT = 3
OFFER_MAX_AGE = 2 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="doorstep-waitlist")


def offer_link(offer: WaitlistOffer) -> str:
    return external_url("waitlist.offer", token=_serializer().dumps(offer.id))


def offer_from(token: str) -> WaitlistOffer | None:
    try:
        return db.session.get(WaitlistOffer, _serializer().loads(token, max_age=OFFER_MAX_AGE))
    except BadSignature:
        return None


def _suits(entry: WaitlistEntry, start_seconds: int) -> bool:
    if entry.times == "morning":
        return start_seconds < 13 * 3600
    if entry.times == "afternoon":
        return start_seconds >= 12 * 3600
    return True


def offer_freed_time(appointment: Appointment) -> list[WaitlistOffer]:
    """After a cancellation: offer the same day and window to matching people on the waitlist."""
    day = to_local(appointment.window_start).date()
    entries = db.session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.status == "waiting",
            WaitlistEntry.service_id == appointment.service_id,
            WaitlistEntry.earliest <= day,
            WaitlistEntry.latest >= day,
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    batch = secrets.token_hex(8)
    offers = []
    for entry in entries:
        if len(offers) >= OFFERS_PER_SLOT:
            break
        customer = entry.customer
        if (
            customer.lat is None
            or not customer.phone
            or not _suits(entry, day_seconds(appointment.window_start))
        ):
            continue
        place = customer_place(customer, entry.location_type)
        if place is None or place.area_id != entry.area_id:
            continue
        slots = [
            s
            for s in search(entry.service, place, day, 1).slots
            if s.window == (day_seconds(appointment.window_start), day_seconds(appointment.window_end))
        ]
        if not slots:
            continue
        offer = WaitlistOffer(entry=entry, slot_token=slots[0].token, batch=batch)
        db.session.add(offer)
        db.session.flush()
        locale = customer.locale
        texts = templates.waitlist_offer_sms(
            current_app.config["COUNCIL_NAME"],
            translated(entry.service.name, locale),
            window_text(appointment.window_start, appointment.window_end, locale, short=locale != "en"),
            offer_link(offer),
            gettext_for(locale),
        )
        for number, body in enumerate(texts, start=1):  # a link that does not fit follows in a second
            key = f"waitlist-offer:{offer.id}" + (f":{number}" if number > 1 else "")
            outbox.queue_customer_text(customer, "waitlist_offer", body, key)
        offers.append(offer)
    if offers:
        audit.record("waitlist_offered", "appointment", appointment.reference, offers=len(offers))
    return offers
