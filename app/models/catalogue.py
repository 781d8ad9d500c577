"""What the council offers and where: skills, community areas, hubs, services."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Skill(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class CommunityArea(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float]
    lng: Mapped[float]


class Hub(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    area_id: Mapped[int] = mapped_column(ForeignKey("community_area.id"))
    address_line1: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(10))
    lat: Mapped[float]
    lng: Mapped[float]
    has_counter: Mapped[bool] = mapped_column(default=True)
    has_kiosk: Mapped[bool] = mapped_column(default=False)
    staff_phone: Mapped[str] = mapped_column(String(20), default="")  # texted when a kiosk user asks for help
    active: Mapped[bool] = mapped_column(default=True)

    area: Mapped[CommunityArea] = relationship()
    opening_hours: Mapped[list[HubOpening]] = relationship(
        back_populates="hub", cascade="all, delete-orphan", order_by="HubOpening.weekday"
    )
    closures: Mapped[list[HubClosure]] = relationship(
        back_populates="hub", cascade="all, delete-orphan", order_by="HubClosure.first_day"
    )

    def hours_on(self, weekday: int) -> HubOpening | None:
        return next((o for o in self.opening_hours if o.weekday == weekday), None)


class HubOpening(db.Model):
    __table_args__ = (UniqueConstraint("hub_id", "weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"))
    weekday: Mapped[int]  # Monday = 0
    opens: Mapped[time]
    closes: Mapped[time]

    hub: Mapped[Hub] = relationship(back_populates="opening_hours")


class HubClosure(db.Model):
    """Days a hub is shut beyond its weekly hours (refurbishment, a local holiday). Bank holidays in
    England close every hub without a row here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")

    hub: Mapped[Hub] = relationship(back_populates="closures")


class Service(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(default=45)
    at_home: Mapped[bool] = mapped_column(default=True)
    at_business: Mapped[bool] = mapped_column(default=False)
    at_hub: Mapped[bool] = mapped_column(default=True)
    # Premises-only services (e.g. Registration) are signposted, never booked here.
    premises_only: Mapped[bool] = mapped_column(default=False)
    signpost: Mapped[str] = mapped_column(Text, default="")
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("skill.id"))
    documents: Mapped[str] = mapped_column(Text, default="")  # one item per line
    # Other words people use for it, comma-separated ("skip, sofa, fridge"): service search matches
    # them, and their translation in the resident's language (app.catalogue.search).
    keywords: Mapped[str] = mapped_column(Text, default="", server_default="")
    two_officers: Mapped[bool] = mapped_column(default=False)
    # A home or business visit at an exact time (not a 2-hour window), when the resident asks for one.
    exact_times: Mapped[bool] = mapped_column(default=False, server_default=false())
    notice_hours: Mapped[int] = mapped_column(default=24)
    horizon_days: Mapped[int] = mapped_column(default=28)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    skill: Mapped[Skill | None] = relationship()

    @property
    def places(self) -> list[str]:
        return [
            p
            for p, ok in (("home", self.at_home), ("business", self.at_business), ("hub", self.at_hub))
            if ok
        ]

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]
