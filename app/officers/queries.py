"""Queries for officers, their patterns and absences."""

from __future__ import annotations

from sqlalchemy import func, select, true, union_all
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Appointment, Officer, Service
from app.models.statuses import ACTIVE
from app.timeutil import utcnow


def all_officers(*, active_only: bool = False) -> list[Officer]:
    query = (
        select(Officer)
        .options(
            selectinload(Officer.skills),
            selectinload(Officer.areas),
            selectinload(Officer.patterns),
            selectinload(Officer.absences),
        )
        .order_by(Officer.last_name, Officer.first_name)
    )
    if active_only:
        query = query.where(Officer.active.is_(True))
    return list(db.session.scalars(query))


def future_visits() -> dict[int, int]:
    """Officer id -> how many booked visits they hold from now on (as first or second officer): what a
    leaver leaves behind for the re-plan."""
    held = union_all(
        *(
            select(column.label("officer_id")).where(
                column.is_not(None), Appointment.status.in_(ACTIVE), Appointment.window_end >= utcnow()
            )
            for column in (Appointment.officer_id, Appointment.second_officer_id)
        )
    ).subquery()
    counts = select(held.c.officer_id, func.count()).group_by(held.c.officer_id)
    return {officer_id: count for officer_id, count in db.session.execute(counts)}


def future_visits_needing(officer_id: int, skill_ids: set[int] | None) -> list[Appointment]:
    """The booked visits the officer holds from now on (as first or second officer) whose service needs
    one of these skills (None: every one they hold), soonest first."""
    if skill_ids is not None and not skill_ids:
        return []
    return list(
        db.session.scalars(
            select(Appointment)
            .join(Appointment.service)
            .where(
                (Appointment.officer_id == officer_id) | (Appointment.second_officer_id == officer_id),
                Appointment.status.in_(ACTIVE),
                Appointment.window_end >= utcnow(),
                Service.skill_id.in_(skill_ids) if skill_ids is not None else true(),
            )
            .options(selectinload(Appointment.service), selectinload(Appointment.hub))
            .order_by(Appointment.window_start, Appointment.id)
        )
    )
