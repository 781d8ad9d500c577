"""Queries for appointments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Appointment, AppointmentEvent, SafetySession, Service
from app.models.statuses import ACTIVE
from app.timeutil import local_day_bounds


def active_from(day: date) -> list[Appointment]:
    """Appointments still to happen from the start of this UK day on, with their service and skill
    loaded, soonest first."""
    start, _end = local_day_bounds(day)
    query = (
        select(Appointment)
        .options(selectinload(Appointment.service).selectinload(Service.skill))
        .where(Appointment.window_start >= start, Appointment.status.in_(ACTIVE))
        .order_by(Appointment.window_start, Appointment.id)
    )
    return list(db.session.scalars(query))


def active_on_day(day: date, officer_ids: list[int] | None = None) -> list[Appointment]:
    """Appointments still to happen on a UK day, with their service and skill loaded."""
    start, end = local_day_bounds(day)
    query = (
        select(Appointment)
        .options(selectinload(Appointment.service).selectinload(Service.skill))
        .where(Appointment.window_start >= start, Appointment.window_start < end)
        .where(Appointment.status.in_(ACTIVE))
        .order_by(Appointment.window_start, Appointment.id)
    )
    if officer_ids is not None:
        query = query.where(
            (Appointment.officer_id.in_(officer_ids)) | (Appointment.second_officer_id.in_(officer_ids))
        )
    return list(db.session.scalars(query))


def by_reference(reference: str) -> Appointment | None:
    """The appointment with this (stored-form) reference: app.appointments.references.find cleans what
    someone typed first."""
    return db.session.scalar(select(Appointment).where(Appointment.reference == reference))


def outcome_at(appointment: Appointment) -> datetime | None:
    """When the visit happened, for the resident's page ("Our officer called at 2:40pm"): when an officer
    checked in (the tap's own time), else when its outcome was recorded; None while it has none."""
    if appointment.status not in ("completed", "no_show"):
        return None
    arrived = db.session.scalar(
        select(func.min(SafetySession.started_at)).where(SafetySession.appointment_id == appointment.id)
    )
    if arrived is not None:
        return arrived
    return db.session.scalar(
        select(func.max(AppointmentEvent.at)).where(
            AppointmentEvent.appointment_id == appointment.id, AppointmentEvent.status == appointment.status
        )
    )
