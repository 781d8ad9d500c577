"""Gehring-Homberger-like VRPTW instances of any size, for development beyond Solomon's 100 customers.

Like the published sets: random (R), clustered (C) and mixed (RC) customers on a 100 x 100 grid, the
depot in the middle; type 1 has a short horizon, narrow windows and small vehicles, type 2 a long
horizon, wide windows and large vehicles; a quarter of the customers have no window to speak of.
Windows are placed so that each customer alone is reachable from the depot and back. There are no
best known solutions: the benchmark compares solvers with one another in the same run.
"""

from __future__ import annotations

import math
import random

from routing.bench.solomon import Customer, Instance

KINDS = ("R1", "R2", "C1", "C2", "RC1", "RC2")


def generate(kind: str, customers: int, seed: int) -> Instance:
    rng = random.Random(f"{kind}-{customers}-{seed}")
    wide = kind.endswith("2")
    horizon = 1000 if wide else 250
    if kind.startswith("C"):
        horizon *= 3
    capacity = 700 if wide else 200
    service = 90 if kind.startswith("C") else 10
    centres = [(rng.uniform(15, 85), rng.uniform(15, 85)) for _ in range(max(customers // 20, 4))]
    depot = Customer(0, 50, 50, 0, 0, horizon, 0)
    rows = []
    for i in range(1, customers + 1):
        clustered = kind.startswith("C") or (kind.startswith("RC") and i % 2 == 0)
        if clustered:
            cx, cy = rng.choice(centres)
            x, y = (min(max(round(rng.gauss(c, 4)), 0), 100) for c in (cx, cy))
        else:
            x, y = rng.randint(0, 100), rng.randint(0, 100)
        reach = math.ceil(math.hypot(x - 50, y - 50))
        latest = horizon - reach - service
        if rng.random() < 0.25:
            ready, due = 0, latest
        else:
            width = rng.randint(60, 400) if wide else rng.randint(10, 60)
            centre = rng.randint(reach, max(reach, latest))
            ready, due = max(reach, centre - width // 2), min(latest, centre + width // 2)
            ready = min(ready, due)
        rows.append(Customer(i, x, y, rng.randint(5, 30), ready, due, service))
    vehicles = max(customers // 4, 10) if not wide else max(customers // 10, 5)
    return Instance(f"G{kind}_{customers}_{seed}", vehicles, capacity, depot, tuple(rows))
