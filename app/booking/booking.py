"""Booking, cancelling and rescheduling: the rules that keep every promise.

Integrity under concurrency: a booking first locks the officer-day rows it touches (an upsert is the
transaction's first statement, so PostgreSQL takes a row lock and SQLite the write lock), then
re-checks feasibility against what is booked now (the roster and the day's visits, read after the
lock), then records a unique claim for the slot token. Two bookings can therefore never take the same
officer time, whatever the channel.

Every change to an existing booking (cancel, reschedule, check-in, check-out, outcome, officer change)
first takes that booking's lock (`lock_appointment`) and only then reads its state, so of two changes at
once one wins and the other sees what won; the nightly plan, which re-times a whole day, takes that
day's officer-day locks before it reads it. Lock order, everywhere: idempotency key, then bookings (by
id), then officer-days (sorted), so no two transactions ever wait for each other in a circle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, bindparam, func, literal_column, or_, select, text, true, union_all, update
from sqlalchemy.exc import IntegrityError

from app.appointments.references import format_reference, new_reference
from app.booking import call_list, interpreters
from app.booking.availability import (
    SlotToken,
    day_and_roster,
    decode_slot,
    hub_times,
    place_precaution,
    reads_precautions,
    routing_day,
)
from app.booking.waitlist_offers import offer_freed_time
from app.config import settings
from app.extensions import HotRead, db
from app.hot_writes import HotWrite, adopt, column_defaults, insert_now, insert_row, json_row, new_row
from app.i18n import _l, supported
from app.messaging import outbox
from app.models import (
    Appointment,
    AppointmentEvent,
    AuditEvent,
    Customer,
    Hub,
    IdempotencyRecord,
    OfficerDay,
    Service,
    SlotClaim,
    User,
    WaitlistEntry,
)
from app.models.statuses import ACTIVE
from app.officers.travel import pair_travel
from app.officers.workdays import working_day
from app.places.places import Place, premises_fields
from app.risk.risk import PersonAndPrecaution
from app.staff import audit
from app.timeutil import at_day_seconds, format_date, format_time, local_day_bounds, to_local, utcnow
from app.unit_of_work import finish_reads
from routing.feasibility import DayCheck

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString

    from app.staff.tokens import Caller


class SlotUnavailable(Exception):
    """The slot has gone, or the token is not valid any more."""


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was sent with a different request."""


APPOINTMENT_LOCKS = 1  # PostgreSQL advisory lock space for bookings (key = appointment id)


class BookingRuleError(ValueError):
    """The request breaks a rule (wrong place for the service, appointment already over, ...)."""

    def __init__(self, field_name: str, message: str | LazyString):
        super().__init__(message)
        self.field = field_name
        self._message = message

    @property
    def message(self) -> str:
        """In the language of the page that shows it: the resident's on their pages (the rules residents
        can meet are marked with _l), English for staff and the API."""
        return str(self._message)


class PossibleDuplicate(BookingRuleError):
    """The same person already has an appointment at an overlapping time. Almost always a mistake (a
    second call, a second tab), so every channel warns, and books only when asked again with
    `confirmed_overlap`."""

    def __init__(self, existing: Appointment):
        super().__init__(
            "confirm_overlap",
            f"{existing.customer.name} already has an appointment at an overlapping time: "
            f"{existing.service.name}, {format_date(existing.window_start)}, "
            f"{format_time(existing.window_start)} (reference {format_reference(existing.reference)}). "
            "Book this one too only if they need both",
        )
        self.existing = existing


class TooManyBookings(BookingRuleError):
    """A public booking (or online waiting-list join) for a phone number or email address that has had
    its day's allowance: a stranger cannot flood someone's phone with our texts."""

    def __init__(self):
        super().__init__(
            "contact",
            _l(
                "You have made as many bookings online today as we allow for one phone number or email "
                "address. Phone us on 0300 456 0100 to book another"
            ),
        )


def check_public_allowance(phone: str, email: str, *, waitlist: bool = False) -> None:
    """Raise TooManyBookings when this phone number or email address has had
    `public_bookings_per_contact_per_day` public bookings (or online waiting-list joins) in the last 24
    hours, cancelled ones included (each sent messages). One indexed query, public channels only."""
    contact = []
    if phone:
        contact.append(Customer.phone == phone)
    if email:
        contact.append(func.lower(Customer.email) == email.strip().lower())
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


