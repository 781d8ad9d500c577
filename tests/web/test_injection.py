"""What staff type is shown as text, on pages and in spreadsheets (#15.9)."""

from __future__ import annotations

import csv
import io

from app.extensions import db
from app.models import Officer, SafetyAlert
from tests.booking_helpers import World, at
from tests.factories import AppointmentFactory, OfficerFactory
from tests.pages import csrf_token

SCRIPT = "<script>x</script>"  # fits the 20-character column


def test_an_officers_work_mobile_must_be_a_uk_mobile(client, sign_in):
    sign_in("supervisor")
    officer = OfficerFactory(phone="+447700900777")
    db.session.commit()
    url = f"/admin/officers/{officer.id}"
    page = client.get(url).get_data(as_text=True)
    form = {
        "first_name": officer.first_name,
        "last_name": officer.last_name,
        "phone": SCRIPT,
        "base_label": "Devizes hub",
        "lat": "51.35",
        "lng": "-1.99",
        "areas": [],
        "csrf_token": csrf_token(page),
    }
    response = client.post(url, data=form)
    assert "Enter a UK mobile number" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Officer, officer.id).phone == "+447700900777"


def test_the_safety_alert_page_shows_a_phone_number_as_text(client, sign_in):
    sign_in("supervisor")
    officer = OfficerFactory(phone=SCRIPT)  # stored before numbers were checked
    db.session.add(SafetyAlert(kind="help", officer=officer, dedupe_key="test-alert"))
    db.session.commit()
    html = client.get("/supervisor/alerts").get_data(as_text=True)
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    good = OfficerFactory(phone="+447700900778")
    db.session.add(SafetyAlert(kind="help", officer=good, dedupe_key="test-alert-2"))
    db.session.commit()
    assert '<a class="govuk-link" href="tel:+447700900778">' in client.get("/supervisor/alerts").get_data(
        as_text=True
    )


def test_csv_exports_do_not_carry_formulas(client, sign_in):
    sign_in("supervisor")
    world = World()
    world.service.name = '=HYPERLINK("https://evil.example","Click")'
    AppointmentFactory(service=world.service, officer=world.officers[0], window_start=at(10))
    db.session.commit()
    body = client.get("/supervisor/reports/by_service.csv?month=2026-12").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == "'" + world.service.name
    assert rows[1][1] == "1"  # numbers stay numbers
