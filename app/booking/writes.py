"""A new booking's rows, written in one statement on PostgreSQL (app/hot_writes.py says why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, bindparam, func, literal_column, select, true, union_all

from app.appointments.references import new_reference
from app.booking.availability import SlotToken
from app.booking.booking_request import BookingRequest
from app.booking.claims import claim
from app.booking.errors import SlotUnavailable
from app.extensions import db
from app.hot_writes import HotWrite, adopt, column_defaults, insert_now, insert_row, json_row, new_row
from app.models import Appointment, AppointmentEvent, AuditEvent, Customer, SlotClaim, User
from app.staff import audit
from app.timeutil import utcnow

if TYPE_CHECKING:
    from app.staff.tokens import Caller


REFERENCE_DRAWS = 4


def write_booking(
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
        {"status": "booked", "actor_id": id_of(actor), "channel": request.channel},
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
    claim(token, appointment)
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


def id_of(who: User | Caller | None) -> int | None:
    """The id of who booked: a user (one added in this unit of work is flushed for it) or an API caller."""
    if who is None:
        return None
    if who.id is None:
        db.session.flush()
    return who.id
