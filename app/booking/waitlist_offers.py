"""Offering freed time to the waitlist: when a cancellation frees a slot, offer the same day and window
by text to matching people in the order they joined. (Accepting an offer is a booking: app/booking/
waitlist.py, which builds on the booking engine; the booking engine calls this when it cancels.)"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.appointments.links import external_url
from app.appointments.presenters import translated, window_text
from app.booking.availability import search
from app.config import settings
from app.extensions import db
from app.i18n import gettext_for
from app.messaging import consent, outbox
from app.messaging.contact import display_phone, uk_mobile, uk_phone
from app.messaging.outbox import contact_centre_list
from app.models import Appointment, Customer, WaitlistEntry, WaitlistOffer
from app.places.places import customer_place
from app.staff import audit
from app.timeutil import day_seconds, to_local
from notifications import templates

OFFERS_PER_SLOT = 3
OFFER_MAX_AGE = 2 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings().secret_key, salt="doorstep-waitlist")


def offer_link(offer: WaitlistOffer) -> str:
    return external_url("waitlist.offer", token=_serializer().dumps(offer.id))


def offer_from(token: str) -> WaitlistOffer | None:
    try:
        return db.session.get(WaitlistOffer, _serializer().loads(token, max_age=OFFER_MAX_AGE))
    except BadSignature:
        return None


def how_offered(customer: Customer) -> str | None:
    """How a freed time can reach this person while it is held (OFFER_MAX_AGE, 2 days): "text" to a
    mobile they let us text, else "phone" (the contact centre calls any UK number), else None: a letter
    would arrive after the time had gone, so people we can only write to are not promised offers."""
    texts = customer.sms_consent and customer.preferred_channel != "none" and uk_mobile(customer.phone)
    if texts and not consent.number_stopped(customer.phone):
        return "text"
    if uk_phone(customer.phone) and contact_centre_list():
        return "phone"
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
        reach = how_offered(customer)
        if customer.lat is None or reach is None or not _suits(entry, day_seconds(appointment.window_start)):
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
        if reach == "phone":
            _ask_the_contact_centre_to_phone(offer, appointment)
            offers.append(offer)
            continue
        locale = customer.locale
        texts = templates.waitlist_offer_sms(
            settings().council_name,
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


def _ask_the_contact_centre_to_phone(offer: WaitlistOffer, appointment: Appointment) -> None:
    """Someone we cannot text: an adviser phones them, and accepts the offer for them from its link."""
    customer, service = offer.entry.customer, offer.entry.service
    time = window_text(appointment.window_start, appointment.window_end)
    body = (
        f"A {service.name} appointment has come free on {time}, and {customer.name} is on the waiting list "
        f"for it. They asked to be phoned, not texted.\n\n"
        f"Phone {customer.name} on {display_phone(customer.phone)}. If they want it, open this link and "
        f"accept it for them (the first person to accept gets it; the link works for 2 days):\n"
        f"{offer_link(offer)}\n"
    )
    outbox.queue_staff_email(
        "waitlist_phone_offer",
        contact_centre_list(),
        f"Phone a resident: {service.name} free on {time}",
        body,
        f"offer-{offer.id}",
    )
