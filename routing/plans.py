"""Whole plans, made only of routes the one checker (routing.feasibility) has timed.

Whatever proposes the routes (OR-Tools, a seed, yesterday's plan), `build_plan` is the only way to a
`Plan`: it times every route with the checker, holds the two officers of a two-officer visit to one
arrival time, repairs any route the checker refuses (drops the visits it cannot keep, then tries to
place them again), and says why each visit left out was left out. `check_plan` re-checks a finished
plan independently; the benchmarks and the tests use it.
"""

from __future__ import annotations

import itertools
import random
import time as clock
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routing.feasibility import DayCheck, DayStop, OfficerDay, matrix_travel
from routing.types import Objective, Officer, Plan, Problem, Route, Visit

TRAVEL_COST = 100  # per second of travel
UNASSIGNED_PENALTY = 10_000_000  # per officer a visit needed and did not get: far above any travel
# The priority (routing.types.Visit.priority) of a visit already promised to its officer in a day where
# others are free to move (an absence re-plan): no search leaves it out to fit fewer than this many of them.
PROMISED = 1_000
BALANCE_COST = 1  # per second of the longest working day: only breaks near-ties

EJECTION_TRIALS = 2_000  # days tried per build when making room for visits left out
MAKING_ROOM_SECONDS = 1.0  # per build, for moving visits about to make room for those left out

REASONS = {
    "no_eligible_officer": "no officer on duty may do it (skills, or the officer promised)",
    "outside_shifts": "no eligible officer is working during its window",
    "unreachable": "no eligible officer can get there inside its window, even with an empty day",
    "needs_two_officers": "it needs two officers and fewer than two eligible officers can get there",
    "no_room": "every eligible officer's day is already full at that time",
    "pair_not_together": "two eligible officers have room, but not at the same time",
    "checker_refused": "the solver placed it but the checker could not keep it in that order",
    "left_out": "it would fit, but the planner did not place it in the time it had",
}


def may_do(officer: Officer, visit: Visit) -> bool:
    """Skills, and the officer promised if there is one."""
    return visit.skills <= officer.skills and (
        visit.allowed_officers is None or officer.id in visit.allowed_officers
    )


def eligible(problem: Problem, visit: Visit) -> list[Officer]:
    return [o for o in problem.officers if may_do(o, visit)]


def needs(visit: Visit) -> int:
    return min(visit.officers_needed, 2)


def weight(visit: Visit) -> int:
    """What leaving the visit out weighs, per officer it needs, in visits of priority 1: the one rule every
    search weighs by (the objective here, OR-Tools' disjunctions, PyVRP's prizes, ruin and recreate)."""
    return max(visit.priority, 1)


def penalty(visit: Visit) -> int:
    """What leaving the visit out costs in the objective: UNASSIGNED_PENALTY per officer it needs, times
    its weight."""
    return UNASSIGNED_PENALTY * needs(visit) * weight(visit)


def day_of(problem: Problem, officer: Officer, stops: Sequence[DayStop]) -> OfficerDay:
    return OfficerDay(
        officer.shift, officer.start, officer.end, tuple(stops), officer.breaks, officer.max_working
    )


def stop_of(visit: Visit, together: int | None = None) -> DayStop:
    """A visit as a stop; a two-officer visit is held to the time both officers arrive."""
    window = visit.window if together is None else (together, together)
    return DayStop(visit.id, visit.location, window, visit.duration)


