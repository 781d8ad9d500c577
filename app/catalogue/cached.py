"""The catalogue (services, hubs with their opening hours and closures), cached per process and checked
against the database on every use, as the officer roster is (app/officers/roster.py).

Every booking and every availability search looked its service up with an ORM query (about 0.6 ms of
Python), and a hub visit its hub and, lazily, the hub's hours and closures (three queries). The
catalogue changes a few times a year. Each process keeps one immutable copy of the column values, tagged
with the version row that database triggers change in the same transaction as any change to the roster
or the catalogue (migrations 0014 and 0022); every use reads that row (one primary-key read, the same
read the roster makes) and reloads when it differs, so each gunicorn worker and each app server sees a
change from the moment it is committed. The version is read before the catalogue, so a cached copy is
never older than its tag.

What callers get is the ORM object, as a query would have given it, in their own session: the cached
values are put into a new instance that the session takes as loaded (persistent, nothing pending), or,
when the session already holds that row's object, that object. Model instances are never shared between
sessions or threads; only the plain values are. So every reader, and every writer that sets
`appointment.service` or `appointment.hub`, works as before, with no query. A hub comes with its
opening hours and closures loaded; other relationships (a service's skill, a hub's area) load lazily as
they always did. Staff editing pages read the models by id through the ORM (app/records.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import Hub, HubClosure, HubOpening, Service
from app.officers.roster import current_version

Values = dict[str, Any]  # a row's column values by attribute name; never changed once cached


@dataclass(frozen=True)
class CachedHub:
    values: Values
    opening_hours: tuple[Values, ...]  # by weekday, as Hub.opening_hours orders them
    closures: tuple[Values, ...]  # by first day, as Hub.closures orders them


@dataclass(frozen=True)
class Catalogue:
    version: str | None
    services: dict[str, Values]  # by code, active or not
    hubs: dict[str, CachedHub]  # by code, open or not


_cached: dict[str, Catalogue] = {}  # by database URL: one process may talk to more than one


def catalogue() -> Catalogue:
    """The catalogue as committed now (or as this transaction has changed it)."""
    key = db.engine.url.render_as_string()
    version = current_version()
    cached = _cached.get(key)
    if cached is not None and cached.version == version:
        return cached
    fresh = _load(version)
    _cached[key] = fresh
    return fresh


def service_by_code(code: str) -> Service | None:
    values = catalogue().services.get(code)
    return None if values is None else _in_session(Service, values)[0]


def hub_by_code(code: str) -> Hub | None:
    cached = catalogue().hubs.get(code)
    if cached is None:
        return None
    hub, made = _in_session(Hub, cached.values)
    if made:
        for key, rows, model in (
            ("opening_hours", cached.opening_hours, HubOpening),
            ("closures", cached.closures, HubClosure),
        ):
            children = [_in_session(model, row)[0] for row in rows]
            for child in children:
                set_committed_value(child, "hub", hub)
            set_committed_value(hub, key, children)
    return hub


M = TypeVar("M")


def _in_session(model: type[M], values: Values) -> tuple[M, bool]:
    """The session's object for this row: the one it holds already (False), else a new one made from
    the values and taken as loaded (True)."""
    session = db.session()
    mapper = inspect(model)
    found = session.identity_map.get(mapper.identity_key_from_primary_key((values["id"],)))
    if found is not None:
        return found, False
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)  # every column loaded, nothing pending: as a query would load it
    session.add(obj)
    return obj, True


def _load(version: str | None) -> Catalogue:
    def rows(model, *order) -> list[Values]:
        attributes = inspect(model).column_attrs
        keys = [a.key for a in attributes]
        found = db.session.execute(select(*(a.columns[0] for a in attributes)).order_by(*order))
        return [dict(zip(keys, row, strict=True)) for row in found]

    openings: dict[int, list[Values]] = {}
    for row in rows(HubOpening, HubOpening.weekday):
        openings.setdefault(row["hub_id"], []).append(row)
    closures: dict[int, list[Values]] = {}
    for row in rows(HubClosure, HubClosure.first_day, HubClosure.id):
        closures.setdefault(row["hub_id"], []).append(row)
    hubs = {
        row["code"]: CachedHub(row, tuple(openings.get(row["id"], ())), tuple(closures.get(row["id"], ())))
        for row in rows(Hub)
    }
    return Catalogue(version, {row["code"]: row for row in rows(Service)}, hubs)
