"""The API's fast path (issue 16, item 5) keeps what clients and the council rely on: a revoked token
or a deactivated account is refused from the next request on, every answer carries the security
headers, and the 409 for a slot already taken says exactly what it always said."""

from __future__ import annotations

import time_machine
from sqlalchemy import event, select

from app.extensions import HotRead, db
from app.hot_writes import HotWrite
from app.models import Appointment, AppointmentEvent, AuditEvent
from app.staff.tokens import create_token, find_token, revoke
from tests.booking_helpers import NOW, World, api_booking, api_home_slot
from tests.factories import UserFactory

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


def _token(role: str = "admin"):
    user = UserFactory(role=role)
    secret = create_token(user, "fast path")
    db.session.commit()
    return user, secret


def _world_and_slot(client) -> tuple[World, str]:
    world = World()
    return world, api_home_slot(client, world)


@time_machine.travel(NOW, tick=False)
def test_a_revoked_token_is_refused_at_once(client):
    user, secret = _token()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/appointments/NOSUCHREF", headers=headers).status_code == 404  # let in
    revoke(find_token(secret[:12]), by=user)
    db.session.commit()
    refused = client.get("/api/v1/appointments/NOSUCHREF", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthorised"


@time_machine.travel(NOW, tick=False)
def test_a_deactivated_account_s_token_is_refused_at_once(client):
    user, secret = _token()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/appointments/NOSUCHREF", headers=headers).status_code == 404
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/appointments/NOSUCHREF", headers=headers).status_code == 401


@time_machine.travel(NOW, tick=False)
def test_a_token_whose_role_may_not_book_is_refused(client):
    _, secret = _token(role="officer")
    world, slot = _world_and_slot(client)
    response = client.post(
        "/api/v1/appointments", json=api_booking(world, slot), headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


@time_machine.travel(NOW, tick=False)
def test_the_slot_gone_answer_is_unchanged_and_every_answer_has_the_security_headers(client):
    user, secret = _token()
    headers = {"Authorization": f"Bearer {secret}"}
    world, slot = _world_and_slot(client)
    booked = client.post("/api/v1/appointments", json=api_booking(world, slot), headers=headers)
    assert booked.status_code == 201
    other = api_booking(world, slot, customer={"name": "Other Person", "phone": "07700900999"})
    gone = client.post("/api/v1/appointments", json=other, headers=headers)
    assert gone.status_code == 409
    assert gone.get_json() == {
        "error": "slot_unavailable",
        "message": "That time has just been taken. Ask for availability again.",
    }
    unauthorised = client.post("/api/v1/appointments", json=other)
    missing = client.get("/api/v1/no-such-thing", headers=headers)
    for response in (booked, gone, unauthorised, missing, client.get("/healthz")):
        for name in SECURITY_HEADERS:
            assert response.headers.get(name), (response.status_code, name)
        assert response.headers["Cache-Control"] == "no-store"
        assert len(response.headers.getlist("Content-Security-Policy")) == 1
        assert "Set-Cookie" not in response.headers  # the API never starts a session
    for response in (booked, gone, unauthorised, missing):  # JSON: nothing in it may load, run or be framed
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert "Cookie" not in response.headers.get("Vary", "")  # a bearer token decides, never a cookie


TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")  # the test harness's savepoints too


class _Statements:
    """SQL statements sent while counting: SQLAlchemy's, and on PostgreSQL those HotRead and HotWrite
    send to the driver directly (on SQLite they go through SQLAlchemy, so are counted there)."""

    def __init__(self, monkeypatch):
        self.count = 0
        self.on = False
        postgres = db.engine.dialect.name == "postgresql"
        for kind in (HotRead, HotWrite):
            monkeypatch.setattr(kind, "rows", self._counting(kind.rows, postgres))
        event.listen(db.engine, "before_cursor_execute", self._sent)

    def _counting(self, rows, postgres):
        def counted(hot, **params):
            self.count += self.on and postgres
            return rows(hot, **params)

        return counted

    def _sent(self, _conn, _cursor, statement, *_args):
        self.count += self.on and not statement.startswith(TRANSACTION_CONTROL)

    def close(self):
        event.remove(db.engine, "before_cursor_execute", self._sent)


@time_machine.travel(NOW, tick=False)
def test_a_booking_costs_the_same_few_statements(client, monkeypatch):
    """A regression guard on the busiest write (bench/README.md, section 3): a new resident's home visit
    booked through the API. Token and slot checks, the roster and catalogue version (the service comes
    from the cached catalogue), the address; the officer-day lock, then the day with the version again
    (one statement); the resident's record looked for with the risk register (one statement); the new
    customer's record, the booking, its status event, audit entry and claim: one statement on
    PostgreSQL (data-modifying CTEs), one INSERT each on SQLite. (It was 18, with a read to find a free
    reference; then 17, with the service read by a query, the token's user loaded for `booked_by` and
    the officer's first name read for the answer: the token's read gives the user's id and role, and the
    roster read after the lock has the name; then 11, with the version read after the lock on its own;
    then 10, with the new customer's INSERT on its own on PostgreSQL; then 9, with the record looked for
    and the risk register read apart.)"""
    world, slot = _world_and_slot(client)
    _, secret = _token()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/appointments/NOSUCHREF", headers=headers).status_code == 404  # last use noted
    body, officer = api_booking(world, slot), world.officers[0].first_name
    statements = _Statements(monkeypatch)
    try:
        statements.on = True
        response = client.post("/api/v1/appointments", json=body, headers=headers)
        statements.on = False
    finally:
        statements.close()
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["officer_first_name"] == officer
    assert statements.count == (8 if db.engine.dialect.name == "postgresql" else 12)


@time_machine.travel(NOW, tick=False)
def test_an_api_booking_records_the_token_s_user_without_loading_it(client, monkeypatch):
    """booked_by, the status event's actor and the audit entry's user are the token's user, by the id the
    bearer check read: the user's row is not loaded for them (nor for the answer's manage link)."""
    world, slot = _world_and_slot(client)
    user, secret = _token(role="agent")

    def not_loaded(_caller):
        raise AssertionError("the user was loaded")

    monkeypatch.setattr("app.web.access.user_of", not_loaded)
    response = client.post(
        "/api/v1/appointments", json=api_booking(world, slot), headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["manage_url"]  # an agent may change bookings: given the resident's link
    appointment = db.session.scalar(select(Appointment))
    event = db.session.scalar(
        select(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment.id)
    )
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "appointment_booked"))
    assert appointment.booked_by_id == event.actor_id == entry.user_id == user.id
    assert (entry.object_id, entry.ip, entry.detail) == (
        appointment.reference,
        "127.0.0.1",
        {"channel": "api"},
    )
