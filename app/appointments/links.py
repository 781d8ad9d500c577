"""Signed links for residents: manage a booking, download its calendar file. No login needed.

The two links carry different tokens: a calendar address is copied into calendar apps and shared
calendars, so it must not also change or cancel the booking.

Each token is signed for the booking's link version, and a resident session holds it and the booking's
session version. Staff raise the link version (app/messaging/new_link.py) to end every link and session
at once; "I have finished" raises the session version, ending every copy of that session while the
resident's own link keeps working. Links issued before versions were signed as version 0 is, so they
keep working until the booking's first new link."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.config import settings
from app.models import Appointment

MAX_AGE = 400 * 24 * 3600  # long enough to outlive any booking horizon and its follow-up


MANAGE, CALENDAR = "doorstep-manage", "doorstep-calendar"
OLDER_VERSIONS_RECOGNISED = 20  # a link this many versions old or older just "does not work"
LONGEST_TOKEN = 200  # ours are about 50 characters: a quoted reference, a timestamp and a signature


def _serializer(salt: str, version: int = 0) -> URLSafeTimedSerializer:
    """Version 0 signs as links always did, so links issued before versions are version 0."""
    return _made(settings().secret_key, salt if version == 0 else f"{salt}:v{version}")


@lru_cache(maxsize=256)
def _made(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    """One serializer per key and salt, made once: it holds no state between calls, and each booking's
    answer signs two links (making the serializer was about a third of signing one)."""
    return URLSafeTimedSerializer(secret_key, salt=salt)


def token_for(appointment: Appointment, salt: str = MANAGE) -> str:
    """The reference, signed for the booking's link version: the version is in the signature, not the
    token, so a link is no longer than before (a Nepali text has 67 characters a segment)."""
    return _serializer(salt, appointment.link_version or 0).dumps(appointment.reference)  # 0 before insert


def reference_named(token: str, salt: str = MANAGE) -> str | None:
    """The reference a token names, NOT verified: only to look up the booking whose version checks it.

    Nothing unverified is inflated: itsdangerous reads a payload starting with "." as zlib-compressed and
    inflates and parses it before any signature is checked, so a 3.5 KB link became 3 MB of JSON and two
    seconds of a worker (attack of 2 December 2026). Ours are never compressed (a reference is shorter
    than its compressed form) and are about 50 characters long: anything else names no booking."""
    if len(token) > LONGEST_TOKEN or token.startswith("."):
        return None
    _, reference = _serializer(salt).loads_unsafe(token)  # (False, None) for anything unreadable
    return reference if isinstance(reference, str) else None


def signed_version(token: str, appointment: Appointment, salt: str = MANAGE) -> int | None:
    """The link version this genuine, unexpired token was issued at for this booking, or None."""
    newest = appointment.link_version
    for version in range(newest, max(newest - OLDER_VERSIONS_RECOGNISED, -1), -1):
        try:
            reference = _serializer(salt, version).loads(token, max_age=MAX_AGE)
        except BadSignature:
            continue
        return version if reference == appointment.reference else None
    return None


def link_works(token: str, appointment: Appointment, salt: str = MANAGE) -> bool:
    return signed_version(token, appointment, salt) == appointment.link_version


def calendar_link_works(token: str, appointment: Appointment) -> bool:
    """A calendar token, or a manage token (whoever may manage a booking may also download it),
    issued for this booking and not revoked since."""
    return link_works(token, appointment, CALENDAR) or link_works(token, appointment, MANAGE)


@dataclass(frozen=True)
class Claim:
    """What a resident session holds: this booking, at the versions it had when the session began."""

    reference: str
    link_version: int
    session_version: int

    def holds_for(self, appointment: Appointment) -> bool:
        """Still good: neither a new link nor "I have finished" has happened since."""
        return (appointment.reference, appointment.link_version, appointment.session_version) == (
            self.reference,
            self.link_version,
            self.session_version,
        )


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
    else:  # a background job: build the path in a throwaway request to the public host, which
        # production trusts (it refuses "localhost", test_request_context's default: no URL adapter then)
        public = urlsplit(settings().public_base_url)
        with current_app.test_request_context(base_url=f"{public.scheme}://{public.netloc}/"):
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
