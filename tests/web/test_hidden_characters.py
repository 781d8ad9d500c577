"""Typed text never holds what its reader cannot see (a bell, a tab or a line break in a name, a
text-direction override, a zero-width space): one rule (app.inputs.hidden_characters), refused with a
message naming the field on resident, kiosk, agent and staff pages and in the JSON API. Every script's
letters still pass, Nepali's joiners (ZWJ, ZWNJ) included."""

from __future__ import annotations

import re
import unicodedata

import pytest
import time_machine

from app.extensions import db
from app.inputs import hidden_characters
from app.kiosk import kiosk as kiosks
from app.models import Address, Appointment, Customer, Service
from tests.booking_helpers import NOW, World, api_booking, api_home_slot, world_with_a_street
from tests.factories import ServiceFactory
from tests.pages import csrf_token, error_summary, field_error, home_visit_times, set_up_kiosk, submit_form

ONE_LINE = "must not include tabs, line breaks or hidden characters"
SEVERAL_LINES = "must not include hidden characters"
NEPALI = "राम क्\u200dष श्\u200cरेष्ठ"  # with a zero-width joiner and non-joiner, as Nepali is typed
POLISH = "Zażółć Gęślą-Jaźń"


@pytest.mark.parametrize(
    "text",
    ["Ann\x07 Smith", "Ann\tSmith", "Ann\nSmith", "Jo \u202eBloggs", "Jo\u200bBloggs", "\ufeffJo", "Jo\x85"],
)
def test_a_control_direction_or_zero_width_character_is_hidden(text):
    assert hidden_characters(text)


@pytest.mark.parametrize(
    "text", [NEPALI, POLISH, "O'Brien, Flat 2 – 1st floor", "Café\u00a0Noir 👩\u200d👩\u200d👧"]
)
def test_letters_of_every_script_pass(text):
    assert hidden_characters(text) == [] and hidden_characters(text, multiline=True) == []


@pytest.mark.parametrize(
    "blank",
    [
        "\u3164",  # Hangul filler
        "\u115f",  # Hangul choseong filler
        "\u1160",  # Hangul jungseong filler
        "\uffa0",  # half-width Hangul filler
        "\u2800",  # braille blank
        "\u034f",  # combining grapheme joiner
        "\u17b4",  # Khmer inherent vowel aq
        "\u17b5",  # Khmer inherent vowel aa
        "\u180b",  # Mongolian free variation selector one
        "\ufe00",  # variation selector 1
        "\ufe0f",  # emoji presentation selector, after a letter
        "\U000e0100",  # variation selector 17: with the others, enough to hide a byte after each letter
        "\ue000",  # private use
        "\U000f0000",  # private use, plane 15
        "\u0378",  # unassigned
    ],
)
def test_characters_drawn_as_nothing_are_hidden_too(blank):
    assert hidden_characters(f"Jo{blank} Bloggs") == [blank]
    assert hidden_characters(f"Ramp at the back{blank}", multiline=True) == [blank]


def test_more_than_four_combining_marks_in_a_row_are_refused():
    """ "Zalgo" text, drawn over the lines above and below it."""
    assert hidden_characters("Jo" + "\u0301\u0302\u0303\u0304") == []
    assert hidden_characters("Jo" + "\u0301\u0302\u0303\u0304\u0305" * 20) != []
    assert hidden_characters("Jo" + "\u200d\u0301\u200d\u0302\u200d") != []  # joiners count in the run


