"""Field officers: each works the day as the app shows it (visits in planned order, at their planned
arrivals), checking in and out through the safety services. Some visits run over and the officer
answers the safety text (OK by SMS, or an extension in the app); a few residents are not in; on one
day an officer presses help, and on one day an officer's phone dies at the last visit, so that visit
is never checked out and no text is answered."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.booking.availability import planned_order, visits_for
from app.booking.errors import BookingRuleError
from app.extensions import db
from app.inbound import inbound
from app.messaging.senders import Delivery
from app.models import Appointment, Officer
from app.officers.roster import roster
from app.officers.travel import pair_travel
from app.officers.workdays import working_day
from app.safety import safety
from app.simulation.record import Record
from app.simulation.work import unit
from app.timeutil import at_day_seconds, local_to_utc, to_local

NO_SHOWS = 0.04  # visits where nobody is in
OVERRUNS = 0.15  # officer-days whose last visit runs well past its time
OK_BY_TEXT = 0.5  # of safety texts answered by replying OK (the rest by extending in the app)
DAY_STARTS, DAY_ENDS = time(7), time(21)
HELP_AFTER = timedelta(minutes=5)  # into the visit where help is pressed


@dataclass
class OnVisit:
    appointment_id: int
    leave_at: datetime
    outcome: str
    help_at: datetime | None = None


@dataclass
class OnDuty:
    officer_id: int
    at: tuple[float, float]
    free_at: datetime
    visit: OnVisit | None = None
    done: set[int] = field(default_factory=set)
    silent: bool = False  # the phone died: nothing more is tapped or answered today


class FieldOfficers:
    def __init__(self, rng: random.Random, record: Record, run: str):
        self.rng, self.record, self.run = rng, record, run
        self.today: date | None = None
        self.states: dict[int, OnDuty] = {}
        self.answers: list[tuple[datetime, int, str]] = []  # when, officer id, "OK" | "extend"
        self.help_pending = True  # once in the run
        self.silenced: set[int] = set()
        self.silence_pending = True  # once in the run
        self.inbound_ids = 0
        self.wake = datetime.min.replace(tzinfo=UTC)  # the next tap, as of the last act (now, at first)
        with unit():
            self.by_phone = {
                o.phone: o.id for o in db.session.scalars(select(Officer).where(Officer.active)) if o.phone
            }

    def next_at(self, now: datetime) -> datetime:
        """The next moment an officer does something: taps in or out, presses help or answers a text."""
        return min([self.wake, *(at for at, _officer, _how in self.answers)])

    def act(self, now: datetime) -> None:
        local = to_local(now)
        self._answer(now)
        self.wake = _next_day_start(local)
        if not DAY_STARTS <= local.time() < DAY_ENDS:
            return  # any day: an officer whose pattern has Saturday hours works them (working_day decides)
        if self.today != local.date():
            self.today, self.states = local.date(), {}
        with unit():
            officers = roster()
            visits = visits_for(list(officers.officers), self.today, self.today)
        mine: dict[int, list] = {}
        for visit in visits:
            for officer_id in (visit.officer_id, visit.second_officer_id):
                if officer_id is not None:
                    mine.setdefault(officer_id, []).append(visit)
        for officer_id in sorted(set(mine) | {o for o, s in self.states.items() if s.visit}):
            officer = officers.officer(officer_id)
            wd = working_day(officer, self.today) if officer else None
            state = self.states.get(officer_id)
            if state is None:
                if wd is None:
                    continue  # absent: their visits are for the re-plan, not for them
                base = (officer.base_lat, officer.base_lng)
                state = self.states[officer_id] = OnDuty(
                    officer_id, base, at_day_seconds(self.today, wd.starts)
                )
            if state.silent:
                continue
            if state.visit is not None:
                self._on_visit(state, now)
            else:
                todo = [v for v in planned_order(mine.get(officer_id, [])) if v.id not in state.done]
                if todo:
                    self._go_to(state, todo[0], last=len(todo) == 1, now=now)
            self.wake = min(self.wake, self._next_tap(state, mine.get(officer_id, []), now))

    def _next_tap(self, state: OnDuty, visits: list, now: datetime) -> datetime:
        """When this officer next taps: help, check-out, or arriving at the next visit of the day."""
        if state.visit is not None:
            return min(t for t in (state.visit.help_at, state.visit.leave_at) if t is not None)
        todo = [v for v in planned_order(visits) if v.id not in state.done]
        return self._arrival(state, todo[0]) if todo else self.wake

    def _arrival(self, state: OnDuty, visit) -> datetime:
        seconds, _metres = pair_travel([state.at, (visit.lat, visit.lng)])(state.at, (visit.lat, visit.lng))
        return max(visit.planned_arrival or visit.window_start, state.free_at + timedelta(seconds=seconds))

    # A visit -------------------------------------------------------------------------------------

    def _go_to(self, state: OnDuty, visit, last: bool, now: datetime) -> None:
        arrive = self._arrival(state, visit)
        if now < arrive:
            return
        try:
            with unit():
                officer = db.session.get(Officer, state.officer_id)
                safety.arrive(db.session.get(Appointment, visit.id), officer, officer.user, at=arrive)
        except BookingRuleError as error:
            self.record.notes.append(
                f"officer {state.officer_id} could not check in to visit {visit.id}: {error}"
            )
            state.done.add(visit.id)
            return
        state.at = (visit.lat, visit.lng)
        state.done.add(visit.id)
        duration = timedelta(minutes=visit.duration_minutes)
        outcome = "completed"
        if random.Random(f"{self.run}:{visit.id}").random() < NO_SHOWS:  # both officers of a pair see it
            outcome, duration = "no_show", timedelta(minutes=10)
        elif last and self.rng.random() < OVERRUNS:
            duration += safety.GRACE + timedelta(minutes=self.rng.randint(10, 40))
        state.visit = OnVisit(visit.id, arrive + duration, outcome)
        if last and self.silence_pending and to_local(arrive).hour >= 13:
            self.silence_pending, state.silent = False, True
            self.silenced.add(state.officer_id)  # that phone never answers again in the run
            self.record.notes.append(
                f"officer {state.officer_id}'s phone died at visit {visit.id} on {self.today}"
            )
        elif self.help_pending and to_local(arrive).hour >= 10:
            self.help_pending = False
            state.visit.help_at = arrive + HELP_AFTER

    def _on_visit(self, state: OnDuty, now: datetime) -> None:
        visit = state.visit
        if visit.help_at is not None and now >= visit.help_at:
            with unit():
                appointment = db.session.get(Appointment, visit.appointment_id)
                officer = db.session.get(Officer, state.officer_id)
                safety.help_now(appointment, officer, officer.user, via="web, simulated")
            self.record.help_presses.append((state.officer_id, visit.help_at))
            visit.help_at = None
        if now < visit.leave_at:
            return
        try:
            with unit():
                officer = db.session.get(Officer, state.officer_id)
                appointment = db.session.get(Appointment, visit.appointment_id)
                safety.finish(appointment, officer, officer.user, visit.outcome, at=visit.leave_at)
        except BookingRuleError as error:  # as on the officer's page: the tap is refused, nothing kept
            self.record.notes.append(
                f"officer {state.officer_id} could not check out of visit "
                f"{visit.appointment_id}: {error.message}"
            )
        state.free_at, state.visit = visit.leave_at, None

    # Texts ---------------------------------------------------------------------------------------

    def on_text(self, delivery: Delivery, now: datetime) -> bool:
        """An officer reads a text on their work phone: a safety check is answered within minutes."""
        officer_id = self.by_phone.get(delivery.recipient)
        if officer_id is None:
            return False
        state = self.states.get(officer_id)
        if "Reply OK" in delivery.body and officer_id not in self.silenced:
            how = "OK" if self.rng.random() < OK_BY_TEXT or not (state and state.visit) else "extend"
            self.answers.append((now + timedelta(minutes=self.rng.randint(1, 6)), officer_id, how))
        return True

    def _answer(self, now: datetime) -> None:
        due = [a for a in self.answers if a[0] <= now]
        self.answers = [a for a in self.answers if a[0] > now]
        for _at, officer_id, how in due:
            state = self.states.get(officer_id)
            if how == "extend" and state and state.visit:
                try:
                    with unit():
                        officer = db.session.get(Officer, officer_id)
                        appointment = db.session.get(Appointment, state.visit.appointment_id)
                        safety.extend(appointment, officer, officer.user, 30)
                    continue
                except BookingRuleError:
                    pass  # the visit was closed meanwhile: answer by text instead
            self.inbound_ids += 1
            with unit():
                officer = db.session.get(Officer, officer_id)
                inbound.handle(f"SIMOK{self.run}-{self.inbound_ids}", officer.phone, "OK")


def _next_day_start(local: datetime) -> datetime:
    """The next DAY_STARTS (today's, if it is still to come), when the officers look at their day."""
    day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
    return local_to_utc(day, DAY_STARTS)
