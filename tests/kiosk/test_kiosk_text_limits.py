"""The kiosk's "Text me my booking" is for the resident's own phone (attack of 2 December 2026): it texted
the booking, with its link, to any number typed, 10 a minute per kiosk and with no allowance, so one
booking reached 10 strangers a minute and booking again texted one person 30 times an hour. Now a
booking goes to three numbers at most, and a number other than the booking's own uses that number's
public allowance, as a booking with it would."""

from __future__ import annotations

from app.booking.customers import check_public_allowance
from app.extensions import db
from app.models import Message
from tests.booking_helpers import book_at_a_kiosk
from tests.pages import submit_form

STRANGER = "+447700900777"


def _text(client, phone: str):
    return submit_form(client, "/kiosk/text-booking", {"phone": phone})


def _kiosk_texts_to(number: str) -> int:
    return db.session.query(Message).filter_by(kind="kiosk_confirmation", recipient=number).count()


def test_one_kiosk_booking_is_texted_to_three_numbers_at_most(client):
    book_at_a_kiosk(client)
    for last in ("101", "102", "103"):
        sent = _text(client, f"07700 900{last}")
        assert sent.status_code == 200 and f"ending {last}" in sent.get_data(as_text=True)
    fourth = _text(client, "07700 900104")
    html = fourth.get_data(as_text=True)
    assert fourth.status_code == 400 and "ending 104" not in html
    assert "We have already texted this booking to as many numbers as we can" in html
    assert _kiosk_texts_to("+447700900104") == 0
    # A number it went to already is told so again (nothing is sent twice).
    assert "ending 102" in _text(client, "07700 900102").get_data(as_text=True)
    assert _kiosk_texts_to("+447700900102") == 1


def test_a_strangers_number_uses_its_allowance(client):
    book_at_a_kiosk(client)
    for _ in range(3):  # three online bookings with that number today: its allowance is used up
        check_public_allowance(STRANGER, "")
    db.session.commit()
    answer = _text(client, "07700 900777")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "ending 777" not in html
    assert "as many bookings online today as we allow for one phone number" in html
    assert _kiosk_texts_to(STRANGER) == 0


def test_the_bookings_own_number_is_texted_whatever_its_allowance(client):
    """Kim booked with 07700 900321 (a use of its allowance then); texting her own booking to it again
    takes nothing more."""
    book_at_a_kiosk(client)
    for _ in range(2):
        check_public_allowance("+447700900321", "")
    db.session.commit()
    sent = _text(client, "07700 900321")
    assert sent.status_code == 200 and "ending 321" in sent.get_data(as_text=True)
    assert _kiosk_texts_to("+447700900321") == 1
