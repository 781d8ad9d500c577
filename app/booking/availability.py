"""Availability: the slots that can really be promised.

A slot is offered only when an officer with the skill, who covers the area and is working that day,
can get there from the visit before and on to the one after, inside the shift and around the break,
with every visit already promised still inside its window (routing.feasibility). Home and business
visits get two-hour arrival windows on working days; hub appointments get exact times inside the hub's
opening hours on the days it is open (Saturdays too, for officers who work them: app.catalogue.hubs).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import and_, bindparam, select

from app.catalogue.hubs import hours_on_day
from app.config import settings
from app.extensions import HotRead, db
from app.models import Appointment, Hub, OfficerDay, Service
from app.models.statuses import ACTIVE
from app.officers.roster import VERSION_COLUMN, Roster, roster, version_read
from app.officers.travel import pair_travel
from app.officers.workdays import WorkingDay, working_day
from app.places.places import Place
from app.risk.risk import precaution_here
from app.staff import audit
from app.timeutil import at_day_seconds, day_seconds, is_working_day, local_day_bounds, to_local, utcnow
from routing.feasibility import DayCheck, DayStop
from routing.feasibility import OfficerDay as RoutingDay

ARRIVAL_WINDOWS = [
    (9 * 3600, 11 * 3600),
    (11 * 3600, 13 * 3600),
    (13 * 3600, 15 * 3600),
    (15 * 3600, 17 * 3600),
]
HUB_SLOT_STEP = 30 * 60
EXACT_STEP = 30 * 60  # exact times for a home visit, on the half hour, inside the arrival windows
TOKEN_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class Slot:
    day: date
    window: tuple[int, int]  # seconds from local midnight; equal for an exact hub time
    officer_ids: tuple[int, ...]
    versions: tuple[int, ...]
    arrival: int  # the officer's planned arrival, seconds from midnight
    added_travel: int
    token: str = ""

    @property
    def start(self) -> datetime:
        return at_day_seconds(self.day, self.window[0])

    @property
    def end(self) -> datetime:
        return at_day_seconds(self.day, self.window[1])

    @property
    def is_exact(self) -> bool:
        return self.window[0] == self.window[1]


TIMES_PER_PAGE = 40  # whole days up to this many times a page: a hub's times fill 3 or 4 days


@dataclass
class Availability:
    slots: list[Slot] = field(default_factory=list)  # least added travel first
    first_day: date | None = None
    last_day: date | None = None
    next_free_day: date | None = None  # when nothing is free in the range asked for
    restricted: bool = False  # a precaution rules out this place; never say which or why
    bookable_until: date | None = None  # the service's horizon: the last day it can be booked
    past_horizon: bool = False  # the range asked for begins after it: nothing searched, no last_day

    def by_day(self) -> list[tuple[date, list[Slot]]]:
        grouped: dict[date, list[Slot]] = defaultdict(list)
        for slot in sorted(self.slots, key=lambda s: (s.day, s.window)):
            grouped[slot.day].append(slot)
        return sorted(grouped.items())

    def suggested(self, count: int = 3) -> list[Slot]:
        return self.slots[:count]

    def first_page(self, most: int) -> Availability:
        """Whole days, from the first, up to about `most` times (always at least one day): a page a
        phone can scroll. It ends on the last day shown, so "later dates" starts the day after."""
        days: list[date] = []
        shown = 0
        for day, slots in self.by_day():
            if days and shown + len(slots) > most:
                break
            days.append(day)
            shown += len(slots)
        if not days:
            return self
        return Availability(
            slots=[s for s in self.slots if s.day in days],
            first_day=self.first_day,
            last_day=days[-1],
            restricted=self.restricted,
            bookable_until=self.bookable_until,
        )


# Slot tokens ---------------------------------------------------------------------------------


# A slot id is opaque to whoever holds it: the officers, roster versions and planned arrival it carries
# are encrypted and authenticated (AES-GCM, a fresh 96-bit nonce each), not merely signed. Making or
# reading one costs about half what the signed-and-compressed form it replaced did (74 µs against 150 on
# the shared 2-core machine at load 8.6; `.venv/bin/python bench/slot_id_cost.py`).


@lru_cache(maxsize=4)
def _cipher(secret_key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"doorstep-slot\0" + secret_key.encode()).digest())


def _seal(data: dict) -> str:
    nonce = os.urandom(12)
    plain = json.dumps(data, separators=(",", ":")).encode()
    sealed = _cipher(settings().secret_key).encrypt(nonce, plain, None)
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()


def _open(token: str, max_age: int) -> dict | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(_cipher(settings().secret_key).decrypt(raw[:12], raw[12:], None))
    except (InvalidTag, ValueError, TypeError, UnicodeError):
        return None
    issued = data.get("i") if isinstance(data, dict) else None
    if not isinstance(issued, int) or not 0 <= time.time() - issued <= max_age:
        return None
    return data


def encode_slot(slot: Slot, service: Service, place: Place) -> str:
    return _seal(
        {
            "s": service.code,
            "t": place.location_type,
            "h": place.hub.code if place.hub else None,
            "d": slot.day.isoformat(),
            "w": list(slot.window),
            "o": list(slot.officer_ids),
            "v": list(slot.versions),
            "a": slot.arrival,
            "i": int(time.time()),
        }
    )


@dataclass(frozen=True)
class SlotToken:
    service_code: str
    location_type: str
    hub_code: str | None
    day: date
    window: tuple[int, int]
    officer_ids: tuple[int, ...]
    versions: tuple[int, ...]
    arrival: int

    def claim_keys(self) -> list[str]:
        return [
            f"{o}:{self.day.isoformat()}:{self.window[0]}:{v}"
            for o, v in zip(self.officer_ids, self.versions, strict=True)
        ]


def token_among(token: str | None, slots: list[Slot]) -> str | None:
    """The token of the slot in `slots` that `token` (sent from an earlier page) names, so the page
    shown again after an error keeps that time ticked: tokens carry when they were issued, so the
    same slot searched a second later has a different token. Else `token` unchanged."""
    chosen = decode_slot(token) if token else None
    if chosen is None:
        return token
    for slot in slots:
        if (slot.day, slot.window, slot.officer_ids, slot.versions, slot.arrival) == (
            chosen.day, chosen.window, chosen.officer_ids, chosen.versions, chosen.arrival
        ):  # fmt: skip
            return slot.token
    return token


def decode_slot(token: str) -> SlotToken | None:
    if not isinstance(token, str) or len(token) > 2000:
        return None
    data = _open(token, TOKEN_MAX_AGE)
    if data is None:
        return None
    try:
        return SlotToken(
            data["s"],
            data["t"],
            data["h"],
            date.fromisoformat(data["d"]),
            tuple(data["w"]),
            tuple(data["o"]),
            tuple(data["v"]),
            int(data["a"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


# The officer's day as the feasibility check sees it ------------------------------------------


def _active_on(columns, officer_ids: list[int], first: date, last: date, exclude: int | None):
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    query = select(*columns).where(
        Appointment.window_start >= start,
        Appointment.window_start < end,
        Appointment.status.in_(ACTIVE),
        (Appointment.officer_id.in_(officer_ids)) | (Appointment.second_officer_id.in_(officer_ids)),
    )
    return query.where(Appointment.id != exclude) if exclude is not None else query


def appointments_for(
    officer_ids: list[int], first: date, last: date, exclude: int | None = None
) -> list[Appointment]:
    """Active appointments of these officers on these days, as models (to show or change them)."""
    if not officer_ids:
        return []
    return list(db.session.scalars(_active_on([Appointment], officer_ids, first, last, exclude)))


VISIT_COLUMNS = [
    Appointment.__table__.c[name]
    for name in (
        "id",
        "officer_id",
        "second_officer_id",
        "lat",
        "lng",
        "window_start",
        "window_end",
        "duration_minutes",
        "planned_arrival",
    )
]


class Visit(NamedTuple):
    """A visit as the feasibility check reads it (VISIT_COLUMNS)."""

    id: int
    officer_id: int | None
    second_officer_id: int | None
    lat: float
    lng: float
    window_start: datetime
    window_end: datetime
    duration_minutes: int
    planned_arrival: datetime | None


def visits_for(officer_ids: list[int], first: date, last: date, exclude: int | None = None) -> list:
    """The same visits as appointments_for, as plain rows of what the feasibility check reads (and as
    the database has them now): about a tenth of the cost of loading the models, for availability
    and for the re-check inside a booking's lock. For one officer or two (a booking's), the query is
    compiled once and sent straight to the driver (app.extensions.HotRead)."""
    if not officer_ids:
        return []
    if len(officer_ids) > len(_DAYS_OF):
        return list(db.session.execute(_active_on(VISIT_COLUMNS, officer_ids, first, last, exclude)))
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    officers = {f"officer{n}": officer_id for n, officer_id in enumerate(officer_ids)}
    rows = _DAYS_OF[len(officer_ids) - 1].rows(start=start, end=end, exclude=exclude or 0, **officers)
    return [Visit(*row) for row in rows]


def day_and_roster(officer_ids: list[int], day: date, exclude: int | None = None) -> tuple[list, Roster]:
    """visits_for(officer_ids, day, day, exclude) and roster(), as the database has them now, in one
    statement: the roster's version is read with the visits (a booking's re-check reads both after its
    lock: one round trip, not two). For one officer or two."""
    start, end = local_day_bounds(day)
    officers = {f"officer{n}": officer_id for n, officer_id in enumerate(officer_ids)}
    rows = _DAY_AND_VERSION[len(officer_ids) - 1].rows(start=start, end=end, exclude=exclude or 0, **officers)
    version_read(rows[0][0] if rows else None)  # one row at least (visit columns NULL when none)
    return [Visit(*row[1:]) for row in rows if row[1] is not None], roster()


def _days_of(count: int, *, with_version: bool = False) -> HotRead:
    """_active_on for `count` officers, with bound parameters (no appointment has id 0: nothing excluded).
    `with_version`: the roster's version first (VERSION_COLUMN) on every row, and one row with the visit
    columns NULL when there is no visit (the visits outer-joined to the one-row version)."""
    officers = [bindparam(f"officer{n}") for n in range(count)]
    statuses = [bindparam(f"status{n}", value=str(status)) for n, status in enumerate(ACTIVE)]
    table = Appointment.__table__
    window_start = table.c.window_start
    active_on = and_(
        window_start >= bindparam("start", type_=window_start.type),
        window_start < bindparam("end", type_=window_start.type),
        table.c.status.in_(statuses),
        table.c.officer_id.in_(officers) | table.c.second_officer_id.in_(officers),
        table.c.id != bindparam("exclude"),
    )
    if not with_version:
        return HotRead(select(*VISIT_COLUMNS).where(active_on))
    version = select(VERSION_COLUMN).subquery("now")
    return HotRead(
        select(version.c.roster_version, *VISIT_COLUMNS).select_from(version.outerjoin(table, active_on))
    )


_DAYS_OF = (_days_of(1), _days_of(2))
_DAY_AND_VERSION = (_days_of(1, with_version=True), _days_of(2, with_version=True))


def day_stop(appointment) -> DayStop:
    """An appointment (model or visits_for row) as a stop of the officer's day."""
    window = (day_seconds(appointment.window_start), day_seconds(appointment.window_end))
    if appointment.second_officer_id and appointment.planned_arrival:
        # Two officers must arrive together: hold them to the agreed time.
        planned = day_seconds(appointment.planned_arrival)
        window = (planned, planned)
    return DayStop(
        str(appointment.id),
        (round(appointment.lat, 6), round(appointment.lng, 6)),
        window,
        appointment.duration_minutes * 60,
    )


