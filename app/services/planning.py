"""Route planning: turn the day's promised appointments into ordered routes, and re-plan on absence.

Promises (date, window, officer) are kept: the nightly plan only orders each officer's own visits.
When an officer is off sick, their visits may move to other officers, still inside the promised
window; any that cannot be kept are listed so staff can call those residents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select

from app.data.appointments import active_on_day
from app.data.officers import all_officers
from app.extensions import db
from app.models import Appointment, AppointmentEvent, Officer, RoutePlan, RouteStop
from app.services import audit
from app.services.availability import sorted_for_day
from app.services.travel import matrix as travel_matrix
from app.services.workdays import WorkingDay, working_day
from app.timeutil import at_day_seconds, day_seconds
from routing.optimiser import SolverOptions, plan
from routing.plans import REASONS
from routing.types import LatLng, Plan, Problem
from routing.types import Officer as RoutingOfficer
from routing.types import Visit as RoutingVisit

# Why a promised visit could not be placed, for the supervisor's call list: the planner's reasons,
# and the one the app knows before planning.
UNPLACED_REASONS = {
    **REASONS,
    "officer_not_working": "an officer promised for it is not working that day (leave, sickness or no shift)",
}


@dataclass
class DaySummary:
    day: date
    officers: int = 0
    visits: int = 0
    travel_seconds: int = 0
    distance_m: int = 0
    unassigned: list[Appointment] = field(default_factory=list)
    moved: list[tuple[Appointment, Officer]] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # appointment id -> UNPLACED_REASONS key

    def leave_out(self, appointment: Appointment, reason: str) -> None:
        if appointment not in self.unassigned:
            self.unassigned.append(appointment)
            self.reasons[appointment.id] = reason

    def why(self, appointment: Appointment) -> str:
        return UNPLACED_REASONS.get(self.reasons.get(appointment.id, ""), "")


def _officers_of(appointment: Appointment) -> set[int]:
    return {i for i in (appointment.officer_id, appointment.second_officer_id) if i is not None}


def _needs_two(appointment: Appointment) -> bool:
    return bool(appointment.service.two_officers or appointment.second_officer_id)


def build_problem(
    days: list[WorkingDay],
    appointments: list[Appointment],
    day: date,
    free: Iterable[int] = (),
) -> Problem:
    """A routing problem for these officers' days. Appointments are pinned to their promised officers
    unless their id is in `free`. A two-officer visit whose two officers are both here is planned for
    both together; one whose other officer is not here keeps its agreed time, so that officer's day
    (planned elsewhere, or not at all) still fits around it."""
    free = set(free)
    here = {wd.officer.id for wd in days}
    points: list[LatLng] = []
    index: dict[LatLng, int] = {}

    def place(lat: float, lng: float) -> int:
        key = (round(lat, 6), round(lng, 6))
        if key not in index:
            index[key] = len(points)
            points.append(key)
        return index[key]

    officers = tuple(
        RoutingOfficer(
            id=str(wd.officer.id),
            start=place(wd.officer.base_lat, wd.officer.base_lng),
            end=place(wd.officer.base_lat, wd.officer.base_lng),
            shift=(wd.starts, wd.ends),
            skills=frozenset(s.code for s in wd.officer.skills),
            breaks=wd.breaks,
        )
        for wd in days
    )

    def visit(a: Appointment) -> RoutingVisit:
        window = (day_seconds(a.window_start), day_seconds(a.window_end))
        promised = _officers_of(a) & here
        needed = 2 if _needs_two(a) and (a.id in free or len(promised) >= 2) else 1
        if _needs_two(a) and needed == 1 and a.planned_arrival is not None:
            window = (day_seconds(a.planned_arrival),) * 2
        return RoutingVisit(
            id=str(a.id),
            location=place(a.lat, a.lng),
            window=window,
            duration=a.duration_minutes * 60,
            skills=frozenset({a.service.skill.code}) if a.service.skill else frozenset(),
            officers_needed=needed,
            allowed_officers=None if a.id in free else frozenset(str(i) for i in promised),
        )

    visits = tuple(visit(a) for a in appointments)
    return Problem(travel_matrix(points, day.isoformat()), officers, visits)


def as_booked(days: list[WorkingDay], appointments: list[Appointment]) -> list[list[str]]:
    """Each officer's visits in their stored order (the order every booking check relied on)."""
    return [
        [str(a.id) for a in sorted_for_day(a for a in appointments if wd.officer.id in _officers_of(a))]
        for wd in days
    ]


