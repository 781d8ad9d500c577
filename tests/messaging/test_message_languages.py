"""Every message in the resident's language, and every text within two SMS segments in every language.

Polish and Nepali texts are UCS-2 (70 characters in one segment, 67 a segment after that), so they are
checked with the longest values real messages carry: the longest service name and list of documents
in the demo county's catalogue (translated), the longest date and time in each language, the longest
officer first name, and a manage link as long as a real one on a council's domain.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from icalendar import Calendar

from app.appointments.links import manage_url
from app.appointments.presenters import window_text
from app.booking.availability import ARRIVAL_WINDOWS
from app.booking.booking_request import CustomerDetails
from app.config import settings_changed
from app.demo import county
from app.extensions import db
from app.i18n import LANGUAGES, gettext_for
from app.messaging.dispatch import dispatch_due
from app.messaging.outbox import resident_texts
from app.models import Message
from app.timeutil import at_day_seconds
from notifications import templates
from notifications.templates import AppointmentFacts, sms_segments
from tests.booking_helpers import NOW, World, book_first_slot

LONG_BASE_URL = "https://appointments.wiltshire.gov.uk"
REFERENCE = "7K4M-P3QX"
KINDS = (
    "confirmation",
    "reminder_day_before",
    "reminder_morning",
    "cancellation",
    "reschedule",
    "officer_change",
    "satisfaction",
    "new_link",
    "contact_changed",
    "needs_changed",
)


# Texts whose link must reach the resident (in a follow-up text when it does not fit).
LINKED = ("confirmation", "reschedule", "officer_change", "new_link", "contact_changed", "needs_changed")


def _longest(values) -> str:
    return max(values, key=lambda v: (len(v.encode("utf-16-le")), not v.isascii()))


def _worst_when(locale: str) -> str:
    """The longest 'when' a text can carry in this language: every weekday and month, every window."""
    days = [date(2027, 1, 1) + timedelta(days=n) for n in range(365)]
    windows = list(ARRIVAL_WINDOWS) + [(t, t) for t in range(9 * 3600, 17 * 3600, 1800)]
    return _longest(
        window_text(at_day_seconds(day, a), at_day_seconds(day, b), locale, short=locale != "en")
        for day in days
        for a, b in windows
    )


def _worst_facts(
    app,
    locale: str,
    with_link: bool = True,
    with_officer: bool = True,
    at_hub: bool = False,
    with_staying: bool = False,
) -> AppointmentFacts:
    _ = gettext_for(locale)
    service = max(county.SERVICES, key=lambda s: len(_(s[1]).encode("utf-16-le")))
    wordiest = max(
        county.SERVICES, key=lambda s: len("; ".join(_(d) for d in s[8].splitlines()).encode("utf-16-le"))
    )
    with app.test_request_context(), settings_changed(app, public_base_url=LONG_BASE_URL):
        link = manage_url(SimpleNamespace(reference="7K4MP3QX", link_version=3))  # signed for it, no longer
    return AppointmentFacts(
        reference=REFERENCE,
        service=_(service[1]),
        when=_worst_when(locale),
        sms_when=_worst_when(locale),
        where="Royal Wootton Bassett Library, Borough Fields, Royal Wootton Bassett SN4 7AX",
        officer_first_name=max(county.FIRST_NAMES, key=len) if with_officer else "",
        documents=tuple(_(d) for d in wordiest[8].splitlines()),
        manage_url=link if with_link else "",
        council=app.extensions["settings"].council_name,
        hub=f"{max((a[1] for a in county.AREAS), key=len)} community hub" if at_hub else "",
        book_url=f"{LONG_BASE_URL}/book/",
        officer_staying=max(county.FIRST_NAMES, key=len) if with_staying else "",
    )


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
@pytest.mark.parametrize("kind", KINDS)
def test_every_text_fits_in_two_segments_with_the_longest_real_values(app, locale, kind):
    for with_link in (True, False):
        f = _worst_facts(app, locale, with_link=with_link)
        texts = resident_texts(kind, f, gettext_for(locale))
        for text in texts:
            assert sms_segments(text) <= 2, (locale, kind, len(text), text)
        assert REFERENCE in texts[0], "the first text always says which appointment"
        if kind != "satisfaction":  # "today"
            assert f.sms_when in texts[0]
        if with_link and kind in LINKED:
            assert any(f.manage_url in t for t in texts), "the link is never dropped: it follows instead"
            assert all(REFERENCE in t for t in texts), "a follow-up says which appointment it is about"
        if locale != "en":
            assert texts[0] != resident_texts(kind, f, gettext_for("en"))[0], "it is translated"


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_replies_and_waiting_list_texts_fit_in_two_segments(app, locale):
    _ = gettext_for(locale)
    f = _worst_facts(app, locale)
    references = [REFERENCE] * 6
    texts = [
        templates.help_reply(REFERENCE, _),
        templates.help_reply("", _),
        templates.which_appointment_reply(references, _),
        templates.thanks_reply(5, REFERENCE, _),
        templates.waitlist_gone_sms(f.council, _),
        *templates.waitlist_offer_sms(f.council, f.service, f.sms_when, f.manage_url, _),
        *templates.officer_change_sms(_worst_facts(app, locale, with_officer=False), _),
        *templates.officer_change_sms(_worst_facts(app, locale, at_hub=True), _),
        *templates.officer_change_sms(_worst_facts(app, locale, with_officer=False, at_hub=True), _),
        # One officer of a pair changes, the other stays (an absence re-plan): both names in the text.
        *templates.officer_change_sms(_worst_facts(app, locale, with_staying=True), _),
        *templates.officer_change_sms(_worst_facts(app, locale, with_staying=True, at_hub=True), _),
        *templates.contact_notice_sms(f, _),
    ]
    for text in texts:
        assert sms_segments(text) <= 2, (locale, len(text), text)
    assert any(f.manage_url in t for t in texts[5:])


def test_polish_and_nepali_texts_are_counted_as_ucs2():
    assert sms_segments("a" * 160) == 1 and sms_segments("a" * 161) == 2
    assert sms_segments("ą" * 70) == 1 and sms_segments("ą" * 71) == 2 and sms_segments("ą" * 134) == 2
    assert sms_segments("न" * 135) == 3


def _book_in(world, locale: str, channel: str = "sms"):
    appointment = book_first_slot(
        world,
        CustomerDetails(
            name="Agnieszka Kowalska",
            phone="+447700900124",
            email="agnieszka@example.com",
            preferred_channel=channel,
            sms_consent=True,
            locale=locale,
        ),
    )
    db.session.commit()
    return appointment


@time_machine.travel(NOW, tick=False)
def test_a_polish_residents_confirmation_arrives_in_polish(twilio):
    world = World()
    world.service.name = "Blue Badge"  # a service in the catalogue
    appointment = _book_in(world, "pl")
    assert appointment.customer.locale == "pl"
    report = dispatch_due()
    assert report.failed == 0
    bodies = [m["body"] for m in twilio.messages]
    assert bodies and all(sms_segments(b) <= 2 for b in bodies)
    first = bodies[0]
    assert "Wiltshire Council: zarezerwowano wizytę pon. 7.12, " in first
    assert "(Karta parkingowa Blue Badge)" in first
    assert f"Nr rez. {appointment.reference[:4]}-{appointment.reference[4:]}" in first
    link = manage_url(appointment)
    assert any(f"Zmiana lub anulowanie: {link}" in b for b in bodies), "the manage link arrives too"
    assert len(db.session.query(Message).filter_by(kind="confirmation", channel="sms").all()) == len(bodies)


@time_machine.travel(NOW, tick=False)
def test_a_nepali_residents_email_and_calendar_file_are_in_nepali(smtp):
    world = World()
    world.service.name = "Blue Badge"
    world.service.documents = "Proof of address"
    _book_in(world, "ne", channel="email")
    assert dispatch_due().sent == 1
    (email,) = smtp.messages
    assert email["Subject"].startswith("भेट बुक भयो: ब्लु ब्याज (Blue Badge)")
    body = email.get_body(("plain",)).get_content()
    assert "तपाईंको भेट बुक भएको छ।" in body and "ठेगानाको प्रमाण" in body and "सोमबार, 7 डिसेम्बर 2026" in body
    (attachment,) = list(email.iter_attachments())
    content = attachment.get_content()
    event = Calendar.from_ical(content if isinstance(content, str) else content.decode()).walk("VEVENT")[0]
    assert str(event["summary"]).endswith(": ब्लु ब्याज (Blue Badge)")
    assert "कृपया तयार राख्नुहोस्: ठेगानाको प्रमाण।" in str(event["description"])


@time_machine.travel(NOW, tick=False)
def test_an_english_residents_messages_are_unchanged(twilio):
    world = World()
    _book_in(world, "en")
    dispatch_due()
    (sent,) = twilio.messages
    assert "appointment is booked for Monday 7 December 2026, arriving between" in sent["body"]


@time_machine.travel(NOW, tick=False)
def test_a_polish_resident_who_asked_for_post_gets_a_polish_letter():
    world = World()
    world.service.name = "Blue Badge"
    _book_in(world, "pl", channel="post")
    (letter,) = db.session.query(Message).filter_by(channel="letter", kind="confirmation").all()
    assert letter.subject == gettext_for("pl")("Your appointment is booked")
    assert "Dziękujemy za rezerwację" in letter.body and "Karta parkingowa Blue Badge" in letter.body
    assert "poniedziałek, 7 grudnia 2026" in letter.body


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_the_council_name_never_runs_into_a_service_name_that_starts_with_council(app, locale):
    """A walk found "Today: Wiltshire Council Council tax account and discounts appointment": the
    council's name just before the service's, which here starts with "Council" too."""
    _ = gettext_for(locale)
    council = app.extensions["settings"].council_name
    service = _("Council tax account and discounts")
    f = AppointmentFacts(
        reference=REFERENCE,
        service=service,
        when=_worst_when(locale),
        sms_when=_worst_when(locale),
        where="12 High Street, Devizes SN10 1AA",
        council=council,
        manage_url=f"{LONG_BASE_URL}/manage/x",
        book_url=f"{LONG_BASE_URL}/book/",
    )
    written = []
    for kind in KINDS:
        written += resident_texts(kind, f, _)
        email = templates.email_for(kind, f, _)
        written += [email.subject, email.body]
    written += [templates.letter_for(kind, f, "Jo Bloggs", _).body for kind in templates.LETTER_HEADINGS]
    written += templates.waitlist_offer_sms(council, service, f.sms_when, f.manage_url, _)
    doubled = [text for text in written if f"{council} {service}" in text or "Council Council" in text]
    assert doubled == []
    if locale == "en":
        morning = resident_texts("reminder_morning", f, _)[0]
        assert morning.startswith(
            "Today: your Council tax account and discounts appointment with Wiltshire Council, "
        )