def planned_order(appointments: Iterable) -> list:
    """An officer's appointments in their stored order: by planned arrival (the nightly plan and every
    booking store the times the checker gave them)."""
    return sorted(appointments, key=lambda a: (a.planned_arrival or a.window_start, a.window_start, a.id))


def routing_day(wd: WorkingDay, appointments: list) -> RoutingDay:
    ordered = planned_order(appointments)
    base = (round(wd.officer.base_lat, 6), round(wd.officer.base_lng, 6))
    return RoutingDay((wd.starts, wd.ends), base, base, tuple(day_stop(a) for a in ordered), wd.breaks)


def versions_for(officer_ids: list[int], first: date, last: date) -> dict[tuple[int, date], int]:
    if not officer_ids:
        return {}
    rows = db.session.execute(
        select(OfficerDay.officer_id, OfficerDay.day, OfficerDay.version).where(
            OfficerDay.officer_id.in_(officer_ids), OfficerDay.day >= first, OfficerDay.day <= last
        )
    )
    return {(officer_id, day): version for officer_id, day, version in rows}


# Search ---------------------------------------------------------------------------------------


def candidate_windows(
    service: Service, place: Place, day: date, wd: WorkingDay | None = None, exact: bool = False
) -> list[tuple[int, int]]:
    if place.hub is None and exact and service.exact_times:
        first, last = ARRIVAL_WINDOWS[0][0], ARRIVAL_WINDOWS[-1][1]
        return [(t, t) for t in range(first, last + 1, EXACT_STEP)]
    if place.hub is None:
        return list(ARRIVAL_WINDOWS) if is_working_day(day) else []
    return hub_times(place.hub, day, service.duration_minutes * 60)


