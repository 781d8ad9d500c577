"""Only live work on the supervisors' call list: an open entry whose cause has gone is closed by itself,
with why, and stays in the list's history ("Done in the last 7 days", closed by Doorstep).

Moving, cancelling, completing a visit or recording nobody in already closes its entry where the change
is made (app.booking.changes). This reads each open entry's own cause again:

- the officer may no longer do it (skill or area taken away, switched off; the nightly plan's
  `cannot_do`): gone once every officer on the visit may do it (coverage.may_do, the rule availability
  and the nightly plan ask), because it was re-assigned or the officer may do it again;
- an absence re-plan could not keep it, or the nightly plan left it out as an officer on it is not
  working that day (`not_working`): gone once every officer on it is working that day;
- the nightly plan could not fit it in: gone once a stored route of each of its officers holds it (a
  later plan or re-plan placed it) and they may do it;
- an interpreter is needed: gone once an officer on it speaks the language, or none is asked for;
- the resident must be told of an officer change: never by itself (someone has to tell them).

One open entry per visit, so a visit that could not be placed for several reasons is listed for one of
them. When that entry's cause goes, the visit is listed again at once for the cause that still holds,
in its own words (`still_holds`: the resident still to be told of a re-assignment, an officer on it who
may no longer do it, an officer on it not working that day, an interpreter to book), never left off the
list while it cannot go ahead, nor kept on it with a reason that is no longer true.

`close_resolved` runs wherever such a cause can go away: the nightly plan job and `flask plan`, a
published re-plan, saving an officer's record and removing an absence. Caller commits.
"""

from __future__ import annotations

from sqlalchemy import select

from app.appointments.presenters import status_label, when
from app.booking import call_list
from app.booking.changes import place_to_move
from app.booking.coverage import may_do, why_may_not_do
from app.booking.interpreters import interpreter_needed, language_name, normalise, spoken_by
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentEvent,
    CallListEntry,
    Message,
    Officer,
    RoutePlan,
    RouteStop,
    User,
)
from app.officers.roster import roster
from app.officers.workdays import working_day
from app.timeutil import to_local

OFFICER_CHANGED = "Officer changed from "  # how planning._change_officers' history event begins


def close_resolved(user: User | None = None) -> list[CallListEntry]:
    """Close every open entry whose cause has gone, saying why; the entries closed. `user`: the person
    whose change removed the causes (None: a job)."""
    db.session.flush()  # the roster as this transaction has changed it (coverage.may_do reads it)
    closed = []
    for entry in call_list.open_entries():
        why = cause_gone(entry)
        if why is None:
            continue
        call_list.close_automatically(entry, why, user)
        closed.append(entry)
        if entry.appointment.is_active:
            db.session.flush()
            _list_again(entry)
    return closed


def _list_again(entry: CallListEntry) -> CallListEntry | None:
    """The entry stood in for any other cause the visit had (one open entry per visit): list the visit
    again for the first that still holds, in its own words."""
    visit = entry.appointment
    if _reassigned_since(entry) and not _told_since(entry):
        # The resident, whom no text or email reaches, still has to be told who is coming.
        return call_list.untold_officer_change(visit)
    held = still_holds(visit)
    return call_list.add(visit, *held) if held else None


def still_holds(visit: Appointment) -> tuple[str, str] | None:
    """The first cause that keeps this visit from going ahead as booked, as (reason, source) for the
    call list, or None: an officer on it may no longer do it, an officer on it is not working that day,
    an interpreter is needed and nobody on it speaks the language."""
    officers = _officers(visit)
    place = place_to_move(visit)
    unable = [f"{o.name} {because}" for o in officers if (because := why_may_not_do(visit.service, place, o))]
    if unable:
        return f"{' and '.join(unable)} ({when(visit)}): move it, or call the resident", "cannot_do"
    day = to_local(visit.window_start).date()
    if not all(_working(o, day) for o in officers):
        return call_list.unplaced_reason(visit), "not_working"
    language = interpreter_needed(visit)
    return (language, "interpreter") if language else None


def cause_gone(entry: CallListEntry) -> str | None:
    """Why nobody need call about this entry any more, or None while its cause holds."""
    visit = entry.appointment
    if not visit.is_active:
        return f"The visit is {status_label(visit.status, visit.hub).lower()}"
    officers = _officers(visit)
    if not officers:
        return None
    names = " and ".join(o.name for o in officers)
    source = entry.source
    if source in ("skill_removed", "area_removed", "cannot_do"):
        if not _all_may_do(visit, officers):
            return None
        if _reassigned_since(entry):
            return f"Re-assigned to {names}, who may do it: the promised time is unchanged"
        return f"{names} may do this visit again"
    if source in ("absence", "not_working"):
        day = to_local(visit.window_start).date()
        if not all(_working(o, day) for o in officers):
            return None
        if _reassigned_since(entry):
            return f"Re-assigned to {names}, working that day: the promised time is unchanged"
        return f"{names} is working that day again" if len(officers) == 1 else f"{names} are working that day"
    if source == "nightly":
        if not _on_routes(visit, officers) or not _all_may_do(visit, officers):
            return None
        return f"A later plan placed it on the route of {names}"
    if source == "interpreter":
        language = visit.interpreter_language.strip()
        if not language:
            return "No interpreter is asked for now"
        speaker = next((o for o in officers if normalise(language) in spoken_by(o)), None)
        if speaker is None:
            return None
        return f"{speaker.name}, who speaks {language_name(language)}, now has the visit"
    return None  # officer_change: the resident still has to be told


def _officers(visit: Appointment) -> list[Officer]:
    return [o for o in (visit.officer, visit.second_officer) if o is not None]


def _working(officer: Officer, day) -> bool:
    """Working that day, by the roster as committed or as this transaction changed it (availability's)."""
    listed = roster().officer(officer.id)
    return listed is not None and working_day(listed, day) is not None


def _all_may_do(visit: Appointment, officers: list[Officer]) -> bool:
    place = place_to_move(visit)
    return all(may_do(visit.service, place, o.id) for o in officers)


def _reassigned_since(entry: CallListEntry) -> bool:
    """The visit's officers were changed after the entry was made (a re-plan, or the nightly plan)."""
    return bool(
        db.session.scalar(
            select(AppointmentEvent.id)
            .where(
                AppointmentEvent.appointment_id == entry.appointment_id,
                AppointmentEvent.at >= entry.created_at,
                AppointmentEvent.note.startswith(OFFICER_CHANGED),
            )
            .limit(1)
        )
    )


def _told_since(entry: CallListEntry) -> bool:
    """A text or an email about the change of officer went to the resident after the entry was made."""
    return bool(
        db.session.scalar(
            select(Message.id)
            .where(
                Message.appointment_id == entry.appointment_id,
                Message.kind == "officer_change",
                Message.channel.in_(("sms", "email")),
                Message.created_at >= entry.created_at,
            )
            .limit(1)
        )
    )


def _on_routes(visit: Appointment, officers: list[Officer]) -> bool:
    """A stored route of each of its officers, for its day, holds the visit."""
    day = to_local(visit.window_start).date()
    holding = set(
        db.session.scalars(
            select(RoutePlan.officer_id)
            .join(RouteStop, RouteStop.plan_id == RoutePlan.id)
            .where(RoutePlan.day == day, RouteStop.appointment_id == visit.id)
        )
    )
    return {o.id for o in officers} <= holding
