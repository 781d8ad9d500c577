"""What a fresh-eyes walk of the booking forms found (phone agent and resident): each test failed
before its fix."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.extensions import db
from app.i18n import gettext_for
from app.models import Address, Appointment
from tests.booking_helpers import NOW, World, world_with_a_street
from tests.factories import CustomerFactory
from tests.pages import csrf_token, error_summary, field_error, home_visit_times, submit_form


def _slots(html: str) -> list[str]:
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


def _checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" type="radio" value="([^"]+)" checked', html)


def _caller(**overrides):
    values = dict(
        phone="+447700900123", email="", address_line1="12 High Street", postcode="SN10 1AB", lat=51.355,
        lng=-1.99, preferred_channel="sms", sms_consent=True,
    )  # fmt: skip
    return CustomerFactory(**(values | overrides))


@time_machine.travel(NOW, tick=False)
def test_an_agent_cannot_choose_email_reminders_for_a_caller_with_no_email(client, sign_in):
    """Finding 1: "Email" could be chosen for a caller with no email address and the booking went
    through; no reminder would ever be sent."""
    sign_in("agent")
    world = World()
    customer = _caller()
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url, data={"csrf_token": csrf_token(page), "slot": _slots(page)[0], "preferred_channel": "email"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    message = "Emails need an email address: change the caller's details"
    assert error_summary(html) == [message]
    assert field_error(html, "preferred_channel") == message
    assert db.session.query(Appointment).filter_by(customer_id=customer.id).count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_caller_whose_record_says_email_but_has_none_is_offered_a_letter(client, sign_in):
    """Finding 1: the page ticked "Email" for a caller with no email address."""
    sign_in("agent")
    world = World()
    customer = _caller(phone="+441380722000", preferred_channel="email", sms_consent=False)
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    assert _checked(client.get(url).get_data(as_text=True), "preferred_channel") == ["post"]


@time_machine.travel(NOW, tick=False)
def test_taking_away_a_callers_email_stops_email_reminders(client, sign_in):
    """Finding 1: the caller's record kept "Email" after the agent removed the email address."""
    sign_in("agent")
    World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99)
    )
    customer = _caller(phone="+441380722000", email="ann@example.com", preferred_channel="email")
    db.session.commit()
    url = f"/agent/customers/{customer.id}/edit"
    response = submit_form(
        client,
        url,
        {"name": customer.name, "phone": "01380 722000", "line1": "12 High Street", "postcode": "SN10 1AB"},
    )
    assert response.status_code == 302
    db.session.refresh(customer)
    assert customer.email == "" and customer.preferred_channel == "post"
    page = re.sub(r"\s+", " ", client.get(f"/agent/customers/{customer.id}").get_data(as_text=True))
    assert re.search(r"Reminders by ?</dt> ?<dd[^>]*> ?Letter by post ?</dd>", page)


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "By letter"), ("pl", "Listownie"), ("ne", "चिठीद्वारा")]
)
@time_machine.travel(NOW, tick=False)
def test_the_check_page_says_reminders_come_by_letter(client, locale, expected):
    """Finding 2: choosing "By letter to this address" left the Reminders row blank."""
    world = world_with_a_street()
    assert gettext_for(locale)("By letter") == expected  # the catalogue has it, compiled
    client.get(f"/language/{locale}")
    address = db.session.query(Address).filter_by(uprn="100123").one()
    time_page = home_visit_times(client, world.service.code, "SN10 1AB", address.id)
    client.post("/book/time", data={"slot": _slots(time_page)[0], "csrf_token": csrf_token(time_page)})
    details = {"name": "Jo Bloggs", "phone": "01380 722000", "preferred_channel": "post"}
    assert submit_form(client, "/book/details", details).headers["Location"] == "/book/check"
    html = client.get("/book/check").get_data(as_text=True)
    row = r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>'
    rows = {
        re.sub(r"\s+", " ", k).strip(): re.sub(r"\s+", " ", v).strip() for k, v in re.findall(row, html, re.S)
    }
    assert rows[gettext_for(locale)("Reminders")] == expected


@time_machine.travel(NOW, tick=False)
def test_a_home_only_service_at_a_hub_is_an_error_on_where_not_hub_times(client, sign_in):
    """Finding 3: a home-only service showed the hub's times while the Where box showed Home; the
    error came only after a time was picked."""
    sign_in("agent")
    world = World()
    world.service.at_hub = False
    customer = _caller()
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book"
    query = {"service": world.service.code, "place": f"hub:{world.hub.code}", "officer": ""}
    response = client.get(url, query_string=query)
    html = response.get_data(as_text=True)
    message = f"{world.service.name} is not offered at a hub"
    assert response.status_code == 200
    assert error_summary(html) == [message]
    assert field_error(html, "place") == message
    assert _slots(html) == [] and "Book</button>" not in html
    # The box still shows the hub the error is about (it showed "Home", contradicting the error).
    assert re.search(rf'<option value="hub:{world.hub.code}" selected>', html)
    at_home = client.get(url, query_string=query | {"place": "home"}).get_data(as_text=True)
    assert _slots(at_home) and "govuk-error-summary" not in at_home


