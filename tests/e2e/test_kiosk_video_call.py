"""A kiosk video call in real browsers: Chromium with fake camera and microphone, the kiosk in one
context and the agent in another, the app served on localhost with its Content Security Policy on.

The call connects and media flows both ways (bytes received rise in each peer connection's
statistics), the two type to each other, the agent books in another tab, the kiosk shows the booking,
then the ticket, then resets. A kiosk without a camera falls back to voice, and without a microphone
to text chat. axe-core checks every new page (WCAG 2.2 AA).
"""

from __future__ import annotations

import re
from datetime import time
from time import monotonic

import pytest
import time_machine

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import Appointment, KioskCall
from app.timeutil import local_now, local_to_utc, next_working_day
from tests.booking_helpers import World
from tests.e2e.conftest import AXE, WCAG_22_AA, chromium, set_up_kiosk_browser, sign_in_browser
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.postgres

# Every peer connection a page makes, so the test can read its statistics (added before page scripts).
CAPTURE_PEERS = """
window.__peers = [];
const NativePeer = window.RTCPeerConnection;
window.RTCPeerConnection = class extends NativePeer {
  constructor (...args) { super(...args); window.__peers.push(this) }
};
"""
RECEIVED = """async () => {
  const total = { audio: 0, video: 0, connected: false };
  for (const pc of window.__peers) {
    if (pc.connectionState === 'connected') total.connected = true;
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp') total[s.kind] += s.bytesReceived });
  }
  return total;
}"""
# A kiosk whose camera (or whose camera and microphone) the browser cannot find.
NO_CAMERA = """
const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = c =>
  c.video ? Promise.reject(new DOMException('none', 'NotFoundError')) : realGetUserMedia(c);
"""
NO_DEVICES = """
navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('none', 'NotFoundError'));
"""


@pytest.fixture(scope="module")
def media_browser():
    """Chromium with a fake camera and microphone that every page may use."""
    yield from chromium(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",  # as a kiosk is set up (README)
    )


@pytest.fixture
def phones_open():
    """The next working day at 10am: the contact centre is open, whenever the suite runs."""
    moment = local_to_utc(next_working_day(local_now().date()), time(10))
    with time_machine.travel(moment, tick=True):
        yield


