"""The locks that keep two changes apart: an officer's day, a booking (app/booking/booking.py's
docstring gives the order they are taken in)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, text, update

from app.extensions import db
from app.hot_writes import HotWrite
from app.models import Appointment, OfficerDay

APPOINTMENT_LOCKS = 1  # PostgreSQL advisory lock space for bookings (key = appointment id)


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
