"""Found by a fresh-eyes walk through the officer's day: an early check-in at a community hub set the
safety clock running before the resident was even due; "On my way" stayed on offer once tapped."""

from __future__ import annotations

import pytest
import time_machine

from app.extensions import db
from app.models import Message
from app.scheduler import JOBS, run_job
from tests.booking_helpers import at
from tests.pages import csrf_token
from tests.safety_helpers import OFFICER_PHONE, officer_with_a_visit

SAFETY_JOB = next(job for job in JOBS if job.id == "safety")


def _tap(client, appointment_id: int, action: str):
    page = client.get("/officer/").get_data(as_text=True)
    return client.post(f"/officer/visits/{appointment_id}/{action}", data={"csrf_token": csrf_token(page)})


def _safety_texts() -> int:
    db.session.remove()  # the job ran on its own session: read what it committed
    return db.session.query(Message).filter_by(kind="safety_check", recipient=OFFICER_PHONE).count()


@pytest.mark.parametrize(
    ("place", "expected_finish", "quiet_until", "asked_at"),
    [
        # At a hub the resident comes at 10am: the visit begins then, not at the 9:20 check-in.
        ("hub", "11am", (10, 59), (11, 1)),
        # At home the officer starts on arrival, whenever that is: the clock counts from the check-in.
        ("home", "10:20am", (10, 19), (10, 21)),
    ],
)
def test_an_early_check_in_counts_the_safety_clock_from_when_the_visit_begins(
    app, client, configure, place, expected_finish, quiet_until, asked_at
):
    configure(session_timeout_minutes=30 * 24 * 60)
    with time_machine.travel(at(8), tick=False):
        world, _user, _officer, visit = officer_with_a_visit(
            client, window_start=at(10), window_end=at(10) if place == "hub" else at(11), duration_minutes=45
        )
        if place == "hub":
            visit.location_type, visit.hub = "hub", world.hub
            db.session.commit()
    visit_id = visit.id
    with time_machine.travel(at(9, 20), tick=False):
        assert _tap(client, visit_id, "arrived").status_code == 302
        day = client.get("/officer/").get_data(as_text=True)
    assert f"{expected_finish}. After that we text you to ask if you are safe." in day
    with time_machine.travel(at(*quiet_until), tick=False):
        run_job(app, SAFETY_JOB)
    assert _safety_texts() == 0  # not asked "are you safe?" while the visit can still be going on
    with time_machine.travel(at(*asked_at), tick=False):
        run_job(app, SAFETY_JOB)
    assert _safety_texts() == 1  # asked once the visit's length and the grace period have passed


def test_on_my_way_is_not_offered_again_once_tapped(client, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    with time_machine.travel(at(8), tick=False):
        _world, _user, _officer, visit = officer_with_a_visit(client, window_start=at(10))
    visit_id = visit.id
    with time_machine.travel(at(9, 30), tick=False):
        before = client.get("/officer/").get_data(as_text=True)
        assert "On my way<span" in before and "Check in<span" in before
        assert _tap(client, visit_id, "on-my-way").status_code == 302
        after = " ".join(client.get("/officer/").get_data(as_text=True).split())
    assert "Marked on your way." in after and 'govuk-tag--grey"> On the way </strong>' in after
    assert f"/officer/visits/{visit_id}/on-my-way" not in after and "On my way<span" not in after
    assert "Check in<span" in after  # the next step is still there
