"""Visit safety for officers who work alone: check-in, expected finish, and the escalation ladder.

The policy (one place for its minutes):
- Arriving opens a session that should end by the visit length plus GRACE, counted from when the visit
  begins (`visit_begins`: at a hub, not before the appointment's time); the officer can extend it.
- Past that, the officer is texted "Reply OK if you are safe" (a phone that went quiet is asked before
  anyone is alarmed). No OK, check-out or extension within REPLY_WITHIN: the on-duty supervisors are
  texted and alerted on their dashboard with the address, the officer's phone and last known position.
- A visit not started by the end of its arrival window plus GRACE: the same, text first, then alert.
- Once the ladder has alerted the supervisors, they own it: the officer is texted no more (a later visit
  they miss, or a session that runs over, goes straight to the supervisors) until something shows the
  officer active again: a check-in, a check-out, a reply, or a supervisor closing the session.
- The help button, a text saying HELP, or the duress word: alert at once.
The scheduler runs `run_checks` every minute; every step is an audit event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.appointments.presenters import place_name, where
from app.booking.changes import already_recorded, record_outcome, refuse_early_no_show
from app.booking.errors import BookingRuleError, checked_text
from app.booking.locks import lock_appointment
from app.extensions import db
from app.messaging import outbox
from app.models import (
    Appointment,
    AppointmentEvent,
    Officer,
    SafetyAlert,
    SafetyCheck,
    SafetySession,
    User,
)
from app.risk.risk import unresolved_for
from app.safety import rota
from app.staff import audit
from app.timeutil import format_time, local_day_bounds, to_local, utcnow

GRACE = timedelta(minutes=15)
REPLY_WITHIN = timedelta(minutes=10)
EARLIEST_CHECK_IN = timedelta(minutes=60)  # before the arrival window opens
CLOCK_SKEW = timedelta(minutes=2)  # a phone's clock may run a little fast
EXTENSIONS = (15, 30, 60)  # minutes an officer can add to a visit
DURESS_WORD = "RED"  # agreed in the lone working toolkit; a text with this word escalates at once
SAFE_WORD = "OK"
HELP_WORD = "HELP"
OPEN = ("booked", "checked_in")  # a visit an officer can still arrive at or finish


def officer_for(user: User) -> Officer | None:
    """The signed-in user's officer record, while it is switched on: a switched-off officer (a leaver)
    reaches none of the officer pages, whatever their session."""
    return db.session.scalar(select(Officer).where(Officer.user_id == user.id, Officer.active.is_(True)))


def open_session(appointment: Appointment, officer: Officer) -> SafetySession | None:
    return db.session.scalar(
        select(SafetySession).where(
            SafetySession.appointment_id == appointment.id,
            SafetySession.officer_id == officer.id,
            SafetySession.closed_at.is_(None),
        )
    )


def tapped_at(claimed: str | None, appointment: Appointment) -> datetime:
    """When the officer really tapped: a queued tap from a phone with no signal carries its own time.
    Accepted if it is not in the future and not before the visit's day; else the tap is refused."""
    now = utcnow()
    if not claimed:
        return now
    try:
        moment = datetime.fromisoformat(claimed.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BookingRuleError("client_time", "The time of the tap is not a real time") from None
    if moment.tzinfo is None:
        raise BookingRuleError("client_time", "The time of the tap must include its time zone")
    if moment > now + CLOCK_SKEW:
        raise BookingRuleError("client_time", "The time of the tap is in the future")
    day_start, _ = local_day_bounds(to_local(appointment.window_start).date())
    if moment < day_start and now - moment > CLOCK_SKEW:  # a queued tap from an earlier day
        raise BookingRuleError("client_time", "The time of the tap is before the day of the visit")
    # A tap made just now, before the visit's day, gets the action's own answer (as without JavaScript),
    # e.g. "You can check in to this visit from 8:30am on Wednesday 2 December".
    return min(moment, now)


def _event(appointment: Appointment, user: User, status: str, note: str) -> None:
    db.session.add(
        AppointmentEvent(appointment=appointment, status=status, actor=user, channel="officer", note=note)
    )


ON_THE_WAY = "Officer on the way"


def on_my_way(appointment: Appointment, officer: Officer, user: User) -> None:
    """ "On my way": on the visit's day only (as for "Check in"), to a visit still booked."""
    if appointment.status != "booked":
        raise BookingRuleError("appointment", already_recorded(appointment))
    visit_day = to_local(appointment.window_start).date()
    today = to_local(utcnow()).date()
    if today < visit_day:
        raise BookingRuleError(
            "appointment", f"You can say you are on your way on the day of the visit, {visit_day:%A %-d %B}"
        )
    if today > visit_day:
        raise BookingRuleError("appointment", "This visit was on an earlier day")
    _event(appointment, user, appointment.status, ON_THE_WAY)
    audit.record("officer_on_way", "appointment", appointment.reference, user=user)


def check_in_opens(appointment: Appointment) -> datetime:
    return appointment.window_start - EARLIEST_CHECK_IN


def visit_begins(appointment: Appointment, checked_in_at: datetime) -> datetime:
    """When the visit's safety clock starts (its expected finish counts from here). At a community hub
    the resident comes at a set time: an officer checking in early waits for them, so the visit begins
    at the appointment's time, not at the check-in. At a home or business the officer starts on
    arrival, whenever in the window that is."""
    if appointment.location_type == "hub":
        return max(checked_in_at, appointment.window_start)
    return checked_in_at


def arrive(
    appointment: Appointment,
    officer: Officer,
    user: User,
    lat: float | None = None,
    lng: float | None = None,
    at: datetime | None = None,
) -> SafetySession:
    """Check in: on the visit's day, from EARLIEST_CHECK_IN before its window (never refused for being
    late: an officer who is there must be able to say so)."""
    lock_appointment(appointment)  # a second tap, or a cancel, waits; then this reads what won
    if appointment.status not in OPEN:
        raise BookingRuleError("appointment", already_recorded(appointment))
    received = utcnow()
    at = at or received
    if at < check_in_opens(appointment):
        visit_day = to_local(appointment.window_start).date()
        # On the visit's own day the officer reads "from 8am today", not today's date spelled out.
        day = "today" if visit_day == to_local(at).date() else f"on {visit_day:%A %-d %B}"
        raise BookingRuleError(
            "appointment",
            f"You can check in to this visit from {format_time(check_in_opens(appointment))} {day}",
        )
    _, day_end = local_day_bounds(to_local(appointment.window_start).date())
    if at >= day_end:
        raise BookingRuleError("appointment", "This visit was on an earlier day")
    session = open_session(appointment, officer)
    if session is None:
        session = SafetySession(
            appointment=appointment,
            officer=officer,
            started_at=at,
            started_received_at=received,
            expected_end_at=visit_begins(appointment, at)
            + timedelta(minutes=appointment.duration_minutes)
            + GRACE,
            last_lat=lat if lat is not None else appointment.lat,
            last_lng=lng if lng is not None else appointment.lng,
        )
        db.session.add(session)
    if appointment.status == "booked":
        record_outcome(appointment, "checked_in", actor=user, note=f"Officer checked in at {format_time(at)}")
    _answer_checks(officer, appointment, received)
    unmet = unresolved_for(appointment)
    if unmet:  # never refused (a session protects them), but a supervisor must know at once
        raise_alert(
            "precaution",
            officer,
            appointment,
            session,
            f"precaution:{appointment.id}:{officer.id}",
            note=f"Checked in although: {unmet[0].problem.lower()}",
        )
    audit.record(
        "safety_session_started",
        "appointment",
        appointment.reference,
        user=user,
        tapped_at=at.isoformat(),
        received_at=received.isoformat(),
    )
    return session


def finish(
    appointment: Appointment,
    officer: Officer,
    user: User,
    outcome: str,
    reason: str = "",
    at: datetime | None = None,
) -> str:
    """completed | no_show | not_completed (the visit stays open for staff to rebook). Returns what the
    officer is told. The officer is checked out even if the visit was cancelled (or finished by a
    colleague) meanwhile: they are safe either way, and then the booking is left as it is."""
    reason = checked_text("reason", reason, "The reason", multiline=True)
    lock_appointment(appointment)  # serialised with a cancel or a second tap; read what won
    received = utcnow()
    at = at or received
    if outcome == "no_show" and appointment.status in OPEN:
        refuse_early_no_show(appointment, at)  # before anything changes: still checked in, as they are
    session = open_session(appointment, officer)
    if session is not None:
        session.closed_at, session.closed_received_at = max(at, session.started_at), received
        audit.record(
            "safety_session_closed",
            "appointment",
            appointment.reference,
            user=user,
            tapped_at=at.isoformat(),
            received_at=received.isoformat(),
        )
    _answer_checks(officer, appointment, received)
    if appointment.status not in OPEN:
        return f"Checked out. {already_recorded(appointment)}, so nothing else changed."
    if outcome == "not_completed":
        appointment.status = "booked"
        _event(appointment, user, "booked", f"Could not complete: {reason.strip() or 'no reason given'}")
        audit.record("visit_not_completed", "appointment", appointment.reference, user=user, reason=reason)
        if session is None:  # never checked in: nothing to check out of
            return "Saved. The visit stays open for staff to rebook."
    else:
        record_outcome(appointment, outcome, actor=user, note=reason, at=at)
    return "Checked out."


def extend(appointment: Appointment, officer: Officer, user: User, minutes: int) -> SafetySession:
    """The visit will take longer: move the expected finish on, which also answers a pending check."""
    if minutes not in EXTENSIONS:
        raise BookingRuleError("minutes", "Choose how much longer the visit will take")
    session = open_session(appointment, officer)
    if session is None:
        raise BookingRuleError("appointment", "Check in before extending the visit")
    now = utcnow()
    session.expected_end_at = max(session.expected_end_at, now) + timedelta(minutes=minutes)
    _answer_checks(officer, appointment, now)
    audit.record("safety_session_extended", "appointment", appointment.reference, user=user, minutes=minutes)
    return session


def _answer_checks(officer: Officer, appointment: Appointment | None, now: datetime) -> int:
    query = select(SafetyCheck).where(SafetyCheck.officer_id == officer.id, SafetyCheck.answered_at.is_(None))
    if appointment is not None:
        query = query.where(SafetyCheck.appointment_id == appointment.id)
    checks = list(db.session.scalars(query))
    for check in checks:
        check.answered_at = now
    return len(checks)


def raise_alert(
    kind: str,
    officer: Officer,
    appointment: Appointment | None,
    session: SafetySession | None,
    key: str,
    note: str = "",
) -> SafetyAlert | None:
    """Once per key: alert on the dashboard and text whoever is on duty (or the fallback number)."""
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
    recipients = rota.escalation_numbers()
    for user, phone in recipients:
        outbox.queue_sms("safety_alert", phone, text[:600], f"{key}:{user.id if user else 'fallback'}")
    audit.record(
        "safety_alert_raised",
        "officer",
        officer.id,
        kind=kind,
        appointment=appointment.reference if appointment else None,
        texted=len(recipients),
    )
    if session is not None and session.escalated_at is None:
        session.escalated_at = utcnow()
    return alert


def help_now(
    appointment: Appointment | None, officer: Officer, user: User | None, lat=None, lng=None, via: str = "web"
) -> SafetyAlert | None:
    session = open_session(appointment, officer) if appointment else None
    if session is None:
        session = _latest_open_session(officer)
        appointment = appointment or (session.appointment if session else None) or _heading_to(officer)
    if session is not None and lat is not None:
        session.last_lat, session.last_lng = lat, lng
    return raise_alert(
        "help",
        officer,
        appointment,
        session,
        f"help:{officer.id}:{utcnow():%Y%m%d%H%M%S}",
        note=f"Help requested {_HOW_ASKED.get(via, f'({via})')}",
    )


# How help was asked for, as a supervisor reads it on the alert (the callers' short codes).
_HOW_ASKED = {
    "web, session": "on the officer's day page",
    "web, device": "on the officer's trusted work phone",
    "text": "by text message",
}


def _heading_to(officer: Officer) -> Appointment | None:
    """The visit the officer last said today they were on their way to, if not yet checked in: where
    the supervisor should look when help is asked for on the way (else "Visit address: Unknown")."""
    start, end = local_day_bounds(to_local(utcnow()).date())
    return db.session.scalar(
        select(Appointment)
        .join(AppointmentEvent, AppointmentEvent.appointment_id == Appointment.id)
        .where(
            AppointmentEvent.note == ON_THE_WAY,
            AppointmentEvent.actor_id == officer.user_id,  # their own tap, not a colleague's before a re-plan
            AppointmentEvent.at >= start,
            AppointmentEvent.at < end,
            Appointment.status == "booked",
            or_(Appointment.officer_id == officer.id, Appointment.second_officer_id == officer.id),
        )
        .order_by(AppointmentEvent.at.desc(), AppointmentEvent.id.desc())
        .limit(1)
    )


def _latest_open_session(officer: Officer) -> SafetySession | None:
    return db.session.scalar(
        select(SafetySession)
        .where(SafetySession.officer_id == officer.id, SafetySession.closed_at.is_(None))
        .order_by(SafetySession.started_at.desc(), SafetySession.id.desc())
        .limit(1)
    )


def officer_replied(officer: Officer, body: str) -> str | None:
    """A text from an officer's registered work phone: OK answers the checks, HELP or the duress word
    escalates at once. Returns what it did, or None for any other text."""
    word = (body.strip().upper().split() or [""])[0].strip(".!")
    stamp = f"{officer.id}:{utcnow():%Y%m%d%H%M%S}"
    if word == DURESS_WORD:
        session = _latest_open_session(officer)
        raise_alert(
            "duress",
            officer,
            session.appointment if session else None,
            session,
            f"duress:{stamp}",
            note="Duress word received",
        )
        return "duress"  # never answered: someone may be looking at the phone
    if word == HELP_WORD:
        help_now(None, officer, None, via="text")
        return "help"
    if word == SAFE_WORD:
        now = utcnow()
        for check in db.session.scalars(
            select(SafetyCheck).where(SafetyCheck.officer_id == officer.id, SafetyCheck.answered_at.is_(None))
        ):
            check.answered_at = now
            if check.session is not None and check.session.closed_at is None and check.escalated_at is None:
                check.session.expected_end_at = now + GRACE  # safe: ask again after another grace period
            # A late OK (supervisors already alerted) asks nothing more: the session waits for the officer
            # to check out or a supervisor to close it (close_session), never texting all night.
        audit.record("safety_ok_received", "officer", officer.id)
        return "safe"
    return None


def _ask(officer: Officer, reason: str, key: str, body: str, now: datetime, **links) -> SafetyCheck | None:
    check = SafetyCheck(officer=officer, reason=reason, dedupe_key=key, sent_at=now, **links)
    try:
        with db.session.begin_nested():
            db.session.add(check)
    except IntegrityError:
        return None
    if officer.phone:
        outbox.queue_sms("safety_check", officer.phone, body, key)
    audit.record("safety_check_sent", "officer", officer.id, reason=reason)
    return check


def _check(key: str) -> SafetyCheck | None:
    return db.session.scalar(select(SafetyCheck).where(SafetyCheck.dedupe_key == key))


def left_to_supervisor(officer: Officer) -> bool:
    """The officer's last safety check was escalated with no answer, and nothing since shows them
    active (a session started or closed after it, by them or by a supervisor): a supervisor owns it."""
    last = db.session.scalar(
        select(SafetyCheck)
        .where(SafetyCheck.officer_id == officer.id)
        .order_by(SafetyCheck.sent_at.desc(), SafetyCheck.id.desc())
        .limit(1)
    )
    if last is None or last.escalated_at is None or last.answered_at is not None:
        return False
    since = last.escalated_at
    active = select(SafetySession.id).where(
        SafetySession.officer_id == officer.id,
        or_(SafetySession.started_received_at > since, SafetySession.closed_received_at > since),
    )
    return db.session.scalar(active.limit(1)) is None


def _pass_on(officer: Officer, reason: str, key: str, now: datetime, **links) -> SafetyCheck | None:
    """The step of the ladder that would text an officer the supervisors already own: recorded (so the
    ladder knows it was handled) and escalated at once, never texted."""
    check = SafetyCheck(
        officer=officer, reason=reason, dedupe_key=key, sent_at=now, escalated_at=now, **links
    )
    try:
        with db.session.begin_nested():
            db.session.add(check)
    except IntegrityError:
        return None
    audit.record("safety_check_passed_to_supervisor", "officer", officer.id, reason=reason)
    return check


def run_checks(now: datetime | None = None) -> dict:
    """The ladder, run by the scheduler every minute."""
    now = now or utcnow()
    asked = escalated = missed = 0
    reply = f"Reply {SAFE_WORD} if you are safe. Reply {DURESS_WORD} if you need help now."
    for session in db.session.scalars(
        select(SafetySession).where(SafetySession.closed_at.is_(None), SafetySession.expected_end_at < now)
    ):
        key = f"overrun:{session.id}:{session.expected_end_at:%Y%m%d%H%M}"
        check = _check(key)
        if check is None and left_to_supervisor(session.officer):
            passed = _pass_on(
                session.officer, "overrun", key, now, session=session, appointment=session.appointment
            )
            if passed is not None:
                escalated += (
                    raise_alert(
                        "overdue",
                        session.officer,
                        session.appointment,
                        session,
                        f"overdue:{passed.id}",
                        note="Running over; not texted: no answer to an earlier safety check",
                    )
                    is not None
                )
        elif check is None:
            body = f"Doorstep: your visit has run over. {reply}"
            asked += (
                _ask(
                    session.officer,
                    "overrun",
                    key,
                    body,
                    now,
                    session=session,
                    appointment=session.appointment,
                )
                is not None
            )
        elif check.answered_at is None and check.escalated_at is None and now - check.sent_at >= REPLY_WITHIN:
            check.escalated_at = now
            escalated += (
                raise_alert(
                    "overdue",
                    session.officer,
                    session.appointment,
                    session,
                    f"overdue:{check.id}",
                    note=f"No reply to the safety check sent at {format_time(check.sent_at)}",
                )
                is not None
            )
    start, end = local_day_bounds(to_local(now).date())
    for appointment in db.session.scalars(
        select(Appointment).where(
            Appointment.status == "booked",
            Appointment.officer_id.is_not(None),
            Appointment.window_end >= start,
            Appointment.window_end < min(end, now - GRACE),
        )
    ):
        key = f"not-arrived:{appointment.id}"
        check = _check(key)
        if check is None and left_to_supervisor(appointment.officer):
            if _pass_on(
                appointment.officer, "not_arrived", key, now, appointment=appointment
            ) and raise_alert(
                "no_checkin",
                appointment.officer,
                appointment,
                None,
                f"no-checkin:{appointment.id}",
                note=(
                    f"Not checked in by {format_time(appointment.window_end + GRACE)}; not texted: "
                    "no answer to an earlier safety check"
                ),
            ):
                missed += 1
        elif check is None:
            body = (
                f"Doorstep: you have not checked in at {place_name(appointment)} "
                f"(arrival by {format_time(appointment.window_end)}). {reply}"
            )
            asked += (
                _ask(appointment.officer, "not_arrived", key, body, now, appointment=appointment) is not None
            )
        elif check.answered_at is None and check.escalated_at is None and now - check.sent_at >= REPLY_WITHIN:
            check.escalated_at = now
            if raise_alert(
                "no_checkin",
                appointment.officer,
                appointment,
                None,
                f"no-checkin:{appointment.id}",
                note=f"Not checked in by {format_time(appointment.window_end + GRACE)} and no reply",
            ):
                missed += 1
    return {"checks_sent": asked, "escalated": escalated, "not_checked_in": missed}


def next_due(now: datetime) -> datetime | None:
    """The earliest moment `run_checks` could have something to do (now, if it has already): a session
    running over, a visit not started by its window's end plus GRACE, or a check's reply time running out.
    None when nothing open can ever need it. Lets a virtual clock jump between the moments that matter."""
    times: list[datetime] = []

    def waiting(check: SafetyCheck | None, due: datetime) -> None:
        if check is None:
            times.append(due)  # not asked yet: the next run asks
        elif check.answered_at is None and check.escalated_at is None:
            times.append(check.sent_at + REPLY_WITHIN)

    for session in db.session.scalars(select(SafetySession).where(SafetySession.closed_at.is_(None))):
        if session.expected_end_at >= now:
            times.append(session.expected_end_at)
        else:
            waiting(_check(f"overrun:{session.id}:{session.expected_end_at:%Y%m%d%H%M}"), now)
    start, end = local_day_bounds(to_local(now).date())
    not_arrived = (SafetyCheck.appointment_id == Appointment.id) & (SafetyCheck.reason == "not_arrived")
    for window_end, check in db.session.execute(
        select(Appointment.window_end, SafetyCheck)
        .outerjoin(SafetyCheck, not_arrived)
        .where(
            Appointment.status == "booked",
            Appointment.officer_id.is_not(None),
            Appointment.window_end >= start,
            Appointment.window_end < end,
        )
    ):
        if window_end + GRACE >= now:
            times.append(window_end + GRACE)
        else:
            waiting(check, now)
    return min(times, default=None)


def acknowledge(alert: SafetyAlert, user: User, note: str) -> None:
    """A supervisor acknowledges an alert, saying what they did: the council wants the action recorded
    for every lone-working alert (a Help press, a missed check-in or an overdue visit)."""
    note = checked_text("note", note, "The note")
    if not note:
        raise BookingRuleError("note", "Enter what you did, for example who you phoned and what they said")
    _acknowledge(alert, user, note)


def _acknowledge(alert: SafetyAlert, user: User, note: str) -> None:
    if alert.acknowledged_at is not None:  # sent twice (a double click): acknowledged once
        return
    alert.acknowledged_by, alert.acknowledged_at = user, utcnow()
    alert.note = (alert.note + "\n" + note).strip()
    audit.record("safety_alert_acknowledged", "safety_alert", alert.id, user=user)


def close_session(session: SafetySession, user: User, reason: str) -> None:
    """A supervisor closes a session the officer never checked out of (they have spoken to them), with
    the reason; its open alerts are acknowledged with it. The visit's outcome is left as it is."""
    reason = checked_text("reason", reason, "The reason")
    if not reason:
        raise BookingRuleError("reason", "Enter why you are closing this safety session")
    if session.closed_at is not None:
        raise BookingRuleError("reason", "This safety session is already closed")
    now = utcnow()
    session.closed_at = session.closed_received_at = now
    for alert in db.session.scalars(
        select(SafetyAlert).where(SafetyAlert.session_id == session.id, SafetyAlert.acknowledged_at.is_(None))
    ):
        _acknowledge(alert, user, f"Session closed: {reason}")
    audit.record("safety_session_closed", "safety_session", session.id, user=user, reason=reason)


def sessions_left_open(now: datetime | None = None) -> list[SafetySession]:
    """Sessions the supervisors were alerted about that are still open past their expected finish (the
    visit's length plus GRACE, or an extension: the moment the overdue ladder starts): only a check-out
    or a supervisor (close_session) ends them. A visit still within its time is not offered for closing,
    even after a Help alert on it was acknowledged: closing it would stop its safety texts mid-visit."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(SafetySession)
            .where(
                SafetySession.closed_at.is_(None),
                SafetySession.escalated_at.is_not(None),
                SafetySession.expected_end_at < now,
            )
            .order_by(SafetySession.started_at)
        )
    )


def open_alerts() -> list[SafetyAlert]:
    return list(
        db.session.scalars(
            select(SafetyAlert)
            .where(SafetyAlert.acknowledged_at.is_(None))
            .order_by(SafetyAlert.created_at.desc())
        )
    )


def current_visit(officer: Officer) -> Appointment | None:
    session = _latest_open_session(officer)
    return session.appointment if session else None
