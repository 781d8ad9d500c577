"""Route optimisation on OR-Tools' routing solver.

Model: one vehicle per officer (own start and end base, shift hours, skills, an optional lunch break
and maximum working time); one node per visit, two nodes for a visit that needs two officers (same
arrival time, different officers, both or neither). Promised windows are hard. Every visit sits in a
disjunction with a penalty far above any travel, so a visit that cannot be served is reported as
unassigned instead of making the whole problem infeasible.

Objective: travel time, then balance (a small cost on the longest working day).
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from routing.types import Plan, Problem, Route, Stop

UNASSIGNED_PENALTY = 10_000_000
BALANCE_COEFFICIENT = 1  # per second of the longest day; travel costs 100 per second


@dataclass(frozen=True)
class SolverOptions:
    time_limit: float = 5.0
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    balance: bool = True
    log: bool = False
    gls_lambda: float | None = None  # OR-Tools default 0.1
    extra_operators: bool = False


@dataclass(frozen=True)
class _Node:
    visit_index: int
    copy: int  # 0, or 1 for the second officer of a two-officer visit


def plan(
    problem: Problem, options: SolverOptions | None = None, initial: list[list[str]] | None = None
) -> Plan:
    """Plan every officer's day. `initial` (visit ids per officer) seeds the search, e.g. today's plan."""
    options = options or SolverOptions()
    started = clock.monotonic()
    officers, visits, matrix = problem.officers, problem.visits, problem.matrix
    if not officers or not visits:
        return Plan(
            (),
            tuple(v.id for v in visits),
            "solved" if not visits else "partial",
            0.0,
            notes=("no officers",) if not officers else (),
        )

    earliest_shift = min(o.shift[0] for o in officers)
    latest_shift = max(o.shift[1] for o in officers)
    # A window no shift touches can never be served: report it without troubling the solver.
    servable = [
        i for i, v in enumerate(visits) if v.window[0] <= latest_shift and v.window[1] >= earliest_shift
    ]
    nodes = [_Node(i, c) for i in servable for c in range(min(visits[i].officers_needed, 2))]
    # Node 0.. are visits; then each officer's start and end depot node.
    locations = [visits[n.visit_index].location for n in nodes]
    starts, ends = [], []
    for officer in officers:
        starts.append(len(locations))
        locations.append(officer.start)
        ends.append(len(locations))
        locations.append(officer.end)

    manager = pywrapcp.RoutingIndexManager(len(locations), len(officers), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()
    durations = matrix.durations
    service = [visits[n.visit_index].duration for n in nodes] + [0] * (2 * len(officers))

    def travel_cb(i: int, j: int) -> int:
        return durations[locations[manager.IndexToNode(i)]][locations[manager.IndexToNode(j)]]

    def time_cb(i: int, j: int) -> int:
        a = manager.IndexToNode(i)
        return service[a] + durations[locations[a]][locations[manager.IndexToNode(j)]]

    time_index = routing.RegisterTransitCallback(time_cb)
    horizon = latest_shift + 1
    routing.AddDimension(time_index, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    # Travel costs 100 per second, so the balance term below only breaks near-ties.
    routing.SetArcCostEvaluatorOfAllVehicles(
        routing.RegisterTransitCallback(lambda i, j: 100 * travel_cb(i, j))
    )

    for v, officer in enumerate(officers):
        time_dim.CumulVar(routing.Start(v)).SetRange(officer.shift[0], officer.shift[1])
        time_dim.CumulVar(routing.End(v)).SetRange(officer.shift[0], officer.shift[1])
        if officer.max_working is not None:
            time_dim.SetSpanUpperBoundForVehicle(officer.max_working, v)
        if officer.breaks:
            intervals = [
                solver.FixedDurationIntervalVar(b.earliest, b.latest, b.duration, False, f"break-{v}-{k}")
                for k, b in enumerate(officer.breaks)
                if b.earliest < officer.shift[1]
            ]
            time_dim.SetBreakIntervalsOfVehicle(intervals, v, service)
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))  # leave late
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))

    if options.balance:
        work = routing.RegisterTransitCallback(time_cb)
        routing.AddDimension(work, 0, horizon, True, "Work")
        routing.GetDimensionOrDie("Work").SetGlobalSpanCostCoefficient(BALANCE_COEFFICIENT)

    if any(v.demand for v in visits):
        demand_index = routing.RegisterUnaryTransitCallback(
            lambda i: (
                visits[nodes[manager.IndexToNode(i)].visit_index].demand
                if manager.IndexToNode(i) < len(nodes)
                else 0
            )
        )
        capacities = [o.capacity if o.capacity is not None else 10**9 for o in officers]
        routing.AddDimensionWithVehicleCapacity(demand_index, 0, capacities, True, "Load")

    for node_id, node in enumerate(nodes):
        visit = visits[node.visit_index]
        index = manager.NodeToIndex(node_id)
        time_dim.CumulVar(index).SetRange(max(visit.window[0], 0), min(visit.window[1], horizon))
        allowed = [
            v
            for v, o in enumerate(officers)
            if visit.skills <= o.skills and (visit.allowed_officers is None or o.id in visit.allowed_officers)
        ]
        if len(allowed) < len(officers):
            routing.VehicleVar(index).SetValues([-1, *allowed])
        routing.AddDisjunction([index], UNASSIGNED_PENALTY)

    _pair_two_officer_visits(nodes, manager, routing, solver, time_dim)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, options.first_solution)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, options.metaheuristic
    )
    params.time_limit.FromMilliseconds(int(options.time_limit * 1000))
    params.log_search = options.log
    if options.gls_lambda is not None:
        params.guided_local_search_lambda_coefficient = options.gls_lambda
    if options.extra_operators:
        ops = params.local_search_operators
        for name in (
            "use_relocate_expensive_chain",
            "use_extended_swap_active",
            "use_path_lns",
            "use_inactive_lns",
            "use_full_path_lns",
        ):
            if hasattr(ops, name):
                setattr(ops, name, optional_boolean_pb2.BOOL_TRUE)

    solution = None
    if initial:
        routes = [[manager.NodeToIndex(n) for n in _nodes_for(ids, visits, nodes)] for ids in initial]
        seed = routing.ReadAssignmentFromRoutes(routes, True)
        if seed is not None:
            solution = routing.SolveFromAssignmentWithParameters(seed, params)
    if solution is None:
        solution = routing.SolveWithParameters(params)
    elapsed = clock.monotonic() - started
    if solution is None:
        return Plan(
            (),
            tuple(v.id for v in visits),
            "no_solution",
            elapsed,
            notes=(f"solver status {routing.status()}",),
        )
    return _read_plan(problem, nodes, locations, manager, routing, solution, time_dim, elapsed)


def _nodes_for(ids: list[str], visits, nodes) -> list[int]:
    """Node ids for visit ids, giving a two-officer visit's second node to the second officer named."""
    by_id = {v.id: i for i, v in enumerate(visits)}
    used: set[int] = set()
    result = []
    for visit_id in ids:
        vi = by_id.get(visit_id)
        if vi is None:
            continue
        for node_id, node in enumerate(nodes):
            if node.visit_index == vi and node_id not in used:
                used.add(node_id)
                result.append(node_id)
                break
    return result


