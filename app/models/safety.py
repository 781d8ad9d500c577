"""Lone working: the risk register, visit safety sessions and the alerts they raise."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.base import UTCDateTime, utcnow
from app.models.officers import Officer
from app.models.people import Customer, User

RISK_CATEGORIES = {
    "violence": "Violence or aggression",
    "verbal_abuse": "Verbal abuse",
    "animals": "Animals",
    "hazardous_premises": "Hazardous premises",
    "infection_control": "Infection control",
    "other": "Other",
}
PRECAUTIONS = {
    "information": "Information only",
    "two_officers": "Two officers",
    "hub_only": "Hub or office only",
    "manager_approval": "Manager approval before any visit",
}


class RiskMarker(db.Model):
    """On an address (postcode and house number or name, or UPRN) or on a person (a customer record)."""

    __table_args__ = (Index("ix_risk_marker_address", "postcode", "house"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    house: Mapped[str] = mapped_column(String(80), default="")  # normalised number or name
    uprn: Mapped[str] = mapped_column(String(20), default="", index=True)
    category: Mapped[str] = mapped_column(String(30))
    precaution: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    source_incident: Mapped[str] = mapped_column(String(120), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_on: Mapped[date]
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)

    customer: Mapped[Customer | None] = relationship()
    added_by: Mapped[User | None] = relationship()

    @property
    def on_person(self) -> bool:
        return self.customer_id is not None


class SafetySession(db.Model):
    """From arriving at a visit to leaving it; overdue sessions escalate."""

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expected_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_lat: Mapped[float | None]
    last_lng: Mapped[float | None]

    appointment: Mapped[Appointment] = relationship()
    officer: Mapped[Officer] = relationship()

    @property
    def open(self) -> bool:
        return self.closed_at is None


class SafetyAlert(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # overdue | no_checkin | help | duress
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("safety_session.id", ondelete="SET NULL"))
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    officer: Mapped[Officer] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    session: Mapped[SafetySession | None] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()
