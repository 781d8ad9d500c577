"""An officer's day as they read it on a phone: visits in planned order, with what they need."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from app.appointments.presenters import place_name
from app.booking.changes import no_show_from
from app.booking.resident_changes import RESIDENT_CHANGED
from app.extensions import db
from app.models import Appointment, AppointmentEvent, Officer, RiskMarker, SafetyAlert, SafetySession
from app.models.safety import PRECAUTIONS, RISK_CATEGORIES
from app.risk.risk import AffectedVisit, markers_for_appointment, unresolved_for
from app.safety.safety import ON_THE_WAY, open_session
from app.timeutil import local_day_bounds, to_local, utcnow


@dataclass
class VisitCard:
    appointment: Appointment
    partner: Officer | None
    markers: list[RiskMarker]
    session: SafetySession | None
    unresolved: list[AffectedVisit] = field(default_factory=list)
    on_the_way: bool = False  # the officer tapped "On my way" and has not arrived yet
    # The resident's latest change on their booking's page (contact details, access needs, interpreter):
    # the history event, whose note says what changed (app/booking/resident_changes.py).
    resident_change: AppointmentEvent | None = None

    @property
    def resident_changed(self) -> str:
        """What the resident changed last, for the card: "access needs, interpreter"."""
        event = self.resident_change
        return event.note.removeprefix(RESIDENT_CHANGED) if event is not None else ""

    @property
    def nobody_in_from(self) -> datetime:
        """When "Nobody in" can first be recorded: the card says so while checked in before then."""
        return no_show_from(self.appointment)

    @property
    def in_progress(self) -> bool:
        return self.session is not None

    @property
    def directions_url(self) -> str:
        a = self.appointment
        return f"https://www.google.com/maps/dir/?api=1&destination={a.lat:.6f},{a.lng:.6f}"

    @property
    def warnings(self) -> list[str]:
        return [
            f"{RISK_CATEGORIES.get(m.category, m.category)}: {PRECAUTIONS.get(m.precaution, m.precaution)}"
            for m in self.markers
        ]


def day_for(officer: Officer, day: date) -> list[VisitCard]:
    start, end = local_day_bounds(day)
    visits = list(
        db.session.scalars(
            select(Appointment).where(
                (Appointment.officer_id == officer.id) | (Appointment.second_officer_id == officer.id),
                Appointment.window_start >= start,
                Appointment.window_start < end,
                Appointment.status.in_(("booked", "checked_in", "completed", "no_show")),
            )
        )
    )
    visits.sort(key=lambda a: (a.planned_arrival or a.window_start, a.id))
    on_the_way = set(
        db.session.scalars(
            select(AppointmentEvent.appointment_id).where(
                AppointmentEvent.appointment_id.in_([a.id for a in visits if a.status == "booked"]),
                AppointmentEvent.note == ON_THE_WAY,
                # Their own tap: a colleague's, before a re-plan gave them the visit, is not theirs.
                AppointmentEvent.actor_id == officer.user_id,
            )
        )
    )
    changes = {
        event.appointment_id: event  # the latest per visit (ordered by time)
        for event in db.session.scalars(
            select(AppointmentEvent)
            .where(
                AppointmentEvent.appointment_id.in_([a.id for a in visits]),
                AppointmentEvent.note.startswith(RESIDENT_CHANGED),
            )
            .order_by(AppointmentEvent.at, AppointmentEvent.id)
        )
    }
    cards = []
    for a in visits:
        partner = a.second_officer if a.officer_id == officer.id else a.officer
        cards.append(
            VisitCard(
                a,
                partner if a.second_officer_id else None,
                markers_for_appointment(a),
                open_session(a, officer),
                unresolved_for(a) if a.is_active else [],
                a.id in on_the_way,
                changes.get(a.id),
            )
        )
    return cards


def map_points(officer: Officer, cards: list[VisitCard]) -> list[dict]:
    """The day on a map (the same stops the page lists, so the map is never the only way to see them)."""
    points = [{"mark": "B", "label": "Base", "lat": officer.base_lat, "lng": officer.base_lng, "time": ""}]
    for number, card in enumerate(cards, start=1):
        a = card.appointment
        label = f"{number}. {a.service.name}, {place_name(a)}"  # shown when the stop is tapped
        points.append({"mark": str(number), "label": label, "lat": a.lat, "lng": a.lng, "time": ""})
    return points


def latest_help(officer: Officer, now: datetime | None = None) -> SafetyAlert | None:
    """The officer's latest Help press today, for their phone to say whether a supervisor has picked it
    up (acknowledged it on Safety alerts) and who. Read as the page loads: the officer's pages have no
    polling, and a reload (or the next tap) shows it. Only Help: a duress word shows nothing on the
    phone, which someone else may be reading."""
    now = now or utcnow()
    start, end = local_day_bounds(to_local(now).date())
    return db.session.scalars(
        select(SafetyAlert)
        .where(
            SafetyAlert.officer_id == officer.id,
            SafetyAlert.kind == "help",
            SafetyAlert.created_at >= start,
            SafetyAlert.created_at < end,
        )
        .order_by(SafetyAlert.created_at.desc(), SafetyAlert.id.desc())
        .limit(1)
    ).first()
