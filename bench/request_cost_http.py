"""gunicorn's CPU per request for bare Flask, `/healthz` and a 409 (a slot booked a moment before),
over HTTP with booking_bench.py's http client (32 threads), each phase repeated: the smallest of the
rounds is the figure, the others show the noise of a shared machine.

    BENCH_DB=... BENCH_PORT=... .venv/bin/python bench/request_cost_http.py [--rounds 3] [--requests 3000]

Copies the seeded county kept by `booking_bench.py --reuse-seed` (made first if missing), books one hub
slot through the API in-process, then starts gunicorn with gunicorn.conf.py as booking_bench.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import booking_bench as bench  # noqa: E402  (reads BENCH_DB and BENCH_PORT)


def booked_body(token: str) -> dict:
    """A booking the API has just accepted: sent again, it is a 409."""
    os.environ["DATABASE_URL"] = bench.URL
    from app import create_app
    from app.config import Settings
    from app.extensions import db

    app = create_app(Settings(secret_key="bench-secret", ratelimit_enabled=False))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for service in client.get("/api/v1/services").get_json()["services"]:
        search = {"service": service["code"], "location_type": "hub", "hub": "devizes", "days": 28}
        slots = client.get("/api/v1/availability", query_string=search).get_json().get("slots")
        if "hub" in service["places"] and slots:
            break
    else:
        raise SystemExit("no free hub slot at Devizes in 28 days")
    body = {
        "slot_id": slots[0]["slot_id"],
        "service": service["code"],
        "location_type": "hub",
        "hub": "devizes",
        "customer": {"name": "Request Cost", "phone": "07700900123", "preferred_channel": "sms"},
    }
    assert client.post("/api/v1/appointments", json=body, headers=headers).status_code == 201
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no connection of ours in the measured figures
    return body


def phase(server, port: int, requests: int, method: str, path: str, body=None, headers=None) -> dict:
    def send(client, _n, _item):
        return client.request(method, path, body=body, headers=headers).status_code

    meter = bench.CpuMeter(server)
    seconds, counts = bench._in_parallel([None] * requests, 32, send, lambda: bench.HttpClient(port))
    return meter.per_request(requests) | {"requests_per_second": round(requests / seconds), "status": counts}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    load_at_start = os.getloadavg()
    token = bench.seed_from_template(600)["token"]
    body = booked_body(token)
    headers = {"Authorization": f"Bearer {token}"}
    rounds: dict[str, list[dict]] = {"bare Flask": [], "/healthz": [], "409": []}
    port = bench._free_port()
    bare = bench.start_gunicorn(args.workers, None, "bench.bare_app:app", port, "/")
    try:
        for _ in range(args.rounds):
            rounds["bare Flask"].append(phase(bare, port, args.requests, "GET", "/"))
    finally:
        bare.terminate()
        bare.wait()
    server = bench.start_gunicorn(args.workers, None)
    try:
        for _ in range(args.rounds):
            rounds["/healthz"].append(phase(server, bench.PORT, args.requests, "GET", "/healthz"))
            rounds["409"].append(
                phase(server, bench.PORT, args.requests, "POST", "/api/v1/appointments", body, headers)
            )
    finally:
        server.terminate()
        server.wait()
    print(f"load average {load_at_start} -> {os.getloadavg()}")
    print("| request | gunicorn CPU ms (least; every round) | PostgreSQL ms | requests/s | sessions opened |")
    print("|---|---|---|---|---|")
    for name, found in rounds.items():
        cpu = [r["gunicorn"] for r in found]
        print(
            f"| {name} | {min(cpu):.2f} ({', '.join(f'{c:.2f}' for c in cpu)}) "
            f"| {', '.join(str(r['postgres']) for r in found)} "
            f"| {', '.join(str(r['requests_per_second']) for r in found)} "
            f"| {', '.join(str(r['sessions_ended']) for r in found)} |"
        )
    print(json.dumps({"load_average_at_start": load_at_start, "rounds": rounds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
