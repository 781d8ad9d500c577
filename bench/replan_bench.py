"""Absence re-plan preview on the demo county: how long the supervisor waits for the answer.

    .venv/bin/python bench/replan_bench.py [--bookings 150] [--days 3]

A scratch SQLite database with the demo county and --bookings visits booked through the real engine
(as `make run` does). On each of the --days busiest days, the officer with the most visits is
recorded absent and the re-plan preview (app.planning.planning.preview_absence, with the app's
REPLAN_SECONDS) is timed from the call to the stored proposal: loading, travel matrix, planning and
storing. Target: within 5 s. Writes bench/results/replan.json.
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
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="doorstep-replan-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/replan.db"
    os.environ.setdefault("DEMO_PASSWORD", "bench-password-not-secret")
    import flask_migrate
    from flask import current_app

    from app import create_app
    from app.appointments.queries import active_on_day
    from app.demo.bookings import book_demo_visits
    from app.demo.load import load_demo
    from app.extensions import db
    from app.models import Absence, Officer
    from app.planning.planning import preview_absence
    from app.timeutil import local_now, next_working_day

    app = create_app({"SECRET_KEY": "bench-secret"})
    rows = []
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        book_demo_visits(args.bookings)
        db.session.commit()
        seconds = current_app.config["REPLAN_SECONDS"]
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
                    "moved": len(data["moves"]),
                    "unplaced": len(data["unplaced"]),
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
    (ROOT / "bench/results/replan.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
