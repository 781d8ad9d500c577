"""Route planning: turn the day's promised appointments into ordered routes, and re-plan on absence.

Promises (date, window, officer) are kept: the nightly plan only orders each officer's own visits
(except a visit its officer may no longer do, below).
When an officer is recorded absent, their visits may move to colleagues, still inside the promised
window: the re-plan is solved once, stored as a proposal for a supervisor to check, and published
exactly as previewed (or not at all, if anything it relied on has changed). Each resident whose
officer changes is told once; visits that cannot be kept go on the supervisors' call list.

The nightly plan also notices a booked visit whose officer may no longer do it (switched off, the
service's skill taken away, or the visit's community area no longer theirs: coverage.may_do, the rule
availability offers times by): it hands the visit to a qualified colleague working that day inside the
promised window when one has room, telling the resident as an absence re-plan does, and otherwise
leaves it out of the plan with the reason, for the supervisors' call list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import delete, select, update

from app.appointments.presenters import when
from app.appointments.queries import active_from, active_on_day
from app.booking import call_list, interpreters, live_calls
from app.booking.availability import appointments_for, planned_order, routing_day, versions_for
from app.booking.changes import place_to_move
from app.booking.coverage import may_do, why_may_not_do
from app.booking.errors import BookingRuleError, SlotUnavailable
from app.booking.locks import lock_appointment, lock_officer_days, state_of
from app.booking.recheck import check_precautions, officers_to_reassign
from app.extensions import db
from app.messaging import outbox
from app.models import (
    Appointment,
    AppointmentEvent,
    Officer,
    ReplanProposal,
    RoutePlan,
    RouteStop,
    User,
)
from app.models.statuses import AppointmentStatus
from app.officers.queries import all_officers
from app.officers.roster import roster
from app.officers.travel import matrix as travel_matrix
from app.officers.travel import pair_travel
from app.officers.workdays import WorkingDay, working_day
from app.staff import audit
from app.timeutil import at_day_seconds, day_seconds, format_date, format_time, to_local, utcnow
from app.unit_of_work import finish_reads, unit_of_work
from routing.feasibility import DayCheck
from routing.planner import plan
from routing.plans import PROMISED, REASONS
from routing.travel import great_circle_m
from routing.types import BreakTaken, LatLng, Objective, Plan, Problem, Route, Stop
from routing.types import Officer as RoutingOfficer
from routing.types import Visit as RoutingVisit

# Why a promised visit could not be placed, for the supervisor's call list: the planner's reasons,
# and the one the app knows before planning.
UNPLACED_REASONS = {
    **REASONS,
    "officer_not_working": "an officer promised for it is not working that day (leave, sickness or no shift)",
    "officer_cannot_do": "its officer may no longer do it, and no qualified colleague had room",
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
    # appointment id -> the whole reason, for a supervisor, where the plan knows more than a key says
    notes: dict[int, str] = field(default_factory=dict)

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


# The routing id of the place beside the officer who stays on a two-officer visit, for the colleague who
# joins them (the staying officer's place is the appointment's own id).
JOINS = "+"


def _appointment_id(visit_id: str) -> int:
    """The appointment a routing visit stands for (a joining colleague's place included)."""
    return int(visit_id.removesuffix(JOINS))


def _staying(
    appointment: Appointment, leaving: Iterable[int], working: Mapping[int, WorkingDay]
) -> WorkingDay | None:
    """Of a two-officer visit some of whose officers leave it (off that day, or may no longer do it), the
    one who stays on it: working that day (not off: workdays.working_day, the hours availability offers
    by) and still allowed to do it there (coverage.may_do: switched on, the skill, the community area),
    the rules booking offers a pair by. Only the other officer is then replaced, beside them, and the
    pair keeps its two officers (a two-officer precaution stays met). None: nobody stays (or it is not
    a two-officer visit)."""
    if not _needs_two(appointment):
        return None
    place = place_to_move(appointment)
    staying = [
        working[i]
        for i in sorted(_officers_of(appointment) - set(leaving))
        if i in working and may_do(appointment.service, place, i)
    ]
    return staying[0] if len(staying) == 1 else None


def _agreed_arrival(appointment: Appointment, staying: WorkingDay, appointments: list[Appointment]) -> int:
    """When both officers of a two-officer visit are to arrive (seconds from midnight): its planned
    arrival, the time booking holds a pair to; else where the staying officer's day, as booked, has it."""
    if appointment.planned_arrival is not None:
        return day_seconds(appointment.planned_arrival)
    day = routing_day(staying, [a for a in appointments if staying.officer.id in _officers_of(a)])
    starts = DayCheck(day, pair_travel([*(s.location for s in day.stops), day.start])).starts()
    ids = [s.id for s in day.stops]
    return starts[ids.index(str(appointment.id))] if starts else day_seconds(appointment.window_start)


def build_problem(
    days: list[WorkingDay],
    appointments: list[Appointment],
    day: date,
    free: Iterable[int] = (),
    stays: Mapping[int, tuple[int, int]] | None = None,
) -> Problem:
    """A routing problem for these officers' days. Appointments are pinned to their promised officers
    unless their id is in `free` (then: any of these officers who may do it, coverage.may_do). A
    two-officer visit whose two officers are both here is planned for both together; one whose other
    officer is not here keeps its agreed time, so that officer's day (planned elsewhere, or not at all)
    still fits around it. `stays`: two-officer visits (id -> (the officer who stays on it, the agreed
    arrival)) where only the other officer is replaced: the staying officer keeps their place at that
    time, and a second place (id + JOINS) at the same time is for one colleague who may do it, so the
    two arrive together. Where some visits are free, the pinned ones (and a staying officer's place)
    weigh routing.plans.PROMISED each: the planner leaves a free one out before it breaks a promise."""
    free = set(free)
    weight = PROMISED if free else 1  # nothing free (the nightly plan): every visit weighs the same
    stays = stays or {}
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
        if a.id in free:  # handed to others: as many officers as the rule for a re-assignment says
            needed = officers_to_reassign(a, place_to_move(a)) or 1  # None: never free (callers)
        else:
            needed = 2 if _needs_two(a) and len(promised) >= 2 else 1
        if _needs_two(a) and needed == 1 and a.planned_arrival is not None:
            window = (day_seconds(a.planned_arrival),) * 2
        return RoutingVisit(
            id=str(a.id),
            location=place(a.lat, a.lng),
            window=window,
            duration=a.duration_minutes * 60,
            skills=frozenset({a.service.skill.code}) if a.service.skill else frozenset(),
            officers_needed=needed,
            allowed_officers=frozenset(str(i) for i in (may_do_it(a) if a.id in free else promised)),
            priority=1 if a.id in free else weight,
        )

    def may_do_it(a: Appointment) -> set[int]:
        """A visit free to change officer goes only to those who may do it there: the rule availability
        and booking offer times by (coverage.may_do), not the solver's skills alone (which know no
        community areas)."""
        place = place_to_move(a)
        return {i for i in here if may_do(a.service, place, i)}

    def kept_pair(a: Appointment) -> tuple[RoutingVisit, RoutingVisit]:
        staying, arrival = stays[a.id]
        base = replace(visit(a), officers_needed=1, window=(arrival, arrival))
        joining = frozenset(str(i) for i in may_do_it(a) - {staying})
        return (
            replace(base, allowed_officers=frozenset({str(staying)}), priority=weight),  # in their day
            replace(base, id=base.id + JOINS, allowed_officers=joining),
        )

    visits = tuple(v for a in appointments for v in (kept_pair(a) if a.id in stays else (visit(a),)))
    return Problem(travel_matrix(points, day.isoformat()), officers, visits)


def as_booked(days: list[WorkingDay], appointments: list[Appointment]) -> dict[str, list[str]]:
    """Each officer's visits in their stored order (the order every booking check relied on)."""
    return {
        str(wd.officer.id): [
            str(a.id) for a in planned_order(a for a in appointments if wd.officer.id in _officers_of(a))
        ]
        for wd in days
    }


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
            appointment = by_id[str(_appointment_id(stop.visit_id))]
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
    two officers of a two-officer visit are planned together with one arrival time. A visit whose officer
    may no longer do it (coverage.may_do) first goes to qualified colleagues with room inside its window
    (the resident is told), or is left out with its reason (`notes`) for the call list. The plan is never
    worse than the day as booked (that order is the seed and the fallback), and every route is timed by
    the one checker, so every officer-day still passes the check availability and booking use.
    `time_limit` is seconds of search per officer."""
    summary = DaySummary(day)
    working, appointments = _locked_day(day, progress)
    summary.officers = len(working)
    left_out = _hand_over_stranded(summary, working, appointments, time_limit)
    for appointment in appointments:
        if not _officers_of(appointment) <= working.keys():
            summary.leave_out(appointment, "officer_not_working")
    for group in _linked(working, appointments):
        days = [working[i] for i in group]
        mine = [a for a in appointments if _officers_of(a) & set(group) and a.id not in left_out]
        if not mine:
            db.session.execute(delete(RoutePlan).where(RoutePlan.day == day, RoutePlan.officer_id.in_(group)))
            continue
        problem = build_problem(days, mine, day)
        result = plan(problem, time_limit * len(group), initial=as_booked(days, mine))
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


def _locked_day(
    day: date, progress: Callable[[Officer], None] | None = None
) -> tuple[dict[int, WorkingDay], list[Appointment]]:
    """The officers working that day and its visits, read under the locks of every working officer's
    day (and first of every visit whose officer may no longer do it, which may change officer)."""
    # Visits whose officer may no longer do them change officer: their locks come before the days'.
    for appointment in sorted((a for a in active_on_day(day) if _cannot_do(a)), key=lambda a: a.id):
        lock_appointment(appointment)
    working: dict[int, WorkingDay] = {}
    for officer in all_officers(active_only=True):
        if progress:
            progress(officer)
        wd = working_day(officer, day)
        if wd is not None:
            working[officer.id] = wd
    # The plan re-times these officers' visits, so it is a change to each of them: bookings, moves and
    # cancellations on these officer-days wait for it, and it plans what they committed before.
    lock_officer_days([(officer_id, day) for officer_id in working])
    return working, active_on_day(day)


def _hand_over_stranded(
    summary: DaySummary, working: dict[int, WorkingDay], appointments: list[Appointment], time_limit: float
) -> set[int]:
    """Each of the day's visits whose officer may no longer do it goes to qualified colleagues with room
    (_reassign), soonest first, or is left out with its reason (`summary.notes`). The ids left out."""
    stranded = {a.id for a in appointments if _cannot_do(a)}  # read again under the locks
    left_out: set[int] = set()
    for appointment in sorted(
        (a for a in appointments if a.id in stranded), key=lambda a: (a.window_start, a.id)
    ):
        # The colleagues' days hold every visit but those still waiting here or left out.
        theirs = [a for a in appointments if a.id == appointment.id or a.id not in stranded | left_out]
        stranded.discard(appointment.id)
        why_not = _reassign(appointment, working, theirs, summary.day, time_limit)
        if why_not is None:
            summary.moved.append((appointment, appointment.officer))
        else:
            left_out.add(appointment.id)
            summary.leave_out(appointment, "officer_cannot_do")
            summary.notes[appointment.id] = _cannot_do_reason(appointment, why_not)
    return left_out


def days_with_stranded_visits(after: date) -> list[date]:
    """The days after `after` holding a booked visit whose officer may no longer do it (switched off, a
    skill or community area taken away: coverage.may_do)."""
    return sorted(
        {to_local(a.window_start).date() for a in active_from(after + timedelta(days=1)) if _cannot_do(a)}
    )


def hand_over_stranded(day: date, time_limit: float = 0.5) -> DaySummary:
    """A later day's visits whose officer may no longer do them go to qualified colleagues working that
    day with room inside the promised window, as the nightly plan does for the day it plans (the
    resident is told); the rest are left out with the reason. Nothing else on the day changes: its
    route is planned the evening before. Caller commits; hand the summary to the supervisors."""
    summary = DaySummary(day)
    working, appointments = _locked_day(day)
    summary.officers = len(working)
    _hand_over_stranded(summary, working, appointments, time_limit)
    summary.visits = len(summary.moved)
    audit.record(
        "stranded_visits_handed_over",
        "day",
        day.isoformat(),
        moved=len(summary.moved),
        unassigned=len(summary.unassigned),
    )
    return summary


def hand_unplaced_to_supervisors(summary: DaySummary) -> None:
    """Every visit the plan left out goes on the call list, with its whole reason where the plan has one
    (a visit whose officer may no longer do it), else the planner's (the nightly job and `flask plan`);
    and every entry whose cause has gone is closed (app.booking.live_calls)."""
    for appointment in summary.unassigned:
        if appointment.id in summary.notes and appointment.is_active:
            call_list.add(appointment, summary.notes[appointment.id], "cannot_do")
    call_list.add_unplaced(summary.unassigned, why=summary.why)
    live_calls.close_resolved()  # entries whose cause has gone (e.g. a visit re-assigned above) close


def _cannot_do(appointment: Appointment) -> list[int]:
    """The visit's promised officers who may no longer do it there (coverage.may_do)."""
    place = place_to_move(appointment)
    return [i for i in sorted(_officers_of(appointment)) if not may_do(appointment.service, place, i)]


def _reassign(
    appointment: Appointment,
    working: dict[int, WorkingDay],
    appointments: list[Appointment],
    day: date,
    time_limit: float,
) -> str | None:
    """Hand a visit its officer may no longer do to qualified colleagues working that day, inside its
    promised window and without breaking any of their promises; the resident is told (as after an
    absence). Else, changing nothing, why not (None: handed over)."""
    place = place_to_move(appointment)
    needed = officers_to_reassign(appointment, place)
    if needed is None:
        return PRECAUTION_NOT_MET
    unable = set(_cannot_do(appointment))
    able = [wd for i, wd in working.items() if i not in unable and may_do(appointment.service, place, i)]
    if len(able) < needed:
        others = [o for o in roster().able(appointment.service.skill_id, place.area_id) if o.id not in unable]
        if len(others) < needed:
            return "nobody else with the skill covers it there"
        return "no other qualified officer is working that day"
    # A two-officer visit one of whose officers still may do it, and works that day, keeps them: only the
    # other is replaced (the resident meets one new face, not two), by the nearest colleague with room.
    keep = _staying(appointment, unable, working)
    if keep is not None:
        visit = (appointment.lat, appointment.lng)
        for wd in sorted(
            (wd for wd in able if wd is not keep),
            key=lambda wd: (great_circle_m((wd.officer.base_lat, wd.officer.base_lng), visit), wd.officer.id),
        ):
            if _hand_over(appointment, [keep, wd], appointments, day, time_limit):
                return None
    if _hand_over(appointment, able, appointments, day, time_limit):
        return None
    # Never break a colleague's promise to rescue another.
    return "no qualified officer working that day has room inside the promised window"


def _hand_over(
    appointment: Appointment,
    able: list[WorkingDay],
    appointments: list[Appointment],
    day: date,
    time_limit: float,
) -> bool:
    """Give the visit to officers among `able` (two of them for a two-officer visit) when it fits inside
    its promised window without breaking any of their promises; the resident is told. False: nothing
    changed."""
    able_ids = {wd.officer.id for wd in able}
    pinned = [a for a in appointments if a.id != appointment.id and _officers_of(a) & able_ids]
    problem = build_problem(able, [*pinned, appointment], day, free={appointment.id})
    result = plan(problem, time_limit * 2, initial=as_booked(able, pinned))  # one visit to fit in
    if str(appointment.id) in result.unassigned or any(str(a.id) in result.unassigned for a in pinned):
        return False
    kept = _officers_of(appointment)
    to = [int(r.officer_id) for r in result.routes if str(appointment.id) in r.visit_ids]
    to.sort(
        key=lambda officer_id: officer_id in kept
    )  # the new officer first: the resident's text names them
    if not _precautions_met(appointment, to):
        return False
    # The order found is the seed the day's plan starts from (plan_day stores the routes, once).
    by_id = {str(a.id): a for a in [*pinned, appointment]}
    for route in result.routes:
        for stop in route.stops:
            by_id[stop.visit_id].planned_arrival = at_day_seconds(day, stop.start)
    _change_officers(appointment, to, None, because="the officer can no longer do this visit")
    return True


# Why a visit is not handed to colleagues when the risk register asks more than a re-plan can give
# (supervisors see the register; the resident is never told why).
PRECAUTION_NOT_MET = "a precaution in the risk register rules out handing it over: see the risk register"


def _precautions_met(appointment: Appointment, officer_ids: list[int]) -> bool:
    """Whether these officers may take the visit, by the rule every booking and move is checked by."""
    try:
        check_precautions(officer_ids, appointment.service, place_to_move(appointment), appointment.customer)
    except (BookingRuleError, SlotUnavailable):
        return False
    return True


def _cannot_do_reason(appointment: Appointment, why_not: str) -> str:
    """Why the nightly plan left a visit out whose officer may no longer do it, for the call list."""
    place = place_to_move(appointment)
    why = [
        f"{officer.name} {because}"
        for officer in (appointment.officer, appointment.second_officer)
        if officer is not None and (because := why_may_not_do(appointment.service, place, officer))
    ]
    return f"{' and '.join(why)} ({when(appointment)}), and {why_not}: move it, or call the resident"


class NotAbsent(ValueError):
    """Visits move off an officer's day only for a recorded absence (or the officer being switched off):
    the records availability reads too, so once the re-plan is published nobody can book that officer's
    day again."""


class PlanChanged(Exception):
    """Something the preview relied on changed before it was published: preview again."""


class AlreadyPublished(Exception):
    """This preview has been published already (a second click, or another supervisor)."""


def off_on(officer: Officer, day: date) -> bool:
    """Off that day, so their visits may move to colleagues: a recorded absence, or switched off (a
    leaver is off every day; availability offers them on none, app/officers/workdays.py)."""
    return not officer.active or officer.absent_on(day) is not None


# How far ahead a leaver's visits are looked for (bookings open at most a few months ahead).
LEAVER_HORIZON = timedelta(days=400)


def days_to_replan(officer: Officer, first: date, last: date) -> list[tuple[date, int]]:
    """Days from first to last on which the officer is off (absent, or switched off) yet still has
    visits booked."""
    counts: dict[date, int] = defaultdict(int)
    for appointment in appointments_for([officer.id], first, last):
        counts[to_local(appointment.window_start).date()] += 1
    return [(day, n) for day, n in sorted(counts.items()) if off_on(officer, day)]


def upcoming_days_to_replan(officer: Officer, today: date) -> list[tuple[date, int]]:
    """From today: the days of the officer's recorded absences that still have visits assigned to them
    (the re-plan page offers them to choose from); for a switched-off officer, every day they still
    hold visits on."""
    if not officer.active:
        return days_to_replan(officer, today, today + LEAVER_HORIZON)
    found: list[tuple[date, int]] = []
    for absence in officer.absences:
        if absence.ends_on >= today:
            found += days_to_replan(officer, max(absence.starts_on, today), absence.ends_on)
    return sorted(found)


def _colleagues(absent: Officer, day: date, theirs: list[Appointment] = ()) -> list[WorkingDay]:
    """Who may take the absent officer's visits: working that day, in one of the same areas; and the
    other officer of each of their two-officer visits, if working that day (they may stay on it)."""
    area_ids = {a.id for a in absent.areas}
    partners = {i for a in theirs for i in _officers_of(a)} - {absent.id}
    return [
        wd
        for o in all_officers(active_only=True)
        if o.id != absent.id
        and (wd := working_day(o, day)) is not None
        and (area_ids & {a.id for a in o.areas} or not area_ids or o.id in partners)
    ]


def _travel_now(officers: list[Officer], appointments: list[Appointment]) -> tuple[dict[int, tuple], list]:
    """In the order planned now: each visit's leg (seconds, metres) from the place before it, and every
    leg of these officers' days, back to base included."""
    legs: dict[int, tuple[int, int]] = {}
    steps: list[tuple[int, int]] = []
    for officer in officers:
        base = (round(officer.base_lat, 6), round(officer.base_lng, 6))
        ordered = planned_order([a for a in appointments if officer.id in _officers_of(a)])
        route = [base, *((round(a.lat, 6), round(a.lng, 6)) for a in ordered), base] if ordered else []
        travel = pair_travel(route)
        mine = [travel(a, b) for a, b in zip(route, route[1:], strict=False)]
        for appointment, step in zip(ordered, mine, strict=False):
            legs.setdefault(appointment.id, step)
        steps += mine
    return legs, steps


def _day_as_booked_holds(wd: WorkingDay, appointments: list[Appointment]) -> bool:
    """Whether the officer's day, in its stored order, passes the check booking uses."""
    day = routing_day(wd, [a for a in appointments if wd.officer.id in _officers_of(a)])
    return DayCheck(day, pair_travel([*(s.location for s in day.stops), day.start])).base_ok


def preview_absence(
    absent: Officer, day: date, *, time_limit: float = 3.0, user: User | None = None
) -> ReplanProposal:
    """Solve once who takes the absent officer's visits, and keep the answer to show and to publish.
    Nothing else changes until it is published. Caller commits."""
    if not off_on(absent, day):
        raise NotAbsent(f"{absent.name} is not recorded as absent on {format_date(day)}")
    appointments = active_on_day(day)
    theirs = [a for a in appointments if absent.id in _officers_of(a)]
    colleagues = _colleagues(absent, day, theirs)
    working = {wd.officer.id: wd for wd in colleagues}
    # A two-officer visit keeps the officer who is not away, if they still may do it: only the absent
    # one is replaced, by a colleague joining them at the agreed time.
    stays = {
        a.id: (wd.officer.id, _agreed_arrival(a, wd, appointments))
        for a in theirs
        if (wd := _staying(a, {absent.id}, working)) is not None
    }
    # A colleague whose day as booked the checker already refuses (a break added since, say) takes none
    # of the absent officer's visits and their day is left as it is: planned with the others, one of
    # their own visits would have to go, and the preview could then move nothing at all.
    staying_ids = {officer_id for officer_id, _arrival in stays.values()}
    colleagues = [
        wd for wd in colleagues if wd.officer.id in staying_ids or _day_as_booked_holds(wd, appointments)
    ]
    colleague_ids = [wd.officer.id for wd in colleagues]
    kept = [a for a in theirs if a.id in stays]
    pinned = [a for a in appointments if _officers_of(a) & set(colleague_ids) and a not in theirs]
    seen = versions_for([absent.id, *colleague_ids], day, day)
    legs, steps = _travel_now([absent, *(wd.officer for wd in colleagues)], theirs + pinned)
    data: dict = {
        "versions": {str(o): seen.get((o, day), 0) for o in [absent.id, *colleague_ids]},
        "colleagues": colleague_ids,
        "plan": None,
        "moves": [],
        "unplaced": [],
        "travel_before": [sum(s for s, _m in steps), sum(m for _s, m in steps)],
        "travel_after": [sum(s for s, _m in steps), sum(m for _s, m in steps)],
    }
    for appointment in [a for a in theirs if officers_to_reassign(a, place_to_move(a)) is None]:
        theirs.remove(appointment)
        data["unplaced"].append(
            {"appointment_id": appointment.id, "reason": f"{when(appointment)}: {PRECAUTION_NOT_MET}"}
        )
    if theirs:
        problem = build_problem(colleagues, pinned + theirs, day, free={a.id for a in theirs}, stays=stays)
        result = plan(problem, time_limit, initial=as_booked(colleagues, pinned + kept))
        if any(str(a.id) in result.unassigned for a in pinned + kept):
            # Never break a colleague's promise to rescue another: change nothing at all.
            data["unplaced"] += [
                {"appointment_id": a.id, "reason": "Moving it would break a promise made to another resident"}
                for a in theirs
            ]
        else:
            data["plan"] = asdict(result)
            data["travel_after"] = [result.travel, result.distance]
            stops = {s.visit_id: (r.officer_id, s) for r in result.routes for s in r.stops}
            for appointment in theirs:
                staying = stays.get(appointment.id)
                visit_id = str(appointment.id) + (JOINS if staying else "")
                if visit_id not in stops:
                    code = result.reasons.get(visit_id, "")
                    data["unplaced"].append(
                        {
                            "appointment_id": appointment.id,
                            "reason": _unplaced_pair_reason(appointment, *staying, code)
                            if staying
                            else _unplaced_reason(appointment, code, absent),
                        }
                    )
                    continue
                _officer, stop = stops[visit_id]
                to = [int(r.officer_id) for r in result.routes if visit_id in r.visit_ids]
                data["moves"].append(
                    {
                        "appointment_id": appointment.id,
                        "from": sorted(_officers_of(appointment)),
                        # The joining officer first: the resident's message names them.
                        "to": [*to, staying[0]] if staying else to,
                        "stays": [staying[0]] if staying else [],
                        "state": list(state_of(appointment)),
                        "before": list(legs.get(appointment.id, (0, 0))),
                        "after": [stop.travel, stop.distance],
                    }
                )
    proposal = ReplanProposal(officer=absent, day=day, plan=data, created_by=user)
    db.session.add(proposal)
    db.session.flush()
    audit.record(
        "replan_previewed", "officer", absent.id, user=user, day=day.isoformat(), proposal=proposal.id
    )
    return proposal


def _unplaced_reason(appointment: Appointment, code: str | None = None, absent: Officer | None = None) -> str:
    skill = appointment.service.skill.name if appointment.service.skill else "the service"
    why = UNPLACED_REASONS.get(code or "")
    promised = f"inside the promised time, {when(appointment)}"
    if not (_needs_two(appointment) and absent is not None):
        return f"No colleague with {skill} can take it {promised}" + (f": {why}" if why else "")
    # Both places of a two-officer visit were to fill: say why the other officer could not stay on it.
    both = f"No two colleagues with {skill} can take it together {promised}"
    partner = next(
        (o for o in (appointment.officer, appointment.second_officer) if o not in (None, absent)), None
    )
    if partner is None:
        return both + (f": {why}" if why else "")
    day = to_local(appointment.window_start).date()
    staying = _why_not_staying(partner, appointment, day)
    return f"{both}, and {partner.name}, the other officer on it, {staying}" + (f" ({why})" if why else "")


def _why_not_staying(officer: Officer, appointment: Appointment, day: date) -> str:
    """Why the other officer of a two-officer visit cannot stay on it (they are not working, or may no
    longer do it: _staying's rules), in words for a supervisor."""
    absence = officer.absent_on(day)
    if absence is not None:
        return f"is {absence.wording} too"
    because = why_may_not_do(appointment.service, place_to_move(appointment), officer)
    if because:
        return because
    return "is not working that day" if working_day(officer, day) is None else "cannot stay on it"


# Why no colleague could join the officer staying on a two-officer visit, in the words of that question
# (the planner's own, UNPLACED_REASONS, speak of any visit and its promised officer).
JOIN_REASONS = {
    "no_eligible_officer": "nobody working that day has the skill and covers its area",
    "outside_shifts": "nobody who may do it is working at that time",
    "unreachable": "nobody who may do it can get there by then",
    "no_room": "everybody who may do it is busy at that time",
}


def _unplaced_pair_reason(appointment: Appointment, staying_id: int, arrival: int, code: str) -> str:
    """Why no colleague could join the officer who stays on a two-officer visit."""
    staying = db.session.get(Officer, staying_id)
    skill = appointment.service.skill.name if appointment.service.skill else "the service"
    at = format_time(at_day_seconds(to_local(appointment.window_start).date(), arrival))
    why = JOIN_REASONS.get(code) or UNPLACED_REASONS.get(code)
    return (
        f"{staying.name} can stay on it, but no colleague with {skill} can join them at {at}, when both "
        f"officers are due ({when(appointment)})" + (f": {why}" if why else "")
    )


def _plan_from_json(data: dict) -> Plan:
    """The Plan a proposal stored with dataclasses.asdict, rebuilt exactly."""
    routes = tuple(
        Route(
            **{
                **r,
                "stops": tuple(Stop(**s) for s in r["stops"]),
                "breaks": tuple(BreakTaken(**b) for b in r.get("breaks", ())),
            }
        )
        for r in data["routes"]
    )
    return Plan(
        **{
            **data,
            "routes": routes,
            "unassigned": tuple(data["unassigned"]),
            "objective": Objective(**data.get("objective", {})),
            "notes": tuple(data.get("notes", ())),
        }
    )


def publish_replan(proposal: ReplanProposal, *, user: User | None = None) -> DaySummary:
    """Apply exactly what was previewed, or nothing (PlanChanged / AlreadyPublished). Run it in a unit of
    work that has written nothing yet.

    Each resident whose officer changes is told once (their promised time never moves); visits that
    cannot be placed, and residents no message can reach, go on the supervisors' call list."""
    proposal_id = proposal.id
    finish_reads()  # a fresh transaction whose first statement takes the lock
    published = db.session.execute(
        update(ReplanProposal)
        .where(ReplanProposal.id == proposal_id, ReplanProposal.status == "previewed")
        .values(status="published", published_at=utcnow(), published_by_id=user.id if user else None)
    ).rowcount
    if not published:
        raise AlreadyPublished()
    proposal = db.session.get(ReplanProposal, proposal_id, populate_existing=True)
    data, day, absent = proposal.plan, proposal.day, proposal.officer
    ids = [m["appointment_id"] for m in data["moves"]] + [u["appointment_id"] for u in data["unplaced"]]
    appointments = {a.id: a for a in db.session.scalars(select(Appointment).where(Appointment.id.in_(ids)))}
    for appointment_id in sorted(m["appointment_id"] for m in data["moves"]):
        lock_appointment(appointments[appointment_id])
    officer_ids = [int(o) for o in data["versions"]]
    lock_officer_days([(o, day) for o in officer_ids])
    _check_still_as_previewed(data, day, absent, appointments)

    summary = DaySummary(day, officers=len(data["colleagues"]))
    if data["plan"] is not None:
        result = _plan_from_json(data["plan"])
        stop_ids = [_appointment_id(s.visit_id) for r in result.routes for s in r.stops]
        by_id = {
            str(a.id): a for a in db.session.scalars(select(Appointment).where(Appointment.id.in_(stop_ids)))
        }
        colleagues = list(db.session.scalars(select(Officer).where(Officer.id.in_(data["colleagues"]))))
        _store(result, day, colleagues, by_id, "absence")
        db.session.execute(delete(RoutePlan).where(RoutePlan.day == day, RoutePlan.officer_id == absent.id))
        summary.travel_seconds, summary.distance_m = result.travel, result.distance
    for move in data["moves"]:
        appointment = appointments[move["appointment_id"]]
        _change_officers(appointment, move["to"], user)
        summary.moved.append((appointment, appointment.officer))
    for unplaced in data["unplaced"]:
        appointment = appointments[unplaced["appointment_id"]]
        call_list.add(appointment, unplaced["reason"], "absence")
        summary.unassigned.append(appointment)
    summary.visits = len(summary.moved)
    live_calls.close_resolved(user)  # e.g. a visit the nightly plan listed, now with a colleague
    audit.record(
        "routes_replanned_for_absence",
        "officer",
        absent.id,
        user=user,
        day=day.isoformat(),
        moved=len(summary.moved),
        unkept=[a.reference for a in summary.unassigned],
    )
    return summary


def _check_still_as_previewed(data: dict, day: date, absent: Officer, appointments: dict) -> None:
    versions = versions_for([int(o) for o in data["versions"]], day, day)
    if any(versions[(int(o), day)] != seen + 1 for o, seen in data["versions"].items()):
        raise PlanChanged("Bookings for these officers have changed since the preview")
    if not off_on(absent, day):
        raise PlanChanged(f"{absent.name} is no longer recorded as absent that day")
    for move in data["moves"]:
        appointment = appointments.get(move["appointment_id"])
        if appointment is None or list(state_of(appointment)) != move["state"]:
            raise PlanChanged("A visit in the preview has changed since")
        for officer_id in move["to"]:
            officer = db.session.get(Officer, officer_id)
            if working_day(officer, day) is None:
                raise PlanChanged(f"{officer.name} is no longer working that day")
        if not _precautions_met(appointment, move["to"]):
            raise PlanChanged(f"The risk register has changed since the preview for {when(appointment)}")


def _change_officers(
    appointment: Appointment, officer_ids: list[int], user: User | None, because: str = "of absence"
) -> None:
    """Hand a visit to other officers, keeping its promised time, and tell the resident once. The
    history says who left it and who joined (of a pair, one may stay)."""
    old = [o for o in (appointment.officer, appointment.second_officer) if o is not None]
    appointment.officer_id = officer_ids[0]
    appointment.second_officer_id = officer_ids[1] if len(officer_ids) > 1 else None
    appointment.sequence += 1
    db.session.flush()
    db.session.refresh(appointment, ["officer", "second_officer"])
    new = [o for o in (appointment.officer, appointment.second_officer) if o is not None]
    db.session.add(
        AppointmentEvent(
            appointment=appointment,
            status=appointment.status,
            actor=user,
            channel="staff",
            note=f"Officer changed from {_first_names(o for o in old if o not in new) or 'none'} to "
            f"{_first_names(o for o in new if o not in old)} because {because}; "
            "the promised time is unchanged.",
        )
    )
    # Of a pair, one who stays: the resident is told one officer changes and the other still comes.
    stays = [o for o in new if o in old] if len(new) == 2 else []
    told = outbox.appointment_changed(
        appointment, "officer_change", staying=stays[0].first_name if len(stays) == 1 else ""
    )
    if not any(m.channel in ("sms", "email") for m in told):  # a letter waits for the print batch
        call_list.untold_officer_change(appointment)
    interpreters.flag_if_needed(appointment)  # the new officer may not speak the resident's language


def _first_names(officers: Iterable[Officer]) -> str:
    return " and ".join(o.first_name for o in officers)


def replan_for_absence(
    absent: Officer, day: date, time_limit: float = 3.0, user: User | None = None
) -> DaySummary:
    """Preview and publish in one go (the `flask replan` command; a simulator), each its own unit of work:
    the preview is stored first, because publishing starts a fresh transaction with its lock."""
    with unit_of_work():
        proposal = preview_absence(absent, day, time_limit=time_limit, user=user)
    with unit_of_work():
        return publish_replan(proposal, user=user)


def route_for(officer: Officer, day: date) -> RoutePlan | None:
    return db.session.scalar(
        select(RoutePlan).where(RoutePlan.officer_id == officer.id, RoutePlan.day == day)
    )


def stops_still_planned(plan: RoutePlan) -> list[RouteStop]:
    """The stored route as it still stands: a visit cancelled, moved to another day or given to another
    officer since the plan was stored is no longer this officer's stop (the plan is not re-stored for
    every change; availability and the officer's day read the appointments themselves)."""
    return [
        stop
        for stop in plan.stops
        if stop.appointment.status != AppointmentStatus.CANCELLED
        and to_local(stop.appointment.window_start).date() == plan.day
        and plan.officer_id in (stop.appointment.officer_id, stop.appointment.second_officer_id)
    ]


def _travel(leg) -> str:
    seconds, metres = leg
    return f"{round(seconds / 60)} min, {metres / 1000:.1f} km"


def replan_preview(proposal: ReplanProposal) -> dict:
    """A stored proposal, as a supervisor reads it: who takes each visit, and the travel before and after."""
    data = proposal.plan
    ids = [m["appointment_id"] for m in data["moves"]] + [u["appointment_id"] for u in data["unplaced"]]
    appointments = {a.id: a for a in db.session.scalars(select(Appointment).where(Appointment.id.in_(ids)))}
    officer_ids = {o for m in data["moves"] for o in m["from"] + m["to"]}
    officers = {o.id: o for o in db.session.scalars(select(Officer).where(Officer.id.in_(officer_ids)))}

    def names(ids: list[int]) -> str:
        return " and ".join(officers[i].name for i in ids)

    def change(move: dict) -> str:
        """Of a two-officer visit, who stays and who replaces whom: "Sam Jones stays on it; Priya Shah
        replaces Alex Brown" ("" when the visit moves whole)."""
        stays = move.get("stays", [])
        if not stays:
            return ""
        joining = [i for i in move["to"] if i not in move["from"]]
        leaving = [i for i in move["from"] if i not in move["to"]]
        return f"{names(stays)} stays on it; {names(joining)} replaces {names(leaving)}"

    return {
        "proposal": proposal,
        "moves": [
            {
                "appointment": appointments[m["appointment_id"]],
                "from": names(m["from"]),
                "to": names(m["to"]),
                "change": change(m),
                "before": _travel(m["before"]),
                "after": _travel(m["after"]),
            }
            for m in data["moves"]
        ],
        "unplaced": [
            {"appointment": appointments[u["appointment_id"]], "reason": u["reason"]}
            for u in data["unplaced"]
        ],
        "before": _travel(data["travel_before"]),
        "after": _travel(data["travel_after"]),
    }
