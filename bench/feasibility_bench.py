"""How many feasibility checks per second: a realistic officer day (8 promised visits, a lunch break)
and candidates spread over the county and the day.

    .venv/bin/python bench/feasibility_bench.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing.feasibility import DayCheck, DayStop, OfficerDay  # noqa: E402
from routing.types import Break  # noqa: E402

H = 3600


def main() -> int:
    rng = random.Random(3)
    base = (51.35, -1.995)
    stops = tuple(
        DayStop(
            f"v{i}",
            (base[0] + rng.uniform(-0.08, 0.08), base[1] + rng.uniform(-0.12, 0.12)),
            (9 * H + i * 2700, 9 * H + i * 2700 + 2 * H),
            30 * 60,
        )
        for i in range(8)
    )
    day = OfficerDay((8 * H + 1800, 17 * H), base, base, stops, (Break(12 * H + 1800, 13 * H + 1800, 1800),))
    candidates = [
        (
            (base[0] + rng.uniform(-0.1, 0.1), base[1] + rng.uniform(-0.15, 0.15)),
            (h * H, h * H + 2 * H),
            45 * 60,
        )
        for h in (9, 11, 13, 15)
        for _ in range(250)
    ]
    check = DayCheck(day)
    for place, window, duration in candidates[:100]:  # warm the travel cache, as slot search does
        check.best_insertion(place, window, duration)
    started = time.perf_counter()
    rounds = 5
    fits = 0
    for _ in range(rounds):
        for place, window, duration in candidates:
            fits += check.best_insertion(place, window, duration) is not None
    seconds = time.perf_counter() - started
    checks = rounds * len(candidates)
    print(
        f"{checks} checks against an 8-visit day in {seconds:.2f} s: "
        f"{checks / seconds:,.0f} checks per second ({fits / rounds:.0f} of {len(candidates)} candidates fit)"
    )
    started = time.perf_counter()
    for _ in range(200):
        DayCheck(day)
    print(f"preparing a day: {(time.perf_counter() - started) / 200 * 1e6:.0f} microseconds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
