"""Solomon VRPTW instances in the DIMACS convention, an independent checker, and three solvers.

DIMACS convention (12th DIMACS challenge, CVRPLIB): each leg is floor(10 * euclidean) / 10, the same
value is the travel time, the objective is total distance only, with at most K vehicles. We work in
integers (tenths): legs floor(10 d), windows and service times x 10.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from routing.planner import plan
from routing.types import Matrix, Officer, Problem, Visit


@dataclass(frozen=True)
class Customer:
    id: int
    x: int
    y: int
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    depot: Customer
    customers: tuple[Customer, ...]

    def leg(self, a: Customer, b: Customer) -> int:
        """Tenths of a unit, truncated: the DIMACS rule."""
        return math.floor(10 * math.hypot(a.x - b.x, a.y - b.y))

    def by_id(self) -> dict[int, Customer]:
        return {c.id: c for c in (self.depot, *self.customers)}


def read_instance(path: str | Path) -> Instance:
    lines = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    name = lines[0][0]
    vehicles, capacity = (int(v) for v in lines[3])
    rows = [Customer(*(int(v) for v in row[:7])) for row in lines if len(row) == 7 and row[0].isdigit()]
    return Instance(name, vehicles, capacity, rows[0], tuple(rows[1:]))


@dataclass(frozen=True)
class Check:
    feasible: bool
    distance: float  # in units, DIMACS-truncated legs
    problems: tuple[str, ...]


def check(instance: Instance, routes: list[list[int]]) -> Check:
    """Re-check a solution ourselves: every customer once, capacity, windows, back by the depot's due."""
    problems = []
    seen: list[int] = [c for r in routes for c in r]
    expected = {c.id for c in instance.customers}
    if sorted(seen) != sorted(expected):
        missing, extra = (
            expected - set(seen),
            [c for c in set(seen) if seen.count(c) > 1 or c not in expected],
        )
        problems.append(f"customers missing {sorted(missing)[:5]} or repeated/unknown {sorted(extra)[:5]}")
    if len([r for r in routes if r]) > instance.vehicles:
        problems.append(f"{len(routes)} routes for a fleet of {instance.vehicles}")
    by_id = instance.by_id()
    total = 0
    for route in routes:
        if not route:
            continue
        load, now, here = 0, 0, instance.depot
        for cid in route:
            there = by_id.get(cid)
            if there is None:
                break
            leg = instance.leg(here, there)
            total += leg
            now = max(now + leg, there.ready * 10)
            if now > there.due * 10:
                problems.append(f"customer {cid} served at {now / 10} after its due time {there.due}")
            now += there.service * 10
            load += there.demand
            here = there
        leg = instance.leg(here, instance.depot)
        total += leg
        if now + leg > instance.depot.due * 10:
            problems.append(f"route ending {cid} returns at {(now + leg) / 10} after {instance.depot.due}")
        if load > instance.capacity:
            problems.append(f"route load {load} over capacity {instance.capacity}")
    return Check(not problems, total / 10, tuple(problems))


@dataclass(frozen=True)
class Result:
    routes: list[list[int]]
    seconds: float
    notes: tuple[str, ...] = ()


def solve_ortools(instance: Instance, time_limit: float) -> Result:
    """Ours: the planner the app runs (routing.plan), with the same time budget as the peers."""
    points = (instance.depot, *instance.customers)
    legs = tuple(tuple(instance.leg(a, b) for b in points) for a in points)
    shift = (instance.depot.ready * 10, instance.depot.due * 10)
    officers = tuple(
        Officer(f"v{k}", start=0, end=0, shift=shift, capacity=instance.capacity)
        for k in range(instance.vehicles)
    )
    visits = tuple(
        Visit(
            str(c.id), location=i, window=(c.ready * 10, c.due * 10), duration=c.service * 10, demand=c.demand
        )
        for i, c in enumerate(points)
        if i > 0
    )
    started = time.monotonic()
    result = plan(Problem(Matrix(legs, legs), officers, visits), time_limit)
    routes = [[int(v) for v in route.visit_ids] for route in result.routes]
    return Result(routes, time.monotonic() - started, result.notes)


def solve_pyvrp(instance: Instance, time_limit: float, seed: int = 1) -> Result:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    model = pyvrp.Model()
    depot = instance.depot
    model.add_depot(model.add_location(depot.x, depot.y), tw_early=depot.ready * 10, tw_late=depot.due * 10)
    for c in instance.customers:
        model.add_client(
            model.add_location(c.x, c.y),
            delivery=[c.demand],
            service_duration=c.service * 10,
            tw_early=c.ready * 10,
            tw_late=c.due * 10,
        )
    model.add_vehicle_type(
        num_available=instance.vehicles,
        capacity=[instance.capacity],
        tw_early=depot.ready * 10,
        tw_late=depot.due * 10,
    )
    points = (depot, *instance.customers)
    for a, la in zip(points, model.locations, strict=True):
        for b, lb in zip(points, model.locations, strict=True):
            leg = instance.leg(a, b)
            model.add_edge(la, lb, distance=leg, duration=leg)
    started = time.monotonic()
    result = model.solve(stop=MaxRuntime(time_limit), seed=seed, display=False)
    routes = [[a.idx + 1 for a in route if a.is_client()] for route in result.best.routes()]
    return Result(routes, time.monotonic() - started)


def solve_vroom(instance: Instance, time_limit: float) -> Result:
    import vroom

    points = (instance.depot, *instance.customers)
    legs = [[instance.leg(a, b) for b in points] for a in points]
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=legs)
    depot = instance.depot
    for k in range(instance.vehicles):
        problem.add_vehicle(
            vroom.Vehicle(
                k + 1,
                start=0,
                end=0,
                capacity=[instance.capacity],
                time_window=vroom.TimeWindow(depot.ready * 10, depot.due * 10),
            )
        )
    for i, c in enumerate(points[1:], start=1):
        problem.add_job(
            vroom.Job(
                c.id,
                location=i,
                default_service=c.service * 10,
                delivery=[c.demand],
                time_windows=[vroom.TimeWindow(c.ready * 10, c.due * 10)],
            )
        )
    started = time.monotonic()
    solution = problem.solve(exploration_level=5, nb_threads=2)
    routes_frame = solution.routes
    routes: dict[int, list[int]] = {}
    for row in routes_frame.itertuples():
        if row.type == "job":
            routes.setdefault(row.vehicle_id, []).append(int(row.id))
    return Result(list(routes.values()), time.monotonic() - started)


SOLVERS = {"ortools": solve_ortools, "pyvrp": solve_pyvrp, "vroom": solve_vroom}
