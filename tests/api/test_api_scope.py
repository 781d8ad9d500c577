"""Each API token does only what its user's role may do on the screens (#15.2).

An officer's token reads the officer's own visits and changes none; agents, supervisors and admins
book, move and cancel for any caller.
"""

from __future__ import annotations

import pytest
import time_machine

from app.extensions import db
from app.models import Appointment
from app.staff.tokens import create_token
from tests.booking_helpers import NOW, World
from tests.factories import AppointmentFactory, OfficerFactory, UserFactory


def _bearer(user) -> dict:
    secret = create_token(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def visit():
    world = World()
    appointment = AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=NOW.replace(day=7, hour=10)
    )
    db.session.commit()
    return appointment


@time_machine.travel(NOW, tick=False)
def test_an_officer_token_cannot_read_or_change_someone_elses_booking(client, visit):
    stranger = UserFactory(role="officer")
    OfficerFactory(user=stranger)  # an officer with no visits at all
    headers = _bearer(stranger)
    base = f"/api/v1/appointments/{visit.reference}"
    assert client.get(base, headers=headers).status_code == 404
    assert client.get(f"{base}/messages", headers=headers).status_code == 404
    assert client.get(f"{base}/calendar.ics", headers=headers).status_code == 404
    cancel = client.post(f"{base}/cancel", json={"reason": "gone"}, headers=headers)
    assert cancel.status_code == 403 and cancel.get_json()["error"] == "forbidden"
    move = client.post(f"{base}/reschedule", json={"slot_id": "x" * 20}, headers=headers)
    assert move.status_code == 403
    book = client.post("/api/v1/appointments", json={}, headers=headers)
    assert book.status_code == 403
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).status == "booked"


@time_machine.travel(NOW, tick=False)
def test_an_officer_token_reads_its_own_visits_only(client, visit):
    mine = UserFactory(role="officer")
    visit.officer.user = mine
    db.session.commit()
    headers = _bearer(mine)
    base = f"/api/v1/appointments/{visit.reference}"
    assert client.get(base, headers=headers).get_json()["reference"] == visit.reference
    assert client.get(f"{base}/calendar.ics", headers=headers).status_code == 200
    assert client.post(f"{base}/cancel", json={}, headers=headers).status_code == 403


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_booking_staff_act_on_any_booking(client, visit, role):
    headers = _bearer(UserFactory(role=role))
    base = f"/api/v1/appointments/{visit.reference}"
    assert client.get(base, headers=headers).status_code == 200
    assert client.post(f"{base}/cancel", json={"reason": "Caller rang"}, headers=headers).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_an_officer_token_is_not_given_the_residents_manage_link(client, visit):
    """Second attack (December 2026): the officer's token could not cancel through the API, but its
    answer carried the resident's manage link, and posting that page's cancel form cancelled the visit."""
    mine = UserFactory(role="officer")
    visit.officer.user = mine
    agent = UserFactory(role="agent")
    db.session.commit()
    base = f"/api/v1/appointments/{visit.reference}"
    seen = client.get(base, headers=_bearer(mine)).get_json()
    assert seen["reference"] == visit.reference and "ics_url" in seen
    assert "manage_url" not in seen
    assert "/manage/" not in str(seen)
    assert "manage_url" in client.get(base, headers=_bearer(agent)).get_json()  # agents change bookings
