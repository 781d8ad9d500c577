"""Ruin and recreate over the one checker: the planner's improvement on days with breaks.

PyVRP plans the relaxed day (no breaks); the checker's repair makes that plan keep every lunch, and
costs travel doing so. This search takes the repaired plan (or the day as booked) and, until the
deadline, repeatedly takes out a few nearby strings of visits (slack induction by string removals, as
Christiaens and Vanden Berghe's SISR) and puts each back where the checker finds the least added
travel (`DayCheck.cheapest_insertion`, exact with breaks, windows, shifts and maximum working time).
A change is kept under simulated annealing on travel; the best plan seen is returned. Every day it
holds is one the checker keeps, so nothing here can break a promise.

Two-officer visits stay where they are, at their agreed time (moving one means moving two days at
once); the visits around them move freely. One-officer visits the start left out are tried again with
every change, at the planner's penalty for a visit left out (far above any travel, times the visit's
weight: routing.plans.weight), so a change that leaves one more out is never kept, nor one that serves
a visit by leaving out one that weighs more.
"""

from __future__ import annotations

import math
import random
import time as clock
from collections.abc import Mapping, Sequence

from routing.feasibility import DayCheck, matrix_travel
from routing.plans import TRAVEL_COST, UNASSIGNED_PENALTY, day_of, may_do, needs, stop_of, weight
from routing.types import Problem

NEAREST = 40  # visits considered related to a visit (its nearest by travel and time)
MOST_REMOVED = 12  # visits taken out in one change, at most
LONGEST_STRING = 6  # consecutive visits taken out of one day, at most
START_TEMPERATURE = 0.1  # of the mean leg's travel: accepts early changes a little worse
END_TEMPERATURE = 0.001
LEFT_OUT = UNASSIGNED_PENALTY // TRAVEL_COST  # seconds of travel a visit of weight 1 left out costs


def improve(
    problem: Problem,
    orders: Mapping[str, Sequence[str]],
    times: Mapping[str, int],
    deadline: float,
    seed: int = 1,
) -> dict[str, list[str]]:
    """Visit orders per officer serving at least the visits of `orders` (days the checker keeps, with
    two-officer visits at `times`) in at most its travel, each day still kept by the checker."""
    return _Search(problem, orders, times, seed).run(deadline)