@pytest.mark.parametrize(
    "name",
    [
        NEPALI,
        "श्रीमती लक्ष्मी श्रेष्ठ",
        "ज्ञानेन्द्र प्रद्युम्न गुरुङ",
        "हुँदै र्\u200dयाल",  # a candrabindu after a vowel sign; a virama and a joiner
        "Nguyễn Thị Hương",
        unicodedata.normalize("NFD", "Nguyễn Thị Hương, Trần Đức Việt"),  # each accent a mark of its own
        unicodedata.normalize("NFD", POLISH),
        "Zoë Ødegård-Ñúñez",
        "Café\u202fNoir\u2003Ltd\u3000東京",  # other spaces are seen as spaces: the spaces rule's
    ],
)
def test_real_names_with_their_marks_and_spaces_pass(name):
    assert hidden_characters(name) == [] and hidden_characters(name, multiline=True) == []


def test_a_note_may_show_an_emoji_as_a_picture_but_a_name_may_not_hold_the_selector():
    for emoji in ("\u2764\ufe0f", "\u260e\ufe0f", "1\ufe0f\u20e3", "\u2194\ufe0e"):
        assert hidden_characters(f"Thanks {emoji}", multiline=True) == []
        assert hidden_characters(f"Jo {emoji}")  # one line: no variation selector at all
    assert hidden_characters("Thanks \u2764\ufe0f\ufe0f", multiline=True) == ["\ufe0f"]  # once only
    assert hidden_characters("Thanks a\ufe0f", multiline=True) == ["\ufe0f"]  # after a letter: hides data


def test_several_lines_may_hold_line_breaks_and_tabs_but_nothing_else():
    assert hidden_characters("Ramp at the back.\r\n\tRing twice", multiline=True) == []
    assert hidden_characters("Ramp\u2066 at the back\u2069\nRing", multiline=True) == ["\u2066", "\u2069"]


def _details(client, world, **fields):
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', home_visit_times(client, world.service.code,
        "SN10 1AB", world.address_id)).group(1)  # fmt: skip
    html = client.get("/book/time").get_data(as_text=True)
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(html)})
    values = {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"}
    return submit_form(client, "/book/details", values | fields)


@pytest.fixture
def world():
    world = world_with_a_street()
    world.address_id = db.session.query(Address.id).scalar()
    return world


@time_machine.travel(NOW, tick=False)
def test_a_resident_is_told_which_field_holds_a_hidden_character(client, world):
    page = _details(client, world, name="Jo \u202eBloggs", access_needs="Ramp\u200b at the back")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert error_summary(html) == [f"Full name {ONE_LINE}", f"Access needs {SEVERAL_LINES}"]
    assert field_error(html, "name") == f"Full name {ONE_LINE}"
    # Line breaks in a text area are fine; a Nepali name with its joiners goes through, unchanged.
    done = _details(client, world, name=NEPALI, access_needs="Ramp at the back.\r\nRing twice")
    assert done.headers["Location"] == "/book/check"
    client.post(
        "/book/check", data={"csrf_token": csrf_token(client.get("/book/check").get_data(as_text=True))}
    )
    customer = db.session.query(Appointment).one().customer
    assert customer.name == NEPALI and customer.access_needs == "Ramp at the back.\r\nRing twice"


@time_machine.travel(NOW, tick=False)
def test_a_resident_cannot_book_with_a_blank_letter_or_stacked_marks(client, world):
    page = _details(client, world, name="Jane\u3164Smith\U000e0100", access_needs="ok" + "\u0300" * 60)
    assert page.status_code == 200
    assert error_summary(page.get_data(as_text=True)) == [
        f"Full name {ONE_LINE}",
        f"Access needs {SEVERAL_LINES}",
    ]


@time_machine.travel(NOW, tick=False)
def test_the_message_is_in_the_pages_language(client, world):
    client.get("/language/pl")
    html = _details(client, world, name="Jo\tBloggs").get_data(as_text=True)
    assert error_summary(html) == [
        "Pole „Imię i nazwisko” nie może zawierać tabulatorów, podziałów wiersza ani ukrytych znaków"
    ]


@time_machine.travel(NOW, tick=False)
def test_a_kiosk_refuses_a_hidden_character(client, world):
    _device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    set_up_kiosk(client, token)
    html = _details(client, world, name="Kim\x1b[31m Kiosk").get_data(as_text=True)
    assert "app-kiosk" in html and error_summary(html) == [f"Full name {ONE_LINE}"]


def test_an_agent_is_told_too_and_no_record_is_made(client, sign_in):
    sign_in("agent")
    World()
    db.session.commit()
    details = {
        "name": "Priya\u2066 Shah",
        "phone": "07700 900555",
        "line1": "12 High\tStreet",
        "postcode": "SN10 1AA",
    }
    html = submit_form(client, "/agent/callers/new", details).get_data(as_text=True)
    assert error_summary(html) == [f"Full name {ONE_LINE}", f"Building and street {ONE_LINE}"]
    assert db.session.query(Customer).count() == 0


def test_staff_admin_forms_refuse_them(client, sign_in):
    sign_in("supervisor")
    service = ServiceFactory()
    db.session.commit()
    url = f"/admin/services/{service.id}"
    values = {"duration_minutes": "40", "skill_id": str(service.skill_id), "notice_hours": "24",
        "horizon_days": "28", "places": ["home"]}  # fmt: skip
    html = submit_form(
        client, url, values | {"name": "Blue\x07 Badge", "documents": "Proof of ID\n\u202eLetter"}
    )
    assert error_summary(html.get_data(as_text=True)) == [
        f"Name {ONE_LINE}",
        f"What to have ready {SEVERAL_LINES}",
    ]
    saved = submit_form(client, url, values | {"name": "Blue Badge", "documents": "Proof of ID\r\nA letter"})
    assert saved.status_code == 302 and db.session.get(Service, service.id).name == "Blue Badge"


def test_a_kiosk_is_not_named_with_one(client, sign_in):
    world = World()
    db.session.commit()
    sign_in("admin")
    page = client.get("/admin/kiosks").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "hub_id": world.hub.id, "name": "Front\u202e desk"}
    html = client.post("/admin/kiosks", data=data).get_data(as_text=True)
    assert "The kiosk&#39;s name must not include tabs, line breaks or hidden characters." in html
    assert db.session.query(kiosks.KioskDevice).count() == 0


