"""The counters, measured from the database and from what the log sender received (never assumed from
what the simulation meant to do), so that a bug in the product makes one of them non-zero."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from app.extensions import db
from app.messaging.senders import SendLog
from app.models import (
    Appointment,
    CallListEntry,
    Message,
    RoutePlan,
    RouteStop,
    SafetyAlert,
    SafetyCheck,
    SafetySession,
)
from app.safety.safety import GRACE, REPLY_WITHIN
from app.scheduler import due_between
from app.simulation.record import Record
from app.timeutil import local_day_bounds, to_local
from app.unit_of_work import finish_reads

# The ladder runs every minute and dispatch every ten seconds: what is due happens within this.
TOLERANCE = timedelta(minutes=2)
PAIR_APART = timedelta(minutes=5)  # two officers arriving further apart than this did not arrive together
STUCK_OPEN = timedelta(hours=12)  # a session open this long that nobody was alerted to is stuck
DONE = ("sent", "delivered")
KEYS = (
    "visits_booked",
    "visits_completed",
    "promises_broken",
    "pairs_split",
    "officer_days_failing_check",
    "officer_days_without_slots_due_to_plan",
    "overdue_sessions",
    "escalations_late",
    "help_presses_unanswered",
    "messages_sent_twice",
    "messages_lost",
    "travel_km_as_booked",
    "travel_km_planned",
    "days_to_first_slot_p50",
    "days_to_first_slot_p95",
)


def watch_ladder(record: Record, now: datetime) -> None:
    """Each minute: a session past its expected end, or a visit not started by the end of its window
    plus the grace period, that has had no safety text by now (the ladder should be chasing it); or a
    session still open half a day on with no alert (the officer could not close it)."""
    late = now - TOLERANCE
    for session in db.session.scalars(
        select(SafetySession).where(SafetySession.closed_at.is_(None), SafetySession.expected_end_at < late)
    ):
        asked = select(SafetyCheck.id).where(
            SafetyCheck.session_id == session.id, SafetyCheck.sent_at >= session.expected_end_at
        )
        if db.session.scalar(asked.limit(1)) is None:
            record.overdue.add(f"session {session.id}")
    stuck = select(SafetySession.id).where(
        SafetySession.closed_at.is_(None),
        SafetySession.escalated_at.is_(None),
        SafetySession.started_at < now - STUCK_OPEN,
    )
    record.overdue |= {f"session {i}" for i in db.session.scalars(stuck)}  # cannot be closed, never alerted
    start, _end = local_day_bounds(to_local(now).date())
    for appointment_id in db.session.scalars(
        select(Appointment.id).where(
            Appointment.status == "booked",
            Appointment.officer_id.is_not(None),
            Appointment.window_end >= start,
            Appointment.window_end < late - GRACE,
        )
    ):
        asked = select(SafetyCheck.id).where(SafetyCheck.appointment_id == appointment_id)
        if appointment_id in record.booked and db.session.scalar(asked.limit(1)) is None:
            record.overdue.add(f"visit {appointment_id}")
    finish_reads()


def next_watch(now: datetime) -> datetime | None:
    """The next moment `watch_ladder` could count something it could not count now: an open session
    passes its expected end (plus TOLERANCE) or half a day open, or a visit its window's end plus GRACE
    (plus TOLERANCE)."""
    times = []
    for expected_end, started in db.session.execute(
        select(SafetySession.expected_end_at, SafetySession.started_at).where(
            SafetySession.closed_at.is_(None)
        )
    ):
        times += [expected_end + TOLERANCE, started + STUCK_OPEN]
    start, end = local_day_bounds(to_local(now).date())  # later days' come after midnight, a step anyway
    for (window_end,) in db.session.execute(
        select(Appointment.window_end).where(
            Appointment.status == "booked",
            Appointment.officer_id.is_not(None),
            Appointment.window_end >= start,
            Appointment.window_end < end,
        )
    ):
        times.append(window_end + GRACE + TOLERANCE)
    finish_reads()
    return min((t for t in times if t >= now), default=None)


def measure(record: Record, log: SendLog, started: datetime, ended: datetime) -> dict:
    appointments = list(
        db.session.scalars(
            select(Appointment).where(Appointment.id.in_(record.booked)).order_by(Appointment.id)
        )
    )
    sessions: dict[int, list[SafetySession]] = defaultdict(list)
    for session in db.session.scalars(
        select(SafetySession)
        .where(SafetySession.appointment_id.in_(record.booked))
        .order_by(SafetySession.id)
    ):
        sessions[session.appointment_id].append(session)
    twice, lost = messages(record, log, started, ended)
    waits = sorted(record.days_to_first_slot)
    return {
        "visits_booked": len(appointments),
        "visits_completed": sum(a.status == "completed" for a in appointments),
        "promises_broken": sum(promise_broken(a, sessions[a.id], record, log, ended) for a in appointments),
        "pairs_split": sum(pair_split(a, sessions[a.id], ended) for a in appointments),
        "officer_days_failing_check": len(record.failing_check),
        "officer_days_without_slots_due_to_plan": len(record.without_slots),
        "overdue_sessions": len(record.overdue),
        "escalations_late": escalations_late(started, ended),
        "help_presses_unanswered": sum(not help_answered(o, at) for o, at in record.help_presses),
        "messages_sent_twice": twice,
        "messages_lost": lost,
        "travel_km_as_booked": round(record.metres_as_booked / 1000, 1),
        "travel_km_planned": round(record.metres_planned / 1000, 1),
        "days_to_first_slot_p50": percentile(waits, 50),
        "days_to_first_slot_p95": percentile(waits, 95),
    }


def percentile(values: list[int], p: int) -> int | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    return values[max(math.ceil(p / 100 * len(values)) - 1, 0)] if values else None


# Promises ------------------------------------------------------------------------------------


def promise_broken(
    appointment: Appointment, sessions: list[SafetySession], record: Record, log: SendLog, ended: datetime
) -> bool:
    """Served outside the window the resident was given, by an officer they were not told about, or
    not served at all though nobody cancelled it or phoned them."""
    promise = record.promises.get(appointment.id)
    if promise is None or appointment.status == "cancelled":
        return False
    if not sessions:
        over = promise.window_end + GRACE < ended
        return over and appointment.status == "booked" and not _phoned(appointment, promise.window_end)
    first = min(s.started_at for s in sessions)
    if any(not promise.window_start <= s.started_at <= promise.window_end for s in sessions):
        return True
    came = {s.officer_id for s in sessions}
    return not came <= promise.officer_ids and not _told_of_change(appointment, first, log)


def _phoned(appointment: Appointment, by: datetime) -> bool:
    query = select(CallListEntry.id).where(
        CallListEntry.appointment_id == appointment.id, CallListEntry.done_at <= by
    )
    return db.session.scalar(query.limit(1)) is not None


def _told_of_change(appointment: Appointment, by: datetime, log: SendLog) -> bool:
    """An officer-change message reached the resident before the visit, or a supervisor phoned them."""
    texts = {(d.recipient, d.body) for d in log.deliveries if d.channel == "sms"}
    keys = {d.key for d in log.deliveries if d.channel == "email"}
    for message in db.session.scalars(
        select(Message).where(Message.appointment_id == appointment.id, Message.kind == "officer_change")
    ):
        if message.status not in DONE or message.sent_at is None or message.sent_at > by:
            continue
        if (message.recipient, message.body) in texts or f"<message-{message.id}@doorstep>" in keys:
            return True
    return _phoned(appointment, by)


def pair_split(appointment: Appointment, sessions: list[SafetySession], ended: datetime) -> bool:
    """A two-officer visit planned or served by one officer, or by two at different times."""
    if not (appointment.service.two_officers or appointment.second_officer_id):
        return False
    if appointment.status == "cancelled":
        return False
    if appointment.second_officer_id is None:
        return True
    planned = db.session.execute(
        select(RoutePlan.officer_id, RouteStop.planned_arrival)
        .join(RouteStop.plan)
        .where(RouteStop.appointment_id == appointment.id)
    ).all()
    if len({at for _officer, at in planned}) > 1:
        return True
    if appointment.window_end + GRACE >= ended and not sessions:
        return False  # not due yet
    starts = {}
    for session in sessions:
        starts.setdefault(session.officer_id, session.started_at)
    if appointment.status in ("booked", "checked_in", "completed", "no_show") and sessions:
        if len(starts) < 2:
            return True
        return max(starts.values()) - min(starts.values()) > PAIR_APART
    return False


# Safety --------------------------------------------------------------------------------------


def escalations_late(started: datetime, ended: datetime) -> int:
    """Safety texts not answered in time whose escalation (alert and text to whoever is on duty) did
    not follow within the policy's minutes."""
    late = 0
    for check in db.session.scalars(
        select(SafetyCheck).where(SafetyCheck.sent_at >= started).order_by(SafetyCheck.id)
    ):
        deadline = check.sent_at + REPLY_WITHIN + TOLERANCE
        if deadline > ended:
            continue
        if check.answered_at is not None and check.answered_at <= check.sent_at + REPLY_WITHIN:
            continue
        alert = db.session.scalar(
            select(SafetyAlert).where(
                or_(
                    SafetyAlert.dedupe_key == f"overdue:{check.id}",
                    SafetyAlert.dedupe_key == f"no-checkin:{check.appointment_id}",
                )
            )
        )
        on_time = check.escalated_at is not None and check.escalated_at <= deadline
        if not (on_time and alert is not None and _texted(alert, deadline + TOLERANCE)):
            late += 1
    return late


