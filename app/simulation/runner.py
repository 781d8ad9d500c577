"""Put the simulation together: prepare the database, walk the virtual clock from each moment anyone or
any job can act to the next (on whole minutes), then measure."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app

from app.messaging import senders
from app.messaging.senders import SendLog
from app.simulation import counters, planwatch, world
from app.simulation.field import FieldOfficers
from app.simulation.record import Record
from app.simulation.residents import VISITS_PER_OFFICER_DAY, Residents
from app.simulation.supervisors import Supervisors
from app.simulation.timeline import Timeline, next_minute
from app.simulation.work import unit
from app.timeutil import VirtualClock, is_working_day, local_to_utc, to_local, use_clock

MORNING_CHECK = time(6, 45)  # each officer-day is checked before the day begins
CRM_URL = "https://crm.simulation.invalid/events"  # webhooks are queued and "sent" to the log too


@dataclass
class Settings:
    days: int
    seed: int
    officers: int | None = None  # scale the roster to this many ("what if we had N officers")
    start: date | None = None  # the first simulated day (default: the Monday after any visits)
    demand: float | None = None  # booking requests per working day (default: sized from the roster)


@dataclass
class Result:
    counters: dict
    first_day: date
    notes: list[str] = field(default_factory=list)
    job_failures: list[str] = field(default_factory=list)


def simulate(settings: Settings, progress: Callable[[date, dict], None] | None = None) -> Result:
    """Run it (inside an app context, against the configured database). `progress` hears, after each
    simulated day, the counters measured so far."""
    if settings.days < 1:
        raise ValueError("--days must be at least 1")
    app = current_app._get_current_object()
    rng = random.Random(settings.seed)
    with unit():
        prepared = world.prepare(settings.officers, settings.start)
        record = Record(first_message_id=world.first_message_id())
    demand = (
        settings.demand
        if settings.demand is not None
        else VISITS_PER_OFFICER_DAY * prepared.baseline_officers
    )
    first = prepared.first_day
    started = local_to_utc(first, time(0))
    ended = local_to_utc(first + timedelta(days=settings.days), time(0))
    clock = VirtualClock(started)
    log = SendLog()
    run = f"{first:%Y%m%d}s{settings.seed}"
    try:
        with use_clock(clock), senders.use(log.senders()), _crm_webhook(app):
            residents = Residents(rng, record, demand, prepared.agent_ids, run)
            officers = FieldOfficers(rng, record, run)
            sick_day = _nth_working_day(first, settings.days, 2)
            supervisors = Supervisors(rng, record, prepared.supervisor_id, sick_day)
            around = {"plan": planwatch.around_nightly_plan(record)}
            read = 0
            with Timeline(app, clock, record.job_failures, around) as timeline:
                while clock.now < ended:
                    local = to_local(clock.now)
                    if local.time() == time(0):
                        if progress and clock.now > started:
                            with unit():
                                progress(local.date(), counters.measure(record, log, started, clock.now))
                        residents.plan_day(local.date())
                    with unit():
                        watched = counters.next_watch(clock.now)
                    until = next_minute(
                        clock.now,
                        [
                            timeline.next_fires(),
                            residents.next_at(),
                            officers.next_at(clock.now),
                            supervisors.next_at(clock.now),
                            watched,
                            _next_at(local, time(0)),
                            _next_at(local, MORNING_CHECK),
                        ],
                    )
                    now = timeline.step(min(until, ended))
                    residents.act(now)
                    officers.act(now)
                    if supervisors.act(now):
                        officers.wake = now  # visits moved after the officers looked: they look again
                    for delivery in log.deliveries[read:]:
                        officers.on_text(delivery, now) or residents.on_text(delivery, now)
                    read = len(log.deliveries)
                    with unit():
                        counters.watch_ladder(record, now)
                        local = to_local(now)
                        if local.time() == MORNING_CHECK and is_working_day(local.date()):
                            planwatch.note_failing(
                                record, to_local(now).date(), planwatch.officer_days(to_local(now).date())
                            )
            with unit():
                result = counters.measure(record, log, started, ended)
    finally:
        with unit():
            world.restore_roster(prepared)
    return Result(result, first, record.notes, record.job_failures)


def _next_at(local: datetime, moment: time) -> datetime:
    """The next time of day `moment` after `local` (every day's midnight and morning check are stepped on)."""
    day = local.date() if local.time() < moment else local.date() + timedelta(days=1)
    return local_to_utc(day, moment)


def _nth_working_day(first: date, days: int, n: int) -> date | None:
    """The n-th working day of the run (or its last one, in a shorter run)."""
    found = [first + timedelta(days=i) for i in range(days) if is_working_day(first + timedelta(days=i))]
    return found[min(n, len(found)) - 1] if found else None


@contextmanager
def _crm_webhook(app) -> Iterator[None]:
    saved = app.config["CRM_WEBHOOK_URL"]
    app.config["CRM_WEBHOOK_URL"] = saved or CRM_URL
    try:
        yield
    finally:
        app.config["CRM_WEBHOOK_URL"] = saved


__all__ = ["Result", "Settings", "simulate"]
