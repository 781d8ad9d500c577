"""When reminders are due: the day before, and on the morning of the visit (9am to 8pm UK time only)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.messaging.outbox import QUIET_END, QUIET_START, queue_for_resident
from app.models import Appointment
from app.timeutil import local_day_bounds, to_local, utcnow

MORNING_LEAD = timedelta(minutes=30)  # no "today" text for a visit starting in under half an hour


def _booked_between(start: datetime, end: datetime) -> list[Appointment]:
    return list(
        db.session.scalars(
            select(Appointment).where(
                Appointment.status == "booked",
                Appointment.window_start >= start,
                Appointment.window_start < end,
            )
        )
    )


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due now. Safe to run as often as you like: each is queued once."""
    now = now or utcnow()
    local = to_local(now)
    if not (QUIET_END <= local.time() < QUIET_START):
        return 0
    queued = 0
    tomorrow_start, tomorrow_end = local_day_bounds(local.date() + timedelta(days=1))
    for appointment in _booked_between(tomorrow_start, tomorrow_end):
        queued += len(
            queue_for_resident(
                appointment, "reminder_day_before", key_suffix=appointment.window_start.isoformat()
            )
        )
    _, today_end = local_day_bounds(local.date())
    for appointment in _booked_between(now + MORNING_LEAD, today_end):
        queued += len(
            queue_for_resident(
                appointment, "reminder_morning", key_suffix=appointment.window_start.isoformat()
            )
        )
    return queued
