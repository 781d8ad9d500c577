"""Avoidable contact (repeat bookings, no-shows, cancellations by reason, late moves) and the monthly
channel mix, as the dashboard and its CSV show them."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine

from app.booking.changes import MOVED_FROM
from app.extensions import db
from app.models import AppointmentEvent
from app.reporting.reports import as_csv, dashboard
from tests.booking_helpers import NOW, World
from tests.factories import AppointmentFactory, CustomerFactory

DECEMBER = date(2026, 12, 1)


@time_machine.travel(NOW, tick=False)
def test_avoidable_contact_counts_each_kind():
    world = World()
    customer = CustomerFactory()
    visit = NOW + timedelta(days=6)
    AppointmentFactory(
        customer=customer, service=world.service, window_start=visit, created_at=NOW - timedelta(days=5)
    )
    AppointmentFactory(
        customer=customer, service=world.service, window_start=visit + timedelta(days=1)
    )  # repeat
    AppointmentFactory(service=world.service, window_start=visit, status="no_show")
    AppointmentFactory(
        service=world.service, window_start=visit, status="cancelled", cancel_reason="Feeling better."
    )
    AppointmentFactory(
        service=world.service, window_start=visit, status="cancelled", cancel_reason="feeling better"
    )
    AppointmentFactory(service=world.service, window_start=visit, status="cancelled")
    moved = AppointmentFactory(service=world.service, window_start=visit + timedelta(days=2))
    was = visit + timedelta(hours=3)
    db.session.add(
        AppointmentEvent(
            appointment=moved,
            status="rescheduled",
            at=was - timedelta(hours=2),
            note=f"{MOVED_FROM}{was.isoformat()}",
        )
    )
    early = AppointmentFactory(service=world.service, window_start=visit + timedelta(days=3))
    db.session.add(
        AppointmentEvent(
            appointment=early, status="rescheduled", at=NOW, note=f"{MOVED_FROM}{was.isoformat()}"
        )
    )
    db.session.flush()
    tables = dashboard(DECEMBER)
    summary = dict(tables["avoidable_contact"].rows)
    assert summary["Repeat bookings (same service within 30 days)"] == 1
    assert summary["No-shows"] == 1 and summary["Cancellations"] == 3
    assert summary["Moved within 24 hours of the visit"] == 1
    assert summary["All avoidable contact"] == 6
    reasons = dict(tables["cancellation_reasons"].rows)
    assert reasons == {"Feeling better": 2, "No reason given": 1}


@time_machine.travel(NOW, tick=False)
def test_the_channel_mix_is_a_monthly_trend():
    world = World()
    for channel, created in [
        ("phone", NOW - timedelta(days=40)),
        ("web", NOW - timedelta(days=40)),
        ("web", NOW),
        ("kiosk", NOW),
        ("counter", NOW),
        ("phone", NOW),
    ]:
        AppointmentFactory(
            service=world.service, window_start=NOW + timedelta(days=7), channel=channel, created_at=created
        )
    table = dashboard(DECEMBER)["channel_trend"]
    assert table.headers == [
        "Month", "Online", "Phone", "Hub kiosk", "Partner system (API)", "Hub counter", "Self-service share"
    ]  # fmt: skip
    assert table.rows == [["2026-10", 1, 1, 0, 0, 0, "50%"], ["2026-12", 1, 1, 1, 0, 1, "50%"]]
    assert as_csv(table).splitlines()[2] == "2026-12,1,1,1,0,1,50%"
