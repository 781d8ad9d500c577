"""Outbox throughput: 10,000 due reminders sent by two dispatcher processes on PostgreSQL to a local
Twilio stand-in (the real twilio client; every request checked against Twilio's OpenAPI description).

    .venv/bin/python bench/dispatch_bench.py [--messages 10000] [--dispatchers 2]

Checks afterwards that the stand-in received every message exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = os.environ.get("BENCH_DB_NAME", "doorstep_dispatch_bench")  # one per checkout on a shared machine
URL = f"postgresql://postgres@127.0.0.1:5432/{DB}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="skip the stand-in's OpenAPI check (it costs ~15 ms a request on this machine)",
    )
    args = parser.parse_args()
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ["DATABASE_URL"] = URL
    import flask_migrate

    from app import create_app
    from app.config import Settings
    from app.extensions import db
    from app.models import Message
    from tests.standins.twilio_api import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID, TwilioStandIn

    app = create_app(Settings(secret_key="bench"))
    with app.app_context():
        flask_migrate.upgrade()
        db.session.bulk_save_objects(
            [
                Message(
                    kind="reminder_day_before",
                    channel="sms",
                    recipient=f"+4477009{n % 100000:05d}",
                    body=f"Reminder: council appointment tomorrow. Ref BNCH-{n:05d}.",
                )
                for n in range(args.messages)
            ]
        )
        db.session.commit()
    with TwilioStandIn(validate=not args.no_validate) as twilio:
        env = {
            **os.environ,
            "DATABASE_URL": URL,
            "SECRET_KEY": "bench",
            "SMS_PROVIDER": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_MESSAGING_SERVICE_SID": MESSAGING_SERVICE_SID,
            "TWILIO_API_BASE": twilio.base_url,
            "PUBLIC_BASE_URL": "https://doorstep.council.example",
        }
        started = time.perf_counter()
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "notifications", "dispatch", "--once"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(args.dispatchers)
        ]
        for worker in workers:
            worker.wait()
        seconds = time.perf_counter() - started
        bodies = Counter(twilio.bodies())
        invalid = len(twilio.invalid)
    with app.app_context():
        statuses = Counter(status for (status,) in db.session.query(Message.status).all())
    result = {
        "messages": args.messages,
        "dispatchers": args.dispatchers,
        "seconds": round(seconds, 1),
        "per_second": round(args.messages / seconds, 1),
        "received": sum(bodies.values()),
        "duplicates": sum(n - 1 for n in bodies.values() if n > 1),
        "statuses": dict(statuses),
        "requests_refused_by_the_api_description": invalid,
    }
    print(json.dumps(result, indent=1))
    name = "dispatch.json" if not args.no_validate else "dispatch_unvalidated.json"
    (ROOT / "bench/results" / name).write_text(json.dumps(result, indent=1))
    return 0 if result["duplicates"] == 0 and result["received"] == args.messages else 1


if __name__ == "__main__":
    sys.exit(main())
