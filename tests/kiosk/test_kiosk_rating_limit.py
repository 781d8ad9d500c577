"""The kiosk's "rate your visit" finds a visit by its booking reference, so each try is a guess at a
reference: it is limited as the other reference look-ups are (guards.REFERENCE_LOOKUPS), per kiosk,
and one kiosk's guesses leave another kiosk at the same hub free to rate."""

from __future__ import annotations

from app.extensions import db
from app.kiosk import kiosk as kiosks
from tests.booking_helpers import World
from tests.pages import csrf_token, set_up_kiosk
from tests.web.test_attack import _limited_app


def _guesses(client, times: int) -> list[int]:
    form = csrf_token(client.get("/kiosk/rate").get_data(as_text=True))
    data = {"csrf_token": form, "reference": "ZZZZ-ZZZZ", "score": "5"}
    return [client.post("/kiosk/rate", data=data).status_code for _ in range(times)]


def test_reference_guesses_at_a_kiosk_are_limited_per_kiosk(app):
    world = World()
    _first, first_token = kiosks.register(world.hub, "Reception kiosk")
    _second, second_token = kiosks.register(world.hub, "Library kiosk")
    db.session.commit()
    limited = _limited_app(app)
    first, second = limited.test_client(), limited.test_client()
    set_up_kiosk(first, first_token)
    set_up_kiosk(second, second_token)
    answers = _guesses(first, 11)
    assert answers == [200] * 10 + [429]  # "We cannot find a visit..." ten times, then no more
    assert _guesses(second, 1) == [200]
