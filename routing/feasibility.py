"""Can one more visit fit into an officer's day without breaking any promise?

Used by slot search, so it must be fast: the officer's day is prepared once (`DayCheck`), then each
candidate is tried at every position in the planned order. A position is accepted only if every
visit after it still starts inside its promised window, the break still fits, and the officer is back
at base by the end of the shift.

Breaks are taken greedily as late as the next visit allows: inside waiting time when a wait is long
enough, otherwise on the way to the visit that would push the break past its latest start (the same
rule as the optimiser's break model). An accepted insertion is always truly feasible; the greedy rule
can, rarely, refuse a day a cleverer break placement would allow (it never promises what cannot be
kept).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from routing.travel import road_estimate
from routing.types import Break, LatLng

PairTravel = Callable[[LatLng, LatLng], tuple[int, int]]  # (seconds, metres)


@dataclass(frozen=True)
class DayStop:
    id: str
    location: LatLng
    window: tuple[int, int]
    duration: int


@dataclass(frozen=True)
class OfficerDay:
    shift: tuple[int, int]
    start: LatLng
    end: LatLng
    stops: tuple[DayStop, ...] = ()  # in planned order
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True)
class Insertion:
    position: int  # index in the stops where the new visit goes
    arrival: int  # earliest arrival the officer can manage
    added_travel: int  # seconds
    added_distance: int  # metres


@lru_cache(maxsize=200_000)
def cached_road_estimate(a: LatLng, b: LatLng) -> tuple[int, int]:
    return road_estimate(a, b)


@dataclass
class _State:
    time: int
    location: LatLng
    breaks_left: tuple[Break, ...]
    travel: int
    distance: int


class DayCheck:
    """One officer's day, prepared for many feasibility questions."""

    def __init__(self, day: OfficerDay, travel: PairTravel = cached_road_estimate):
        self.day = day
        self.travel = travel
        self.prefix: list[_State] = [
            _State(day.shift[0], day.start, tuple(sorted(day.breaks, key=lambda b: b.earliest)), 0, 0)
        ]
        ok = True
        for stop in day.stops:
            state = self._visit(self.prefix[-1], stop.location, stop.window, stop.duration) if ok else None
            if state is None:
                ok = False
                break
            self.prefix.append(state)
        self.base_ok = ok and self._finish(self.prefix[-1]) is not None
        self.base_travel, self.base_distance = self._finish(self.prefix[-1]) if self.base_ok else (0, 0)

    def _visit(self, state: _State, where: LatLng, window: tuple[int, int], duration: int) -> _State | None:
        seconds, metres = self.travel(state.location, where)
        depart, breaks = state.time, state.breaks_left
        arrive = depart + seconds
        start = max(arrive, window[0])
        while breaks:
            brk = breaks[0]
            break_at = max(arrive, brk.earliest)
            if break_at <= brk.latest and break_at + brk.duration <= start:
                breaks = breaks[1:]  # taken while waiting for the window to open
                continue
            if start + duration <= brk.latest and start <= brk.latest:
                break  # the break can still come after this visit
            break_at = max(depart, brk.earliest)
            if break_at > brk.latest:
                return None
            # Taken before setting off or on the way (the officer stops for lunch): either way the
            # journey takes the break's length longer.
            breaks = breaks[1:]
            arrive = max(depart + seconds, break_at) + brk.duration
            start = max(arrive, window[0])
        if start > window[1]:
            return None
        return _State(start + duration, where, breaks, state.travel + seconds, state.distance + metres)

    def _finish(self, state: _State) -> tuple[int, int] | None:
        """Back to base inside the shift, taking any break still owed. -> (travel, distance)."""
        seconds, metres = self.travel(state.location, self.day.end)
        back = state.time + seconds
        for brk in state.breaks_left:
            if brk.earliest >= self.day.shift[1]:
                continue  # the shift ends before this break would start
            break_at = max(state.time, brk.earliest)
            if break_at > brk.latest:
                return None
            back = max(back, break_at) + brk.duration  # on the way back, or at base
        if back > self.day.shift[1]:
            return None
        return state.travel + seconds, state.distance + metres

    def best_insertion(self, location: LatLng, window: tuple[int, int], duration: int) -> Insertion | None:
        """The position that adds least travel, or None when the visit cannot fit anywhere."""
        if not self.base_ok:
            return None
        stops = self.day.stops
        best: Insertion | None = None
        for position in range(len(stops) + 1):
            state = self._visit(self.prefix[position], location, window, duration)
            if state is None:
                # Arriving later at later positions only gets worse once past the window.
                if self.prefix[position].time > window[1]:
                    break
                continue
            arrival = state.time - duration
            for stop in stops[position:]:
                state = self._visit(state, stop.location, stop.window, stop.duration)
                if state is None:
                    break
            if state is None:
                continue
            totals = self._finish(state)
            if totals is None:
                continue
            added = Insertion(position, arrival, totals[0] - self.base_travel, totals[1] - self.base_distance)
            if best is None or added.added_travel < best.added_travel:
                best = added
        return best

    def schedule(
        self, position: int, location: LatLng, window: tuple[int, int], duration: int
    ) -> list[int] | None:
        """Service start times of every stop once the visit is inserted at `position` (it is included,
        at that index). Store these: they keep the day's order that the feasibility check relied on."""
        stops = self.day.stops
        starts = [self.prefix[i + 1].time - stops[i].duration for i in range(position)]
        state = self._visit(self.prefix[position], location, window, duration)
        if state is None:
            return None
        starts.append(state.time - duration)
        for stop in stops[position:]:
            state = self._visit(state, stop.location, stop.window, stop.duration)
            if state is None:
                return None
            starts.append(state.time - stop.duration)
        return starts if self._finish(state) is not None else None


def fits(
    day: OfficerDay,
    location: LatLng,
    window: tuple[int, int],
    duration: int,
    travel: PairTravel = cached_road_estimate,
) -> Insertion | None:
    """One-off question; use DayCheck directly to ask many."""
    return DayCheck(day, travel).best_insertion(location, window, duration)


def pair_travel_from_matrix(points: Sequence[LatLng], durations, distances) -> PairTravel:
    """Adapt a matrix (e.g. from OSRM) to the pairwise function the checks use."""
    index = {p: i for i, p in enumerate(points)}

    def lookup(a: LatLng, b: LatLng) -> tuple[int, int]:
        i, j = index[a], index[b]
        return durations[i][j], distances[i][j]

    return lookup
