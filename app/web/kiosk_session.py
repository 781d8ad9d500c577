"""A kiosk's browser session: which kiosk this browser is, the video call of the person using it now,
and wiping the session between people. Web state, so it lives with the routes; the rules are in
app/kiosk/kiosk.py and app/kiosk/kiosk_calls.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import g, has_request_context, session

from app.kiosk import kiosk, kiosk_calls

if TYPE_CHECKING:
    from app.models import KioskCall, KioskDevice

DEVICE_KEY = "kiosk"
CALL_KEY = "kiosk_call"
# What survives a reset: the device, the text size chosen, and the session being permanent (Flask keeps
# that in the session too: without it the cookie would end when the kiosk's browser closes).
KEEP = {DEVICE_KEY, "kiosk_text", "_permanent"}

# How long a kiosk stays set up without being used: its session cookie lasts this long from its last
# page (renewed by every page), not the staff idle timeout, so a kiosk left overnight, over a holiday
# or restarted keeps its device. Revoking the device (or a new activation link) ends it at once.
LIFETIME = timedelta(days=180)


def keeps_device(data: Mapping) -> bool:
    """A kiosk's session, given the kiosk's LIFETIME: one holding a device and no staff sign-in (staff
    who sign in on a kiosk's browser get the staff idle timeout, whatever the device)."""
    return DEVICE_KEY in data and "_user_id" not in data


def left_idle(data: Mapping) -> dict:
    """A kiosk session idle past the staff idle timeout: the device alone, as after a reset (the
    server's backstop for the page's inactivity reset: nothing of the last person is kept)."""
    return {key: value for key, value in data.items() if key in KEEP}


def sign_in(device: KioskDevice) -> None:
    """This browser is now the kiosk (its activation link was just used): nothing else of the session
    it had stays."""
    session.clear()
    session.permanent = True
    session[DEVICE_KEY] = {"id": device.id, "t": device.token_hash}


def current_device() -> KioskDevice | None:
    """The kiosk this browser is, checked against the database on every request (revocation is instant)."""
    if not has_request_context():
        return None
    if "kiosk_device" in g:
        return g.kiosk_device
    data = session.get(DEVICE_KEY)
    device = kiosk.signed_in_device(data.get("id"), data.get("t")) if isinstance(data, dict) else None
    g.kiosk_device = device
    return device


def autofill(token: str | None = None) -> str | None:
    """A typed field's autocomplete attribute ("name", "tel", "postal-code"; None for none), except on a
    kiosk, where every field says "off": the screen is shared, and the browser must not offer the last
    person's name, number or words to the next one. The resident's pages use this for each field they
    type into (a template global, app/web/wiring.py)."""
    return "off" if current_device() is not None else token


def reset() -> None:
    """Forget everything of the last person; keep the device signed in."""
    for key in list(session.keys()):
        if key not in KEEP:
            session.pop(key)


def remember_call(call: KioskCall) -> None:
    session[CALL_KEY] = call.id


def forget_call() -> None:
    session.pop(CALL_KEY, None)


def current_call(call_id: int | None = None) -> KioskCall | None:
    """This kiosk session's call (and only this session's: the next person cannot reach it)."""
    own = session.get(CALL_KEY)
    if own is None or (call_id is not None and own != call_id):
        return None
    return kiosk_calls.kiosk_call(current_device(), own)


def end_call() -> None:
    """The kiosk is being reset (by the person, by inactivity or after the call): the call ends too."""
    call = current_call()
    if call is not None:
        kiosk_calls.end(call)