def _store(
    result: Plan, day: date, officers: list[Officer], by_id: dict[str, Appointment], source: str
) -> None:
    """Replace these officers' plans for the day with the solver's routes."""
    officer_ids = [o.id for o in officers]
    db.session.execute(delete(RoutePlan).where(RoutePlan.day == day, RoutePlan.officer_id.in_(officer_ids)))
    db.session.flush()
    for route in result.routes:
        stored = RoutePlan(
            officer_id=int(route.officer_id),
            day=day,
            source=source,
            leave_base_at=at_day_seconds(day, route.leave_base),
            return_base_at=at_day_seconds(day, route.return_base),
            travel_seconds=route.travel,
            distance_m=route.distance,
        )
        for position, stop in enumerate(route.stops):
            appointment = by_id[stop.visit_id]
            arrival = at_day_seconds(day, stop.start)
            appointment.planned_arrival = arrival
            stored.stops.append(
                RouteStop(
                    position=position,
                    appointment=appointment,
                    planned_arrival=arrival,
                    travel_seconds=stop.travel,
                    distance_m=stop.distance,
                )
            )
        db.session.add(stored)
    db.session.flush()


def _linked(days: dict[int, WorkingDay], appointments: list[Appointment]) -> list[list[int]]:
    """Working officers in groups linked by the two-officer visits they share (each group is planned
    in one model, so both officers of a visit arrive together)."""
    group = {officer_id: {officer_id} for officer_id in days}
    for appointment in appointments:
        linked = [i for i in _officers_of(appointment) if i in days]
        if len(linked) == 2 and group[linked[0]] is not group[linked[1]]:
            merged = group[linked[0]] | group[linked[1]]
            for officer_id in merged:
                group[officer_id] = merged
    unique = {id(g): sorted(g) for g in group.values()}
    return sorted(unique.values())


def plan_day(
    day: date, time_limit: float = 0.5, progress: Callable[[Officer], None] | None = None
) -> DaySummary:
    """Order every working officer's promised visits for the day and store the routes.

    Promises are kept: each officer gets only their own promised visits, inside their windows, and the
    two officers of a two-officer visit are planned together with one arrival time. The plan is never
    worse than the day as booked (that order is the seed and the fallback), and every route is timed by
    the one checker, so every officer-day still passes the check availability and booking use.
    `time_limit` is seconds of search per officer."""
    summary = DaySummary(day)
    appointments = active_on_day(day)
    working: dict[int, WorkingDay] = {}
    for officer in all_officers(active_only=True):
        if progress:
            progress(officer)
        wd = working_day(officer, day)
        if wd is not None:
            working[officer.id] = wd
    summary.officers = len(working)
    for appointment in appointments:
        if not _officers_of(appointment) <= working.keys():
            summary.leave_out(appointment, "officer_not_working")
    for group in _linked(working, appointments):
        days = [working[i] for i in group]
        mine = [a for a in appointments if _officers_of(a) & set(group)]
        if not mine:
            db.session.execute(delete(RoutePlan).where(RoutePlan.day == day, RoutePlan.officer_id.in_(group)))
            continue
        problem = build_problem(days, mine, day)
        result = plan(
            problem,
            SolverOptions(time_limit=time_limit * len(group), balance=False),
            initial=as_booked(days, mine),
        )
        _store(result, day, [wd.officer for wd in days], {str(a.id): a for a in mine}, "nightly")
        summary.visits += len(mine) - len(result.unassigned)
        summary.travel_seconds += result.travel
        summary.distance_m += result.distance
        for appointment in mine:
            if str(appointment.id) in result.unassigned:
                summary.leave_out(appointment, result.reasons[str(appointment.id)])
    audit.record(
        "routes_planned", "day", day.isoformat(), visits=summary.visits, unassigned=len(summary.unassigned)
    )
    return summary


