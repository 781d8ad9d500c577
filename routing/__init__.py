"""Travel times, slot feasibility and route optimisation. Plain Python: no Flask, no database."""
