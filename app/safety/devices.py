"""Officers' work phones: a revocable credential so that help, check-in and check-out never depend on
the web session (which idles out after SESSION_TIMEOUT_MINUTES, shorter than many visits). Only the
SHA-256 of a phone's secret is stored; the cookie that carries it, and who is acting on a request, are
the web layer's (app/routes/officer_phone.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select

from app.booking.errors import checked_text
from app.config import settings
from app.extensions import db
from app.models import Officer, OfficerDevice, User
from app.staff import audit
from app.timeutil import utcnow

LIFETIME = timedelta(days=180)
NAME_LIMIT = 80  # OfficerDevice.name


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def register(officer: Officer, name: str, user: User) -> tuple[OfficerDevice, str]:
    name = checked_text("name", name, "The phone's name", limit=NAME_LIMIT) or "Work phone"
    secret = secrets.token_urlsafe(32)
    device = OfficerDevice(officer=officer, name=name, token_hash=_digest(secret))
    db.session.add(device)
    db.session.flush()
    audit.record("officer_device_registered", "officer", officer.id, user=user, device=device.id)
    return device, secret


def revoke(device: OfficerDevice, user: User) -> None:
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = utcnow(), user
        audit.record("officer_device_revoked", "officer", device.officer_id, user=user, device=device.id)


def devices_of(officer: Officer | None = None) -> list[OfficerDevice]:
    query = select(OfficerDevice).where(OfficerDevice.revoked_at.is_(None)).order_by(OfficerDevice.created_at)
    if officer is not None:
        query = query.where(OfficerDevice.officer_id == officer.id)
    return list(db.session.scalars(query))


def trusted(secret: str) -> OfficerDevice | None:
    """The phone with this secret, if it is still trusted: not revoked, trusted less than LIFETIME ago
    (the cookie's own age limit binds only the phone's browser, not a copy of the cookie), and its
    officer and account still active."""
    found = db.session.scalar(select(OfficerDevice).where(OfficerDevice.token_hash == _digest(secret)))
    officer = found.officer if found else None
    if (
        found is not None
        and found.revoked_at is None
        and found.created_at > utcnow() - LIFETIME
        and officer.active
        and officer.user is not None
        and officer.user.active
        and officer.user.role == "officer"
    ):
        return found
    return None


def used(device: OfficerDevice) -> None:
    device.last_used_at = utcnow()


def form_token(device: OfficerDevice) -> str:
    key = settings().secret_key.encode()
    return hmac.new(key, f"officer-device:{device.id}:{device.token_hash}".encode(), "sha256").hexdigest()