PUBLIC_CHANNELS = ("web", "kiosk")


class BookingChanged(BookingRuleError):
    """Another change to the booking won while this request waited for it; nothing was changed."""

    def __init__(self):
        super().__init__(
            "appointment", _l("Someone changed this appointment a moment ago. Check it and try again")
        )


@dataclass
class CustomerDetails:
    name: str
    phone: str = ""  # E.164
    email: str = ""
    preferred_channel: str = "sms"
    sms_consent: bool = False
    locale: str | None = None  # the language they read (app.i18n.LANGUAGES); None keeps the record's
    interpreter_language: str = ""
    access_needs: str = ""
    kind: str = "resident"
    business_name: str = ""
    business_type: str = ""
    home_postcode: str = ""  # a hub booking: the resident's own postcode (they can find it by it)


@dataclass
class BookingRequest:
    slot_token: str
    service: Service
    place: Place
    customer: CustomerDetails
    channel: str = "web"
    customer_id: int | None = None  # the record chosen (an agent's caller): booked onto it, not matched
    booked_by: User | Caller | None = None  # only its id is written: an API request's caller will do
    notes: str = ""
    # Nobody vouched for who is booking (the public journey and the kiosk): see find_or_create_customer.
    unverified: bool = False
    idempotency_scope: str = ""
    idempotency_key: str = ""
    request_fingerprint: dict = field(default_factory=dict)
    # They were warned that they already have an appointment at an overlapping time, and want both.
    confirmed_overlap: bool = False


RECORD_DETAILS = (
    "name", "phone", "email", "preferred_channel", "sms_consent", "kind", "business_name", "business_type",
)  # fmt: skip


def booking_request(
    slot_token: str,
    service: Service,
    place: Place,
    *,
    channel: str,
    said: Mapping[str, Any] | None = None,
    record: Customer | None = None,
    booked_by: User | Caller | None = None,
    notes: str = "",
    idempotency: tuple[str, str, dict] | None = None,
    unverified: bool = False,
    confirmed_overlap: bool = False,
) -> BookingRequest:
    """The one way to build a booking request, whatever the channel (web, kiosk, agent, API, waitlist,
    demo). The person's details are their record's, if there is one, overlaid with what they said now
    (any CustomerDetails field); a business is one that gave its name; and choosing text reminders is
    consent to texts unless consent was asked for on its own. `idempotency` is (scope, key, what the
    request said): a repeat of the same request books once."""
    details: dict[str, Any] = {name: getattr(record, name) for name in RECORD_DETAILS} if record else {}
    details |= {name: value for name, value in (said or {}).items() if value is not None}
    details.setdefault("sms_consent", details.get("preferred_channel") == "sms")
    if details.get("business_name"):
        details["kind"] = "business"
    scope, key, fingerprint = idempotency or ("", "", {})
    return BookingRequest(
        slot_token=slot_token,
        service=service,
        place=place,
        customer=CustomerDetails(**details),
        channel=channel,
        customer_id=record.id if record is not None else None,
        booked_by=booked_by,
        notes=notes,
        unverified=unverified,
        idempotency_scope=scope,
        idempotency_key=key,
        request_fingerprint=fingerprint,
        confirmed_overlap=confirmed_overlap,
    )


def _fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def lock_officer_days(keys: list[tuple[int, date]]) -> None:
    """Serialise bookings per officer-day. Sorted order so two bookings never deadlock. One statement
    a day: insert the day's row or raise its version; either way the row is locked until commit."""
    for officer_id, day in sorted(set(keys)):
        _LOCK_DAY.rows(officer_id=officer_id, day=day)


def _lock_day(insert):
    table = OfficerDay.__table__
    return (
        insert(table)
        .values(
            officer_id=bindparam("officer_id", type_=table.c.officer_id.type),
            day=bindparam("day", type_=table.c.day.type),
            version=1,
        )
        .on_conflict_do_update(
            index_elements=[table.c.officer_id, table.c.day], set_={"version": table.c.version + 1}
        )
        .returning(table.c.version)
    )


