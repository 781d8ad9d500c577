"""Booking engine benchmark on PostgreSQL with the demo county fully loaded.

    .venv/bin/python bench/booking_bench.py [--visits 600] [--clients 32] [--workers 4]

1. Builds a scratch database (doorstep_bench), migrates it, loads the demo county and books visits
   through the real engine until --visits are booked.
2. Starts gunicorn on 127.0.0.1:5055 and measures, over HTTP:
   * availability for 14 days: server time (Server-Timing header) p50/p95, and client time;
   * bookings per second with --clients concurrent clients (slot ids gathered beforehand);
   * the race: 100 concurrent requests for the same slot.
3. Checks afterwards that no officer's day holds two visits in the same time and that every
   officer's day is still feasible (travel, shift, break, every promised window).
Writes bench/results/booking.json.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# BENCH_DB and BENCH_PORT let two people on one machine run it at once without sharing a database.
DB = os.environ.get("BENCH_DB", "doorstep_bench")
URL = f"postgresql://postgres@127.0.0.1:5432/{DB}"
PORT = int(os.environ.get("BENCH_PORT", "5055"))
BASE = f"http://127.0.0.1:{PORT}"


def reset_database() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def seed(visits: int) -> dict:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DEMO_PASSWORD", "bench-password-not-secret")
    import flask_migrate

    from app import create_app
    from app.config import Settings
    from app.demo.bookings import book_demo_visits
    from app.demo.load import load_demo
    from app.extensions import db
    from app.staff.staff import find_by_email
    from app.staff.tokens import create_token

    app = create_app(Settings(secret_key="bench-secret"))
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        started = time.perf_counter()
        added = book_demo_visits(visits, days=14)
        seconds = time.perf_counter() - started
        token = create_token(find_by_email("admin@wiltshire.example"), "bench")
        db.session.commit()
    return {"booked": added, "seed_seconds": round(seconds, 1), "token": token}


def start_gunicorn(workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "SECRET_KEY": "bench-secret",
        "RATELIMIT_ENABLED": "0",
        "SERVER_TIMING": "1",
    }
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            if requests.get(f"{BASE}/healthz", timeout=5).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def _server_ms(response: requests.Response) -> float:
    return float(response.headers["Server-Timing"].split("dur=")[1])


def customers_and_services():
    from app import create_app
    from app.catalogue.queries import all_services
    from app.config import Settings
    from app.extensions import db
    from app.models import Customer

    app = create_app(Settings(secret_key="bench-secret"))
    with app.app_context():
        customers = [
            (c.name, c.phone, c.address_line1, c.town, c.postcode, c.lat, c.lng)
            for c in db.session.query(Customer).all()
        ]
        services = [(s.code, s.places) for s in all_services(bookable_only=True) if not s.premises_only]
    return customers, services


def availability_timings(customers, services, samples: int, rng: random.Random) -> dict:
    server, client, slots = [], [], []
    session = requests.Session()
    for _ in range(samples):
        customer, (code, places) = rng.choice(customers), rng.choice(services)
        kind = "home" if "home" in places else places[0]
        params = {"service": code, "location_type": kind, "days": 14}
        if kind == "hub":
            params["hub"] = "devizes"
        else:
            params |= {"lat": customer[5], "lng": customer[6]}
        started = time.perf_counter()
        response = session.get(f"{BASE}/api/v1/availability", params=params, timeout=30)
        client.append((time.perf_counter() - started) * 1000)
        server.append(_server_ms(response))
        for slot in response.json().get("slots", []):
            slots.append((code, kind, customer, slot["slot_id"]))
    q = statistics.quantiles
    return {
        "samples": samples,
        "server_ms_p50": round(statistics.median(server), 1),
        "server_ms_p95": round(q(server, n=20)[18], 1),
        "client_ms_p50": round(statistics.median(client), 1),
        "client_ms_p95": round(q(client, n=20)[18], 1),
        "slots_gathered": len(slots),
    }, slots


def _body(code, kind, customer, slot_id, n):
    body = {
        "slot_id": slot_id,
        "service": code,
        "location_type": kind,
        "customer": {"name": f"{customer[0]} {n}", "phone": customer[1], "preferred_channel": "sms"},
    }
    if kind == "hub":
        body["hub"] = "devizes"
    else:
        body["address"] = {
            "line1": customer[2],
            "town": customer[3],
            "postcode": customer[4],
            "lat": customer[5],
            "lng": customer[6],
        }
    return body


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _server_pids(server: subprocess.Popen) -> tuple[list[int], list[int]]:
    """gunicorn's workers, and the PostgreSQL backends serving this database."""
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False)
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (DB,)).fetchall()
    return [int(p) for p in found.stdout.split()], [r[0] for r in rows]


