"""Appointments and their status history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.catalogue import Hub, Service
from app.models.officers import Officer
from app.models.people import Customer, User
from app.models.statuses import ACTIVE, AppointmentChange, AppointmentStatus, one_of

LOCATION_TYPES = ("home", "business", "hub")
BOOKING_CHANNELS = ("web", "phone", "kiosk", "api", "counter")


class Appointment(db.Model):
    __table_args__ = (
        Index("ix_appointment_officer_window", "officer_id", "window_start"),
        # An officer's visits as the second of a pair: with the index above, "this officer's visits
        # that day" (officer_id = x OR second_officer_id = x) is two index scans, not a scan of every
        # active visit (migration 0023).
        Index(
            "ix_appointment_second_officer_window",
            "second_officer_id",
            "window_start",
            postgresql_where=text("second_officer_id IS NOT NULL"),
            sqlite_where=text("second_officer_id IS NOT NULL"),
        ),
        Index("ix_appointment_customer", "customer_id"),
        one_of("status", AppointmentStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    location_type: Mapped[str] = mapped_column(String(10))  # home | business | hub
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hub.id"))
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(80), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    uprn: Mapped[str] = mapped_column(String(20), default="")
    lat: Mapped[float]
    lng: Mapped[float]
    # The promise: arrival between window_start and window_end (equal for an exact hub time).
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int]
    planned_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    second_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    channel: Mapped[str] = mapped_column(String(10), default="web")
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default=AppointmentStatus.BOOKED, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    interpreter_language: Mapped[str] = mapped_column(String(60), default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE, raised on each change
    # In every manage and calendar link and resident session (app/appointments/links.py): staff raise
    # link_version to end all of them; "I have finished" raises session_version to end sessions only.
    link_version: Mapped[int] = mapped_column(default=0, server_default="0")
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    satisfaction_score: Mapped[int | None]  # 1-5, at the point of delivery (app/customers/satisfaction.py)
    satisfaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction_channel: Mapped[str] = mapped_column(String(10), default="", server_default="")
    satisfaction_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship()
    customer: Mapped[Customer] = relationship()
    hub: Mapped[Hub | None] = relationship()
    officer: Mapped[Officer | None] = relationship(foreign_keys=[officer_id])
    second_officer: Mapped[Officer | None] = relationship(foreign_keys=[second_officer_id])
    booked_by: Mapped[User | None] = relationship()
    events: Mapped[list[AppointmentEvent]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan", order_by="AppointmentEvent.at"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class AppointmentEvent(db.Model):
    """Status history: one row per change, who made it and through which channel."""

    __table_args__ = (one_of("status", AppointmentChange),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[str] = mapped_column(String(10), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    appointment: Mapped[Appointment] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