_LOCK_DAY = HotWrite(_lock_day)


def state_of(appointment: Appointment) -> tuple[str, int]:
    """What a request saw of a booking: a change made since (status or sequence) makes it out of date."""
    return appointment.status, appointment.sequence


def lock_appointment(appointment: Appointment) -> Appointment:
    """Wait until no other transaction is changing this booking, hold that until commit, and re-read it.

    PostgreSQL: a transaction-scoped advisory lock, which (unlike a row lock) does not stop a booking
    elsewhere in the officer's day from re-timing this visit. SQLite: the database write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :id)"),
            {"space": APPOINTMENT_LOCKS, "id": appointment.id},
        )
    else:
        db.session.execute(
            update(Appointment).where(Appointment.id == appointment.id).values(sequence=Appointment.sequence)
        )
    db.session.refresh(appointment)
    return appointment


def _still_fits(token: SlotToken, place: Place, duration: int, exclude: int | None = None) -> int:
    """Re-check the slot against what is booked now, and re-time each officer's other visits so their
    stored order and planned arrivals stay the ones this check relied on. Returns the new arrival."""
    arrival = token.arrival
    window = token.window if len(token.officer_ids) == 1 else (token.arrival, token.arrival)
    if place.hub is not None and tuple(token.window) not in hub_times(place.hub, token.day, duration):
        raise SlotUnavailable("hub closed then, or its hours changed")  # since the time was offered
    # Both read after the lock, in one statement: a visit or an absence committed before it is seen.
    booked, officers = day_and_roster(list(token.officer_ids), token.day, exclude=exclude)
    retimed: dict[int, datetime] = {}
    for officer_id in token.officer_ids:
        officer = officers.officer(officer_id)
        wd = working_day(officer, token.day) if officer else None
        if wd is None:
            raise SlotUnavailable("officer no longer working")
        mine = [a for a in booked if officer_id in (a.officer_id, a.second_officer_id)]
        day = routing_day(wd, mine)
        points = [place.latlng] + [s.location for s in day.stops] + [day.start]
        check = DayCheck(day, pair_travel(points))
        insertion = check.best_insertion(place.latlng, window, duration)
        if insertion is None:
            raise SlotUnavailable("no longer fits")
        starts = check.schedule(insertion.position, place.latlng, window, duration)
        by_id = {str(a.id): a for a in mine}
        others = [s for i, s in enumerate(starts) if i != insertion.position]
        for stop, start in zip(day.stops, others, strict=True):
            visit = by_id[stop.id]
            planned = at_day_seconds(token.day, start)
            if visit.second_officer_id is None and visit.planned_arrival != planned:  # a pair's is fixed
                retimed[visit.id] = planned
        if len(token.officer_ids) == 1:
            arrival = insertion.arrival
    _store_planned_arrivals(retimed)
    return arrival


def _store_planned_arrivals(arrivals: dict[int, datetime]) -> None:
    """The new planned arrivals of re-timed visits, in one statement."""
    if arrivals:
        table = Appointment.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("visit"))
            .values(planned_arrival=bindparam("arrival")),
            [{"visit": visit, "arrival": at} for visit, at in arrivals.items()],
        )


def slot_used(slot_token: str) -> bool:
    """A valid slot token that has been booked already. A busy entry point (the API) refuses such a
    request at once, before it looks anything up or waits for a lock; book() would refuse it anyway.
    Not for a request with an idempotency key: that may be the retry of the booking that used it."""
    token = decode_slot(slot_token)
    if token is None:
        return False
    keys = token.claim_keys()  # one per officer: one or two
    return bool(_CLAIMED.rows(first=keys[0], last=keys[-1]))


_claims = SlotClaim.__table__
_CLAIMED = HotRead(
    select(_claims.c.id).where(_claims.c.key.in_([bindparam("first"), bindparam("last")])).limit(1)
)


def _claim_rows(count: int) -> HotWrite:
    table = SlotClaim.__table__
    typed = {name: bindparam(name, type_=table.c[name].type) for name in ("appointment_id", "created_at")}

    def build(insert):
        rows = [{"key": bindparam(f"key{n}", type_=table.c.key.type)} | typed for n in range(count)]
        return insert(table).values(rows).on_conflict_do_nothing().returning(table.c.key)

    return HotWrite(build)


_CLAIMS = {count: _claim_rows(count) for count in (1, 2)}  # a token has one officer or two


def _claim(token: SlotToken, appointment: Appointment) -> None:
    """Use the token, once: its claim keys are unique, so of two requests with it only one gets here."""
    keys = token.claim_keys()
    taken = _CLAIMS[len(keys)].rows(
        appointment_id=appointment.id, created_at=utcnow(), **{f"key{n}": key for n, key in enumerate(keys)}
    )
    if len(taken) != len(keys):
        raise SlotUnavailable("already booked")


_UNREAD: Any = (
    object()
)  # not read yet (find_or_create_customer's same_person, _check_precautions' precaution)


def _same_person_and_precaution(
    request: BookingRequest, place: Place
) -> tuple[int | None, str | None] | None:
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
    same_person: int | None = _UNREAD,
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
    elif same_person is not _UNREAD:  # its id, read already (_same_person_and_precaution)
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


def _reserve_key(scope: str, key: str, fingerprint: str) -> IdempotencyRecord | Appointment:
    """Take the key for this request, or, if a request with it has already booked, that booking.
    A twin still in flight holds the key's unique index entry: PostgreSQL makes this insert wait
    until the twin commits (then we return its booking) or rolls back (then the key is ours)."""
    record = IdempotencyRecord(scope=scope, key=key, request_hash=fingerprint)
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
        return record
    except IntegrityError:
        existing = _existing_for_key(scope, key, fingerprint)
        if existing is None:
            raise SlotUnavailable("duplicate request") from None
        return existing


def _existing_for_key(scope: str, key: str, fingerprint: str) -> Appointment | None:
    record = db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
    )
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyConflict()
    return db.session.get(Appointment, record.appointment_id)


def book(request: BookingRequest) -> Appointment:
    """Book the slot, or raise SlotUnavailable / BookingRuleError / IdempotencyConflict. Run it in a unit
    of work that has written nothing yet: its reads so far end here, and the unit commits the booking."""
    fingerprint = _fingerprint(request.request_fingerprint)
    if request.idempotency_key:
        existing = _existing_for_key(request.idempotency_scope, request.idempotency_key, fingerprint)
        if existing is not None:
            return existing
    slot_token = request.slot_token
    if request.customer.interpreter_language.strip():
        slot_token = interpreters.prefer_speaker(
            slot_token, request.service, request.place, request.customer.interpreter_language
        )
    token = decode_slot(slot_token)
    if token is None:
        raise SlotUnavailable("token not valid")
    _check_token_matches(token, request.service, request.place)
    if request.unverified:
        check_public_allowance(request.customer.phone, request.customer.email)
    finish_reads()  # the lock below is the next transaction's first statement (module docstring)
    record = None
    if request.idempotency_key:
        record = _reserve_key(request.idempotency_scope, request.idempotency_key, fingerprint)
        if isinstance(record, Appointment):
            return record  # the same request, answered a moment ago: its booking, not a second one
    lock_officer_days([(o, token.day) for o in token.officer_ids])
    arrival = _still_fits(token, request.place, request.service.duration_minutes * 60)
    place = request.place
    with db.session.no_autoflush:  # a returning customer's changes are flushed with the booking's
        found = _same_person_and_precaution(request, place)
        customer = find_or_create_customer(
            request.customer,
            place,
            unverified=request.unverified,
            customer_id=request.customer_id,
            same_person=found[0] if found else _UNREAD,
        )
        _check_precautions(token, place, customer, found[1] if found else _UNREAD)
        # The same person's other bookings: their record's, or for a public booking (a new record each
        # time) those of every record with the same name and phone or email.
        if request.unverified:
            same = same_person_ids(request.customer)
        else:
            same = [customer.id] if customer.id is not None else []
        if same and not request.confirmed_overlap:
            twin = overlapping_booking(
                same,
                at_day_seconds(token.day, token.window[0]),
                at_day_seconds(token.day, token.window[1]),
                request.service.duration_minutes,
            )
            if twin is not None:
                raise PossibleDuplicate(twin)
    appointment = Appointment(
        service=request.service,
        customer=customer,
        location_type=place.location_type,
        hub=place.hub,
        **place.address_fields(),
        window_start=at_day_seconds(token.day, token.window[0]),
        window_end=at_day_seconds(token.day, token.window[1]),
        duration_minutes=request.service.duration_minutes,
        planned_arrival=at_day_seconds(token.day, arrival),
        officer_id=token.officer_ids[0],
        second_officer_id=token.officer_ids[1] if len(token.officer_ids) > 1 else None,
        channel=request.channel,
        booked_by_id=_id_of(request.booked_by),
        notes=request.notes,
        access_needs=request.customer.access_needs,
        interpreter_language=request.customer.interpreter_language,
    )
    _write_booking(appointment, customer, request, token)
    if record is not None:
        record.appointment = appointment
    outbox.appointment_changed(appointment, "booked")
    interpreters.flag_if_needed(appointment)
    return appointment


REFERENCE_DRAWS = 4


def _write_booking(
    appointment: Appointment, customer: Customer, request: BookingRequest, token: SlotToken
) -> None:
    """Store the booking, its first status event, its audit entry and the slot's claim (and a new
    customer's record first), without the ORM's unit of work (app/hot_writes.py: the ORM's flush was half
    of a booking's CPU). On PostgreSQL all of them are one statement (data-modifying CTEs: one round
    trip, not five); on SQLite one INSERT each; the same rows either way. The reference is drawn at
    random and written unless another booking has it (ON CONFLICT DO NOTHING; one in 10^11 per
    booking), then drawn again: no read to look for a free one, and two bookings drawing the same one at
    once cannot fail. A new customer's record is written with the first draw, whatever happens to the
    booking's row, and the next draws book onto it. A claim that another booking holds (the slot taken
    since the re-check) raises SlotUnavailable, and the unit of work rolls back everything this booking
    wrote."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if not postgres and customer.id is None:
        insert_now(customer)
    new_customer = customer if customer.id is None else None
    for _ in range(REFERENCE_DRAWS):
        appointment.reference = new_reference()
        if postgres:
            written = _write_at_once(appointment, request, token, new_customer)
            new_customer = None  # stored now, even if the reference was taken
        else:
            written = _write_one_by_one(appointment, request, token)
        if written:
            return
    raise RuntimeError("could not find a free reference")


