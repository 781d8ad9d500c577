"""Availability offers only slots that can be kept."""

from __future__ import annotations

from datetime import date, timedelta

from app.booking.availability import ARRIVAL_WINDOWS, decode_slot, search
from app.extensions import db
from app.models import Absence
from app.timeutil import at_day_seconds
from tests.booking_helpers import MONDAY, NOW, World, at
from tests.factories import AppointmentFactory, OfficerFactory

H = 3600


def _days(result):
    return {s.day for s in result.slots}


def test_an_empty_working_day_offers_every_arrival_window():
    world = World()
    result = search(world.service, world.home(), MONDAY, 1, now=NOW)
    assert sorted(s.window for s in result.slots) == ARRIVAL_WINDOWS
    assert all(s.officer_ids == (world.officers[0].id,) for s in result.slots)
    slot = result.slots[0]
    assert slot.start == at_day_seconds(MONDAY, slot.window[0]) and slot.end > slot.start


def test_weekends_and_bank_holidays_offer_nothing():
    world = World()
    # Christmas Day 2026 is a Friday, Boxing Day's substitute is Monday 28 December.
    result = search(world.service, world.home(), date(2026, 12, 24), 5, now=NOW)
    assert _days(result) == {date(2026, 12, 24)}


def test_officer_without_the_skill_offers_nothing():
    world = World(officers=0)
    OfficerFactory(skills=[], areas=[world.area])
    db.session.flush()
    assert search(world.service, world.home(), MONDAY, 5, now=NOW).slots == []


def test_leave_and_sickness_remove_the_officer_for_those_days():
    world = World()
    db.session.add(
        Absence(officer=world.officers[0], kind="leave", starts_on=MONDAY, ends_on=MONDAY + timedelta(days=1))
    )
    db.session.flush()
    days = _days(search(world.service, world.home(), MONDAY, 3, now=NOW))
    assert days == {MONDAY + timedelta(days=2)}


def test_notice_and_horizon_are_respected():
    world = World(notice_hours=48)
    world.service.horizon_days = 10
    # Now is Tuesday 1 December 09:00: nothing before Thursday 09:00, nothing after 11 December.
    days = _days(search(world.service, world.home(), NOW.date(), 30, now=NOW))
    assert min(days) == date(2026, 12, 3) and max(days) == date(2026, 12, 11)
    thursday = [s for s in search(world.service, world.home(), date(2026, 12, 3), 1, now=NOW).slots]
    assert all(s.window[1] >= 9 * H for s in thursday)


def test_travel_to_the_next_promise_is_respected():
    world = World()
    # Promised 10:00 sharp 55 km away for 90 minutes: no visit in town fits before it, and after it
    # the officer is back in town only around 12:45.
    AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        window_start=at(10),
        window_end=at(10),
        lat=51.85,
        lng=-1.99,
        duration_minutes=90,
    )
    db.session.flush()
    windows = {s.window for s in search(world.service, world.home(), MONDAY, 1, now=NOW).slots}
    assert (9 * H, 11 * H) not in windows
    assert (13 * H, 15 * H) in windows


def test_a_full_day_offers_nothing_more():
    world = World()
    for hour in (9, 10, 11, 12, 13, 14, 15, 16):
        AppointmentFactory(
            service=world.service,
            officer=world.officers[0],
            window_start=at(hour),
            window_end=at(hour),
            duration_minutes=55,
        )
    db.session.flush()
    assert search(world.service, world.home(), MONDAY, 1, now=NOW).slots == []


def test_two_officer_services_need_two_officers_arriving_together():
    alone = World(officers=1, two_officers=True)
    assert search(alone.service, alone.home(), MONDAY, 1, now=NOW).slots == []
    extra = OfficerFactory(skills=[alone.skill], areas=[alone.area])
    db.session.flush()
    slots = search(alone.service, alone.home(), MONDAY, 1, now=NOW).slots
    assert slots and all(set(s.officer_ids) == {alone.officers[0].id, extra.id} for s in slots)


def test_hub_slots_are_exact_times_inside_opening_hours():
    world = World()
    slots = search(world.service, world.hub_place(), MONDAY, 1, now=NOW).slots
    starts = sorted(s.window[0] for s in slots)
    assert all(s.is_exact for s in slots)
    assert starts[0] == 9 * H and starts[-1] <= 17 * H - 45 * 60
    assert search(world.service, world.hub_place(), date(2026, 12, 12), 1, now=NOW).slots == []  # Saturday


def test_each_slot_goes_to_the_officer_it_costs_least_travel():
    world = World()
    far_away = OfficerFactory(skills=[world.skill], areas=[world.area], base_lat=51.60)
    db.session.flush()
    slots = search(world.service, world.home(), MONDAY, 1, now=NOW).slots
    assert slots and all(s.officer_ids == (world.officers[0].id,) for s in slots)
    assert far_away.id not in {o for s in slots for o in s.officer_ids}


def test_low_travel_slots_come_first():
    world = World()
    # A 9:00 visit far north and a midday one in town: another visit up north is cheap in the morning.
    AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        window_start=at(9),
        window_end=at(9),
        lat=51.50,
        lng=-1.99,
    )
    AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=at(12), window_end=at(12)
    )
    db.session.flush()
    slots = search(world.service, world.home(lat=51.49, lng=-1.99), MONDAY, 1, now=NOW).slots
    buckets = [s.added_travel // 300 for s in slots]
    assert buckets == sorted(buckets)
    assert slots[0].window == (9 * H, 11 * H)
    assert slots[0].added_travel < slots[-1].added_travel


def test_slot_tokens_are_signed():
    world = World()
    slot = search(world.service, world.home(), MONDAY, 1, now=NOW).slots[0]
    decoded = decode_slot(slot.token)
    assert decoded.officer_ids == slot.officer_ids and decoded.day == MONDAY
    assert decode_slot(slot.token[:-2] + "xx") is None
    assert decode_slot("nonsense") is None