class _Planner:
    """The state of one build: orders per officer and the agreed time of each two-officer visit."""

    def __init__(self, problem: Problem, orders: Mapping[str, Sequence[str]]):
        self.problem = problem
        self.travel = matrix_travel(problem.matrix)
        self.visits = {v.id: v for v in problem.visits}
        self.officers = {o.id: o for o in problem.officers}
        self.orders: dict[str, list[str]] = {o.id: [] for o in problem.officers}
        self.refused: set[str] = set()
        self.placing: set[str] = set()  # visits being placed by an ejection chain: not to be moved
        self.trials = EJECTION_TRIALS
        self.until = clock.monotonic() + MAKING_ROOM_SECONDS  # for the searches that make room
        seen: dict[str, list[str]] = {}
        for officer_id, ids in orders.items():
            officer = self.officers.get(officer_id)
            if officer is None:
                continue
            for visit_id in ids:
                visit = self.visits.get(visit_id)
                holders = seen.setdefault(visit_id, [])
                if visit is None or officer_id in holders or len(holders) >= needs(visit):
                    continue
                if may_do(officer, visit):
                    holders.append(officer_id)
                    self.orders[officer_id].append(visit_id)
        # Half a two-officer visit serves nobody.
        for visit_id, holders in seen.items():
            if visit_id in self.visits and len(holders) < needs(self.visits[visit_id]):
                for officer_id in holders:
                    self.orders[officer_id].remove(visit_id)

    def pairs_in(self, officer_id: str) -> list[str]:
        return [v for v in self.orders[officer_id] if needs(self.visits[v]) == 2]

    def check(
        self, officer_id: str, times: Mapping[str, int], order: Sequence[str] | None = None
    ) -> DayCheck:
        officer = self.officers[officer_id]
        ids = self.orders[officer_id] if order is None else order
        stops = [stop_of(self.visits[v], times.get(v)) for v in ids]
        return DayCheck(day_of(self.problem, officer, stops), self.travel)

    def synchronise(self, times: dict[str, int]) -> None:
        """Give every two-officer visit one arrival time both officers can keep: start from the
        earliest each can manage and raise it to the later of the two until both agree."""
        pairs = {v for o in self.orders for v in self.pairs_in(o)}
        if pairs <= times.keys() and all(
            self.check(o, times).base_ok for o in self.orders if self.pairs_in(o)
        ):
            return  # the times given (by the solver, or as booked) already hold for both officers
        for v in pairs:
            times.setdefault(v, self.visits[v].window[0])
        for _round in range(4 * len(pairs) + 4):
            changed = False
            for officer_id in self.orders:
                mine = self.pairs_in(officer_id)
                if not mine:
                    continue
                lower = {v: (times[v], self.visits[v].window[1]) for v in mine}
                stops = [
                    DayStop(
                        v,
                        self.visits[v].location,
                        lower.get(v, self.visits[v].window),
                        self.visits[v].duration,
                    )
                    for v in self.orders[officer_id]
                ]
                starts = DayCheck(
                    day_of(self.problem, self.officers[officer_id], stops), self.travel
                ).starts()
                if starts is None:
                    return  # cannot be synchronised in this order: the repair below drops pairs
                for stop, start in zip(stops, starts, strict=True):
                    if stop.id in lower and start > times[stop.id]:
                        times[stop.id] = start
                        changed = True
            if not changed:
                return

    def repair(self, times: dict[str, int]) -> None:
        """Until every route passes: move one visit within a refused day if that lets it pass; else take
        out the one visit whose removal lets it pass
        (usually a lunch that no longer fits), moving it to another officer with room if one has, else
        dropping it (the cheapest such day), if no visit of the day weighs less (routing.plans.weight);
        failing that, keep the day's visits, the weightiest first and then in order, while it still passes
        and drop the rest (both halves of a two-officer visit)."""
        for _round in range(len(self.visits) + 1):
            failing = [o for o in self.orders if self.orders[o] and not self.check(o, times).base_ok]
            if not failing:
                return
            officer_id = failing[0]
            order = self.orders[officer_id]
            reordered = self._reorder(officer_id, times)
            if reordered is not None:
                self.orders[officer_id] = reordered
                continue
            lighter = [
                (weight(self.visits[visit_id]), check.base_travel, visit_id)
                for visit_id in order
                if (check := self.check(officer_id, times, [v for v in order if v != visit_id])).base_ok
            ]
            moves = [
                (travel + place[0], visit_id, place)
                for _weight, travel, visit_id in lighter
                if needs(self.visits[visit_id]) == 1
                and (place := self._best_place(self.visits[visit_id], times, but=officer_id))
            ]
            if moves:  # move it straight to the officer with room for it
                _cost, visit_id, (_added, other, at) = min(moves)
                order.remove(visit_id)
                self.orders[other].insert(at, visit_id)
                continue
            if lighter and min(lighter)[0] <= min(weight(self.visits[v]) for v in order):
                self.drop(min(lighter)[2])
                continue
            self.orders[officer_id] = self._keep_weightiest(officer_id, times)

    def _keep_weightiest(self, officer_id: str, times: Mapping[str, int]) -> list[str]:
        """The day's visits, in order, that it can keep taking the weightiest first (at equal weight, in
        order); the rest dropped."""
        order = list(self.orders[officer_id])
        kept: set[str] = set()
        for visit_id in sorted(order, key=lambda v: -weight(self.visits[v])):  # stable: in order
            if self.check(officer_id, times, [v for v in order if v in kept or v == visit_id]).base_ok:
                kept.add(visit_id)
            else:
                self.drop(visit_id)
        return [v for v in order if v in kept]

    def _reorder(self, officer_id: str, times: Mapping[str, int]) -> list[str] | None:
        """The least-travel order, one visit moved elsewhere in the same day, that the checker keeps
        (a lunch that does not fit often fits once one visit comes earlier or later)."""
        order = self.orders[officer_id]
        best = None
        for i, visit_id in enumerate(order):
            rest = order[:i] + order[i + 1 :]
            for j in range(len(order)):
                if j == i:
                    continue
                trial = [*rest[:j], visit_id, *rest[j:]]
                check = self.check(officer_id, times, trial)
                if check.base_ok and (best is None or check.base_travel < best[0]):
                    best = (check.base_travel, trial)
        return None if best is None else best[1]

    def drop(self, visit_id: str) -> None:
        self.refused.add(visit_id)
        for order in self.orders.values():
            if visit_id in order:
                order.remove(visit_id)

    def reinsert(self, times: dict[str, int]) -> None:
        """Put refused one-officer visits back where the checker finds room (least added travel), or
        else where there is room once one visit moves from that day to another officer's."""
        for visit_id in sorted(self.refused, key=lambda v: (-weight(self.visits[v]), v)):  # weightiest first
            visit = self.visits[visit_id]
            if needs(visit) == 2:
                continue
            best = self._best_place(visit, times)
            if best is not None:
                self.orders[best[1]].insert(best[2], visit_id)
                self.refused.discard(visit_id)
            elif clock.monotonic() < self.until and (
                self._place_by_moving_one(visit, times)
                or self._place_by_ejecting(visit, times)
                or self._place_by_reshuffling(visit, times)
            ):
                self.refused.discard(visit_id)

    def _best_place(
        self, visit: Visit, times: Mapping[str, int], but: str | None = None
    ) -> tuple[int, str, int] | None:
        """(added travel, officer id, position) of the cheapest insertion the checker allows."""
        best = None
        for officer in eligible(self.problem, visit):
            if officer.id == but:
                continue
            insertion = self.check(officer.id, times).best_insertion(
                visit.location, visit.window, visit.duration
            )
            if insertion and (best is None or insertion.added_travel < best[0]):
                best = (insertion.added_travel, officer.id, insertion.position)
        return best

    def _place_by_moving_one(self, visit: Visit, times: Mapping[str, int]) -> bool:
        best = None
        for officer in eligible(self.problem, visit):
            order = self.orders[officer.id]
            now = self.check(officer.id, times).base_travel
            for moved in order:
                if needs(self.visits[moved]) == 2:
                    continue
                rest = [v for v in order if v != moved]
                here = self.check(officer.id, times, rest)
                insertion = here.best_insertion(visit.location, visit.window, visit.duration)
                if insertion is None:
                    continue
                elsewhere = self._best_place(self.visits[moved], times, but=officer.id)
                if elsewhere is None:
                    continue
                cost = here.base_travel - now + insertion.added_travel + elsewhere[0]
                if best is None or cost < best[0]:
                    best = (cost, officer.id, rest, insertion.position, moved, elsewhere)
        if best is None:
            return False
        _cost, officer_id, rest, position, moved, (_added, other, at) = best
        self.orders[officer_id] = [*rest[:position], visit.id, *rest[position:]]
        self.orders[other].insert(at, moved)
        return True

    def _place_by_ejecting(self, visit: Visit, times: Mapping[str, int], depth: int = 3) -> bool:
        """Make room in an eligible officer's day by taking out one or two of its visits (one, further
        down the chain), when each of those then finds a place elsewhere the same way: an ejection
        chain, bounded by `self.trials`."""
        for size in (1, 2) if depth == 3 else (1,):
            for officer in eligible(self.problem, visit):
                order = self.orders[officer.id]
                singles = [v for v in order if needs(self.visits[v]) == 1 and v not in self.placing]
                for out in itertools.combinations(singles, size):
                    self.trials -= 1
                    if self.trials < 0 or clock.monotonic() > self.until:
                        return False
                    rest = [v for v in order if v not in out]
                    insertion = self.check(officer.id, times, rest).best_insertion(
                        visit.location, visit.window, visit.duration
                    )
                    if insertion is None:
                        continue
                    saved = {o: list(ids) for o, ids in self.orders.items()}
                    self.orders[officer.id] = [
                        *rest[: insertion.position],
                        visit.id,
                        *rest[insertion.position :],
                    ]
                    self.placing.add(visit.id)
                    placed = all(self._place_now(self.visits[v], times, depth - 1) for v in out)
                    self.placing.discard(visit.id)
                    if placed:
                        return True
                    self.orders = saved
        return False

    def _place_now(self, visit: Visit, times: Mapping[str, int], depth: int) -> bool:
        place = self._best_place(visit, times)
        if place is not None:
            self.orders[place[1]].insert(place[2], visit.id)
            return True
        return self._place_by_moving_one(visit, times) or (
            depth > 0 and self._place_by_ejecting(visit, times, depth)
        )

    def _place_by_reshuffling(self, visit: Visit, times: Mapping[str, int], tries: int = 60) -> bool:
        """Take a few visits out of the days that could hold this one around its time, place this one,
        then put them back where they fit best, hardest first; keep the first way that places all."""
        rng = random.Random(visit.id)
        officers = [o.id for o in eligible(self.problem, visit)]
        nearby = [
            v
            for o in officers
            for v in self.orders[o]
            if needs(self.visits[v]) == 1
            and self.visits[v].window[0] <= visit.window[1] + 3600
            and visit.window[0] <= self.visits[v].window[1] + 3600
        ]
        for _try in range(tries if nearby else 0):
            if clock.monotonic() > self.until:
                return False
            saved = {o: list(ids) for o, ids in self.orders.items()}
            out = rng.sample(nearby, min(len(nearby), rng.randint(2, 5)))
            for v in out:
                self.drop(v)
                self.refused.discard(v)
            placed = True
            for v in [visit.id, *sorted(out, key=lambda v: self._options(self.visits[v], times))]:
                place = self._best_place(self.visits[v], times)
                if place is None:
                    placed = False
                    break
                self.orders[place[1]].insert(place[2], v)
            if placed:
                return True
            self.orders = saved
        return False

    def _options(self, visit: Visit, times: Mapping[str, int]) -> int:
        return sum(
            self.check(o.id, times).best_insertion(visit.location, visit.window, visit.duration) is not None
            for o in eligible(self.problem, visit)
        )

    def reason(self, visit: Visit, times: Mapping[str, int]) -> str:
        officers = eligible(self.problem, visit)
        if not officers:
            return "no_eligible_officer"
        officers = [o for o in officers if o.shift[0] <= visit.window[1] and visit.window[0] <= o.shift[1]]
        if not officers:
            return "outside_shifts"
        empty = [
            o
            for o in officers
            if DayCheck(day_of(self.problem, o, ()), self.travel).best_insertion(
                visit.location, visit.window, visit.duration
            )
        ]
        if len(empty) < needs(visit):
            return "unreachable" if not empty else "needs_two_officers"
        room = [
            o
            for o in empty
            if self.check(o.id, times).best_insertion(visit.location, visit.window, visit.duration)
        ]
        if len(room) < needs(visit):
            return "no_room"
        if visit.id in self.refused:
            return "checker_refused"
        return "left_out" if needs(visit) == 1 else "pair_not_together"


