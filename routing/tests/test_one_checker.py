"""The one checker against a plain reference, on random days (hypothesis), and on the case where the
former greedy lunch rule and the optimiser disagreed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.feasibility import DayCheck, DayStop, OfficerDay, owed_breaks
from routing.tests.helpers import H, M, at, line_travel
from routing.types import Break

SHIFT = (8 * H + 30 * M, 17 * H)
LUNCH = Break(12 * H + 30 * M, 13 * H + 30 * M, 30 * M)


def reference_ok(day: OfficerDay) -> bool:
    """Independent and slow: one owed break at most, tried in every gap, visits as early as possible."""
    breaks = owed_breaks(day.shift, day.breaks)
    assert len(breaks) <= 1
    places = [day.start, *(s.location for s in day.stops), day.end]
    gaps = range(len(day.stops) + 1) if breaks else [None]
    for gap in gaps:
        now, ok = day.shift[0], True
        for g, stop in enumerate([*day.stops, None]):
            seconds = line_travel(places[g], places[g + 1])[0]
            ready = now + seconds
            if g == gap:
                brk = breaks[0]
                begins = max(now, brk.earliest)
                ok = ok and begins <= brk.latest
                ready = max(ready + brk.duration, begins + brk.duration)
            if stop is None:
                ok = ok and ready <= day.shift[1]
                break
            start = max(ready, stop.window[0])
            ok = ok and start <= stop.window[1]
            now = start + stop.duration
        if ok:
            return True
    return False


stops = st.lists(
    st.builds(
        lambda km, opens, width, minutes: DayStop("", at(km), (opens, opens + width), minutes * M),
        st.integers(0, 40),
        st.integers(8 * H, 16 * H),
        st.sampled_from([0, 30 * M, H, 2 * H]),
        st.sampled_from([15, 30, 45, 60, 90]),
    ),
    max_size=7,
)


def named(found):
    return tuple(DayStop(f"s{i}", s.location, s.window, s.duration) for i, s in enumerate(found))


@settings(max_examples=400, deadline=None)
@given(stops, st.booleans())
def test_checker_agrees_with_the_reference_on_random_days(found, lunch):
    day = OfficerDay(SHIFT, at(0), at(0), named(found), (LUNCH,) if lunch else ())
    check = DayCheck(day, line_travel)
    assert check.base_ok == reference_ok(day)
    timing = check.timing()
    assert (timing is not None) == check.base_ok
    if timing is not None:
        # The timing it gives is itself a schedule the rules allow.
        assert SHIFT[0] <= timing.leave_base and timing.return_base <= SHIFT[1]
        for stop, timed in zip(day.stops, timing.stops, strict=True):
            assert stop.window[0] <= timed.start <= stop.window[1] and timed.arrival <= timed.start
        assert len(timing.breaks) == (1 if lunch else 0)
        for brk in timing.breaks:
            assert LUNCH.earliest <= brk.start <= LUNCH.latest
            before = timing.stops[brk.after - 1].departure if brk.after else timing.leave_base
            after = timing.stops[brk.after].start if brk.after < len(timing.stops) else timing.return_base
            assert before <= brk.start and brk.start + brk.duration <= after


@settings(max_examples=300, deadline=None)
@given(stops, st.integers(0, 40), st.integers(8 * H, 16 * H), st.sampled_from([30 * M, 2 * H]))
def test_insertion_agrees_with_checking_every_position(found, km, opens, width):
    day = OfficerDay(SHIFT, at(0), at(0), named(found), (LUNCH,))
    check = DayCheck(day, line_travel)
    window = (opens, opens + width)
    answer = check.best_insertion(at(km), window, 30 * M)
    feasible = []
    for p in range(len(day.stops) + 1):
        trial = (*day.stops[:p], DayStop("new", at(km), window, 30 * M), *day.stops[p:])
        other = DayCheck(OfficerDay(SHIFT, at(0), at(0), trial, (LUNCH,)), line_travel)
        if other.base_ok:
            feasible.append((other.base_travel - check.base_travel, p))
    if not check.base_ok or not feasible:
        assert answer is None
        return
    assert (answer.added_travel, answer.position) == min(feasible)
    starts = check.schedule(answer.position, at(km), window, 30 * M)
    assert starts[answer.position] == answer.arrival and window[0] <= answer.arrival <= window[1]


def test_the_case_where_greedy_lunch_refused_a_route_the_optimiser_kept():
    """The pattern behind the 3 of 120 optimiser routes the former rule refused: a visit ends exactly at
    lunch's latest start, so lunch "can still come after it" - taking lunch as late as possible (the
    former greedy rule) then makes the officer miss the last window. Lunch before that visit, delaying
    it inside its window, keeps every promise; the one checker tries every gap and finds it."""
    lunch = Break(12 * H + 30 * M, 13 * H + 30 * M, 30 * M)
    stops = (
        DayStop("a", at(10), (12 * H, 12 * H), 30 * M),  # 12:00-12:30
        DayStop("b", at(15), (13 * H, 13 * H + 30 * M), 30 * M),  # 13:00-13:30 if lunch waits
        DayStop("c", at(25), (13 * H, 14 * H + 5 * M), 30 * M),  # must start by 14:05
    )
    day = OfficerDay(SHIFT, at(0), at(0), stops, (lunch,))
    assert _former_greedy_rule(day) is False  # lunch 13:30-14:00, then at c at 14:10: too late
    timing = DayCheck(day, line_travel).timing()
    assert timing is not None
    assert [(b.after, b.start) for b in timing.breaks] == [(1, 12 * H + 30 * M)]  # lunch after a
    assert [s.start for s in timing.stops] == [12 * H, 13 * H + 5 * M, 13 * H + 45 * M]


def _former_greedy_rule(day: OfficerDay) -> bool:
    """routing/feasibility.py before the one checker: lunch as late as the next visit allows."""
    now, here, breaks = day.shift[0], day.start, list(day.breaks)
    for stop in day.stops:
        depart = now
        arrive = depart + line_travel(here, stop.location)[0]
        start = max(arrive, stop.window[0])
        while breaks:
            brk = breaks[0]
            break_at = max(arrive, brk.earliest)
            if break_at <= brk.latest and break_at + brk.duration <= start:
                breaks.pop(0)
                continue
            if start + stop.duration <= brk.latest and start <= brk.latest:
                break
            break_at = max(depart, brk.earliest)
            if break_at > brk.latest:
                return False
            breaks.pop(0)
            arrive = max(arrive, break_at) + brk.duration
            start = max(arrive, stop.window[0])
        if start > stop.window[1]:
            return False
        now, here = start + stop.duration, stop.location
    return now + line_travel(here, day.end)[0] <= day.shift[1]
