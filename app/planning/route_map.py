"""A route map drawn from the app's own data, so it reads with no tile server: the community areas
(each the land nearer its centre than any other, as the availability rules assign visits), their towns,
the hubs, and the officer's route in order. Returned as shapes for an SVG the page draws server-side."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT, MARGIN = 640, 520, 24
APART = 22  # between the centres of two stop markers (circles of radius 10) that must not touch
GRID = 80  # cells across the drawing used to trace the area boundaries


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Label:
    at: Point
    text: str


@dataclass
class MapDrawing:
    width: int = WIDTH
    height: int = HEIGHT
    boundaries: str = ""  # one SVG path of the lines between community areas
    towns: list[Label] = field(default_factory=list)
    hubs: list[Label] = field(default_factory=list)
    route: list[Point] = field(default_factory=list)  # base, stops..., base
    base: Label | None = None  # where B is drawn (off its place when a stop shares it)
    stops: list[Label] = field(default_factory=list)  # numbered visits


class _Projection:
    """Equirectangular, scaled by the cosine of the middle latitude: true enough for one county."""

    def __init__(self, points: list[tuple[float, float]]):
        lats = [p[0] for p in points]
        lngs = [p[1] for p in points]
        self.north, self.south = max(lats) + 0.03, min(lats) - 0.03
        self.west, self.east = min(lngs) - 0.04, max(lngs) + 0.04
        self.squash = math.cos(math.radians((self.north + self.south) / 2))
        span_x = (self.east - self.west) * self.squash
        span_y = self.north - self.south
        self.scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)

    def __call__(self, lat: float, lng: float) -> Point:
        return Point(
            round(MARGIN + (lng - self.west) * self.squash * self.scale, 1),
            round(MARGIN + (self.north - lat) * self.scale, 1),
        )

    def back(self, x: float, y: float) -> tuple[float, float]:
        return (self.north - (y - MARGIN) / self.scale, self.west + (x - MARGIN) / (self.squash * self.scale))


def _nearest(centres: list[tuple[float, float]], squash: float, lat: float, lng: float) -> int:
    return min(
        range(len(centres)),
        key=lambda i: (centres[i][0] - lat) ** 2 + ((centres[i][1] - lng) * squash) ** 2,
    )


def _boundaries(project: _Projection, centres: list[tuple[float, float]]) -> str:
    """Lines between grid cells that belong to different areas (a Voronoi diagram, traced)."""
    step_x, step_y = (WIDTH - 2 * MARGIN) / GRID, (HEIGHT - 2 * MARGIN) / GRID
    owner = [
        [
            _nearest(
                centres,
                project.squash,
                *project.back(MARGIN + (i + 0.5) * step_x, MARGIN + (j + 0.5) * step_y),
            )
            for i in range(GRID)
        ]
        for j in range(GRID)
    ]
    segments = []
    for j in range(GRID):
        for i in range(GRID):
            x, y = MARGIN + i * step_x, MARGIN + j * step_y
            if i + 1 < GRID and owner[j][i] != owner[j][i + 1]:
                segments.append(f"M{x + step_x:.1f} {y:.1f}v{step_y:.1f}")
            if j + 1 < GRID and owner[j][i] != owner[j + 1][i]:
                segments.append(f"M{x:.1f} {y + step_y:.1f}h{step_x:.1f}")
    return "".join(segments)


def _crowds(points: list[Point]) -> list[list[int]]:
    """Indexes of the markers closer than APART, in groups (close pairs chain into one group)."""
    group = list(range(len(points)))

    def find(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i, a in enumerate(points):
        for j in range(i + 1, len(points)):
            if math.dist((a.x, a.y), (points[j].x, points[j].y)) < APART:
                group[find(j)] = find(i)
    crowds: dict[int, list[int]] = {}
    for i in range(len(points)):
        crowds.setdefault(find(i), []).append(i)
    return list(crowds.values())


def fanned_out(points: list[Point]) -> list[Point]:
    """Where to draw each marker so none overlaps another: the markers of a crowd (two visits at one
    hub, say) on a ring around its middle, APART from their neighbours; the others where they are."""
    placed = list(points)
    for crowd in _crowds(points):
        if len(crowd) < 2:
            continue
        middle_x = sum(points[i].x for i in crowd) / len(crowd)
        middle_y = sum(points[i].y for i in crowd) / len(crowd)
        radius = APART / (2 * math.sin(math.pi / len(crowd)))
        for k, i in enumerate(crowd):
            angle = -math.pi / 2 + 2 * math.pi * k / len(crowd)
            placed[i] = Point(
                round(middle_x + radius * math.cos(angle), 1), round(middle_y + radius * math.sin(angle), 1)
            )
    return placed


def draw(
    areas: list[tuple[str, float, float]],
    hubs: list[tuple[str, float, float]],
    route: list[tuple[float, float]],
    numbers: list[str] | None = None,
) -> MapDrawing:
    """areas and hubs: (name, lat, lng); route: the base, then each stop in order (lat, lng); numbers:
    each stop's number as the page lists it (1, 2, 3... if not given)."""
    points = [(lat, lng) for _n, lat, lng in areas + hubs] + list(route)
    if not points:
        return MapDrawing()
    project = _Projection(points)
    drawing = MapDrawing()
    if len(areas) > 1:
        drawing.boundaries = _boundaries(project, [(lat, lng) for _n, lat, lng in areas])
    drawing.towns = [Label(project(lat, lng), name) for name, lat, lng in areas]
    drawing.hubs = [Label(project(lat, lng), name) for name, lat, lng in hubs]
    if route:
        drawing.route = [project(lat, lng) for lat, lng in [*route, route[0]]]
        numbers = numbers or [str(n) for n in range(1, len(route))]
        base, *stops = fanned_out(drawing.route[:-1])
        drawing.base = Label(base, "B")
        drawing.stops = [Label(at, number) for at, number in zip(stops, numbers, strict=True)]
    return drawing
