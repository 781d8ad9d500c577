"""Benchmarks for the optimiser: `python -m routing.bench solomon FILE... --time-limit S --solver NAME`."""
