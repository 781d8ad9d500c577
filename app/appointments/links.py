"""Signed links for residents: manage a booking, download its calendar file. No login needed.

The two links carry different tokens: a calendar address is copied into calendar apps and shared
calendars, so it must not also change or cancel the booking.

Each token carries the booking's link version, and a resident session carries it and the booking's
session version. Staff raise the link version (app/messaging/new_link.py) to end every link and session
at once; "I have finished" raises the session version, ending every copy of that session while the
resident's own link keeps working. Links issued before versions (a bare reference) count as version 0,
so they keep working until the booking's first revocation."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.config import settings
from app.models import Appointment

MAX_AGE = 400 * 24 * 3600  # long enough to outlive any booking horizon and its follow-up


MANAGE, CALENDAR = "doorstep-manage", "doorstep-calendar"


def _serializer(salt: str = MANAGE) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings().secret_key, salt=salt)


def token_for(appointment: Appointment, salt: str = MANAGE) -> str:
    return _serializer(salt).dumps([appointment.reference, appointment.link_version or 0])  # 0 before insert


@dataclass(frozen=True)
class Claim:
    """What a link or a resident session says: this booking, at these versions."""

    reference: str
    link_version: int = 0
    session_version: int | None = None  # a link has none: it starts sessions

    def holds_for(self, appointment: Appointment) -> bool:
        """Still good: the booking's versions have not moved on since it was issued."""
        return (
            appointment.reference == self.reference
            and appointment.link_version == self.link_version
            and self.session_version in (None, appointment.session_version)
        )


def claim_from(token: str, salt: str = MANAGE) -> Claim | None:
    """The claim of a genuine, unexpired token (whether it still holds is the booking's to say)."""
    try:
        value = _serializer(salt).loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if isinstance(value, str):  # issued before link versions: version 0 until revoked
        return Claim(value)
    if isinstance(value, list) and len(value) == 2:
        reference, version = value
        if isinstance(reference, str) and isinstance(version, int):
            return Claim(reference, version)
    return None


def calendar_link_works(token: str, appointment: Appointment) -> bool:
    """A calendar token, or a manage token (whoever may manage a booking may also download it),
    issued for this booking and not revoked since."""
    claim = claim_from(token, CALENDAR) or claim_from(token, MANAGE)
    return claim is not None and claim.holds_for(appointment)


def session_claim(appointment: Appointment) -> Claim:
    """What a resident session opened now carries."""
    return Claim(appointment.reference, appointment.link_version, appointment.session_version)


def end_sessions(appointment: Appointment) -> None:
    """ "I have finished": every session for this booking ends, copies of its cookie included. The
    resident's links keep working (they are theirs, from our text or email)."""
    appointment.session_version += 1


def revoke_links(appointment: Appointment) -> None:
    """Every manage and calendar link issued so far, and every session they opened, stop working."""
    appointment.link_version += 1


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
    return settings().public_base_url + path


def manage_url(appointment: Appointment, external: bool = True) -> str:
    return external_url("manage.view", external, token=token_for(appointment))


def ics_url(appointment: Appointment, external: bool = True) -> str:
    return external_url(
        "api.calendar", external, reference=appointment.reference, token=token_for(appointment, CALENDAR)
    )
