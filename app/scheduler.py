"""The background process: `flask --app wsgi scheduler run` (never inside web workers).

Only one scheduler is active at a time, however many are started: the active one holds a PostgreSQL
advisory lock (on SQLite, an exclusive lock on a file in instance/); the others wait as standbys and
take over if it dies. Jobs: dispatch the outbox, replay stuck messages, queue reminders, end kiosk
video calls whose kiosk or agent went quiet, and plan the next working day's routes each evening.
"""

from __future__ import annotations

import fcntl
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text

from app.config import INSTANCE_DIR
from app.extensions import db

log = logging.getLogger(__name__)
LOCK_KEY = 7_274_374  # "DOORSTEP" on a phone keypad, roughly: any constant shared by all schedulers


@contextmanager
def leadership(app: Flask, wait_seconds: float = 15.0):
    """Block until this process is the only active scheduler; hold that until the block ends."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        try:
            while not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
                connection.commit()
                log.info("another scheduler is active; waiting")
                time.sleep(wait_seconds)
            connection.commit()
            yield
        finally:
            # A pooled connection outlives close(), and so would the lock: release it explicitly.
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            connection.commit()
            connection.close()
    else:
        INSTANCE_DIR.mkdir(exist_ok=True)
        with open(INSTANCE_DIR / "scheduler.lock", "w") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    log.info("another scheduler is active; waiting")
                    time.sleep(wait_seconds)
            yield


def _job(app: Flask, name: str, work):
    def run():
        with app.app_context():
            try:
                work()
            except Exception:  # a failed run must not stop the scheduler; the next run retries
                db.session.rollback()
                log.exception("scheduled job %s failed", name)
            finally:
                db.session.remove()

    return run


def build(app: Flask) -> BlockingScheduler:
    from app.services.dispatch import dispatch_due, replay_stuck
    from app.services.kiosk_calls import sweep as sweep_kiosk_calls
    from app.services.planning import plan_day
    from app.services.reminders import queue_due_reminders
    from app.timeutil import local_now, next_working_day

    def end_quiet_kiosk_calls():
        sweep_kiosk_calls()
        db.session.commit()

    def nightly_plan():
        plan_day(next_working_day(local_now().date()))
        db.session.commit()

    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    scheduler.add_job(
        _job(app, "dispatch", dispatch_due),
        "interval",
        seconds=10,
        id="dispatch",
        name="dispatch",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        _job(app, "kiosk calls", end_quiet_kiosk_calls),
        "interval",
        seconds=30,
        id="kiosk_calls",
        name="end kiosk calls that went quiet",
        coalesce=True,
    )
    scheduler.add_job(
        _job(app, "replay", replay_stuck), "interval", minutes=5, id="replay", name="replay", coalesce=True
    )
    scheduler.add_job(
        _job(app, "reminders", queue_due_reminders),
        "interval",
        minutes=15,
        id="reminders",
        name="reminders",
        coalesce=True,
        next_run_time=None,
    )
    scheduler.add_job(
        _job(app, "plan", nightly_plan),
        "cron",
        hour=19,
        minute=0,
        id="plan",
        name="nightly plan",
        coalesce=True,
    )
    # Start the reminder job now too, so a restart does not leave a gap of up to 15 minutes.
    from datetime import datetime

    scheduler.get_job("reminders").modify(
        next_run_time=datetime.now(scheduler.timezone) + timedelta(seconds=5)
    )
    return scheduler


def run(app: Flask) -> None:
    with leadership(app):
        log.info("this scheduler is active")
        build(app).start()
