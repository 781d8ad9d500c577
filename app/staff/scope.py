"""What each staff role may do to an appointment: one rule for the API and the screens.

Agents, supervisors and admins book, move and cancel for any caller (the phone agents' work). An
officer reads only the visits they are assigned to, and changes none: that is the office's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.models import Appointment, User

if TYPE_CHECKING:
    from app.staff.tokens import Caller

BOOKING_STAFF = ("agent", "supervisor", "admin")


def assigned_to(user: User, appointment: Appointment) -> bool:
    officers = (appointment.officer, appointment.second_officer)
    return any(o is not None and o.user_id == user.id for o in officers)


def may_change(user: User | Caller) -> bool:
    """Book, move and cancel bookings (and so be given the resident's link that does). By role alone, so
    an API request's caller will do (its user is not loaded for it)."""
    return user.role in BOOKING_STAFF


def may_read(user: User, appointment: Appointment) -> bool:
    if user.role in BOOKING_STAFF:
        return True
    return user.role == "officer" and assigned_to(user, appointment)
