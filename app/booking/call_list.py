"""The supervisors' call list: residents to phone because a plan could not keep their visit, because
a change could not be sent to them, or to book an interpreter (app/booking/interpreters.py). One open
entry per visit; supervisors close it once they have called, and it closes itself, with the reason,
when the visit is moved or cancelled (by anyone, on any channel), completed or marked as a no-show:
nobody need call. An entry whose cause goes away otherwise (the visit re-assigned to an officer who may
do it, the officer able to do it again, ...) is closed by app.booking.live_calls, with why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.booking.errors import checked_text
from app.extensions import db
from app.messaging.outbox import letter_in_time, postal_address
from app.models import Appointment, CallListEntry, User
from app.officers.workdays import working_day
from app.staff import audit
from app.timeutil import to_local, utcnow

SOURCES = {
    "nightly": "Nightly plan",
    "cannot_do": "Nightly plan: the officer may no longer do it",
    "not_working": "Nightly plan: an officer is not working that day",
    "absence": "Absence re-plan",
    "officer_change": "Officer change",
    "interpreter": "Interpreter needed",
    "skill_removed": "Skill removed from the officer",
    "area_removed": "Community area removed from the officer",
}
# Entries for a visit its officers cannot keep (a plan left it out, or an officer may no longer do it):
# the call moves or cancels it with the resident. The field board says such a visit is on the list.
UNKEPT = ("nightly", "cannot_do", "not_working", "absence", "skill_removed", "area_removed")


def add(appointment: Appointment, reason: str, source: str) -> CallListEntry:
    """Put this visit on the list, unless it is on it already (the first, most specific reason stands)."""
    entry = open_for(appointment)
    if entry is not None:
        return entry
    entry = CallListEntry(appointment=appointment, open_for=appointment.id, reason=reason, source=source)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # added a moment ago by another job
        return open_for(appointment)
    audit.record("call_list_added", "appointment", appointment.reference, source=source)
    return entry


def untold_officer_change(appointment: Appointment) -> CallListEntry:
    """The visit's officer changed and no text or email reaches the resident (a letter would wait for
    the print batch): a supervisor tells them."""
    return add(
        appointment,
        f"Tell the resident {appointment.officer.name} will visit instead: no text or email reaches them",
        "officer_change",
    )


def unplaced_reason(appointment: Appointment, planner_says: str = "") -> str:
    """Why the nightly plan left this visit out, in words a supervisor can act on."""
    day = to_local(appointment.window_start).date()
    officers = [o for o in (appointment.officer, appointment.second_officer) if o is not None]
    for officer in officers:
        if working_day(officer, day) is None:
            absence = officer.absent_on(day)
            why = f"is {absence.wording}" if absence else "is not working that day"
            return f"{officer.name} {why} and no other officer has the visit yet: re-plan the day or call"
    names = " and ".join(o.name for o in officers) or "its officer"
    because = f": {planner_says}" if planner_says else ""
    return f"The nightly plan could not fit it into the day of {names} inside the promised window{because}"


def add_unplaced(
    appointments: list[Appointment], source: str = "nightly", why: Callable[[Appointment], str] | None = None
) -> list[CallListEntry]:
    """Every visit a plan came back without (the nightly job and `flask plan` call this); `why` gives the
    planner's own reason for each (DaySummary.why)."""
    return [
        add(a, unplaced_reason(a, why(a) if why else ""), _not_working_or(a, source))
        for a in appointments
        if a.is_active
    ]


def _not_working_or(appointment: Appointment, source: str) -> str:
    """The source "not_working" for a nightly plan's visit left out because an officer on it is not
    working that day (its cause goes when they are, app.booking.live_calls), else `source`."""
    day = to_local(appointment.window_start).date()
    officers = [o for o in (appointment.officer, appointment.second_officer) if o is not None]
    if source == "nightly" and any(working_day(o, day) is None for o in officers):
        return "not_working"
    return source


