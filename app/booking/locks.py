"""The locks that keep two changes apart: a public allowance, an officer's day, a booking
(app/booking/booking.py's docstring gives the order they are taken in)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, text, update

from app.extensions import db
from app.hot_writes import HotWrite
from app.models import Appointment, OfficerDay

APPOINTMENT_LOCKS = 1  # PostgreSQL advisory lock space for bookings (key = appointment id)
ALLOWANCE_LOCKS = 2  # ... for public allowances (key = a hash of a phone number, email or postal address)


def lock_allowances(keys: Iterable[str]) -> None:
    """Wait until no other transaction is counting or using these public allowances ("phone:+44...",
    "email:...", "letters:..."), and hold them until commit, so that what is counted next includes every
    booking made with them: of many bookings sent at once, only the allowance's number are made.

    PostgreSQL: a transaction-scoped advisory lock per key, in sorted order (two bookings sharing two
    keys never wait for each other in a circle); two keys with the same hash share a lock, which only
    makes one wait for the other. SQLite: nothing, as a request's transaction begins with the database
    write lock (app.extensions.configure_sqlite)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({_int4(key) for key in keys}):
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": ALLOWANCE_LOCKS, "key": key}
        )


def _int4(key: str) -> int:
    """A 32-bit number for a key (an advisory lock's second half), the same in every process (hash()
    is not)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)


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
