"""Supervisor screens: services, hubs, officers, leave and sickness."""

from __future__ import annotations

from datetime import date, time

from app.extensions import db
from app.models import Absence, Address, AuditEvent, Officer
from tests.factories import AreaFactory, HubFactory, OfficerFactory, ServiceFactory, SkillFactory
from tests.pages import csrf_token


def _submit(client, url, data):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def _officer_data(area_id, skill_id, **overrides):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "phone": "+447700900123",
        "base_label": "Devizes depot",
        "base_postcode": "SN10 1AB",
        "areas": [str(area_id)],
        "skills": [str(skill_id)],
        "active": "y",
    }
    for day in range(7):
        working = day < 5
        data |= {
            f"days-{day}-starts": "08:30" if working else "",
            f"days-{day}-ends": "17:00" if working else "",
            f"days-{day}-break_starts": "12:30" if working else "",
            f"days-{day}-break_minutes": "30" if working else "",
        }
    return data | overrides


def test_supervisor_adds_an_officer_with_pattern(client, sign_in):
    sign_in("supervisor")
    area, skill = AreaFactory(), SkillFactory()
    db.session.add(Address(line1="1 Depot Road", town="Devizes", postcode="SN10 1AB", lat=51.36, lng=-1.98))
    db.session.commit()
    response = _submit(client, "/admin/officers/new", _officer_data(area.id, skill.id))
    assert response.status_code == 302
    officer = db.session.query(Officer).filter_by(last_name="Shah").one()
    assert (officer.base_lat, officer.base_lng) == (51.36, -1.98)  # placed from the postcode
    assert [p.weekday for p in officer.patterns] == [0, 1, 2, 3, 4]
    assert officer.patterns[0].break_minutes == 30
    assert officer.skills == [skill] and officer.areas == [area]
    assert db.session.query(AuditEvent).filter_by(action="officer_created").count() == 1


