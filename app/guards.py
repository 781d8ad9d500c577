"""The web layer's guards: CSRF protection and rate limits (Flask extensions bound in the app factory).
Kept apart from app/extensions.py (the database), which domain code uses and the routes do not."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

from app.routes.kiosk_session import current_device

csrf = CSRFProtect()


def _rate_limit_key() -> str:
    """Public look-ups are limited per kiosk on kiosks (many people share one address there)."""
    device = current_device()
    return f"kiosk:{device.id}" if device is not None else get_remote_address()


limiter = Limiter(key_func=_rate_limit_key, default_limits=[])
