"""The council's own measures beyond volumes (issue 19): "Tell us" counts, satisfaction by service,
officer, hub, channel and group, avoidable contact and the monthly channel mix. Each is a report_table.Table,
so the dashboard and its CSV show the same rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.appointments.presenters import channel_label, rating_words
from app.booking.changes import MOVED_FROM
from app.customers import feedback
from app.customers.satisfaction import CHANNELS
from app.extensions import db
from app.models import Appointment
from app.models.appointments import BOOKING_CHANNELS
from app.reporting.report_table import Table
from app.timeutil import local_day_bounds, to_local


def _table(*args, **kwargs) -> Table:
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


# Satisfaction at the point of delivery ------------------------------------------------------------


def _satisfaction_by(name: str, title: str, header: str, appointments, key):
    groups: dict[str, list[int]] = defaultdict(list)
    for a in appointments:
        if a.satisfaction_score:
            groups[key(a)].append(a.satisfaction_score)
    rows = [
        [label, len(scores), rating_words(sum(scores) / len(scores))]
        for label, scores in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return _table(name, title, [header, "Answers", "Average rating"], rows)


def satisfaction_tables(appointments) -> dict:
    return {
        "satisfaction_by_service": _satisfaction_by(
            "satisfaction_by_service",
            "Satisfaction by service",
            "Service",
            appointments,
            lambda a: a.service.name,
        ),
        "satisfaction_by_officer": _satisfaction_by(
            "satisfaction_by_officer",
            "Satisfaction by officer",
            "Officer",
            appointments,
            lambda a: a.officer.name if a.officer else "No officer",
        ),
        "satisfaction_by_hub": _satisfaction_by(
            "satisfaction_by_hub",
            "Satisfaction by hub",
            "Hub",
            appointments,
            lambda a: a.hub.name if a.hub else "At home or a business",
        ),
        "satisfaction_by_channel": _satisfaction_by(
            "satisfaction_by_channel",
            "Satisfaction by how the visit was booked",
            "Booked by",
            appointments,
            lambda a: channel_label(a.channel),
        ),
        "satisfaction_by_answer_channel": _satisfaction_by(
            "satisfaction_by_answer_channel",
            "Satisfaction by how the resident answered",
            "Answered by",
            appointments,
            lambda a: CHANNELS.get(a.satisfaction_channel, "Text reply"),
        ),
    }


# Avoidable contact and channel shift ----------------------------------------------------------------

REPEAT_WITHIN = timedelta(days=30)
LATE_MOVE = timedelta(hours=24)


def _moved_late(appointment) -> bool:
    for event in appointment.events:
        if event.status == "rescheduled" and event.note.startswith(MOVED_FROM):
            try:
                was = datetime.fromisoformat(event.note[len(MOVED_FROM) :])
            except ValueError:
                continue
            if event.at >= was - LATE_MOVE:
                return True
    return False


def avoidable_contact(appointments) -> tuple:
    """Contact that a better first time would have saved: the same resident booking the same service
    again within 30 days, no-shows, cancellations (by reason) and moves within 24 hours of the visit."""
    booked = list(appointments)
    earlier = _earlier_bookings({a.customer_id for a in booked})
    repeats = sum(
        1
        for a in booked
        if any(
            other.id != a.id
            and other.service_id == a.service_id
            and a.created_at - REPEAT_WITHIN <= other.created_at < a.created_at
            for other in earlier.get(a.customer_id, [])
        )
    )
    no_shows = sum(1 for a in booked if a.status == "no_show")
    cancelled = [a for a in booked if a.status == "cancelled"]
    late_moves = sum(1 for a in booked if _moved_late(a))
    avoidable = repeats + no_shows + len(cancelled) + late_moves
    summary = _table(
        "avoidable_contact",
        "Avoidable contact",
        ["Measure", "Appointments"],
        [
            ["Repeat bookings (same service within 30 days)", repeats],
            ["No-shows", no_shows],
            ["Cancellations", len(cancelled)],
            ["Moved within 24 hours of the visit", late_moves],
            ["All avoidable contact", avoidable],
            ["Share of appointments", f"{100 * avoidable / len(booked):.0f}%" if booked else "–"],
        ],
    )
    reasons = Counter(_reason(a.cancel_reason) for a in cancelled)
    by_reason = _table(
        "cancellation_reasons",
        "Cancellations by reason",
        ["Reason", "Cancellations"],
        [[reason, count] for reason, count in reasons.most_common(15)],
    )
    return summary, by_reason


def _reason(text: str) -> str:
    cleaned = " ".join((text or "").split()).rstrip(".")
    return cleaned[:1].upper() + cleaned[1:80] if cleaned else "No reason given"


def _earlier_bookings(customer_ids: set[int]) -> dict[int, list]:
    if not customer_ids:
        return {}
    found: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(Appointment.id, Appointment.customer_id, Appointment.service_id, Appointment.created_at).where(
            Appointment.customer_id.in_(customer_ids)
        )
    ):
        found[row.customer_id].append(row)
    return found


def channel_trend(month: date, months: int = 12):
    """How bookings came in, month by month, for the year to `month`: the channel shift over time."""
    first = (month.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    _, end = local_day_bounds((month.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    counts: dict[date, Counter] = defaultdict(Counter)
    for channel, created in db.session.execute(
        select(Appointment.channel, Appointment.created_at).where(
            Appointment.created_at >= local_day_bounds(first)[0], Appointment.created_at < end
        )
    ):
        counts[to_local(created).date().replace(day=1)][channel] += 1
    rows = []
    for key in sorted(counts):
        total = sum(counts[key].values())
        self_service = counts[key]["web"] + counts[key]["kiosk"] + counts[key]["api"]
        rows.append(
            [
                key.strftime("%Y-%m"),
                *(counts[key][c] for c in BOOKING_CHANNELS),
                f"{100 * self_service / total:.0f}%",
            ]
        )
    return _table(
        "channel_trend",
        "How bookings were made, month by month",
        ["Month", *(channel_label(c) for c in BOOKING_CHANNELS), "Self-service share"],
        rows,
    )
