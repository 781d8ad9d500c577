"""The reminders job over one day, as the scheduler runs it: every 15 minutes from 9am to 8pm UK time.

    .venv/bin/python bench/reminders_bench.py [--visits 300] [--days 2] [--db /tmp/reminders_bench.db]

1. Builds a scratch SQLite database once (kept at --db and reused): migrated, the demo county loaded,
   and --visits booked through the real engine over the next --days working days.
2. Copies it, sets the clock to 9am on the day before the busiest of those days and runs
   `queue_due_reminders` every 15 minutes to 8pm (45 runs, each in its own unit of work), as the
   scheduler's `reminders` job does. Reports the first run (which writes that day's reminders), the
   later runs (nothing new due), and the SQL statements each sends.
Writes bench/results/reminders.json (or --json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _app(path: Path):
    from app import create_app
    from app.config import Settings

    return create_app(Settings(database_url=f"sqlite:///{path}", secret_key="bench-secret-key-" + "x" * 16))


def _prepare(path: Path, visits: int, days: int) -> None:
    import flask_migrate

    from app.demo.bookings import book_demo_visits
    from app.demo.load import load_demo

    app = _app(path)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        load_demo()
        book_demo_visits(visits, days=days)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--db", default=os.path.join(tempfile.gettempdir(), "reminders_bench.db"))
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "reminders.json"))
    args = parser.parse_args()
    prepared = Path(args.db)
    if not prepared.exists():
        _prepare(prepared, args.visits, args.days)
    load_at_start = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp()) / "run.db"
    shutil.copy(prepared, work)

    import time_machine
    from sqlalchemy import event, func, select

    from app.extensions import db
    from app.messaging.reminders import queue_due_reminders
    from app.models import Appointment, Message
    from app.timeutil import local_to_utc, to_local
    from app.unit_of_work import unit_of_work

    app = _app(work)
    with app.app_context():
        rows = db.session.execute(
            select(Appointment.window_start).where(Appointment.status == "booked")
        ).scalars()
        per_day: dict = {}
        for start in rows:
            day = to_local(start).date()
            per_day[day] = per_day.get(day, 0) + 1
        busiest = max(per_day, key=per_day.get)
        eve = busiest - timedelta(days=1)
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *_a: statements.append(1))
        runs = []
        moment = local_to_utc(eve, datetime.min.time().replace(hour=9))
        end = local_to_utc(eve, datetime.min.time().replace(hour=20))
        while moment < end:
            with time_machine.travel(moment, tick=False):
                statements.clear()
                began = time.perf_counter()
                with unit_of_work():
                    queued = queue_due_reminders()
                runs.append(
                    {"at": moment.isoformat(), "queued": queued, "seconds": time.perf_counter() - began,
                     "statements": len(statements)}
                )  # fmt: skip
            moment += timedelta(minutes=15)
            db.session.remove()
        written = db.session.scalar(
            select(func.count(Message.id)).where(Message.kind == "reminder_day_before")
        )
    later = runs[1:]
    result = {
        "visits_on_the_busiest_day": per_day[busiest],
        "busiest_day": busiest.isoformat(),
        "runs": len(runs),
        "reminders_written": written,
        "first_run": runs[0],
        "later_runs_seconds_mean": statistics.mean(r["seconds"] for r in later),
        "later_runs_seconds_max": max(r["seconds"] for r in later),
        "later_runs_statements_mean": statistics.mean(r["statements"] for r in later),
        "whole_day_seconds": sum(r["seconds"] for r in runs),
        "load_average_at_start": load_at_start,
    }
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    shutil.rmtree(work.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
