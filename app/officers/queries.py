"""Queries for officers, their patterns and absences."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Officer


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
