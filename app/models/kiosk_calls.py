"""Video calls from a kiosk to a phone agent: the call log, the call's signalling messages while it
lasts, and whether each agent takes kiosk calls. The database is the only state, so any app server
can serve either end of a call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.base import UTCDateTime, utcnow
from app.models.catalogue import Hub
from app.models.kiosk import KioskDevice
from app.models.people import User
from app.models.statuses import KioskCallStatus, one_of


class KioskCall(db.Model):
    """One call, kept as the log (hub, agent, start, end, outcome); nothing said or shown is kept."""

    __table_args__ = (
        Index("ix_kiosk_call_queue", "status", "requested_at"),
        one_of("status", KioskCallStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_device.id", ondelete="SET NULL"))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hub.id", ondelete="SET NULL"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"))
    step: Mapped[str] = mapped_column(String(120), default="")  # where the resident had got to
    # The language the kiosk was in (app.i18n.LANGUAGES), so the agent can book an interpreter for a
    # call-back; blank for calls logged before it was kept.
    locale: Mapped[str] = mapped_column(String(10), default="en", server_default="")
    mode: Mapped[str] = mapped_column(String(10), default="video")  # video | voice | text
    status: Mapped[str] = mapped_column(String(10), default=KioskCallStatus.WAITING)
    outcome: Mapped[str] = mapped_column(
        String(12), default=""
    )  # booked | helped | call_back | left | dropped
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kiosk_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agent_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A call-back: the mobile to ring (E.164, cleared once rung), and who rang it when.
    call_back_phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    called_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    kiosk: Mapped[KioskDevice | None] = relationship()
    hub: Mapped[Hub | None] = relationship()
    agent: Mapped[User | None] = relationship(foreign_keys=[agent_id])
    called_back_by: Mapped[User | None] = relationship(foreign_keys=[called_back_by_id])
    appointment: Mapped[Appointment | None] = relationship()


class KioskCallSignal(db.Model):
    """A message for one end of a live call: an SDP offer or answer, an ICE candidate, a chat line.
    Deleted when the call ends."""

    __table_args__ = (Index("ix_kiosk_call_signal_inbox", "call_id", "recipient", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("kiosk_call.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(6))  # kiosk | agent
    kind: Mapped[str] = mapped_column(String(12))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgentPresence(db.Model):
    """An agent's own choice to take kiosk calls, and when their console last asked for the queue."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    available: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