def _booking_rows(appointment: Appointment, request: BookingRequest) -> tuple[dict, dict]:
    """The booking's first status event (but its appointment_id) and its audit entry, as rows."""
    actor = request.booked_by
    event = column_defaults(
        AppointmentEvent.__table__,
        {"status": "booked", "actor_id": _id_of(actor), "channel": request.channel},
    )
    entry = audit.entry_row(
        "appointment_booked", "appointment", appointment.reference, user=actor, channel=request.channel
    )
    return event, entry


def _write_one_by_one(appointment: Appointment, request: BookingRequest, token: SlotToken) -> bool:
    """SQLite: the booking, then its event, audit entry and claim. False if the reference was taken."""
    if not insert_now(appointment, unless_taken="reference"):
        return False
    event, entry = _booking_rows(appointment, request)
    insert_row(AppointmentEvent.__table__, **(event | {"appointment_id": appointment.id}))
    insert_row(AuditEvent.__table__, **entry)
    _claim(token, appointment)
    return True


def _write_at_once(
    appointment: Appointment, request: BookingRequest, token: SlotToken, new_customer: Customer | None
) -> bool:
    """PostgreSQL: the same rows in one statement (_BOOKING_WRITES), with `new_customer`'s record first if
    given (the appointment is booked onto it). False, and nothing of the booking written, if the
    reference was taken (the new customer's record is written and kept all the same)."""
    person = new_row(new_customer) if new_customer is not None else None  # first: then it is not flushed
    booking = new_row(appointment)
    event, entry = _booking_rows(appointment, request)
    keys = token.claim_keys()
    params = (
        {_PARAM_NAMES["a"][name]: value for name, value in booking.items()}
        | {_PARAM_NAMES["e"][name]: value for name, value in event.items() if name != "appointment_id"}
        | {_PARAM_NAMES["u"][name]: value for name, value in entry.items()}
        | {f"key{n}": key for n, key in enumerate(keys)}
        | {"claimed_at": utcnow()}
    )
    if person is not None:
        params["customer_row"] = json_row(Customer.__table__, person)
        del params[_PARAM_NAMES["a"]["customer_id"]]  # the new record's, in the statement
    written = _BOOKING_WRITES[len(keys), person is not None].rows(**params)
    if person is not None:
        customer_id, appointment_id, claimed = written[0]
        adopt(new_customer, person, customer_id)
        booking["customer_id"] = customer_id
    elif written:
        appointment_id, claimed = written[0]
    else:
        appointment_id = None
    if appointment_id is None:
        return False
    adopt(appointment, booking, appointment_id)
    if claimed != len(keys):
        raise SlotUnavailable("already booked")
    return True


