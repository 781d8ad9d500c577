"""When reminders are due: the day before, and on the morning of the visit (9am to 8pm UK time only).

The job runs every 15 minutes. Each run writes only the reminders newly due: one query finds the
visits whose reminder (of that kind, for the visit's current time) is already in the outbox, and those
are skipped before anything is rendered. The outbox's dedupe key still makes a retried or concurrent
run harmless (exactly once)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.messaging.outbox import QUIET_END, QUIET_START, queue_for_resident
from app.models import Appointment, Message
from app.timeutil import local_day_bounds, to_local, utcnow

MORNING_LEAD = timedelta(minutes=30)  # no "today" text for a visit starting in under half an hour


def _booked_between(start: datetime, end: datetime) -> list[Appointment]:
    return list(
        db.session.scalars(
            select(Appointment)
            .options(joinedload(Appointment.customer))  # the outbox reads each one's channel and consent
            .where(
                Appointment.status == "booked",
                Appointment.window_start >= start,
                Appointment.window_start < end,
            )
        )
    )


def _key_prefix(appointment: Appointment, kind: str) -> str:
    """How the outbox's dedupe keys of this reminder begin (app/messaging/outbox.py): one per
    appointment, kind and time, whatever the channel; a visit moved to a new time gets a new one."""
    return f"{appointment.id}:{kind}:{appointment.window_start.isoformat()}:"


def _not_yet_queued(appointments: list[Appointment], kind: str) -> list[Appointment]:
    """The appointments whose reminder of this kind, for their current time, is not in the outbox."""
    if not appointments:
        return []
    written: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(Message.appointment_id, Message.dedupe_key).where(
            Message.kind == kind, Message.appointment_id.in_([a.id for a in appointments])
        )
    )
    for appointment_id, key in rows:
        written[appointment_id].append(key or "")
    return [
        a
        for a in appointments
        if not any(key.startswith(_key_prefix(a, kind)) for key in written.get(a.id, ()))
    ]


def _queue(appointments: list[Appointment], kind: str) -> int:
    queued = 0
    for appointment in _not_yet_queued(appointments, kind):
        queued += len(queue_for_resident(appointment, kind, key_suffix=appointment.window_start.isoformat()))
    return queued


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due now. Safe to run as often as you like: each is queued once, and a run
    renders only those not queued before."""
    now = now or utcnow()
    local = to_local(now)
    if not (QUIET_END <= local.time() < QUIET_START):
        return 0
    tomorrow_start, tomorrow_end = local_day_bounds(local.date() + timedelta(days=1))
    queued = _queue(_booked_between(tomorrow_start, tomorrow_end), "reminder_day_before")
    _, today_end = local_day_bounds(local.date())
    queued += _queue(_booked_between(now + MORNING_LEAD, today_end), "reminder_morning")
    return queued
