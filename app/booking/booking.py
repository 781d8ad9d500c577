"""Booking a slot: book(), the rules that keep every promise, in the order it applies them.

Its parts, one module each: `booking_request` (what every channel asks for), `errors` (what it can be
refused with), `customers` (the same person's record, their other bookings, the public allowance),
`locks` (allowance, officer-day and booking locks), `recheck` (the slot still fits after the lock),
`claims` (a slot is used once), `writes` (the booking's rows in one statement); `changes` cancels, moves
and records outcomes under the same locks.

Integrity under concurrency: a booking first locks the officer-day rows it touches (an upsert begins its
transaction, after only a public booking's allowance locks and count: PostgreSQL takes a row lock, and
SQLite the write lock, which a request's transaction holds from its BEGIN IMMEDIATE anyway), then
re-checks feasibility against what is booked now (the roster and the day's visits, read after the
lock), then records a unique claim for the slot token. Two bookings can therefore never take the same
officer time, whatever the channel.

A public booking (the web journey, the kiosk) is also held to its allowance per phone number, email
address and, for one answered by letter, postal address (customers.check_public_allowance). It takes
those allowances' locks first (`locks.lock_allowances`: PostgreSQL advisory locks, sorted) and counts
after them, so of many bookings for one number sent at once, exactly the allowance are made; agents
and the API are verified callers with no allowance, and send no statement for it.

Every change to an existing booking (cancel, reschedule, check-in, check-out, outcome, officer change)
first takes that booking's lock (`lock_appointment`) and only then reads its state, so of two changes at
once one wins and the other sees what won; the nightly plan, which re-times a whole day, takes that
day's officer-day locks before it reads it. Lock order, everywhere: public allowances (sorted), then
idempotency key, then bookings (by id), then officer-days (sorted), so no two transactions ever wait for
each other in a circle.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.booking import interpreters
from app.booking.availability import decode_slot
from app.booking.booking_request import BookingRequest
from app.booking.customers import (
    UNREAD,
    by_letter,
    check_public_allowance,
    find_or_create_customer,
    overlapping_booking,
    same_person_and_precaution,
    same_person_ids,
)
from app.booking.errors import (
    IdempotencyConflict,
    PossibleDuplicate,
    SlotUnavailable,
    TooManyBookings,
)
from app.booking.locks import lock_officer_days
from app.booking.recheck import check_precautions, check_token_matches, still_fits
from app.booking.writes import id_of, write_booking
from app.extensions import db
from app.messaging import outbox
from app.models import Appointment, IdempotencyRecord
from app.timeutil import at_day_seconds
from app.unit_of_work import finish_reads


def _fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


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
    check_token_matches(token, request.service, request.place)
    finish_reads()  # the locks below begin the next transaction (module docstring)
    if request.unverified:
        existing = _check_allowance(request, fingerprint)
        if existing is not None:
            return existing
    record = None
    if request.idempotency_key:
        record = _reserve_key(request.idempotency_scope, request.idempotency_key, fingerprint)
        if isinstance(record, Appointment):
            return record  # the same request, answered a moment ago: its booking, not a second one
    lock_officer_days([(o, token.day) for o in token.officer_ids])
    arrival = still_fits(token, request.place, request.service.duration_minutes * 60)
    place = request.place
    with db.session.no_autoflush:  # a returning customer's changes are flushed with the booking's
        found = same_person_and_precaution(request, place)
        customer = find_or_create_customer(
            request.customer,
            place,
            unverified=request.unverified,
            customer_id=request.customer_id,
            same_person=found[0] if found else UNREAD,
        )
        check_precautions(token.officer_ids, request.service, place, customer, found[1] if found else UNREAD)
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
        booked_by_id=id_of(request.booked_by),
        notes=request.notes,
        access_needs=request.customer.access_needs,
        interpreter_language=request.customer.interpreter_language,
    )
    write_booking(appointment, customer, request, token)
    if record is not None:
        record.appointment = appointment
    outbox.appointment_changed(appointment, "booked")
    interpreters.flag_if_needed(appointment)
    return appointment


def _check_allowance(request: BookingRequest, fingerprint: str) -> Appointment | None:
    """A public booking's allowance (check_public_allowance), under its locks. Refused, a request that
    has booked meanwhile (the same submission sent twice, its twin counted) gets that booking instead."""
    try:
        check_public_allowance(
            request.customer.phone,
            request.customer.email,
            letters_to=request.place if by_letter(request.customer) else None,
        )
    except TooManyBookings:
        if request.idempotency_key:
            existing = _existing_for_key(request.idempotency_scope, request.idempotency_key, fingerprint)
            if existing is not None:
                return existing
        raise
    return None
