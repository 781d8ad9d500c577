"""Booking engine benchmark on PostgreSQL with the demo county fully loaded.

    .venv/bin/python bench/booking_bench.py [--visits 600] [--clients 32] [--workers 4]
        [--client requests|http] [--worker-class sync|gthread]

1. Builds a scratch database (doorstep_bench), migrates it, loads the demo county and books visits
   through the real engine until --visits are booked.
2. Starts gunicorn on 127.0.0.1:5055 with gunicorn.conf.py (production's configuration; --workers and
   --worker-class override it) and measures, over HTTP:
   * the ceiling: the same client against a bare Flask app ("ok", bench/bare_app.py, same gunicorn
     configuration on a free port) and against our /healthz: what client and stack allow;
   * availability for 14 days: server time (Server-Timing header) p50/p95, and client time;
   * bookings per second with --clients concurrent clients (slot ids gathered beforehand);
   * 409s alone: the booked slot ids sent again (the answer to most requests for a popular time);
   * the race: 100 concurrent requests for the same slot.
   With the CPU time gunicorn's workers, PostgreSQL and this client used per request of each kind.
3. Checks afterwards that no officer's day holds two visits in the same time and that every
   officer's day is still feasible (travel, shift, break, every promised window).
Writes bench/results/booking.json (booking-<client>.json for --client http).

--client requests (the default, the bench as it has always been): requests.Session per thread, about
2 ms of this process's CPU a request, so one Python process (the GIL) cannot send much more than 450
requests a second whatever the server. --client http: http.client, a connection per thread kept open
while the server allows, about 0.35 ms a request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

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
        db.session.remove()
        db.engine.dispose()  # no connection left open: the database may be copied as a template
    return {"booked": added, "seed_seconds": round(seconds, 1), "token": token}


def start_gunicorn(
    workers: int, worker_class: str | None, app: str = "wsgi:app", port: int = PORT, probe: str = "/healthz"
) -> subprocess.Popen:
    """gunicorn as production runs it (gunicorn.conf.py), on this port, with these workers."""
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "SECRET_KEY": "bench-secret",
        "RATELIMIT_ENABLED": "0",
        "SERVER_TIMING": "1",
    }
    command = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers)]
    command += ["--worker-class", worker_class] if worker_class else []
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", app]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(150):
        try:
            if requests.get(f"http://127.0.0.1:{port}{probe}", timeout=5).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


class Answer:
    """What the bench reads of a response, whichever client fetched it."""

    def __init__(self, status: int, headers, content: bytes):
        self.status_code, self.headers, self.content = status, headers, content

    def json(self):
        return json.loads(self.content)


class RequestsClient:
    """The bench as it has always been: a requests.Session per client thread."""

    def __init__(self, port: int = PORT):
        self.base, self.session = f"http://127.0.0.1:{port}", requests.Session()

    def request(self, method: str, path: str, params=None, body=None, headers=None) -> Answer:
        r = self.session.request(
            method, self.base + path, params=params, json=body, headers=headers, timeout=120
        )
        return Answer(r.status_code, r.headers, r.content)


class HttpClient:
    """http.client: one connection per client thread, opened again when the server closes it (sync
    workers close every connection; gthread workers keep it alive)."""

    def __init__(self, port: int = PORT):
        self.port, self.connection = port, None

    def request(self, method: str, path: str, params=None, body=None, headers=None) -> Answer:
        if params:
            path += "?" + urlencode(params)
        data = json.dumps(body).encode() if body is not None else None
        sent = dict(headers or {}) | ({"Content-Type": "application/json"} if data is not None else {})
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.connection.request(method, path, body=data, headers=sent)
                response = self.connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server had closed before reading this request: send again.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.connection.close()
                self.connection = None
            return Answer(response.status, response.headers, content)
        raise AssertionError("unreachable")


CLIENTS = {"requests": RequestsClient, "http": HttpClient}
Client = CLIENTS["requests"]  # set by --client


def _server_ms(response: Answer) -> float:
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


def availability_timings(
    customers, services, samples: int, rng: random.Random, server_process: subprocess.Popen | None = None
) -> dict:
    server, client, slots = [], [], []
    session = Client()
    meter = CpuMeter(server_process)
    for _ in range(samples):
        customer, (code, places) = rng.choice(customers), rng.choice(services)
        kind = "home" if "home" in places else places[0]
        params = {"service": code, "location_type": kind, "days": 14}
        if kind == "hub":
            params["hub"] = "devizes"
        else:
            params |= {"lat": customer[5], "lng": customer[6]}
        started = time.perf_counter()
        response = session.request("GET", "/api/v1/availability", params=params)
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
        "cpu_ms_per_request": meter.per_request(samples),
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


def _cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (Linux /proc)."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def _server_pids(server: subprocess.Popen) -> tuple[list[int], list[int]]:
    """gunicorn's workers, and the PostgreSQL backends serving this database."""
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False)
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (DB,)).fetchall()
    return [int(p) for p in found.stdout.split()], [r[0] for r in rows]


