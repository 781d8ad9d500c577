"""The virtual clock's walk: a minute at a time, every scheduler job from the one list (app.scheduler)
that fires in that minute, each in its own unit of work through `run_job`, as the scheduler runs them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask

from app.scheduler import Job, due_between, run_job
from app.timeutil import VirtualClock

STEP = timedelta(minutes=1)  # the safety checks' interval: the finest any job needs
QUIET_STEP = timedelta(minutes=15)  # nights and weekends with nothing for the ladder to chase
Around = Callable[[Callable[[], object]], object]  # wraps one job run (e.g. to look before and after)


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

    def __enter__(self) -> Timeline:
        logging.getLogger("app.scheduler").addHandler(self.handler)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("app.scheduler").removeHandler(self.handler)

    def step(self, size: timedelta = STEP) -> datetime:
        """Move the clock on (a minute, or longer when nothing can need the minute jobs) and run the
        jobs due in that time, in list order, each once (as the scheduler coalesces missed runs)."""
        since = self.clock.now
        self.clock.advance_to(since + size)
        for job in due_between(since, self.clock.now):
            self.run(job)
        return self.clock.now

    def run(self, job: Job) -> object:
        around = self.around.get(job.id)
        if around is None:
            return run_job(self.app, job)
        return around(lambda: run_job(self.app, job))
