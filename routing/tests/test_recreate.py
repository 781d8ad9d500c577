"""Ruin and recreate over the checker (routing.recreate): it finds what a crossed assignment wastes, and
never breaks a promise or serves fewer visits than it started with."""

from __future__ import annotations

import time

from routing.plans import build_plan, check_plan
from routing.recreate import improve
from routing.tests.helpers import H, M, line_matrix
from routing.tests.test_plans import LUNCH, SHIFT, county_day
from routing.types import Officer, Problem, Visit


def test_two_officers_given_each_others_visits_end_with_their_own():
    # Places on a line (one minute a unit): a's base at 0, b's at 10; two visits near each base.
    matrix = line_matrix([0, 10, 1, 2, 9, 11])
    officers = (
        Officer("a", 0, 0, SHIFT, breaks=(LUNCH,)),
        Officer("b", 1, 1, SHIFT, breaks=(LUNCH,)),
    )
    visits = tuple(
        Visit(name, place, (9 * H, 16 * H), 30 * M)
        for name, place in (("1", 2), ("2", 3), ("9", 4), ("11", 5))
    )
    problem = Problem(matrix, officers, visits)
    crossed = {"a": ["9", "11"], "b": ["1", "2"]}
    assert build_plan(problem, crossed).travel == 40 * M

    orders = improve(problem, crossed, {}, time.monotonic() + 2.0)

    result = build_plan(problem, orders)
    assert sorted(orders["a"]) == ["1", "2"] and sorted(orders["b"]) == ["11", "9"]
    assert result.travel == 8 * M
    assert check_plan(problem, result) == [] and all(len(r.breaks) == 1 for r in result.routes)


def test_never_breaks_a_promise_nor_serves_fewer_and_pairs_stay_put():
    for seed in range(4):
        problem = county_day(seed, 4, 28, pairs=0.15)
        start = build_plan(
            problem, {o.id: [v.id for v in problem.visits[i::4]] for i, o in enumerate(problem.officers)}
        )
        times = {s.visit_id: s.start for r in start.routes for s in r.stops if s.visit_id in _pairs(problem)}

        orders = improve(
            problem, {r.officer_id: r.visit_ids for r in start.routes}, times, time.monotonic() + 0.3
        )

        result = build_plan(problem, orders, times)
        assert check_plan(problem, result) == []
        assert len(result.unassigned) <= len(start.unassigned)
        assert result.objective.travel <= start.objective.travel or len(result.unassigned) < len(
            start.unassigned
        )
        for visit_id, at in times.items():  # two-officer visits where they were, at the agreed time
            assert [s.start for r in result.routes for s in r.stops if s.visit_id == visit_id] == [at, at]


def _pairs(problem: Problem) -> set[str]:
    return {v.id for v in problem.visits if v.officers_needed == 2}


def test_a_day_with_no_travel_at_all_is_left_as_it_is():
    """Every visit at the officers' base (the re-plan bench found this: the search's temperature is a
    share of the mean leg, which was 0)."""
    matrix = line_matrix([0])
    officers = (Officer("a", 0, 0, SHIFT), Officer("b", 0, 0, SHIFT))
    visits = tuple(Visit(f"v{i}", 0, (9 * H, 16 * H), 30 * M) for i in range(4))
    problem = Problem(matrix, officers, visits)
    orders = improve(problem, {"a": ["v0", "v1"], "b": ["v2", "v3"]}, {}, time.monotonic() + 0.2)
    assert sorted(v for ids in orders.values() for v in ids) == ["v0", "v1", "v2", "v3"]
