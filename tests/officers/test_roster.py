"""The cached roster: every change to it, made by any process or tool, is seen by the next search
or booking in every other process (the database tells them; nothing is assumed per process)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.errors import SlotUnavailable
from app.extensions import db
from app.officers.roster import current_version, roster
from tests.booking_helpers import MONDAY, NOW, World

ROSTER_TABLES = ("officer", "officer_skill", "officer_area", "working_pattern", "absence", "community_area")


def _elsewhere(sql: str, **params) -> None:
    """A change committed on another connection, as another worker, app server or psql would make it.
    (This session's transaction ends first, as a request's does: SQLite would show it its snapshot.)"""
    db.session.commit()
    with db.engine.begin() as other:
        other.execute(text(sql), params)


def test_every_roster_table_has_the_trigger_that_changes_the_version(app):
    if db.engine.dialect.name == "postgresql":
        found = db.session.scalars(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'roster_changed'"
            )
        )
    else:
        found = db.session.scalars(
            text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'roster_changed_%'")
        )
    assert set(found) == set(ROSTER_TABLES)


def test_a_change_to_any_roster_table_changes_the_version(app):
    world = World()
    officer = world.officers[0]
    changes = [
        ("UPDATE officer SET first_name = 'Sam' WHERE id = :o", {}),
        ("DELETE FROM officer_skill WHERE officer_id = :o", {}),
        ("DELETE FROM officer_area WHERE officer_id = :o", {}),
        ("UPDATE working_pattern SET ends = '12:00:00' WHERE officer_id = :o", {}),
        (
            "INSERT INTO absence (officer_id, kind, starts_on, ends_on, note, created_at) "
            "VALUES (:o, 'sickness', :d, :d, '', :now)",
            {"d": MONDAY, "now": NOW},
        ),
        ("UPDATE community_area SET lat = lat + 0.001", {}),
    ]
    for sql, params in changes:
        before = current_version()
        db.session.execute(text(sql), {"o": officer.id} | params)
        assert current_version() != before, sql


@pytest.mark.usefixtures("committed")
def test_an_absence_recorded_elsewhere_empties_the_next_search(app):
    world = World()
    db.session.commit()
    assert search(world.service, world.home(), MONDAY, 1, now=NOW).slots  # the roster is now cached
    _elsewhere(
        "INSERT INTO absence (officer_id, kind, starts_on, ends_on, note, created_at) "
        "VALUES (:o, 'sickness', :d, :d, '', :now)",
        o=world.officers[0].id,
        d=MONDAY,
        now=NOW,
    )
    assert search(world.service, world.home(), MONDAY, 1, now=NOW).slots == []
    assert search(world.service, world.home(), MONDAY + timedelta(days=1), 1, now=NOW).slots


@pytest.mark.usefixtures("committed")
def test_a_booking_for_an_officer_marked_absent_since_the_search_is_refused(app):
    world = World()
    db.session.commit()
    slot = search(world.service, world.home(), MONDAY, 1, now=NOW).slots[0]
    _elsewhere(
        "INSERT INTO absence (officer_id, kind, starts_on, ends_on, note, created_at) "
        "VALUES (:o, 'leave', :d, :d, '', :now)",
        o=world.officers[0].id,
        d=MONDAY,
        now=NOW,
    )
    with pytest.raises(SlotUnavailable):
        book(
            BookingRequest(
                slot_token=slot.token,
                service=world.service,
                place=world.home(),
                customer=CustomerDetails(name="Jo Bloggs", phone="+447700900123"),
            )
        )
    db.session.rollback()


@pytest.mark.usefixtures("committed")
def test_new_skills_shift_and_area_changes_elsewhere_are_seen(app):
    world = World()
    db.session.commit()
    officer_id = world.officers[0].id
    assert search(world.service, world.home(), MONDAY, 1, now=NOW).slots
    _elsewhere("DELETE FROM officer_skill WHERE officer_id = :o", o=officer_id)
    assert search(world.service, world.home(), MONDAY, 1, now=NOW).slots == []
    _elsewhere(
        "INSERT INTO officer_skill (officer_id, skill_id) VALUES (:o, :s)", o=officer_id, s=world.skill.id
    )
    assert len(search(world.service, world.home(), MONDAY, 1, now=NOW).slots) == 4
    _elsewhere("UPDATE working_pattern SET ends = '13:00:00' WHERE officer_id = :o", o=officer_id)
    windows = [s.window for s in search(world.service, world.home(), MONDAY, 1, now=NOW).slots]
    assert len(windows) == 2 and max(w[1] for w in windows) <= 13 * 3600
    _elsewhere("UPDATE officer SET active = false WHERE id = :o", o=officer_id)
    assert search(world.service, world.home(), MONDAY, 1, now=NOW).slots == []


def test_the_cached_copy_is_reused_while_nothing_changes(app):
    World()
    first = roster()
    assert roster() is first
    db.session.execute(text("UPDATE officer SET first_name = 'Sam'"))
    assert roster() is not first and {o.first_name for o in roster().officers.values()} == {"Sam"}


def test_deleting_a_skill_changes_the_version_through_its_cascade(app):
    world = World()
    before = current_version()
    db.session.execute(text("DELETE FROM service WHERE skill_id = :s"), {"s": world.skill.id})
    db.session.execute(
        text("DELETE FROM skill WHERE id = :s"), {"s": world.skill.id}
    )  # cascades to officer_skill
    assert current_version() != before
    assert roster().officer(world.officers[0].id).skill_ids == frozenset()
