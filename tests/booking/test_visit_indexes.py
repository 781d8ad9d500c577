"""An officer's visits on a day are read through indexes, as first or second officer of a pair
(migration 0023): not by scanning every active visit, which grows with the table."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.dialects import postgresql

from app.booking.availability import _DAY_AND_VERSION
from app.extensions import db
from app.timeutil import local_day_bounds
from tests.booking_helpers import MONDAY, World, at
from tests.factories import AppointmentFactory


def test_a_day_s_visits_are_read_through_both_officer_indexes(postgres):
    world = World(officers=2)
    first, second = world.officers
    for day in range(5):
        for hour in (9, 11, 14):
            start = at(hour, day=MONDAY + timedelta(days=day))
            AppointmentFactory(officer=first, window_start=start, window_end=start + timedelta(hours=2))
    AppointmentFactory(
        officer=first, second_officer=second, window_start=at(16), window_end=at(16) + timedelta(hours=1)
    )
    db.session.flush()
    compiled = _DAY_AND_VERSION[0].statement.compile(dialect=postgresql.dialect())
    start, end = local_day_bounds(MONDAY)
    params = dict(compiled.params) | {"start": start, "end": end, "exclude": 0, "officer0": second.id}
    driver = db.session.connection().connection.dbapi_connection
    driver.execute("SET LOCAL enable_seqscan = off")  # the table is small here: as it is when it is big
    plan = "\n".join(row[0] for row in driver.execute(f"EXPLAIN {compiled}", params))
    assert "ix_appointment_officer_window" in plan and "ix_appointment_second_officer_window" in plan, plan
    assert "ix_appointment_status" not in plan, plan
