"""Customers (one record reused across bookings), staff users, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.folding import fold
from app.models.base import UTCDateTime, utcnow

ROLES = ("agent", "officer", "supervisor", "admin")
CHANNELS = ("sms", "email", "post", "none")


class Customer(db.Model):
    __table_args__ = (
        Index("ix_customer_phone", "phone"),
        Index("ix_customer_postcode", "postcode"),
        Index("ix_customer_name_folded", "name_folded"),
        # The agent's caller search (typed text anywhere in the folded name): PostgreSQL only (pg_trgm),
        # migration 0028; SQLite scans.
        Index(
            "ix_customer_name_folded_trgm",
            "name_folded",
            postgresql_using="gin",
            postgresql_ops={"name_folded": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="resident")  # resident | business
    name: Mapped[str] = mapped_column(String(160))
    # The name as the agent's search compares it (app.folding.fold: "zofia wisniewska" for "Zofia
    # Wiśniewska"), kept with every change of the name, so a search neither folds each row as it reads
    # it nor needs PostgreSQL's unaccent (SQLite has none): the same rule on both databases.
    name_folded: Mapped[str] = mapped_column(String(160), default="", server_default="")
    business_name: Mapped[str] = mapped_column(String(160), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164
    email: Mapped[str] = mapped_column(String(254), default="")
    preferred_channel: Mapped[str] = mapped_column(String(10), default="sms")
    sms_consent: Mapped[bool] = mapped_column(default=False)
    # The language they read: pages, texts, emails, letters and calendar files (app.i18n.LANGUAGES).
    locale: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    interpreter_language: Mapped[str] = mapped_column(String(60), default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(80), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    uprn: Mapped[str] = mapped_column(String(20), default="")
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    # A business's own premises, kept apart from the home address (a business visit goes here).
    business_type: Mapped[str] = mapped_column(String(60), default="", server_default="")
    premises_line1: Mapped[str] = mapped_column(String(200), default="", server_default="")
    premises_line2: Mapped[str] = mapped_column(String(200), default="", server_default="")
    premises_town: Mapped[str] = mapped_column(String(80), default="", server_default="")
    premises_postcode: Mapped[str] = mapped_column(String(10), default="", server_default="")
    premises_uprn: Mapped[str] = mapped_column(String(20), default="", server_default="")
    premises_lat: Mapped[float | None]
    premises_lng: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @validates("name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.name_folded = fold(name)[:160]
        return name

    @property
    def premises_label(self) -> str:
        parts = (self.premises_line1, self.premises_line2, self.premises_town, self.premises_postcode)
        return ", ".join(p for p in parts if p)

    @property
    def surname(self) -> str:
        return self.name.split()[-1] if self.name.strip() else ""


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164 work mobile, for escalations
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session cookie; raised by sign-out and a new password, so copies stop working.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:  # what Flask-Login keeps in the session cookie
        return f"{self.id}:{self.session_version}"


class ApiToken(db.Model):
    """Bearer tokens: only a SHA-256 of the secret is stored; the secret is shown once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80), default="")
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AuditEvent(db.Model):
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User | None] = relationship()