def open_entries() -> list[CallListEntry]:
    """Open entries, soonest visit first."""
    return list(
        db.session.scalars(
            select(CallListEntry)
            .join(CallListEntry.appointment)
            .where(CallListEntry.open_for.is_not(None))
            .options(
                selectinload(CallListEntry.appointment).selectinload(Appointment.customer),
                selectinload(CallListEntry.appointment).selectinload(Appointment.officer),
            )
            .order_by(Appointment.window_start, CallListEntry.id)
        )
    )


def open_for(appointment: Appointment) -> CallListEntry | None:
    return db.session.scalar(select(CallListEntry).where(CallListEntry.open_for == appointment.id))


def is_to_book(entry: CallListEntry) -> bool:
    """An interpreter entry is a booking to make, not a call: the page words its form and button so."""
    return entry.source == "interpreter"


def outcome_label(entry: CallListEntry) -> str:
    return "What was arranged" if is_to_book(entry) else "What was agreed"


def close(entry: CallListEntry, user: User | None, outcome: str) -> None:
    outcome = checked_text("outcome", outcome, outcome_label(entry))
    entry.open_for, entry.done_at, entry.done_by, entry.outcome = None, utcnow(), user, outcome
    audit.record("call_list_done", "appointment", entry.appointment.reference, user=user)


def close_automatically(entry: CallListEntry, why: str, user: User | None = None) -> None:
    """Nobody need call: the entry's cause has gone (app.booking.live_calls). `user` made the change
    that removed it, if a person did (None: a job)."""
    entry.open_for, entry.done_at, entry.done_by, entry.outcome = None, utcnow(), user, why
    entry.closed_automatically = True
    audit.record("call_list_closed_automatically", "appointment", entry.appointment.reference, user=user)


def close_for(appointment: Appointment, user: User | None, outcome: str) -> None:
    """The visit was moved, cancelled, completed or a no-show: its open entry (if any) is done, by
    whoever made the change."""
    entry = open_for(appointment)
    if entry is not None:
        close(entry, user, outcome)


RECENT = timedelta(days=7)


def recently_closed() -> list[CallListEntry]:
    """Entries closed in the last week, newest first: who closed each, when and how."""
    return list(
        db.session.scalars(
            select(CallListEntry)
            .where(CallListEntry.open_for.is_(None), CallListEntry.done_at >= utcnow() - RECENT)
            .options(
                selectinload(CallListEntry.appointment).selectinload(Appointment.customer),
                selectinload(CallListEntry.done_by),
            )
            .order_by(CallListEntry.done_at.desc(), CallListEntry.id.desc())
        )
    )


@dataclass(frozen=True)
class Reach:
    """How a supervisor can reach the resident about an entry, by what their record supports: "phone",
    else "email", else "letter" (an address to post to, and the post arrives before the visit:
    messaging.outbox.LETTER_NOTICE), "late_letter" (it would not) or "none"."""

    how: str
    phone: str = ""
    email: str = ""
    address: tuple[str, ...] = ()

    @property
    def verb(self) -> str:
        """What to do, in place of "call" in a reason: "call", "email", "write to", "contact"."""
        return {"phone": "call", "email": "email", "letter": "write to", "late_letter": "write to"}.get(
            self.how, "contact"
        )


def reach(appointment: Appointment) -> Reach:
    customer = appointment.customer
    if customer.phone:
        return Reach("phone", phone=customer.phone, email=customer.email or "")
    if customer.email:
        return Reach("email", email=customer.email)
    address = postal_address(appointment)
    if address:
        return Reach("letter" if letter_in_time(appointment) else "late_letter", address=address)
    return Reach("none")


def advice(entry: CallListEntry) -> str:
    """The entry's reason as the supervisor can act on it: "call the resident" (or "... or call") says
    "email" or "write to" when the record has no phone number."""
    verb = reach(entry.appointment).verb
    if verb == "call":
        return entry.reason
    said = entry.reason.replace("call the resident", f"{verb} the resident")
    return said[: -len(" or call")] + f" or {verb} them" if said.endswith(" or call") else said
