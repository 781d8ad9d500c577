"""Field-service benchmark: the council's day, booked through the real engine, planned four ways.

    .venv/bin/python bench/field_service.py [--time-limit 30] [--seed 7] [--rebook]

1. A scratch SQLite database with the demo county (40 officers at 20 hubs, their skills, shifts and
   lunch breaks). One working day is filled by booking through the real engine (availability search,
   then `book`) until 80 tries in a row find no slot: every visit is a promise (a window, and officers
   who can keep it), and the day as booked keeps all of them.
2. The day becomes one routing problem (app.planning.planning.build_problem) in which any officer with
   the skill may take any visit, inside its promised window; the same travel matrix for everyone.
3. The plans: as booked (each officer's visits in booking-check order), ours (routing.plan, the planner
   the app runs, which the app always gives the day as booked to start from; and from nothing), VROOM
   and PyVRP (from the day as booked too), each given the same time. Every plan is judged as proposed
   by the one checker (routing.plans.judge): visits served, promised windows kept, pairs arriving
   together, travel and km along every proposed route, and the solve time.

VROOM has lunch breaks but no way to make two officers arrive together: a two-officer visit is two
jobs. PyVRP 0.14 has neither: its plan is PyVRP on the relaxed day (routing.seed), judged like the rest.
The booked day is cached beside the results (--rebook books it again). Writes
bench/results/field_service.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from routing.feasibility import owed_breaks  # noqa: E402
from routing.planner import plan  # noqa: E402
from routing.plans import judge, needs  # noqa: E402
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
    from app.booking.booking import BookingRequest, CustomerDetails, SlotUnavailable, book
    from app.catalogue.queries import all_services
    from app.demo.load import load_demo
    from app.extensions import db
    from app.models import Customer
    from app.officers.queries import all_officers
    from app.officers.workdays import working_day
    from app.places.places import customer_place, hub_place, nearest_hubs
    from app.planning.planning import as_booked, build_problem
    from app.timeutil import local_now, next_working_day

    app = create_app({"SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False})
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
        customer=CustomerDetails(
            name=customer.name,
            phone=customer.phone,
            email=customer.email,
            preferred_channel=customer.preferred_channel,
            sms_consent=True,
        ),
    )


def vroom_plan(problem: Problem, _time_limit: float) -> dict[str, list[str]]:
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
    solution = solver.solve(exploration_level=5, nb_threads=2)
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
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebook", action="store_true")
    args = parser.parse_args()
    cache = RESULTS / f"field_service_day_{args.seed}.pickle"
    if args.rebook or not cache.exists():
        started = time.perf_counter()
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
    solvers = {
        "as booked": lambda: booked_orders,
        "ours (routing.plan, from the day as booked)": lambda: _orders(
            plan(problem, args.time_limit, initial=booked_orders)
        ),
        "ours (routing.plan, from nothing)": lambda: _orders(plan(problem, args.time_limit)),
        "VROOM 1.15": lambda: vroom_plan(problem, args.time_limit),
        "PyVRP 0.14 (from the day as booked)": lambda: relaxed_seed(problem, args.time_limit, booked_orders),
    }
    results = {}
    for name, solve in solvers.items():
        started = time.perf_counter()
        orders = solve()
        results[name] = row(problem, orders, time.perf_counter() - started)
        print(name, json.dumps(results[name]), flush=True)
    load = os.getloadavg()
    (RESULTS / "field_service.json").write_text(
        json.dumps(
            {
                "day": day,
                "officers": len(problem.officers),
                "visits": len(problem.visits),
                "time_limit": args.time_limit,
                "load_average": [round(x, 1) for x in load],
                "results": results,
            },
            indent=1,
        )
    )
    return 0


def _orders(result) -> dict[str, list[str]]:
    return {r.officer_id: r.visit_ids for r in result.routes}


if __name__ == "__main__":
    sys.exit(main())
