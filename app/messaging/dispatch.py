"""Send what the outbox holds, exactly once.

Rows are claimed in batches by moving them from "created" to "sending" with the claim time, and
committing (on PostgreSQL the candidates are read FOR UPDATE SKIP LOCKED, so two dispatchers never claim
the same row). Letters are not sent from here: staff print them in a daily batch (letters.py). Each
send is recorded in its own commit, and starts within SEND_WITHIN of its claim or
goes back to the queue. A row left in "sending" (its dispatcher died, or the provider never answered)
is replayed only once STUCK_AFTER has passed since its claim: longer than SEND_WITHIN plus any client's
timeout, so whatever was in flight has reached the provider by then. An SMS is first looked up at the
provider and only re-sent if it never arrived; emails and webhooks carry a stable id the receiver can use
to drop a repeat.

This is a job that owns several units of work (app/unit_of_work.py), not one: each claim, each release
and each send's result is committed on its own. A claim must be committed before its sends go out (so a
crash after a send leaves the row in "sending" for the replay, never in "created" to go out twice), and
each result at once (so a later failure cannot undo the record of a text already sent).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app.appointments.presenters import calendar_event
from app.config import settings
from app.extensions import db
from app.messaging.outbox import ROUTINE, WITHOUT_CALENDAR, next_allowed
from app.messaging.senders import Senders, configured
from app.models import Appointment, Message
from app.timeutil import utcnow
from app.unit_of_work import finish_reads, unit_of_work
from notifications.calendar import build_calendar
from notifications.email import EmailError
from notifications.sms import SmsError
from notifications.webhook import WebhookError

log = logging.getLogger(__name__)
BACKOFF = [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1)]
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claimed row's send starts within SEND_WITHIN of its claim and gives up within its client's timeout
# (SMS, email and webhook clients all time out within 15 s). A row still "sending" STUCK_AFTER after its
# claim has therefore no request in flight: the replay never overlaps a live send.
SEND_WITHIN = timedelta(seconds=60)
STUCK_AFTER = timedelta(minutes=5)


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def claim(limit: int) -> list[int]:
    """Move up to `limit` due rows from created to sending, stamped with now, committed; their ids."""
    now = utcnow()
    query = (
        select(Message.id)
        .where(Message.status == "created", Message.next_attempt_at <= now, Message.channel != "letter")
        .order_by(Message.next_attempt_at, Message.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    with unit_of_work():
        ids = list(db.session.scalars(query))
        if not ids:
            return []
        claimed = (
            db.session.execute(
                update(Message)
                .where(Message.id.in_(ids), Message.status == "created")
                .values(status="sending", sending_at=now, attempts=Message.attempts + 1)
                .returning(Message.id)
            )
            .scalars()
            .all()
        )
    # In the order they were chosen (UPDATE ... RETURNING has none): the parts of a text split in two
    # are sent first part first.
    order = {message_id: n for n, message_id in enumerate(ids)}
    return sorted(claimed, key=order.__getitem__)


def release(ids: list[int]) -> None:
    """Hand claimed rows that were never sent back to the queue."""
    with unit_of_work():
        if ids:
            db.session.execute(
                update(Message)
                .where(Message.id.in_(ids), Message.status == "sending")
                .values(status="created", sending_at=None, attempts=Message.attempts - 1)
            )


def _send(message: Message, senders: Senders) -> str:
    if message.channel == "sms":
        if senders.sms is None:
            raise SmsError("no SMS provider configured", permanent=True)
        callback = f"{settings().public_base_url}/webhooks/twilio/status"
        return senders.sms.send(message.recipient, message.body, status_callback=callback)
    if message.channel == "email":
        if senders.email is None:
            raise EmailError("no SMTP server configured")
        attachments = []
        if message.appointment_id and message.kind not in WITHOUT_CALENDAR:
            appointment = db.session.get(Appointment, message.appointment_id)
            event = calendar_event(appointment, settings().council_name, appointment.customer.locale)
            ics = build_calendar([event])
            attachments.append((f"appointment-{appointment.reference}.ics", ics, "text/calendar"))
        return senders.email.send(
            message.recipient,
            message.subject,
            message.body,
            attachments,
            message_id=f"<message-{message.id}@doorstep>",
        )
    if message.channel == "webhook":
        if senders.webhook is None:
            raise WebhookError("no CRM webhook configured", permanent=True)
        return senders.webhook.send(message.kind, f"message-{message.id}", message.payload)
    raise ValueError(f"unknown channel {message.channel}")


def send_one(message_id: int, senders: Senders, report: DispatchReport) -> None:
    """Send one claimed message and record the result: its own unit of work (module docstring)."""
    with unit_of_work():
        message = db.session.get(Message, message_id)
        if message is None or message.status != "sending":
            return
        now = utcnow()
        if message.kind in ROUTINE and next_allowed(now) > now:
            # Reminders wait for 9am: a job that ran late must not text anyone at night.
            message.status, message.next_attempt_at = "created", next_allowed(now)
            message.attempts -= 1
            return
        try:
            provider_id = _send(message, senders)
        except (SmsError, EmailError, WebhookError, OSError) as error:
            permanent = getattr(error, "permanent", False)
            message.last_error = str(error)[:2000]
            if getattr(error, "maybe_sent", False):
                # The provider may have it: leave the row in "sending" for the replay to look up.
                report.errors.append(f"{message.id}: {error}")
                return
            if permanent or message.attempts >= MAX_ATTEMPTS:
                message.status = "failed" if permanent else "technical_failure"
                report.failed += 1
            else:
                message.status = "created"
                message.next_attempt_at = utcnow() + BACKOFF[message.attempts - 1]
                report.retried += 1
            report.errors.append(f"{message.id}: {error}")
            return
        message.status, message.provider_id, message.sent_at = "sent", provider_id or "", utcnow()
        report.sent += 1


def next_due() -> datetime | None:
    """When `dispatch_due` next has something to send (a virtual clock jumps there), or None."""
    return db.session.scalar(
        select(func.min(Message.next_attempt_at)).where(
            Message.status == "created", Message.channel != "letter"
        )
    )


def next_stuck() -> datetime | None:
    """When `replay_stuck` could next find a row stuck in sending, or None."""
    oldest = db.session.scalar(
        select(func.min(Message.sending_at)).where(Message.status == "sending", Message.channel != "letter")
    )
    return oldest + STUCK_AFTER if oldest else None


def dispatch_due(
    limit: int = 200,
    senders: Senders | None = None,
    batches: int = 50,
    send_within: timedelta = SEND_WITHIN,
) -> DispatchReport:
    """Send everything due now, batch by batch. A batch's sends all start within `send_within` of its
    claim; if the provider is that slow, the rest of the batch goes back to the queue for a new claim."""
    senders = senders or configured()
    report = DispatchReport()
    for _ in range(batches):
        ids = claim(limit)
        if not ids:
            break
        deadline = time.monotonic() + send_within.total_seconds()
        for n, message_id in enumerate(ids):
            if n and time.monotonic() > deadline:
                release(ids[n:])
                break
            send_one(message_id, senders, report)
    return report


def replay_stuck(senders: Senders | None = None) -> int:
    """Rows claimed more than STUCK_AFTER ago and never finished (a dispatcher died, or the provider did
    not answer): mark sent if the provider has it, else queue it to send again."""
    senders = senders or configured()
    cutoff = utcnow() - STUCK_AFTER
    is_stuck = (Message.status == "sending", Message.sending_at < cutoff, Message.channel != "letter")
    stuck = list(db.session.scalars(select(Message.id).where(*is_stuck)))
    finish_reads()
    for message_id in stuck:
        with unit_of_work():  # each its own: one settled stays settled if the next fails
            _replay_one(message_id, is_stuck, senders)
    return len(stuck)


def _replay_one(message_id: int, is_stuck: tuple, senders: Senders) -> None:
    # Lock the row and look again: another replay may have settled it a moment ago.
    query = (
        select(Message).where(Message.id == message_id, *is_stuck).execution_options(populate_existing=True)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    message = db.session.scalar(query)
    if message is None:
        return
    found = None
    if message.channel == "sms" and senders.sms is not None:
        try:
            found = senders.sms.find_sent(
                message.recipient, message.body, message.sending_at - timedelta(minutes=1)
            )
        except SmsError as error:
            log.warning("could not check message %s at the provider: %s", message.id, error)
            return  # try again at the next replay rather than risk a duplicate
    if found:
        message.status, message.provider_id, message.sent_at = "sent", found, utcnow()
    else:
        message.status, message.next_attempt_at = "created", utcnow()


PROVIDER_STATUS = {"delivered": "delivered", "undelivered": "failed", "failed": "failed", "sent": "sent"}


def provider_status(provider_id: str, status: str, error_code: str = "") -> Message | None:
    """A delivery report from the provider. Never moves a message backwards."""
    message = db.session.scalar(select(Message).where(Message.provider_id == provider_id))
    ours = PROVIDER_STATUS.get(status)
    if message is None or ours is None:
        return message
    order = ["created", "sending", "sent", "delivered"]
    if ours == "failed" or order.index(ours) > order.index(
        message.status if message.status in order else "sent"
    ):
        message.status = ours
        if error_code:
            message.last_error = f"provider error {error_code}"
    return message
