"""The officer roster (skills, community areas, weekly patterns, absences, bases), cached per process
and checked against the database on every use.

Loading it through the ORM cost about 32 ms of every availability search and booking (bench/README.md,
section 3). It changes rarely, so each process keeps one immutable copy tagged with the database's
roster version: a row that triggers on every roster table set to a new random value in the same
transaction as the change (migration 0014); the catalogue's tables change it too (migration 0022), and
the catalogue's cache (app/catalogue/cached.py) is tagged with the same row. Every use checks that row
(one primary-key read, sent once until the session writes or ends a transaction, so the service, the
address's area and availability share it: `app.unit_of_work.read_once`) and reloads when it differs,
so each gunicorn worker and each app server sees a change from the moment it is committed; nothing
assumes a single process. A booking reads it again after its officer-day lock (a write). The version is
read before the roster, so a cached copy is never older than its tag.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from app.extensions import HotRead, db
from app.models import Absence, CommunityArea, Officer, RosterVersion, WorkingPattern
from app.models.officers import OfficerCalendar, officer_area, officer_skill
from app.unit_of_work import read_once, remember
from routing.travel import great_circle_m


@dataclass(frozen=True)
class RosterPattern:
    weekday: int
    starts: time
    ends: time
    break_starts: time | None
    break_minutes: int


@dataclass(frozen=True)
class RosterAbsence:
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class RosterOfficer(OfficerCalendar):
    """What availability and booking need of an officer; `working_day` reads it like the model."""

    id: int
    first_name: str
    active: bool
    base_lat: float
    base_lng: float
    skill_ids: frozenset[int]
    area_ids: frozenset[int]
    patterns: tuple[RosterPattern, ...]
    absences: tuple[RosterAbsence, ...]


@dataclass(frozen=True)
class Roster:
    version: str | None
    officers: dict[int, RosterOfficer]  # every officer, active or not, by id
    areas: tuple[tuple[int, float, float], ...]  # community areas: id, lat, lng

    def officer(self, officer_id: int) -> RosterOfficer | None:
        return self.officers.get(officer_id)

    def able(self, skill_id: int | None, area_id: int | None, only: int | None = None) -> list[RosterOfficer]:
        """Active officers with the skill (None: any) who cover the area (None: any), by id."""
        return [
            o
            for o in self.officers.values()
            if o.active
            and (only is None or o.id == only)
            and (skill_id is None or skill_id in o.skill_ids)
            and (area_id is None or area_id in o.area_ids)
        ]

    def nearest_area_id(self, lat: float, lng: float) -> int | None:
        nearest = min(self.areas, key=lambda a: great_circle_m((lat, lng), (a[1], a[2])), default=None)
        return nearest[0] if nearest else None


_cached: dict[str, Roster] = {}  # by database URL: one process may talk to more than one


# Read by every availability search and booking: straight to the driver (app.extensions.HotRead).
_VERSION = HotRead(select(RosterVersion.__table__.c.version).where(RosterVersion.__table__.c.id == 1))


def current_version() -> str | None:
    """The roster and catalogue version as this session sees it (read once until it writes)."""
    return read_once("roster_version", _read_version)


def version_read(version: str | None) -> None:
    """The version, as a statement that read other rows with it (VERSION_COLUMN) has just read it in this
    session: current_version() and roster() take it as read, with no statement, until the session next
    writes. A booking reads it with the officer's day, after its lock (app/booking/availability.py)."""
    remember("roster_version", version)


# The version as a column of another statement (a scalar subquery: NULL when there is no version row, as
# _read_version reads None).
VERSION_COLUMN = (
    select(RosterVersion.__table__.c.version)
    .where(RosterVersion.__table__.c.id == 1)
    .scalar_subquery()
    .label("roster_version")
)


def _read_version() -> str | None:
    found = _VERSION.rows()
    return found[0][0] if found else None


def roster() -> Roster:
    """The roster as committed now (or as this transaction has changed it)."""
    key = db.engine.url.render_as_string()
    version = current_version()
    cached = _cached.get(key)
    if cached is None or cached.version != version:
        cached = _cached[key] = _load(version)
    session = db.session() if db.session.registry.has() else None  # none made yet: no transaction
    transaction = session.get_transaction() if session is not None else None
    if transaction is not None:
        session.info[_CHECKED] = (weakref.ref(transaction), cached)
    return cached


def first_name_read(officer_id: int | None) -> str | None:
    """The officer's first name from the roster this transaction has read (a booking reads it after its
    lock), with no statement sent; None if it has not read it or does not list the officer."""
    known = checked_in_this_transaction()
    listed = known.officer(officer_id) if known is not None and officer_id is not None else None
    return listed.first_name if listed is not None else None


def checked_in_this_transaction() -> Roster | None:
    """The roster as roster() last read it in the session's current transaction (a booking reads it after
    its lock), without reading the version again; None if this transaction has not read it. For what
    the transaction then reports (the answer's officer first name), not to decide anything."""
    session = db.session() if db.session.registry.has() else None
    checked = session.info.get(_CHECKED) if session is not None else None
    if checked is None:
        return None
    transaction, known = checked
    current = session.get_transaction()
    return known if current is not None and transaction() is current else None


_CHECKED = "roster_checked"  # in the session's info: (the transaction, weakly; the roster it read)


def _load(version: str | None) -> Roster:
    def rows(*columns):
        return db.session.execute(select(*columns)).all()

    skills: dict[int, set[int]] = {}
    for officer_id, skill_id in rows(officer_skill.c.officer_id, officer_skill.c.skill_id):
        skills.setdefault(officer_id, set()).add(skill_id)
    areas: dict[int, set[int]] = {}
    for officer_id, area_id in rows(officer_area.c.officer_id, officer_area.c.area_id):
        areas.setdefault(officer_id, set()).add(area_id)
    patterns: dict[int, list[RosterPattern]] = {}
    p = WorkingPattern
    for row in rows(p.officer_id, p.weekday, p.starts, p.ends, p.break_starts, p.break_minutes):
        patterns.setdefault(row[0], []).append(RosterPattern(*row[1:]))
    absences: dict[int, list[RosterAbsence]] = {}
    for officer_id, starts_on, ends_on in rows(Absence.officer_id, Absence.starts_on, Absence.ends_on):
        absences.setdefault(officer_id, []).append(RosterAbsence(starts_on, ends_on))
    o = Officer
    officers = {
        oid: RosterOfficer(
            oid,
            first_name,
            active,
            base_lat,
            base_lng,
            frozenset(skills.get(oid, ())),
            frozenset(areas.get(oid, ())),
            tuple(sorted(patterns.get(oid, ()), key=lambda x: x.weekday)),
            tuple(sorted(absences.get(oid, ()), key=lambda x: x.starts_on)),
        )
        for oid, first_name, active, base_lat, base_lng in rows(
            o.id, o.first_name, o.active, o.base_lat, o.base_lng
        )
    }
    c = CommunityArea
    return Roster(version, dict(sorted(officers.items())), tuple(map(tuple, rows(c.id, c.lat, c.lng))))
