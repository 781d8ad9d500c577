"""'Ask for help' at a kiosk: the hub's staff are texted (through the outbox) while the hub is open and
has a staff phone, and the kiosk says so only then; otherwise it says where help is (the counter, the
phone line). Staff mark a request "Dealt with" on /staff/kiosk-help; one nobody dealt with is closed by
the scheduler's kiosk_help job, so no request stays open for ever."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.appointments.links import external_url
from app.catalogue.hubs import hours_on_day
from app.extensions import db
from app.messaging import outbox
from app.messaging.contact import uk_mobile
from app.models import Hub, KioskDevice, KioskHelpRequest, User
from app.staff import audit
from app.timeutil import format_time, to_local, utcnow

# Long enough for someone to walk over; by then the kiosk has cleared itself for the next person.
CLOSES_AFTER = timedelta(minutes=15)
RECENT = timedelta(hours=8)  # the staff page's "recently closed" list


@dataclass(frozen=True)
class HelpAsked:
    request: KioskHelpRequest
    told: bool  # a text to the hub's staff is queued (now or by an earlier press)
    hub_open: bool
    counter: bool  # the hub is open and has a staffed counter


def hub_open(hub: Hub, moment: datetime | None = None) -> bool:
    """Open now by its weekly hours, less bank holidays and its own closures."""
    local = to_local(moment or utcnow())
    hours = hours_on_day(hub, local.date())
    return hours is not None and hours.opens <= local.time() < hours.closes


def staff_mobile(hub: Hub) -> str | None:
    return uk_mobile(hub.staff_phone)


def ask_for_help(device: KioskDevice) -> HelpAsked:
    """Once per wait: pressing again while a request is open neither adds one nor texts again."""
    hub, now = device.hub, utcnow()
    is_open = hub_open(hub, now)
    mobile = staff_mobile(hub) if is_open else None
    request = _open_request(device, now)
    # The same wait: no second request or text. But a request nobody could be told about (the hub was
    # closed, or had no staff phone) does not stop telling someone now that someone can be.
    if request is not None and (request.texted_to or not mobile):
        return HelpAsked(request, bool(request.texted_to), is_open, is_open and hub.has_counter)
    if request is not None:
        request.closed_at = now
    request = KioskHelpRequest(kiosk=device, created_at=now, texted_to=mobile or "")
    db.session.add(request)
    db.session.flush()
    if mobile:
        outbox.queue_sms(
            "kiosk_help",
            mobile,
            f"Doorstep: someone at the {_kiosk_name(device)} in {hub.name} is asking for help "
            f"({format_time(now)}). When you have helped, mark it dealt with: "
            f"{external_url('kiosk_staff.help_requests')}",
            f"kiosk-help:{request.id}",
        )
    audit.record("kiosk_help_requested", "kiosk", device.id, texted=bool(mobile))
    return HelpAsked(request, bool(mobile), is_open, is_open and hub.has_counter)


def _kiosk_name(device: KioskDevice) -> str:
    """ "the Reception kiosk", not "the Reception kiosk kiosk"."""
    return device.name if device.name.lower().endswith("kiosk") else f"{device.name} kiosk"


def person_left(device: KioskDevice) -> None:
    """ "Start again" (or the kiosk clearing itself): whoever asked has gone, so their request is closed
    and the next person's press is a new request, told anew."""
    for request in db.session.scalars(_still_open().where(KioskHelpRequest.kiosk_id == device.id)):
        request.closed_at = utcnow()
        audit.record("kiosk_help_left", "kiosk", device.id, request=request.id)


def _open_request(device: KioskDevice, now: datetime) -> KioskHelpRequest | None:
    return db.session.scalar(
        _still_open()
        .where(KioskHelpRequest.kiosk_id == device.id, KioskHelpRequest.created_at > now - CLOSES_AFTER)
        .order_by(KioskHelpRequest.created_at.desc())
        .limit(1)
    )


def _still_open():
    return select(KioskHelpRequest).where(
        KioskHelpRequest.answered_at.is_(None), KioskHelpRequest.closed_at.is_(None)
    )


def open_requests() -> list[KioskHelpRequest]:
    """Newest first: the person who has just asked is the one most likely still at the kiosk."""
    return list(
        db.session.scalars(
            _still_open().order_by(KioskHelpRequest.created_at.desc(), KioskHelpRequest.id.desc())
        )
    )


def recently_closed(now: datetime | None = None) -> list[KioskHelpRequest]:
    since = (now or utcnow()) - RECENT
    finished = KioskHelpRequest.answered_at.is_not(None) | KioskHelpRequest.closed_at.is_not(None)
    return list(
        db.session.scalars(
            select(KioskHelpRequest)
            .where(finished, KioskHelpRequest.created_at >= since)
            .order_by(KioskHelpRequest.created_at.desc())
        )
    )


def deal_with(request: KioskHelpRequest, user: User) -> bool:
    """False when it was already dealt with or closed (by someone else, or by the job)."""
    if request.answered_at is not None or request.closed_at is not None:
        return False
    request.answered_by, request.answered_at = user, utcnow()
    audit.record("kiosk_help_answered", "kiosk", request.kiosk_id, user=user)
    return True


def close_unanswered(now: datetime | None = None) -> int:
    """Scheduler job: close requests nobody dealt with within CLOSES_AFTER (the person has gone, and
    the kiosk has cleared itself); each is logged, so a supervisor can see help that never came."""
    now = now or utcnow()
    stale = list(db.session.scalars(_still_open().where(KioskHelpRequest.created_at <= now - CLOSES_AFTER)))
    for request in stale:
        request.closed_at = now
        audit.record("kiosk_help_unanswered", "kiosk", request.kiosk_id, request=request.id)
    return len(stale)


def next_close() -> datetime | None:
    """When `close_unanswered` could next close a request (the simulation's clock wakes then), or None."""
    oldest = db.session.scalar(_still_open().with_only_columns(func.min(KioskHelpRequest.created_at)))
    return oldest + CLOSES_AFTER if oldest is not None else None