def hub_times(hub: Hub, day: date, duration: int) -> list[tuple[int, int]]:
    """The appointment times a hub offers that day (none when it is shut: its hours, bank holidays,
    its closures): what searches offer and what a booking is checked against when it is made."""
    hours = hours_on_day(hub, day)
    if hours is None:
        return []
    opens = hours.opens.hour * 3600 + hours.opens.minute * 60
    closes = hours.closes.hour * 3600 + hours.closes.minute * 60
    return [(t, t) for t in range(opens, closes - duration + 1, HUB_SLOT_STEP)]


def note_public_restriction(result: Availability, service: Service, place: Place) -> None:
    """A public search that a precaution answered: no times at this address online. The answer never
    says why, but an outsider walking a street's addresses could tell which hold a marker, so each such
    answer is audited with the caller's address (the log shows a walk). Call in a unit of work."""
    if result.restricted:
        where = place.uprn or f"{place.line1}, {place.postcode}"
        audit.record("restricted_address_searched", "address", where, service=service.code)


def search(
    service: Service,
    place: Place,
    first: date,
    days: int,
    *,
    now: datetime | None = None,
    officer_id: int | None = None,
    exclude_appointment: int | None = None,
    customer=None,
    exact: bool = False,
) -> Availability:
    """Every slot that can be promised from `first` for `days` days, least added travel first.
    `exclude_appointment` is a visit being moved: its time is freed for others, and not offered. A
    `first` after the horizon (a hand-typed ?from=2099-01-01) finds nothing and has no last day (never
    one before the first): `past_horizon` says so, and `bookable_until` how far ahead one can book."""
    now = now or utcnow()
    today = to_local(now).date()
    earliest = now + timedelta(hours=service.notice_hours)
    horizon_end = today + timedelta(days=service.horizon_days)
    first = max(first, today)
    if first > horizon_end:
        return Availability(first_day=first, bookable_until=horizon_end, past_horizon=True)
    last = min(first + timedelta(days=days - 1), horizon_end)
    result = Availability(first_day=first, last_day=last, bookable_until=horizon_end)
    if last < first or service.premises_only:
        return result
    needed = officers_required(service, place_precaution(place, customer))
    if needed is None:
        result.restricted = True
        return result
    officers = roster().able(service.skill_id, place.area_id, officer_id)
    ids = [o.id for o in officers]
    booked = visits_for(ids, first, last, exclude=exclude_appointment)
    by_officer_day: dict[tuple[int, date], list] = defaultdict(list)
    for a in booked:
        for oid in (a.officer_id, a.second_officer_id):
            if oid is not None:
                by_officer_day[(oid, to_local(a.window_start).date())].append(a)
    versions = versions_for(ids, first, last)
    points = (
        [place.latlng]
        + [(round(o.base_lat, 6), round(o.base_lng, 6)) for o in officers]
        + [(round(a.lat, 6), round(a.lng, 6)) for a in booked]
    )
    travel = pair_travel(points)
    duration = service.duration_minutes * 60

    day = first
    while day <= last:
        checks = []
        for officer in officers:
            wd = working_day(officer, day)
            if wd is not None:
                checks.append(
                    (officer, wd, DayCheck(routing_day(wd, by_officer_day[(officer.id, day)]), travel))
                )
        for window in candidate_windows(service, place, day, exact=exact) if checks else []:
            if at_day_seconds(day, window[0]) < earliest:
                continue
            slot = _best_slot(checks, place, window, duration, needed, day, versions)
            if slot is not None:
                result.slots.append(slot)
        day += timedelta(days=1)
    if exclude_appointment is not None:  # moving a visit: its own time is not a new time to offer
        result.slots = [s for s in result.slots if not _is_current_time(s, exclude_appointment)]
    result.slots.sort(key=lambda s: (s.added_travel // 300, s.day, s.window))
    result.slots = [Slot(**{**s.__dict__, "token": encode_slot(s, service, place)}) for s in result.slots]
    return result


def _is_current_time(slot: Slot, appointment_id: int) -> bool:
    current = db.session.get(Appointment, appointment_id)
    return current is not None and (slot.day, slot.window) == (
        to_local(current.window_start).date(),
        (day_seconds(current.window_start), day_seconds(current.window_end)),
    )


def _best_slot(checks, place: Place, window, duration, needed, day, versions) -> Slot | None:
    fitting = []
    for officer, wd, check in checks:
        if wd.starts > window[1] or wd.ends < window[0]:
            continue
        insertion = check.best_insertion(place.latlng, window, duration)
        if insertion is not None:
            fitting.append((insertion.added_travel, officer.id, insertion.arrival, check))
    if len(fitting) < needed:
        return None
    fitting.sort(key=lambda f: (f[0], f[1]))
    if needed == 1:
        travel, oid, arrival, _check = fitting[0]
        return Slot(day, window, (oid,), (versions.get((oid, day), 0),), arrival, travel)
    # Two officers: both must be able to arrive at the same moment.
    for i, a in enumerate(fitting[:6]):
        for b in fitting[i + 1 : 6]:
            together = max(a[2], b[2])
            if together > window[1]:
                continue
            exact = (together, together)
            ia = a[3].best_insertion(place.latlng, exact, duration)
            ib = b[3].best_insertion(place.latlng, exact, duration)
            if ia and ib:
                pair = tuple(sorted((a[1], b[1])))
                return Slot(
                    day,
                    window,
                    pair,
                    tuple(versions.get((o, day), 0) for o in pair),
                    together,
                    ia.added_travel + ib.added_travel,
                )
    return None


def place_precaution(place: Place, customer=None) -> str | None:
    """The strongest precaution from the risk register for a home or business visit."""
    if not reads_precautions(place):
        return None
    return precaution_here(place.postcode, place.line1, place.uprn, customer)


# Precautions in the risk register that rule out a home or business visit booked or moved by anyone
# (the visit goes to a hub, or a supervisor decides): a precaution too many, never one too few.
RULED_OUT = ("hub_only", "manager_approval")


def officers_required(service: Service, precaution: str | None) -> int | None:
    """How many officers a visit needs, by the service and the risk register's precaution there; None
    when the register rules the visit out (RULED_OUT). The one rule searches offer times by and
    bookings, moves and re-assignments are checked against (app.booking.recheck.check_precautions)."""
    if precaution in RULED_OUT:
        return None
    return 2 if service.two_officers or precaution == "two_officers" else 1


def reads_precautions(place: Place) -> bool:
    """Whether place_precaution reads the risk register for a visit to this place: a home or business
    visit, not a hub's."""
    return place.location_type != "hub"


def later_dates_from(service: Service, result: Availability, *, now: datetime | None = None) -> date | None:
    """The first day of the next page of times ("Show later dates") while the service's horizon lasts;
    also after a page with nothing free, so anyone can look further ahead without JavaScript."""
    if result.last_day is None:
        return None
    following = result.last_day + timedelta(days=1)
    if following > to_local(now or utcnow()).date() + timedelta(days=service.horizon_days):
        return None
    return following


def same_time_at(service: Service | None, place: Place | None, earlier: SlotToken | None) -> Slot | None:
    """The slot at `place` on the day and at the time of `earlier` (a slot chosen for another place),
    if it is offered there: the resident who changes only the place keeps their time."""
    if service is None or place is None or earlier is None:
        return None
    exact = earlier.window[0] == earlier.window[1] and service.exact_times and place.hub is None
    found = search(service, place, earlier.day, 1, exact=exact)
    return next((s for s in found.slots if tuple(s.window) == tuple(earlier.window)), None)


def next_free_day(service: Service, place: Place, after: date, *, now: datetime | None = None) -> date | None:
    """The first day with anything free after `after`, within the service's horizon."""
    found = search(service, place, after + timedelta(days=1), service.horizon_days, now=now)
    return min((s.day for s in found.slots), default=None)
