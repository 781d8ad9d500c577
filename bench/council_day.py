"""Big-council day: 120 officers and 1,000 visits, booked with the one checker, planned within 60 s.

    .venv/bin/python bench/council_day.py [--officers 120] [--visits 1000] [--time-limit 60] [--seed 1]

A county six times the demo's: six officers at each of the 20 community hubs (two or three skills,
the demo's shifts, part-timers on mornings, a 30- or 45-minute lunch starting 12:30-13:30), requests
where the officers are (a random officer's town, one of that officer's skills: a council staffs each hub
for its area), 20 to 45 minutes long, a two-hour promised window (or, for half, a morning or
an afternoon), about one in twenty for two
officers. Each visit is booked as the booking engine does it: the officers who may do
it and whose day the one checker says can still take it, least added travel first, one at random of
the best four that add at most 15 minutes more than the best (two officers at one time for a
two-officer visit). Booking stops at --visits.
Then routing.plan (the planner the app runs) plans the whole day from the day as booked, and the result
is judged by the one checker. Writes bench/results/council_day.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.demo.county import AREAS, SERVICES, SKILLS  # noqa: E402  (plain data)
from routing.feasibility import DayCheck, matrix_travel  # noqa: E402
from routing.planner import plan  # noqa: E402
from routing.plans import check_plan, day_of, judge, may_do, stop_of  # noqa: E402
from routing.travel import HaversineTravel  # noqa: E402
from routing.types import Break, Officer, Problem, Visit  # noqa: E402

H, M = 3600, 60
SHIFTS = [(8 * H + 30 * M, 17 * H), (8 * H, 16 * H + 30 * M), (9 * H, 17 * H + 30 * M)]
WINDOWS = [(9 * H, 11 * H), (11 * H, 13 * H), (13 * H, 15 * H), (15 * H, 17 * H)]
# Visit lengths: a big council's day of 1,000 visits is mostly short calls. At the demo services' own
# lengths (20-90 minutes) 120 officers' days are full at about 800 visits (measured: 799 of 1,000).
QUICK = [20, 20, 30, 30, 45]
HALF_DAYS = [(9 * H, 13 * H), (13 * H, 17 * H)]  # "morning" or "afternoon", for half the requests


def county(officers: int, visits: int, seed: int) -> tuple[Problem, list]:
    rng = random.Random(seed)
    codes = [code for code, _name in SKILLS]
    points = [(lat, lng) for _c, _n, lat, lng, _a, _p in AREAS]
    crew = []
    for i in range(officers):
        skills = {codes[i % len(codes)], codes[(i * 7 + 3) % len(codes)]}
        if rng.random() < 0.4:
            skills.add(rng.choice(codes))
        if i % 5 == 4 and rng.random() < 0.5:
            shift, breaks = (9 * H, 13 * H + 30 * M), ()
        else:
            shift = rng.choice(SHIFTS)
            breaks = (Break(12 * H + 30 * M, 13 * H + 30 * M, rng.choice([30, 45]) * M),)
        hub = i % len(AREAS)
        crew.append(Officer(f"o{i}", hub, hub, shift, frozenset(skills), breaks))
    by_skill = {code: [s for s in SERVICES if s[4] == code] for code in codes}
    jobs = []
    for v in range(visits * 3):  # more requests than the day can take; booking stops at --visits
        # Demand where the officers are: the council staffs each hub for its area's requests.
        officer = rng.choice(crew)
        offered = sorted(s for s in officer.skills if by_skill[s])
        if not offered:
            continue
        skill = rng.choice(offered)
        service = rng.choice(by_skill[skill])
        _c, _n, lat, lng, _a, _p = AREAS[officer.start]
        points.append((lat + rng.uniform(-0.015, 0.015), lng + rng.uniform(-0.024, 0.024)))
        jobs.append(
            Visit(
                f"v{v}",
                len(points) - 1,
                rng.choice(WINDOWS if rng.random() < 0.5 else HALF_DAYS),
                rng.choice(QUICK) * M,
                frozenset({service[4]}),
                officers_needed=2 if rng.random() < 0.05 else 1,
            )
        )
    return Problem(HaversineTravel().matrix(points), tuple(crew), tuple(jobs)), points


def book(problem: Problem, wanted: int, seed: int):
    """Book requests in turn as the engine would, until `wanted` are booked: the day, each officer's
    visits in order, and the time agreed for each two-officer visit."""
    rng = random.Random(seed)
    travel = matrix_travel(problem.matrix)
    days: dict[str, list[tuple[Visit, int | None]]] = {o.id: [] for o in problem.officers}
    booked: list[Visit] = []

    def check(officer: Officer) -> DayCheck:
        return DayCheck(day_of(problem, officer, [stop_of(v, t) for v, t in days[officer.id]]), travel)

    for visit in problem.visits:
        if len(booked) >= wanted:
            break
        able = [o for o in problem.officers if may_do(o, visit)]
        if visit.officers_needed == 1:
            offers = []
            for officer in able:
                fit = check(officer).best_insertion(visit.location, visit.window, visit.duration)
                if fit:
                    offers.append((fit.added_travel, officer.id, fit.position))
            if not offers:
                continue
            offers.sort()
            near = [o for o in offers[:4] if o[0] <= offers[0][0] + 15 * M]  # times a resident is offered
            _added, officer_id, position = rng.choice(near)
            days[officer_id].insert(position, (visit, None))
        else:
            placed = _book_pair(visit, able, check, days)
            if not placed:
                continue
        booked.append(visit)
    day = Problem(problem.matrix, problem.officers, tuple(booked))
    times = {v.id: t for stops in days.values() for v, t in stops if t is not None}
    return day, {o: [v.id for v, _t in stops] for o, stops in days.items()}, times


def _book_pair(visit: Visit, able: list, check, days) -> bool:
    for at in range(visit.window[0], visit.window[1] + 1, 15 * M):
        fits = []
        for officer in able:
            fit = check(officer).best_insertion(visit.location, (at, at), visit.duration)
            if fit:
                fits.append((fit.added_travel, officer.id, fit.position))
        if len(fits) >= 2:
            for _added, officer_id, position in sorted(fits)[:2]:
                days[officer_id].insert(position, (visit, at))
            return True
    return False


def report(problem: Problem, orders, seconds: float, times=None) -> dict:
    verdict = judge(problem, orders, times)
    return {
        "travel_hours": round(verdict.travel / 3600, 1),
        "km": round(verdict.distance / 1000, 1),
        "visits_served": f"{verdict.kept}/{len(problem.visits)}",
        "windows_kept_pct": round(100 * verdict.kept / max(verdict.planned, 1), 1),
        "pairs_together": f"{verdict.pairs_together}/{sum(v.officers_needed == 2 for v in problem.visits)}",
        "days_refused": verdict.days_refused,
        "seconds": round(seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--officers", type=int, default=120)
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    requests, _points = county(args.officers, args.visits, args.seed)
    problem, booked, agreed = book(requests, args.visits, args.seed)
    print(f"booked {len(problem.visits)} visits in {time.perf_counter() - started:.0f} s", flush=True)
    results = {"as booked": report(problem, booked, 0.0, agreed)}
    print("as booked", json.dumps(results["as booked"]), flush=True)
    started = time.perf_counter()
    result = plan(problem, args.time_limit, initial=booked, agreed=agreed)
    seconds = time.perf_counter() - started
    starts = {s.visit_id: s.start for r in result.routes for s in r.stops}
    orders = {r.officer_id: r.visit_ids for r in result.routes}
    results["ours (routing.plan)"] = report(problem, orders, seconds, starts)
    results["ours (routing.plan)"]["check_plan_problems"] = check_plan(problem, result)[:5]
    results["ours (routing.plan)"]["notes"] = list(result.notes)
    print("ours", json.dumps(results["ours (routing.plan)"]), flush=True)
    out = ROOT / "bench/results/council_day.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    load = [round(x, 1) for x in os.getloadavg()]
    out.write_text(json.dumps({**vars(args), "load_average": load, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
