"""Statuses are enums, and the database holds every status column to its enum (migration 0017)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Appointment, Message
from app.models.statuses import ACTIVE, AppointmentStatus, MessageStatus
from tests.factories import AppointmentFactory

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_status_outside_its_enum_is_refused_by_the_database():
    appointment = AppointmentFactory(window_start=NOON)
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE appointment SET status = 'lost' WHERE id = :id"), {"id": appointment.id}
        )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Message(kind="reply", channel="sms", recipient="+447700900123", status="posted"))
        db.session.flush()


def test_every_member_of_an_enum_is_accepted():
    appointment = AppointmentFactory(window_start=NOON)
    for status in AppointmentStatus:
        appointment.status = status
        db.session.flush()
    message = Message(kind="reply", channel="sms", recipient="+447700900123")
    db.session.add(message)
    for status in MessageStatus:
        message.status = status
        db.session.flush()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.CANCELLED == "cancelled"


def test_one_set_of_active_statuses():
    assert set(ACTIVE) == {"booked", "checked_in"}
    assert AppointmentFactory(window_start=NOON, status="checked_in").is_active
