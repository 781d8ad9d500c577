"""Self-service kiosks at community hubs, and the help requests they raise."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.catalogue import Hub
from app.models.people import User


class KioskDevice(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the device's secret, hashed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set up at; None: not set up
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hub: Mapped[Hub] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def set_up(self) -> bool:
        """Its activation link has been opened on the kiosk (a new link undoes this until it is used)."""
        return self.active and self.last_seen_at is not None


class KioskHelpRequest(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosk_device.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "Dealt with" pressed
    texted_to: Mapped[str] = mapped_column(String(20), default="", server_default="")  # the hub's staff
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # nobody dealt with it in time

    kiosk: Mapped[KioskDevice] = relationship()
    answered_by: Mapped[User | None] = relationship()
