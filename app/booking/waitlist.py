"""The waitlist: joining it, and accepting an offer of freed time (app/booking/waitlist_offers.py makes
the offers). The first to accept gets it (the booking engine's locks decide a race); the others are told
it has gone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from app.booking.booking import book
from app.booking.booking_request import CustomerDetails, booking_request
from app.booking.coverage import visits_staffed_in
from app.booking.customers import check_public_allowance, find_or_create_customer
from app.booking.errors import BookingRuleError, NotStaffed, SlotUnavailable
from app.booking.waitlist_offers import OFFER_MAX_AGE
from app.config import settings
from app.extensions import db
from app.i18n import gettext_for
from app.messaging import outbox
from app.messaging.contact import uk_mobile, uk_phone
from app.models import Appointment, Customer, WaitlistEntry, WaitlistOffer
from app.places.places import customer_place
from app.staff import audit
from app.timeutil import local_now, utcnow
from notifications import templates


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
    """Raises NotStaffed where nobody could ever do the visit: a wait for a time that never comes."""
    if location_type != "hub" and not visits_staffed_in(service, area_id):
        raise NotStaffed()
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


WAIT_DAYS = 28  # how long a resident's own entry waits for a freed time


def join_online(service, place, name: str, phone: str, times: str, contact: str = "text") -> WaitlistEntry:
    """A resident joins from the booking journey (home or business visits: offers are made for the
    customer's own address). Asking to be texted records consent to texts; asking to be phoned does
    not (the contact centre phones them, and a booking they accept is confirmed by letter)."""
    if contact == "phone":
        details = CustomerDetails(name=name, phone=uk_phone(phone) or "", preferred_channel="post")
    else:
        details = CustomerDetails(
            name=name, phone=uk_mobile(phone) or "", preferred_channel="sms", sms_consent=True
        )
    check_public_allowance(details.phone, "", waitlist=True)
    customer = find_or_create_customer(details, place, unverified=True)
    today = local_now().date()
    return join(
        customer, service, place.area_id, today, today + timedelta(days=WAIT_DAYS), times, place.location_type
    )


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
            booking_request(offer.slot_token, entry.service, place, channel="web", record=customer)
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
        outbox.queue_customer_text(
            other.entry.customer,
            "waitlist_gone",
            templates.waitlist_gone_sms(settings().council_name, gettext_for(other.entry.customer.locale)),
            f"waitlist-gone:{other.id}",
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