class _Search:
    def __init__(self, problem: Problem, orders, times: Mapping[str, int], seed: int):
        self.problem = problem
        self.rng = random.Random(seed)
        self.travel = matrix_travel(problem.matrix)
        self.times = dict(times)
        self.visits = {v.id: v for v in problem.visits}
        self.officers = {o.id: o for o in problem.officers}
        self.routes = {o.id: list(orders.get(o.id, ())) for o in problem.officers}
        self.checks = {o: self._check(o, self.routes[o]) for o in self.routes}
        served = {v for ids in self.routes.values() for v in ids}
        self.movable = [v.id for v in problem.visits if needs(v) == 1]
        self.missing = [v for v in self.movable if v not in served]
        self.able = {v: [o.id for o in problem.officers if may_do(o, self.visits[v])] for v in self.movable}
        self.near = {v: self._nearest(v) for v in self.movable}
        self.left_out = {v: LEFT_OUT * weight(self.visits[v]) for v in self.movable}

    def _check(self, officer_id: str, ids: Sequence[str]) -> DayCheck:
        stops = [stop_of(self.visits[v], self.times.get(v)) for v in ids]
        return DayCheck(day_of(self.problem, self.officers[officer_id], stops), self.travel)

    def _nearest(self, visit_id: str) -> list[str]:
        """Related visits: close by road, and with windows close in time."""
        durations = self.problem.matrix.durations
        a = self.visits[visit_id]

        def distance(other: str) -> int:
            b = self.visits[other]
            apart = max(0, a.window[0] - b.window[1], b.window[0] - a.window[1])
            return durations[a.location][b.location] + durations[b.location][a.location] + apart

        return sorted((v for v in self.movable if v != visit_id), key=distance)[:NEAREST]

    def cost(self) -> int:
        travel = sum(self.checks[o].base_travel for o, ids in self.routes.items() if ids)
        return travel + sum(self.left_out[v] for v in self.missing)

    def run(self, deadline: float) -> dict[str, list[str]]:
        if len(self.movable) < 2 or not all(c.base_ok for o, c in self.checks.items() if self.routes[o]):
            return self.routes
        current = best = self.cost()
        best_routes = {o: list(ids) for o, ids in self.routes.items()}
        legs = max(sum(len(ids) + 1 for ids in self.routes.values() if ids), 1)
        missed = sum(self.left_out[v] for v in self.missing)
        leg = max((current - missed) / legs, 1.0)  # a day with no travel has legs of 0
        hot, cold = START_TEMPERATURE * leg, END_TEMPERATURE * leg
        started = clock.monotonic()
        span = max(deadline - started, 1e-3)
        while (now := clock.monotonic()) < deadline:
            temperature = hot * (cold / hot) ** ((now - started) / span)
            undo = self._change()
            if undo is None:
                continue
            cost = self.cost()
            if cost < current - temperature * math.log(self.rng.random() or 1e-12):
                current = cost
                if cost < best:
                    best = cost
                    best_routes = {o: list(ids) for o, ids in self.routes.items()}
            else:
                self._undo(*undo)
        return best_routes

    def _change(self) -> tuple[list[str], dict] | None:
        """Ruin then recreate; what to undo it with (the visits left out before, and each changed day
        as it was), or None when the ruin was undone at once."""
        missing = list(self.missing)
        saved: dict[str, tuple[list[str], DayCheck]] = {}
        removed = self._ruin(saved)
        for officer_id in saved:
            self.checks[officer_id] = check = self._check(officer_id, self.routes[officer_id])
            if not check.base_ok:  # travel that breaks the triangle rule: a shorter day can be later
                self._undo(missing, saved)
                return None
        self.missing = []
        for visit_id in missing + self._recreate_order(removed):
            if not self._insert(visit_id, saved):
                self.missing.append(visit_id)
        return missing, saved

    def _ruin(self, saved: dict) -> list[str]:
        where = {v: o for o, ids in self.routes.items() for v in ids}
        wanted = self.rng.randint(2, min(MOST_REMOVED, max(2, len(self.movable) // 4)))
        # Around a visit left out, half the time: room is made where it is needed.
        pick_missing = self.missing and self.rng.random() < 0.5
        centre = self.rng.choice(self.missing if pick_missing else self.movable)
        removed: list[str] = []
        for visit_id in [centre, *self.near[centre]]:
            if len(removed) >= wanted:
                break
            officer_id = where.get(visit_id)
            if officer_id is None or officer_id in saved:
                continue
            route = self.routes[officer_id]
            saved[officer_id] = (list(route), self.checks[officer_id])
            length = self.rng.randint(1, min(LONGEST_STRING, len(route), wanted - len(removed)))
            at = route.index(visit_id)
            first = self.rng.randint(max(0, at - length + 1), min(at, len(route) - length))
            string = [v for v in route[first : first + length] if needs(self.visits[v]) == 1]
            removed += string
            self.routes[officer_id] = [v for v in route if v not in string]
        return removed

    def _recreate_order(self, removed: list[str]) -> list[str]:
        """SISR's orders: random, or the tightest window first, or the longest visit first."""
        how = self.rng.random()
        if how < 0.4:
            self.rng.shuffle(removed)
            return removed
        if how < 0.8:
            return sorted(removed, key=lambda v: self.visits[v].window[1] - self.visits[v].window[0])
        return sorted(removed, key=lambda v: -self.visits[v].duration)

    def _insert(self, visit_id: str, saved: dict) -> bool:
        visit = self.visits[visit_id]
        best = None
        for officer_id in self.able[visit_id]:
            found = self.checks[officer_id].cheapest_insertion(visit.location, visit.window, visit.duration)
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], officer_id, found[1])
        if best is None:
            return False
        _added, officer_id, position = best
        route = self.routes[officer_id]
        saved.setdefault(officer_id, (list(route), self.checks[officer_id]))
        route.insert(position, visit_id)
        self.checks[officer_id] = self._check(officer_id, route)
        return True

    def _undo(self, missing: list[str], saved: dict[str, tuple[list[str], DayCheck]]) -> None:
        self.missing = missing
        for officer_id, (route, check) in saved.items():
            self.routes[officer_id] = route
            self.checks[officer_id] = check
