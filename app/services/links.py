"""Signed links for residents: manage a booking, download its calendar file. No login needed."""

from __future__ import annotations

from flask import current_app, url_for
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


def manage_url(appointment: Appointment, external: bool = True) -> str:
    return url_for("manage.view", token=token_for(appointment), _external=external)


def ics_url(appointment: Appointment, external: bool = True) -> str:
    return url_for(
        "api.calendar", reference=appointment.reference, token=token_for(appointment), _external=external
    )
