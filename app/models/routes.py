"""Route plans: per officer per day, the visits in order with planned arrival, travel and distance."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.base import UTCDateTime, utcnow
from app.models.officers import Officer


class RoutePlan(db.Model):
    __table_args__ = (UniqueConstraint("officer_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(index=True)
    leave_base_at: Mapped[datetime] = mapped_column(UTCDateTime)
    return_base_at: Mapped[datetime] = mapped_column(UTCDateTime)
    travel_seconds: Mapped[int]
    distance_m: Mapped[int]
    source: Mapped[str] = mapped_column(String(20), default="nightly")  # nightly | absence | manual
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer: Mapped[Officer] = relationship()
    stops: Mapped[list[RouteStop]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="RouteStop.position"
    )


class RouteStop(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("route_plan.id", ondelete="CASCADE"))
    position: Mapped[int]
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    planned_arrival: Mapped[datetime] = mapped_column(UTCDateTime)
    travel_seconds: Mapped[int]
    distance_m: Mapped[int]

    plan: Mapped[RoutePlan] = relationship(back_populates="stops")
    appointment: Mapped[Appointment] = relationship()
