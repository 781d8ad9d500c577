"""Kiosks at community hubs: a device signs in once with its own token; sessions on it are wiped
after each user (and after inactivity) so nothing of one person is left for the next (the browser
session itself is app/web/kiosk_session.py)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.config import settings
from app.extensions import db
from app.i18n import _l, gettext_for
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


# The resident's own number, and one or two more if they mistyped it: never a list of strangers.
TEXTED_NUMBERS_PER_BOOKING = 3


class TextedEnough(Exception):
    """The booking has been texted to TEXTED_NUMBERS_PER_BOOKING numbers already."""

    @property
    def message(self) -> str:
        """In the kiosk's language."""
        return str(
            _l(
                "We have already texted this booking to as many numbers as we can. Ask at the counter, or "
                "phone us on %(phone)s",
                phone=settings().contact_centre_phone,
            )
        )


def _texted_numbers(appointment: Appointment) -> set[str]:
    return set(
        db.session.scalars(
            select(Message.recipient)
            .where(Message.appointment_id == appointment.id, Message.kind == "kiosk_confirmation")
            .distinct()
        )
    )


def strangers_number(appointment: Appointment, phone: str) -> bool:
    """A number this booking was not made with and has not been texted to: texting it uses that number's
    public allowance (app.booking.customers.check_change_allowance, which the kiosk's page applies), as a
    booking with it would. The booking's own number used its allowance when it was booked."""
    mobile = uk_mobile(phone) or ""
    if mobile == appointment.customer.phone or consent.number_stopped(mobile):  # (nothing is sent to that)
        return False
    return mobile not in _texted_numbers(appointment)


def text_booking(appointment: Appointment, phone: str) -> list[Message] | None:
    """The booking's confirmation, with its link to change or cancel, texted to the mobile number the
    resident typed at the kiosk (asking for it is their consent to this one text); once per number.
    None when the number replied STOP (the outbox writes no text to it): the kiosk says so.

    A booking goes to TEXTED_NUMBERS_PER_BOOKING numbers at most (TextedEnough), and a stranger's number
    uses its allowance (`strangers_number`): one kiosk booking texted 10 strangers a minute, and booking
    again texted one person 30 times an hour, past the allowance (attack of 2 December 2026)."""
    mobile = uk_mobile(phone) or ""
    if consent.number_stopped(mobile):
        return None
    texted = _texted_numbers(appointment)
    if mobile not in texted and len(texted) >= TEXTED_NUMBERS_PER_BOOKING:
        raise TextedEnough()
    texts = templates.confirmation_sms(outbox.facts(appointment), gettext_for(appointment.customer.locale))
    queued = [
        outbox.queue_sms(
            "kiosk_confirmation", mobile, body, f"kiosk-text:{appointment.id}:{mobile}:{n}", appointment
        )
        for n, body in enumerate(texts, start=1)
    ]
    audit.record("kiosk_booking_texted", "appointment", appointment.reference)
    return [m for m in queued if m is not None]