@time_machine.travel(NOW, tick=False)
def test_show_free_times_with_no_service_says_choose_a_service(client, sign_in):
    """Finding 4: "Show free times" with no service chosen did nothing and showed no error."""
    sign_in("agent")
    World()
    customer = _caller()
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book"
    assert "govuk-error-summary" not in client.get(url).get_data(as_text=True)  # nothing asked yet
    shown = client.get(url, query_string={"service": "", "place": "home", "officer": ""})
    html = shown.get_data(as_text=True)
    assert error_summary(html) == ["Choose a service"]
    assert field_error(html, "service") == "Choose a service"


def test_find_a_caller_heads_the_number_column_phone(client, sign_in):
    """Finding 5: the column headed "Mobile" showed landlines."""
    sign_in("agent")
    CustomerFactory(name="Lan Dline", phone="+441380722000")
    db.session.commit()
    html = client.get("/agent/", query_string={"q": "Lan Dline"}).get_data(as_text=True)
    headers = re.findall(r'<th scope="col" class="govuk-table__header">(.*?)</th>', html)
    assert headers == ["Name", "Phone", "Address"]
    assert "01380 722000" in html


@time_machine.travel(NOW, tick=False)
def test_a_caller_whose_home_is_not_on_the_map_gets_an_error_that_says_what_to_do(client, sign_in):
    """The booking page showed nothing at all (no times, no error) for a home the gazetteer and the
    postcode look-up could not place."""
    sign_in("agent")
    world = World()
    unplaced = _caller(address_line1="Rose Cottage", postcode="SN99 9ZZ", lat=None, lng=None)
    no_address = _caller(address_line1="", postcode="", lat=None, lng=None)
    db.session.commit()
    query = {"service": world.service.code, "place": "home", "officer": ""}
    html = client.get(f"/agent/customers/{unplaced.id}/book", query_string=query).get_data(as_text=True)
    message = (
        "We cannot find Rose Cottage, SN99 9ZZ on the map, so there are no times at home. Check the address "
        "and postcode with the caller and correct them with Change details, or choose a hub"
    )
    assert error_summary(html) == [message] and field_error(html, "place") == message
    html = client.get(f"/agent/customers/{no_address.id}/book", query_string=query).get_data(as_text=True)
    assert error_summary(html) == [
        "The caller has no home address on their record. Add it with Change details, or choose a hub"
    ]
    # At a hub the same caller gets times.
    at_hub = query | {"place": f"hub:{world.hub.code}"}
    html = client.get(f"/agent/customers/{unplaced.id}/book", query_string=at_hub).get_data(as_text=True)
    assert _slots(html) and "govuk-error-summary" not in html


def _officer_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="officer".*?</select>', html, flags=re.S).group(0)
    return [" ".join(text.split()) for text in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


@time_machine.travel(NOW, tick=False)
def test_the_agent_s_booking_page_offers_only_officers_who_can_do_the_service(client, sign_in):
    """Walk finding: the officer list offered every officer, so an agent could pick one without the
    service's skill (or who never works the caller's area) and see no free times, for no reason given."""
    from tests.factories import AreaFactory, OfficerFactory, SkillFactory

    sign_in("agent")
    world = World()
    (able,) = world.officers
    able.first_name, able.last_name = "Able", "Housing"
    other_skill = OfficerFactory(
        first_name="Wrong", last_name="Skill", skills=[SkillFactory()], areas=[world.area]
    )
    elsewhere = OfficerFactory(
        first_name="Far", last_name="Away", skills=[world.skill], areas=[AreaFactory(lat=51.07, lng=-1.79)]
    )
    customer = _caller()
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book"

    service_only = client.get(url, query_string={"service": world.service.code}).get_data(as_text=True)
    assert _officer_options(service_only) == ["Any officer", "Far Away", "Able Housing"]  # by last name

    query = {"service": world.service.code, "place": "home"}
    page = client.get(url, query_string=query | {"officer": ""}).get_data(as_text=True)
    assert _officer_options(page) == ["Any officer", "Able Housing"]
    assert _slots(page)

    # One who cannot (a link kept from before, or a service changed after choosing): said, no times.
    for officer in (other_skill, elsewhere):
        refused = client.get(url, query_string=query | {"officer": str(officer.id)}).get_data(as_text=True)
        message = (
            f"{officer.name} cannot do {world.service.name} there: choose another officer, or any officer"
        )
        assert field_error(refused, "officer") == message
        assert not _slots(refused)
        assert "Wrong Skill" not in _officer_options(refused)
    mine = client.get(url, query_string=query | {"officer": str(able.id)}).get_data(as_text=True)
    assert _slots(mine) and 'id="officer-error"' not in mine
