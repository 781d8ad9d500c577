"""The planner: one function, used by the app (nightly plan, absence re-plan) and by every benchmark.

Within the time budget:

1. PyVRP's iterated local search plans the relaxed day (routing.seed): most of the route quality.
2. The one checker times that proposal and repairs what the relaxation got wrong (breaks, pairs arriving
   together): routing.plans.build_plan. If nothing needed repair, PyVRP searches a second round from
   its answer (the relaxation is exact for that day, and its search is the stronger one).
3. If a two-officer visit is still left out, OR-Tools on the full model (routing.model, which makes two
   officers arrive together) improves from the best so far: PyVRP relaxes pairs and step 4 keeps them
   where they are.
4. Ruin and recreate over the checker (routing.recreate) from the best so far, for the rest of the
   budget: exact with breaks, so it recovers the travel the repair of step 2 cost.

When the relaxation is exact by construction (no breaks owed, no two-officer visits: e.g. Solomon),
PyVRP has the whole budget in one round, and nothing follows when the checker keeps its answer as
proposed (OR-Tools improved no such seed, 0 of 56 Solomon instances; on a CPU-starved machine every
second elsewhere is a second less for the search that pays).

The answer is the best of these by the objective, so it is never worse than `initial`. Large days are
split into areas first (routing.areas), each planned this way with its share of the budget.
Which lever bought what is measured in bench/README.md.
"""

from __future__ import annotations

import time as clock
from collections.abc import Mapping, Sequence
from dataclasses import replace

from routing.areas import AREA_VISITS, split
from routing.feasibility import owed_breaks
from routing.model import DayModel
from routing.plans import build_plan, needs
from routing.recreate import improve
from routing.seed import relaxed_seed
from routing.types import Plan, Problem

FIRST_ROUND = 0.45  # of the budget for PyVRP's first round
SECOND_ROUND_UNTIL = 0.85  # of the budget: where a second round stops, when there is one
PAIRS_SHARE = 0.7  # of the time left, for OR-Tools when two-officer visits are left out
FINISHING = 0.05  # of the budget kept for the checker to time the last answer
EXACT_FINISHING = 0.03  # of the budget kept for timing PyVRP's answer when the relaxation is exact
AREA_FINISHING = 0.12  # of a large day's budget kept for timing the whole day at the end


def plan(
    problem: Problem,
    time_limit: float = 5.0,
    initial: Mapping[str, Sequence[str]] | None = None,
    agreed: Mapping[str, int] | None = None,
    seed: int = 1,
) -> Plan:
    """Plan every officer's day within about `time_limit` seconds. `initial` (visit ids per officer id,
    e.g. the day as booked) is a warm start and a floor: the plan is never worse than it. `agreed` gives
    the arrival time booked for two-officer visits in `initial`. `seed` drives the searches' random
    choices (the app keeps 1; benchmarks vary it to show the spread)."""
    started = clock.monotonic()
    deadline = started + time_limit
    if not problem.officers or not problem.visits:
        return build_plan(problem, {}, started=started)
    areas = split(problem, initial)
    if len(areas) > 1:
        return _plan_by_area(problem, areas, deadline, initial, agreed, started, seed)
    candidates: list[tuple[str, Plan]] = []
    if initial:
        candidates.append(("as given", build_plan(problem, initial, agreed)))
    exact = relaxation_is_exact(problem)
    first = (
        (deadline - clock.monotonic() - EXACT_FINISHING * time_limit) if exact else FIRST_ROUND * time_limit
    )
    proposal = relaxed_seed(problem, first, initial, seed=seed)
    seeded = build_plan(problem, proposal)
    kept_as_proposed = _as_proposed(seeded, proposal)
    if kept_as_proposed and not exact:
        # The relaxation was exact here (no break or pair in the way): PyVRP's search is the stronger,
        # so it carries on from where it stopped; ruin and recreate has the rest.
        second = started + SECOND_ROUND_UNTIL * time_limit - clock.monotonic()
        proposal = relaxed_seed(problem, second, _orders(seeded), seed=seed)
        seeded = build_plan(problem, proposal)
    candidates.append(("PyVRP seed", seeded))
    name, best = min(candidates, key=lambda c: c[1].objective.total)
    if _pairs_left_out(problem, best):
        # Two officers arriving together is what OR-Tools models and the other two searches do not
        # (PyVRP relaxes it; ruin and recreate keeps pairs where they are): it may place them.
        model = DayModel(problem)
        found = model.search(PAIRS_SHARE * (deadline - clock.monotonic()), seed=_orders(best))
        if found is not None:
            candidates.append(("OR-Tools", build_plan(problem, *found)))
            name, best = min(candidates, key=lambda c: c[1].objective.total)
    if not (exact and kept_as_proposed) and clock.monotonic() < deadline - FINISHING * time_limit:
        # Ruin and recreate over the checker from the best so far, for the rest of the budget but a
        # little kept back for timing the answer.
        finish = deadline - FINISHING * time_limit
        times = _pair_times(problem, best)
        candidates.append(
            (
                "ruin and recreate",
                build_plan(problem, improve(problem, _orders(best), times, finish, seed=seed), times),
            )
        )
        name, best = min(candidates, key=lambda c: c[1].objective.total)
    notes = tuple(f"{n}: objective {p.objective.total}" for n, p in candidates) + (f"kept: {name}",)
    if exact and kept_as_proposed:
        notes += ("PyVRP alone: the relaxation is exact and the checker kept its plan as proposed",)
    return replace(best, solve_seconds=clock.monotonic() - started, notes=notes)