def build_plan(
    problem: Problem,
    orders: Mapping[str, Sequence[str]],
    times: Mapping[str, int] | None = None,
    *,
    started: float | None = None,
    balance: bool = True,
    notes: Sequence[str] = (),
) -> Plan:
    """The plan for these visit orders (officer id -> visit ids), timed and repaired by the checker.
    `times` may give the agreed arrival of two-officer visits (e.g. from the solver); any missing are
    found by the checker."""
    planner = _Planner(problem, orders)
    agreed = dict(times or {})
    planner.synchronise(agreed)
    planner.repair(agreed)
    planner.reinsert(agreed)
    routes = []
    for officer in problem.officers:
        if not planner.orders[officer.id]:
            continue
        timing = planner.check(officer.id, agreed).timing()
        assert timing is not None  # repair leaves only routes the checker accepts
        routes.append(
            Route(
                officer.id,
                timing.stops,
                timing.leave_base,
                timing.return_base,
                timing.travel,
                timing.distance,
                timing.breaks,
            )
        )
    served = {v for order in planner.orders.values() for v in order}
    unassigned = tuple(v.id for v in problem.visits if v.id not in served)
    reasons = {v.id: planner.reason(v, agreed) for v in problem.visits if v.id not in served}
    longest = max((sum(s.departure - s.start for s in r.stops) + r.travel for r in routes), default=0)
    objective = Objective(
        travel=TRAVEL_COST * sum(r.travel for r in routes),
        unassigned=sum(penalty(planner.visits[v]) for v in unassigned),
        balance=BALANCE_COST * longest if balance else 0,
    )
    return Plan(
        tuple(routes),
        unassigned,
        "partial" if unassigned else "solved",
        0.0 if started is None else clock.monotonic() - started,
        objective,
        reasons,
        tuple(notes),
    )


