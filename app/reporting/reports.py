"""The measures the council reports on, computed from the data (seeds: face-to-face volumes, value
versus avoidable contact, satisfaction at the point of delivery, reduced travel and carbon).

Carbon: DEFRA/DESNZ greenhouse gas conversion factors 2023, "average car, unknown fuel": 0.16570 kg
CO2e per km. Residents' journeys saved: for each home or business visit that happened, a return trip by
car from the address to the nearest community hub (road distance estimated as in routing.travel). That
is an upper bound: some residents would have walked or taken a bus.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from app.appointments.presenters import RATING_WORDS, channel_label, rating_words, status_label
from app.booking.availability import search
from app.extensions import db
from app.kiosk import kiosk_calls
from app.models import Appointment, CommunityArea, Hub, Message, RoutePlan, SafetyAlert
from app.officers.queries import all_officers
from app.officers.workdays import working_day
from app.places.places import Place, hub_place, nearest_hubs
from app.reporting import measures
from app.reporting.report_table import Table
from app.timeutil import local_day_bounds, to_local
from routing.travel import road_estimate

KG_CO2E_PER_KM = 0.16570


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) in a name).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that a spreadsheet would run is shown as text instead (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(h) for h in table.headers])
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in table.rows)
    return out.getvalue()


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def _appointments(first: date, last: date) -> list[Appointment]:
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    return list(
        db.session.scalars(
            select(Appointment).where(Appointment.window_start >= start, Appointment.window_start < end)
        )
    )


def opening_month(today: date) -> date:
    """The month the dashboard opens on: this month, unless it has no appointments and the next one
    has (early in a month, or a new service), so a supervisor never lands on an empty page for nothing."""
    this_month = today.replace(day=1)
    following = month_bounds(this_month)[1] + timedelta(days=1)
    for month in (this_month, following):
        first, last = month_bounds(month)
        start, _ = local_day_bounds(first)
        _, end = local_day_bounds(last)
        found = db.session.scalar(
            select(Appointment.id)
            .where(Appointment.window_start >= start, Appointment.window_start < end)
            .limit(1)
        )
        if found is not None:
            return month
    return this_month


def _counted(name: str, title: str, header: str, counter: Counter) -> Table:
    return Table(
        name,
        title,
        [header, "Appointments"],
        [[k, v] for k, v in sorted(counter.items(), key=lambda x: -x[1])],
    )


def dashboard(month: date) -> dict[str, Table]:
    first, last = month_bounds(month)
    appointments = _appointments(first, last)
    tables: dict[str, Table] = {}
    tables["by_service"] = _counted(
        "by_service", "Appointments by service", "Service", Counter(a.service.name for a in appointments)
    )
    tables["by_channel"] = _counted(
        "by_channel",
        "Appointments by how they were booked",
        "Channel",
        Counter(channel_label(a.channel) for a in appointments),
    )
    tables["by_hub"] = _counted(
        "by_hub", "Hub appointments by hub", "Hub", Counter(a.hub.name for a in appointments if a.hub)
    )
    weeks = Counter(
        to_local(a.window_start).date() - timedelta(days=to_local(a.window_start).weekday())
        for a in appointments
    )
    tables["by_week"] = Table(
        "by_week",
        "Appointments by week",
        ["Week starting", "Appointments"],
        [[w.isoformat(), n] for w, n in sorted(weeks.items())],
    )
    statuses = Counter(a.status for a in appointments)
    total = len(appointments) or 1
    tables["outcomes"] = Table(
        "outcomes",
        "Outcomes",
        ["Outcome", "Appointments", "Share"],
        [[status_label(s), n, f"{100 * n / total:.0f}%"] for s, n in sorted(statuses.items())],
    )
    tables["officer_time"] = officer_time(first, last, appointments)
    tables["travel"] = travel_and_carbon(first, last, appointments)
    scores = [a.satisfaction_score for a in appointments if a.satisfaction_score]
    asked = sum(1 for a in appointments if a.status == "completed")
    tables["satisfaction"] = Table(
        "satisfaction",
        "Satisfaction at the point of delivery (every channel)",
        ["Score", "Replies"],
        [[f"{s}: {RATING_WORDS[s]}", scores.count(s)] for s in range(1, 6)],
    )
    tables["satisfaction_summary"] = Table(
        "satisfaction_summary",
        "Satisfaction summary",
        ["Measure", "Value"],
        [
            ["Visits completed", asked],
            ["Replies", len(scores)],
            ["Reply rate", f"{100 * len(scores) / asked:.0f}%" if asked else "–"],
            ["Average rating", rating_words(sum(scores) / len(scores)) if scores else "–"],
        ],
    )
    tables["messages"] = messages_table(first, last)
    tables["tell_us"] = measures.tell_us_table(first, last)
    tables.update(measures.satisfaction_tables(appointments))
    tables["avoidable_contact"], tables["cancellation_reasons"] = measures.avoidable_contact(appointments)
    tables["channel_trend"] = measures.channel_trend(month)
    tables["kiosk_calls"] = Table(
        "kiosk_calls",
        "Kiosk video calls by hub",
        ["Hub", "Calls", "Answered", "Booked on the call", "Call-backs asked for", "Left before an answer"],
        kiosk_calls.calls_by_hub(first, last),
    )
    alerts = db.session.scalars(
        select(SafetyAlert).where(
            SafetyAlert.created_at >= local_day_bounds(first)[0],
            SafetyAlert.created_at < local_day_bounds(last)[1],
        )
    )
    alert_counts = Counter((a.kind, "open" if a.acknowledged_at is None else "acknowledged") for a in alerts)
    tables["safety"] = Table(
        "safety",
        "Safety alerts",
        ["Alert", "Status", "Count"],
        [[k.replace("_", " "), s, n] for (k, s), n in sorted(alert_counts.items())],
    )
    return tables


def officer_time(first: date, last: date, appointments: list[Appointment]) -> Table:
    """Hours on visits, travelling and idle (shift less visits, travel and breaks), per officer."""
    visit_minutes: dict[int, int] = defaultdict(int)
    for a in appointments:
        if a.status in ("completed", "checked_in", "booked"):
            for oid in (a.officer_id, a.second_officer_id):
                if oid:
                    visit_minutes[oid] += a.duration_minutes
    travel_seconds: dict[int, int] = defaultdict(int)
    for plan in db.session.scalars(select(RoutePlan).where(RoutePlan.day >= first, RoutePlan.day <= last)):
        travel_seconds[plan.officer_id] += plan.travel_seconds
    # Travel is known once a day is planned (the nightly plan): days not yet planned count none.
    table = Table(
        "officer_time",
        "Officer time (hours)",
        ["Officer", "Visits", "Travel (planned days)", "Idle", "Shift"],
    )
    for officer in all_officers():
        shift = 0
        day = first
        while day <= last:
            wd = working_day(officer, day)
            if wd is not None:
                shift += (wd.ends - wd.starts - sum(b.duration for b in wd.breaks)) // 60
            day += timedelta(days=1)
        visits, travel = visit_minutes[officer.id], travel_seconds[officer.id] // 60
        if shift or visits:
            table.rows.append(
                [
                    officer.name,
                    round(visits / 60, 1),
                    round(travel / 60, 1),
                    round(max(shift - visits - travel, 0) / 60, 1),
                    round(shift / 60, 1),
                ]
            )
    return table


def travel_and_carbon(first: date, last: date, appointments: list[Appointment]) -> Table:
    km = (
        sum(
            p.distance_m
            for p in db.session.scalars(
                select(RoutePlan).where(RoutePlan.day >= first, RoutePlan.day <= last)
            )
        )
        / 1000
    )
    saved_km = 0.0
    for a in appointments:
        if a.status == "completed" and a.location_type in ("home", "business"):
            hubs = nearest_hubs(a.lat, a.lng, 1)
            if hubs:
                saved_km += 2 * road_estimate((a.lat, a.lng), (hubs[0][0].lat, hubs[0][0].lng))[1] / 1000
    return Table(
        "travel",
        "Travel and carbon",
        ["Measure", "Value"],
        [
            ["Officer kilometres (planned routes)", round(km, 1)],
            ["Officer CO2e (kg)", round(km * KG_CO2E_PER_KM, 1)],
            ["Residents' kilometres saved (visits at home or business)", round(saved_km, 1)],
            ["Residents' CO2e saved (kg)", round(saved_km * KG_CO2E_PER_KM, 1)],
        ],
    )


def messages_table(first: date, last: date) -> Table:
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    rows = db.session.execute(
        select(Message.channel, Message.status).where(Message.created_at >= start, Message.created_at < end)
    ).all()
    counts = Counter(rows)
    channels = sorted({c for c, _s in counts})
    statuses = ["sent", "delivered", "failed", "technical_failure", "created"]
    return Table(
        "messages",
        "Messages",
        ["Channel", *[s.replace("_", " ") for s in statuses]],
        [[c, *[counts[(c, s)] for s in statuses]] for c in channels],
    )


def waits(service, today: date) -> Table:
    """Days to the first free appointment for a service, in each community area (home visit at the
    area's centre where the service allows it, else at the area's hub)."""
    table = Table(
        f"waits_{service.code}",
        f"Days to the first free appointment: {service.name}",
        ["Community area", "First free", "Days"],
    )
    for area in db.session.scalars(select(CommunityArea).order_by(CommunityArea.name)):
        if service.at_home:
            place = Place("home", area.lat, area.lng, area.id)
        else:
            hub = db.session.scalar(select(Hub).where(Hub.area_id == area.id))
            if hub is None:
                continue
            place = hub_place(hub)
        found = None
        day = today
        while found is None and day <= today + timedelta(days=service.horizon_days):
            slots = search(service, place, day, 7).slots
            found = min((s.day for s in slots), default=None)
            day += timedelta(days=7)
        table.rows.append(
            [
                area.name,
                found.isoformat() if found else "none in horizon",
                (found - today).days if found else "",
            ]
        )
    return table
