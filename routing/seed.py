"""A strong start for the full model: PyVRP's iterated local search on a relaxed day.

The relaxation keeps travel, windows, visit lengths, shifts, capacity and maximum working time, and
drops what PyVRP cannot say: breaks, and "two officers arriving together" (a two-officer visit becomes
two visits at the same door that one officer cannot both do). Skills and promised officers become
routing profiles: an officer's profile makes every visit they may not do unreachable. Every visit is
optional with a prize far above any travel (times its weight, routing.plans.weight), so a day that
cannot all be served still has a seed, and the visits that weigh least are the ones left out.

What comes out is only a proposal: routing.plans.build_plan times and repairs it with the one checker,
and the ruin and recreate search (routing.recreate) improves it with the checker (routing.planner).
"""

from __future__ import annotations

import time as clock
from collections.abc import Mapping, Sequence

import numpy as np
import pyvrp
from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
from pyvrp.search import NeighbourhoodParams

from routing.plans import may_do, needs, weight
from routing.types import Problem

PRIZE = 200_000  # per visit of weight 1 (routing.plans.weight), in seconds of travel: far above any detour
BARRED = 10 * PRIZE  # times the heaviest weight: reaching a visit an officer may not do, never worth it
# A search starved of CPU gets a few hundred to a few thousand iterations, not PyVRP's hundreds of
# thousands: a shorter late-acceptance history (50, not 300) accepts less that is worse, and 30 nearest
# neighbours (not 50) make each iteration cheaper. Measured at 8 s, load 10-15 (bench/README.md):
# nine hard Solomon instances 2.38 % -> 1.30 % mean, six 200-customer instances 1.86 % -> 0.61 %.
PARAMETERS = pyvrp.SolveParams(
    ils=IteratedLocalSearchParams(history_length=50),
    neighbourhood=NeighbourhoodParams(num_neighbours=30),
)


class _Until:
    """PyVRP's stopping rule: a moment on the monotonic clock. Its own MaxRuntime starts counting at the
    first iteration, after the set-up (neighbour lists, the first local search), which overran a 4.5 s
    round by 0.7 s on Solomon RC103 at load 9. (A stop after 20,000 iterations without improvement cost
    1.2 % on R208: the search runs to the deadline.)"""

    def __init__(self, deadline: float):
        self.deadline = deadline

    def __call__(self, best_cost: float) -> bool:
        return clock.monotonic() >= self.deadline


def relaxed_seed(
    problem: Problem,
    time_limit: float,
    initial: Mapping[str, Sequence[str]] | None = None,
    seed: int = 1,
    params: pyvrp.SolveParams = PARAMETERS,
) -> dict[str, list[str]]:
    """Visit orders per officer from PyVRP on the relaxed day (empty when there is nothing to plan),
    within `time_limit` seconds from the call, set-up included. `params` other than the planner's are
    for benchmarks (PyVRP with its own defaults)."""
    deadline = clock.monotonic() + max(time_limit, 0.01)
    copies = [(v, c) for v in problem.visits for c in range(needs(v))]
    if not copies or not problem.officers:
        return {}
    data, types = _data(problem, copies)
    start = _warm_start(problem, data, types, copies, initial) if initial else None
    result = pyvrp.solve(
        data, _Until(deadline), seed=seed, collect_stats=False, params=params, initial_solution=start
    )
    orders: dict[str, list[str]] = {o.id: [] for o in problem.officers}
    free = [list(members) for members in types]
    for route in result.best.routes():
        officer = problem.officers[free[route.vehicle_type()].pop(0)]
        orders[officer.id] = [copies[a.idx][0].id for a in route if a.is_client()]
    return orders


def _data(problem: Problem, copies: list) -> tuple[pyvrp.ProblemData, list[list[int]]]:
    """PyVRP's problem, and the officers (indices) behind each of its vehicle types."""
    officers = problem.officers
    bases = sorted({o.start for o in officers} | {o.end for o in officers})
    depot_of = {place: k for k, place in enumerate(bases)}
    # One PyVRP location per depot and per visit copy (a profile bars a visit, not a place).
    places = np.asarray(bases + [v.location for v, _c in copies])
    durations = np.asarray(problem.matrix.durations, dtype=np.int64)[np.ix_(places, places)]
    never = BARRED * max(weight(v) for v, _c in copies)
    costs = durations.copy()  # travel seconds, or `never` where an officer must not go
    first = len(bases)
    for k in range(len(copies) - 1):
        if copies[k + 1][1] == 1:  # the two halves of a two-officer visit: never one officer
            costs[first + k, first + k + 1] = costs[first + k + 1, first + k] = never

    profiles: dict[bytes, int] = {}
    matrices, times = [], []
    profile_of = []
    for officer in officers:
        barred = np.array([not may_do(officer, v) for v, _c in copies])
        key = np.packbits(barred).tobytes()
        if key not in profiles:
            matrix = costs.copy()
            matrix[:, first + np.flatnonzero(barred)] = never
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
            prize=PRIZE * weight(v),
            required=False,
        )
        for k, (v, _c) in enumerate(copies)
    ]
    unlimited = [10**9] * dimensions
    # Officers alike in everything PyVRP sees share one vehicle type (its search treats a type's
    # vehicles as interchangeable: one type per officer cost 1.2 % on Solomon's R208).
    kinds: dict[tuple, list[int]] = {}
    for n, o in enumerate(officers):
        kinds.setdefault((o.start, o.end, o.shift, o.capacity, o.max_working, profile_of[n]), []).append(n)
    vehicles = [
        pyvrp.VehicleType(
            num_available=len(members),
            capacity=unlimited if capacity is None else [capacity] * dimensions,
            start_depot=depot_of[start],
            end_depot=depot_of[end],
            tw_early=shift[0],
            tw_late=shift[1],
            **({} if max_working is None else {"shift_duration": max_working}),
            profile=profile,
        )
        for (start, end, shift, capacity, max_working, profile), members in kinds.items()
    ]
    locations = [pyvrp.Location(x, y) for x, y in _plane(durations)]
    data = pyvrp.ProblemData(locations, clients, depots, vehicles, matrices, times)
    return data, list(kinds.values())


def _plane(durations: np.ndarray) -> np.ndarray:
    """Points on a plane whose distances approximate the travel times (classical scaling). PyVRP's
    SWAP* looks at where routes lie around the depot; with every point at one place it is blind
    (measured: Solomon RC103 3.4 % with all points at the origin, against 1.2 % with its coordinates)."""
    n = len(durations)
    if n < 3:
        return np.zeros((n, 2))
    symmetric = (durations + durations.T) / 2.0
    centred = np.eye(n) - 1.0 / n
    gram = -0.5 * centred @ (symmetric**2) @ centred
    values, vectors = np.linalg.eigh(gram)
    top = np.argsort(values)[-2:]
    return vectors[:, top] * np.sqrt(np.maximum(values[top], 0))


def _warm_start(
    problem: Problem, data: pyvrp.ProblemData, types: list[list[int]], copies: list, initial
) -> pyvrp.Solution | None:
    """Today's orders (e.g. the day as booked) as PyVRP's first solution, when they are complete."""
    client_of: dict[str, list[int]] = {}
    for k, (v, _c) in enumerate(copies):
        client_of.setdefault(v.id, []).append(k)
    type_of = {n: t for t, members in enumerate(types) for n in members}
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
            routes.append(pyvrp.Route(data, visits, type_of[n]))
    try:
        return pyvrp.Solution(data, routes)
    except (ValueError, RuntimeError):
        return None
