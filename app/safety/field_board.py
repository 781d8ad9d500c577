"""The supervisors' field board: every officer with visits today, the visits in planned order, and where
each stands now (on the way, checked in, running over, not checked in, done): the words the officer's
phone and the safety alerts use for the same states (STATUS_LABELS, ALERT_KINDS).

The overdue ladder (safety.run_checks) alerts on the same facts once they are late; this page lets a
supervisor see trouble coming and answer "where is Mo?" without phoning. Late and over use the ladder's
own GRACE, so the board and the alerts never disagree about who is late. The open safety alerts (a Help
press, the duress word, an escalation nobody has acknowledged) head the board and count among what needs
a look: a board saying "Nobody is late" while an officer has asked for help sends nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.appointments.presenters import STATUS_LABELS, status_label
from app.booking.call_list import UNKEPT
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentEvent,
    CallListEntry,
    Officer,
    SafetyAlert,
    SafetySession,
)
from app.officers.workdays import working_day
from app.safety.safety import GRACE, ON_THE_WAY
from app.timeutil import local_day_bounds, to_local, utcnow

SHOWN = ("booked", "checked_in", "completed", "no_show")  # cancelled visits are not on anyone's day

# state: (what the board says, the GOV.UK tag's colour); "late" and "over" need a supervisor's eye.
STATES = {
    "later": ("Booked", "grey"),
    "due": ("Due now", "light-blue"),
    "on_the_way": ("On the way", "blue"),
    "arrived": (STATUS_LABELS["checked_in"], "turquoise"),
    "over": ("Running over", "red"),
    "late": ("Not checked in", "red"),
    "completed": (STATUS_LABELS["completed"], "green"),
    "no_show": (STATUS_LABELS["no_show"], "purple"),
    "no_officer": ("Officer not working", "red"),
}
NEEDS_A_LOOK = ("late", "over", "no_officer")


@dataclass(frozen=True)
class BoardVisit:
    appointment: Appointment
    state: str
    since: datetime | None = None  # when the state began (on the way, arrived, completed)
    until: datetime | None = None  # an arrived visit: when the officer is due to check out
    minutes: int = 0  # late or over: by how many minutes
    # An officer not working today ("no_officer"): the other officer on a two-officer visit who still
    # comes, and whether the visit is on Residents to call (a re-plan could not keep it), so the board
    # says what is true rather than "re-plan it" for a visit already re-planned.
    still_comes: Officer | None = None
    to_call: bool = False

    @property
    def label(self) -> str:
        if self.state == "no_show":  # "Did not come" at a hub, as the officer's phone says it
            return status_label("no_show", self.appointment.hub)
        return STATES[self.state][0]

    @property
    def colour(self) -> str:
        return STATES[self.state][1]

    @property
    def needs_a_look(self) -> bool:
        return self.state in NEEDS_A_LOOK


@dataclass
class OfficerRow:
    officer: Officer
    visits: list[BoardVisit] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(v.state in ("completed", "no_show") for v in self.visits)

    @property
    def needs_a_look(self) -> list[BoardVisit]:
        return [v for v in self.visits if v.needs_a_look]


def needs_a_look(alerts: list[SafetyAlert], rows: list[OfficerRow]) -> str:
    """The board's count: "1 safety alert and 2 visits need a look"; "" when nothing does."""
    visits = sum(len(row.needs_a_look) for row in rows)
    parts = []
    if alerts:
        parts.append(f"{len(alerts)} open safety alert{'s' if len(alerts) != 1 else ''}")
    if visits:
        parts.append(f"{visits} visit{'s' if visits != 1 else ''}")
    if not parts:
        return ""
    one = len(alerts) + visits == 1
    return f"{' and '.join(parts)} need{'s' if one else ''} a look"


