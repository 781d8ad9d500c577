"""Supervisors: one officer phones in sick and the supervisor records it, previews the re-plan and
publishes it; they work the call list (a new time for each resident, or a cancellation, by phone)
and answer safety alerts from the dashboard."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.appointments.queries import active_on_day
from app.booking import call_list
from app.booking.availability import search
from app.booking.changes import cancel, reschedule
from app.booking.errors import BookingRuleError, SlotUnavailable
from app.config import settings
from app.extensions import db
from app.models import CallListEntry, Officer, ReplanProposal, User
from app.officers.officers import add_absence
from app.officers.workdays import working_day
from app.places.places import Place, nearest_area_id
from app.planning import planning
from app.safety import safety
from app.simulation import planwatch
from app.simulation.record import Record
from app.simulation.work import context
from app.timeutil import is_working_day, local_to_utc, to_local, utcnow
from app.unit_of_work import unit_of_work

SICK_CALL = time(7, 30)  # when the sick officer phones in
PUBLISH_AFTER = timedelta(minutes=5)  # the supervisor reads the preview, then publishes
CALLS_FROM, CALLS_UNTIL = time(7, 30), time(18, 0)
EVERY = timedelta(minutes=5)  # how often the dashboard and call list are looked at


class Supervisors:
    def __init__(self, rng: random.Random, record: Record, supervisor_id: int, sick_day: date | None):
        self.rng, self.record, self.supervisor_id, self.sick_day = rng, record, supervisor_id, sick_day
        self.proposal: tuple[int, datetime] | None = None  # previewed, to publish at
        self.next_look: datetime | None = None

    def act(self, now: datetime) -> bool:
        """What the supervisor does by now; True if it may have changed anyone's visits."""
        local, changed = to_local(now), False
        if self.sick_day == local.date() and local.time() >= SICK_CALL:
            self.sick_day, changed = None, True
            with context():
                self._sickness(local.date())
        if self.proposal is not None and now >= self.proposal[1]:
            changed = True
            with context():
                self._publish()
        if self.next_look is None or now >= self.next_look:
            self.next_look = now + EVERY
            with context():
                self._alerts()
            if _calling(local):
                with context():
                    changed |= self._call_list()
        return changed

    def next_at(self, now: datetime) -> datetime | None:
        """The next moment the supervisor has something to do: the sick call, publishing the re-plan,
        or the next look at the dashboard or the call list while either has something open."""
        times = [self.proposal[1] if self.proposal else None]
        if self.sick_day is not None:
            times.append(local_to_utc(self.sick_day, SICK_CALL))
        look = self.next_look or now
        with context():
            if safety.open_alerts():
                times.append(look)
            if call_list.open_entries():
                times.append(max(look, _next_calling(to_local(now))))
        return min((t for t in times if t is not None), default=None)

    def _user(self) -> User:
        return db.session.get(User, self.supervisor_id)

    # Sickness and its re-plan ------------------------------------------------------------------

    def _sickness(self, day: date) -> None:
        officers = list(db.session.scalars(select(Officer).where(Officer.active).order_by(Officer.id)))
        visits = {o.id: len(active_on_day(day, [o.id])) for o in officers if working_day(o, day) is not None}
        busy = sorted((o for o in officers if visits.get(o.id)), key=lambda o: (-visits[o.id], o.id))
        if not busy:
            self.record.notes.append(f"nobody with visits to fall sick on {day}")
            return
        sick = busy[0] if len(busy) < 3 else self.rng.choice(busy[:3])  # one of the busiest
        with unit_of_work():
            add_absence(sick, "sickness", day, day, note="Phoned in sick (simulated)")
        self.record.notes.append(f"{sick.name} (officer {sick.id}) off sick on {day}")
        self._preview(sick.id, day)

    def _preview(self, officer_id: int, day: date) -> None:
        officer = db.session.get(Officer, officer_id)
        seconds = settings().replan_seconds
        with unit_of_work():
            proposal = planning.preview_absence(officer, day, time_limit=seconds, user=self._user())
        self.proposal = (proposal.id, utcnow() + PUBLISH_AFTER)

    def _publish(self) -> None:
        proposal = db.session.get(ReplanProposal, self.proposal[0])
        officer_id, day = proposal.officer_id, proposal.day
        self.proposal = None
        before = planwatch.officer_days(day)
        try:
            with unit_of_work():
                summary = planning.publish_replan(proposal, user=self._user())
        except planning.PlanChanged:
            self.record.notes.append("the re-plan changed before publishing: previewed again")
            self._preview(officer_id, day)
            return
        planwatch.compare(self.record, day, before, planwatch.officer_days(day))
        self.record.notes.append(
            f"re-plan published: {len(summary.moved)} visits moved, "
            f"{len(summary.unassigned)} to the call list"
        )

    # The dashboard and the call list -----------------------------------------------------------

    def _alerts(self) -> None:
        with unit_of_work():
            for alert in safety.open_alerts():
                safety.acknowledge(alert, self._user(), "Phoned the officer (simulated)")

    def _call_list(self) -> bool:
        """Phone each resident on the list: a new time if there is one, else cancel; either way they
        hear it from us. True if there was anyone to phone."""
        entries = [e.id for e in call_list.open_entries()]
        for entry_id in entries:
            try:
                with unit_of_work():
                    self._call(db.session.get(CallListEntry, entry_id), new_time=True)
            except (SlotUnavailable, BookingRuleError):
                with unit_of_work():  # no new time could be given: the call is still made
                    self._call(db.session.get(CallListEntry, entry_id), new_time=False)
        return bool(entries)

    def _call(self, entry, new_time: bool) -> None:
        user, appointment = self._user(), entry.appointment
        if entry.source == "officer_change":
            self.record.promise(appointment)  # told on the phone who will come instead
        elif new_time and appointment.is_active and appointment.window_end > utcnow():
            self._new_time(appointment, user)
        call_list.close(entry, user, "Phoned the resident (simulated)")

    def _new_time(self, appointment, user: User) -> None:
        place = Place(
            appointment.location_type,
            appointment.lat,
            appointment.lng,
            appointment.hub.area_id
            if appointment.hub
            else (nearest_area_id(appointment.lat, appointment.lng) or 0),
            hub=appointment.hub,
        )
        found = search(
            appointment.service, place, to_local(utcnow()).date(), 14, exclude_appointment=appointment.id
        )
        if found.slots:
            reschedule(appointment, found.slots[0].token, actor=user, channel="phone")
        else:
            cancel(
                appointment, "We could not keep this visit; phoned the resident", actor=user, channel="phone"
            )
        self.record.promise(appointment)


def _calling(local: datetime) -> bool:
    return is_working_day(local.date()) and CALLS_FROM <= local.time() < CALLS_UNTIL


def _next_calling(local: datetime) -> datetime:
    """Now, if the call list is being worked; else the next CALLS_FROM (on a working day)."""
    if _calling(local):
        return local
    day = local.date() if local.time() < CALLS_FROM else local.date() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return local_to_utc(day, CALLS_FROM)
