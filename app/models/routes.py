"""Route plans: per officer per day, the visits in order with planned arrival, travel and distance;
re-plans previewed for an absence; and the supervisors' call list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.base import UTCDateTime, utcnow
from app.models.officers import Officer
from app.models.people import User
from app.models.statuses import ReplanStatus, one_of


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


class ReplanProposal(db.Model):
    """A re-plan for an officer's absence, as previewed: published exactly as it was shown, or not at all."""

    __table_args__ = (one_of("status", ReplanStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=ReplanStatus.PREVIEWED)
    plan: Mapped[dict] = mapped_column(JSON)  # routes, moves, unplaced, officer-day versions seen, travel
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    officer: Mapped[Officer] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])


class CallListEntry(db.Model):
    """A resident a supervisor must phone: their visit could not be placed, or a change could not be sent."""

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    # The appointment's id while the entry is open, else NULL: one open entry per visit, on any database.
    open_for: Mapped[int | None] = mapped_column(unique=True)
    reason: Mapped[str] = mapped_column(Text)
    # nightly | cannot_do | not_working | absence | officer_change | interpreter | skill_removed |
    # area_removed (call_list.SOURCES)
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")
    # Closed by Doorstep itself, its cause gone (app.booking.live_calls): nobody called; `outcome` says why.
    closed_automatically: Mapped[bool] = mapped_column(default=False, server_default=false())

    appointment: Mapped[Appointment] = relationship()
    done_by: Mapped[User | None] = relationship()