@time_machine.travel(NOW, tick=False)
def test_the_api_answers_422_by_field(client, bearer):
    world = World()
    slot = api_home_slot(client, world)
    body = api_booking(world, slot, notes="Side door\n\u202eback", customer={"name": "Jo\x07 Bloggs"})
    body["address"]["line1"] = "12\u200bHigh Street"
    response = client.post("/api/v1/appointments", json=body, headers=bearer)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors == {
        "customer.name": ["Must not include tabs, line breaks or hidden characters (U+0007)"],
        "address.line1": ["Must not include tabs, line breaks or hidden characters (U+200B)"],
        "notes": ["Must not include hidden characters (U+202E)"],
    }
    body = api_booking(
        world, slot, notes="Side door,\n\tthen left", customer={"name": NEPALI, "phone": "07700900123"}
    )
    booked = client.post("/api/v1/appointments", json=body, headers=bearer)
    assert booked.status_code == 201, booked.get_json()
    assert db.session.query(Customer).one().name == NEPALI


def test_a_field_asked_as_a_question_is_named_your_answer(app):
    """ "Why are you cancelling must not include ..." read badly (found by re-walking): a question label
    is named "Your answer" in the message, in the page's language."""
    from wtforms import StringField

    from app.forms.base import Form

    class Cancel(Form):
        reason = StringField("Why are you cancelling?")
        name = StringField("Full name")

    with app.test_request_context(method="POST", data={"reason": "Ill\x07", "name": "Ann\x07"}):
        form = Cancel(meta={"csrf": False})
        assert not form.validate()
        assert form.reason.errors == ["Your answer must not include tabs, line breaks or hidden characters"]
        assert form.name.errors == ["Full name must not include tabs, line breaks or hidden characters"]
