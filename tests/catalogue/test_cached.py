"""The cached catalogue: a change to services or hubs, made by staff or by any other process or tool, is
seen by the next search and booking in every process (the database's version row tells them), and each
session gets model objects of its own, loaded without a query."""

from __future__ import annotations

from datetime import time
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import event, text

from app.catalogue import cached
from app.catalogue.queries import hub_by_code, service_by_code
from app.extensions import db
from app.models import Address, Hub, Service
from app.officers.roster import current_version
from app.staff.tokens import create_token
from tests.booking_helpers import MONDAY, NOW, World, api_booking
from tests.factories import UserFactory
from tests.pages import csrf_token

CATALOGUE_TABLES = ("skill", "service", "hub", "hub_opening", "hub_closure")  # community_area: the roster's


def _elsewhere(sql: str, **params) -> None:
    """A change committed on another connection, as a script, psql or another app server would make it.
    This session's transaction ends first, and the session is closed, as a request's is."""
    db.session.commit()
    db.session.remove()
    with db.engine.begin() as other:
        other.execute(text(sql), params)


class Codes:
    """What the API tests need of a committed World, kept as plain values: the session is closed
    between requests (so no object it held answers for the catalogue)."""

    def __init__(self, world: World) -> None:
        self.service = SimpleNamespace(code=world.service.code, id=world.service.id)
        self.hub = SimpleNamespace(code=world.hub.code, id=world.hub.id)
        self.skill_id = world.skill.id
        self.service_name = world.service.name


def _api_world() -> tuple[Codes, dict]:
    """A committed world with a gazetteer address and an API token."""
    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    secret = create_token(UserFactory(role="admin"), "catalogue")
    db.session.commit()
    return Codes(world), {"Authorization": f"Bearer {secret}"}


def _search(client, world: Codes, place: str = "home"):
    query = {"service": world.service.code, "location_type": place, "from": MONDAY.isoformat(), "days": "1"}
    query |= {"hub": world.hub.code} if place == "hub" else {"postcode": "SN10 1AA"}
    return client.get("/api/v1/availability", query_string=query)


def _hub_booking(world: Codes, slot_id: str) -> dict:
    body = api_booking(world, slot_id, location_type="hub", hub=world.hub.code)
    body.pop("address")
    body["customer"]["preferred_channel"] = "email"
    return body


def test_every_catalogue_table_has_the_trigger_that_changes_the_version(app):
    if db.engine.dialect.name == "postgresql":
        found = db.session.scalars(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE t.tgname = 'catalogue_changed' AND p.proname = 'roster_changed'"
            )
        )
        assert set(found) == set(CATALOGUE_TABLES)
    else:
        found = db.session.scalars(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'catalogue_changed_%'")
        )
        assert set(found) == {
            f"catalogue_changed_{table}_{event}"
            for table in CATALOGUE_TABLES
            for event in ("insert", "update", "delete")
        }


def test_a_change_to_any_catalogue_table_changes_the_version(app):
    world = World()
    changes = [
        "UPDATE skill SET name = 'Housing advice'",
        "UPDATE service SET duration_minutes = 60",
        "UPDATE hub SET name = 'Devizes Library'",
        "UPDATE hub_opening SET closes = '12:00:00'",
        "INSERT INTO hub_closure (hub_id, first_day, last_day, reason) VALUES (:h, :d, :d, 'Refurbishment')",
        "DELETE FROM hub_closure",
    ]
    for sql in changes:
        before = current_version()
        db.session.execute(text(sql), {"h": world.hub.id, "d": MONDAY})
        assert current_version() != before, sql


def test_the_cached_copy_is_reused_while_nothing_changes_and_reloaded_after_a_change(app):
    world = World()
    first = cached.catalogue()
    assert cached.catalogue() is first
    world.service.name = "Housing advice"  # flushed by the next look-up, as a query would flush it
    assert service_by_code(world.service.code).name == "Housing advice"
    assert cached.catalogue() is not first
    assert cached.catalogue().services[world.service.code]["name"] == "Housing advice"


