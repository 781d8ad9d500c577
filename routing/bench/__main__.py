"""python -m routing.bench solomon FILE... --time-limit SECONDS --solver ortools|pyvrp|vroom [--json OUT]
python -m routing.bench generated --customers 200 --seeds 1 2 --time-limit S --solver ... [--json OUT]"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from pathlib import Path

from routing.bench.generated import KINDS, generate
from routing.bench.solomon import SOLVERS, Instance, check, read_instance


def _bks(path: Path) -> dict[str, float]:
    if not path.exists():
        return {}
    with path.open() as handle:
        return {row["instance"]: float(row["dimacs_distance"]) for row in csv.DictReader(handle)}


def solomon(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.files]
    bks = _bks(Path(args.bks) if args.bks else files[0].parent.parent / "bks.csv")
    return _run(args, [read_instance(path) for path in files], bks)


def generated(args: argparse.Namespace) -> int:
    """No best known solutions here: each instance's gap is to the best answer in this run."""
    instances = [generate(kind, args.customers, seed) for seed in args.seeds for kind in KINDS]
    return _run(args, instances, None)


def _run(args: argparse.Namespace, instances: list[Instance], bks: dict[str, float] | None) -> int:
    rows = []
    for solver in args.solver:
        for instance in instances:
            result = SOLVERS[solver](instance, args.time_limit)
            verdict = check(instance, result.routes)
            row = {
                "instance": instance.name,
                "solver": solver,
                "vehicles": len([r for r in result.routes if r]),
                "distance": verdict.distance,
                "seconds": round(result.seconds, 2),
                "feasible": verdict.feasible,
                "routes": result.routes,
            }
            best = (bks or {}).get(instance.name)
            if bks is not None:
                row["gap_pct"] = round(100 * (verdict.distance - best) / best, 2) if best else None
            if not verdict.feasible:
                row["problems"] = list(verdict.problems)
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "routes"}), flush=True)
    if bks is None:
        for instance in instances:
            mine = [r for r in rows if r["instance"] == instance.name]
            best = min((r["distance"] for r in mine if r["feasible"]), default=None)
            for r in mine:
                r["gap_pct"] = round(100 * (r["distance"] - best) / best, 2) if best else None
    for solver in args.solver:
        mine = [r for r in rows if r["solver"] == solver and r["gap_pct"] is not None]
        if mine:
            gaps = [r["gap_pct"] for r in mine]
            print(
                f"# {solver}: {len(mine)} instances, mean gap {statistics.mean(gaps):.2f}%, "
                f"max {max(gaps):.2f}%, feasible {sum(r['feasible'] for r in mine)}/{len(mine)}, "
                f"mean time {statistics.mean(r['seconds'] for r in mine):.2f}s"
                + ("" if bks is not None else " (gap to the best of this run)"),
                flush=True,
            )
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0 if all(r["feasible"] for r in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m routing.bench")
    commands = parser.add_subparsers(dest="command", required=True)
    sol = commands.add_parser("solomon", help="Solomon VRPTW instances, DIMACS convention")
    sol.add_argument("files", nargs="+")
    sol.add_argument("--time-limit", type=float, default=10.0)
    sol.add_argument(
        "--solver",
        action="append",
        choices=sorted(SOLVERS),
        help="repeat to compare solvers in one run (default ortools)",
    )
    sol.add_argument("--bks", help="bks.csv (default: beside the instances folder)")
    gen = commands.add_parser("generated", help="Gehring-Homberger-like instances (routing.bench.generated)")
    gen.add_argument("--customers", type=int, default=200)
    gen.add_argument("--seeds", type=int, nargs="+", default=[1])
    for command in (sol, gen):
        command.add_argument("--json", help="write every result, with routes, to this file")
    gen.add_argument("--time-limit", type=float, default=10.0)
    gen.add_argument("--solver", action="append", choices=sorted(SOLVERS))
    args = parser.parse_args(argv)
    args.solver = args.solver or ["ortools"]
    return solomon(args) if args.command == "solomon" else generated(args)


if __name__ == "__main__":
    sys.exit(main())
