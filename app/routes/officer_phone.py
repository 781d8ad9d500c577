"""Who is acting on an officer's day page: the signed-in officer, or the officer whose trusted work phone
this is (its cookie), and whether a POST really came from our page. Web state, so it lives with the
routes; registering and revoking phones are rules in app/safety/devices.py.

The secret sits in an HttpOnly cookie scoped to /officer; only its SHA-256 is stored. It authorises
the routes declared @officer_day (the officer's own day and the safety actions) and nothing else on
the staff site. Forms posted with it carry a per-device token (an HMAC of the device), so another site
cannot make the phone act (CSRF), and a page cached for use with no signal keeps working.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Response, current_app, g, has_request_context, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from app.safety import devices, safety

if TYPE_CHECKING:
    from app.models import Officer, OfficerDevice, User

COOKIE = "doorstep_device"
COOKIE_PATH = "/officer"


def set_cookie(response: Response, secret: str) -> Response:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(devices.LIFETIME.total_seconds()),
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
    g.officer_device = devices.trusted(secret) if secret else None
    return g.officer_device


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
        officer = safety.officer_for(user)
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
    if who.device is not None and sent and hmac.compare_digest(sent, devices.form_token(who.device)):
        devices.used(who.device)
        return True
    return False
