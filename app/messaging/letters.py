"""Printed letters: queued in the outbox (channel `letter`), gathered once a day into a print batch,
printed by staff from one PDF, then marked as posted. Every view and download is audited: letters carry
names and home addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Message, User
from app.staff import audit
from app.timeutil import format_date, local_now, utcnow
from notifications.letter import Letter, build_pdf


def gather_batch(day: date | None = None) -> int:
    """Put every letter still waiting into the batch for `day` (today); how many were added. The
    scheduler's `letters` job runs it each afternoon; a missed day is gathered by the next run."""
    day = day or local_now().date()
    result = db.session.execute(
        update(Message)
        .where(Message.channel == "letter", Message.status == "created", Message.batch_day.is_(None))
        .values(batch_day=day)
    )
    return result.rowcount or 0


@dataclass(frozen=True)
class BatchSummary:
    day: date
    letters: int
    printed: int

    @property
    def done(self) -> bool:
        return self.printed == self.letters


def waiting() -> int:
    """Letters queued and not yet in a batch."""
    return db.session.scalar(
        select(func.count(Message.id)).where(
            Message.channel == "letter", Message.status == "created", Message.batch_day.is_(None)
        )
    )


def batches(limit: int = 30) -> list[BatchSummary]:
    printed = func.sum(db.case((Message.status == "sent", 1), else_=0))
    rows = db.session.execute(
        select(Message.batch_day, func.count(Message.id), printed)
        .where(Message.channel == "letter", Message.batch_day.is_not(None))
        .group_by(Message.batch_day)
        .order_by(Message.batch_day.desc())
        .limit(limit)
    )
    return [BatchSummary(day, count, int(done or 0)) for day, count, done in rows]


def in_batch(day: date) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message).where(Message.channel == "letter", Message.batch_day == day).order_by(Message.id)
        )
    )


def batch_pdf(day: date, user: User) -> bytes | None:
    """The day's letters as one PDF to print, or None when there are none. Audited."""
    messages = in_batch(day)
    if not messages:
        return None
    printed_on = format_date(local_now().date()).split(" ", 1)[1]  # "30 November 2026"
    letters = [
        Letter(
            address=tuple(m.recipient.split("\n")),
            date=printed_on,
            heading=m.subject,
            body=m.body,
            sender=current_app.config["COUNCIL_NAME"],
        )
        for m in messages
    ]
    audit.record("letters_downloaded", "letter_batch", day.isoformat(), user=user, letters=len(letters))
    return build_pdf(letters)


def mark_printed(day: date, user: User) -> int:
    """The batch has been printed and posted: its letters count as sent."""
    now = utcnow()
    result = db.session.execute(
        update(Message)
        .where(Message.channel == "letter", Message.batch_day == day, Message.status == "created")
        .values(status="sent", sent_at=now, sending_at=now)
    )
    audit.record("letters_printed", "letter_batch", day.isoformat(), user=user, letters=result.rowcount)
    return result.rowcount or 0
