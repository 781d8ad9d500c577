"""An agent's reads of customers' records are audited wherever they are made: the caller search (which
records it listed, never what was typed), the customer's page, the form showing their details, the
merge page and the new-caller form's "they may already have a record"."""

from __future__ import annotations

import json

import time_machine

from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.models import AuditEvent
from tests.booking_helpers import NOW, World, book_first_slot
from tests.factories import CustomerFactory
from tests.pages import submit_form


def _audited(action: str) -> list[AuditEvent]:
    return db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()


def _written(event: AuditEvent) -> str:
    return f"{event.object_id} {json.dumps(event.detail)}"


def test_a_search_records_the_records_it_listed_and_not_what_was_typed(client, sign_in):
    jo = CustomerFactory(name="Jo Bloggs", phone="+447700900123", postcode="SN10 1AA")
    CustomerFactory(name="Sam Other", phone="+447700900999", postcode="BA12 1QJ")
    agent = sign_in("agent")
    for typed in ("Bloggs", "07700 900123", "SN10 1AA"):
        assert "Jo Bloggs" in client.get("/agent/", query_string={"q": typed}).get_data(as_text=True)
    searches = _audited("customer_search")
    assert len(searches) == 3
    for event in searches:
        assert event.user_id == agent.id
        assert event.detail["customers"] == [jo.id] and event.detail["results"] == 1
        written = _written(event)
        assert "Bloggs" not in written and "900123" not in written and "SN10" not in written


def test_viewing_a_customer_s_page_or_details_form_is_audited(client, sign_in):
    jo = CustomerFactory(name="Jo Bloggs")
    agent = sign_in("agent")
    assert client.get(f"/agent/customers/{jo.id}").status_code == 200
    assert client.get(f"/agent/customers/{jo.id}/edit").status_code == 200
    views = _audited("customer_viewed")
    assert [(e.user_id, e.object_id, e.detail["page"]) for e in views] == [
        (agent.id, str(jo.id), "customer"),
        (agent.id, str(jo.id), "edit"),
    ]


def test_the_merge_page_audits_the_record_and_the_candidates_it_lists(client, sign_in):
    jo = CustomerFactory(name="Jo Bloggs", phone="+447700900123")
    twin = CustomerFactory(name="Jo Bloggs", phone="+447700900123")
    sign_in("agent")
    page = client.get(f"/agent/customers/{jo.id}/merge").get_data(as_text=True)
    assert f'value="{twin.id}"' in page
    (viewed,) = _audited("customer_viewed")
    (search,) = _audited("customer_search")
    assert viewed.object_id == str(jo.id) and search.detail["page"] == "merge"
    assert twin.id in search.detail["customers"]


def test_the_new_caller_form_s_matches_are_an_audited_search(client, sign_in):
    jo = CustomerFactory(name="Jo Bloggs", phone="+447700900123")
    sign_in("agent")
    answer = submit_form(
        client,
        "/agent/callers/new",
        {"name": "Someone Else", "phone": "07700 900123", "line1": "1 Any Road", "postcode": "SN10 1AA"},
    )
    assert "Jo Bloggs" in answer.get_data(as_text=True)  # offered the record they may have
    (search,) = _audited("customer_search")
    assert search.detail["page"] == "new_caller" and search.detail["customers"] == [jo.id]
    assert "900123" not in _written(search)


@time_machine.travel(NOW, tick=False)
def test_every_agent_page_showing_a_customer_s_details_is_an_audited_read(client, sign_in):
    """Attack finding (3 December): the booking and waiting-list pages show the caller's name and
    address, reached by a record's id alone, and recorded nothing, so an agent could trawl the ids past
    the audited customer page without a trace (the move and cancel pages, by the visit's id, show the
    service, when and the officer, and the caller's name when an interpreter is needed)."""
    world = World()
    appointment = book_first_slot(world, CustomerDetails(name="Jo Bloggs", phone="+447700900123"))
    db.session.commit()
    jo = appointment.customer
    agent = sign_in("agent")
    visit = appointment.service.name  # what the move and cancel pages say of their visit, and when
    pages = [
        (f"/agent/customers/{jo.id}/book", "book", "Jo Bloggs"),
        (f"/agent/customers/{jo.id}/waitlist", "waitlist", "Jo Bloggs"),
        (f"/agent/appointments/{appointment.id}/move", "move", visit),
        (f"/agent/appointments/{appointment.id}/cancel", "cancel", visit),
    ]
    for url, _, shown in pages:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert shown in answer.get_data(as_text=True), url
    views = _audited("customer_viewed")
    assert [(e.user_id, e.object_id, e.detail["page"]) for e in views] == [
        (agent.id, str(jo.id), page) for _, page, _ in pages
    ]
