"""Large days split into areas, each planned on its own: smaller problems leave time for search.

Officers are grouped by base, and bases into areas around well-spread centres (farthest-point
clustering on the travel matrix). A visit goes to the area of the officer who has it in `initial`
(the day as booked: each area then holds whole booked days, so the as-booked floor holds area by area),
else to the area of the nearest officer who may do it (two-officer visits: an area with two).
Each area becomes a problem of its own, with only its places in its matrix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from routing.plans import may_do, needs
from routing.types import Matrix, Problem

AREA_VISITS = 220  # visits an area, about (bench/README.md: 150 split the field day, 300 was slower)


def split(problem: Problem, initial: Mapping[str, Sequence[str]] | None = None) -> list[Problem]:
    """The day as areas; one area (the problem itself) when it is small."""
    count = math.ceil(len(problem.visits) / AREA_VISITS)
    bases = sorted({o.start for o in problem.officers})
    if count <= 1 or len(bases) < 2:
        return [problem]
    durations = problem.matrix.durations
    centres = [max(bases, key=lambda b: sum(o.start == b for o in problem.officers))]
    while len(centres) < min(count, len(bases)):
        centres.append(max(bases, key=lambda b: min(durations[c][b] for c in centres)))
    area_of_base = {b: min(range(len(centres)), key=lambda k: durations[centres[k]][b]) for b in bases}
    area_of_officer = {o.id: area_of_base[o.start] for o in problem.officers}
    booked: dict[str, str] = {}
    for officer_id, ids in (initial or {}).items():
        for visit_id in ids:
            if visit_id in booked and officer_id in area_of_officer and booked[visit_id] in area_of_officer:
                # Two officers booked together work in one area: the second joins the first's.
                _join(area_of_officer, officer_id, area_of_officer[booked[visit_id]], initial)
            booked.setdefault(visit_id, officer_id)
    members: list[list[int]] = [[] for _ in centres]
    for i, visit in enumerate(problem.visits):
        if visit.id in booked and booked[visit.id] in area_of_officer:
            members[area_of_officer[booked[visit.id]]].append(i)
            continue
        able = sorted(
            (durations[o.start][visit.location], area_of_officer[o.id])
            for o in problem.officers
            if may_do(o, visit)
        )
        areas = [a for _t, a in able]
        fits = [a for a in areas if areas.count(a) >= needs(visit)]
        members[(fits or areas or [0])[0]].append(i)
    return [
        _area(problem, [o for o in problem.officers if area_of_officer[o.id] == k], members[k])
        for k in range(len(centres))
        if members[k] or any(area_of_officer[o.id] == k for o in problem.officers)
    ]


def _join(area_of_officer: dict[str, int], officer_id: str, area: int, initial) -> None:
    """Move an officer to an area, with everyone booked with them for a two-officer visit."""
    moving = [officer_id]
    while moving:
        current = moving.pop()
        if area_of_officer.get(current, area) == area and current != officer_id:
            continue
        area_of_officer[current] = area
        theirs = set(initial.get(current, ()))
        moving += [
            o
            for o, ids in initial.items()
            if o != current and theirs & set(ids) and area_of_officer.get(o) != area
        ]


def _area(problem: Problem, officers: list, visit_indices: list[int]) -> Problem:
    """A problem of these officers and visits, over a matrix of only their places."""
    visits = [problem.visits[i] for i in visit_indices]
    places = sorted({o.start for o in officers} | {o.end for o in officers} | {v.location for v in visits})
    local = {p: k for k, p in enumerate(places)}
    durations, distances = problem.matrix.durations, problem.matrix.distances
    matrix = Matrix(
        tuple(tuple(durations[a][b] for b in places) for a in places),
        tuple(tuple(distances[a][b] for b in places) for a in places),
    )
    return Problem(
        matrix,
        tuple(replace(o, start=local[o.start], end=local[o.end]) for o in officers),
        tuple(replace(v, location=local[v.location]) for v in visits),
    )
