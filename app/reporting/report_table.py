"""The one shape of a report: a table shown on the dashboard and exported as CSV from the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    """A table shown on the dashboard and exported as CSV, from the same rows."""

    name: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)

    def bar_values(self, column: int = 1) -> list[tuple[str, float]]:
        values = [(str(r[0]), float(r[column] or 0)) for r in self.rows]
        return values
