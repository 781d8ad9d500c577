"""Officers' work phones: a revocable credential so that help, check-in and check-out never depend on
the web session (which idles out after SESSION_TIMEOUT_MINUTES, shorter than many visits).

The secret sits in an HttpOnly cookie scoped to /officer; only its SHA-256 is stored. It authorises
the routes declared @officer_day (the officer's own day and the safety actions) and nothing else on
the staff site. Forms posted with it carry a per-device token (an HMAC of the device), so another site
cannot make the phone act (CSRF), and a page cached for use with no signal keeps working.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import Response, current_app, g, has_request_context, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf
from sqlalchemy import select

from app.extensions import db
from app.models import Officer, OfficerDevice, User
from app.services import audit
from app.timeutil import utcnow

COOKIE = "doorstep_device"
COOKIE_PATH = "/officer"
LIFETIME = timedelta(days=180)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def register(officer: Officer, name: str, user: User) -> tuple[OfficerDevice, str]:
    secret = secrets.token_urlsafe(32)
    device = OfficerDevice(
        officer=officer, name=name.strip()[:80] or "Work phone", token_hash=_digest(secret)
    )
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


def set_cookie(response: Response, secret: str) -> Response:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(LIFETIME.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
    return response


def device_from_cookie() -> OfficerDevice | None:
    """The trusted phone making this request, checked against the database each time (revocation is
    instant, and a deactivated officer or account loses it too)."""
    if not has_request_context():
        return None
    if "officer_device" in g:
        return g.officer_device
    secret = request.cookies.get(COOKIE, "")
    device = None
    if secret:
        found = db.session.scalar(select(OfficerDevice).where(OfficerDevice.token_hash == _digest(secret)))
        officer = found.officer if found else None
        if (
            found is not None
            and found.revoked_at is None
            and officer.active
            and officer.user is not None
            and officer.user.active
            and officer.user.role == "officer"
        ):
            device = found
    g.officer_device = device
    return device


def form_token(device: OfficerDevice) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"officer-device:{device.id}:{device.token_hash}".encode(), "sha256").hexdigest()


@dataclass
class Acting:
    officer: Officer
    user: User
    via: str  # session | device
    device: OfficerDevice | None


def acting() -> Acting | None:
    """Who is acting on an @officer_day route: the signed-in officer, else the trusted phone's officer."""
    if "acting_officer" in g:
        return g.acting_officer
    found = None
    device = device_from_cookie()
    if current_user.is_authenticated and current_user.role == "officer":
        user = current_user._get_current_object()
        officer = db.session.scalar(select(Officer).where(Officer.user_id == user.id))
        if officer is not None:
            mine = device if device is not None and device.officer_id == officer.id else None
            found = Acting(officer, user, "session", mine)
    elif device is not None:
        found = Acting(device.officer, device.officer.user, "device", device)
    g.acting_officer = found
    return found


def _session_token_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
        return True
    except ValidationError:
        return False


def request_allowed(who: Acting) -> bool:
    """A POST must prove it came from our page: the session's CSRF token, or the phone's form token."""
    if request.method in ("GET", "HEAD"):
        return True
    if who.via == "session" and _session_token_ok():
        return True
    sent = request.form.get("device_token", "")
    if who.device is not None and sent and hmac.compare_digest(sent, form_token(who.device)):
        who.device.last_used_at = utcnow()
        return True
    return False