def help_answered(officer_id: int, pressed: datetime) -> bool:
    """A help press raised an alert at once, and its text reached whoever is on duty within minutes."""
    alert = db.session.scalar(
        select(SafetyAlert).where(
            SafetyAlert.officer_id == officer_id,
            SafetyAlert.kind == "help",
            SafetyAlert.created_at >= pressed - timedelta(seconds=1),
            SafetyAlert.created_at <= pressed + TOLERANCE,
        )
    )
    return alert is not None and _texted(alert, pressed + TOLERANCE + TOLERANCE)


def _texted(alert: SafetyAlert, by: datetime) -> bool:
    sent = db.session.scalars(
        select(Message.sent_at).where(
            Message.kind == "safety_alert",
            Message.dedupe_key.startswith(f"{alert.dedupe_key}:"),
            Message.status.in_(DONE),
        )
    ).all()
    return any(at is not None and at <= by for at in sent)


# Messages ------------------------------------------------------------------------------------


def messages(record: Record, log: SendLog, started: datetime, ended: datetime) -> tuple[int, int]:
    """(sent twice, lost): each outbox row of the run against what the provider received. Emails and
    webhooks carry the row's id; texts are matched by number and wording (two rows may say the same)."""
    rows = list(
        db.session.scalars(
            select(Message)
            .where(or_(Message.id >= record.first_message_id, Message.sent_at >= started))
            .order_by(Message.id)
        )
    )
    by_key = Counter(d.key for d in log.deliveries if d.channel in ("email", "webhook"))
    texts = Counter((d.recipient, d.body) for d in log.deliveries if d.channel == "sms")
    rows_per_text: Counter = Counter()
    sent_per_text: Counter = Counter()
    twice = lost = 0
    for row in rows:
        if row.channel == "letter":  # posted by hand: lost if no print batch took it when one ran
            lost += row.batch_day is None and row.status == "created" and _batch_ran(row.created_at, ended)
            continue
        due = row.next_attempt_at <= ended - TOLERANCE
        if row.status not in DONE:
            lost += due and row.status != "cancelled"
        if row.channel == "sms":
            rows_per_text[(row.recipient, row.body)] += 1
            sent_per_text[(row.recipient, row.body)] += row.status in DONE
            continue
        key = f"<message-{row.id}@doorstep>" if row.channel == "email" else f"message-{row.id}"
        twice += max(by_key[key] - 1, 0)
        lost += row.status in DONE and by_key[key] == 0
    for text, received in texts.items():
        twice += max(received - rows_per_text[text], 0)
    for text, sent in sent_per_text.items():
        lost += max(sent - texts[text], 0)
    return twice, lost


def _batch_ran(since: datetime, until: datetime) -> bool:
    """Whether the letters job (app.scheduler) fired in (since, until]."""
    return any(job.id == "letters" for job in due_between(since, until))