class CpuMeter:
    """CPU time used since it was made by gunicorn's workers, PostgreSQL's backends for this database
    and this client process: on a machine shared with other work, the figures that do not depend on
    the load. Backends are counted by pid, so those a worker connects meanwhile count too."""

    def __init__(self, server: subprocess.Popen | None):
        self.server = server
        self.start = self._now()
        self.sessions = _sessions_opened()

    def _now(self) -> tuple[dict[int, float], dict[int, float], float]:
        workers, backends = _server_pids(self.server) if self.server else ([], [])
        return _cpu_by_pid(workers), _cpu_by_pid(backends), time.process_time()

    def used(self) -> tuple[float, float, float]:
        end = self._now()
        parts = tuple(
            sum(t - start.get(pid, 0.0) for pid, t in now.items())
            for start, now in zip(self.start[:2], end[:2], strict=True)
        )
        return parts[0], parts[1], end[2] - self.start[2]

    def per_request(self, count: int) -> dict[str, float]:
        """Milliseconds of CPU per request, and the PostgreSQL sessions that ended meanwhile: a backend
        that starts and ends within the run (a pool's overflow connection) is missing from "postgres"."""
        figures = {
            name: round(value * 1000 / count, 2)
            for name, value in zip(("gunicorn", "postgres", "client"), self.used(), strict=True)
        }
        return figures | {"sessions_ended": _sessions_opened() - self.sessions}


def _sessions_opened() -> int:
    """Sessions to the bench database counted so far (PostgreSQL 14 or later counts each as it ends)."""
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        row = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", (DB,)).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _in_parallel(items: list, clients: int, send, make_client=None) -> tuple[float, dict[int, int]]:
    """Each of `clients` threads takes the next item and sends it with its own client, until none are
    left. The seconds it took, and how many answers had each status."""
    work: queue.Queue = queue.Queue()
    for n, item in enumerate(items):
        work.put((n, item))
    counts: dict[int, int] = {}
    lock = threading.Lock()

    def run():
        client = (make_client or Client)()
        while True:
            try:
                n, item = work.get_nowait()
            except queue.Empty:
                return
            status = send(client, n, item)
            with lock:
                counts[status] = counts.get(status, 0) + 1

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, counts


def ceiling(server: subprocess.Popen, port: int, path: str, requests_: int, clients: int) -> dict:
    """The same client, the same concurrency, an answer that costs (next to) nothing."""

    def get(client, _n, _item):
        return client.request("GET", path).status_code

    meter = CpuMeter(server)
    seconds, counts = _in_parallel([None] * requests_, clients, get, lambda: Client(port))
    return {
        "path": path,
        "requests": requests_,
        "status_counts": counts,
        "requests_per_second": round(requests_ / seconds, 1),
        "cpu_ms_per_request": meter.per_request(requests_),
    }


def throughput(slots, clients: int, token: str, server: subprocess.Popen | None = None) -> dict:
    """Bookings per second, and the CPU each part used per request. Also returns the slot ids booked."""
    headers = {"Authorization": f"Bearer {token}"}
    booked_ids: list = []

    def send(client, n, item):
        code, kind, customer, slot_id = item
        response = client.request(
            "POST", "/api/v1/appointments", body=_body(code, kind, customer, slot_id, n), headers=headers
        )
        if response.status_code == 201:
            booked_ids.append(item)
        return response.status_code

    meter = CpuMeter(server)
    seconds, counts = _in_parallel(slots, clients, send)
    booked = counts.get(201, 0)
    return {
        "requests": len(slots),
        "seconds": round(seconds, 2),
        "status_counts": counts,
        "bookings_per_second": round(booked / seconds, 1),
        "requests_per_second": round(len(slots) / seconds, 1),
        "cpu_ms_per_request": meter.per_request(len(slots)),
        "load_average": os.getloadavg(),
    }, booked_ids


