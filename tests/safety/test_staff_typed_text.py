"""Staff text that no form reads (the officer's "could not complete" reason and trusted phone's name,
a supervisor's alert note and close reason, the call list's outcome) meets the one rule for typed text
and a length limit: refused with a GOV.UK error at the field, the typed words kept; nothing stored and
never a 500. Found by the second attack: a 300 KB reason holding a right-to-left override and a bell."""

from __future__ import annotations

import re

import time_machine

from app.booking import call_list
from app.booking.errors import NOTE_LIMIT
from app.extensions import db
from app.models import Appointment, AuditEvent, CallListEntry, OfficerDevice, SafetyAlert, SafetySession
from app.safety.safety import run_checks
from tests.booking_helpers import NOW, World, at
from tests.factories import AppointmentFactory
from tests.pages import csrf_token, error_summary
from tests.safety_helpers import (
    checked_in_and_asked,
    officer_user,
    officer_with_a_visit,
    sign_in_as,
    supervisor_on_duty,
)

HIDDEN = "Nobody home \u202eevil\u202c\u0007"
TOO_LONG = "x" * (NOTE_LIMIT + 1)


def _is_error_page(response, message: str, field_id: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_summary(html) == [message]
    assert f'href="#{field_id}"' in html and f'id="{field_id}-error"' in html
    assert re.search(r"<title>\s*Error: ", html)
    return html


def test_an_officers_could_not_complete_reason_is_refused_with_a_hidden_character_or_too_long(
    client, configure
):
    configure(session_timeout_minutes=30 * 24 * 60)
    _world, _user, _officer, appointment = officer_with_a_visit(client, window_start=at(10))
    url = f"/officer/visits/{appointment.id}/not-completed"
    with time_machine.travel(at(10, 5), tick=False):
        page = client.get(f"/officer/visits/{appointment.id}").get_data(as_text=True)
        hidden = client.post(url, data={"csrf_token": csrf_token(page), "reason": HIDDEN})
        html = _is_error_page(hidden, "The reason must not include hidden characters", "reason")
        assert "Nobody home" in html  # what was typed is shown again
        long = client.post(url, data={"csrf_token": csrf_token(page), "reason": "x" * 300_000})
        _is_error_page(long, f"The reason must be {NOTE_LIMIT} characters or less", "reason")
        queued = client.post(  # a tap sent from the phone's queue hears why in JSON
            url,
            data={"csrf_token": csrf_token(page), "reason": HIDDEN},
            headers={"Accept": "application/json"},
        )
        assert queued.status_code == 422
        assert queued.json["errors"] == {"reason": ["The reason must not include hidden characters"]}
        assert db.session.query(AuditEvent).filter_by(action="visit_not_completed").count() == 0
        done = client.post(
            url, data={"csrf_token": csrf_token(page), "reason": "Nobody home.\r\nLeft a card"}
        )
    assert done.status_code == 302
    audit = db.session.query(AuditEvent).filter_by(action="visit_not_completed").one()
    assert audit.detail["reason"] == "Nobody home.\r\nLeft a card"
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_a_trusted_phones_name_is_refused_with_a_hidden_character_or_too_long(client):
    user, _officer = officer_user(World())
    sign_in_as(client, user)
    page = client.get("/officer/phone").get_data(as_text=True)
    hidden = client.post(
        "/officer/phone", data={"csrf_token": csrf_token(page), "name": "Phone\u202e\u200b\u0007"}
    )
    _is_error_page(hidden, "The phone's name must not include tabs, line breaks or hidden characters", "name")
    long = client.post("/officer/phone", data={"csrf_token": csrf_token(page), "name": "P" * 81})
    _is_error_page(long, "The phone's name must be 80 characters or less", "name")
    assert db.session.query(OfficerDevice).count() == 0
    trusted = client.post("/officer/phone", data={"csrf_token": csrf_token(page), "name": "Work phone 2"})
    assert trusted.status_code == 302 and db.session.query(OfficerDevice).one().name == "Work phone 2"


def _left_open_with_an_alert(client):
    """A visit never checked out of, escalated to the supervisors; the supervisor signed in."""
    supervisor = supervisor_on_duty()
    checked_in_and_asked(World())
    with time_machine.travel(at(11, 17), tick=False):
        assert run_checks()["escalated"] == 1
        db.session.commit()
    with time_machine.travel(at(11, 30), tick=False):  # past the visit's expected finish
        sign_in_as(client, supervisor)
    return db.session.query(SafetySession).one(), db.session.query(SafetyAlert).first()


def test_a_supervisors_alert_note_and_close_reason_are_refused_with_a_hidden_character_or_too_long(client):
    session, alert = _left_open_with_an_alert(client)
    with time_machine.travel(at(11, 30), tick=False):  # past the visit's expected finish
        page = client.get("/supervisor/alerts").get_data(as_text=True)
        note_url, close_url = (
            f"/supervisor/alerts/{alert.id}/acknowledge",
            f"/supervisor/sessions/{session.id}/close",
        )
        hidden = client.post(note_url, data={"csrf_token": csrf_token(page), "note": "Phoned\u2066 her"})
        message = "The note must not include tabs, line breaks or hidden characters"
        _is_error_page(hidden, message, f"note-{alert.id}")
        long = client.post(close_url, data={"csrf_token": csrf_token(page), "reason": TOO_LONG})
        html = _is_error_page(
            long, f"The reason must be {NOTE_LIMIT} characters or less", f"reason-{session.id}"
        )
        assert f'value="{TOO_LONG}"' in html  # kept, to shorten
        db.session.expire_all()
        assert alert.acknowledged_at is None and session.closed_at is None
        closed = client.post(close_url, data={"csrf_token": csrf_token(page), "reason": "x" * NOTE_LIMIT})
        assert closed.status_code == 302
        db.session.expire_all()
        assert session.closed_at is not None and alert.acknowledged_at is not None  # "Session closed: " + it


@time_machine.travel(NOW, tick=False)
def test_the_call_lists_outcome_is_refused_with_a_hidden_character_or_too_long(client, sign_in):
    sign_in("supervisor")
    world = World()
    appointment = AppointmentFactory(service=world.service, window_start=at(10))
    entry = call_list.add(appointment, "The nightly plan could not fit it", "nightly")
    db.session.commit()
    page = client.get("/supervisor/calls").get_data(as_text=True)
    url = f"/supervisor/calls/{entry.id}/done"
    hidden = client.post(url, data={"csrf_token": csrf_token(page), "outcome": "Moved\x07 to Tuesday"})
    message = "What was agreed must not include tabs, line breaks or hidden characters"
    _is_error_page(hidden, message, f"outcome-{entry.id}")
    long = client.post(url, data={"csrf_token": csrf_token(page), "outcome": TOO_LONG})
    _is_error_page(long, f"What was agreed must be {NOTE_LIMIT} characters or less", f"outcome-{entry.id}")
    assert db.session.get(CallListEntry, entry.id).open_for is not None
    done = client.post(url, data={"csrf_token": csrf_token(page), "outcome": "Moved to Tuesday"})
    assert done.status_code == 302 and db.session.get(CallListEntry, entry.id).outcome == "Moved to Tuesday"
