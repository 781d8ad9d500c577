"""Frozen input and output types. Times are whole seconds from local midnight; distances whole metres."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

LatLng = tuple[float, float]


@dataclass(frozen=True)
class Matrix:
    """Travel durations (s) and distances (m) between every pair of points, row = from."""

    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]

    def __len__(self) -> int:
        return len(self.durations)


@dataclass(frozen=True)
class Break:
    """A break of `duration` seconds that must start between `earliest` and `latest`."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True)
class Visit:
    id: str
    location: int  # index into the problem's matrix
    window: tuple[int, int]  # arrival must fall inside (inclusive)
    duration: int
    skills: frozenset[str] = frozenset()
    officers_needed: int = 1  # 2 = two officers arriving together
    demand: int = 0
    allowed_officers: frozenset[str] | None = None  # None = any officer with the skills
    # How much leaving it out weighs, per officer it needs, in visits of priority 1 (routing.plans.weight):
    # a visit of priority p is left out only to serve more than p others of priority 1 (e.g. a visit
    # already promised to its officer, kept over one being re-homed after an absence).
    priority: int = 1


@dataclass(frozen=True)
class Officer:
    id: str
    start: int  # matrix index of the base the day starts from
    end: int
    shift: tuple[int, int]
    skills: frozenset[str] = frozenset()
    breaks: tuple[Break, ...] = ()
    max_working: int | None = None  # seconds from leaving base to returning
    capacity: int | None = None


@dataclass(frozen=True)
class Problem:
    matrix: Matrix
    officers: tuple[Officer, ...]
    visits: tuple[Visit, ...]


@dataclass(frozen=True)
class Stop:
    visit_id: str
    arrival: int
    start: int  # service starts (after any wait)
    departure: int
    travel: int  # seconds from the previous place
    distance: int  # metres from the previous place


@dataclass(frozen=True)
class BreakTaken:
    """Where a break falls: it starts at `start`, after the first `after` visits of the day (0 = before
    the first visit, len(stops) = after the last one, on the way back or at base)."""

    start: int
    duration: int
    after: int


@dataclass(frozen=True)
class Route:
    officer_id: str
    stops: tuple[Stop, ...]
    leave_base: int
    return_base: int
    travel: int
    distance: int
    breaks: tuple[BreakTaken, ...] = ()

    @property
    def visit_ids(self) -> list[str]:
        return [s.visit_id for s in self.stops]


@dataclass(frozen=True)
class Objective:
    """What the planner minimises, part by part (the same weights as the solver's model)."""

    travel: int = 0  # TRAVEL_COST per second of travel
    unassigned: int = 0  # routing.plans.penalty of each visit left out
    balance: int = 0  # BALANCE_COST per second of the longest working day (travel and visits)

    @property
    def total(self) -> int:
        return self.travel + self.unassigned + self.balance


@dataclass(frozen=True)
class Plan:
    """Routes checked and timed by routing.feasibility; every visit left out has a reason."""

    routes: tuple[Route, ...]
    unassigned: tuple[str, ...]
    status: str  # "solved" | "partial" | "no_solution"
    solve_seconds: float
    objective: Objective = Objective()
    reasons: Mapping[str, str] = field(default_factory=dict)  # unassigned visit id -> reason code
    notes: tuple[str, ...] = field(default=())

    @property
    def travel(self) -> int:
        return sum(r.travel for r in self.routes)

    @property
    def distance(self) -> int:
        return sum(r.distance for r in self.routes)

    def route_for(self, officer_id: str) -> Route | None:
        return next((r for r in self.routes if r.officer_id == officer_id), None)
