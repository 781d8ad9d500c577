"""An officer's day as they read it on a phone: visits in planned order, with what they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, Officer, RiskMarker
from app.models.safety import PRECAUTIONS, RISK_CATEGORIES
from app.services.risk import markers_for
from app.services.safety import open_session
from app.timeutil import local_day_bounds


@dataclass
class VisitCard:
    appointment: Appointment
    partner: Officer | None
    markers: list[RiskMarker]
    in_progress: bool

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
    cards = []
    for a in visits:
        partner = a.second_officer if a.officer_id == officer.id else a.officer
        markers = (
            markers_for(a.postcode, a.address_line1, a.uprn, a.customer) if a.location_type != "hub" else []
        )
        cards.append(
            VisitCard(
                a, partner if a.second_officer_id else None, markers, open_session(a, officer) is not None
            )
        )
    return cards
