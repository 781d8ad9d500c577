"""Every message is sent once: across a dispatcher killed mid-batch, and with two dispatchers at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Message
from app.services.dispatch import dispatch_due, replay_stuck
from tests.standins.twilio_api import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parent.parent


def _queue(count: int) -> list[str]:
    bodies = [f"Doorstep test message {n:03d}. Ref TEST-{n:04d}." for n in range(count)]
    for n, body in enumerate(bodies):
        db.session.add(Message(kind="reply", channel="sms", recipient=f"+4477009{n:05d}", body=body))
    db.session.commit()
    return bodies


def test_killed_dispatcher_then_restart_sends_each_message_once(app, postgres, committed, twilio):
    bodies = _queue(30)
    twilio.delay = 0.1
    env = {
        **os.environ,
        "DATABASE_URL": postgres,
        "SECRET_KEY": "test-secret-key",
        "SMS_PROVIDER": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": MESSAGING_SERVICE_SID,
        "TWILIO_API_BASE": twilio.base_url,
    }
    dispatcher = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "notifications", "dispatch", "--once"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(twilio.messages) < 8 and time.monotonic() < deadline:
        time.sleep(0.02)
    dispatcher.send_signal(signal.SIGKILL)  # no chance to tidy up
    dispatcher.wait()
    assert 8 <= len(twilio.messages) < 30, "the dispatcher should have died part-way through"
    db.session.expire_all()
    stuck = db.session.query(Message).filter_by(status="sending").count()
    assert stuck > 0
    twilio.delay = 0
    replay_stuck(older_than=timedelta(0))
    dispatch_due()
    assert Counter(twilio.bodies()) == Counter(bodies)  # every one, exactly once
    statuses = Counter(m.status for m in db.session.query(Message).all())
    assert statuses == {"sent": 30}


def test_two_dispatchers_at_once_never_send_the_same_row(app, postgres, committed, twilio):
    bodies = _queue(60)
    twilio.delay = 0.01

    def run():
        with app.app_context():
            dispatch_due(limit=5)
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(twilio.bodies()) == Counter(bodies)


def test_only_one_scheduler_is_active(app, postgres, committed):
    from sqlalchemy import create_engine, text

    from app.scheduler import LOCK_KEY, leadership

    other = create_engine(
        postgres.replace("postgresql://", "postgresql+psycopg://")
        if postgres.startswith("postgresql://")
        else postgres
    )
    with leadership(app), other.connect() as connection:
        # A second scheduler's attempt fails while this one is active...
        assert connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar() is False
    with other.connect() as connection:
        # ...and succeeds once it has stopped.
        assert connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar() is True
    other.dispose()
