"""The outbox: one row per SMS, email or webhook, saved with the change that causes it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.base import UTCDateTime, utcnow
from app.models.statuses import MessageStatus, one_of


class Message(db.Model):
    __table_args__ = (Index("ix_message_due", "status", "next_attempt_at"), one_of("status", MessageStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))  # confirmation, reminder_day_before, ..., reply, webhook
    channel: Mapped[str] = mapped_column(String(10))  # sms | email | webhook | letter
    recipient: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # One reminder of a kind per appointment and time: a unique key, so a retry cannot queue it twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=MessageStatus.CREATED)
    provider_id: Mapped[str] = mapped_column(String(120), default="", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Letters only: the day's print batch they were gathered into (app/messaging/letters.py).
    batch_day: Mapped[date | None] = mapped_column(index=True)

    appointment: Mapped[Appointment | None] = relationship()


class InboundMessage(db.Model):
    """A text a resident sent us (CANCEL, a 1-5 score, or anything else)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(120), unique=True)
    sender: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text, default="")
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20), default="")  # cancelled | rated | help
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SmsOptOut(db.Model):
    """A number that replied STOP, until it replies START: no text goes to it, whichever record (or
    stranger's booking) holds it (app/messaging/consent.py). Kept beyond retention: it is a refusal."""

    phone: Mapped[str] = mapped_column(String(30), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
