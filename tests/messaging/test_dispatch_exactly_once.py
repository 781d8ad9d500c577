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
import time_machine

from app.extensions import db
from app.messaging.dispatch import STUCK_AFTER, dispatch_due, replay_stuck
from app.messaging.senders import Senders
from app.models import Message
from app.timeutil import utcnow
from notifications.sms import TwilioSms
from tests.standins.twilio_api import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _queue(count: int) -> list[str]:
    bodies = [f"Doorstep test message {n:03d}. Ref TEST-{n:04d}." for n in range(count)]
    for n, body in enumerate(bodies):
        db.session.add(Message(kind="reply", channel="sms", recipient=f"+4477009{n:05d}", body=body))
    db.session.commit()
    return bodies


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_killed_dispatcher_then_restart_sends_each_message_once(app, postgres, committed, twilio):
    """A text in flight when its dispatcher dies reaches the provider only after the restarted
    dispatcher has looked: production's thresholds, production's dispatcher process, no shortcuts."""
    bodies = _queue(30)
    twilio.delay = 0.1  # the provider's latency
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
    _wait_for(lambda: len(twilio.messages) >= 8)
    twilio.hold_next()  # the next text is received by the provider but not yet processed...
    _wait_for(twilio.held.is_set)
    dispatcher.send_signal(signal.SIGKILL)  # ...when the dispatcher dies, with no chance to tidy up
    dispatcher.wait()
    sent_before = len(twilio.messages)
    assert 8 <= sent_before < 30, "the dispatcher should have died part-way through"

    # The restarted dispatcher runs at once (what `flask notifications dispatch` does each round).
    replay_stuck()
    dispatch_due()
    db.session.expire_all()
    in_flight = twilio.held_body
    assert in_flight in [m.body for m in db.session.query(Message).filter_by(status="sending")]
    assert in_flight not in twilio.bodies()  # the provider has not processed it yet
    twilio.release()  # now it has: after the restarted dispatcher looked
    _wait_for(lambda: in_flight in twilio.bodies())

    # The scheduler's replay job, STUCK_AFTER later, finds it at the provider instead of resending.
    with time_machine.travel(utcnow() + STUCK_AFTER + timedelta(seconds=1)):
        replay_stuck()
        dispatch_due()
    assert Counter(twilio.bodies()) == Counter(bodies)  # every one, exactly once
    db.session.expire_all()
    statuses = Counter(m.status for m in db.session.query(Message).all())
    assert statuses == {"sent": 30}


def test_a_send_the_provider_never_answered_is_looked_up_not_resent(app, postgres, committed, twilio):
    """The client gives up waiting (its timeout) while the provider still has the text: no resend."""
    (body,) = _queue(1)
    senders = Senders(
        TwilioSms(ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID, api_base=twilio.base_url, timeout=0.5),
        None,
        None,
    )
    twilio.hold_next()
    report = dispatch_due(senders=senders)
    assert report.sent == 0 and report.retried == 0 and "did not answer" in report.errors[0]
    twilio.release()
    _wait_for(lambda: twilio.bodies() == [body])
    replay_stuck(senders)  # too soon: the row is left alone
    dispatch_due(senders=senders)
    with time_machine.travel(utcnow() + STUCK_AFTER + timedelta(seconds=1)):
        replay_stuck(senders)
        dispatch_due(senders=senders)
    assert twilio.bodies() == [body]
    (message,) = db.session.query(Message).all()
    assert message.status == "sent" and message.provider_id == twilio.messages[0]["sid"]


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
