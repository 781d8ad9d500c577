"""Kiosks at community hubs: a device signs in once with its own token; sessions on it are wiped
after each user (and after inactivity) so nothing of one person is left for the next (the browser
session itself is app/web/kiosk_session.py)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.extensions import db
from app.messaging import outbox
from app.models import Hub, KioskDevice, KioskHelpRequest
from app.staff import audit
from app.timeutil import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register(hub: Hub, name: str) -> tuple[KioskDevice, str]:
    token = secrets.token_urlsafe(32)
    device = KioskDevice(hub=hub, name=name.strip(), token_hash=_digest(token))
    db.session.add(device)
    db.session.flush()
    audit.record("kiosk_registered", "kiosk", device.id, hub=hub.code)
    return device, token


def new_link(device: KioskDevice) -> str:
    """A fresh one-time activation link (a replaced screen, a cleared browser); the browser that was
    this kiosk stops being one."""
    token = secrets.token_urlsafe(32)
    device.token_hash = _digest(token)
    audit.record("kiosk_link_issued", "kiosk", device.id)
    return token


def revoke(device: KioskDevice) -> None:
    device.revoked_at = utcnow()
    audit.record("kiosk_revoked", "kiosk", device.id)


def activate(token: str) -> KioskDevice | None:
    """The activation link works once: the device's secret is replaced by one only the browser that
    opened it will hold (its session), so a second browser opening the same link (or a copy) gets nothing."""
    device = db.session.scalar(select(KioskDevice).where(KioskDevice.token_hash == _digest(token)))
    if device is None or not device.active:
        return None
    device.token_hash = _digest(secrets.token_urlsafe(32))
    audit.record("kiosk_activated", "kiosk", device.id)
    return device


def signed_in_device(device_id: object, token_hash: object) -> KioskDevice | None:
    """The kiosk a browser's session says it is, if that is still true (not revoked, not re-linked)."""
    found = db.session.get(KioskDevice, device_id) if isinstance(device_id, int) else None
    if found is not None and found.active and found.token_hash == token_hash:
        return found
    return None


def all_devices() -> list[KioskDevice]:
    return list(db.session.scalars(select(KioskDevice).order_by(KioskDevice.created_at)))


def ask_for_help(device: KioskDevice) -> KioskHelpRequest:
    request = KioskHelpRequest(kiosk=device)
    db.session.add(request)
    db.session.flush()
    if device.hub.staff_phone:
        outbox.queue_sms(
            "kiosk_help",
            device.hub.staff_phone,
            f"Doorstep: someone at the {device.name} kiosk in {device.hub.name} is asking for help.",
            f"kiosk-help:{request.id}",
        )
    audit.record("kiosk_help_requested", "kiosk", device.id)
    return request


def open_help_requests() -> list[KioskHelpRequest]:
    return list(
        db.session.scalars(
            select(KioskHelpRequest)
            .where(KioskHelpRequest.answered_at.is_(None))
            .order_by(KioskHelpRequest.created_at)
        )
    )


def answer(request: KioskHelpRequest, user) -> None:
    request.answered_by, request.answered_at = user, utcnow()
    audit.record("kiosk_help_answered", "kiosk", request.kiosk_id, user=user)
