"""A strong start for the full model: PyVRP's iterated local search on a relaxed day.

The relaxation keeps travel, windows, visit lengths, shifts, capacity and maximum working time, and
drops what PyVRP cannot say: breaks, and "two officers arriving together" (a two-officer visit becomes
two visits at the same door that one officer cannot both do). Skills and promised officers become
routing profiles: an officer's profile makes every visit they may not do unreachable. Every visit is
optional with a prize far above any travel, so a day that cannot all be served still has a seed.

What comes out is only a proposal: routing.plans.build_plan times and repairs it with the one checker,
and OR-Tools improves it on the full model (routing.planner).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement

from routing.feasibility import owed_breaks
from routing.plans import may_do, needs
from routing.types import Officer, Problem

PRIZE = 200_000  # per visit, in seconds of travel: far above any detour, so serving beats leaving out
BARRED = 10 * PRIZE  # the cost of reaching a visit an officer may not do: never worth its prize
STAGNATION = 20_000  # iterations without a better solution before the search stops early


def relaxed_seed(
    problem: Problem, time_limit: float, initial: Mapping[str, Sequence[str]] | None = None
) -> dict[str, list[str]]:
    """Visit orders per officer from PyVRP on the relaxed day (empty when there is nothing to plan)."""
    copies = [(v, c) for v in problem.visits for c in range(needs(v))]
    if not copies or not problem.officers:
        return {}
    data = _data(problem, copies)
    start = _warm_start(problem, data, copies, initial) if initial else None
    stop = MultipleCriteria([MaxRuntime(max(time_limit, 0.01)), NoImprovement(STAGNATION)])
    result = pyvrp.solve(data, stop, seed=1, collect_stats=False, initial_solution=start)
    orders: dict[str, list[str]] = {o.id: [] for o in problem.officers}
    for route in result.best.routes():
        officer = problem.officers[route.vehicle_type()]
        orders[officer.id] = [copies[a.idx][0].id for a in route if a.is_client()]
    return orders


def _data(problem: Problem, copies: list) -> pyvrp.ProblemData:
    officers = problem.officers
    bases = sorted({o.start for o in officers} | {o.end for o in officers})
    depot_of = {place: k for k, place in enumerate(bases)}
    # One PyVRP location per depot and per visit copy (a profile bars a visit, not a place).
    places = np.asarray(bases + [v.location for v, _c in copies])
    durations = np.asarray(problem.matrix.durations, dtype=np.int64)[np.ix_(places, places)]
    costs = durations.copy()  # travel seconds, or BARRED where an officer must not go
    first = len(bases)
    for k in range(len(copies) - 1):
        if copies[k + 1][1] == 1:  # the two halves of a two-officer visit: never one officer
            costs[first + k, first + k + 1] = costs[first + k + 1, first + k] = BARRED

    profiles: dict[bytes, int] = {}
    matrices, times = [], []
    profile_of = []
    for officer in officers:
        barred = np.array([not may_do(officer, v) for v, _c in copies])
        key = np.packbits(barred).tobytes()
        if key not in profiles:
            matrix = costs.copy()
            matrix[:, first + np.flatnonzero(barred)] = BARRED
            np.fill_diagonal(matrix, 0)
            profiles[key] = len(matrices)
            matrices.append(matrix)
            times.append(durations)
        profile_of.append(profiles[key])

    earliest = min(o.shift[0] for o in officers)
    latest = max(o.shift[1] for o in officers)
    depots = [pyvrp.Depot(location=k, tw_early=earliest, tw_late=latest) for k in range(len(bases))]
    dimensions = 1 if any(v.demand for v in problem.visits) else 0
    clients = [
        pyvrp.Client(
            location=first + k,
            delivery=[v.demand] * dimensions,
            service_duration=v.duration,
            tw_early=v.window[0],
            tw_late=v.window[1],
            prize=PRIZE,
            required=False,
        )
        for k, (v, _c) in enumerate(copies)
    ]
    unlimited = [10**9] * dimensions
    vehicles = [
        pyvrp.VehicleType(
            num_available=1,
            capacity=unlimited if o.capacity is None else [o.capacity] * dimensions,
            start_depot=depot_of[o.start],
            end_depot=depot_of[o.end],
            tw_early=o.shift[0],
            tw_late=o.shift[1],
            shift_duration=_working_time(o),
            profile=profile_of[n],
        )
        for n, o in enumerate(officers)
    ]
    locations = [pyvrp.Location(0, 0) for _ in places]
    return pyvrp.ProblemData(locations, clients, depots, vehicles, matrices, times)


def _working_time(officer: Officer) -> int:
    """The longest the day may last from leaving base to returning, less the breaks owed in it: breaks
    tighten the relaxation this way (a break taken while waiting is lost; the checker repairs that)."""
    shift = officer.shift[1] - officer.shift[0]
    limit = shift if officer.max_working is None else min(shift, officer.max_working)
    return max(limit - sum(b.duration for b in owed_breaks(officer.shift, officer.breaks)), 0)


def _warm_start(problem: Problem, data: pyvrp.ProblemData, copies: list, initial) -> pyvrp.Solution | None:
    """Today's orders (e.g. the day as booked) as PyVRP's first solution, when they are complete."""
    client_of: dict[str, list[int]] = {}
    for k, (v, _c) in enumerate(copies):
        client_of.setdefault(v.id, []).append(k)
    taken: dict[str, int] = {}
    routes = []
    for n, officer in enumerate(problem.officers):
        visits = []
        for visit_id in initial.get(officer.id, ()):
            k = taken.get(visit_id, 0)
            if k < len(client_of.get(visit_id, ())):
                taken[visit_id] = k + 1
                visits.append(client_of[visit_id][k])
        if visits:
            routes.append(pyvrp.Route(data, visits, n))
    try:
        return pyvrp.Solution(data, routes)
    except (ValueError, RuntimeError):
        return None