def test_each_session_gets_its_own_objects_as_a_query_would_load_them(app):
    world = World()
    db.session.commit()
    service_code, hub_code, hub_id = world.service.code, world.hub.code, world.hub.id
    db.session.remove()
    cached.catalogue()  # loaded, and the version read
    statements = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        service, hub = service_by_code(service_code), hub_by_code(hub_code)
        assert [o.weekday for o in hub.opening_hours] == [0, 1, 2, 3, 4] and hub.closures == []
        assert hub.opening_hours[0].hub is hub and hub.hours_on(0).opens == time(9)
        assert service.places == ["home", "hub"] and service.duration_minutes == 45
        assert service_by_code(service_code) is service and db.session.get(Hub, hub_id) is hub
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []  # on SQLite the version read goes through SQLAlchemy: none was needed
    assert service in db.session and not db.session.dirty and not db.session.new
    first_session = db.session()
    db.session.remove()
    again = service_by_code(service_code)
    assert again is not service and db.session() is not first_session and again.name == service.name
    assert service_by_code("no-such-service") is None and hub_by_code("no-such-hub") is None


def test_a_service_the_session_holds_already_is_the_one_given(app):
    world = World()
    held = db.session.get(Service, world.service.id)
    held.name = "Renamed in this transaction"
    assert service_by_code(world.service.code) is held


@pytest.mark.usefixtures("committed")
@time_machine.travel(NOW, tick=False)
def test_a_service_changed_by_staff_is_seen_by_the_next_search_and_booking(client, sign_in, app):
    world, headers = _api_world()
    slot = _search(client, world).get_json()["slots"][0]["slot_id"]  # the catalogue is cached now
    sign_in("supervisor")
    page = client.get(f"/admin/services/{world.service.id}")
    form = {
        "name": world.service_name,
        "duration_minutes": "45",
        "skill_id": str(world.skill_id),
        "notice_hours": "24",
        "horizon_days": "60",
        "active": "y",
        "places": ["hub"],  # no longer at home
        "csrf_token": csrf_token(page.get_data(as_text=True)),
    }
    assert client.post(f"/admin/services/{world.service.id}", data=form).status_code == 302
    db.session.remove()  # the next requests start afresh, as in production (the tests share a session)
    searched = _search(client, world)
    assert searched.status_code == 422 and "location_type" in searched.get_json()["errors"]
    booked = client.post("/api/v1/appointments", json=api_booking(world, slot), headers=headers)
    assert booked.status_code == 422 and "location_type" in booked.get_json()["errors"]
    assert _search(client, world, "hub").status_code == 200


@pytest.mark.usefixtures("committed")
@time_machine.travel(NOW, tick=False)
def test_a_service_changed_by_a_script_is_seen_by_the_next_search_and_booking(client, app):
    world, headers = _api_world()
    slots = [s["slot_id"] for s in _search(client, world).get_json()["slots"]]
    _elsewhere("UPDATE service SET duration_minutes = 60 WHERE id = :s", s=world.service.id)
    booked = client.post("/api/v1/appointments", json=api_booking(world, slots[0]), headers=headers)
    assert booked.status_code == 201 and booked.get_json()["duration_minutes"] == 60
    _elsewhere("UPDATE service SET active = false WHERE id = :s", s=world.service.id)
    assert "service" in _search(client, world).get_json()["errors"]
    refused = client.post("/api/v1/appointments", json=api_booking(world, slots[-1]), headers=headers)
    assert refused.status_code == 422 and "service" in refused.get_json()["errors"]


@pytest.mark.usefixtures("committed")
@time_machine.travel(NOW, tick=False)
def test_hub_hours_name_and_closures_changed_by_a_script_are_seen_by_the_next_search_and_booking(client, app):
    world, headers = _api_world()
    slots = _search(client, world, "hub").get_json()["slots"]
    assert max(s["start"] for s in slots) > f"{MONDAY.isoformat()}T12:00"
    _elsewhere("UPDATE hub_opening SET closes = '12:00:00' WHERE hub_id = :h", h=world.hub.id)
    slots = _search(client, world, "hub").get_json()["slots"]
    assert slots and max(s["start"] for s in slots) < f"{MONDAY.isoformat()}T12:00"
    _elsewhere("UPDATE hub SET name = 'Devizes Library' WHERE id = :h", h=world.hub.id)
    booked = client.post(
        "/api/v1/appointments", json=_hub_booking(world, slots[0]["slot_id"]), headers=headers
    )
    assert booked.status_code == 201 and booked.get_json()["place"].startswith("Devizes Library,")
    _elsewhere(
        "INSERT INTO hub_closure (hub_id, first_day, last_day, reason) VALUES (:h, :d, :d, 'Flood')",
        h=world.hub.id,
        d=MONDAY,
    )
    assert _search(client, world, "hub").get_json()["slots"] == []