# The statement's parameters by row and column, short ("a0" for the appointment's first column): psycopg
# caches its parsing of a statement only up to 4,096 characters and 50 parameters, and parses a longer
# one again at every use (test_booking_writes_stay_within_what_psycopg_caches).
_PARAM_NAMES = {
    prefix: {column.key: f"{prefix}{n}" for n, column in enumerate(table.columns)}
    for prefix, table in (
        ("a", Appointment.__table__),
        ("e", AppointmentEvent.__table__),
        ("u", AuditEvent.__table__),
    )
}


def _booking_writes(claims: int, new_customer: bool) -> HotWrite:
    """INSERT the appointment (ON CONFLICT (reference) DO NOTHING) RETURNING its id, and, only if it was
    written, its status event, its audit entry and its `claims` slot claims (ON CONFLICT DO NOTHING),
    in data-modifying CTEs; the statement returns the appointment's id and how many claims were written
    (no row if the reference was taken). With `new_customer`, the customer's record is inserted first
    and the appointment booked onto it: then the statement returns the customer's id, the appointment's
    (NULL if the reference was taken) and the claims. PostgreSQL only."""
    booking, event, entry, claim, person = (
        Appointment.__table__,
        AppointmentEvent.__table__,
        AuditEvent.__table__,
        SlotClaim.__table__,
        Customer.__table__,
    )

    def columns(table, *leaving):
        return [c for c in table.columns if not c.primary_key and c.key not in leaving]

    def param(prefix, column):
        return bindparam(_PARAM_NAMES[prefix][column.key], type_=column.type)

    def build(insert):
        if new_customer:
            # The record's columns as one JSON parameter (hot_writes.json_row): with them one each, the
            # statement had 74 parameters, and psycopg parses a statement with over 50 again at every
            # use (it caches only smaller ones): that cost more than the round trip it saved.
            given = func.json_populate_record(
                literal_column(f"NULL::{person.name}"), bindparam("customer_row", type_=JSON)
            ).table_valued(*[c.key for c in columns(person)], name="r")
            customer = (
                insert(person)
                .from_select(columns(person), select(*[given.c[c.key] for c in columns(person)]))
                .returning(person.c.id)
                .cte("new_customer")
            )
            values = [customer.c.id if c.key == "customer_id" else param("a", c) for c in columns(booking)]
            booked_insert = insert(booking).from_select(
                columns(booking), select(*values).select_from(customer)
            )
        else:
            booked_insert = insert(booking).values({c.key: param("a", c) for c in columns(booking)})
        booked = (
            booked_insert.on_conflict_do_nothing(index_elements=[booking.c.reference])
            .returning(booking.c.id)
            .cte("booked")
        )
        event_columns = columns(event, "appointment_id")
        with_event = insert(event).from_select(
            [event.c.appointment_id, *event_columns],
            select(booked.c.id, *[param("e", c) for c in event_columns]),
        )
        entry_columns = columns(entry)
        with_entry = insert(entry).from_select(
            entry_columns, select(*[param("u", c) for c in entry_columns]).select_from(booked)
        )
        rows = [
            select(
                bindparam(f"key{n}", type_=claim.c.key.type).label("key"),
                booked.c.id,
                bindparam("claimed_at", type_=claim.c.created_at.type),
            )
            for n in range(claims)
        ]
        keys = rows[0] if claims == 1 else union_all(*rows)
        claimed = (
            insert(claim)
            .from_select([claim.c.key, claim.c.appointment_id, claim.c.created_at], keys)
            .on_conflict_do_nothing()
            .returning(claim.c.key)
            .cte("claimed")
        )
        count = select(func.count()).select_from(claimed).scalar_subquery()
        ctes = (with_event.cte("booking_event"), with_entry.cte("booking_audit"))
        if new_customer:
            return (
                select(customer.c.id, booked.c.id, count)
                .select_from(customer.outerjoin(booked, true()))
                .add_cte(*ctes)
            )
        return select(booked.c.id, count).add_cte(*ctes)

    return HotWrite(build)


