"""Phone numbers inside a longer text (a service's "where to go instead", a hub's closure notice, a
service's summary) are tap-to-call links, through the same rules as phone_link: E.164 in the href, the
number as written, text alone on a kiosk or for a number that charges the caller. Everything else in
the text is escaped: staff-written text can carry no markup onto a resident's page."""

from __future__ import annotations

from datetime import date

import time_machine

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import HubClosure
from tests.booking_helpers import NOW, World
from tests.factories import ServiceFactory
from tests.pages import set_up_kiosk

REGISTRATION = (
    "Registration takes place at the register office. Book with Wiltshire Registration Service, "
    "or phone 0300 003 4569."
)


def _render(app, text: str, **context) -> str:
    with app.test_request_context("/"):
        return app.jinja_env.from_string("{{ text|phone_links_in }}").render(text=text, **context)


def test_each_number_in_a_text_is_linked_and_the_rest_escaped(app):
    said = _render(app, "Ring 01380 722000 or <b>0300 003 4569</b> & ask for <script>alert(1)</script>")
    assert said == (
        'Ring <a class="govuk-link" href="tel:+441380722000">01380 722000</a> or &lt;b&gt;'
        '<a class="govuk-link" href="tel:+443000034569">0300 003 4569</a>&lt;/b&gt; &amp; ask for '
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    # A number that charges the caller, and a text with no number, stay text.
    assert _render(app, "Premium line 09098 790000.") == "Premium line 09098 790000."
    assert _render(app, "") == "" and _render(app, None) == ""
    # On a kiosk, which cannot dial, the number is text too.
    assert _render(app, REGISTRATION, kiosk_device=object()) == REGISTRATION


def test_a_service_booked_elsewhere_gives_its_number_to_tap(client):
    service = ServiceFactory(code="registration", premises_only=True, signpost=REGISTRATION)
    db.session.commit()
    page = client.get(f"/book/signpost/{service.code}").get_data(as_text=True)
    assert 'or phone <a class="govuk-link" href="tel:+443000034569">0300 003 4569</a>.' in page


def test_a_kiosk_shows_the_same_instructions_as_text(app):
    world = World()
    service = ServiceFactory(code="registration", premises_only=True, signpost=REGISTRATION)
    _device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    kiosk = app.test_client()
    set_up_kiosk(kiosk, token)
    page = kiosk.get(f"/book/signpost/{service.code}").get_data(as_text=True)
    assert "or phone 0300 003 4569." in page and "tel:+443000034569" not in page


@time_machine.travel(NOW, tick=False)
def test_a_hub_s_closure_notice_gives_its_number_to_tap(client):
    world = World()
    reason = "Flooded: for the library, phone 01380 722000"
    db.session.add(
        HubClosure(hub=world.hub, first_day=date(2026, 12, 9), last_day=date(2026, 12, 9), reason=reason)
    )
    db.session.commit()
    page = client.get(f"/hubs/{world.hub.code}").get_data(as_text=True)
    assert (
        'Flooded: for the library, phone <a class="govuk-link" href="tel:+441380722000">01380 722000</a>'
        in page
    )
