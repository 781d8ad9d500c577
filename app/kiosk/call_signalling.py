"""The messages between the two ends of a kiosk call, through the database: SDP offers and answers,
ICE candidates and chat lines (checked field by field, kept only while the call lasts), the long
poll each end waits on, and the STUN/TURN servers the browsers use. Media itself never comes here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time as clock
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from app.appointments.references import format_reference
from app.extensions import db
from app.inputs import whole_number_or_none
from app.kiosk import call_wakeups
from app.kiosk.kiosk_calls import (
    LONGEST_WAIT_SECONDS,
    MODE_LABELS,
    MODES,
    free_agents,
    position,
    write_first,
)
from app.models.kiosk_calls import KioskCall, KioskCallSignal
from app.timeutil import utcnow
from app.unit_of_work import finish_reads

TURN_CREDENTIAL_SECONDS = 4 * 3600

# What each end may send, and the longest text in each field.
SENDS = {
    "kiosk": {"offer", "candidate", "chat", "media"},
    "agent": {"answer", "candidate", "chat", "ready"},
}
MAX_SDP, MAX_CANDIDATE, MAX_CHAT = 20_000, 1_000, 500
MAX_SIGNALS_PER_CALL = 2_000


@dataclass
class CallProblem(Exception):
    """A request the call cannot take: field errors for the JSON answer, and its HTTP status."""

    errors: dict[str, list[str]]
    status: int = 422


def _text(data: dict, name: str, limit: int, errors: dict, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        errors[name] = [f"Send {name} as text of at most {limit} characters"]
        return None
    return value


def _whole(data: dict, name: str, errors: dict, default: int | None = 0) -> int | None:
    value = data.get(name, default)
    if value is None or value == default:
        return value
    if not isinstance(value, int) or (number := whole_number_or_none(value)) is None:
        errors[name] = [f"Send {name} as a whole number"]
        return default
    return number


def _payload(kind: str, data: dict) -> dict:
    """Only the fields WebRTC needs, checked: nothing else is stored or passed on."""
    errors: dict[str, list[str]] = {}
    payload: dict = {}
    if kind in ("offer", "answer"):
        payload = {"sdp": _text(data, "sdp", MAX_SDP, errors), "gen": _whole(data, "gen", errors)}
    elif kind == "candidate":
        payload = {
            "candidate": _text(data, "candidate", MAX_CANDIDATE, errors, required=False) or "",
            "sdpMid": _text(data, "sdpMid", 64, errors, required=False),
            "sdpMLineIndex": _whole(data, "sdpMLineIndex", errors, default=None),
            "gen": _whole(data, "gen", errors),
        }
    elif kind == "chat":
        text = _text(data, "text", MAX_CHAT, errors)
        payload = {"text": " ".join(text.split()) if text else ""}
    elif kind == "media":
        if data.get("mode") not in MODES:
            errors["mode"] = [f"Send mode as one of {', '.join(MODES)}"]
        payload = {"mode": data.get("mode")}
    if errors:
        raise CallProblem(errors)
    return payload


def send(call: KioskCall, sender: str, kind: object, data: object) -> KioskCallSignal:
    """A message from one end of the call for the other."""
    if not isinstance(kind, str) or kind not in SENDS[sender]:
        raise CallProblem({"kind": [f"Send kind as one of {', '.join(sorted(SENDS[sender]))}"]})
    if not isinstance(data, dict):
        raise CallProblem({"data": ["Send data as an object"]})
    payload = _payload(kind, data)
    write_first()
    if call.status == "ended":
        raise CallProblem({"call": ["The call has ended"]}, 409)
    if call.status == "waiting" and kind != "media":
        raise CallProblem({"call": ["Nobody has answered the call yet"]}, 409)
    count = db.session.scalar(select(func.count()).where(KioskCallSignal.call_id == call.id))
    if count >= MAX_SIGNALS_PER_CALL:
        raise CallProblem({"call": ["Too many messages on this call"]}, 429)
    if kind == "media":
        call.mode = payload["mode"]
    signal = KioskCallSignal(
        call_id=call.id, recipient="agent" if sender == "kiosk" else "kiosk", kind=kind, payload=payload
    )
    db.session.add(signal)
    db.session.flush()
    call_wakeups.notify(call.id, "queue" if kind == "media" and call.status == "waiting" else None)
    return signal


def latest_signal(call_id: int, side: str) -> int:
    """The id of the last message waiting for this end (0 if none)."""
    return (
        db.session.scalar(
            select(func.max(KioskCallSignal.id)).where(
                KioskCallSignal.call_id == call_id, KioskCallSignal.recipient == side
            )
        )
        or 0
    )


def state(call: KioskCall, side: str) -> dict:
    """What one end needs to show besides the messages: where the call is, and what was booked."""
    booked = format_reference(call.appointment.reference) if call.appointment else None
    if side == "kiosk":
        agent = call.agent.full_name.split()[0] if call.agent and call.agent.full_name.strip() else ""
        waiting = call.status == "waiting"
        return {
            "status": call.status,
            "position": position(call) if waiting else 0,
            "agents_free": free_agents() if waiting else 0,
            "agent": agent,
            "booked": booked,
        }
    return {"status": call.status, "mode": MODE_LABELS.get(call.mode, call.mode), "booked": booked}


def state_token(value: dict) -> str:
    return "|".join(f"{k}={value[k]}" for k in sorted(value) if k != "token")


def mark_seen(call_id: int, side: str) -> None:
    """This end is still there: one short unit of work before a long poll, which then only reads."""
    seen = KioskCall.kiosk_seen_at if side == "kiosk" else KioskCall.agent_seen_at
    write_first()
    db.session.execute(
        update(KioskCall)
        .where(KioskCall.id == call_id, KioskCall.status != "ended")
        .values({seen: utcnow()})
        .execution_options(synchronize_session=False)
    )


def wait(call_id: int, side: str, after: int, known: str, wait_seconds: float) -> dict:
    """A long poll for one end of a call (after `mark_seen`): returns at once if there are messages
    after `after` or the state differs from `known`, else waits for either (up to `wait_seconds`). Each
    look is its own short transaction, so no connection is held while waiting."""
    deadline = clock.monotonic() + max(0.0, min(wait_seconds, LONGEST_WAIT_SECONDS))
    while True:
        call = db.session.get(KioskCall, call_id)
        if call is None:
            return {"status": "ended", "signals": [], "after": after, "token": ""}
        current = state(call, side)
        current["token"] = state_token(current)
        signals = list(
            db.session.scalars(
                select(KioskCallSignal)
                .where(
                    KioskCallSignal.call_id == call_id,
                    KioskCallSignal.recipient == side,
                    KioskCallSignal.id > after,
                )
                .order_by(KioskCallSignal.id)
                .limit(100)
            )
        )
        current["signals"] = [{"id": s.id, "kind": s.kind, "data": s.payload} for s in signals]
        current["after"] = signals[-1].id if signals else after
        finish_reads()
        if signals or current["token"] != known or clock.monotonic() >= deadline:
            return current
        # A waiting kiosk's place and the free agents change with the queue, not only with its call.
        keys = (call_id, "queue") if side == "kiosk" and current["status"] == "waiting" else (call_id,)
        call_wakeups.wait(keys, deadline - clock.monotonic())


# WebRTC settings ---------------------------------------------------------------------------------------


def ice_servers(now: datetime | None = None) -> list[dict]:
    """STUN and TURN servers for the browsers. TURN credentials follow coturn's REST scheme
    (use-auth-secret): a username that carries its expiry, and an HMAC of it with the shared secret,
    so no long-lived TURN password ever reaches a browser."""
    config = current_app.config
    servers: list[dict] = []
    stun = [u for u in config.get("STUN_URLS", "").split(",") if u]
    if stun:
        servers.append({"urls": stun})
    turn = [u for u in config.get("TURN_URLS", "").split(",") if u]
    secret = config.get("TURN_SECRET", "")
    if turn and secret:
        expires = int((now or utcnow()).timestamp()) + TURN_CREDENTIAL_SECONDS
        username = f"{expires}:doorstep"
        digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
        servers.append({"urls": turn, "username": username, "credential": base64.b64encode(digest).decode()})
    return servers
