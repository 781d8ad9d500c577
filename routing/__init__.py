"""Travel times, slot feasibility and route optimisation. Plain Python: no Flask, no database.

`routing.plan(problem, time_limit)` is the planner (routing.planner); it is imported on first use, so
the booking path, which needs only the checker, does not load the solvers.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "plan":
        from routing.planner import plan

        return plan
    raise AttributeError(name)
