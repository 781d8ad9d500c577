"""Odd input gets a clear 4xx, never a 500 (#15.3 and #15.8): bodies are bounded, callers are
authenticated before their body is read, and days, numbers and JSON pass one guard each."""

from __future__ import annotations

import io
import json

import pytest
import time_machine

from app.extensions import db
from app.models import Address
from tests.booking_helpers import NOW, World
from tests.factories import OfficerFactory
from tests.pages import csrf_token, sign_out

DEEP = "[" * 5000 + "]" * 5000


def _world() -> World:
    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    return world


# Bodies (#15.3) ----------------------------------------------------------------------------------


def test_an_unauthenticated_caller_is_refused_before_its_body_is_parsed(client):
    # Parsing 5,000 levels of JSON overflows the parser's recursion: only reading it first could fail.
    response = client.post("/api/v1/appointments", data=DEEP, content_type="application/json")
    assert response.status_code == 401


def test_a_body_over_the_limit_is_413_before_anything_else(client, bearer):
    big = json.dumps({"notes": "x" * (2 * 1024 * 1024)})
    response = client.post("/api/v1/appointments", data=big, content_type="application/json", headers=bearer)
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large" and "KB" in response.get_json()["message"]
    page = client.post("/manage/find", data={"reference": "x" * (2 * 1024 * 1024)})
    assert page.status_code == 413 and "too large" in page.get_data(as_text=True)


def test_deeply_nested_json_is_422_with_a_clear_message(client, bearer):
    for body in (DEEP, '{"a":' * 50 + "1" + "}" * 50):
        response = client.post(
            "/api/v1/appointments", data=body, content_type="application/json", headers=bearer
        )
        assert response.status_code == 422
        assert "nested" in response.get_json()["errors"]["body"][0]


def test_nesting_inside_strings_is_not_counted(client, bearer):
    body = json.dumps({"notes": "[[[[{{{{" * 100, "slot_id": "short"})
    response = client.post("/api/v1/appointments", data=body, content_type="application/json", headers=bearer)
    assert response.status_code == 422 and "body" not in response.get_json()["errors"]


# Query strings and forms (#15.8) -------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "9999-12-31"}, "from"),
        ({"from": "0001-01-01"}, "from"),
        ({"postcode": "", "lat": "nan", "lng": "-1.99"}, "lat"),
        ({"postcode": "", "lat": "51.3", "lng": "inf"}, "lng"),
        ({"postcode": "", "lat": "1e999", "lng": "-1.99"}, "lat"),
        ({"days": "²"}, "days"),
        ({"days": "99999999999999999999999"}, "days"),
    ],
)
def test_availability_answers_odd_values_with_422_naming_the_field(client, params, field):
    world = _world()
    query = {"service": world.service.code, "location_type": "home", "postcode": "SN10 1AA"} | params
    response = client.get("/api/v1/availability", query_string=query)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["errors"]


@time_machine.travel(NOW, tick=False)
def test_the_resident_journey_ignores_days_outside_the_calendar(client):
    from tests.booking.test_booking_journey import _journey_to_check

    world = _world()
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    _journey_to_check(client, world)
    for day in ("9999-12-31", "0001-01-01"):
        assert client.get(f"/book/time?from={day}").status_code == 200
    html = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(html)})
    from app.appointments.links import manage_url
    from app.models import Appointment

    client.get(manage_url(db.session.query(Appointment).one(), external=False))
    assert client.get("/manage/booking/change?from=9999-12-31").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_staff_pages_answer_odd_days_and_numbers_without_a_500(client, sign_in, make_user):
    officer_user = sign_in("officer")
    OfficerFactory(user=officer_user)
    db.session.commit()
    assert client.get("/officer/day/9999-12-31").status_code == 404
    assert client.get("/officer/day/0001-01-01").status_code == 404
    assert client.get("/officer/day/2026-12-07").status_code == 200
    sign_out(client)
    sign_in("supervisor")
    for url in (
        "/supervisor/dashboard?month=9999-12",
        "/supervisor/dashboard?month=0001-01",
        "/supervisor/reports/by_service.csv?month=9999-12",
        "/agent/capacity?day=9999-12-31",
        "/agent/capacity?day=0001-01-01",
        "/supervisor/routes?officer=²&day=9999-12-31",
        "/supervisor/routes?officer=99999999999999999999",
        "/supervisor/replan?officer=1&day=9999-12-31",
    ):
        assert client.get(url).status_code == 200, url


def test_kiosk_forms_answer_non_numbers_with_404_or_a_message(client, sign_in):
    sign_in("admin")
    page = client.get("/admin/kiosks").get_data(as_text=True)
    token = csrf_token(page)
    assert client.post("/admin/kiosks", data={"revoke": "abc", "csrf_token": token}).status_code == 404
    assert client.post("/admin/kiosks", data={"revoke": "9" * 30, "csrf_token": token}).status_code == 404
    response = client.post("/admin/kiosks", data={"hub_id": "x", "name": "Desk", "csrf_token": token})
    assert response.status_code == 200 and "Choose a hub" in response.get_data(as_text=True)
    response = client.post("/staff/kiosk-help", data={"request_id": "one", "csrf_token": token})
    assert response.status_code == 404


def test_dates_in_forms_outside_the_calendar_get_a_message(client, sign_in):
    sign_in("supervisor")
    officer = OfficerFactory()
    db.session.commit()
    url = f"/admin/officers/{officer.id}/absences"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            "kind": "leave",
            "starts_on": ["31", "12", "9999"],
            "ends_on": ["1", "1", "99999999999999999999"],
            "csrf_token": csrf_token(page),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "First day must be between 2000 and 2099" in html


@pytest.mark.parametrize(
    "target",
    [
        "/staff/%0d%0aSet-Cookie:%20x=1",
        "/staff/%0aLocation:%20https://evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
    ],
)
def test_sign_in_never_follows_a_next_that_splits_headers_or_leaves_the_site(client, make_user, target):
    from tests.factories import PASSWORD

    user = make_user(role="admin")
    db.session.commit()
    page = client.get(f"/sign-in?next={target}")
    assert page.status_code == 200
    response = client.post(
        f"/sign-in?next={target}",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


# Files (outsider attack, 2026-12-02) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/manage/find", {"reference": None, "surname": "x", "postcode": "x"}),
        ("/sign-in", {"email": None, "password": "x"}),
        ("/tell-us", {"message": None}),
    ],
)
def test_a_form_field_sent_as_a_file_is_refused_not_a_server_error(client, url, fields):
    """Flask-WTF merges uploaded files into a form's data, so a text field sent as a file reached its
    validators as a file object (a 500). No form takes files: such a request gets the 400 page."""
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {
        name: value if value is not None else (io.BytesIO(b"hello"), "a.txt")
        for name, value in fields.items()
    }
    response = client.post(url, data={**data, "csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in response.get_data(as_text=True)
    texts = {name: value if value is not None else "hello" for name, value in fields.items()}
    as_text = client.post(url, data={**texts, "csrf_token": token}, content_type="multipart/form-data")
    assert as_text.status_code in (200, 302)  # the same form as text, multipart or not, is read as ever
