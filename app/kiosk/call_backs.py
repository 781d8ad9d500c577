"""Call-backs asked for at a kiosk: the contact centre is emailed (kiosk_calls.request_call_back), and
the agents' console lists every one nobody has rung yet, with "Called back", so none is lost when the
email is (no mail server, a full inbox)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.messaging import outbox
from app.models import User
from app.models.kiosk_calls import KioskCall
from app.staff import audit
from app.timeutil import utcnow

RECENT = timedelta(days=1)  # the console's "Called back" list
CALL_BACK_EMAIL = "kiosk_call_back"  # the contact centre's email (kiosk_calls.request_call_back)


def _call_backs():
    return select(KioskCall).where(KioskCall.outcome == "call_back")


def waiting() -> list[KioskCall]:
    """Not rung yet, oldest first: first asked, first rung."""
    return list(
        db.session.scalars(
            _call_backs()
            .where(KioskCall.called_back_at.is_(None), KioskCall.call_back_phone != "")
            .order_by(KioskCall.ended_at, KioskCall.id)
        )
    )


def recently_rung(now: datetime | None = None) -> list[KioskCall]:
    since = (now or utcnow()) - RECENT
    return list(
        db.session.scalars(
            _call_backs().where(KioskCall.called_back_at >= since).order_by(KioskCall.called_back_at.desc())
        )
    )


def call_back(call_id: int) -> KioskCall | None:
    return db.session.scalar(_call_backs().where(KioskCall.id == call_id))


def rung(call: KioskCall, user: User) -> bool:
    """False when someone else marked it first. The number is no longer needed, so it goes: from the
    call, and from the contact centre's email once that has been sent (one still waiting keeps it)."""
    if call.called_back_at is not None:
        return False
    call.called_back_at, call.called_back_by, call.call_back_phone = utcnow(), user, ""
    outbox.blank_sent_staff_emails(CALL_BACK_EMAIL, str(call.id))
    audit.record("kiosk_call_back_made", "kiosk_call", call.id, user=user)
    return True
