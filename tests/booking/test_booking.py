"""Booking rules: one booking per slot, promises kept, customers reused, changes safe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.appointments.references import REFERENCE_ALPHABET
from app.booking.availability import decode_slot, search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.changes import cancel, reschedule
from app.booking.errors import BookingRuleError, IdempotencyConflict, SlotUnavailable
from app.extensions import db
from app.models import Appointment, AppointmentEvent, AuditEvent, Customer, SlotClaim
from app.unit_of_work import unit_of_work
from tests.booking_helpers import MONDAY, NOW, World
from tests.factories import AppointmentFactory

H = 3600


def _request(world, slot, **overrides) -> BookingRequest:
    values = dict(
        slot_token=slot.token,
        service=world.service,
        place=world.home(),
        customer=CustomerDetails(name="Jo Bloggs", phone="+447700900123", email="jo@example.com"),
    )
    values.update(overrides)
    return BookingRequest(**values)


def _slots(world, place=None):
    return search(world.service, place or world.home(), MONDAY, 1, now=NOW).slots


def test_booking_keeps_the_promise_and_records_history():
    world = World()
    slot = _slots(world)[0]
    appointment = book(_request(world, slot))
    db.session.commit()
    assert len(appointment.reference) == 8 and set(appointment.reference) <= set(REFERENCE_ALPHABET)
    assert appointment.window_start == slot.start and appointment.window_end == slot.end
    assert appointment.officer_id == slot.officer_ids[0]
    assert slot.start <= appointment.planned_arrival <= slot.end
    assert [e.status for e in appointment.events] == ["booked"]
    assert appointment.customer.name == "Jo Bloggs"


def test_a_slot_token_books_once_then_is_gone():
    world = World()
    slot = _slots(world)[0]
    book(_request(world, slot))
    db.session.commit()
    with pytest.raises(SlotUnavailable):
        book(_request(world, slot, customer=CustomerDetails(name="Someone Else", phone="+447700900999")))
    db.session.rollback()
    assert db.session.query(Appointment).count() == 1


def test_spare_capacity_shows_up_as_a_new_slot():
    world = World()
    first = _slots(world)[0]
    book(_request(world, first))
    db.session.commit()
    again = [s for s in _slots(world) if s.window == first.window]
    assert again and again[0].token != first.token
    book(_request(world, again[0], customer=CustomerDetails(name="Sam Second", phone="+447700900998")))
    db.session.commit()
    assert db.session.query(Appointment).count() == 2


def test_a_slot_that_no_longer_fits_is_refused():
    world = World()
    slots = {s.window: s for s in _slots(world)}
    # Fill the officer's morning through another window's token, then try the stale one.
    for _ in range(4):
        fresh = {s.window: s for s in _slots(world)}
        if (9 * H, 11 * H) not in fresh:
            break
        book(_request(world, fresh[(9 * H, 11 * H)], customer=CustomerDetails(name=f"N {_}", phone="")))
        db.session.commit()
    stale = slots[(9 * H, 11 * H)]
    with pytest.raises(SlotUnavailable):
        book(_request(world, stale, customer=CustomerDetails(name="Late Comer", phone="+447700900555")))


def test_the_same_person_is_one_customer_record():
    world = World()
    book(_request(world, _slots(world)[0]))
    db.session.commit()
    book(
        _request(
            world,
            _slots(world)[0],
            customer=CustomerDetails(name="jo bloggs", phone="+447700900123", access_needs="Wheelchair user"),
            confirmed_overlap=True,  # a second visit at that time, which they were warned about
        )
    )
    db.session.commit()
    customers = db.session.query(Customer).all()
    assert len(customers) == 1 and customers[0].access_needs == "Wheelchair user"


def test_wrong_place_for_the_service_is_refused():
    world = World()
    world.service.at_hub = False
    slot = search(world.service, world.hub_place(), MONDAY, 1, now=NOW).slots
    assert slot  # availability does not know the place rule; booking enforces it
    with pytest.raises(BookingRuleError):
        book(_request(world, slot[0], place=world.hub_place()))


def test_idempotency_key_returns_the_same_booking():
    world = World()
    slot = _slots(world)[0]
    request = _request(
        world,
        slot,
        idempotency_scope="api:1",
        idempotency_key="abc",
        request_fingerprint={"slot": slot.token, "name": "Jo"},
    )
    first = book(request)
    db.session.commit()
    second = book(request)
    assert first.id == second.id and db.session.query(Appointment).count() == 1
    with pytest.raises(IdempotencyConflict):
        book(
            _request(
                world,
                slot,
                idempotency_scope="api:1",
                idempotency_key="abc",
                request_fingerprint={"slot": slot.token, "name": "Different"},
            )
        )


def test_cancel_frees_the_time_and_cannot_happen_twice():
    world = World()
    slot = _slots(world)[0]
    appointment = book(_request(world, slot))
    db.session.commit()
    cancel(appointment, "Feeling better")
    db.session.commit()
    assert appointment.status == "cancelled" and appointment.sequence == 1
    assert [e.status for e in appointment.events] == ["booked", "cancelled"]
    with pytest.raises(BookingRuleError):
        cancel(appointment, "again")
    assert any(s.window == slot.window for s in _slots(world))


def test_reschedule_moves_the_same_booking_and_frees_the_old_time():
    world = World()
    slots = sorted(_slots(world), key=lambda s: s.window)
    appointment = book(_request(world, slots[0]))
    db.session.commit()
    reference = appointment.reference
    target = next(s for s in _slots(world) if s.window == slots[-1].window)
    reschedule(appointment, target.token)
    db.session.commit()
    moved = db.session.query(Appointment).filter_by(reference=reference).one()
    assert moved.window_start == target.start and moved.sequence == 1
    assert [e.status for e in moved.events] == ["booked", "rescheduled"]
    assert db.session.query(Appointment).count() == 1


def test_failed_reschedule_leaves_the_old_booking_standing():
    world = World()
    first, second = _slots(world)[:2]
    appointment = book(_request(world, first))
    book(_request(world, second, customer=CustomerDetails(name="Someone Else", phone="+447700900999")))
    db.session.commit()
    before = (appointment.window_start, appointment.officer_id)
    with pytest.raises(SlotUnavailable):
        reschedule(appointment, second.token)  # already used by the other booking
    db.session.rollback()
    fresh = db.session.query(Appointment).filter_by(id=appointment.id).one()
    assert (fresh.window_start, fresh.officer_id) == before and fresh.status == "booked"
    assert db.session.query(AppointmentEvent).count() == 2
    assert db.session.query(SlotClaim).count() == 2


def test_moving_to_the_time_it_already_has_changes_nothing():
    """A double-clicked "change time" sends the same move twice: the second is not an error."""
    world = World()
    first, second = _slots(world)[:2]
    appointment = book(_request(world, first))
    db.session.commit()
    reschedule(appointment, second.token)
    db.session.commit()
    reschedule(appointment, second.token)
    db.session.commit()
    assert appointment.window_start == second.start and appointment.sequence == 1
    assert [e.status for e in appointment.events] == ["booked", "rescheduled"]


def test_every_booking_leaves_the_officers_day_keepable():
    """Book until the day is full, in a random order of windows and places: after every booking the
    stored order and planned arrivals must still keep every promise (travel, shift, break)."""
    import random

    from app.booking.availability import appointments_for, routing_day
    from app.officers.workdays import working_day
    from routing.feasibility import DayCheck

    rng = random.Random(5)
    world = World()
    officer = world.officers[0]
    for n in range(30):
        lat, lng = 51.30 + rng.random() * 0.12, -2.08 + rng.random() * 0.16
        place = world.home(lat=lat, lng=lng)
        slots = search(world.service, place, MONDAY, 1, now=NOW).slots
        if not slots:
            continue
        book(
            _request(
                world,
                rng.choice(slots),
                place=place,
                customer=CustomerDetails(name=f"Resident {n}", phone=""),
            )
        )
        db.session.commit()
        day = routing_day(working_day(officer, MONDAY), appointments_for([officer.id], MONDAY, MONDAY))
        assert DayCheck(day).base_ok, f"booking {n} left a promise that cannot be kept"
    assert db.session.query(Appointment).count() >= 5


def _booked_rows() -> tuple[int, int, int, int]:
    """Appointments, status events, booking audit entries and slot claims stored."""
    return (
        db.session.query(Appointment).count(),
        db.session.query(AppointmentEvent).count(),
        db.session.query(AuditEvent).filter_by(action="appointment_booked").count(),
        db.session.query(SlotClaim).count(),
    )


def test_a_slot_claimed_since_the_re_check_is_refused_and_nothing_of_the_booking_is_kept():
    """The race the claim settles: another booking took the slot's claim after this one's re-check
    (here, before it: the claim is what decides). This booking's appointment, event and audit entry are
    written with the claim (one statement on PostgreSQL) and all rolled back with it."""
    world = World()
    slot = _slots(world)[0]
    other = AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=NOW + timedelta(days=30)
    )
    for key in decode_slot(slot.token).claim_keys():
        db.session.add(SlotClaim(key=key, appointment=other))
    db.session.commit()
    before = _booked_rows()
    with pytest.raises(SlotUnavailable), unit_of_work():
        book(_request(world, slot))
    assert _booked_rows() == before
    assert db.session.query(Customer).filter_by(name="Jo Bloggs").count() == 0


def test_a_reference_already_taken_is_drawn_again_and_the_booking_written_once(monkeypatch):
    world = World()
    first, second = _slots(world)[:2]
    taken = book(_request(world, first)).reference
    db.session.commit()
    draws = iter([taken, "ZZZZ2222"])
    monkeypatch.setattr("app.booking.writes.new_reference", lambda: next(draws))
    with unit_of_work():
        appointment = book(
            _request(world, second, customer=CustomerDetails(name="Al Smith", phone="+447700900999"))
        )
    assert appointment.reference == "ZZZZ2222"
    assert _booked_rows() == (2, 2, 2, 2)
    # The new customer's record, written with the first draw (one statement on PostgreSQL), once.
    assert [c.id for c in db.session.query(Customer).filter_by(name="Al Smith")] == [appointment.customer_id]
    entry = db.session.query(AuditEvent).filter_by(action="appointment_booked", object_id="ZZZZ2222").one()
    assert entry.detail == {"channel": "web"}
    assert [e.status for e in db.session.get(Appointment, appointment.id).events] == ["booked"]
    assert db.session.query(SlotClaim).filter_by(appointment_id=appointment.id).count() == 1


def test_an_absence_recorded_after_the_search_refuses_the_booking_and_the_roster_is_read_once():
    """The re-check reads the officer's day and the roster's version in one statement after the lock
    (app/booking/availability.py: day_and_roster): an absence committed since the time was offered is
    seen, and the roster is not read again for it."""
    from app.models import Absence
    from app.officers.roster import current_version, roster

    world = World()
    slot = _slots(world)[0]
    offered = roster()  # as the search saw it
    db.session.add(Absence(officer=world.officers[0], kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
    db.session.commit()
    with pytest.raises(SlotUnavailable, match="officer no longer working"):
        book(_request(world, slot))
    assert roster() is not offered and current_version() == roster().version
    db.session.rollback()
    assert db.session.query(Appointment).count() == 0


def test_booking_writes_stay_within_what_psycopg_caches():
    """psycopg parses a statement's placeholders once and caches it, but only for statements of up to
    4,096 characters and 50 parameters: a longer one is parsed again at every use (a booking with a new
    customer's record cost more in one statement with 74 parameters than in two). The booking's write,
    in each of its forms, stays within both."""
    from psycopg import _queries
    from sqlalchemy.dialects import postgresql

    from app.booking.writes import _BOOKING_WRITES

    for form, write in _BOOKING_WRITES.items():
        compiled = write.build(postgresql.insert).compile(dialect=postgresql.dialect())
        assert len(str(compiled).encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH, form
        assert len(compiled.params) <= _queries.MAX_CACHED_STATEMENT_PARAMS, form


def test_a_new_customer_s_record_is_stored_as_the_booking_holds_it():
    """On PostgreSQL the new record travels as one JSON parameter (booking._write_at_once): what is read
    back (times to the microsecond, coordinates, consent, the address) is what the booking holds."""
    world = World()
    details = CustomerDetails(
        name="Jo Bloggs", phone="+447700900123", email="jo@example.com", sms_consent=True
    )
    appointment = book(_request(world, _slots(world)[0], customer=details))
    db.session.commit()
    customer = appointment.customer
    held = {c.key: getattr(customer, c.key) for c in Customer.__table__.columns}
    db.session.expire_all()
    stored = db.session.get(Customer, held["id"])
    assert {c.key: getattr(stored, c.key) for c in Customer.__table__.columns} == held
    assert held["sms_consent"] is True and held["lat"] == world.home().lat and held["created_at"] is not None


@pytest.mark.parametrize(
    ("precaution", "refused"), [("hub_only", BookingRuleError), ("two_officers", SlotUnavailable)]
)
def test_a_marker_on_the_same_person_s_record_applies_to_a_booking_that_finds_the_record(precaution, refused):
    """A verified channel's booking finds the same person's record and reads the risk register in one
    statement (booking._same_person_and_precaution): a marker on that record, not on the address,
    still rules the home visit out or needs two officers; a new record's booking is not affected."""
    from datetime import date

    from app.models import RiskMarker

    world = World()
    known = Customer(name="Jo Bloggs", phone="+447700900123")
    db.session.add(known)
    db.session.flush()
    db.session.add(
        RiskMarker(
            customer=known, category="violence", precaution=precaution, reason="x", review_on=date(2027, 6, 1)
        )
    )
    db.session.commit()
    slot = _slots(world)[0]
    with pytest.raises(refused):
        book(_request(world, slot, channel="phone"))
    db.session.rollback()
    stranger = CustomerDetails(name="Al Smith", phone="+447700900999")
    assert book(_request(world, slot, channel="phone", customer=stranger)).customer_id != known.id
