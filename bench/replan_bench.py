"""Absence re-plan preview on the demo county: how long the supervisor waits for the answer.

    .venv/bin/python bench/replan_bench.py [--bookings 150] [--days 3] [--pairs 0] [--json PATH]

A scratch SQLite database with the demo county and --bookings visits booked through the real engine
(as `make run` does). On each of the --days busiest days, the officer with the most visits is
recorded absent and the re-plan preview (app.planning.planning.preview_absence, with the app's
REPLAN_SECONDS) is timed from the call to the stored proposal: loading, travel matrix, planning and
storing. Target: within 5 s. Writes bench/results/replan.json (or --json).

--pairs N: the absent officer is the busiest one whose visits a colleague could share, and before the
absence is recorded up to N of their visits become two-officer visits
(as a two-officer precaution makes them), each with a colleague who may do it and whose day as booked
has room at the visit's planned arrival (the checker booking uses): the re-plan then keeps that partner
and looks for one colleague to join them, the path two-officer visits take.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=150)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=0)
    parser.add_argument("--json", default="bench/results/replan.json")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="doorstep-replan-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/replan.db"
    os.environ.setdefault("DEMO_PASSWORD", "bench-password-not-secret")
    import flask_migrate

    from app import create_app
    from app.appointments.queries import active_on_day
    from app.config import Settings, settings
    from app.demo.bookings import book_demo_visits
    from app.demo.load import load_demo
    from app.extensions import db
    from app.models import Absence, Officer
    from app.planning.planning import preview_absence
    from app.timeutil import local_now, next_working_day

    app = create_app(Settings(secret_key="bench-secret"))
    rows = []
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        book_demo_visits(args.bookings)
        db.session.commit()
        seconds = settings().replan_seconds
        days, day = [], next_working_day(local_now().date())
        for _n in range(20):
            days.append((len(active_on_day(day)), day))
            day = next_working_day(day)
        for _count, day in sorted(days, reverse=True)[: args.days]:  # the busiest days
            visits = active_on_day(day)
            counts: dict[int, int] = {}
            for a in visits:
                counts[a.officer_id] = counts.get(a.officer_id, 0) + 1
            officer = db.session.get(Officer, max(counts, key=counts.get))
            pairs = 0
            if args.pairs:  # the busiest officer one of whose visits a colleague could share
                for officer_id in sorted(counts, key=lambda o: (-counts[o], o)):
                    officer = db.session.get(Officer, officer_id)
                    if pairs := _make_pairs(officer, day, visits, args.pairs):
                        break
            db.session.add(Absence(officer=officer, kind="sickness", starts_on=day, ends_on=day))
            db.session.commit()
            started = time.perf_counter()
            proposal = preview_absence(officer, day, time_limit=seconds)
            db.session.commit()
            wall = time.perf_counter() - started
            data = proposal.plan
            rows.append(
                {
                    "day": day.isoformat(),
                    "visits_that_day": len(visits),
                    "absent_officers_visits": counts[officer.id],
                    "colleagues": len(data["colleagues"]),
                    "pairs": pairs,
                    "partners_kept": sum(bool(m.get("stays")) for m in data["moves"]),
                    "moved": len(data["moves"]),
                    "unplaced": len(data["unplaced"]),
                    "why_unplaced": [u["reason"] for u in data["unplaced"]],
                    "seconds": round(wall, 2),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    result = {
        "replan_seconds_setting": seconds,
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "previews": rows,
        "slowest": max(r["seconds"] for r in rows),
    }
    print(json.dumps({k: v for k, v in result.items() if k != "previews"}))
    (ROOT / args.json).write_text(json.dumps(result, indent=1))
    return 0


def _make_pairs(officer, day, visits, wanted: int) -> int:
    """Up to `wanted` of the officer's visits that day get a second officer: a colleague who may do it
    (coverage.may_do) and whose day as booked has room at the visit's planned arrival. How many."""
    from app.booking.availability import routing_day
    from app.booking.changes import place_to_move
    from app.booking.coverage import may_do
    from app.extensions import db
    from app.officers.queries import all_officers
    from app.officers.travel import pair_travel
    from app.officers.workdays import working_day
    from app.timeutil import day_seconds
    from routing.feasibility import DayCheck

    made = 0
    colleagues = [
        (o, wd) for o in all_officers(active_only=True) if o.id != officer.id and (wd := working_day(o, day))
    ]
    for visit in [v for v in visits if v.officer_id == officer.id and v.planned_arrival][:wanted]:
        arrival, place = day_seconds(visit.planned_arrival), place_to_move(visit)
        location = (round(visit.lat, 6), round(visit.lng, 6))
        for colleague, wd in colleagues:
            if not may_do(visit.service, place, colleague.id):
                continue
            theirs = [a for a in visits if colleague.id in (a.officer_id, a.second_officer_id)]
            booked = routing_day(wd, theirs)
            check = DayCheck(
                booked, pair_travel([location, *(s.location for s in booked.stops), booked.start])
            )
            if check.best_insertion(location, (arrival, arrival), visit.duration_minutes * 60):
                visit.second_officer_id = colleague.id
                made += 1
                break
    db.session.commit()
    return made


if __name__ == "__main__":
    sys.exit(main())
