"""Lone working: the risk register, visit safety sessions and the alerts they raise."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
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
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A proposed marker applies at once (safety first); a second person approves or rejects it.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)

    customer: Mapped[Customer | None] = relationship()
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    @property
    def on_person(self) -> bool:
        return self.customer_id is not None

    @property
    def proposed(self) -> bool:
        return self.active and self.approved_at is None


VISIT_DECISIONS = {
    "second_officer": "A second officer was added",
    "moved_to_hub": "Moved to a hub",
    "resident_contacted": "Resident contacted, visit cancelled or rearranged",
    "go_ahead": "Checked: the visit can go ahead as booked",
}


class VisitRiskDecision(db.Model):
    """What a supervisor decided about a booked visit that a new or changed marker affects."""

    __table_args__ = (UniqueConstraint("appointment_id", "marker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    marker_id: Mapped[int] = mapped_column(ForeignKey("risk_marker.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appointment: Mapped[Appointment] = relationship()
    marker: Mapped[RiskMarker] = relationship()
    decided_by: Mapped[User | None] = relationship()


class SafetySession(db.Model):
    """From arriving at a visit to leaving it; overdue sessions escalate.

    started_at and closed_at are when the officer tapped (a phone with no signal sends its taps later);
    the *_received_at columns are when the server heard of them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expected_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_lat: Mapped[float | None]
    last_lng: Mapped[float | None]

    appointment: Mapped[Appointment] = relationship()
    officer: Mapped[Officer] = relationship()

    @property
    def open(self) -> bool:
        return self.closed_at is None


class SafetyCheck(db.Model):
    """A "reply OK" text to an officer: a visit running over, or a visit not started in time.

    Answered by OK, by checking in or out, or by extending the visit; unanswered, it escalates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))  # overrun | not_arrived
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("safety_session.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officer: Mapped[Officer] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    session: Mapped[SafetySession | None] = relationship()


# What each kind of alert is called on the supervisors' pages (the alert's note says more).
ALERT_KINDS = {
    "help": "Help requested",
    "duress": "Duress word",
    "overdue": "Overdue visit",
    "no_checkin": "Not checked in",
    "precaution": "Checked in despite a warning",
}


class SafetyAlert(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # help | duress | overdue | no_checkin | precaution
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

    @property
    def title(self) -> str:
        return ALERT_KINDS.get(self.kind, self.kind.replace("_", " ").capitalize())


class DutyPeriod(db.Model):
    """The on-duty rota: a supervisor or admin receives safety escalations during these weekly hours
    (UK time). A period whose end is not after its start runs past midnight into the next day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]  # Monday = 0
    starts: Mapped[time]
    ends: Mapped[time]

    user: Mapped[User] = relationship()


class OfficerDevice(db.Model):
    """An officer's work phone, trusted for safety actions and their own day only (never the rest of
    the staff site), so help and check-in/out do not depend on the web session. The secret lives in a
    cookie on the phone; only its SHA-256 is stored. The officer or a supervisor can revoke it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    officer: Mapped[Officer] = relationship()
    revoked_by: Mapped[User | None] = relationship()
