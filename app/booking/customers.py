"""Who is booking: the same person's record, their other bookings, and how many a phone or email
may make online."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select

from app.booking.availability import reads_precautions
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.errors import TooManyBookings, TooManyLetters
from app.booking.locks import lock_allowances
from app.config import settings
from app.extensions import HotRead, db
from app.folding import fold
from app.i18n import supported
from app.models import AllowanceUse, Appointment, Customer
from app.models.statuses import ACTIVE
from app.places.places import Place, premises_fields, same_door
from app.risk.risk import PersonAndPrecaution
from app.timeutil import local_day_bounds, to_local, utcnow


def check_public_allowance(
    phone: str, email: str, *, waitlist: bool = False, letters_to: Place | None = None
) -> None:
    """Raise TooManyBookings when this phone number or email address has had
    `public_bookings_per_contact_per_day` uses in the last 24 hours (public bookings, cancelled ones
    included, as each sent messages; resident's contact changes to it; online waiting-list joins counted
    apart), else count this one. A booking answered by letter (`letters_to`, its place: see by_letter)
    raises TooManyLetters when that door has had `public_letter_bookings_per_address_per_day`, or its
    postcode twice that.

    Uses are rows (AllowanceUse), written here in the caller's transaction: a booking that then fails
    takes its use with it. It first takes each allowance's lock (app.booking.locks.lock_allowances) and
    holds it until the transaction ends, so of many sent at once, each counts those made before it, and
    no more than the allowance are made."""
    letters = _letters_address(letters_to.postcode, letters_to.line1) if letters_to is not None else None
    email = email.strip().lower()
    postcode = f"letters-postcode:{letters[0]}" if letters else ""
    locks = {"phone": phone, "email": email, "letters": postcode}  # a door's lock is its postcode's
    lock_allowances(f"{kind}:{value}" for kind, value in locks.items() if value)
    scope = "waitlist" if waitlist else "booking"
    contact = [f"{scope}:{kind}:{value}" for kind, value in (("phone", phone), ("email", email)) if value]
    # Letters: the door's allowance, and twice that for its postcode, as a door typed in ever new ways
    # ("Flat 9, 3 Springfield 7") can still name another number, but never another postcode's letter box.
    doors = [f"letters:{' '.join(letters)}", postcode] if letters else []
    used = _uses_today(contact + doors)
    allowed = settings().public_letter_bookings_per_address_per_day
    if doors and (used[doors[0]] >= allowed or used[doors[1]] >= 2 * allowed):
        raise TooManyLetters()
    if any(used[key] >= settings().public_bookings_per_contact_per_day for key in contact):
        raise TooManyBookings()
    db.session.add_all(AllowanceUse(key_hash=_hashed(key)) for key in contact + doors)


def check_change_allowance(phone: str, email: str, letters_to: tuple[str, str] | None) -> None:
    """A resident's own change made online (a new contact: app.booking.resident_changes; a move:
    app.booking.changes) writes to these: the number, the email address, and letters to the door
    (`letters_to`: postcode, first line). Each uses that allowance, as a booking would, so a booking's
    link cannot be turned on a stranger's phone, inbox or door. Raises TooManyBookings / TooManyLetters."""
    door = Place("home", 0.0, 0.0, 0, postcode=letters_to[0], line1=letters_to[1]) if letters_to else None
    check_public_allowance(phone, email, letters_to=door)


def _uses_today(keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    hashes = {_hashed(key): key for key in keys}
    rows = db.session.execute(
        select(AllowanceUse.key_hash, func.count())
        .where(AllowanceUse.key_hash.in_(hashes), AllowanceUse.at >= utcnow() - timedelta(days=1))
        .group_by(AllowanceUse.key_hash)
    )
    counted = {hashes[key_hash]: count for key_hash, count in rows}
    return {key: counted.get(key, 0) for key in keys}


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def by_letter(details: CustomerDetails) -> bool:
    """The council answers this booking on paper: "By letter", or neither a phone nor an email given."""
    return details.preferred_channel == "post" or not (details.phone or details.email)


def _letters_address(postcode: str, line1: str) -> tuple[str, str] | None:
    """A posted booking's address as the allowance knows it: the postcode without spaces, in capitals,
    and the first line as a door (places.same_door: "Flat 2, 3 Church Rd" is door 3); None if it has
    neither, as nothing is posted."""
    compact = "".join(postcode.split()).upper()
    door = same_door(line1)
    return (compact, door) if compact and door else None


PUBLIC_CHANNELS = ("web", "kiosk")


UNREAD: Any = object()  # not read yet (find_or_create_customer's same_person, check_precautions' precaution)


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
    """Who counts as the same person: the same name (any case, with or without accents: app.folding, as
    the agent's search and duplicates compare it) with the same phone, or with the same email (any case)
    when no phone was given. Which rule, and its parameters; None for neither."""
    name = fold(details.name)[:160]  # as Customer keeps name_folded
    if details.phone:
        return "phone", {"name": name, "contact": details.phone}
    if details.email:
        return "email", {"name": name, "contact": details.email.strip().lower()}
    return None


# The stored folded name (Customer.name_folded, indexed): "Zofia Wisniewska" is "Zofia Wiśniewska".
_NAMED = Customer.name_folded == bindparam("name")
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
