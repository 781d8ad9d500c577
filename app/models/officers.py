"""Field officers: skills, community areas, weekly pattern, base, leave and sickness."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.catalogue import CommunityArea, Skill
from app.models.people import User

officer_skill = Table(
    "officer_skill",
    db.metadata,
    Column("officer_id", ForeignKey("officer.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True),
)

officer_area = Table(
    "officer_area",
    db.metadata,
    Column("officer_id", ForeignKey("officer.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("community_area.id", ondelete="CASCADE"), primary_key=True),
)

ABSENCE_KINDS = ("leave", "sickness", "training")
# How an absence reads after "Claire Clarke is ...": "off sick", never "on sickness".
ABSENCE_WORDS = {"leave": "on annual leave", "sickness": "off sick", "training": "on training"}


class OfficerCalendar:
    """Which pattern and absence apply on a day; shared by the model and the cached roster
    (app/officers/roster.py), so both answer by the same rule. Needs `patterns` (with `weekday`) and
    `absences` (with `starts_on`, `ends_on`)."""

    def pattern_on(self, weekday: int) -> Any:
        return next((p for p in self.patterns if p.weekday == weekday), None)

    def absent_on(self, day: date) -> Any:
        return next((a for a in self.absences if a.starts_on <= day <= a.ends_on), None)


class Officer(OfficerCalendar, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(20), default="")
    base_label: Mapped[str] = mapped_column(String(200), default="")
    base_lat: Mapped[float]
    base_lng: Mapped[float]
    active: Mapped[bool] = mapped_column(default=True)
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # feed URL secret
    # Languages spoken besides English, comma-separated ("Polish, Russian"): interpreter requests
    # go to an officer who speaks the language when one can (app/booking/interpreters.py).
    languages: Mapped[str] = mapped_column(String(200), default="", server_default="")

    user: Mapped[User | None] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=officer_skill, order_by=Skill.name)
    areas: Mapped[list[CommunityArea]] = relationship(secondary=officer_area, order_by=CommunityArea.name)
    patterns: Mapped[list[WorkingPattern]] = relationship(
        back_populates="officer", cascade="all, delete-orphan", order_by="WorkingPattern.weekday"
    )
    absences: Mapped[list[Absence]] = relationship(
        back_populates="officer", cascade="all, delete-orphan", order_by="Absence.starts_on"
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class WorkingPattern(db.Model):
    """One row per working weekday: shift hours and a lunch break."""

    __table_args__ = (UniqueConstraint("officer_id", "weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"))
    weekday: Mapped[int]  # Monday = 0
    starts: Mapped[time]
    ends: Mapped[time]
    break_starts: Mapped[time | None]
    break_minutes: Mapped[int] = mapped_column(default=0)

    officer: Mapped[Officer] = relationship(back_populates="patterns")


class Absence(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # leave | sickness | training
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer: Mapped[Officer] = relationship(back_populates="absences")

    @property
    def wording(self) -> str:
        """ "off sick", as in "Claire Clarke is off sick on Monday 7 December 2026"."""
        return ABSENCE_WORDS.get(self.kind, f"away ({self.kind})")


class RosterVersion(db.Model):
    """One row, set to a new random value by database triggers (migration 0014) in the same
    transaction as any change to officers, their skills, areas, patterns or absences, or to the
    community areas, and (migration 0022) to skills, services, hubs, their hours or closures. Every
    process compares it with the roster and the catalogue it has cached (app/officers/roster.py,
    app/catalogue/cached.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40))
