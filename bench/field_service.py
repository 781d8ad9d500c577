"""Field-service benchmark on the demo county: our plan vs VROOM vs a naive plan, on one instance.

    .venv/bin/python bench/field_service.py [--officers 40] [--visits 300] [--time-limit 60] [--seed 1]

The instance: officers based at the 20 community hubs with two or three skills, 08:30-17:00 shifts and a
30-minute lunch starting 12:30-13:30; visits around the towns with a skill, a two-hour arrival window,
a length from the service list, and about one in ten needing two officers. Travel from the default
estimate (routing.travel). Every plan is re-checked here: kept windows, shift, break, travel.

VROOM has no way to make two vehicles arrive together, so in its run a two-officer visit is two
independent jobs (a relaxation that can only flatter VROOM). The naive plan takes visits in booking
order and gives each to the nearest officer (from where they last were) who can still reach it in time.
Writes bench/results/field_service.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.demo.county import AREAS, SERVICES, SKILLS  # noqa: E402  (plain data)
from routing.feasibility import DayCheck, DayStop, OfficerDay  # noqa: E402
from routing.optimiser import SolverOptions, plan  # noqa: E402
from routing.travel import HaversineTravel  # noqa: E402
from routing.types import Break, Officer, Problem, Visit  # noqa: E402

H, M = 3600, 60
SHIFT = (8 * H + 30 * M, 17 * H)
LUNCH = Break(12 * H + 30 * M, 13 * H + 30 * M, 30 * M)
WINDOWS = [(9 * H, 11 * H), (11 * H, 13 * H), (13 * H, 15 * H), (15 * H, 17 * H)]


def build(officers: int, visits: int, seed: int) -> tuple[Problem, list]:
    rng = random.Random(seed)
    skill_codes = [code for code, _name in SKILLS]
    points: list[tuple[float, float]] = [(lat, lng) for _c, _n, lat, lng, _a, _p in AREAS]
    crew = []
    for i in range(officers):
        skills = {skill_codes[i % len(skill_codes)], skill_codes[(i * 7 + 3) % len(skill_codes)]}
        if rng.random() < 0.4:
            skills.add(rng.choice(skill_codes))
        crew.append(
            Officer(
                f"o{i}",
                start=i % len(AREAS),
                end=i % len(AREAS),
                shift=SHIFT,
                skills=frozenset(skills),
                breaks=(LUNCH,),
            )
        )
    jobs = []
    by_skill = {code: sum(code in o.skills for o in crew) for code in skill_codes}
    services = [s for s in SERVICES if by_skill[s[4]] >= 2]
    for v in range(visits):
        _c, _n, lat, lng, _a, _p = rng.choice(AREAS)
        service = rng.choice(services)
        points.append((lat + rng.uniform(-0.022, 0.022), lng + rng.uniform(-0.035, 0.035)))
        jobs.append(
            Visit(
                f"v{v}",
                location=len(points) - 1,
                window=rng.choice(WINDOWS),
                duration=service[2] * M,
                skills=frozenset({service[4]}),
                officers_needed=2 if rng.random() < 0.1 else 1,
            )
        )
    matrix = HaversineTravel().matrix(points)
    return Problem(matrix, tuple(crew), tuple(jobs)), points


def _pair_travel(problem: Problem, points):
    index = {p: i for i, p in enumerate(points)}
    m = problem.matrix

    def pair(a, b):
        i, j = index[a], index[b]
        return m.durations[i][j], m.distances[i][j]

    return pair


def evaluate(problem: Problem, points, routes: dict[str, list[str]]) -> dict:
    """Re-check a plan: travel, windows kept, shift and break respected (each officer on their own)."""
    visits = {v.id: v for v in problem.visits}
    pair = _pair_travel(problem, points)

    travel = distance = 0
    broken_days = 0
    served: dict[str, int] = {}
    for officer in problem.officers:
        ids = routes.get(officer.id, [])
        if not ids:
            continue
        stops = tuple(
            DayStop(i, points[visits[i].location], visits[i].window, visits[i].duration) for i in ids
        )
        day = OfficerDay(officer.shift, points[officer.start], points[officer.end], stops, officer.breaks)
        check = DayCheck(day, pair)
        if not check.base_ok:
            broken_days += 1
            continue
        travel += check.base_travel
        distance += check.base_distance
        for i in ids:
            served[i] = served.get(i, 0) + 1
    complete = [v for v in problem.visits if served.get(v.id, 0) >= v.officers_needed]
    return {
        "travel_hours": round(travel / 3600, 1),
        "distance_km": round(distance / 1000, 1),
        "visits_served": len(complete),
        "visits_unserved": len(problem.visits) - len(complete),
        "travel_minutes_per_visit": round(travel / 60 / max(len(complete), 1), 1),
        "officer_days_breaking_a_promise_or_shift": broken_days,
    }


def ours(problem: Problem, time_limit: float) -> dict[str, list[str]]:
    result = plan(problem, SolverOptions(time_limit=time_limit))
    return {r.officer_id: r.visit_ids for r in result.routes}


def vroom_plan(problem: Problem, time_limit: float) -> dict[str, list[str]]:
    import vroom

    skill_ids = {code: n for n, (code, _name) in enumerate(SKILLS)}
    solver = vroom.Input()
    solver.set_durations_matrix(profile="car", matrix_input=[list(row) for row in problem.matrix.durations])
    for n, officer in enumerate(problem.officers):
        solver.add_vehicle(
            vroom.Vehicle(
                n + 1,
                start=officer.start,
                end=officer.end,
                skills={skill_ids[s] for s in officer.skills},
                time_window=vroom.TimeWindow(*officer.shift),
                breaks=[
                    vroom.Break(
                        n + 1,
                        time_windows=[vroom.TimeWindow(LUNCH.earliest, LUNCH.latest)],
                        service=LUNCH.duration,
                    )
                ],
            )
        )
    job_ids = {}
    for n, visit in enumerate(problem.visits):
        for copy in range(visit.officers_needed):
            job_id = 2 * n + copy + 1
            job_ids[job_id] = visit.id
            solver.add_job(
                vroom.Job(
                    job_id,
                    location=visit.location,
                    default_service=visit.duration,
                    skills={skill_ids[s] for s in visit.skills},
                    time_windows=[vroom.TimeWindow(*visit.window)],
                )
            )
    solution = solver.solve(exploration_level=5, nb_threads=2)
    routes: dict[str, list[str]] = {}
    for row in solution.routes.itertuples():
        if row.type == "job":
            routes.setdefault(problem.officers[row.vehicle_id - 1].id, []).append(job_ids[int(row.id)])
    return routes


def naive(problem: Problem, points, rng_seed: int) -> dict[str, list[str]]:
    """Booking order; the nearest officer (from their last visit) who can still get there in time."""
    order = list(problem.visits)
    random.Random(rng_seed).shuffle(order)
    routes: dict[str, list[str]] = {o.id: [] for o in problem.officers}
    m = problem.matrix
    visits = {v.id: v for v in problem.visits}
    pair = _pair_travel(problem, points)

    for visit in sorted(order, key=lambda v: v.window[0]):
        able = [o for o in problem.officers if visit.skills <= o.skills]
        last = {o.id: (visits[routes[o.id][-1]].location if routes[o.id] else o.start) for o in able}
        able.sort(key=lambda o: m.durations[last[o.id]][visit.location])
        taken = 0
        for officer in able:
            stops = tuple(
                DayStop(i, points[visits[i].location], visits[i].window, visits[i].duration)
                for i in [*routes[officer.id], visit.id]
            )
            day = OfficerDay(officer.shift, points[officer.start], points[officer.end], stops, officer.breaks)
            if DayCheck(day, pair).base_ok:
                routes[officer.id].append(visit.id)
                taken += 1
                if taken == visit.officers_needed:
                    break
    return routes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--officers", type=int, default=40)
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    problem, points = build(args.officers, args.visits, args.seed)
    results = {}
    for name, solve in (
        ("naive", lambda: naive(problem, points, args.seed)),
        ("vroom", lambda: vroom_plan(problem, args.time_limit)),
        ("ours_ortools", lambda: ours(problem, args.time_limit)),
    ):
        started = time.perf_counter()
        routes = solve()
        results[name] = evaluate(problem, points, routes) | {
            "seconds": round(time.perf_counter() - started, 1)
        }
        print(name, json.dumps(results[name]), flush=True)
    out = ROOT / "bench/results/field_service.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "officers": args.officers,
                "visits": args.visits,
                "seed": args.seed,
                "time_limit": args.time_limit,
                "results": results,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
