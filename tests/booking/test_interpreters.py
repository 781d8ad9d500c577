"""An interpreter request changes who visits: an officer who speaks the language when one can take the
same time, else the visit goes on the supervisors' call list to book an interpreter."""

from __future__ import annotations

import time_machine

from app.booking import call_list
from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.interpreters import normalise
from app.extensions import db
from app.models import CallListEntry
from tests.booking_helpers import MONDAY, NOW, World
from tests.factories import OfficerFactory


def _offered_then_booked(world: World, interpreter: str):
    slot = search(world.service, world.home(), MONDAY, 1, now=NOW).slots[0]
    appointment = book(
        BookingRequest(
            slot_token=slot.token,
            service=world.service,
            place=world.home(),
            customer=CustomerDetails(
                name="Agnieszka Nowak", phone="+447700900125", interpreter_language=interpreter
            ),
        )
    )
    db.session.flush()
    return slot, appointment


def _entries(appointment) -> list[CallListEntry]:
    return db.session.query(CallListEntry).filter_by(appointment_id=appointment.id).all()


@time_machine.travel(NOW, tick=False)
def test_an_officer_who_speaks_the_language_takes_the_same_time():
    world = World()  # the officer the slot is offered with speaks only English
    speaker = OfficerFactory(skills=[world.skill], areas=[world.area], languages="Russian, Polish")
    db.session.flush()
    slot, appointment = _offered_then_booked(world, "polski")
    assert slot.officer_ids == (world.officers[0].id,)
    assert appointment.officer_id == speaker.id
    assert (appointment.window_start, appointment.window_end) == (slot.start, slot.end), "same promise"
    assert _entries(appointment) == []


@time_machine.travel(NOW, tick=False)
def test_with_no_officer_who_speaks_it_the_supervisor_is_asked_to_book_an_interpreter():
    world = World()
    OfficerFactory(skills=[world.skill], areas=[world.area], languages="Polish")
    db.session.flush()
    slot, appointment = _offered_then_booked(world, "Nepali")
    assert appointment.officer_id == slot.officer_ids[0]
    (entry,) = _entries(appointment)
    assert entry.source == "interpreter" and "Book a Nepali interpreter" in entry.reason
    assert entry in call_list.open_entries()


@time_machine.travel(NOW, tick=False)
def test_a_speaker_who_cannot_take_that_time_is_not_forced_in():
    world = World()
    OfficerFactory(
        skills=[world.skill], areas=[world.area], languages="Polish", weekdays=[1, 2, 3]
    )  # not Mondays
    db.session.flush()
    slot, appointment = _offered_then_booked(world, "Polish")
    assert appointment.officer_id == world.officers[0].id
    (entry,) = _entries(appointment)
    assert entry.source == "interpreter"


@time_machine.travel(NOW, tick=False)
def test_no_interpreter_asked_for_changes_nothing():
    world = World()
    OfficerFactory(skills=[world.skill], areas=[world.area], languages="Polish")
    db.session.flush()
    slot, appointment = _offered_then_booked(world, "")
    assert appointment.officer_id == slot.officer_ids[0] and _entries(appointment) == []


def test_language_names_match_however_they_are_typed():
    assert normalise(" Polski ") == normalise("POLISH") == "polish"
    assert normalise("नेपाली") == normalise("Nepalese") == "nepali"
