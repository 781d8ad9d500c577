"""What one request of each kind costs in-process: CPU time and Python function calls (the call count
does not depend on the machine's load, so before and after compare on a shared machine).

    .venv/bin/python bench/request_cost.py [healthz|409|availability ...] [--requests 200]

Uses BENCH_DB as booking_bench.py seeded it (e.g. a copy of its `--reuse-seed` template). Requests go
through Flask's test client (its own work is included: compare like with like). The 409 is a booking
of a slot booked a moment before, the answer most requests for a popular time get.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("ROOT", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_DB", "doorstep_bench")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kinds", nargs="*", default=["healthz", "409", "availability"])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
    from app import create_app
    from app.config import Settings
    from app.extensions import db
    from app.staff.staff import find_by_email
    from app.staff.tokens import create_token

    app = create_app(Settings(secret_key="bench-secret", ratelimit_enabled=False))
    with app.app_context():
        token = create_token(find_by_email("admin@wiltshire.example"), "request cost")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    services = client.get("/api/v1/services").get_json()["services"]
    for code in [s["code"] for s in services if "hub" in s["places"]]:
        search = {"service": code, "location_type": "hub", "hub": "devizes", "days": 28}
        slots = client.get("/api/v1/availability", query_string=search).get_json()["slots"]
        if slots:
            break
    else:
        raise SystemExit("no free hub slot at Devizes in 28 days")
    body = {
        "slot_id": slots[0]["slot_id"],
        "service": code,
        "location_type": "hub",
        "hub": "devizes",
        "customer": {"name": "Request Cost", "phone": "07700900123", "preferred_channel": "sms"},
    }
    assert client.post("/api/v1/appointments", json=body, headers=headers).status_code == 201
    kinds = {
        "healthz": lambda: client.get("/healthz"),
        "409": lambda: client.post("/api/v1/appointments", json=body, headers=headers),
        "availability": lambda: client.get("/api/v1/availability", query_string=search),
    }
    print("| request | CPU ms | Python calls |\n|---|---|---|")
    for kind in args.kinds:
        call = kinds[kind]
        for _ in range(10):
            call()
        started = time.process_time()
        for _ in range(args.requests):
            assert call().status_code in (200, 409)
        cpu = (time.process_time() - started) * 1000 / args.requests
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            call()
        profiler.disable()
        calls = pstats.Stats(profiler).total_calls / args.requests
        print(f"| {kind} | {cpu:.2f} | {calls:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