def _pair_two_officer_visits(nodes, manager, routing, solver, time_dim) -> None:
    """Two nodes per two-officer visit: same arrival time, different officers.

    "Both or neither" is not a hard constraint: insertion heuristics add one node at a time, so a hard
    equality on the two nodes' activity stops them inserting anything at all (measured: 0 of 300 visits
    planned on the field-service instance). A lone half earns no reward, so the search completes pairs,
    and _read_plan drops any half left over and reports that visit as unassigned.
    """
    first_copy: dict[int, int] = {}
    for node_id, node in enumerate(nodes):
        if node.copy == 0:
            first_copy[node.visit_index] = node_id
            continue
        a = manager.NodeToIndex(first_copy[node.visit_index])
        b = manager.NodeToIndex(node_id)
        both = solver.Min(routing.ActiveVar(a), routing.ActiveVar(b))
        # Arrive together whenever both are served...
        solver.Add(time_dim.CumulVar(a) * both == time_dim.CumulVar(b) * both)
        # ...and never the same officer twice (inactive nodes share vehicle -1).
        solver.Add(solver.IsDifferentVar(routing.VehicleVar(a), routing.VehicleVar(b)) + 1 - both >= 1)


def _read_plan(problem, nodes, locations, manager, routing, solution, time_dim, elapsed) -> Plan:
    durations, distances = problem.matrix.durations, problem.matrix.distances
    routes, served = [], set()
    active_copies: dict[int, int] = {}
    for node_id, node in enumerate(nodes):
        if solution.Value(routing.NextVar(manager.NodeToIndex(node_id))) != manager.NodeToIndex(node_id):
            active_copies[node.visit_index] = active_copies.get(node.visit_index, 0) + 1
    complete = {vi for vi, n in active_copies.items() if n >= min(problem.visits[vi].officers_needed, 2)}
    for v, officer in enumerate(problem.officers):
        index = routing.Start(v)
        previous = locations[manager.IndexToNode(index)]
        leave = solution.Min(time_dim.CumulVar(index))
        stops, travel, distance = [], 0, 0
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node_id = manager.IndexToNode(index)
            if nodes[node_id].visit_index not in complete:  # half a two-officer visit: skip it
                index = solution.Value(routing.NextVar(index))
                continue
            visit = problem.visits[nodes[node_id].visit_index]
            here = locations[node_id]
            seconds, metres = durations[previous][here], distances[previous][here]
            start = solution.Min(time_dim.CumulVar(index))
            arrival = stops[-1].departure + seconds if stops else leave + seconds
            stops.append(Stop(visit.id, min(arrival, start), start, start + visit.duration, seconds, metres))
            travel, distance = travel + seconds, distance + metres
            served.add(visit.id)
            previous = here
            index = solution.Value(routing.NextVar(index))
        here = locations[manager.IndexToNode(index)]
        travel += durations[previous][here] if stops else 0
        distance += distances[previous][here] if stops else 0
        back = solution.Min(time_dim.CumulVar(index))
        if stops:
            routes.append(Route(officer.id, tuple(stops), leave, back, travel, distance))
    unassigned = tuple(v.id for v in problem.visits if v.id not in served)
    return Plan(
        tuple(routes),
        unassigned,
        "partial" if unassigned else "solved",
        elapsed,
        objective=solution.ObjectiveValue(),
    )
