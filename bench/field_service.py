"""Field-service benchmark: the council's day, booked through the real engine, planned several ways.

    .venv/bin/python bench/field_service.py [--time-limit 30] [--runs 3] [--parts real,lunch-free]
        [--booked-on 2026-11-30] [--rebook]

1. A scratch SQLite database with the demo county (40 officers at 20 hubs, their skills, shifts and
   lunch breaks). One working day is filled by booking through the real engine (availability search,
   then `book`) until 80 tries in a row find no slot: every visit is a promise (a window, and officers
   who can keep it), and the day as booked keeps all of them. The clock is held at 22:00 UTC on
   `--booked-on` while booking, so the same day comes back on any date (2026-11-30: 210 visits).
2. The day becomes one routing problem (app.planning.planning.build_problem) in which any officer with
   the skill may take any visit, inside its promised window; the same travel matrix for everyone.
3. Parts (`--parts`, comma-separated), each plan judged as proposed by the one checker
   (routing.plans.judge: visits served, windows kept, travel and km along every proposed route):
   * real: the day with its lunch breaks: as booked; ours (routing.plan, the planner the app runs,
     from the day as booked as the app does; and from nothing); VROOM 1.15 at -x 5 (it has breaks);
     ours on only the visits VROOM served (like for like); PyVRP 0.14 on the relaxed day (it has no
     breaks, so the checker refuses the days where a lunch does not fit).
   * lunch-free: the same day with every lunch removed, the problem all three can express: ours,
     PyVRP with its default parameters (from the day as booked and from nothing), VROOM, and ours on
     the visits VROOM served.
   * vroom-depth: VROOM beyond -x 5 (more searches, deeper local search) on the real day.
   * budgets: ours on the real day with longer budgets (`--budgets 60,120`).
   * evidence: ruin and recreate alone (the planner's last step, exact with lunches) from the day as
     booked, on the real day and on the lunch-free day: what lunches cost with the search held fixed.
   Ours and PyVRP run with seeds 1..`--runs` (mean and spread); VROOM has no seed (it is run as often).
The booked day is cached beside the results (--rebook books it again). Rows are merged into
bench/results/field_service.json (each with its load average and commit).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import pickle
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from time import monotonic

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyvrp  # noqa: E402

from app.timeutil import VirtualClock, use_clock  # noqa: E402
from routing.feasibility import owed_breaks  # noqa: E402
from routing.planner import plan  # noqa: E402
from routing.plans import judge, needs  # noqa: E402
from routing.recreate import improve  # noqa: E402
from routing.seed import relaxed_seed  # noqa: E402
from routing.types import Problem  # noqa: E402

RESULTS = ROOT / "bench/results"


def book_a_day(seed: int) -> tuple[Problem, dict[str, list[str]], str]:
    """Fill one working day through the booking engine; the routing problem and the day as booked."""
    folder = tempfile.mkdtemp(prefix="doorstep-fs-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/day.db"
    os.environ.setdefault("DEMO_PASSWORD", "bench-password-not-secret")
    import flask_migrate
    from sqlalchemy import select

    from app import create_app
    from app.appointments.queries import active_on_day
    from app.booking.availability import search
    from app.booking.booking import book
    from app.booking.booking_request import BookingRequest, CustomerDetails
    from app.booking.errors import SlotUnavailable
    from app.catalogue.queries import all_services
    from app.config import Settings
    from app.demo.load import load_demo
    from app.extensions import db
    from app.models import Customer
    from app.officers.queries import all_officers
    from app.officers.workdays import working_day
    from app.places.places import customer_place, hub_place, nearest_hubs
    from app.planning.planning import as_booked, build_problem
    from app.timeutil import local_now, next_working_day

    app = create_app(Settings(secret_key="bench-secret", ratelimit_enabled=False))
    rng = random.Random(seed)
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        db.session.commit()
        day = next_working_day(next_working_day(local_now().date()))
        while day.weekday() not in (1, 2, 3):  # a day the part-timers on three days work too
            day = next_working_day(day)
        services = [s for s in all_services(bookable_only=True) if not s.premises_only]
        customers = list(db.session.scalars(select(Customer).order_by(Customer.id)))
        misses = 0
        while misses < 80:
            customer, service = rng.choice(customers), rng.choice(services)
            kind = rng.choice(service.places)
            if kind == "hub":
                place = hub_place(nearest_hubs(customer.lat, customer.lng, 1)[0][0])
            else:
                place = customer_place(customer, kind)
            if place is None:  # a business visit for a customer with no premises on record
                continue
            slots = search(service, place, day, 1).slots
            if not slots:
                misses += 1
                continue
            try:
                book(
                    _request(rng.choice(slots[:4]), service, place, customer, BookingRequest, CustomerDetails)
                )
                db.session.commit()
                misses = 0
            except SlotUnavailable:
                db.session.rollback()
                misses += 1
        appointments = active_on_day(day)
        days = [wd for o in all_officers(active_only=True) if (wd := working_day(o, day)) is not None]
        problem = build_problem(days, appointments, day, free={a.id for a in appointments})
        return problem, as_booked(days, appointments), day.isoformat()


def _request(slot, service, place, customer, BookingRequest, CustomerDetails):
    return BookingRequest(
        slot_token=slot.token,
        service=service,
        place=place,
        channel="phone",
        # The bench picks customers at random, so one may already hold a visit at that time; the
        # engine then asks the agent to confirm (PossibleDuplicate): the bench confirms, as it booked
        # before that check existed, so the day stays the one section 2 of bench/README.md describes.
        confirmed_overlap=True,
        customer=CustomerDetails(
            name=customer.name,
            phone=customer.phone,
            email=customer.email,
            preferred_channel=customer.preferred_channel,
            sms_consent=True,
        ),
    )


def vroom_plan(
    problem: Problem, searches: int | None = None, depth: int | None = None
) -> dict[str, list[str]]:
    """VROOM at its highest exploration level (-x 5: 32 searches, depth 5), or with `searches` and
    `depth` set beyond it (pyvroom's second `_solve`). pyvroom has no time limit and no warm start."""
    import vroom

    skill_ids = {code: n for n, code in enumerate(sorted({s for o in problem.officers for s in o.skills}))}
    skill_ids |= {s: len(skill_ids) + n for n, s in enumerate({s for v in problem.visits for s in v.skills})}
    solver = vroom.Input()
    solver.set_durations_matrix(profile="car", matrix_input=[list(row) for row in problem.matrix.durations])
    for n, officer in enumerate(problem.officers):
        solver.add_vehicle(
            vroom.Vehicle(
                n + 1,
                start=officer.start,
                end=officer.end,
                skills={skill_ids[s] for s in officer.skills} | {100 + n},
                time_window=vroom.TimeWindow(*officer.shift),
                breaks=[
                    vroom.Break(
                        100 * (n + 1) + k,
                        time_windows=[vroom.TimeWindow(b.earliest, b.latest)],
                        service=b.duration,
                    )
                    for k, b in enumerate(owed_breaks(officer.shift, officer.breaks))
                ],
            )
        )
    job_ids = {}
    for n, visit in enumerate(problem.visits):
        promised = None if visit.allowed_officers is None else visit.allowed_officers
        for copy in range(needs(visit)):
            job_id = 2 * n + copy + 1
            job_ids[job_id] = visit.id
            skills = {skill_ids[s] for s in visit.skills}
            if promised is not None and len(promised) == 1:
                skills.add(100 + next(i for i, o in enumerate(problem.officers) if o.id in promised))
            solver.add_job(
                vroom.Job(
                    job_id,
                    location=visit.location,
                    default_service=visit.duration,
                    skills=skills,
                    time_windows=[vroom.TimeWindow(*visit.window)],
                )
            )
    if searches is None:
        solution = solver.solve(exploration_level=5, nb_threads=2)
    else:
        from vroom.solution.solution import Solution

        solution = Solution(solver._solve(searches, depth, 2, None))
    routes: dict[str, list[str]] = {}
    for row in solution.routes.itertuples():
        if row.type == "job":
            routes.setdefault(problem.officers[row.vehicle_id - 1].id, []).append(job_ids[int(row.id)])
    return routes


def row(problem: Problem, orders, seconds: float) -> dict:
    verdict = judge(problem, orders)
    total = len(problem.visits)
    proposed = _proposed_travel(problem, orders)
    return {
        "travel_hours": round(proposed[0] / 3600, 2),
        "km": round(proposed[1] / 1000, 1),
        "travel_hours_on_kept_days": round(verdict.travel / 3600, 2),
        "visits_served": f"{verdict.kept}/{total}",
        "served_pct": round(100 * verdict.kept / total, 1),
        "windows_kept_pct": round(100 * verdict.kept / max(verdict.planned, 1), 1),
        "pairs_together": f"{verdict.pairs_together}/{sum(needs(v) == 2 for v in problem.visits)}",
        "days_refused": verdict.days_refused,
        "seconds": round(seconds, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "commit": _commit(),
    }


def _proposed_travel(problem: Problem, orders) -> tuple[int, int]:
    """Travel along every proposed route, kept by the checker or not (seconds, metres)."""
    where = {v.id: v.location for v in problem.visits}
    seconds = metres = 0
    for officer in problem.officers:
        ids = orders.get(officer.id, [])
        if not ids:
            continue
        places = [officer.start, *(where[i] for i in ids), officer.end]
        for a, b in zip(places, places[1:], strict=False):
            seconds += problem.matrix.durations[a][b]
            metres += problem.matrix.distances[a][b]
    return seconds, metres


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30)
    parser.add_argument("--seed", type=int, default=7, help="the booking's random choices")
    parser.add_argument(
        "--booked-on",
        default="2026-11-30",
        help="the date the day is booked on (the clock during booking); the day planned is the second "
        "working day after it that the part-timers work too. 2026-11-30 gives the 210-visit day of "
        "bench/README.md section 2",
    )
    parser.add_argument("--rebook", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="seeds 1..runs for ours and PyVRP")
    parser.add_argument(
        "--parts",
        default="real,lunch-free",
        help="comma-separated: real, lunch-free, budgets, vroom-depth, evidence, lunch-free-vroom",
    )
    parser.add_argument("--budgets", default="60,120", help="longer budgets for ours on the real day (s)")
    parser.add_argument("--json", default=str(RESULTS / "field_service.json"))
    args = parser.parse_args()
    booked_on = date.fromisoformat(args.booked_on)
    cache = RESULTS / f"field_service_day_{args.seed}_{booked_on.isoformat()}.pickle"
    if args.rebook or not cache.exists():
        started = time.perf_counter()
        with use_clock(VirtualClock(datetime.combine(booked_on, dtime(22, 0), tzinfo=UTC))):
            booked = book_a_day(args.seed)
        print(f"booked in {time.perf_counter() - started:.0f} s", flush=True)
        RESULTS.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(booked))
    problem, booked_orders, day = pickle.loads(cache.read_bytes())  # noqa: S301 (our own file)
    print(
        f"{day}: {len(problem.officers)} officers, {len(problem.visits)} visits "
        f"({sum(needs(v) == 2 for v in problem.visits)} for two officers)",
        flush=True,
    )
    parts = set(args.parts.split(","))
    limit, seeds = args.time_limit, range(1, args.runs + 1)
    output = Path(args.json)
    report = json.loads(output.read_text()) if output.exists() else {}
    if report.get("day") != day or report.get("time_limit") != limit:
        report = {}  # another day or budget: start afresh
    report = {k: v for k, v in report.items() if k in ("real_day", "lunch_free_day")}  # rows kept
    report |= {"day": day, "officers": len(problem.officers), "visits": len(problem.visits)}
    report |= {"time_limit": limit}  # each row has its load average and commit

    def save() -> None:
        output.write_text(json.dumps(report, indent=1))

    if "real" in parts:
        real = report.setdefault("real_day", {})
        real["as booked"] = row(problem, booked_orders, 0.0)
        runs(
            real,
            "ours (routing.plan, from the day as booked)",
            problem,
            seeds,
            save,
            lambda s: _orders(plan(problem, limit, initial=booked_orders, seed=s)),
        )
        runs(
            real,
            "ours (routing.plan, from nothing)",
            problem,
            seeds[:1],
            save,
            lambda s: _orders(plan(problem, limit, seed=s)),
        )
        vroom_orders: list = []
        runs(
            real,
            "VROOM 1.15 (-x 5)",
            problem,
            seeds,
            save,
            lambda s: vroom_orders.append(vroom_plan(problem)) or vroom_orders[-1],
        )
        like_for_like(real, problem, vroom_orders[0], booked_orders, limit, seeds, save)
        runs(
            real,
            "PyVRP 0.14, planner's parameters (relaxed: no lunch breaks; from the day as booked)",
            problem,
            seeds[:1],
            save,
            lambda s: relaxed_seed(problem, limit, booked_orders, seed=s),
        )
        save()
    if "vroom-depth" in parts:
        real = report.setdefault("real_day", {})
        for searches, depth in ((32, 7), (64, 10)):
            runs(
                real,
                f"VROOM 1.15 ({searches} searches, depth {depth}: beyond -x 5)",
                problem,
                seeds[:1],
                save,
                lambda s, n=searches, d=depth: vroom_plan(problem, searches=n, depth=d),
            )
    if "budgets" in parts:
        real = report.setdefault("real_day", {})
        for budget in (float(b) for b in args.budgets.split(",")):
            runs(
                real,
                f"ours (routing.plan, from the day as booked), {budget:.0f} s",
                problem,
                seeds[:1],
                save,
                lambda s, b=budget: _orders(plan(problem, b, initial=booked_orders, seed=s)),
            )
    if "lunch-free" in parts:
        free = lunch_free(problem)
        rows = report.setdefault("lunch_free_day", {})
        rows["as booked"] = row(free, booked_orders, 0.0)
        runs(
            rows,
            "ours (routing.plan, from the day as booked)",
            free,
            seeds,
            save,
            lambda s: _orders(plan(free, limit, initial=booked_orders, seed=s)),
        )
        runs(
            rows,
            "PyVRP 0.14, its default parameters (from the day as booked)",
            free,
            seeds,
            save,
            lambda s: relaxed_seed(free, limit, booked_orders, seed=s, params=pyvrp.SolveParams()),
        )
        runs(
            rows,
            "PyVRP 0.14, its default parameters (from nothing)",
            free,
            seeds,
            save,
            lambda s: relaxed_seed(free, limit, seed=s, params=pyvrp.SolveParams()),
        )
        peer: list = []
        runs(
            rows, "VROOM 1.15 (-x 5)", free, seeds, save, lambda s: peer.append(vroom_plan(free)) or peer[-1]
        )
        like_for_like(rows, free, peer[0], booked_orders, limit, seeds, save)
    if "lunch-free-vroom" in parts:  # VROOM's like-for-like row alone
        free = lunch_free(problem)
        like_for_like(
            report.setdefault("lunch_free_day", {}), free, vroom_plan(free), booked_orders, limit, seeds, save
        )
    if "evidence" in parts:
        # What lunches cost, with the search held fixed: ruin and recreate alone (the planner's last
        # step) from the day as booked, on the real day and on the lunch-free day.
        free = lunch_free(problem)
        for key, day_problem in (("real_day", problem), ("lunch_free_day", free)):
            runs(
                report.setdefault(key, {}),
                "ruin and recreate alone (from the day as booked)",
                day_problem,
                seeds,
                save,
                lambda s, p=day_problem: improve(p, booked_orders, {}, monotonic() + limit, seed=s),
            )
    save()
    return 0


