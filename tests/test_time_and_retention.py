"""Across the clock changes (last Sunday of March and October), and data retention."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import time_machine

from app.booking.availability import ARRIVAL_WINDOWS, search
from app.customers.retention import REMOVED, run
from app.extensions import db
from app.messaging.reminders import queue_due_reminders
from app.models import AllowanceUse, Appointment, Customer, Message
from tests.booking_helpers import World
from tests.factories import AppointmentFactory, CustomerFactory


def _nine_am_window(world, day: date):
    now = datetime.combine(day - timedelta(days=4), datetime.min.time(), tzinfo=UTC)
    slots = search(world.service, world.home(), day, 1, now=now).slots
    return next(s for s in slots if s.window == ARRIVAL_WINDOWS[0])


def test_nine_am_is_nine_am_either_side_of_the_clock_change():
    world = World()
    before_bst = _nine_am_window(world, date(2026, 3, 27))  # Friday, GMT
    after_bst = _nine_am_window(world, date(2026, 3, 30))  # Monday after the clocks go forward
    assert before_bst.start.hour == 9 and before_bst.start.tzinfo == UTC  # 9am GMT is 09:00 UTC
    assert after_bst.start.hour == 8  # 9am BST is 08:00 UTC
    after_gmt = _nine_am_window(world, date(2026, 10, 26))  # Monday after the clocks go back
    assert after_gmt.start.hour == 9


def test_day_before_reminder_on_the_sunday_the_clocks_change():
    world = World()
    customer = CustomerFactory(sms_consent=True, preferred_channel="sms")
    # Monday 30 March 2026, 9am BST. The reminder is due on Sunday 29 March, the day BST starts.
    AppointmentFactory(
        service=world.service,
        customer=customer,
        officer=world.officers[0],
        window_start=datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
    )
    db.session.commit()
    with time_machine.travel(datetime(2026, 3, 29, 7, 30, tzinfo=UTC), tick=False):  # 8:30am BST: too early
        assert queue_due_reminders() == 0
    with time_machine.travel(datetime(2026, 3, 29, 8, 5, tzinfo=UTC), tick=False):  # 9:05am BST
        assert queue_due_reminders() == 1
    text = db.session.query(Message).filter_by(kind="reminder_day_before").one().body
    assert "Monday 30 March 2026" in text and "9am" in text


def test_retention_removes_personal_data_but_keeps_the_figures():
    world = World()
    old_customer = CustomerFactory(
        name="Olive Oldham", phone="+447700900444", created_at=datetime(2023, 1, 1, tzinfo=UTC)
    )
    recent_customer = CustomerFactory(name="Rita Recent")
    old = AppointmentFactory(
        service=world.service,
        customer=old_customer,
        officer=world.officers[0],
        window_start=datetime(2023, 6, 1, 9, tzinfo=UTC),
        status="completed",
        satisfaction_score=5,
        notes="Side door",
        access_needs="Hearing loop",
    )
    db.session.add(
        Message(
            appointment=old,
            kind="confirmation",
            channel="sms",
            recipient="+447700900444",
            body="Your appointment...",
            status="sent",
            created_at=datetime(2023, 5, 1, tzinfo=UTC),
        )
    )
    recent = AppointmentFactory(
        service=world.service,
        customer=recent_customer,
        officer=world.officers[0],
        window_start=datetime(2026, 11, 1, 9, tzinfo=UTC),
    )
    db.session.commit()
    report = run(730, now=datetime(2026, 11, 23, tzinfo=UTC))
    db.session.commit()
    assert (report.appointments, report.customers, report.messages) == (1, 1, 1)
    db.session.refresh(old)
    assert old.address_line1 == REMOVED and old.notes == "" and old.access_needs == ""
    assert old.satisfaction_score == 5 and old.status == "completed" and old.service == world.service
    customer = db.session.get(Customer, old_customer.id)
    assert customer.name == REMOVED and customer.phone == "" and customer.email == ""
    assert db.session.query(Message).one().body == ""
    assert db.session.get(Appointment, recent.id).customer.name == "Rita Recent"
    assert run(730, now=datetime(2026, 11, 23, tzinfo=UTC)).appointments == 0  # nothing twice


def test_retention_forgets_what_the_online_allowances_counted_after_two_days():
    """Only the last day's uses count (app.booking.customers); the job keeps a day's margin."""
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    for hours in (1, 47, 49, 24 * 30):
        db.session.add(AllowanceUse(key_hash="0" * 64, at=now - timedelta(hours=hours)))
    db.session.commit()
    run(730, now=now)
    db.session.commit()
    kept = sorted(round((now - use.at).total_seconds() / 3600) for use in db.session.query(AllowanceUse))
    assert kept == [1, 47]


@time_machine.travel(datetime(2026, 12, 20, 10, tzinfo=UTC), tick=False)
def test_a_server_process_loads_this_and_next_year_s_bank_holidays_as_it_starts():
    """wsgi.py loads them, so no booking waits for the holidays package's tables (a quarter of a second
    of CPU, under the import lock) and a search over the new year finds next year's loaded too."""
    from app.timeutil import _england_holidays, is_bank_holiday, load_bank_holidays

    _england_holidays.cache_clear()
    load_bank_holidays()
    loaded = _england_holidays.cache_info()
    assert is_bank_holiday(date(2026, 12, 25)) and is_bank_holiday(date(2027, 1, 1))
    assert _england_holidays.cache_info().misses == loaded.misses  # nothing loaded by the look-ups


def test_the_server_entry_point_has_the_bank_holidays_loaded_once_imported(tmp_path):
    """What gunicorn imports (wsgi:app) has this year's and next year's holidays in memory already."""
    root = Path(__file__).parent.parent
    script = "import wsgi, app.timeutil as t; print(t._england_holidays.cache_info().currsize)"
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'entry.db'}",
        "SECRET_KEY": "entry-point-test",
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter and entry point)
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "2"
