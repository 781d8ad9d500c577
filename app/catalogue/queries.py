"""Queries for skills, areas, hubs and services."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.catalogue import cached
from app.extensions import db
from app.models import CommunityArea, Hub, Service, Skill


def all_services(*, bookable_only: bool = False) -> list[Service]:
    query = select(Service).order_by(Service.sort_order, Service.name)
    if bookable_only:
        query = query.where(Service.active.is_(True))
    return list(db.session.scalars(query))


def service_by_code(code: str) -> Service | None:
    """The service with this code, active or not, from the cached catalogue: no query."""
    return cached.service_by_code(code)


def all_hubs(*, active_only: bool = False) -> list[Hub]:
    query = select(Hub).options(selectinload(Hub.opening_hours), selectinload(Hub.area)).order_by(Hub.name)
    if active_only:
        query = query.where(Hub.active.is_(True))
    return list(db.session.scalars(query))


def hub_by_code(code: str) -> Hub | None:
    """The hub with this code, open or not, with its hours and closures, from the cached catalogue: no
    query."""
    return cached.hub_by_code(code)


def all_skills() -> list[Skill]:
    return list(db.session.scalars(select(Skill).order_by(Skill.name)))


def all_areas() -> list[CommunityArea]:
    return list(db.session.scalars(select(CommunityArea).order_by(CommunityArea.name)))
