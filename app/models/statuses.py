"""Every status a record can have, one enum each (StrEnum: a member equals its string, so queries and
stored rows read the same). The database holds each column to its enum with a CHECK constraint."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


# Still to happen (or happening): what holds an officer's time and is shown as upcoming.
ACTIVE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class AppointmentChange(StrEnum):
    """A row of an appointment's history: a status it took, or a move (it stays booked when moved)."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


class MessageStatus(StrEnum):
    CREATED = "created"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    TECHNICAL_FAILURE = "technical_failure"
    CANCELLED = "cancelled"  # consent withdrawn before it went


class WaitlistEntryStatus(StrEnum):
    WAITING = "waiting"
    BOOKED = "booked"
    REMOVED = "removed"


class WaitlistOfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    GONE = "gone"
    EXPIRED = "expired"


class KioskCallStatus(StrEnum):
    WAITING = "waiting"
    CONNECTED = "connected"
    ENDED = "ended"


class ReplanStatus(StrEnum):
    PREVIEWED = "previewed"
    PUBLISHED = "published"


def one_of(column: str, statuses: type[StrEnum]) -> CheckConstraint:
    """CHECK that the column holds one of the enum's values (named ck_<table>_<column>)."""
    values = ", ".join(f"'{status.value}'" for status in statuses)
    return CheckConstraint(f"{column} IN ({values})", name=column)