def runs(rows: dict, name: str, problem: Problem, seeds, save, solve) -> None:
    """Run one planner once per seed, judge every plan, and keep each run and the spread."""
    each = []
    for seed in seeds:
        started = time.perf_counter()
        orders = solve(seed)
        each.append(row(problem, orders, time.perf_counter() - started) | {"seed": seed})
        print(name, json.dumps(each[-1]), flush=True)
    hours = [r["travel_hours"] for r in each]
    rows[name] = {
        "runs": each,
        "travel_hours_mean": round(sum(hours) / len(hours), 2),
        "travel_hours_min": min(hours),
        "travel_hours_max": max(hours),
        "served": sorted({r["visits_served"] for r in each}),
    }
    save()


def like_for_like(rows, problem, peer_orders, booked_orders, limit, seeds, save) -> None:
    """Ours on only the visits a peer served, when it left some out (from the day as booked without
    them): the travel compared like for like."""
    kept = judge(problem, peer_orders).kept
    if kept < len(problem.visits):
        smaller, initial = _served_only(problem, peer_orders, booked_orders)
        runs(
            rows,
            f"ours on the {kept} visits VROOM served",
            smaller,
            seeds,
            save,
            lambda s: _orders(plan(smaller, limit, initial=initial, seed=s)),
        )


def lunch_free(problem: Problem) -> Problem:
    """The same day (officers, visits, windows, matrix) with every lunch break removed: the problem
    PyVRP 0.14 can express, on which the three planners compare like for like."""
    from dataclasses import replace

    return replace(problem, officers=tuple(replace(o, breaks=()) for o in problem.officers))


@functools.cache
def _commit() -> str:
    import subprocess

    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def _served_only(problem: Problem, orders, booked_orders) -> tuple[Problem, dict[str, list[str]]]:
    """The same day without the visits a peer left out, and the day as booked without them: what a
    like-for-like comparison of travel plans."""
    from dataclasses import replace

    served = {v for ids in orders.values() for v in ids}
    smaller = replace(problem, visits=tuple(v for v in problem.visits if v.id in served))
    return smaller, {o: [v for v in visits if v in served] for o, visits in booked_orders.items()}


def _orders(result) -> dict[str, list[str]]:
    return {r.officer_id: r.visit_ids for r in result.routes}


if __name__ == "__main__":
    sys.exit(main())
