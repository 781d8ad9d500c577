"""What residents tell the council ("Tell us"), and their optional equality monitoring answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.people import User

FEEDBACK_KINDS = ("complaint", "compliment", "comment")
FEEDBACK_SOURCES = ("web", "sms", "kiosk", "phone")


class Feedback(db.Model):
    """A complaint, compliment or comment, worked through a staff queue to an outcome."""

    __table_args__ = (Index("ix_feedback_open", "closed_at", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(10), default="web")
    reference: Mapped[str] = mapped_column(String(12), default="")  # a booking reference, if given
    message: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(160), default="")
    contact: Mapped[str] = mapped_column(String(254), default="")  # phone or email, to reply
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date]
    outcome: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    closed_by: Mapped[User | None] = relationship()


class EqualityResponse(db.Model):
    """Optional equality monitoring answers. Deliberately no key to the appointment or the customer:
    only what reports group by (month, service, channel, place type) and the satisfaction score, which
    is copied in when the resident gives one. `visit_key` is a keyed hash of the appointment that only
    the app (holding SECRET_KEY) can compute, to add that score; reports never read it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]  # the first of the month the visit was booked
    service_code: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    location_type: Mapped[str] = mapped_column(String(10))
    age_band: Mapped[str] = mapped_column(String(20), default="")
    sex: Mapped[str] = mapped_column(String(20), default="")
    disability: Mapped[str] = mapped_column(String(20), default="")
    ethnic_group: Mapped[str] = mapped_column(String(40), default="")
    religion: Mapped[str] = mapped_column(String(30), default="")
    main_language_english: Mapped[str] = mapped_column(String(20), default="")
    satisfaction_score: Mapped[int | None]
    visit_key: Mapped[str] = mapped_column(String(64), unique=True)