def _axe(page) -> None:
    """axe-core, run through the browser's debugging protocol (so the page's CSP stays on)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    problems = [f"{v['id']}: {v['help']} ({v['nodes'][0]['html'][:200]})" for v in result["violations"]]
    assert problems == [], page.url


@pytest.fixture
def contexts(live_server):
    """Browser contexts of one test, closed before its server stops and its tables are emptied."""
    opened = []
    yield opened
    for context in opened:
        context.close()


def _page(browser, contexts, init_script: str = ""):
    context = browser.new_context(permissions=["camera", "microphone"])
    contexts.append(context)
    context.add_init_script(CAPTURE_PEERS + init_script)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    return page


def _kiosk(browser, contexts, base, hub, init_script=""):
    _device, token = kiosks.register(hub, "Reception kiosk")
    db.session.commit()
    page = _page(browser, contexts, init_script)
    set_up_kiosk_browser(page, base, token)
    return page


def _agent(browser, contexts, base):
    user = UserFactory(role="agent", full_name="Sam Adviser")
    db.session.commit()
    page = _page(browser, contexts)
    sign_in_browser(page, base, user)
    page.goto(f"{base}/agent/kiosk-calls/")
    page.get_by_role("button", name="I am available for kiosk calls").click()
    return page


def _start(kiosk, button="Start a video call"):
    kiosk.get_by_role("link", name="Talk to someone").click()
    _axe(kiosk)
    kiosk.get_by_role("button", name=button).click()
    kiosk.wait_for_url(re.compile(r"/kiosk/call/\d+$"))


def _answer(agent, hub_name):
    agent.get_by_role("button", name=f"Answer the call from {hub_name}").click(timeout=30_000)
    agent.wait_for_url(re.compile(r"/agent/kiosk-calls/\d+$"))


def _received(page, kinds, timeout_s=30.0):
    """Wait until the page's call is connected and these kinds of media have arrived, then until more
    has arrived: bytes received must keep rising (media flowing, not one burst)."""
    deadline = monotonic() + timeout_s
    first = page.evaluate(RECEIVED)
    while not (first["connected"] and all(first[k] > 0 for k in kinds)):
        assert monotonic() < deadline, f"no {kinds} arrived: {first}"
        page.wait_for_timeout(250)
        first = page.evaluate(RECEIVED)
    later = first
    while not all(later[k] > first[k] for k in kinds):
        assert monotonic() < deadline, f"{kinds} stopped arriving: {first} then {later}"
        page.wait_for_timeout(250)
        later = page.evaluate(RECEIVED)
    return later


def _say(page, text):
    page.get_by_label("Type a message").fill(text)
    page.get_by_role("button", name="Send message").click()


def test_a_video_call_connects_the_agent_books_and_the_kiosk_prints_then_resets(
    media_browser, live_server, committed, phones_open, contexts
):
    world = World()
    CustomerFactory(
        name="Kim Kiosk", lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street"
    )
    db.session.commit()
    kiosk = _kiosk(media_browser, contexts, live_server, world.hub)
    _start(kiosk)
    status = kiosk.locator("#call-status")
    assert "All our advisers are busy. You are number 1 in the queue." in status.inner_text()
    _axe(kiosk)

    agent = _agent(media_browser, contexts, live_server)
    kiosk.get_by_text("You are number 1 in the queue. An adviser will answer soon.").wait_for(timeout=30_000)
    agent.get_by_role("cell", name="Start screen").wait_for(timeout=30_000)  # the queue updated by itself
    _axe(agent)
    _answer(agent, world.hub.name)

    # Media flows both ways: the kiosk hears and sees the agent, the agent the resident.
    on_kiosk = _received(kiosk, ["audio", "video"])
    on_agent = _received(agent, ["audio", "video"])
    assert on_kiosk["video"] > 0 and on_agent["video"] > 0
    kiosk.get_by_text("You are talking to Sam.").wait_for(timeout=30_000)
    _axe(kiosk)
    _axe(agent)

    # The text chat shows on both screens, as captions a screen reader hears (role="log").
    _say(agent, "Hello, I can book that for you.")
    kiosk.locator("#call-captions").get_by_text("Hello, I can book that for you.").wait_for(timeout=30_000)
    assert kiosk.locator("[role=log]").inner_text().count("Adviser:") == 1
    _say(kiosk, "Thank you")
    agent.locator("#call-captions").get_by_text("Resident: Thank you").wait_for(timeout=30_000)

    # The agent books in a new tab with the existing agent booking; the call carries on.
    with agent.context.expect_page() as opened:
        agent.get_by_role("link", name="Book for this resident (opens in a new tab)").click()
    booking = opened.value
    booking.get_by_label("Name, phone number, postcode or booking reference").fill("kim kiosk")
    booking.keyboard.press("Enter")
    booking.get_by_role("link", name="Kim Kiosk").click()
    booking.get_by_role("button", name="Book an appointment").click()
    booking.get_by_text(f"You are on a kiosk call from {world.hub.name}").wait_for(timeout=30_000)
    booking.get_by_label("Service", exact=True).select_option(world.service.code)
    booking.get_by_label("Where", exact=True).select_option("home")
    booking.get_by_role("button", name="Show free times").click()
    booking.locator("input[name=slot]").first.check()
    booking.get_by_label("No messages").check()
    booking.get_by_role("button", name="Book", exact=True).click()
    booked = booking.get_by_text(re.compile(r"Booked: reference [A-Z0-9]{4}-[A-Z0-9]{4}"))
    reference = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", booked.inner_text(timeout=30_000)).group(0)

    kiosk.locator("#call-booked-reference").get_by_text(reference).wait_for(timeout=30_000)
    assert kiosk.evaluate(RECEIVED)["connected"]  # booking did not interrupt the call
    agent.get_by_role("button", name="End call").click()
    agent.wait_for_url(re.compile(r"/agent/kiosk-calls/$"))

    kiosk.wait_for_url(re.compile(r"/kiosk/ticket$"), timeout=30_000)
    assert reference in kiosk.locator(".app-ticket__reference").inner_text()
    assert kiosk.get_by_role("button", name="Print ticket").is_visible()
    kiosk.get_by_role("button", name="I have finished").click()
    kiosk.wait_for_url(re.compile(r"/kiosk/$"))
    assert reference not in kiosk.content() and "Kim" not in kiosk.content()
    kiosk.goto(f"{live_server}/kiosk/ticket")
    assert kiosk.url.endswith("/kiosk/")  # nothing of the call or the booking is left to reach

    db.session.rollback()  # a fresh look (on SQLite a read transaction keeps its first snapshot)
    call = db.session.query(KioskCall).one()
    appointment = db.session.query(Appointment).one()
    assert (call.status, call.outcome, call.appointment_id, appointment.channel) == (
        "ended",
        "booked",
        appointment.id,
        "kiosk",
    )
    assert kiosk.csp_errors == [] and agent.csp_errors == []


@pytest.mark.parametrize(
    ("devices", "mode", "agent_receives"),
    [(NO_CAMERA, "Voice only, no camera", ["audio"]), (NO_DEVICES, "Text chat, no camera or microphone", [])],
)
def test_without_a_camera_the_call_is_voice_and_without_a_microphone_text(
    media_browser, live_server, committed, phones_open, contexts, devices, mode, agent_receives
):
    world = World()
    kiosk = _kiosk(media_browser, contexts, live_server, world.hub, devices)
    _start(kiosk)
    agent = _agent(media_browser, contexts, live_server)
    agent.get_by_role("cell", name=mode).wait_for(timeout=30_000)  # the agent knows before answering
    _answer(agent, world.hub.name)
    assert agent.locator("#call-mode").inner_text() == mode

    on_kiosk = _received(kiosk, ["audio", "video"])  # the resident still sees and hears the agent
    assert on_kiosk["video"] > 0
    if agent_receives:
        on_agent = _received(agent, agent_receives)
        assert on_agent["video"] == 0
    _say(kiosk, "I cannot talk here")
    agent.locator("#call-captions").get_by_text("Resident: I cannot talk here").wait_for(timeout=30_000)
    _say(agent, "That is fine, type to me")
    kiosk.locator("#call-captions").get_by_text("That is fine, type to me").wait_for(timeout=30_000)

    kiosk.get_by_role("button", name="End call").click()  # the kiosk's own reset, as after inactivity
    kiosk.wait_for_url(re.compile(r"/kiosk/$"))
    assert "type to me" not in kiosk.content()
    agent.get_by_text("The resident has left the call.").wait_for(timeout=30_000)
    db.session.rollback()
    assert db.session.query(KioskCall).one().outcome == "helped"
    assert kiosk.csp_errors == [] and agent.csp_errors == []


def test_no_agent_free_the_resident_leaves_a_number_for_a_call_back(
    media_browser, live_server, committed, phones_open, contexts
):
    world = World()
    kiosk = _kiosk(media_browser, contexts, live_server, world.hub)
    _start(kiosk, "Voice only, no camera")
    kiosk.get_by_text("All our advisers are busy. You are number 1 in the queue.").wait_for()
    kiosk.get_by_label("Your phone number").fill("0909 8790000")  # premium rate: refused
    kiosk.get_by_role("button", name="Call me back").click()
    kiosk.get_by_text("Enter a UK phone number, like 07700 900 982 or 01380 722000").first.wait_for()
    _axe(kiosk)
    kiosk.get_by_label("Your phone number").fill("01380 900123")  # a landline will do
    kiosk.get_by_role("button", name="Call me back").click()
    kiosk.get_by_text("An adviser will phone your number ending 123 as soon as one is free.").wait_for()
    _axe(kiosk)
    kiosk.get_by_role("button", name="I have finished").click()
    kiosk.wait_for_url(re.compile(r"/kiosk/$"))
    assert "900123" not in kiosk.content()
    db.session.rollback()
    assert db.session.query(KioskCall).one().outcome == "call_back"
    assert kiosk.csp_errors == []
