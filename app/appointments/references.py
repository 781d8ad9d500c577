"""Booking references: short, and unambiguous when read aloud or copied by hand."""

from __future__ import annotations

import secrets

from app.appointments import queries as appointments
from app.models import Appointment

# No 0/O, 1/I/L, 5/S or 2/Z pairs to misread over the phone.
REFERENCE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def format_reference(reference: str) -> str:
    """ABCD2345 -> ABCD-2345, the way people are shown it."""
    return f"{reference[:4]}-{reference[4:]}" if len(reference) == REFERENCE_LENGTH else reference


def clean_reference(text: str) -> str:
    """What someone typed (any case, spaces, dashes) -> the stored form."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def find(text: str | None) -> Appointment | None:
    """The one look-up by reference: the appointment however its reference was typed, or None."""
    reference = clean_reference(text or "")
    return appointments.by_reference(reference) if reference else None
