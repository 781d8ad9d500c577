"""Typed text on one line is kept with its spaces tidied (app.inputs.one_line): no spaces around it, and
each run of spaces inside it, a no-break space too, one space. Second attack, December 2026: the letters
allowance per address was beaten by typing "12  High Street" (two spaces), stored as typed; and then
"12 High St": the allowance now compares doors (app.places.places.same_door)."""

from __future__ import annotations

import pytest
import time_machine

from app.extensions import db
from app.inputs import one_line
from app.models import Appointment, Customer
from app.places.places import same_door
from tests.booking_helpers import NOW, World, api_booking, api_home_slot
from tests.web.test_attack import _book_home_visit, _world_and_street


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("12  High Street", "12 High Street"),
        (" 12 High\u00a0Street\u2009 ", "12 High Street"),  # a no-break space and a thin space
        ("Anna\u3000Nowak", "Anna Nowak"),  # an ideographic space
        ("Ann\tSmith", "Ann\tSmith"),  # a tab is refused (hidden_characters), not quietly mended
        ("राम क्\u200dष", "राम क्\u200dष"),  # Nepali's joiners stay
    ],
)
def test_runs_of_spaces_are_kept_as_one(typed, kept):
    assert one_line(typed) == kept


def _by_letter(app, street, name: str, line1: str | None = None):
    """A public booking answered by letter at the street's address: chosen from the list, or typed."""
    world, address = street
    answer, _ = _book_home_visit(
        app.test_client(), world, address, "another", name, phone="", line1=line1, preferred_channel="post"
    )
    return answer


@time_machine.travel(NOW, tick=False)
def test_letters_to_one_address_count_however_its_spaces_were_typed(app, configure):
    configure(public_letter_bookings_per_address_per_day=2)
    street = _world_and_street()  # 12 High Street, SN10 1AB in the gazetteer
    chosen = _by_letter(app, street, "Ann One")
    typed = _by_letter(app, street, "Bob  Two", line1=" 12  High Street ")
    assert chosen.headers["Location"] == typed.headers["Location"] == "/book/confirmation"
    stored = db.session.query(Appointment).order_by(Appointment.id).all()[-1]
    assert stored.address_line1 == "12 High Street" and stored.customer.name == "Bob Two"
    for line1 in (
        "12   High   Street",
        "12 High\u00a0Street",
        "12\u2009High Street",
        "12, High St.",
        "12 HIGH ST",
    ):
        refused = _by_letter(app, street, "Cat Three", line1=line1)
        assert "as many bookings online today as we allow for one address" in refused.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 2


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("12 High St", "12 high street", True),
        ("Flat 2, 3 Church Rd.", "flat 2 3 church road", True),
        ("St Mary's Cl", "st marys close", True),
        ("4 Kennet Ave", "4 Kennet Av", True),
        # Attack of 2 December, afternoon: the town added, a full-width digit, "No.", a floor, a typo.
        ("1 Bath Road", "1 Bath Road, Melksham", True),
        ("1 Bath Road", "\uff11 Bath Road", True),
        ("1 Bath Road", "No. 1 Bath Road", True),
        ("1 Bath Road", "Ground floor, 1 Bath Road", True),
        ("1 Bath Road", "1, Bath Rd (front door)", True),
        ("1 Bath Road", "1 Bath Roadd", True),
        ("12 High Street", "14 High Street", False),  # next door is another door
        # Attack of 2 December, later: a flat number, or zeros in front, named a new door.
        ("Flat 1, 3 Springfield", "3 Springfield", True),
        ("03 Springfield", "3 Springfield", True),
        ("Flat 7/8, 12 High Street", "12a High Street", True),
        ("\u0661\u0662 High St", "12 High Street", True),  # Arabic-Indic digits
    ],
)
def test_a_door_is_one_key_however_its_first_line_was_typed(one, other, same):
    assert (same_door(one) == same_door(other)) is same


@time_machine.travel(NOW, tick=False)
def test_the_api_keeps_names_and_address_lines_as_the_forms_do(client, bearer):
    world = World()
    slot = api_home_slot(client, world)
    body = api_booking(world, slot, customer={"name": " Jo \u00a0Bloggs", "phone": "07700 900123"})
    body["address"] |= {"line1": "12  High\u00a0Street", "town": "Devizes  "}
    booked = client.post("/api/v1/appointments", json=body, headers=bearer)
    assert booked.status_code == 201, booked.get_json()
    visit = db.session.query(Appointment).one()
    assert (visit.address_line1, visit.town) == ("12 High Street", "Devizes")
    assert db.session.query(Customer).one().name == "Jo Bloggs"


@time_machine.travel(NOW, tick=False)
def test_doors_named_in_ever_new_ways_still_share_their_postcodes_allowance(app, configure):
    """A door's allowance, and twice that per postcode: "Flat 9, 3 Springfield 7" can name yet another
    number, but not another postcode's letter box."""
    configure(public_letter_bookings_per_address_per_day=1)
    street = _world_and_street()
    answers = [
        _by_letter(app, street, name, line1=line1)
        for name, line1 in (
            ("Ann One", "12 High Street"),
            ("Bob Two", "14 High Street"),
            ("Cat Three", "16 High Street"),
        )
    ]
    assert [a.headers.get("Location") for a in answers[:2]] == ["/book/confirmation"] * 2
    assert "as many bookings online today as we allow for one address" in answers[2].get_data(as_text=True)
    assert db.session.query(Appointment).count() == 2
