"""The virtual clock's walk, from one moment something can happen to the next: every scheduler job from
the one list (app.scheduler) fires at its trigger's times, but the ones that fire every few seconds or
minutes are only run at the fire times from which they have something to do (each says when, from what it
reads), each in its own unit of work through `run_job`, as the scheduler runs them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask

from app.kiosk import help as kiosk_help
from app.kiosk import kiosk_calls
from app.messaging import dispatch
from app.planning import nightly
from app.safety import safety
from app.scheduler import JOBS, Job, run_job
from app.simulation.work import unit
from app.timeutil import VirtualClock, to_local

STEP = timedelta(minutes=1)  # the safety checks' interval: the finest any job needs
TICK = timedelta(microseconds=1)
Around = Callable[[Callable[[], object]], object]  # wraps one job run (e.g. to look before and after)

# The jobs that fire far more often than they have work, and when each next could have some. Any other
# job fires at every time its trigger gives.
WAKES: dict[str, Callable[[datetime], datetime | None]] = {
    "dispatch": lambda now: dispatch.next_due(),
    "replay": lambda now: dispatch.next_stuck(),
    "safety": safety.next_due,
    "kiosk_calls": lambda now: kiosk_calls.next_sweep(),
    "kiosk_help": lambda now: kiosk_help.next_close(),
    "plan": lambda now: nightly.next_due(to_local(now)),
}


class _Failures(logging.Handler):
    """Jobs that raised: run_job logs and swallows them (the next run retries), the simulation counts them."""

    def __init__(self, into: list[str], clock: VirtualClock):
        super().__init__(logging.ERROR)
        self.into, self.clock = into, clock

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(f"{self.clock.now:%Y-%m-%d %H:%M} {record.getMessage()}: {record.exc_info[1]!r}")


class Timeline:
    def __init__(self, app: Flask, clock: VirtualClock, failures: list[str], around: dict[str, Around]):
        self.app, self.clock, self.around = app, clock, around
        self.handler = _Failures(failures, clock)
        self.fires: dict[str, datetime] = {}  # each job's next useful fire time, from `next_fires`

    def __enter__(self) -> Timeline:
        logging.getLogger("app.scheduler").addHandler(self.handler)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("app.scheduler").removeHandler(self.handler)

    def next_fires(self) -> datetime | None:
        """Ask each job when it next fires with something to do (as the database stands now); the
        earliest of those."""
        now, self.fires = self.clock.now, {}
        with unit():
            for job in JOBS:
                wake = WAKES.get(job.id)
                earliest = wake(now) if wake else now + TICK
                if earliest is None:
                    continue
                fires = job.trigger.get_next_fire_time(None, max(earliest, now + TICK))
                if fires is not None:
                    self.fires[job.id] = fires
        return min(self.fires.values(), default=None)

    def step(self, until: datetime) -> datetime:
        """Move the clock on to `until` and run the jobs that fire with work by then, in list order,
        each once (as the scheduler coalesces missed runs)."""
        self.clock.advance_to(until)
        for job in JOBS:
            if job.id in self.fires and self.fires[job.id] <= until:
                self.run(job)
        return self.clock.now

    def run(self, job: Job) -> object:
        around = self.around.get(job.id)
        if around is None:
            return run_job(self.app, job)
        return around(lambda: run_job(self.app, job))


def next_minute(now: datetime, candidates: list[datetime | None]) -> datetime:
    """The first whole minute at or after the earliest candidate, and at least a minute on from now
    (`now` is on a whole minute)."""
    earliest = min((c.astimezone(UTC) for c in candidates if c is not None), default=now + STEP)
    minute = earliest.replace(second=0, microsecond=0)
    if minute < earliest:
        minute += STEP
    return max(now + STEP, minute)