# A token has one officer or two; the customer's record is new or not.
_BOOKING_WRITES = {
    (count, new_customer): _booking_writes(count, new_customer)
    for count in (1, 2)
    for new_customer in (False, True)
}


def _id_of(who: User | Caller | None) -> int | None:
    """The id of who booked: a user (one added in this unit of work is flushed for it) or an API caller."""
    if who is None:
        return None
    if who.id is None:
        db.session.flush()
    return who.id


def _check_precautions(
    token: SlotToken, place: Place, customer: Customer, precaution: str | None = _UNREAD
) -> None:
    """The risk register can rule out a home visit or require two officers. Never say why. `precaution`:
    place_precaution(place, customer), if read already."""
    if precaution is _UNREAD:
        precaution = place_precaution(place, customer)
    if precaution in ("hub_only", "manager_approval"):
        raise BookingRuleError(
            "location_type",
            _l("We cannot book a visit to this address online. Book at a community hub or phone us"),
        )
    if precaution == "two_officers" and len(token.officer_ids) < 2:
        raise SlotUnavailable("needs two officers")


def _check_token_matches(token: SlotToken, service: Service, place: Place) -> None:
    if token.service_code != service.code:
        raise BookingRuleError("service", _l("The time you chose was for a different service"))
    if token.location_type != place.location_type:
        raise BookingRuleError("location_type", _l("The time you chose was for a different kind of place"))
    if place.hub is not None and token.hub_code != place.hub.code:
        raise BookingRuleError("hub", _l("The time you chose was at a different hub"))
    if place.location_type not in service.places:
        raise BookingRuleError(
            "location_type", _l("%(service)s cannot happen at that kind of place", service=service.name)
        )


