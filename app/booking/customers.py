"""Who is booking: the same person's record, their other bookings, and how many a phone or email
may make online."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select

from app.booking.availability import reads_precautions
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.errors import TooManyBookings, TooManyLetters
from app.booking.locks import lock_allowances
from app.config import settings
from app.extensions import HotRead, db
from app.i18n import supported
from app.models import Appointment, Customer, WaitlistEntry
from app.models.statuses import ACTIVE
from app.places.places import Place, normalise_postcode, premises_fields, same_door
from app.risk.risk import PersonAndPrecaution
from app.timeutil import local_day_bounds, to_local, utcnow


def check_public_allowance(
    phone: str, email: str, *, waitlist: bool = False, letters_to: Place | None = None
) -> None:
    """Raise TooManyBookings when this phone number or email address has had
    `public_bookings_per_contact_per_day` public bookings (or online waiting-list joins) in the last 24
    hours, cancelled ones included (each sent messages). One indexed query, public channels only.
    A booking answered by letter (`letters_to`, its place: see by_letter) raises TooManyLetters when
    that address has had `public_letter_bookings_per_address_per_day` such bookings.

    It first takes each allowance's lock (app.booking.locks.lock_allowances) and holds it until the
    caller's transaction ends, so call it in the transaction that then writes the booking or the entry:
    of many sent at once, each counts those made before it, and no more than the allowance are made."""
    letters = _letters_address(letters_to) if letters_to is not None else None
    email = email.strip().lower()
    keys = {"phone": phone, "email": email, "letters": " ".join(letters) if letters else ""}
    lock_allowances(f"{kind}:{value}" for kind, value in keys.items() if value)
    if letters:
        _check_letters_allowance(*letters)
    contact = []
    if phone:
        contact.append(Customer.phone == phone)
    if email:
        contact.append(func.lower(Customer.email) == email)
    if not contact:
        return
    since = utcnow() - timedelta(days=1)
    if waitlist:
        query = select(func.count(WaitlistEntry.id)).join(Customer, WaitlistEntry.customer_id == Customer.id)
        query = query.where(WaitlistEntry.created_at >= since, WaitlistEntry.created_by_id.is_(None))
    else:
        query = select(func.count(Appointment.id)).join(Customer, Appointment.customer_id == Customer.id)
        query = query.where(Appointment.created_at >= since, Appointment.channel.in_(PUBLIC_CHANNELS))
    if db.session.scalar(query.where(or_(*contact))) >= settings().public_bookings_per_contact_per_day:
        raise TooManyBookings()


def by_letter(details: CustomerDetails) -> bool:
    """The council answers this booking on paper: "By letter", or neither a phone nor an email given."""
    return details.preferred_channel == "post" or not (details.phone or details.email)


def _letters_address(place: Place) -> tuple[str, str] | None:
    """A posted booking's address as the allowance knows it: the postcode without spaces, in capitals,
    and the first line as a door (places.same_door: "12 High St." is "12 High Street"); None if it has
    neither, as nothing is posted."""
    compact = "".join(place.postcode.split()).upper()
    door = same_door(place.line1)
    return (compact, door) if compact and door else None


def _check_letters_allowance(compact: str, door: str) -> None:
    """Public bookings answered by letter to this door (_letters_address) in the last 24 hours,
    cancelled ones included; a postcode stored with or without its space matches. The postcode's few
    posted bookings are read and their first lines compared as doors here, in Python: one rule for
    however the line was typed, on PostgreSQL and SQLite alike."""
    postcodes = {compact, normalise_postcode(compact) or compact}
    posted = (Customer.preferred_channel == "post") | ((Customer.phone == "") & (Customer.email == ""))
    query = (
        select(Appointment.address_line1)
        .join(Customer, Appointment.customer_id == Customer.id)
        .where(
            Appointment.created_at >= utcnow() - timedelta(days=1),
            Appointment.channel.in_(PUBLIC_CHANNELS),
            Appointment.postcode.in_(postcodes),
            posted,
        )
    )
    sent = sum(1 for line1 in db.session.scalars(query) if same_door(line1 or "") == door)
    if sent >= settings().public_letter_bookings_per_address_per_day:
        raise TooManyLetters()


PUBLIC_CHANNELS = ("web", "kiosk")


UNREAD: Any = object()  # not read yet (find_or_create_customer's same_person, _check_precautions' precaution)


def same_person_and_precaution(request: BookingRequest, place: Place) -> tuple[int | None, str | None] | None:
    """For a booking that looks for the same person's record and reads the risk register (a verified
    channel's home or business visit with no record chosen), both in one statement: the record's id (or
    None) and the strongest precaution at the place and on that record; None for any other booking."""
    if request.unverified or request.customer_id or not reads_precautions(place):
        return None
    match = _same_person_match(request.customer)
    if match is None:
        return None
    how, params = match
    return _OLDEST_AND_PRECAUTION[how].read(place.postcode, place.line1, place.uprn, **params)


def find_or_create_customer(
    details: CustomerDetails,
    place: Place,
    *,
    unverified: bool = False,
    customer_id: int | None = None,
    same_person: int | None = UNREAD,
) -> Customer:
    """Tell us once, for the channels that know who they speak to: the same person (name with phone,
    or with email when they gave no phone) reuses one record. A later booking adds what it tells us and
    never blanks or downgrades what we hold: access needs, interpreter, business details and the home
    address stay unless replaced. A record already chosen (`customer_id`, an agent's caller) is used as
    it is, even if a duplicate shares its name and phone.

    An `unverified` booking (the public journey, the kiosk, joining the waiting list online) may come
    from anyone who knows a name and a phone number or email: it never reads or changes an existing
    record, and always gets its own (agents, who verify callers, can merge the two). That record then
    holds only what this booking was told, so its manage page shows and switches nothing of anyone
    else's."""
    if customer_id:
        customer = db.session.get(Customer, customer_id)
    elif unverified:
        customer = None
    elif same_person is not UNREAD:  # its id, read already (same_person_and_precaution)
        customer = db.session.get(Customer, same_person) if same_person is not None else None
    else:
        customer = _same_person(details)
    if customer is None:
        customer = Customer(name=details.name.strip(), phone=details.phone)
        db.session.add(customer)
    customer.phone = details.phone or customer.phone
    customer.email = details.email or customer.email
    customer.preferred_channel = details.preferred_channel
    customer.sms_consent = details.sms_consent or customer.sms_consent
    if details.locale or customer.locale is None:
        customer.locale = supported(details.locale)
    customer.interpreter_language = details.interpreter_language or customer.interpreter_language
    customer.access_needs = details.access_needs or customer.access_needs
    if details.kind == "business" or place.location_type == "business":
        customer.kind = "business"
    customer.business_name = details.business_name or customer.business_name
    customer.business_type = details.business_type or customer.business_type
    if place.location_type == "home":
        for name, value in place.address_fields().items():
            setattr(customer, name, value)
    elif place.location_type == "business":
        for name, value in premises_fields(place).items():
            setattr(customer, name, value)
    elif details.home_postcode and not customer.postcode:
        customer.postcode = details.home_postcode
    return customer


def _same_person(details: CustomerDetails) -> Customer | None:
    """The oldest record with this name and phone (or email): a stranger's record never shadows it.
    Its id is read alone (most bookings are by someone new), the record loaded only when there is one."""
    match = _same_person_match(details)
    if match is None:
        return None
    how, params = match
    found = _OLDEST[how].rows(**params)
    return db.session.get(Customer, found[0][0]) if found else None


def same_person_ids(details: CustomerDetails) -> list[int]:
    """Every record with this name and phone (or email). Only to warn about a booking that may be a
    second one (each public booking has its own record); never to show or change those records."""
    match = _same_person_match(details)
    if match is None:
        return []
    how, params = match
    return list(db.session.scalars(select(Customer.id).where(_SAME_PERSON[how]), params))


def _same_person_match(details: CustomerDetails) -> tuple[str, dict[str, str]] | None:
    """Who counts as the same person: the same name (any case) with the same phone, or with the same
    email (any case) when no phone was given. Which rule, and its parameters; None for neither."""
    name = details.name.strip().lower()
    if details.phone:
        return "phone", {"name": name, "contact": details.phone}
    if details.email:
        return "email", {"name": name, "contact": details.email.strip().lower()}
    return None


_NAMED = func.lower(Customer.name) == bindparam("name")
_SAME_PERSON = {
    "phone": (Customer.phone == bindparam("contact")) & _NAMED,
    "email": (func.lower(Customer.email) == bindparam("contact")) & _NAMED,
}
_OLDEST = {
    how: HotRead(select(Customer.id).where(match).order_by(Customer.id).limit(1))
    for how, match in _SAME_PERSON.items()
}
_OLDEST_AND_PRECAUTION = {
    how: PersonAndPrecaution(select(Customer.id).where(match).order_by(Customer.id).limit(1))
    for how, match in _SAME_PERSON.items()
}


def overlapping_booking(
    customer_id: int | list[int],
    start: datetime,
    end: datetime,
    minutes: int,
    *,
    exclude: int | None = None,
) -> Appointment | None:
    """This customer's (or these records') active appointment whose time overlaps a visit arriving
    between `start` and `end` and lasting `minutes`: the one rule every channel asks before booking the
    same person twice.
    A visit takes its arrival window, or its length from an exact time: adjacent windows (9 to 11, 11 to
    1) do not overlap."""
    day_start, day_end = local_day_bounds(to_local(start).date())
    candidates = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.customer_id.in_(customer_id if isinstance(customer_id, list) else [customer_id]),
            Appointment.status.in_(ACTIVE),
            Appointment.window_start >= day_start,  # a visit never runs past its own day
            Appointment.window_start < day_end,
        )
        .order_by(Appointment.window_start)
    )

    def until(begins: datetime, ends: datetime, length: int) -> datetime:
        return max(ends, begins + timedelta(minutes=length))

    finish = until(start, end, minutes)
    for other in candidates:
        if other.id == exclude:
            continue
        if other.window_start < finish and start < until(
            other.window_start, other.window_end, other.duration_minutes
        ):
            return other
    return None
