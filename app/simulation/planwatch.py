"""Every officer-day, looked at before and after each plan is stored (the nightly plan, an absence
re-plan) and each morning: does it pass the one checker, does it still offer a slot, how far is it.

A day "offers a slot" when a half-hour visit at the officer's base fits in one of the arrival windows,
by the same check availability uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.booking.availability import ARRIVAL_WINDOWS, routing_day, visits_for
from app.officers.roster import roster
from app.officers.travel import pair_travel
from app.officers.workdays import working_day
from app.planning.nightly import days_due, is_planned
from app.simulation.record import Record
from app.timeutil import local_now
from app.unit_of_work import finish_reads
from routing.feasibility import DayCheck

PROBE_SECONDS = 30 * 60


@dataclass(frozen=True)
class DayState:
    passes: bool
    offers: bool
    metres: int


def officer_days(day: date) -> dict[int, DayState]:
    """Each working officer's day as stored now."""
    officers = [o for o in roster().officers.values() if o.active]
    visits = visits_for([o.id for o in officers], day, day)
    states = {}
    for officer in officers:
        wd = working_day(officer, day)
        if wd is None:
            continue
        mine = [v for v in visits if officer.id in (v.officer_id, v.second_officer_id)]
        stored = routing_day(wd, mine)
        places = [stored.start, *(s.location for s in stored.stops), stored.end]
        travel = pair_travel(places + [stored.start])
        check = DayCheck(stored, travel)
        offers = any(check.best_insertion(stored.start, w, PROBE_SECONDS) for w in ARRIVAL_WINDOWS)
        metres = sum(travel(a, b)[1] for a, b in zip(places, places[1:], strict=False)) if mine else 0
        states[officer.id] = DayState(check.timing() is not None, offers, metres)
    finish_reads()
    return states


def note_failing(record: Record, day: date, states: dict[int, DayState]) -> None:
    record.failing_check |= {(o, day.isoformat()) for o, s in states.items() if not s.passes}


def compare(record: Record, day: date, before: dict[int, DayState], after: dict[int, DayState]) -> None:
    """A plan was stored for `day`: any day it broke, or left with no slot where there was one."""
    note_failing(record, day, after)
    for officer_id, then in before.items():
        now = after.get(officer_id)
        if then.offers and (now is None or not now.offers):
            record.without_slots.add((officer_id, day.isoformat()))


def around_nightly_plan(record: Record) -> Callable:
    """Wraps the scheduler's plan job: the days it is about to plan, before and after, and the travel
    of each officer's day as booked against as planned."""

    def around(run: Callable[[], object]) -> object:
        due = [d for d in days_due(local_now()) if not is_planned(d)]
        finish_reads()
        before = {d: officer_days(d) for d in due}
        result = run()
        for day in due:
            if not is_planned(day):
                continue  # the job failed; it retries at its next run
            after = officer_days(day)
            compare(record, day, before[day], after)
            record.metres_as_booked += sum(s.metres for s in before[day].values())
            record.metres_planned += sum(s.metres for s in after.values())
        finish_reads()
        return result

    return around
