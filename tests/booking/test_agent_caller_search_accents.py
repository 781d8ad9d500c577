"""The agent's caller search forgives accents and case (a user walk: "Zofia Wisniewska" did not find
"Zofia Wiśniewska"). Names are compared folded (customer.name_folded, kept with every change of the
name), so PostgreSQL and SQLite find the same callers."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.models import Address, Customer
from tests.booking_helpers import NOW, World, book_first_slot
from tests.factories import CustomerFactory
from tests.pages import csrf_token, submit_form


def _found(client, query: str) -> list[str]:
    """The callers the agent's search lists, by name."""
    page = client.get("/agent/", query_string={"q": query}).get_data(as_text=True)
    return re.findall(r'href="/agent/customers/\d+">([^<]+)</a>', page)


@pytest.mark.parametrize(
    "typed",
    [
        "Zofia Wisniewska",
        "zofia wiśniewska",
        "ZOFIA WIŚNIEWSKA",
        "wisniewska",
        "Wiśniew",
        "zofia  wisniewska",
    ],
)
@time_machine.travel(NOW, tick=False)
def test_the_agent_finds_a_polish_name_typed_without_its_accents_in_any_case(client, sign_in, typed):
    sign_in("agent")
    CustomerFactory(name="Zofia Wiśniewska", phone="+447700900555")
    CustomerFactory(name="Zofia Wisz", phone="+447700900556")
    db.session.commit()
    assert _found(client, typed) == ["Zofia Wiśniewska"]


@time_machine.travel(NOW, tick=False)
def test_letters_without_an_accent_to_take_off_and_the_name_written_with_them(client, sign_in):
    sign_in("agent")
    for name, phone in (("Łukasz Żółć", "+447700900557"), ("Siân O’Brien", "+447700900558")):
        CustomerFactory(name=name, phone=phone)
    db.session.commit()
    assert _found(client, "lukasz zolc") == ["Łukasz Żółć"]
    assert _found(client, "Łukasz Żółć") == ["Łukasz Żółć"]  # as the record has it, of course
    assert _found(client, "sian o'brien") == ["Siân O’Brien"]
    assert _found(client, "%") == [] and _found(client, "__") == []  # still letters, not wildcards
    # Attack of 2 December: what folds to nothing, or to one letter, searched for everyone.
    for typed in ("--", "- -", "\u0301\u0301", "a\u0301"):
        assert _found(client, typed) == [], typed


@time_machine.travel(NOW, tick=False)
def test_a_renamed_caller_is_found_by_the_new_name_and_not_the_old(client, sign_in):
    sign_in("agent")
    World()
    customer = CustomerFactory(
        name="Zofia Nowak", phone="+447700900555", address_line1="12 High Street", postcode="SN10 1AB"
    )
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    url = f"/agent/customers/{customer.id}/edit"
    page = client.get(url).get_data(as_text=True)
    changed = client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "name": "Zofia Wiśniewska",
            "phone": "07700 900555",
            "line1": "12 High Street",
            "postcode": "SN10 1AB",
        },
    )
    assert changed.status_code == 302
    assert _found(client, "wisniewska") == ["Zofia Wiśniewska"] and _found(client, "nowak") == []


@time_machine.travel(NOW, tick=False)
def test_a_new_caller_typed_without_accents_is_offered_the_record_with_them(client, sign_in):
    """Same name and postcode compares folded names too: no second record for one person because the
    agent typed no accents."""
    sign_in("agent")
    World()
    CustomerFactory(name="Zofia Wiśniewska", phone="+447700900555", postcode="SN10 1AB")
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    details = {
        "name": "Zofia Wisniewska",
        "phone": "01380 722000",
        "line1": "12 High Street",
        "postcode": "SN10 1AB",
    }
    html = submit_form(client, "/agent/callers/new", details).get_data(as_text=True)
    assert "This caller may already have a record" in html and "same name and postcode" in html
    assert db.session.query(Customer).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_resident_who_booked_online_is_found_without_the_accents_they_typed(client, sign_in):
    """The booking engine writes a new customer's record in one statement with the booking (on
    PostgreSQL): the folded name goes with it."""
    book_first_slot(World(), CustomerDetails(name="Zofia Wiśniewska", phone="+447700900123"))
    db.session.commit()
    sign_in("agent")
    assert _found(client, "Zofia Wisniewska") == ["Zofia Wiśniewska"]


@pytest.mark.parametrize("typed", ["wisniewska", "Jo Bloggs"])  # "Jo Bloggs": eight letters, like a reference
def test_on_postgresql_the_search_can_read_the_trigram_index(postgres, typed):
    """Migration 0028: a trigram GIN index on name_folded serves the search's LIKE '%text%'. With
    sequential scans priced out (a test table is too small for the planner to prefer the index), the
    plan of the very statement find_callers sends uses it: no part of the search (the reference's
    look-up, say) forces a scan of every record."""
    from sqlalchemy import event, text

    from app.booking.agent import find_callers

    sent = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        find_callers(typed)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    statement, parameters = sent[-1]
    connection = db.session.connection()
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
    assert any("ix_customer_name_folded_trgm" in line for line in plan), plan