def _officer_days(appointment: Appointment) -> list[tuple[int, date]]:
    day = to_local(appointment.window_start).date()
    return [(o, day) for o in (appointment.officer_id, appointment.second_officer_id) if o]


def _still_changeable(appointment: Appointment) -> None:
    if not appointment.is_active:
        raise BookingRuleError("appointment", ALREADY.get(appointment.status, ALREADY["completed"]))
    if appointment.window_end < utcnow():
        raise BookingRuleError("appointment", _l("This appointment is in the past"))


ALREADY = {
    "cancelled": _l("This appointment is already cancelled"),
    "completed": _l("This appointment is already completed"),
    "no_show": _l("This appointment is already no show"),
}


def _how(channel: str) -> str:
    """How a change was made, for the supervisors' call list ("Cancelled online")."""
    known = {"web": "online", "phone": "by phone", "kiosk": "at a kiosk", "api": "through the API"}
    return known.get(channel, f"({channel})")


def cancel(appointment: Appointment, reason: str, *, actor: User | None = None, channel: str = "web") -> None:
    seen = state_of(appointment)
    lock_appointment(appointment)
    _still_changeable(appointment)
    if state_of(appointment) != seen:
        raise BookingChanged()  # e.g. moved a moment ago: the resident must see the new time first
    lock_officer_days(_officer_days(appointment))  # frees the time for fresh availability answers
    appointment.status = "cancelled"
    appointment.cancel_reason = reason.strip()
    appointment.sequence += 1
    db.session.add(
        AppointmentEvent(
            appointment=appointment, status="cancelled", actor=actor, channel=channel, note=reason.strip()
        )
    )
    audit.record("appointment_cancelled", "appointment", appointment.reference, user=actor, channel=channel)
    call_list.close_for(appointment, actor, f"Cancelled {_how(channel)}")
    outbox.appointment_changed(appointment, "cancellation")
    offer_freed_time(appointment)


