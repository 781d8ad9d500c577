"""Officers' private calendar feeds (RFC 5545): a secret URL per officer, revocable and regenerable.

The feed carries the visit, place, service and reference, and the resident's first name and initial
only: no surname, no notes, no risk detail.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from app.appointments.presenters import when, where
from app.appointments.references import format_reference
from app.config import settings
from app.extensions import db
from app.models import Appointment, Officer
from app.staff import audit
from app.timeutil import utcnow
from notifications.calendar import CalendarEvent, build_calendar

PAST, AHEAD = timedelta(days=7), timedelta(days=90)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(officer: Officer) -> str:
    """A new secret for the feed URL (any old URL stops working). Shown once."""
    token = secrets.token_urlsafe(24)
    officer.calendar_token_hash = _digest(token)
    audit.record("calendar_feed_issued", "officer", officer.id)
    return token


def revoke(officer: Officer) -> None:
    officer.calendar_token_hash = None
    audit.record("calendar_feed_revoked", "officer", officer.id)


def officer_for_token(token: str) -> Officer | None:
    """The feed's officer, while both the officer and their sign-in are active: a leaver's phone
    stops receiving addresses the moment either is switched off."""
    if not token:
        return None
    officer = db.session.scalar(select(Officer).where(Officer.calendar_token_hash == _digest(token)))
    if officer is None or not officer.active or officer.user is None or not officer.user.active:
        return None
    return officer


def short_name(name: str) -> str:
    parts = name.split()
    return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else (parts[0] if parts else "")


def feed(officer: Officer) -> bytes:
    """The feed's calendar; every fetch is audited (who: the officer's sign-in; from where; how many
    visits), as a staff read of residents' addresses is. The caller commits."""
    now = utcnow()
    visits = list(
        db.session.scalars(
            select(Appointment).where(
                (Appointment.officer_id == officer.id) | (Appointment.second_officer_id == officer.id),
                Appointment.window_start >= now - PAST,
                Appointment.window_start <= now + AHEAD,
            )
        )
    )
    audit.record("calendar_feed_fetched", "officer", officer.id, user=officer.user, visits=len(visits))
    events = [
        CalendarEvent(
            uid=f"{a.reference}-officer@doorstep",
            sequence=a.sequence,
            start=a.planned_arrival or a.window_start,
            end=(a.planned_arrival or a.window_start) + timedelta(minutes=a.duration_minutes),
            summary=f"{a.service.name}: {short_name(a.customer.name)}",
            location=where(a),
            description=f"Reference {format_reference(a.reference)}. Promised {when(a)}.",
            cancelled=a.status == "cancelled",
            stamp=a.updated_at,
        )
        for a in visits
    ]
    return build_calendar(events, name=f"{settings().service_name} visits: {officer.first_name}")
