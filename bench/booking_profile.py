"""Where a booking's time goes: CPU time and SQL statements per request, with a cProfile summary.

    .venv/bin/python bench/booking_profile.py [--visits 600] [--requests 600] [--top 25] [--seeded]

Builds the same scratch database as booking_bench.py (BENCH_DB, default doorstep_bench_profile),
books --visits through the engine, then sends the API requests the benchmark sends (availability for
14 days, then bookings of the gathered slot ids in random order) one at a time through Flask's test
client: no HTTP, no concurrency, so the figures are this process's own CPU time (PostgreSQL's share is
the wall time minus it) and the statements it sent. Figures are per request, split by answer (201, 409).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DB", "doorstep_bench_profile")

from bench import booking_bench  # noqa: E402  (reads BENCH_DB)


class Meter:
    """Statements, CPU and wall time per request, grouped by a label."""

    def __init__(self, engine):
        from sqlalchemy import event

        from app.extensions import HotRead

        self.statements = 0
        self.rows: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
        event.listen(engine, "before_cursor_execute", self._count)
        # HotRead and HotWrite (app/hot_writes.py) send their statements to the driver directly, past
        # SQLAlchemy's events: count them here.
        from app.hot_writes import HotWrite

        for hot_class in (HotRead, HotWrite):
            sent = hot_class.rows

            def counted(hot, _sent=sent, **params):
                if engine.dialect.name == "postgresql":
                    self._count()
                return _sent(hot, **params)

            hot_class.rows = counted

    def _count(self, *_args):
        self.statements += 1

    def measure(self, call):
        self.statements = 0
        cpu, wall = time.process_time(), time.perf_counter()
        response = call()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        return response, (cpu * 1000, wall * 1000, self.statements)

    def add(self, label: str, figures) -> None:
        self.rows[label].append(figures)

    def table(self) -> str:
        lines = [
            "| requests | count | CPU ms (median) | wall ms (median) | statements (median) |",
            "|---|---|---|---|---|",
        ]
        for label, rows in self.rows.items():
            cpu, wall, sql = zip(*rows, strict=True)
            lines.append(
                f"| {label} | {len(rows)} | {statistics.median(cpu):.1f} | {statistics.median(wall):.1f} "
                f"| {statistics.median(sql):.0f} |"
            )
        return "\n".join(lines)


def _run(profiler: cProfile.Profile, meter: Meter, call):
    """Every other request is timed (profiler off) and the rest are profiled (not timed)."""
    _run.count = getattr(_run, "count", 0) + 1
    if _run.count % 2:
        return meter.measure(call)
    profiler.enable()
    try:
        return call(), None
    finally:
        profiler.disable()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=600)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seeded", action="store_true", help="BENCH_DB is seeded already: skip step 1")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = booking_bench.URL
    if not args.seeded:
        booking_bench.reset_database()
        booking_bench.seed(args.visits)
    customers, services = booking_bench.customers_and_services()

    from app import create_app
    from app.config import Settings
    from app.extensions import db
    from app.staff.staff import find_by_email
    from app.staff.tokens import create_token

    app = create_app(Settings(secret_key="bench-secret", ratelimit_enabled=False))
    with app.app_context():
        token = create_token(find_by_email("admin@wiltshire.example"), "profile")
        db.session.commit()
    rng = random.Random(11)
    profiler = cProfile.Profile(time.process_time)  # CPU time: the machine's load does not distort it
    with app.app_context():
        meter = Meter(db.engine)
    client = app.test_client()
    slots = []
    for _ in range(args.samples):
        customer, (code, places) = rng.choice(customers), rng.choice(services)
        kind = "home" if "home" in places else places[0]
        params = {"service": code, "location_type": kind, "days": 14}
        params |= {"hub": "devizes"} if kind == "hub" else {"lat": customer[5], "lng": customer[6]}
        response, figures = _run(
            profiler, meter, lambda p=params: client.get("/api/v1/availability", query_string=p)
        )
        if figures:
            meter.add(f"availability {response.status_code}", figures)
        slots += [(code, kind, customer, s["slot_id"]) for s in response.get_json()["slots"]]
    rng.shuffle(slots)
    headers = {"Authorization": f"Bearer {token}"}
    for n, (code, kind, customer, slot_id) in enumerate(slots[: args.requests]):
        body = booking_bench._body(code, kind, customer, slot_id, n)
        response, figures = _run(
            profiler, meter, lambda b=body: client.post("/api/v1/appointments", json=b, headers=headers)
        )
        if figures:
            meter.add(f"booking {response.status_code}", figures)
    print(meter.table())
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write("Our code (app/), by cumulative CPU time (profiled requests only):\n")
    stats.sort_stats("cumulative").print_stats(re.escape(f"{ROOT / 'app'}/"), args.top)
    out.write("Everything, by own CPU time:\n")
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue().replace(f"{ROOT}/", "").replace(f"{sys.prefix}/lib/python3.11/site-packages/", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
