"""The one model of an officer's day, and the one checker: booking, availability, the optimiser and the
benchmarks all ask it whether a day can be kept, and every planned route is timed by it before it is
stored.

The rules of a day:

* The officer leaves the start base no earlier than the shift starts and is back at the end base by the
  time it ends. Travel between places comes from one travel function, (seconds, metres).
* Each visit starts inside its window (arriving early means waiting) and lasts its duration.
* A break is owed when the shift can hold it: it starts inside its window, no earlier than the shift
  starts, and ends by the time the shift ends (`owed_breaks`). It is taken between two visits - before
  setting off, on the way or while waiting at the next door - so the gap between them must hold the
  travel plus the break; never during a visit.
* With `max_working`, the time from leaving base to returning is at most that.

These are OR-Tools' break semantics (break intervals that may interrupt a transit and must fit in its
slack), so the optimiser's model and this checker agree. For a given order the check is exact: it
tries every gap for every break by dynamic programming over "breaks taken so far", keeping the earliest
time for each count (earlier is never worse: windows only have closing times to miss).

Slot search asks many questions of one day, so the day is prepared once (`DayCheck`): the earliest
departure from every stop (forward) and the latest departure that still keeps every later promise
(backward). Trying a visit at a position then costs a few steps, whatever the length of the day.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from routing.travel import road_estimate
from routing.types import Break, BreakTaken, LatLng, Matrix, Stop

Place = Hashable  # a LatLng in the app; a matrix index in the optimiser
PairTravel = Callable[[Place, Place], tuple[int, int]]  # (seconds, metres)
States = list  # earliest departure per number of breaks taken so far; None where impossible


@dataclass(frozen=True)
class DayStop:
    id: str
    location: Place
    window: tuple[int, int]  # service starts inside (inclusive)
    duration: int


@dataclass(frozen=True)
class OfficerDay:
    shift: tuple[int, int]
    start: Place
    end: Place
    stops: tuple[DayStop, ...] = ()  # in planned order
    breaks: tuple[Break, ...] = ()
    max_working: int | None = None  # seconds from leaving base to returning


@dataclass(frozen=True)
class Insertion:
    position: int  # index in the stops where the new visit goes
    arrival: int  # when its service starts in the day's timing
    added_travel: int  # seconds
    added_distance: int  # metres


@dataclass(frozen=True)
class Timing:
    """A day as the checker times it: service starts as early as the order allows, the officer leaves
    base as late as that allows, and where each break falls."""

    stops: tuple[Stop, ...]
    breaks: tuple[BreakTaken, ...]
    leave_base: int
    return_base: int
    travel: int
    distance: int


@lru_cache(maxsize=200_000)
def cached_road_estimate(a: LatLng, b: LatLng) -> tuple[int, int]:
    return road_estimate(a, b)


def matrix_travel(matrix: Matrix) -> PairTravel:
    """The travel function over matrix indices (the optimiser's places)."""
    durations, distances = matrix.durations, matrix.distances
    return lambda i, j: (durations[i][j], distances[i][j])


def pair_travel_from_matrix(points: Sequence[LatLng], durations, distances) -> PairTravel:
    """Adapt a matrix (e.g. from OSRM) to the pairwise function the checks use."""
    index = {p: i for i, p in enumerate(points)}

    def lookup(a: LatLng, b: LatLng) -> tuple[int, int]:
        i, j = index[a], index[b]
        return durations[i][j], distances[i][j]

    return lookup


def owed_breaks(shift: tuple[int, int], breaks: Sequence[Break]) -> tuple[Break, ...]:
    """The breaks this shift must hold, each narrowed to start inside the shift and end by its end.
    A break the shift cannot hold at all (a morning shift ending before lunch) is not owed."""
    owed = []
    for brk in sorted(breaks, key=lambda b: (b.earliest, b.latest)):
        earliest = max(brk.earliest, shift[0])
        latest = min(brk.latest, shift[1] - brk.duration)
        if earliest <= latest:
            owed.append(Break(earliest, latest, brk.duration))
    return tuple(owed)


class DayCheck:
    """One officer's day, prepared for many feasibility questions."""

    def __init__(self, day: OfficerDay, travel: PairTravel = cached_road_estimate):
        self.day = day
        self.travel = travel
        self.breaks = owed_breaks(day.shift, day.breaks)
        self.width = len(self.breaks) + 1
        stops = day.stops
        places = [day.start, *(s.location for s in stops), day.end]
        legs = [travel(a, b) for a, b in zip(places, places[1:], strict=False)]
        self.legs = legs  # legs[p] = from the place after p stops to the next place
        self.base_travel = sum(leg[0] for leg in legs)
        self.base_distance = sum(leg[1] for leg in legs)
        # prefix[p]: earliest departure after the first p stops, per breaks taken.
        self.prefix: list[States] = [[day.shift[0]] + [None] * len(self.breaks)]
        for p, stop in enumerate(stops):
            self.prefix.append(self._advance(self.prefix[p], legs[p][0], stop.window, stop.duration))
        # latest[p]: latest departure after the first p stops that still keeps every later promise.
        n = len(stops)
        self.entries: list[list[tuple[int, int, int]]] = [[] for _ in range(n + 1)]
        self.latest: list[States] = [[None] * self.width for _ in range(n + 1)]
        for p in range(n, -1, -1):
            self.entries[p] = self._entries(p)
            self.latest[p] = self._latest(p, legs[p][0])
        self.base_ok = self._reaches_base(self.prefix[n], legs[n][0]) is not None and self._span_ok(stops)
        if not self.base_ok:
            self.base_travel = self.base_distance = 0

    # One step forward: the gap from a place to the next visit, taking any next breaks in it -------

    def _advance(self, states: States, seconds: int, window: tuple[int, int], duration: int) -> States:
        opens, closes = window
        out: States = [None] * self.width
        for k, depart in enumerate(states):
            if depart is None:
                continue
            start = max(depart + seconds, opens)
            if start > closes:
                continue  # taking a break on the way only makes it later
            if out[k] is None or start + duration < out[k]:
                out[k] = start + duration
            cursor, spent = depart, 0
            for j in range(k, self.width - 1):
                brk = self.breaks[j]
                begins = max(cursor, brk.earliest)
                if begins > brk.latest:
                    break
                cursor = begins + brk.duration
                spent += brk.duration
                start = max(depart + seconds + spent, cursor, opens)
                if start > closes:
                    break
                if out[j + 1] is None or start + duration < out[j + 1]:
                    out[j + 1] = start + duration
        return out

    def _reaches_base(self, states: States, seconds: int) -> int | None:
        """Earliest return to base inside the shift with every break taken, or None."""
        best = None
        for k, depart in enumerate(states):
            if depart is None:
                continue
            cursor, spent, ok = depart, 0, True
            for brk in self.breaks[k:]:
                begins = max(cursor, brk.earliest)
                if begins > brk.latest:
                    ok = False
                    break
                cursor, spent = begins + brk.duration, spent + brk.duration
            back = max(depart + seconds + spent, cursor)
            if ok and back <= self.day.shift[1] and (best is None or back < best):
                best = back
        return best

    # Backward: the latest departure that still keeps every later promise -----------------------
    # entries[p] lists (k, limit, reach): leaving a place `seconds` from the next one (stop p, or the
    # base when p is the number of stops) with k breaks taken, the officer must leave by
    # min(limit, reach - seconds). Independent of where the officer comes from, so inserting a visit
    # before stop p needs only the travel from it.

    def _entries(self, p: int) -> list[tuple[int, int, int]]:
        n = len(self.day.stops)
        if p == n:
            bounds = [(self.width - 1, self.day.shift[1])]
        else:
            stop, after = self.day.stops[p], self.latest[p + 1]
            bounds = []
            for j in range(self.width):
                if after[j] is not None:
                    ends = min(stop.window[1], after[j] - stop.duration)
                    if ends >= stop.window[0]:
                        bounds.append((j, ends))
        entries = []
        for j, bound in bounds:
            for k in range(j + 1):
                gap = self._gap_latest(k, j, bound)
                if gap is not None:
                    entries.append((k, *gap))
        return entries

    def _gap_latest(self, k: int, j: int, bound: int) -> tuple[int, int] | None:
        """(limit, reach) for a gap taking breaks k..j-1 whose far end must be reached by `bound`."""
        limit, reach = bound, bound
        for brk in reversed(self.breaks[k:j]):
            limit = min(brk.latest, limit - brk.duration)
            if brk.earliest > limit:
                return None
            reach -= brk.duration
        return limit, reach

    def _latest(self, p: int, seconds: int) -> States:
        out: States = [None] * self.width
        for k, limit, reach in self.entries[p]:
            latest = min(limit, reach - seconds)
            if out[k] is None or latest > out[k]:
                out[k] = latest
        return out

    # Maximum working time (rare: checked on the whole day) --------------------------------------

    def _span_ok(self, stops: Sequence[DayStop]) -> bool:
        return self.day.max_working is None or self._time(stops) is not None

    # Questions ----------------------------------------------------------------------------------

    def best_insertion(self, location: Place, window: tuple[int, int], duration: int) -> Insertion | None:
        """The position that adds least travel, or None when the visit cannot fit anywhere."""
        best = self._cheapest(location, window, duration)
        if best is None:
            return None
        added, position, metres = best
        starts = self.schedule(position, location, window, duration)
        assert starts is not None  # the insertion test is exact
        return Insertion(position, starts[position], added, metres)

    def cheapest_insertion(
        self, location: Place, window: tuple[int, int], duration: int
    ) -> tuple[int, int] | None:
        """(added travel, position) of `best_insertion`, without timing the day (for searches that ask
        many times and keep few answers)."""
        best = self._cheapest(location, window, duration)
        return None if best is None else best[:2]

    def _cheapest(self, location: Place, window: tuple[int, int], duration: int) -> tuple | None:
        if not self.base_ok:
            return None
        stops, legs = self.day.stops, self.legs
        best = None
        for p in range(len(stops) + 1):
            before = self.prefix[p]
            if all(t is None or t > window[1] for t in before):
                break  # leaving later at later positions only gets worse once past the window
            here = self.day.start if p == 0 else stops[p - 1].location
            there = self.day.end if p == len(stops) else stops[p].location
            into = self.travel(here, location)
            out = self.travel(location, there)
            added = into[0] + out[0] - legs[p][0]
            if best is not None and added >= best[0]:
                continue
            after = self._advance(before, into[0], window, duration)
            if not any(
                after[k] is not None and after[k] <= min(limit, reach - out[0])
                for k, limit, reach in self.entries[p]
            ):
                continue
            if self.day.max_working is not None and not self._span_ok(
                _inserted(stops, p, location, window, duration)
            ):
                continue
            best = (added, p, into[1] + out[1] - legs[p][1])
        return best

    def schedule(
        self, position: int, location: Place, window: tuple[int, int], duration: int
    ) -> list[int] | None:
        """Service start times of every stop once the visit is inserted at `position` (it is included,
        at that index). Store these: they keep the day's order that the feasibility check relied on."""
        stops = _inserted(self.day.stops, position, location, window, duration)
        if self.day.max_working is not None:
            timing = self._time(stops)
            return None if timing is None else [s.start for s in timing.stops]
        timed = self._forward(stops, self.day.shift[0])
        return None if timed is None else timed[0]

    def starts(self) -> list[int] | None:
        """Service start times of the day as planned (cheaper than `timing`), or None."""
        if not self.base_ok:
            return None
        if self.day.max_working is not None:
            return [s.start for s in self._time(self.day.stops).stops]
        return self._forward(self.day.stops, self.day.shift[0])[0]

    def timing(self) -> Timing | None:
        """The day as planned, timed: None when it cannot be kept."""
        return self._time(self.day.stops) if self.base_ok else None

    # Timing with the path the dynamic programme took --------------------------------------------

    def _time(self, stops: Sequence[DayStop]) -> Timing | None:
        timed = self._forward(stops, self.day.shift[0])
        if timed is None:
            return None
        # Leave base as late as keeps every service start the same; with a maximum working time, as
        # late as keeps the day feasible (that gives the shortest span). Binary search: leaving later
        # never makes anything earlier.
        starts = timed[0]
        same = self.day.max_working is None
        low, high = self.day.shift[0], self.day.shift[0]
        if stops:
            high = starts[0] if same else stops[0].window[1]
        while low < high:
            middle = (low + high + 1) // 2
            trial = self._forward(stops, middle)
            if trial is not None and (trial[0] == starts or not same):
                low = middle
            else:
                high = middle - 1
        if low != self.day.shift[0]:
            timed = self._forward(stops, low)
        starts, arrivals, taken, back = timed
        if not same and back - low > self.day.max_working:
            return None
        places = [self.day.start, *(s.location for s in stops), self.day.end]
        legs = [self.travel(a, b) for a, b in zip(places, places[1:], strict=False)]
        result = tuple(
            Stop(s.id, arrivals[i], starts[i], starts[i] + s.duration, legs[i][0], legs[i][1])
            for i, s in enumerate(stops)
        )
        return Timing(
            result,
            taken,
            low,
            back,
            sum(leg[0] for leg in legs),
            sum(leg[1] for leg in legs),
        )

    def _forward(self, stops: Sequence[DayStop], leave: int):
        """(starts, arrivals, breaks taken, back at base) on the best path from leaving at `leave`."""
        places = [self.day.start, *(s.location for s in stops), self.day.end]
        seconds = [self.travel(a, b)[0] for a, b in zip(places, places[1:], strict=False)]
        layers: list[States] = [[leave] + [None] * (self.width - 1)]
        for p, stop in enumerate(stops):
            layers.append(self._advance(layers[p], seconds[p], stop.window, stop.duration))
        back = self._reaches_base(layers[-1], seconds[-1])
        if back is None:
            return None
        # Walk back: at each gap, the breaks-taken count we came from, re-deriving the same times.
        count = next(
            k
            for k in range(self.width)
            if layers[-1][k] is not None and self._finish_from(layers[-1][k], k, seconds[-1]) == back
        )
        counts = [count]
        for p in range(len(stops), 0, -1):
            target = layers[p][counts[-1]]
            counts.append(
                next(
                    k
                    for k in range(counts[-1] + 1)
                    if layers[p - 1][k] is not None
                    and self._gap(layers[p - 1][k], seconds[p - 1], k, counts[-1], stops[p - 1]) == target
                )
            )
        counts.reverse()  # counts[p] = breaks taken before leaving the place after p stops
        starts, arrivals, taken = [], [], []
        for p, stop in enumerate(stops):
            depart = layers[p][counts[p]]
            arrive = self._through(depart, seconds[p], counts[p], counts[p + 1], p, taken)
            arrivals.append(arrive)
            starts.append(layers[p + 1][counts[p + 1]] - stop.duration)
        self._through(layers[-1][counts[-1]], seconds[-1], counts[-1], self.width - 1, len(stops), taken)
        return starts, arrivals, tuple(taken), back

    def _gap(self, depart: int, seconds: int, k: int, j: int, stop: DayStop) -> int | None:
        """Departure from `stop` having left the previous place at `depart` with breaks k..j-1 between."""
        arrive = self._through(depart, seconds, k, j, 0, None)
        if arrive is None:
            return None
        start = max(arrive, stop.window[0])
        return start + stop.duration if start <= stop.window[1] else None

    def _finish_from(self, depart: int, k: int, seconds: int) -> int | None:
        back = self._through(depart, seconds, k, self.width - 1, 0, None)
        return back if back is not None and back <= self.day.shift[1] else None

    def _through(
        self, depart: int, seconds: int, k: int, j: int, after: int, taken: list | None
    ) -> int | None:
        """Arrival at the far end of a gap, taking breaks k..j-1 as early as they may start."""
        cursor, spent = depart, 0
        for brk in self.breaks[k:j]:
            begins = max(cursor, brk.earliest)
            if begins > brk.latest:
                return None
            if taken is not None:
                taken.append(BreakTaken(begins, brk.duration, after))
            cursor, spent = begins + brk.duration, spent + brk.duration
        return max(depart + seconds + spent, cursor)


def _inserted(stops: Sequence[DayStop], position: int, location: Place, window, duration) -> list[DayStop]:
    new = DayStop("", location, window, duration)
    return [*stops[:position], new, *stops[position:]]


def fits(
    day: OfficerDay,
    location: Place,
    window: tuple[int, int],
    duration: int,
    travel: PairTravel = cached_road_estimate,
) -> Insertion | None:
    """One-off question; use DayCheck directly to ask many."""
    return DayCheck(day, travel).best_insertion(location, window, duration)