def throughput(slots, clients: int, token: str, server: subprocess.Popen | None = None) -> dict:
    """Bookings per second. Also the CPU time each part used per request (gunicorn, PostgreSQL, this
    client): on a machine shared with other work, that is the figure that does not depend on the load."""
    work: queue.Queue = queue.Queue()
    for n, item in enumerate(slots):
        work.put((n, item))
    counts: dict[int, int] = {}
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"}

    def client():
        session = requests.Session()
        while True:
            try:
                n, (code, kind, customer, slot_id) = work.get_nowait()
            except queue.Empty:
                return
            response = session.post(
                f"{BASE}/api/v1/appointments",
                json=_body(code, kind, customer, slot_id, n),
                headers=headers,
                timeout=60,
            )
            with lock:
                counts[response.status_code] = counts.get(response.status_code, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    workers, backends = _server_pids(server) if server else ([], [])
    cpu = (_cpu_seconds(workers), _cpu_seconds(backends), time.process_time())
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    used = (_cpu_seconds(workers) - cpu[0], _cpu_seconds(backends) - cpu[1], time.process_time() - cpu[2])
    booked = counts.get(201, 0)
    return {
        "requests": len(slots),
        "seconds": round(seconds, 2),
        "status_counts": counts,
        "bookings_per_second": round(booked / seconds, 1),
        "requests_per_second": round(len(slots) / seconds, 1),
        "cpu_ms_per_request": {
            name: round(value * 1000 / len(slots), 2)
            for name, value in zip(("gunicorn", "postgres", "client"), used, strict=True)
        },
        "load_average": os.getloadavg(),
    }


def race(customers, services, token: str, rng: random.Random) -> dict:
    """100 clients at once for one slot: exactly one may get it."""
    for _ in range(200):
        code, places = rng.choice([(c, p) for c, p in services if "home" in p])
        customer = rng.choice(customers)
        params = {
            "service": code,
            "location_type": "home",
            "lat": customer[5],
            "lng": customer[6],
            "days": 14,
        }
        slots = requests.get(f"{BASE}/api/v1/availability", params=params, timeout=30).json().get("slots", [])
        if slots:
            slot_id = slots[-1]["slot_id"]
            break
    else:
        return {"error": "no free slot found to race for"}
    barrier = threading.Barrier(100)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(n):
        barrier.wait()
        response = requests.post(
            f"{BASE}/api/v1/appointments",
            json=_body(code, "home", customer, slot_id, n),
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "201": statuses.count(201),
        "409": statuses.count(409),
        "5xx": sum(1 for s in statuses if s >= 500),
        "other": sorted({s for s in statuses if s not in (201, 409)}),
    }


def verify() -> dict:
    """No overlapping officer time, and every officer-day still feasible."""
    from collections import defaultdict

    from app import create_app
    from app.booking.availability import routing_day
    from app.config import Settings
    from app.extensions import db
    from app.models import Appointment
    from app.officers.workdays import working_day
    from app.timeutil import to_local
    from routing.feasibility import DayCheck

    app = create_app(Settings(secret_key="bench-secret"))
    with app.app_context():
        booked = db.session.query(Appointment).filter(Appointment.status == "booked").all()
        days = defaultdict(list)
        for a in booked:
            for officer in (a.officer, a.second_officer):
                if officer is not None:
                    days[(officer, to_local(a.window_start).date())].append(a)
        overlaps = infeasible = 0
        for (officer, day), visits in days.items():
            ordered = sorted(visits, key=lambda v: v.planned_arrival)
            for x, y in zip(ordered, ordered[1:], strict=False):
                if x.planned_arrival.timestamp() + x.duration_minutes * 60 > y.planned_arrival.timestamp():
                    overlaps += 1
            wd = working_day(officer, day)
            if wd is None or not DayCheck(routing_day(wd, visits)).base_ok:
                infeasible += 1
        return {
            "active_appointments": len(booked),
            "officer_days": len(days),
            "overlaps": overlaps,
            "infeasible_officer_days": infeasible,
        }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=600)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(11)
    load_at_start = os.getloadavg()  # other work on the machine: figures are only comparable alike
    reset_database()
    seeded = seed(args.visits)
    token = seeded.pop("token")
    customers, services = customers_and_services()
    server = start_gunicorn(args.workers)
    try:
        availability, slots = availability_timings(customers, services, args.samples, rng)
        rng.shuffle(slots)
        booking = throughput(slots[:3000], args.clients, token, server)
        contested = race(customers, services, token, rng)
    finally:
        server.terminate()
        server.wait()
    result = {
        "seed": seeded,
        "availability_14_days": availability,
        "bookings": booking,
        "race_100_same_slot": contested,
        "integrity": verify(),
        "machine": f"{os.cpu_count()} cores",
        "load_average_at_start": load_at_start,
        "gunicorn_workers": args.workers,
        "clients": args.clients,
    }
    out = ROOT / "bench/results/booking.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