def reschedule(
    appointment: Appointment, slot_token: str, *, actor: User | None = None, channel: str = "web"
) -> None:
    """Take the new slot and free the old one in one transaction; on any failure the old one stands."""
    seen = state_of(appointment)
    _still_changeable(appointment)
    token = decode_slot(slot_token)
    if token is None:
        raise SlotUnavailable("token not valid")
    place = Place(
        appointment.location_type,
        appointment.lat,
        appointment.lng,
        appointment.hub.area_id if appointment.hub else 0,
        hub=appointment.hub,
    )
    _check_token_matches(token, appointment.service, place)
    finish_reads()
    lock_appointment(appointment)
    _still_changeable(appointment)
    officers = (appointment.officer_id, appointment.second_officer_id)
    if (
        appointment.window_start == at_day_seconds(token.day, token.window[0])
        and appointment.window_end == at_day_seconds(token.day, token.window[1])
        and tuple(o for o in officers if o) == token.officer_ids
    ):
        return  # already there: the same change sent twice (a double click) changes nothing more
    if state_of(appointment) != seen:
        raise BookingChanged()
    lock_officer_days(_officer_days(appointment) + [(o, token.day) for o in token.officer_ids])
    arrival = _still_fits(token, place, appointment.duration_minutes * 60, exclude=appointment.id)
    _claim(token, appointment)
    moved_from = appointment.window_start  # kept on the event: a move close to the visit is avoidable contact
    appointment.window_start = at_day_seconds(token.day, token.window[0])
    appointment.window_end = at_day_seconds(token.day, token.window[1])
    appointment.planned_arrival = at_day_seconds(token.day, arrival)
    appointment.officer_id = token.officer_ids[0]
    appointment.second_officer_id = token.officer_ids[1] if len(token.officer_ids) > 1 else None
    appointment.sequence += 1
    db.session.add(
        AppointmentEvent(
            appointment=appointment,
            status="rescheduled",
            actor=actor,
            channel=channel,
            note=f"{MOVED_FROM}{moved_from.isoformat()}",
        )
    )
    audit.record("appointment_rescheduled", "appointment", appointment.reference, user=actor, channel=channel)
    moved_to = f"{format_date(appointment.window_start)}, {format_time(appointment.window_start)}"
    call_list.close_for(appointment, actor, f"Moved to {moved_to} {_how(channel)}")
    outbox.appointment_changed(appointment, "reschedule")
    interpreters.flag_if_needed(appointment)


MOVED_FROM = "moved from "

OUTCOMES = {
    "checked_in": ("booked",),
    "completed": ("booked", "checked_in"),
    "no_show": ("booked", "checked_in"),
}


def record_outcome(
    appointment: Appointment, status: str, *, actor: User | None = None, note: str = ""
) -> None:
    """Check-in, then completed or no_show (the satisfaction text follows a completed visit)."""
    if status not in OUTCOMES:
        raise BookingRuleError("status", "Unknown outcome")
    seen = state_of(appointment)
    lock_appointment(appointment)
    if appointment.status not in OUTCOMES[status]:
        raise BookingRuleError(
            "appointment", f"This appointment is already {appointment.status.replace('_', ' ')}"
        )
    if state_of(appointment) != seen:
        raise BookingChanged()
    appointment.status = status
    db.session.add(
        AppointmentEvent(appointment=appointment, status=status, actor=actor, channel="staff", note=note)
    )
    audit.record(f"appointment_{status}", "appointment", appointment.reference, user=actor)
    if status in ("completed", "no_show"):
        # Nobody need call about a visit that has happened (or that nobody was in for): say which.
        call_list.close_for(
            appointment, actor, "Visit completed" if status == "completed" else "No-show: nobody was in"
        )
        outbox.appointment_changed(appointment, status)


def hub_for(code: str | None) -> Hub | None:
    return db.session.scalar(select(Hub).where(Hub.code == code)) if code else None
