"""The council's own measures beyond volumes (issue 19): "Tell us" counts, satisfaction by service,
officer, hub, channel and group, avoidable contact and the monthly channel mix. Each is a reports.Table,
so the dashboard and its CSV show the same rows."""

from __future__ import annotations

from datetime import date

from app.services import feedback


def _table(*args, **kwargs):
    from app.services.reports import Table

    return Table(*args, **kwargs)


def tell_us_table(first: date, last: date):
    counts = feedback.counts(first, last)
    return _table(
        "tell_us",
        "Tell us: complaints, compliments and comments",
        ["Measure", "Count"],
        [
            ["Complaints received", counts.received.get("complaint", 0)],
            ["Compliments received", counts.received.get("compliment", 0)],
            ["Comments received", counts.received.get("comment", 0)],
            ["Still open", counts.open],
            ["Overdue", counts.overdue],
        ],
    )