def field_today(now: datetime | None = None) -> list[OfficerRow]:
    """Today's officers (those with visits), by name; a two-officer visit is on both officers' rows."""
    now = now or utcnow()
    start, end = local_day_bounds(to_local(now).date())
    visits = list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.window_start >= start,
                Appointment.window_start < end,
                Appointment.status.in_(SHOWN),
                Appointment.officer_id.is_not(None),
            )
            .options(
                selectinload(Appointment.officer),
                selectinload(Appointment.second_officer),
                selectinload(Appointment.service),
                selectinload(Appointment.hub),
            )
        )
    )
    ids = [a.id for a in visits]
    sessions = {
        s.appointment_id: s
        for s in db.session.scalars(
            select(SafetySession)
            .where(SafetySession.appointment_id.in_(ids), SafetySession.closed_at.is_(None))
            .order_by(SafetySession.started_at)
        )
    }
    events = db.session.execute(
        select(
            AppointmentEvent.appointment_id,
            AppointmentEvent.status,
            AppointmentEvent.note,
            AppointmentEvent.at,
            AppointmentEvent.actor_id,
        )
        .where(AppointmentEvent.appointment_id.in_(ids))
        .order_by(AppointmentEvent.at)
    ).all()
    # "On my way" from an officer still on the visit: one tapped by the officer a re-plan took it from
    # does not say the new one is coming.
    on_it = {a.id: {o.user_id for o in (a.officer, a.second_officer) if o and o.user_id} for a in visits}
    on_the_way = {
        e.appointment_id: e.at
        for e in events
        if e.note == ON_THE_WAY and e.actor_id in on_it[e.appointment_id]
    }
    finished = {e.appointment_id: e.at for e in events if e.status in ("completed", "no_show")}
    to_call = set(
        db.session.scalars(
            select(CallListEntry.open_for).where(
                CallListEntry.open_for.in_(ids), CallListEntry.source.in_(UNKEPT)
            )
        )
    )
    today = to_local(now).date()
    rows: dict[int, OfficerRow] = {}
    for a in sorted(visits, key=lambda a: (a.planned_arrival or a.window_start, a.id)):
        seen = _state(a, now, sessions.get(a.id), on_the_way.get(a.id), finished.get(a.id))
        officers = [o for o in (a.officer, a.second_officer) if o is not None]
        # Only a visit still to come can be left without its officer (asked only then: it reads rotas).
        to_come = seen.state in ("later", "due", "late")
        working = [o for o in officers if working_day(o, today) is not None] if to_come else officers
        for officer in officers:
            if officer not in working:
                # Switched off, absent or not their day: they will not come. Of a pair, the other may
                # still; a re-plan that could not keep the visit put it on Residents to call.
                partner = next((o for o in working if o is not officer), None)
                mine = BoardVisit(a, "no_officer", still_comes=partner, to_call=a.id in to_call)
            else:
                mine = seen
            rows.setdefault(officer.id, OfficerRow(officer)).visits.append(mine)
    return sorted(rows.values(), key=lambda row: (row.officer.last_name, row.officer.first_name))


def _state(
    a: Appointment,
    now: datetime,
    session: SafetySession | None,
    on_the_way: datetime | None,
    finished: datetime | None,
) -> BoardVisit:
    if a.status in ("completed", "no_show"):
        return BoardVisit(a, a.status, since=finished)
    if a.status == "checked_in":
        if session is not None and now > session.expected_end_at:
            return BoardVisit(
                a, "over", since=session.started_at, minutes=_minutes(now - session.expected_end_at)
            )
        return BoardVisit(
            a,
            "arrived",
            since=session.started_at if session else None,
            until=session.expected_end_at if session else None,
        )
    if now > a.window_end + GRACE:
        return BoardVisit(a, "late", since=on_the_way, minutes=_minutes(now - a.window_end))
    if on_the_way is not None:
        return BoardVisit(a, "on_the_way", since=on_the_way)
    return BoardVisit(a, "due" if now >= a.window_start else "later")


def _minutes(delta) -> int:
    return max(int(delta.total_seconds() // 60), 0)
