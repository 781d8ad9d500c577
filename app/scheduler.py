"""The background process: `flask --app wsgi scheduler run` (never inside web workers).

Every periodic duty is one entry in JOBS: an id, an APScheduler trigger and a function that needs no
request context and reads the time from app.timeutil (so a simulator, or time-machine in the tests, can
walk the same list on a virtual clock with `run_job`). `flask --app wsgi scheduler jobs` prints the list.
Each job's run is one unit of work (app/unit_of_work.py), except dispatch, its replay and the nightly plan,
which own several and say why.

Only one scheduler is active at a time, however many are started: the active one holds a PostgreSQL
advisory lock (on SQLite, an exclusive lock on a file in instance/); the others wait as standbys and
take over if it dies.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import text

from app.booking.waitlist import expire_offers
from app.config import INSTANCE_DIR, settings
from app.customers import retention
from app.extensions import db, in_scheduled_job
from app.kiosk.help import close_unanswered
from app.kiosk.kiosk_calls import sweep
from app.messaging.dispatch import dispatch_due, replay_stuck
from app.messaging.letters import gather_batch
from app.messaging.reminders import queue_due_reminders
from app.planning.nightly import plan_when_due
from app.safety.rota import alert_reviews_due
from app.safety.safety import run_checks
from app.timeutil import LONDON
from app.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
LOCK_KEY = 7_274_374  # "DOORSTEP" on a phone keypad, roughly: any constant shared by all schedulers


@dataclass(frozen=True)
class Job:
    id: str
    trigger: BaseTrigger
    work: Callable[[], object]
    description: str
    run_at_start: bool = False  # also run as soon as the scheduler starts (catch up after a restart)


def _dispatch():
    return dispatch_due()  # a unit of work per claim and per send


def _replay():
    return replay_stuck()  # a unit of work per stuck message


def _reminders():
    with unit_of_work():
        return queue_due_reminders()


def _safety():
    with unit_of_work():
        return run_checks()


def _risk_reviews():
    with unit_of_work():
        return alert_reviews_due()


def _waitlist_expiry():
    with unit_of_work():
        return expire_offers()


def _kiosk_calls():
    with unit_of_work():
        return sweep()


def _kiosk_help():
    with unit_of_work():
        return close_unanswered()


def _nightly_plan():
    return plan_when_due()  # a unit of work per day planned


def _letters():
    with unit_of_work():
        return gather_batch()


def _retention():
    with unit_of_work():
        return retention.run(settings().retention_days)


JOBS: list[Job] = [
    Job("dispatch", IntervalTrigger(seconds=10, timezone=LONDON), _dispatch, "send due texts and emails"),
    Job("replay", IntervalTrigger(minutes=5, timezone=LONDON), _replay, "replay messages stuck in sending"),
    Job("reminders", IntervalTrigger(minutes=15, timezone=LONDON), _reminders, "queue due reminders", True),
    Job("safety", IntervalTrigger(minutes=1, timezone=LONDON), _safety, "lone-working safety checks", True),
    Job(
        "waitlist_expiry",
        IntervalTrigger(minutes=15, timezone=LONDON),
        _waitlist_expiry,
        "close waitlist offers past their time",
        True,
    ),
    Job(
        "kiosk_calls",
        IntervalTrigger(seconds=30, timezone=LONDON),
        _kiosk_calls,
        "end kiosk video calls whose kiosk or agent went quiet",
        True,
    ),
    Job(
        "kiosk_help",
        IntervalTrigger(minutes=1, timezone=LONDON),
        _kiosk_help,
        "close kiosk help requests nobody dealt with in 15 minutes",
        True,
    ),
    Job(
        "plan",
        IntervalTrigger(minutes=5, timezone=LONDON),
        _nightly_plan,
        "plan the next day with hours (Saturdays too) from 7pm; catches up a missed plan",
        True,
    ),
    Job(
        "risk_reviews",
        CronTrigger(hour=8, minute=0, timezone=LONDON),
        _risk_reviews,
        "alert supervisors to warning markers due for review",
    ),
    Job(
        "letters",
        CronTrigger(day_of_week="mon-fri", hour=15, minute=0, timezone=LONDON),
        _letters,
        "gather the letters waiting into today's print batch",
    ),
    Job(
        "retention",
        CronTrigger(hour=2, minute=30, timezone=LONDON),
        _retention,
        "remove personal data past RETENTION_DAYS",
    ),
]


def run_job(app: Flask, job: Job):
    """One run, in its own app context; a failed run must not stop the scheduler (the next run retries).
    Its unit of work has rolled back whatever failed; removing the session discards anything else."""
    with app.app_context():
        marker = in_scheduled_job.set(True)  # on SQLite: take the write lock first, as requests do
        try:
            return job.work()
        except Exception:
            log.exception("scheduled job %s failed", job.id)
            return None
        finally:
            db.session.remove()
            in_scheduled_job.reset(marker)


def due_between(since: datetime, until: datetime) -> list[Job]:
    """The jobs whose trigger fires in (since, until], in list order: how a simulator walks the list
    on a virtual clock (each runs once however many firings it missed, as coalesce does here)."""
    due = []
    for job in JOBS:
        fires = job.trigger.get_next_fire_time(None, since + timedelta(microseconds=1))
        if fires is not None and fires <= until:
            due.append(job)
    return due


def describe() -> list[tuple[str, str, str]]:
    return [(job.id, str(job.trigger), job.description) for job in JOBS]


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


def build(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=LONDON)
    started = datetime.now(LONDON)
    for job in JOBS:
        options = {"next_run_time": started} if job.run_at_start else {}
        scheduler.add_job(
            run_job,
            job.trigger,
            args=(app, job),
            id=job.id,
            name=job.description,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=60,
            **options,
        )
    return scheduler


def run(app: Flask) -> None:
    with leadership(app):
        log.info("this scheduler is active")
        build(app).start()
