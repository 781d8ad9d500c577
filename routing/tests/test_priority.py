"""A visit's priority (routing.plans.weight): every search leaves out what weighs least. The absence
re-plan gives a colleague's own, promised visits a far higher priority than the absent officer's visits
it re-homes, so no search trades a promise for a re-homed visit, not even for two of them."""

from __future__ import annotations

import time

import pytest

import routing
from routing.model import DayModel
from routing.plans import PROMISED, UNASSIGNED_PENALTY, build_plan, check_plan, penalty
from routing.recreate import improve
from routing.seed import relaxed_seed
from routing.tests.helpers import H, M, line_matrix
from routing.types import Officer, Problem, Visit

SHIFT = (8 * H, 17 * H)
FREE = ["near-1", "near-2"]  # both fit the day, but only without the promised visit


def _day(priority: int) -> Problem:
    """One officer; their own visit at 10am for 90 minutes, 3 km off, and two others 1 km off at 10am
    and 10:45 that fit only if the officer's own visit is left out. On travel and on visits served alone,
    the two nearer visits win."""
    matrix = line_matrix([0, 1, 3])
    own = Visit("own", 2, (10 * H, 10 * H), 90 * M, allowed_officers=frozenset({"a"}), priority=priority)
    near = [
        Visit("near-1", 1, (10 * H, 10 * H), 30 * M),
        Visit("near-2", 1, (10 * H + 45 * M, 10 * H + 45 * M), 30 * M),
    ]
    return Problem(matrix, (Officer("a", 0, 0, SHIFT),), (own, *near))


def _planner(problem: Problem) -> list[str]:
    result = routing.plan(problem, 1.0)
    assert check_plan(problem, result) == []
    return result.route_for("a").visit_ids


def _pyvrp(problem: Problem) -> list[str]:
    return relaxed_seed(problem, 0.3)["a"]


def _ortools(problem: Problem) -> list[str]:
    orders, _times = DayModel(problem).search(0.5)
    return orders["a"]


def _ruin_and_recreate(problem: Problem) -> list[str]:
    return improve(problem, {"a": FREE}, {}, time.monotonic() + 0.3)["a"]


def _repair(problem: Problem) -> list[str]:
    """The checker's repair of a day holding all three: it drops what weighs least."""
    return build_plan(problem, {"a": ["near-1", "own", "near-2"]}).route_for("a").visit_ids


@pytest.mark.parametrize("search", [_planner, _pyvrp, _ortools, _ruin_and_recreate, _repair])
def test_a_promised_visit_is_never_dropped_to_fit_others_that_weigh_less(search):
    assert search(_day(PROMISED)) == ["own"]


@pytest.mark.parametrize("search", [_planner, _pyvrp, _ortools, _ruin_and_recreate, _repair])
def test_at_equal_priority_the_same_search_serves_the_two_nearer_visits(search):
    """The control: without the priority each search would drop the promised visit."""
    assert search(_day(1)) == FREE


def test_the_objective_counts_a_visit_left_out_at_its_weight():
    problem = _day(PROMISED)
    result = build_plan(problem, {"a": FREE})
    assert result.unassigned == ("own",)
    assert result.objective.unassigned == penalty(problem.visits[0]) == PROMISED * UNASSIGNED_PENALTY
    kept = build_plan(problem, {"a": ["own"]})
    assert kept.objective.unassigned == 2 * UNASSIGNED_PENALTY < result.objective.unassigned


def test_a_two_officer_visit_weighs_for_each_officer_it_needs():
    pair = Visit("pair", 1, (10 * H, 11 * H), 30 * M, officers_needed=2, priority=3)
    assert penalty(pair) == 2 * 3 * UNASSIGNED_PENALTY
