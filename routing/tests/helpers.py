"""Tiny worlds with answers you can work out by hand."""

from routing.types import Matrix

H = 3600
M = 60


def line_travel(a, b):
    """Places on a line: lat is kilometres from base, one minute per kilometre."""
    km = abs(a[0] - b[0])
    return round(km * 60), round(km * 1000)


def line_matrix(positions):
    """Matrix for points on a line, one minute per unit."""
    durations = tuple(tuple(abs(a - b) * 60 for b in positions) for a in positions)
    distances = tuple(tuple(abs(a - b) * 1000 for b in positions) for a in positions)
    return Matrix(durations, distances)


def at(km):
    return (float(km), 0.0)