def check_plan(problem: Problem, plan: Plan) -> list[str]:
    """Everything wrong with a plan, re-checked from the problem (empty when the plan is sound):
    each route's times kept by the one checker, skills and promised officers respected, each visit
    served by as many officers as it needs (two at the same time) or listed with a reason."""
    problems: list[str] = []
    visits = {v.id: v for v in problem.visits}
    officers = {o.id: o for o in problem.officers}
    travel = matrix_travel(problem.matrix)
    served: dict[str, list[tuple[str, int]]] = {}
    for route in plan.routes:
        officer = officers.get(route.officer_id)
        if officer is None:
            problems.append(f"route for unknown officer {route.officer_id}")
            continue
        stops = []
        for stop in route.stops:
            visit = visits.get(stop.visit_id)
            if visit is None:
                problems.append(f"{route.officer_id}: unknown visit {stop.visit_id}")
                continue
            if not may_do(officer, visit):
                problems.append(f"{route.officer_id} may not do {visit.id}")
            if not visit.window[0] <= stop.start <= visit.window[1]:
                problems.append(f"{visit.id} starts at {stop.start}, outside its window {visit.window}")
            served.setdefault(visit.id, []).append((route.officer_id, stop.start))
            stops.append(DayStop(visit.id, visit.location, (stop.start, stop.start), visit.duration))
        if not DayCheck(day_of(problem, officer, stops), travel).base_ok:
            problems.append(f"{route.officer_id}: the checker cannot keep this day at these times")
    for visit_id, holders in served.items():
        visit = visits[visit_id]
        if len(holders) != needs(visit) or len({o for o, _ in holders}) != len(holders):
            problems.append(f"{visit_id} served by {[o for o, _ in holders]}, needs {needs(visit)}")
        elif len({t for _, t in holders}) != 1:
            problems.append(f"{visit_id}: its two officers arrive at different times {holders}")
    for visit in problem.visits:
        if visit.id not in served and visit.id not in plan.unassigned:
            problems.append(f"{visit.id} neither served nor listed as unassigned")
        if visit.id in plan.unassigned and plan.reasons.get(visit.id) not in REASONS:
            problems.append(f"{visit.id} left out without a reason")
    return problems


