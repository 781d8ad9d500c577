"""Kiosks at community hubs: a device signs in once with its own token; sessions on it are wiped
after each user (and after inactivity) so nothing of one person is left for the next (the browser
session itself is app/web/kiosk_session.py)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.extensions import db
from app.i18n import gettext_for
from app.messaging import consent, outbox
from app.messaging.contact import uk_mobile
from app.models import Appointment, Hub, KioskDevice, Message
from app.staff import audit
from app.timeutil import utcnow
from notifications import templates


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
    device.last_seen_at = None  # not set up again until the new link is opened on the kiosk
    audit.record("kiosk_link_issued", "kiosk", device.id)
    return token


def revoke(device: KioskDevice) -> None:
    device.revoked_at = utcnow()
    audit.record("kiosk_revoked", "kiosk", device.id)


def device_for_link(token: str) -> KioskDevice | None:
    """The kiosk an activation link would set up, if it still would; opening the link changes nothing
    (link scanners and mail previewers fetch links), only activate() uses it up."""
    device = db.session.scalar(select(KioskDevice).where(KioskDevice.token_hash == _digest(token)))
    return device if device is not None and device.active else None


def activate(token: str) -> KioskDevice | None:
    """The activation link works once: the device's secret is replaced by one only the browser that
    opened it will hold (its session), so a second browser opening the same link (or a copy) gets nothing."""
    device = device_for_link(token)
    if device is None:
        return None
    device.token_hash = _digest(secrets.token_urlsafe(32))
    device.last_seen_at = utcnow()  # set up: the admin list says "In use" from now on
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


def text_booking(appointment: Appointment, phone: str) -> list[Message] | None:
    """The booking's confirmation, with its link to change or cancel, texted to the mobile number the
    resident typed at the kiosk (asking for it is their consent to this one text); once per number.
    None when the number replied STOP (the outbox writes no text to it): the kiosk says so."""
    mobile = uk_mobile(phone) or ""
    if consent.number_stopped(mobile):
        return None
    texts = templates.confirmation_sms(outbox.facts(appointment), gettext_for(appointment.customer.locale))
    queued = [
        outbox.queue_sms(
            "kiosk_confirmation", mobile, body, f"kiosk-text:{appointment.id}:{mobile}:{n}", appointment
        )
        for n, body in enumerate(texts, start=1)
    ]
    audit.record("kiosk_booking_texted", "appointment", appointment.reference)
    return [m for m in queued if m is not None]