def replan_for_absence(absent: Officer, day: date, time_limit: float = 10.0) -> DaySummary:
    """Move an absent officer's visits to colleagues, keeping promised windows where possible."""
    summary = DaySummary(day)
    appointments = active_on_day(day)
    theirs = [a for a in appointments if absent.id in _officers_of(a)]
    area_ids = {a.id for a in absent.areas}
    colleagues = [
        wd
        for o in all_officers(active_only=True)
        if o.id != absent.id
        and (wd := working_day(o, day)) is not None
        and (area_ids & {a.id for a in o.areas} or not area_ids)
    ]
    colleague_ids = {wd.officer.id for wd in colleagues}
    pinned = [a for a in appointments if _officers_of(a) & colleague_ids and a not in theirs]
    summary.officers = len(colleagues)
    if not theirs:
        return summary
    problem = build_problem(colleagues, pinned + theirs, day, free={a.id for a in theirs})
    result = plan(problem, SolverOptions(time_limit=time_limit), initial=as_booked(colleagues, pinned))
    if any(str(a.id) in result.unassigned for a in pinned):
        # Never break a colleague's promise to rescue another: keep every plan as it was.
        summary.unassigned = list(theirs)
        return summary
    by_id = {str(a.id): a for a in pinned + theirs}
    officers = {str(wd.officer.id): wd.officer for wd in colleagues}
    for appointment in theirs:
        if str(appointment.id) in result.unassigned:
            summary.unassigned.append(appointment)
            continue
        serving = [officers[r.officer_id] for r in result.routes if str(appointment.id) in r.visit_ids]
        old = appointment.officer
        appointment.officer = serving[0]
        appointment.second_officer = serving[1] if len(serving) > 1 else None
        appointment.sequence += 1
        db.session.add(
            AppointmentEvent(
                appointment=appointment,
                status=appointment.status,
                channel="staff",
                note=f"Officer changed from {old.first_name if old else 'none'} to {serving[0].first_name} "
                f"because of absence; the promised time is unchanged.",
            )
        )
        summary.moved.append((appointment, serving[0]))
    _store(result, day, [wd.officer for wd in colleagues], by_id, "absence")
    db.session.execute(delete(RoutePlan).where(RoutePlan.day == day, RoutePlan.officer_id == absent.id))
    summary.visits = len(theirs) - len(summary.unassigned)
    summary.travel_seconds, summary.distance_m = result.travel, result.distance
    audit.record(
        "routes_replanned_for_absence",
        "officer",
        absent.id,
        day=day.isoformat(),
        moved=len(summary.moved),
        unkept=[a.reference for a in summary.unassigned],
    )
    return summary


def route_for(officer: Officer, day: date) -> RoutePlan | None:
    return db.session.scalar(
        select(RoutePlan).where(RoutePlan.officer_id == officer.id, RoutePlan.day == day)
    )


def _planned_km(day: date) -> float:
    return sum(p.distance_m for p in db.session.scalars(select(RoutePlan).where(RoutePlan.day == day))) / 1000


def preview_absence(absent: Officer, day: date, time_limit: float = 5.0) -> dict:
    """What replan_for_absence would do, without storing any of it (run in a savepoint, rolled back)."""
    before = _planned_km(day)
    with db.session.begin_nested() as savepoint:
        summary = replan_for_absence(absent, day, time_limit=time_limit)
        preview = {
            "moved": [(a.reference, o.name) for a, o in summary.moved],
            "unkept": [(a.reference, a.customer.name, a.customer.phone) for a in summary.unassigned],
            "before_km": round(before, 1),
            "after_km": round(_planned_km(day), 1),
        }
        savepoint.rollback()
    db.session.expire_all()
    return preview