def test_officer_form_errors_use_the_error_summary(client, sign_in):
    sign_in("supervisor")
    area, skill = AreaFactory(), SkillFactory()
    db.session.commit()
    bad = _officer_data(area.id, skill.id, first_name="", base_postcode="", **{"days-0-ends": "07:00"})
    bad.pop("areas")
    response = _submit(client, "/admin/officers/new", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    for message in (
        "Enter a first name",
        "Choose the hub the officer starts from",
        "Select at least one community area",
        "End time must be after the start time",
    ):
        assert message in html, message
    assert db.session.query(Officer).count() == 0


def test_absence_added_and_overlap_refused(client, sign_in):
    sign_in("supervisor")
    officer = OfficerFactory()
    db.session.commit()
    url = f"/admin/officers/{officer.id}/absences"
    ok = _submit(
        client, url, {"kind": "sickness", "starts_on": ["2", "12", "2026"], "ends_on": ["4", "12", "2026"]}
    )
    assert ok.status_code == 302
    overlap = _submit(
        client, url, {"kind": "leave", "starts_on": ["4", "12", "2026"], "ends_on": ["8", "12", "2026"]}
    )
    assert "overlaps an existing sickness absence" in overlap.get_data(as_text=True)
    absences = db.session.query(Absence).all()
    assert [(a.kind, a.starts_on, a.ends_on) for a in absences] == [
        ("sickness", date(2026, 12, 2), date(2026, 12, 4))
    ]
    assert officer.absent_on(date(2026, 12, 3)) is not None


def test_absence_with_end_before_start_is_refused(client, sign_in):
    sign_in("admin")
    officer = OfficerFactory()
    db.session.commit()
    response = _submit(
        client,
        f"/admin/officers/{officer.id}/absences",
        {"kind": "leave", "starts_on": ["9", "12", "2026"], "ends_on": ["1", "12", "2026"]},
    )
    assert "The last day must be the same as or after the first day" in response.get_data(as_text=True)
    assert db.session.query(Absence).count() == 0


def test_service_edit_requires_a_place_unless_premises_only(client, sign_in):
    sign_in("supervisor")
    service = ServiceFactory()
    db.session.commit()
    url = f"/admin/services/{service.id}"
    base = {
        "name": "Blue Badge",
        "duration_minutes": "40",
        "skill_id": str(service.skill_id),
        "notice_hours": "24",
        "horizon_days": "28",
        "active": "y",
    }
    refused = _submit(client, url, base)
    assert "Select at least one place" in refused.get_data(as_text=True)
    saved = _submit(client, url, base | {"places": ["home", "hub"], "two_officers": "y"})
    assert saved.status_code == 302
    db.session.refresh(service)
    assert service.places == ["home", "hub"] and service.two_officers and service.duration_minutes == 40


def test_hub_opening_hours_validated_and_saved(client, sign_in):
    sign_in("supervisor")
    hub = HubFactory()
    db.session.commit()
    url = f"/admin/hubs/{hub.id}"
    data = {
        "name": hub.name,
        "address_line1": "1 Sheep Street",
        "town": "Devizes",
        "postcode": "sn10 1dl",
        "lat": "51.35",
        "lng": "-1.995",
        "active": "y",
    }
    hours = {f"hours-{d}-opens": "09:00" for d in range(5)} | {f"hours-{d}-closes": "17:00" for d in range(5)}
    bad = _submit(client, url, data | hours | {"hours-5-opens": "10:00"})
    assert "Enter both the opening and closing time" in bad.get_data(as_text=True)
    unreadable = _submit(client, url, data | hours | {"hours-5-opens": "25:99", "hours-5-closes": "5pm"})
    assert unreadable.status_code == 200  # the form again with its error, not a server error
    assert "Enter the opening time as a 24-hour time" in unreadable.get_data(as_text=True)
    good = _submit(client, url, data | hours | {"hours-5-opens": "9.30am", "hours-5-closes": "12:30"})
    assert good.status_code == 302
    db.session.refresh(hub)
    assert hub.postcode == "SN10 1DL"
    assert [o.weekday for o in hub.opening_hours] == [0, 1, 2, 3, 4, 5]
    assert (hub.hours_on(5).opens, hub.hours_on(5).closes) == (time(9, 30), time(12, 30))


def test_impossible_or_malformed_dates_get_a_clear_message(client, sign_in):
    sign_in("supervisor")
    officer = OfficerFactory()
    db.session.commit()
    url = f"/admin/officers/{officer.id}/absences"
    response = _submit(client, url, {"kind": "leave", "starts_on": ["31", "2", "2026"], "ends_on-day": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "First day must be a real date" in html
    assert "Enter the last day of the absence" in html


def test_an_officers_base_is_a_hub_or_a_postcode_never_coordinates(client, sign_in):
    sign_in("supervisor")
    area, skill = AreaFactory(), SkillFactory()
    hub = HubFactory(area=area, name="Trowbridge hub", lat=51.32, lng=-2.21)
    db.session.commit()
    page = client.get("/admin/officers/new").get_data(as_text=True)
    assert "Latitude" not in page and "Trowbridge hub" in page
    data = _officer_data(area.id, skill.id, base_postcode="", base_hub=hub.code)
    assert _submit(client, "/admin/officers/new", data).status_code == 302
    officer = db.session.query(Officer).filter_by(last_name="Shah").one()
    assert (officer.base_lat, officer.base_lng) == (51.32, -2.21)
    unknown = _submit(
        client, f"/admin/officers/{officer.id}", data | {"base_hub": "", "base_postcode": "ZZ1 1ZZ"}
    )
    assert "We do not recognise that postcode" in unknown.get_data(as_text=True)
    kept = _submit(client, f"/admin/officers/{officer.id}", data | {"base_hub": "", "first_name": "Pri"})
    assert kept.status_code == 302
    db.session.refresh(officer)
    assert officer.first_name == "Pri" and (officer.base_lat, officer.base_lng) == (51.32, -2.21)
