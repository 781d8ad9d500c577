"""The full model of a day on OR-Tools' routing solver: the planner's step for two-officer visits left out.

One vehicle per officer (own start and end base, shift hours, skills, breaks, maximum working time,
capacity); one node per visit, two nodes for a visit that needs two officers (same arrival time,
different officers). Promised windows are hard. Every visit sits in a disjunction with a penalty far
above any travel (times its weight, routing.plans.weight), so a visit that cannot be served is left out
instead of making the model infeasible, and one that weighs less is left out first.

Transits are registered as matrices (`RegisterTransitMatrix`), so OR-Tools evaluates them in C++: a
Python callback is called millions of times a search (bench/README.md, "what each lever bought").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.feasibility import owed_breaks
from routing.plans import BALANCE_COST, TRAVEL_COST, UNASSIGNED_PENALTY, eligible, needs, weight
from routing.types import Problem

Orders = dict[str, list[str]]  # officer id -> visit ids in order
Times = dict[str, int]  # two-officer visit id -> the arrival both officers keep


@dataclass(frozen=True)
class _Node:
    visit_index: int
    copy: int  # 0, or 1 for the second officer of a two-officer visit


class DayModel:
    """The model for one problem; `search` may be called with different seeds and budgets."""

    def __init__(self, problem: Problem):
        self.problem = problem
        officers, visits = problem.officers, problem.visits
        earliest = min(o.shift[0] for o in officers)
        latest = max(o.shift[1] for o in officers)
        # A window no shift touches can never be served: leave it out of the model altogether.
        servable = [i for i, v in enumerate(visits) if v.window[0] <= latest and v.window[1] >= earliest]
        self.nodes = [_Node(i, c) for i in servable for c in range(needs(visits[i]))]
        locations = [visits[n.visit_index].location for n in self.nodes]
        starts, ends = [], []
        for officer in officers:
            starts.append(len(locations))
            locations.append(officer.start)
            ends.append(len(locations))
            locations.append(officer.end)
        self.manager = pywrapcp.RoutingIndexManager(len(locations), len(officers), starts, ends)
        self.routing = routing = pywrapcp.RoutingModel(self.manager)

        places = np.asarray(locations)
        travel = np.asarray(problem.matrix.durations, dtype=np.int64)[np.ix_(places, places)]
        service = np.zeros(len(locations), dtype=np.int64)
        service[: len(self.nodes)] = [visits[n.visit_index].duration for n in self.nodes]
        time_index = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
        routing.SetArcCostEvaluatorOfAllVehicles(
            routing.RegisterTransitMatrix((TRAVEL_COST * travel).tolist())
        )
        horizon = latest + 1
        routing.AddDimension(time_index, horizon, horizon, False, "Time")
        self.time = time = routing.GetDimensionOrDie("Time")
        # Balance: a small cost on the longest working day (travel and visits, from zero for everyone).
        routing.AddDimension(time_index, 0, horizon, True, "Work")
        routing.GetDimensionOrDie("Work").SetGlobalSpanCostCoefficient(BALANCE_COST)

        service_list = service.tolist()
        solver = routing.solver()
        for v, officer in enumerate(officers):
            time.CumulVar(routing.Start(v)).SetRange(officer.shift[0], officer.shift[1])
            time.CumulVar(routing.End(v)).SetRange(officer.shift[0], officer.shift[1])
            if officer.max_working is not None:
                time.SetSpanUpperBoundForVehicle(officer.max_working, v)
            breaks = owed_breaks(officer.shift, officer.breaks)
            if breaks:
                intervals = [
                    solver.FixedDurationIntervalVar(b.earliest, b.latest, b.duration, False, f"break-{v}-{k}")
                    for k, b in enumerate(breaks)
                ]
                time.SetBreakIntervalsOfVehicle(intervals, v, service_list)
            routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(v)))  # leave late
            routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(v)))

        if any(v.demand for v in visits):
            demand = [visits[n.visit_index].demand for n in self.nodes] + [0] * (2 * len(officers))
            capacities = [o.capacity if o.capacity is not None else 10**9 for o in officers]
            routing.AddDimensionWithVehicleCapacity(
                routing.RegisterUnaryTransitVector(demand), 0, capacities, True, "Load"
            )

        vehicle_of = {o.id: v for v, o in enumerate(officers)}
        for node_id, node in enumerate(self.nodes):
            visit = visits[node.visit_index]
            index = self.manager.NodeToIndex(node_id)
            time.CumulVar(index).SetRange(max(visit.window[0], 0), min(visit.window[1], horizon))
            allowed = [vehicle_of[o.id] for o in eligible(problem, visit)]
            if len(allowed) < len(officers):
                routing.VehicleVar(index).SetValues([-1, *allowed])
            routing.AddDisjunction([index], UNASSIGNED_PENALTY * weight(visit))  # per officer it needs
        self._pair_two_officer_visits()

    def _pair_two_officer_visits(self) -> None:
        """Same arrival, different officers, for the two nodes of a two-officer visit.

        "Both or neither" is not a hard constraint: insertion heuristics add one node at a time, so a
        hard equality on the two nodes' activity stops them inserting anything at all (measured: 0 of
        300 visits planned). A lone half earns no reward, so the search completes pairs, and
        routing.plans.build_plan drops any half left over and reports that visit as unassigned.
        """
        routing, solver, time = self.routing, self.routing.solver(), self.time
        first: dict[int, int] = {}
        for node_id, node in enumerate(self.nodes):
            if node.copy == 0:
                first[node.visit_index] = node_id
                continue
            a = self.manager.NodeToIndex(first[node.visit_index])
            b = self.manager.NodeToIndex(node_id)
            both = solver.Min(routing.ActiveVar(a), routing.ActiveVar(b))
            solver.Add(time.CumulVar(a) * both == time.CumulVar(b) * both)
            solver.Add(solver.IsDifferentVar(routing.VehicleVar(a), routing.VehicleVar(b)) + 1 - both >= 1)

    def search(
        self, time_limit: float, seed: Mapping[str, Sequence[str]] | None = None
    ) -> tuple[Orders, Times] | None:
        """Guided local search for `time_limit` seconds, from `seed` (orders the checker accepts) when
        given and the model can restore it, else from parallel cheapest insertion."""
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(int(time_limit * 1000), 1))
        solution = None
        if seed:
            # Close the model with these parameters first: restored with the defaults, the search
            # from the seed fails at once (measured on the field-service day) and starts from nothing.
            self.routing.CloseModelWithParameters(params)
            start = self.routing.ReadAssignmentFromRoutes(self._indices(seed), True)
            if start is not None:
                solution = self.routing.SolveFromAssignmentWithParameters(start, params)
        if solution is None:
            solution = self.routing.SolveWithParameters(params)
        return None if solution is None else self._read(solution)

    def _indices(self, orders: Mapping[str, Sequence[str]]) -> list[list[int]]:
        """Routing indices per vehicle for visit orders; a two-officer visit's second node goes to the
        second officer who has it."""
        by_visit: dict[str, list[int]] = {}
        for node_id, node in enumerate(self.nodes):
            by_visit.setdefault(self.problem.visits[node.visit_index].id, []).append(node_id)
        taken: dict[str, int] = {}
        routes = []
        for officer in self.problem.officers:
            route = []
            for visit_id in orders.get(officer.id, ()):
                copies = by_visit.get(visit_id, [])
                k = taken.get(visit_id, 0)
                if k < len(copies):
                    taken[visit_id] = k + 1
                    route.append(self.manager.NodeToIndex(copies[k]))
            routes.append(route)
        return routes

    def _read(self, solution) -> tuple[Orders, Times]:
        routing, visits = self.routing, self.problem.visits
        orders: Orders = {}
        times: Times = {}
        for v, officer in enumerate(self.problem.officers):
            index = solution.Value(routing.NextVar(routing.Start(v)))
            order = orders.setdefault(officer.id, [])
            while not routing.IsEnd(index):
                visit = visits[self.nodes[self.manager.IndexToNode(index)].visit_index]
                order.append(visit.id)
                if needs(visit) == 2:
                    times[visit.id] = max(times.get(visit.id, 0), solution.Value(self.time.CumulVar(index)))
                index = solution.Value(routing.NextVar(index))
        return orders, times
