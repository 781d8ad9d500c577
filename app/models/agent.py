"""What phone agents add: notes on a customer, and the waitlist with its offers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.base import UTCDateTime, utcnow
from app.models.catalogue import CommunityArea, Service
from app.models.people import Customer, User
from app.models.statuses import WaitlistEntryStatus, WaitlistOfferStatus, one_of


class CustomerNote(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class WaitlistEntry(db.Model):
    __table_args__ = (one_of("status", WaitlistEntryStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("community_area.id"))
    location_type: Mapped[str] = mapped_column(String(10), default="home")
    earliest: Mapped[date]
    latest: Mapped[date]
    times: Mapped[str] = mapped_column(String(10), default="any")  # any | morning | afternoon
    status: Mapped[str] = mapped_column(String(10), default=WaitlistEntryStatus.WAITING, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"))

    customer: Mapped[Customer] = relationship()
    service: Mapped[Service] = relationship()
    area: Mapped[CommunityArea] = relationship()
    appointment: Mapped[Appointment | None] = relationship()


class WaitlistOffer(db.Model):
    """A freed slot offered by text to people on the waitlist, in order; the first to accept gets it."""

    __table_args__ = (one_of("status", WaitlistOfferStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entry.id", ondelete="CASCADE"), index=True)
    slot_token: Mapped[str] = mapped_column(Text)
    batch: Mapped[str] = mapped_column(String(40), index=True)  # offers of the same freed slot
    status: Mapped[str] = mapped_column(String(10), default=WaitlistOfferStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[WaitlistEntry] = relationship()
