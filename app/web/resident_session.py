"""Which booking this browser is linked to: the one it booked, and the one it opened to manage. Web
state, so it lives with the routes; what makes a claim hold (the booking's link and session versions)
is in app/appointments/links.py.

Each key holds the booking's reference with the versions it had when this browser was linked, so a
revoked link or "I have finished" ends this session and every copy of its cookie, on the next request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import session

from app.appointments import references
from app.appointments.links import Claim, session_claim

if TYPE_CHECKING:
    from app.models import Appointment

MANAGED = "manage_reference"  # opened from a manage link, or found by reference, surname and postcode
BOOKED = "booked_reference"  # just booked in this browser (the confirmation, equality and kiosk ticket)


def link(key: str, appointment: Appointment) -> None:
    claim = session_claim(appointment)
    session[key] = [claim.reference, claim.link_version, claim.session_version]


def linked(key: str) -> Appointment | None:
    """The booking under `key`, while its versions still match; a stale claim is dropped."""
    claim = _claim(session.get(key))
    if claim is None:
        return None
    appointment = references.find(claim.reference)
    if appointment is None or not claim.holds_for(appointment):
        session.pop(key, None)
        return None
    return appointment


def unlink(key: str) -> None:
    session.pop(key, None)


def _claim(value) -> Claim | None:
    if isinstance(value, str) and value:  # a session from before versions: version 0 until ended
        return Claim(value, 0, 0)
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        return Claim(value[0], int(value[1]), int(value[2]))
    return None
