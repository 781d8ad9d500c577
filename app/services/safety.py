"""Visit safety for officers who work alone: check-in, expected finish, and the escalation ladder.

Arriving opens a session that should end by the visit length plus GRACE. Past that, the officer gets a
text ("Reply OK if you are safe"); no OK within REPLY_MINUTES, or a help button or the duress word at
any time, alerts the on-duty supervisors by text and on their dashboard with the address, the officer's
phone and last known position. A visit not started by the end of its window plus GRACE also alerts.
The checks run in the scheduler; every step is an audit event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Appointment, AppointmentEvent, Message, Officer, SafetyAlert, SafetySession, User
from app.services import audit
from app.services.booking import BookingRuleError, record_outcome
from app.services.presenters import where
from app.timeutil import format_time, local_day_bounds, to_local, utcnow

GRACE = timedelta(minutes=15)
REPLY_MINUTES = timedelta(minutes=10)
DURESS_WORD = "RED"  # agreed in the lone working toolkit; a text with this word escalates at once
SAFE_WORD = "OK"


def officer_for(user: User) -> Officer | None:
    return db.session.scalar(select(Officer).where(Officer.user_id == user.id))


def open_session(appointment: Appointment, officer: Officer) -> SafetySession | None:
    return db.session.scalar(
        select(SafetySession).where(
            SafetySession.appointment_id == appointment.id,
            SafetySession.officer_id == officer.id,
            SafetySession.closed_at.is_(None),
        )
    )


def _event(appointment: Appointment, user: User, status: str, note: str) -> None:
    db.session.add(
        AppointmentEvent(appointment=appointment, status=status, actor=user, channel="officer", note=note)
    )


def on_my_way(appointment: Appointment, officer: Officer, user: User) -> None:
    _event(appointment, user, appointment.status, "Officer on the way")
    audit.record("officer_on_way", "appointment", appointment.reference, user=user)


def arrive(
    appointment: Appointment, officer: Officer, user: User, lat: float | None = None, lng: float | None = None
) -> SafetySession:
    if appointment.status not in ("booked", "checked_in"):
        raise BookingRuleError("appointment", "This visit is not open")
    session = open_session(appointment, officer)
    if session is None:
        now = utcnow()
        session = SafetySession(
            appointment=appointment,
            officer=officer,
            started_at=now,
            expected_end_at=now + timedelta(minutes=appointment.duration_minutes) + GRACE,
            last_lat=lat if lat is not None else appointment.lat,
            last_lng=lng if lng is not None else appointment.lng,
        )
        db.session.add(session)
    if appointment.status == "booked":
        record_outcome(appointment, "checked_in", actor=user, note="Officer arrived")
    audit.record("safety_session_started", "appointment", appointment.reference, user=user)
    return session


def _close(appointment: Appointment, officer: Officer, user: User) -> None:
    session = open_session(appointment, officer)
    if session is not None:
        session.closed_at = utcnow()
        audit.record("safety_session_closed", "appointment", appointment.reference, user=user)


def finish(appointment: Appointment, officer: Officer, user: User, outcome: str, reason: str = "") -> None:
    """completed | no_show | not_completed (the visit stays open for staff to rebook)."""
    _close(appointment, officer, user)
    if outcome == "not_completed":
        appointment.status = "booked"
        _event(appointment, user, "booked", f"Could not complete: {reason.strip() or 'no reason given'}")
        audit.record("visit_not_completed", "appointment", appointment.reference, user=user, reason=reason)
    else:
        record_outcome(appointment, outcome, actor=user, note=reason)


def _supervisors() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.role.in_(("supervisor", "admin")), User.active.is_(True), User.on_duty.is_(True)
            )
        )
    )


def raise_alert(
    kind: str,
    officer: Officer,
    appointment: Appointment | None,
    session: SafetySession | None,
    key: str,
    note: str = "",
) -> SafetyAlert | None:
    """Once per key: alert on the dashboard and text every on-duty supervisor."""
    alert = SafetyAlert(
        kind=kind, officer=officer, appointment=appointment, session=session, dedupe_key=key, note=note
    )
    try:
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:
        return None
    place = where(appointment) if appointment else "unknown"
    position = ""
    if session and session.last_lat is not None:
        position = f" Last position {session.last_lat:.5f},{session.last_lng:.5f}."
    text = (
        f"SAFETY ALERT ({kind.replace('_', ' ')}): {officer.name}, phone {officer.phone or 'not recorded'}. "
        f"Visit at {place}.{position} Check the Doorstep dashboard."
    )
    for supervisor in _supervisors():
        if supervisor.phone:
            db.session.add(
                Message(
                    kind="safety_alert",
                    channel="sms",
                    recipient=supervisor.phone,
                    body=text[:600],
                    dedupe_key=f"{key}:{supervisor.id}",
                )
            )
    audit.record(
        "safety_alert_raised",
        "officer",
        officer.id,
        kind=kind,
        appointment=appointment.reference if appointment else None,
    )
    if session is not None and session.escalated_at is None:
        session.escalated_at = utcnow()
    return alert


def help_now(
    appointment: Appointment | None, officer: Officer, user: User, lat=None, lng=None
) -> SafetyAlert | None:
    session = open_session(appointment, officer) if appointment else None
    if session is not None and lat is not None:
        session.last_lat, session.last_lng = lat, lng
    return raise_alert(
        "help",
        officer,
        appointment,
        session,
        f"help:{officer.id}:{utcnow():%Y%m%d%H%M%S}",
        note="Help button pressed",
    )


def officer_replied(officer: Officer, body: str) -> str | None:
    """A text from an officer: OK closes the check, the duress word escalates at once."""
    word = (body.strip().upper().split() or [""])[0].strip(".!")
    sessions = list(
        db.session.scalars(
            select(SafetySession).where(
                SafetySession.officer_id == officer.id, SafetySession.closed_at.is_(None)
            )
        )
    )
    if word == DURESS_WORD:
        session = sessions[-1] if sessions else None
        raise_alert(
            "duress",
            officer,
            session.appointment if session else None,
            session,
            f"duress:{officer.id}:{utcnow():%Y%m%d%H%M%S}",
            note="Duress word received",
        )
        return "duress"
    if word == SAFE_WORD:
        for session in sessions:
            if session.check_sent_at is not None:
                session.expected_end_at = utcnow() + GRACE  # safe: check again after another grace period
                session.check_sent_at = None
                audit.record("safety_ok_received", "officer", officer.id)
        return "safe"
    return None


def run_checks(now: datetime | None = None) -> dict:
    """The ladder, run by the scheduler every minute."""
    now = now or utcnow()
    checked = escalated = missed = 0
    for session in db.session.scalars(
        select(SafetySession).where(SafetySession.closed_at.is_(None), SafetySession.expected_end_at < now)
    ):
        officer = session.officer
        if session.check_sent_at is None:
            session.check_sent_at = now
            if officer.phone:
                db.session.add(
                    Message(
                        kind="safety_check",
                        channel="sms",
                        recipient=officer.phone,
                        body="Doorstep: your visit has run over. Reply OK if you are safe. "
                        f"Reply {DURESS_WORD} if you need help now.",
                        dedupe_key=f"safety-check:{session.id}:{session.expected_end_at:%Y%m%d%H%M}",
                    )
                )
            audit.record("safety_check_sent", "officer", officer.id, session=session.id)
            checked += 1
        elif now - session.check_sent_at >= REPLY_MINUTES:
            key = f"overdue:{session.id}:{session.check_sent_at:%Y%m%d%H%M}"
            alert = raise_alert(
                "overdue", officer, session.appointment, session, key, note="No reply to safety check"
            )
            escalated += alert is not None
    start, end = local_day_bounds(to_local(now).date())
    for appointment in db.session.scalars(
        select(Appointment).where(
            Appointment.status == "booked",
            Appointment.window_start >= start,
            Appointment.window_end < end,
            Appointment.window_end < now - GRACE,
        )
    ):
        if appointment.officer is None:
            continue
        if raise_alert(
            "no_checkin",
            appointment.officer,
            appointment,
            None,
            f"no-checkin:{appointment.id}",
            note=f"Not checked in by {format_time(appointment.window_end + GRACE)}",
        ):
            missed += 1
    db.session.commit()
    return {"checks_sent": checked, "escalated": escalated, "not_checked_in": missed}


def acknowledge(alert: SafetyAlert, user: User, note: str = "") -> None:
    alert.acknowledged_by, alert.acknowledged_at = user, utcnow()
    alert.note = (alert.note + "\n" + note).strip()
    audit.record("safety_alert_acknowledged", "safety_alert", alert.id, user=user)


def open_alerts() -> list[SafetyAlert]:
    return list(
        db.session.scalars(
            select(SafetyAlert)
            .where(SafetyAlert.acknowledged_at.is_(None))
            .order_by(SafetyAlert.created_at.desc())
        )
    )
