"""Route optimisation on OR-Tools' routing solver.

Model: one vehicle per officer (own start and end base, shift hours, skills, an optional lunch break
and maximum working time); one node per visit, two nodes for a visit that needs two officers (same
arrival time, different officers, both or neither). Promised windows are hard. Every visit sits in a
disjunction with a penalty far above any travel, so a visit that cannot be served is reported as
unassigned instead of making the whole problem infeasible.

Objective: travel time, then balance (a small cost on the longest working day); the weights live in
routing.plans. Breaks are the checker's (routing.feasibility.owed_breaks), and every route the solver
returns is timed, and if need be repaired, by that checker (routing.plans.build_plan) before anyone sees it.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, replace

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from routing.feasibility import owed_breaks
from routing.plans import BALANCE_COST, TRAVEL_COST, UNASSIGNED_PENALTY, build_plan
from routing.types import Plan, Problem


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
        return build_plan(problem, {}, started=started, balance=options.balance)

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
    routing.SetArcCostEvaluatorOfAllVehicles(
        routing.RegisterTransitCallback(lambda i, j: TRAVEL_COST * travel_cb(i, j))
    )

    for v, officer in enumerate(officers):
        time_dim.CumulVar(routing.Start(v)).SetRange(officer.shift[0], officer.shift[1])
        time_dim.CumulVar(routing.End(v)).SetRange(officer.shift[0], officer.shift[1])
        if officer.max_working is not None:
            time_dim.SetSpanUpperBoundForVehicle(officer.max_working, v)
        breaks = owed_breaks(officer.shift, officer.breaks)
        if breaks:
            intervals = [
                solver.FixedDurationIntervalVar(b.earliest, b.latest, b.duration, False, f"break-{v}-{k}")
                for k, b in enumerate(breaks)
            ]
            time_dim.SetBreakIntervalsOfVehicle(intervals, v, service)
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))  # leave late
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))

    if options.balance:
        work = routing.RegisterTransitCallback(time_cb)
        routing.AddDimension(work, 0, horizon, True, "Work")
        routing.GetDimensionOrDie("Work").SetGlobalSpanCostCoefficient(BALANCE_COST)

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
        routes = [[manager.NodeToIndex(n) for n in route] for route in _seed_routes(initial, visits, nodes)]
        seed = routing.ReadAssignmentFromRoutes(routes, True)
        if seed is not None:
            solution = routing.SolveFromAssignmentWithParameters(seed, params)
    if solution is None:
        solution = routing.SolveWithParameters(params)
    candidates = []
    if solution is not None:
        orders, times = _read_routes(problem, nodes, manager, routing, solution, time_dim)
        candidates.append(build_plan(problem, orders, times, started=started, balance=options.balance))
    if initial:
        # The seed (e.g. the day as booked) is a floor: never return a plan worse than it.
        seeded = {o.id: list(ids) for o, ids in zip(officers, initial, strict=False)}
        candidates.append(build_plan(problem, seeded, started=started, balance=options.balance))
    if not candidates:
        empty = build_plan(problem, {}, started=started, balance=options.balance)
        return replace(empty, status="no_solution", notes=(f"solver status {routing.status()}",))
    return min(candidates, key=lambda p: p.objective.total)


def _seed_routes(initial: list[list[str]], visits, nodes) -> list[list[int]]:
    """Node ids per officer for the seed's visit ids. A two-officer visit is in both officers' lists: the
    first officer named gets its first node, the second its second. Each node is used once across all
    routes (OR-Tools refuses a seed that uses one twice: "Index ... is used multiple times")."""
    by_id = {v.id: i for i, v in enumerate(visits)}
    used: set[int] = set()
    routes = []
    for ids in initial:
        route = []
        for visit_id in ids:
            vi = by_id.get(visit_id)
            if vi is None:
                continue
            for node_id, node in enumerate(nodes):
                if node.visit_index == vi and node_id not in used:
                    used.add(node_id)
                    route.append(node_id)
                    break
        routes.append(route)
    return routes


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


def _read_routes(problem, nodes, manager, routing, solution, time_dim):
    """The solver's visit order per officer, and the arrival time it agreed for each two-officer visit."""
    orders: dict[str, list[str]] = {}
    times: dict[str, int] = {}
    for v, officer in enumerate(problem.officers):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        order = orders.setdefault(officer.id, [])
        while not routing.IsEnd(index):
            visit = problem.visits[nodes[manager.IndexToNode(index)].visit_index]
            order.append(visit.id)
            if visit.officers_needed >= 2:
                times[visit.id] = max(times.get(visit.id, 0), solution.Value(time_dim.CumulVar(index)))
            index = solution.Value(routing.NextVar(index))
    return orders, times
