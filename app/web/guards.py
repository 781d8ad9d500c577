"""The web layer's guards: CSRF protection and rate limits (Flask extensions bound in the app factory).
Kept apart from app/extensions.py (the database), which domain code uses and the routes do not."""

from __future__ import annotations

import copy
import ipaddress

from flask import Flask, current_app, has_app_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

from app.web.kiosk_session import current_device

csrf = CSRFProtect()


def client_address() -> str:
    """Who is calling, for rate limits: the client's address, an IPv6 one as its /64. One home broadband
    line or cloud server holds a whole /64 (2^64 addresses) and may send each request from another, so
    keyed on the full address every "per address" limit was no limit at all from IPv6 (attack of
    2 December 2026: 40 reference look-ups in a row where the limit is 10). An IPv4 address written as
    IPv6 (::ffff:192.0.2.1) is that IPv4 address."""
    address = get_remote_address() or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return address
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


# Look-ups by booking reference (finding a booking to manage, rating a visit at a kiosk): each is a guess
# at a reference, so few a minute and an hour, per address (per kiosk on kiosks: _rate_limit_key).
REFERENCE_LOOKUPS = "10 per minute; 30 per hour"


def _rate_limit_key() -> str:
    """Public look-ups are limited per kiosk on kiosks (many people share one address there)."""
    device = current_device()
    return f"kiosk:{device.id}" if device is not None else client_address()


# What Flask-Limiter's init_app and its checks set on the Limiter object: the switch, the storage and
# its strategy, the key prefix, the fallback and the settings read from the app's config.
_PER_APP_STATE = frozenset(
    {
        "enabled",
        "initialized",
        "_storage",
        "_storage_options",
        "_strategy",
        "_limiter",
        "_key_prefix",
        "_storage_dead",
        "_fallback_storage",
        "_fallback_limiter",
        "_in_memory_fallback",
        "_in_memory_fallback_enabled",
        "_swallow_errors",
        "_fail_on_first_breach",
        "_headers_enabled",
        "_header_mapping",
        "_retry_after",
        "_request_identifier",
        "_on_breach",
        "_on_meta_breach",
        "_meta_limits",
        "_default_limits_per_method",
        "_default_limits_exempt_when",
        "_default_limits_deduct_when",
        "_default_limits_cost",
        "_application_limits_per_method",
        "_application_limits_exempt_when",
        "_application_limits_deduct_when",
        "_application_limits_cost",
        "_Limiter__check_backend_count",
        "_Limiter__last_check_backend",
    }
)
_STATE_KEY = "doorstep_limiter_state"


class PerAppLimiter(Limiter):
    """Flask-Limiter keeps its switch, storage and settings on the Limiter object, so with several apps
    in one process (the tests make many) the last one set up would decide for every one of them, and
    the first one's key prefix would stick. The routes' decorators need one object: this one keeps that
    state per app (in app.extensions), each from its own settings."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        defaults = {name: value for name, value in vars(self).items() if name in _PER_APP_STATE}
        object.__setattr__(self, "_defaults", defaults)

    @staticmethod
    def _app_state() -> dict | None:
        return current_app.extensions.get(_STATE_KEY) if has_app_context() else None

    def __getattribute__(self, name: str):
        if name in _PER_APP_STATE:
            state = PerAppLimiter._app_state()
            if state is not None and name in state:
                return state[name]
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value) -> None:
        state = PerAppLimiter._app_state() if name in _PER_APP_STATE else None
        if state is None:
            object.__setattr__(self, name, value)
        else:
            state[name] = value

    def init_app(self, app: Flask) -> None:
        app.extensions[_STATE_KEY] = {name: copy.copy(value) for name, value in self._defaults.items()}
        with app.app_context():
            super().init_app(app)


limiter = PerAppLimiter(key_func=_rate_limit_key, default_limits=[])
