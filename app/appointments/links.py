"""Signed links for residents: manage a booking, download its calendar file. No login needed.

The two links carry different tokens: a calendar address is copied into calendar apps and shared
calendars, so it must not also change or cancel the booking."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.models import Appointment

MAX_AGE = 400 * 24 * 3600  # long enough to outlive any booking horizon and its follow-up


MANAGE, CALENDAR = "doorstep-manage", "doorstep-calendar"


def _serializer(salt: str = MANAGE) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def token_for(appointment: Appointment, salt: str = MANAGE) -> str:
    return _serializer(salt).dumps(appointment.reference)


def reference_from(token: str, salt: str = MANAGE) -> str | None:
    try:
        return _serializer(salt).loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None


def calendar_reference_from(token: str) -> str | None:
    """A calendar token, or a manage token (whoever may manage a booking may also download it)."""
    return reference_from(token, CALENDAR) or reference_from(token, MANAGE)


def external_url(endpoint: str, external: bool = True, **values) -> str:
    """A link that leaves the page (a text, an email, an address shown to copy) always starts with
    PUBLIC_BASE_URL, never with the Host header of the request that caused it: anyone can forge that."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:  # a background job: build the path in a throwaway request
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    if not external:
        return path
    return current_app.config["PUBLIC_BASE_URL"] + path


def manage_url(appointment: Appointment, external: bool = True) -> str:
    return external_url("manage.view", external, token=token_for(appointment))


def ics_url(appointment: Appointment, external: bool = True) -> str:
    return external_url(
        "api.calendar", external, reference=appointment.reference, token=token_for(appointment, CALENDAR)
    )