def slots_gone(booked, clients: int, token: str, server: subprocess.Popen) -> dict:
    """The booked slot ids sent again (fresh names, so no request is a twin): every answer a 409."""
    headers = {"Authorization": f"Bearer {token}"}

    def send(client, n, item):
        code, kind, customer, slot_id = item
        body = _body(code, kind, customer, slot_id, 100_000 + n)
        return client.request("POST", "/api/v1/appointments", body=body, headers=headers).status_code

    meter = CpuMeter(server)
    seconds, counts = _in_parallel(booked, clients, send)
    return {
        "requests": len(booked),
        "status_counts": counts,
        "requests_per_second": round(len(booked) / seconds, 1),
        "cpu_ms_per_request": meter.per_request(len(booked)),
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
        slots = Client().request("GET", "/api/v1/availability", params=params).json().get("slots", [])
        if slots:
            slot_id = slots[-1]["slot_id"]
            break
    else:
        return {"error": "no free slot found to race for"}
    barrier = threading.Barrier(100)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(n):
        client = Client()
        barrier.wait()
        response = client.request(
            "POST",
            "/api/v1/appointments",
            body=_body(code, "home", customer, slot_id, n),
            headers={"Authorization": f"Bearer {token}"},
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed_from_template(visits: int) -> dict:
    """--reuse-seed: the county with its visits booked is kept as a template database after the first
    run and copied for the next (seconds instead of a minute). Drop it after a migration."""
    template = f"{DB}_seed_{visits}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,)).fetchone()
        if not exists:
            reset_database()
            seeded = seed(visits)
            conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{DB}"')
            return seeded
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}" TEMPLATE "{template}"')
    os.environ["DATABASE_URL"] = URL
    from app import create_app
    from app.config import Settings
    from app.extensions import db
    from app.staff.staff import find_by_email
    from app.staff.tokens import create_token

    with create_app(Settings(secret_key="bench-secret")).app_context():
        token = create_token(find_by_email("admin@wiltshire.example"), "bench")
        db.session.commit()
    return {"booked": visits, "seed_seconds": None, "from_template": template, "token": token}


def main() -> int:
    global Client
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=600)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), help="default: gunicorn.conf.py's")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="requests")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--ceiling-requests", type=int, default=3000)
    parser.add_argument(
        "--reuse-seed", action="store_true", help="copy the seeded county kept by a former run"
    )
    args = parser.parse_args()
    Client = CLIENTS[args.client]
    rng = random.Random(11)
    load_at_start = os.getloadavg()  # other work on the machine: figures are only comparable alike
    if args.reuse_seed:
        seeded = seed_from_template(args.visits)
    else:
        reset_database()
        seeded = seed(args.visits)
    token = seeded.pop("token")
    customers, services = customers_and_services()
    bare_port = _free_port()
    bare = start_gunicorn(args.workers, args.worker_class, "bench.bare_app:app", bare_port, "/")
    try:
        bare_flask = ceiling(bare, bare_port, "/", args.ceiling_requests, args.clients)
    finally:
        bare.terminate()
        bare.wait()
    server = start_gunicorn(args.workers, args.worker_class)
    try:
        healthz = ceiling(server, PORT, "/healthz", args.ceiling_requests, args.clients)
        availability, slots = availability_timings(customers, services, args.samples, rng, server)
        rng.shuffle(slots)
        booking, booked = throughput(slots[:3000], args.clients, token, server)
        gone = slots_gone(booked, args.clients, token, server)
        contested = race(customers, services, token, rng)
    finally:
        server.terminate()
        server.wait()
    result = {
        "seed": seeded,
        "client": args.client,
        "ceiling": {"bare_flask": bare_flask, "healthz": healthz},
        "availability_14_days": availability,
        "bookings": booking,
        "slot_gone_409": gone,
        "race_100_same_slot": contested,
        "integrity": verify(),
        "machine": f"{os.cpu_count()} cores",
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "gunicorn_workers": args.workers,
        "worker_class": args.worker_class or "gunicorn.conf.py",
        "clients": args.clients,
    }
    name = "booking.json" if args.client == "requests" else f"booking-{args.client}.json"
    out = ROOT / "bench/results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
