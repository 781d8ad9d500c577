"""Signed links for residents: manage a booking, download its calendar file. No login needed."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.models import Appointment

MAX_AGE = 400 * 24 * 3600  # long enough to outlive any booking horizon and its follow-up


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="doorstep-manage")


def token_for(appointment: Appointment) -> str:
    return _serializer().dumps(appointment.reference)


def reference_from(token: str) -> str | None:
    try:
        return _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None


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
        "api.calendar", external, reference=appointment.reference, token=token_for(appointment)
    )