def relaxation_is_exact(problem: Problem) -> bool:
    """Whether PyVRP's relaxed day (routing.seed) is the day itself: no officer owes a break and no
    visit needs two officers; everything else (skills, promised officers, windows, shifts, capacity,
    maximum working time) PyVRP models as the checker does."""
    return all(needs(v) == 1 for v in problem.visits) and not any(
        owed_breaks(o.shift, o.breaks) for o in problem.officers
    )


def _plan_by_area(
    problem: Problem,
    areas: list[Problem],
    deadline: float,
    initial: Mapping[str, Sequence[str]] | None,
    agreed: Mapping[str, int] | None,
    started: float,
    seed: int = 1,
) -> Plan:
    """Each area planned in turn with its share of the time left, then the whole day timed once more
    by the checker (which also says why any visit was left out)."""
    orders: dict[str, list[str]] = {}
    together: dict[str, int] = {}
    left = sum(len(a.visits) for a in areas)
    reserve = AREA_FINISHING * (deadline - started)
    for area in areas:
        share = (deadline - reserve - clock.monotonic()) * len(area.visits) / max(left, 1)
        left -= len(area.visits)
        mine = {o.id: list(initial.get(o.id, ())) for o in area.officers} if initial else None
        result = plan(area, max(share, 0.1), initial=mine, agreed=agreed, seed=seed)
        for route in result.routes:
            orders[route.officer_id] = route.visit_ids
            together.update({s.visit_id: s.start for s in route.stops})
    pairs = {v.id for v in problem.visits if v.officers_needed >= 2}
    whole = build_plan(problem, orders, {v: t for v, t in together.items() if v in pairs})
    note = f"planned in {len(areas)} areas of about {AREA_VISITS} visits"
    return replace(whole, solve_seconds=clock.monotonic() - started, notes=(note,))


def _as_proposed(result: Plan, orders: Mapping[str, Sequence[str]]) -> bool:
    """Whether the checker kept the proposal exactly: every route as ordered, nothing dropped."""
    return _orders(result) == {o: list(ids) for o, ids in orders.items() if ids}


def _pairs_left_out(problem: Problem, result: Plan) -> bool:
    """Whether a two-officer visit that eligible officers could reach is left out."""
    return any(
        needs(v) == 2 and v.id in result.unassigned and result.reasons.get(v.id) != "needs_two_officers"
        for v in problem.visits
    )


def _pair_times(problem: Problem, result: Plan) -> dict[str, int]:
    """The agreed arrival of each two-officer visit in a plan."""
    pairs = {v.id for v in problem.visits if needs(v) == 2}
    return {s.visit_id: s.start for r in result.routes for s in r.stops if s.visit_id in pairs}


def _orders(result: Plan) -> dict[str, list[str]]:
    return {r.officer_id: r.visit_ids for r in result.routes}
