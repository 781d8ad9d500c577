"""A fresh-eyes walk of the resident journey (phone, JavaScript off): each test failed before its fix."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.appointments.links import manage_url
from app.booking.availability import decode_slot, search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.extensions import db
from app.models import Address, Appointment, Message
from tests.booking_helpers import NOW, book_first_slot, world_with_a_street
from tests.pages import csrf_token, error_summary, field_error, submit_form


@pytest.fixture
def world():
    return world_with_a_street()


def _to_address_page(client, world) -> str:
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    return client.get("/book/address").get_data(as_text=True)


def _listed(world) -> Address:
    return db.session.query(Address).filter_by(uprn="100123").one()


# 1. The building-and-street box: typing in it is choosing "My address is not listed" -------------


@time_machine.travel(NOW, tick=False)
def test_the_box_for_an_address_not_listed_is_on_the_page_after_the_list(client, world):
    """Always shown (with JavaScript too): not a conditional reveal, whose aria-expanded on a radio
    fails the accessibility check (tests/e2e)."""
    page = _to_address_page(client, world)
    assert page.count('name="line1"') == 1 and "govuk-radios__conditional" not in page
    assert page.index('value="manual"') < page.index('name="line1"')
    assert "If your address is not listed, enter the building and street" in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "found"),
    [("en", "1 address found for SN10 1AB"), ("pl", "Znaleziono 1 adres dla kodu SN10 1AB")],
)
def test_one_address_found_is_said_in_the_singular(client, world, locale, found):
    client.get(f"/language/{locale}")
    assert found in _to_address_page(client, world)


@time_machine.travel(NOW, tick=False)
def test_an_address_typed_without_ticking_not_listed_is_taken_as_not_listed(client, world):
    _to_address_page(client, world)
    response = submit_form(client, "/book/address", {"line1": "21 High Street"})
    assert response.status_code == 302 and response.headers["Location"] == "/book/time"
    with client.session_transaction() as session:
        assert session["booking"]["line1"] == "21 High Street" and session["booking"]["address_id"] is None


@time_machine.travel(NOW, tick=False)
def test_nothing_chosen_or_typed_still_asks_for_the_address(client, world):
    _to_address_page(client, world)
    response = submit_form(client, "/book/address", {"line1": "  "})
    assert response.status_code == 200
    assert error_summary(response.get_data(as_text=True)) == ["Select the address, or say it is not listed"]


@time_machine.travel(NOW, tick=False)
def test_a_listed_address_and_a_different_typed_one_ask_which(client, world):
    _to_address_page(client, world)
    listed = str(_listed(world).id)
    response = submit_form(client, "/book/address", {"address": listed, "line1": "21 High Street"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert field_error(html, "address") == (
        "Choose “My address is not listed” to use the address you typed, or delete what you typed"
    )
    assert re.search(rf'value="{listed}" checked', html), "their choice is kept"
    # A flat behind the listed door would be lost if the listed address were taken: asked too.
    flat = submit_form(client, "/book/address", {"address": listed, "line1": "Flat 2, 12 High Street"})
    assert flat.status_code == 200 and field_error(flat.get_data(as_text=True), "address")
    # The same address typed as the list has it (however abbreviated, with its town) is no contradiction.
    same = submit_form(client, "/book/address", {"address": listed, "line1": "12 high st, Devizes"})
    assert same.status_code == 302 and same.headers["Location"] == "/book/time"
    with client.session_transaction() as session:
        assert session["booking"]["address_id"] == _listed(world).id


# 6. A partial postcode ---------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("typed", ["SN10", "sn10 1", "SN10 1H"])
def test_the_start_of_a_postcode_asks_for_all_of_it(client, world, typed):
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    response = submit_form(client, "/book/postcode", {"postcode": typed})
    expected = ["Enter your full postcode, for example SN10 1HJ"]
    assert error_summary(response.get_data(as_text=True)) == expected


@time_machine.travel(NOW, tick=False)
def test_something_that_is_no_postcode_still_asks_for_a_real_one(client, world):
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    response = submit_form(client, "/book/postcode", {"postcode": "hello"})
    assert error_summary(response.get_data(as_text=True)) == ["Enter a real postcode, like SN10 1HJ"]


# 3. Back from a step opened with "Change" on check-your-answers ---------------------------------


def _back_link(html: str) -> str:
    return re.search(r'<a href="([^"]+)" class="govuk-back-link"', html).group(1)


def _to_check(client, world) -> None:
    _to_address_page(client, world)
    submit_form(client, "/book/address", {"address": str(_listed(world).id)})
    times = client.get("/book/time").get_data(as_text=True)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', times).group(1)
    submit_form(client, "/book/time", {"slot": slot})
    details = {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"}
    assert submit_form(client, "/book/details", details).headers["Location"] == "/book/check"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("step", "back"),
    [
        ("/book/service?change=1", "/book/check"),
        ("/book/where?change=1", "/book/check"),
        ("/book/postcode?change=1", "/book/where?change=1"),
        ("/book/address?change=1", "/book/postcode?change=1"),
        ("/book/time?change=1", "/book/check"),
        ("/book/details?change=1", "/book/check"),
    ],
)
def test_back_from_a_change_goes_where_the_resident_came_from(client, world, step, back):
    _to_check(client, world)
    assert _back_link(client.get(step).get_data(as_text=True)) == back


@time_machine.travel(NOW, tick=False)
def test_back_without_a_change_still_goes_to_the_question_before(client, world):
    _to_check(client, world)
    assert _back_link(client.get("/book/time").get_data(as_text=True)) == "/book/address"
    assert _back_link(client.get("/book/details").get_data(as_text=True)) == "/book/time"


@time_machine.travel(NOW, tick=False)
def test_paging_through_times_while_changing_keeps_the_way_back_to_the_check_page(client, world):
    _to_check(client, world)
    page = client.get("/book/time?change=1").get_data(as_text=True)
    later = re.search(r'href="(/book/time\?[^"]*from=[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "change=1" in later
    assert _back_link(client.get(later).get_data(as_text=True)) == "/book/check"


@time_machine.travel(NOW, tick=False)
def test_changing_where_can_change_the_address_and_keeps_the_time_when_it_is_the_same(client, world):
    """ "Where" from check-your-answers used to go straight back to the check page when the kind of
    place stayed the same: there was no way to change the address itself."""
    _to_check(client, world)
    with client.session_transaction() as session:
        slot = session["booking"]["slot"]
    response = submit_form(client, "/book/where?change=1", {"location_type": "home"})
    assert response.headers["Location"] == "/book/postcode?change=1"
    response = submit_form(client, "/book/postcode?change=1", {"postcode": "SN10 1AB"})
    assert response.headers["Location"] == "/book/address?change=1"
    page = client.get("/book/address?change=1").get_data(as_text=True)
    assert re.search(rf'value="{_listed(world).id}" checked', page), "the address given is chosen"
    same = submit_form(client, "/book/address?change=1", {"address": str(_listed(world).id)})
    assert same.headers["Location"] == "/book/check"
    with client.session_transaction() as session:
        assert session["booking"]["slot"] == slot
    other = submit_form(client, "/book/address?change=1", {"address": "manual", "line1": "21 High Street"})
    # a new address where the same time is offered too: the time is kept (found for the new address)
    assert other.headers["Location"] == "/book/check"
    with client.session_transaction() as session:
        kept = decode_slot(session["booking"]["slot"])
    assert (kept.day, kept.window) == (decode_slot(slot).day, decode_slot(slot).window)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _chosen_time(client) -> tuple[str, str]:
    """The time on check-your-answers, and the slot behind it."""
    with client.session_transaction() as session:
        slot = session["booking"]["slot"]
    row = re.search(
        r"When\s*</dt>\s*<dd[^>]*>\s*([^<]+?)\s*<", client.get("/book/check").get_data(as_text=True)
    )
    return row.group(1), slot


@time_machine.travel(NOW, tick=False)
def test_a_new_address_from_check_your_answers_keeps_the_time_when_it_is_still_offered_there(client, world):
    """The time used to be dropped without a word whenever the address changed (found by an earlier
    walk): the resident came back to the times page with nothing chosen and no reason given."""
    _to_check(client, world)
    before, _slot = _chosen_time(client)
    submit_form(client, "/book/postcode?change=1", {"postcode": "SN10 1AB"})
    moved = submit_form(client, "/book/address?change=1", {"address": "manual", "line1": "21 High Street"})
    assert moved.headers["Location"] == "/book/check"
    check = client.get("/book/check").get_data(as_text=True)
    assert "21 High Street" in check and _chosen_time(client)[0] == before
    booked = submit_form(client, "/book/check", {})  # and it books, at the new address, at that time
    assert booked.headers["Location"] == "/book/confirmation"
    appointment = db.session.query(Appointment).one()
    assert appointment.address_line1 == "21 High Street"
    assert (appointment.window_start, appointment.window_end) == _window(decode_slot(_slot))


def _window(token):
    from app.timeutil import at_day_seconds

    return at_day_seconds(token.day, token.window[0]), at_day_seconds(token.day, token.window[1])


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "told"),
    [
        ("en", "The time you chose is not available at the new address. Choose another time."),
        ("pl", "Wybrany termin nie jest dostępny pod nowym adresem. Wybierz inny."),
    ],
)
def test_a_new_address_where_the_time_is_not_offered_says_so_on_the_times_page(client, world, locale, told):
    client.get(f"/language/{locale}")
    _to_check(client, world)
    with client.session_transaction() as session:
        slot = session["booking"]["slot"]
    # Meanwhile others book that time with our one officer until it is full: the new address cannot have it.
    chosen = decode_slot(slot)
    for n in range(10):
        offered = search(world.service, world.home(), chosen.day, 1, now=NOW).slots
        same = [s for s in offered if tuple(s.window) == tuple(chosen.window)]
        if not same:
            break
        book(
            BookingRequest(
                slot_token=same[0].token,
                service=world.service,
                place=world.home(),
                customer=CustomerDetails(
                    name=f"Sam Other{n}", phone=f"+44770090099{n}", preferred_channel="none"
                ),
            )
        )
    assert not same
    db.session.commit()
    submit_form(client, "/book/postcode?change=1", {"postcode": "SN10 1AB"})
    moved = submit_form(client, "/book/address?change=1", {"address": "manual", "line1": "21 High Street"})
    assert moved.headers["Location"] == "/book/time?change=1"
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert told in _text(page) and "govuk-notification-banner" in page
    assert _back_link(page) == "/book/check"
    again = client.get("/book/check")  # no time: check-your-answers sends them back to choose one
    assert again.headers["Location"] == "/book/time"
    other = re.search(r'name="slot" type="radio" value="([^"]+)"', page).group(1)
    chosen = submit_form(client, "/book/time?change=1", {"slot": other})
    assert chosen.headers["Location"] == "/book/check"  # straight back to check, with the new time
    assert told not in _text(client.get("/book/time?change=1").get_data(as_text=True))  # said once chosen


# 2. A cancelled booking's cancel page ------------------------------------------------------------


def _booked_and_opened(client, world) -> Appointment:
    with time_machine.travel(NOW, tick=False):
        appointment = book_first_slot(
            world,
            CustomerDetails(
                name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True
            ),
        )
    db.session.commit()
    client.get(re.sub(r"^https?://[^/]+", "", manage_url(appointment)))
    return appointment


@time_machine.travel(NOW, tick=False)
def test_after_cancelling_the_cancel_page_goes_to_the_booking_which_says_it_is_cancelled(client, world):
    appointment = _booked_and_opened(client, world)
    form = client.get("/manage/booking/cancel").get_data(as_text=True)
    done = client.post("/manage/booking/cancel", data={"csrf_token": csrf_token(form), "reason": "Sorted"})
    assert "We have sent you a text message to confirm that it is cancelled" in done.get_data(as_text=True)
    # Back to the form (or the page opened again): no second "Are you sure?"
    again = client.get("/manage/booking/cancel")
    assert again.status_code == 302 and again.headers["Location"] == "/manage/booking"
    assert "Your appointment has been cancelled" in client.get("/manage/booking").get_data(as_text=True)
    # The old form sent again: no second confirmation, and no second text.
    resent = client.post("/manage/booking/cancel", data={"csrf_token": csrf_token(form), "reason": "Sorted"})
    assert resent.status_code == 302 and resent.headers["Location"] == "/manage/booking"
    texts = db.session.query(Message).filter_by(appointment_id=appointment.id, kind="cancellation").all()
    assert len([m for m in texts if m.channel == "sms"]) == 1


# 9. The cancel reason's limit is said ------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_cancel_reason_says_how_long_it_may_be(client, world):
    _booked_and_opened(client, world)
    page = client.get("/manage/booking/cancel").get_data(as_text=True)
    assert 'data-module="govuk-character-count"' in page and 'data-maxlength="500"' in page
    hint = re.search(
        r'<div id="reason-info" class="govuk-hint govuk-character-count__message">(.*?)</div>', page, re.S
    )
    assert hint and hint.group(1).strip() == "You can enter up to 500 characters"
    assert 'aria-describedby="reason-info"' in page
    too_long = client.post(
        "/manage/booking/cancel", data={"csrf_token": csrf_token(page), "reason": "x" * 501}
    )
    assert too_long.status_code == 200
    assert error_summary(too_long.get_data(as_text=True)) == ["Your answer must be 500 characters or less"]


@time_machine.travel(NOW, tick=False)
def test_the_character_count_speaks_polish_with_its_plural_forms(client, world):
    _booked_and_opened(client, world)
    client.get("/language/pl")
    page = client.get("/manage/booking/cancel").get_data(as_text=True)
    assert "Możesz wpisać do 500 znaków" in page
    for category, words in (
        ("one", "Pozostał Ci %{count} znak"),
        ("few", "Pozostały Ci %{count} znaki"),
        ("many", "Pozostało Ci %{count} znaków"),
    ):
        assert f'data-i18n.characters-under-limit.{category}="{words}"' in page
    assert "data-i18n.characters-under-limit.other=" in page  # the component requires it


# 4. Polish (and Nepali) wording: miles, languages, how the link was sent -------------------------


@pytest.mark.parametrize(
    ("locale", "miles", "places", "said"),
    [
        ("en", 1.0, 1, "1 mile away"),
        ("en", 1.2, 1, "1.2 miles away"),
        ("en", 3.04, 1, "3 miles away"),
        ("pl", 1.2, 1, "1,2 mili stąd"),
        ("pl", 0.5, 1, "0,5 mili stąd"),
        ("pl", 2.5, 1, "2,5 mili stąd"),
        ("pl", 1.0, 1, "1 milę stąd"),
        ("pl", 2.0, 1, "2 mile stąd"),
        ("pl", 5.0, 1, "5 mil stąd"),
        ("pl", 12.0, 1, "12 mil stąd"),
        ("pl", 22.4, 0, "22 mile stąd"),
        ("ne", 1.2, 1, "1.2 माइल टाढा"),
    ],
)
def test_distances_take_the_languages_plural_forms_fractions_included(app, locale, miles, places, said):
    from flask import render_template_string

    with app.test_request_context("/book/hub", headers={"Accept-Language": locale}):
        rendered = render_template_string("{{ miles|miles_away(places) }}", miles=miles, places=places)
    assert rendered == said


@time_machine.travel(NOW, tick=False)
def test_the_polish_hub_list_says_mili_for_a_fraction(client, world):
    client.get("/language/pl")
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    hub = client.get("/book/hub").get_data(as_text=True)
    assert re.search(r" – \d+,\d mili stąd", hub) and not re.search(r"\d,\d mil ", hub)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "We will write to you in English, the language of these pages."),
        ("pl", "Będziemy pisać do Ciebie w języku polskim, tak jak na tych stronach."),
        ("ne", "हामी तपाईंलाई नेपालीमा लेख्नेछौं"),
    ],
)
def test_the_details_page_names_the_language_as_a_sentence_does(client, world, locale, said):
    client.get(f"/language/{locale}")
    _to_check(client, world)
    page = client.get("/book/details").get_data(as_text=True)
    assert said in page
    assert "w języku: " not in page and "नेपाली मा" not in page


@time_machine.travel(NOW, tick=False)
def test_a_polish_page_names_the_language_of_english_messages_in_polish(client, world):
    _booked_and_opened(client, world)  # the customer reads English
    client.get("/language/pl")
    page = client.get("/manage/booking").get_data(as_text=True)
    assert "SMS-y, e-maile i listy wysyłamy do Ciebie w języku angielskim." in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "We have also sent it to you by text message."),
        ("pl", "Wysłaliśmy go też do Ciebie SMS-em."),
        ("ne", "हामीले यो तपाईंलाई SMS मार्फत पनि पठाएका छौं।"),
    ],
)
def test_the_confirmation_says_how_the_link_went_without_a_stray_colon(client, world, locale, said):
    client.get(f"/language/{locale}")
    _to_check(client, world)
    page = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(page)})
    assert said in client.get("/book/confirmation").get_data(as_text=True)


# 7. The phone hint reads as two sentences --------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("path", ["/book/details", "/manage/booking/contact"])
def test_the_phone_hint_ends_its_sentence_before_the_next(client, world, path):
    if path.startswith("/manage"):
        _booked_and_opened(client, world)
    else:
        _to_check(client, world)
    page = client.get(path).get_data(as_text=True)
    hint = re.search(r'<div id="phone-hint" class="govuk-hint">(.*?)</div>', page, re.S).group(1)
    read = " ".join(re.sub(r"<[^>]+>", "", hint).split())  # as text, without the line break
    assert "we only need to call you. Our texts come from Wiltshire Council." in read


@time_machine.travel(NOW, tick=False)
def test_back_from_the_confirmation_says_what_was_just_booked_so_nobody_books_it_twice(client):
    """Afternoon walk: Back from the confirmation restarted the journey with nothing to say it had
    worked, and a resident could easily book the same thing again."""
    from tests.web.test_attack import _book_home_visit, _world_and_street

    world, address = _world_and_street()
    booked, _ = _book_home_visit(client, world, address)
    assert booked.headers["Location"] == "/book/confirmation"
    appointment = db.session.query(Appointment).one()
    page = client.get("/book/service").get_data(as_text=True)
    notice = re.search(r'(?s)id="just-booked">(.*?)</div>', page).group(1)
    shown = f"{appointment.reference[:4]}-{appointment.reference[4:]}"
    assert world.service.name in notice and shown in notice and "You do not need to book it again" in notice
    assert 'href="/book/confirmation"' in notice
    fresh = client.application.test_client()  # another browser: nothing of hers
    assert 'id="just-booked"' not in fresh.get("/book/service").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_check_your_answers_says_how_details_are_used_without_asking_to_agree_and_links_the_privacy_notice(
    client, world
):
    """The council uses the details for its public task, as the privacy notice says; the page asked the
    resident to 'agree' instead and did not link the notice (found by the walk)."""
    _to_check(client, world)
    html = client.get("/book/check").get_data(as_text=True)
    page = _text(html)
    assert "We use these details to arrange your appointment and send the reminders you chose" in page
    assert "agree" not in page
    assert '<a class="govuk-link" href="/privacy">How we use your personal information</a>' in html
    client.get("/language/pl")
    polish = _text(client.get("/book/check").get_data(as_text=True))
    assert (
        "Wykorzystamy te dane, aby zorganizować wizytę" in polish
        and "Jak wykorzystujemy Twoje dane" in polish
    )
    assert "zgadzasz" not in polish


@time_machine.travel(NOW, tick=False)
def test_check_your_answers_promises_no_reminders_to_a_resident_who_chose_none(client, world):
    """It said 'send the reminders you chose' to a resident who had chosen 'No reminders' (walk finding)."""
    _to_check(client, world)
    no_reminders = {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "none"}
    assert submit_form(client, "/book/details?change=1", no_reminders).headers["Location"] == "/book/check"
    page = _text(client.get("/book/check").get_data(as_text=True))
    assert "No reminders" in page
    assert "reminders you chose" not in page
    assert (
        "We use these details to arrange your appointment and to contact you about it if we need to" in page
    )
