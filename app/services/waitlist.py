"""The waitlist: when a matching slot frees up, offer it by text to people in the order they joined.
The first to accept gets it (the booking engine's locks decide a race); the others are told it has gone."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update

from app.extensions import db
from app.models import Appointment, Customer, Message, WaitlistEntry, WaitlistOffer
from app.services import audit
from app.services.availability import search
from app.services.booking import BookingRequest, BookingRuleError, CustomerDetails, SlotUnavailable, book
from app.services.links import external_url
from app.services.places import customer_place
from app.timeutil import day_seconds, format_date, format_time, to_local, utcnow

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


def join(
    customer: Customer,
    service,
    area_id: int,
    earliest: date,
    latest: date,
    times: str = "any",
    location_type: str = "home",
    user=None,
) -> WaitlistEntry:
    entry = WaitlistEntry(
        customer=customer,
        service=service,
        area_id=area_id,
        earliest=earliest,
        latest=latest,
        times=times,
        location_type=location_type,
        created_by_id=user.id if user else None,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("waitlist_joined", "customer", customer.id, user=user, service=service.code)
    return entry


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
        when = (
            f"{format_date(appointment.window_start)}, {format_time(appointment.window_start)} to "
            f"{format_time(appointment.window_end)}"
        )
        db.session.add(
            Message(
                kind="waitlist_offer",
                channel="sms",
                recipient=customer.phone,
                body=f"{current_app.config['COUNCIL_NAME']}: a {entry.service.name} appointment is "
                f"free on {when}. First to accept gets it: {offer_link(offer)}",
                dedupe_key=f"waitlist-offer:{offer.id}",
            )
        )
        offers.append(offer)
    if offers:
        audit.record("waitlist_offered", "appointment", appointment.reference, offers=len(offers))
    return offers


def accept(offer: WaitlistOffer) -> Appointment:
    """Book the offered slot for this person. Raises SlotUnavailable if someone was quicker: its caller
    rolls back and then closes the offer (`close_taken`)."""
    if offer.status != "open":
        raise SlotUnavailable("offer closed")
    entry = offer.entry
    customer = entry.customer
    place = customer_place(customer, entry.location_type)
    offer_id, batch = offer.id, offer.batch
    try:
        appointment = book(
            BookingRequest(
                slot_token=offer.slot_token,
                service=entry.service,
                place=place,
                channel="web",
                customer=CustomerDetails(
                    name=customer.name,
                    phone=customer.phone,
                    email=customer.email,
                    preferred_channel=customer.preferred_channel,
                    sms_consent=customer.sms_consent,
                ),
            )
        )
    except BookingRuleError:
        raise SlotUnavailable("taken") from None
    offer = db.session.get(WaitlistOffer, offer_id)
    offer.status, offer.decided_at = "accepted", utcnow()
    offer.entry.status, offer.entry.appointment = "booked", appointment
    for other in db.session.scalars(
        select(WaitlistOffer).where(
            WaitlistOffer.batch == batch, WaitlistOffer.id != offer_id, WaitlistOffer.status == "open"
        )
    ):
        other.status, other.decided_at = "gone", utcnow()
        db.session.add(
            Message(
                kind="waitlist_gone",
                channel="sms",
                recipient=other.entry.customer.phone,
                body=f"{current_app.config['COUNCIL_NAME']}: sorry, the appointment we offered has "
                f"been taken. You are still on the waiting list.",
                dedupe_key=f"waitlist-gone:{other.id}",
            )
        )
    audit.record("waitlist_accepted", "appointment", appointment.reference)
    return appointment


def close_taken(offer_id: int) -> None:
    """An offer someone else was quicker to take: gone, unless it was decided meanwhile."""
    db.session.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.id == offer_id, WaitlistOffer.status == "open")
        .values(status="gone", decided_at=utcnow())
    )


def expire_offers(now: datetime | None = None) -> int:
    """Close offers nobody took up while their link was valid (the scheduler runs this)."""
    now = now or utcnow()
    stale = select(WaitlistOffer).where(
        WaitlistOffer.status == "open", WaitlistOffer.created_at < now - timedelta(seconds=OFFER_MAX_AGE)
    )
    expired = 0
    for offer in db.session.scalars(stale):
        offer.status, offer.decided_at = "expired", now
        expired += 1
    if expired:
        audit.record("waitlist_offers_expired", "system", "", count=expired)
    return expired
