"""What the simulation saw happen, for the counters: the promises residents were given, the help
presses, the first free day each search offered, and what each plan did to the officers' days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Promise:
    """What the resident was told: the window and the officers (ids) named to them."""

    window_start: datetime
    window_end: datetime
    officer_ids: frozenset[int]


@dataclass
class Record:
    first_message_id: int = 0  # outbox rows from this id on were written during the run
    booked: set[int] = field(default_factory=set)  # appointments booked during the run
    promises: dict[int, Promise] = field(default_factory=dict)  # appointment id -> the latest promise
    help_presses: list[tuple[int, datetime]] = field(default_factory=list)  # officer id, when
    days_to_first_slot: list[int] = field(default_factory=list)
    failing_check: set[tuple[int, str]] = field(default_factory=set)  # (officer id, ISO day)
    without_slots: set[tuple[int, str]] = field(default_factory=set)
    overdue: set[str] = field(default_factory=set)  # sessions/visits the ladder was not chasing
    metres_as_booked: int = 0
    metres_planned: int = 0
    job_failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what happened, for the person running it

    def promise(self, appointment) -> None:
        officers = {appointment.officer_id, appointment.second_officer_id} - {None}
        self.promises[appointment.id] = Promise(
            appointment.window_start, appointment.window_end, frozenset(officers)
        )
