"""Polish and Nepali that read badly (found by an earlier walk): the cancel reason's errors named the
field "Pole „Twoja odpowiedź”" (a field called "Your answer"), where the English says "Your answer must
be 500 characters or less"; and "Twoja wizyta się nie zmieniła. Nadal jest: <date>" hung the date on a
colon. Each is now one natural sentence, in Nepali too."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.booking.booking_request import CustomerDetails
from app.extensions import db
from tests.booking.test_manage_details import _open
from tests.booking_helpers import NOW, World, book_first_slot
from tests.pages import csrf_token, error_summary


def _booked(world: World, locale: str):
    details = CustomerDetails(
        name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True, locale=locale
    )
    appointment = book_first_slot(world, details, days=5)
    db.session.commit()
    return appointment


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "too_long", "hidden"),
    [
        (
            "en",
            "Your answer must be 500 characters or less",
            "Your answer must not include hidden characters",
        ),
        (
            "pl",
            "Twoja odpowiedź może mieć najwyżej 500 znaków",
            "Twoja odpowiedź nie może zawierać ukrytych znaków",
        ),
        ("ne", "तपाईंको जवाफ बढीमा 500 अक्षरको हुनुपर्छ", "तपाईंको जवाफमा लुकेका अक्षरहरू हुनु हुँदैन"),
    ],
)
def test_the_cancel_reasons_errors_say_your_answer_as_a_sentence(client, locale, too_long, hidden):
    appointment = _booked(World(), locale)
    client.get(f"/language/{locale}")
    _open(client, appointment)
    page = client.get("/manage/booking/cancel").get_data(as_text=True)
    for reason, said in (("x" * 501, too_long), ("Ill\x07", hidden)):
        answer = client.post(
            "/manage/booking/cancel", data={"csrf_token": csrf_token(page), "reason": reason}
        )
        errors = error_summary(answer.get_data(as_text=True))
        assert errors == [said]
        assert "Pole" not in errors[0] and "„" not in errors[0]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "said", "not_said"),
    [
        (
            "pl",
            "Twoja wizyta się nie zmieniła. Jej termin to nadal poniedziałek, 7 grudnia 2026",
            "Nadal jest:",
        ),
        ("ne", "तपाईंको भेट परिवर्तन भएको छैन। यसको समय अझै पनि सोमबार, 7 डिसेम्बर 2026", "मा छ।"),
    ],
)
def test_an_unchanged_appointment_is_said_without_a_colon_before_its_date(client, locale, said, not_said):
    world = World()
    appointment = _booked(world, locale)
    client.get(f"/language/{locale}")
    _open(client, appointment)
    world.officers[0].skills = []  # nobody could move it: the page says it has not changed
    db.session.commit()
    page = _text(client.get("/manage/booking/change").get_data(as_text=True))
    assert said in page and not_said not in page
