"""The council's contact-centre number comes from the settings (CONTACT_CENTRE_PHONE): the pages, the
texts and the kiosk's fallback all give the number the council set, none a number written into them."""

from __future__ import annotations

import time_machine

from app.booking.booking_request import CustomerDetails
from app.booking.changes import cancel
from app.extensions import db
from app.models import Message
from tests.booking_helpers import NOW, World, book_first_slot


def test_the_start_page_gives_the_councils_own_number(client, configure):
    configure(contact_centre_phone="01225 713000")
    page = client.get("/").get_data(as_text=True)
    assert (
        'Phone <a class="govuk-link" href="tel:+441225713000">01225 713000</a>, '
        "Monday to Friday, 8:30am to 5:30pm."
        in page
        and "0300 456 0100" not in page
    )


@time_machine.travel(NOW, tick=False)
def test_a_cancellation_text_says_to_call_the_councils_own_number(configure):
    configure(contact_centre_phone="01225 713000")
    appointment = book_first_slot(
        World(),
        CustomerDetails(name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True),
    )
    cancel(appointment, "")
    db.session.commit()
    (text,) = db.session.query(Message).filter_by(kind="cancellation").all()
    assert "01225 713000" in text.body and "0300 456 0100" not in text.body