@dataclass(frozen=True)
class Verdict:
    """Someone's proposed orders as they stand, judged by the one checker without any repair."""

    planned: int  # visits with as many officers as they need
    kept: int  # of those, visits on days the checker keeps (two-officer visits at one time)
    pairs: int  # two-officer visits planned
    pairs_together: int  # of those, kept with both officers arriving at one time
    travel: int  # seconds, over the days the checker keeps
    distance: int  # metres, the same
    days_refused: int  # officer-days the checker cannot keep as proposed


def judge(
    problem: Problem, orders: Mapping[str, Sequence[str]], times: Mapping[str, int] | None = None
) -> Verdict:
    """Benchmarks use this to compare planners fairly: every day is checked exactly as proposed (the
    two officers of a two-officer visit held to one arrival time where both days allow one); a day the
    checker refuses counts none of its visits as kept."""
    planner = _Planner(problem, orders)
    times = dict(times or {})  # agreed arrivals of two-officer visits, if the planner gave them
    planner.synchronise(times)
    ok_days = {o for o in planner.orders if planner.orders[o] and planner.check(o, times).base_ok}
    holders: dict[str, list[str]] = {}
    for officer_id, ids in planner.orders.items():
        for visit_id in ids:
            holders.setdefault(visit_id, []).append(officer_id)
    planned = [v for v in holders if len(holders[v]) == needs(planner.visits[v])]
    kept = [v for v in planned if all(o in ok_days for o in holders[v])]
    pairs = [v for v in planned if needs(planner.visits[v]) == 2]
    checks = {o: planner.check(o, times) for o in ok_days}
    return Verdict(
        planned=len(planned),
        kept=len(kept),
        pairs=len(pairs),
        pairs_together=len([v for v in pairs if v in kept]),
        travel=sum(c.base_travel for c in checks.values()),
        distance=sum(c.base_distance for c in checks.values()),
        days_refused=len([o for o in planner.orders if planner.orders[o] and o not in ok_days]),
    )
