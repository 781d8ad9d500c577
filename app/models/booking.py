"""Tables that keep bookings honest under concurrency, and the address gazetteer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.base import UTCDateTime, utcnow


class OfficerDay(db.Model):
    """One row per officer per day that has bookings. Booking locks it (UPDATE first), so bookings for
    the same officer and day happen one at a time on every database, and bumps `version`, so slot
    tokens issued before a change can be told from ones issued after it."""

    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class AllowanceUse(db.Model):
    """One use of a public allowance (app.booking.customers): a booking or waiting-list join made online,
    or a resident's change of contact online, counted against each phone number, email address or door
    it will message. Counted by these rows, not by who holds the number now, so changing a record's
    number afterwards neither frees the old number's allowance nor escapes the new one's. The key is a
    SHA-256 of "kind:value" (no contact details kept twice); rows older than two days are deleted by the
    retention job."""

    __table_args__ = (Index("ix_allowance_use_key_at", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlotClaim(db.Model):
    """A slot token can be used once: its key (officer, window, version seen) is unique."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appointment: Mapped[Appointment] = relationship()


class IdempotencyRecord(db.Model):
    """The answer to a request made with an Idempotency-Key (API) or a form submission id (web)."""

    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(60))  # "api:<user id>" or "web"
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appointment: Mapped[Appointment | None] = relationship()


class Address(db.Model):
    """The address gazetteer: LLPG/AddressBase addresses, or Code-Point postcode centroids (no lines)."""

    __table_args__ = (Index("ix_address_postcode", "postcode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uprn: Mapped[str] = mapped_column(String(20), default="")
    line1: Mapped[str] = mapped_column(String(200), default="")
    line2: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(80), default="")
    postcode: Mapped[str] = mapped_column(String(10))  # normalised, e.g. "SN10 1AA"
    lat: Mapped[float]
    lng: Mapped[float]
    source: Mapped[str] = mapped_column(String(20), default="llpg")  # llpg | codepoint | demo
    extra: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def is_postcode_only(self) -> bool:
        return not self.line1

    @property
    def label(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, self.town, self.postcode) if p)
