"""Video calls from a kiosk to a phone agent ("virtual face to face"): phone hours, the queue, agents'
availability, answering, ending, call-backs through the outbox, and the log.

Nothing said or shown is kept: media flows browser to browser (WebRTC), and the call's messages
(app/kiosk/call_signalling.py) are deleted when it ends. What stays is the log: hub, kiosk, agent,
start, answer, end, outcome, and the step the resident had reached.

Several app servers may serve the two ends of one call, so every piece of state is in the database;
long polls are woken early by PostgreSQL notifications where there are any (call_wakeups).
"""

from __future__ import annotations

import time as clock
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select, text, update

from app.extensions import db
from app.i18n import IN_ENGLISH, gettext_for, supported
from app.kiosk import call_wakeups
from app.kiosk.call_backs import CALL_BACK_EMAIL
from app.messaging import outbox
from app.messaging.contact import display_phone
from app.messaging.outbox import contact_centre_list
from app.models import Appointment, Hub, KioskDevice, User
from app.models.kiosk_calls import AgentPresence, KioskCall, KioskCallSignal
from app.staff import audit
from app.timeutil import (
    format_date,
    format_time,
    is_working_day,
    local_to_utc,
    next_working_day,
    to_local,
    utcnow,
)
from app.unit_of_work import finish_reads

PHONES_OPEN, PHONES_CLOSE = time(8, 30), time(17, 30)  # the contact centre's hours, Monday to Friday
SEEN_WITHIN = timedelta(seconds=60)  # a kiosk or console that has not asked for news this long has gone
LONGEST_WAIT_SECONDS = 20.0  # one long poll; the browser asks again at once
MODES = ("video", "voice", "text")
MODE_LABELS = {  # as the agent sees them
    "video": "Video",
    "voice": "Voice only, no camera",
    "text": "Text chat, no camera or microphone",
    "": "Call back",
}

# Where the resident was when they pressed "Talk to someone", from the page's endpoint. Only these
# labels are stored: nothing the browser sends reaches the agent's screen.
STEPS = {
    "kiosk.start": "Start screen",
    "kiosk.help_me": "Asked for help",
    "kiosk.ticket": "Printing a ticket",
    "booking.choose_service": "Choosing a service",
    "booking.signpost": "Told to go elsewhere for this service",
    "booking.where_step": "Choosing where to meet",
    "booking.postcode": "Giving a postcode",
    "booking.address": "Choosing an address",
    "booking.hub": "Choosing a hub",
    "booking.time": "Choosing a time",
    "booking.details": "Giving contact details",
    "booking.check": "Checking their answers",
    "booking.confirmation": "Booked",
    "manage.find": "Finding a booking to check or change",
    "manage.booking": "Looking at their booking",
    "manage.cancel_booking": "Cancelling a booking",
    "manage.change_time": "Changing a booking's time",
}


class PhonesClosed(Exception):
    """Outside phone hours: nobody can answer."""


def write_first() -> None:
    """Start a transaction whose first statement writes. SQLite (`make run`) cannot turn a transaction
    that has read into one that writes once another connection has written meanwhile, and the long
    polls write often; so each change here starts afresh, taking the write lock before reading (as the
    booking engine does). On PostgreSQL this only ends the request's reads so far. Call it first in a
    unit of work, before anything is written."""
    finish_reads()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE kiosk_call SET id = id WHERE 0"))


# Phone hours -----------------------------------------------------------------------------------------


def phones_open(moment: datetime | None = None) -> bool:
    local = to_local(moment or utcnow())
    return is_working_day(local.date()) and PHONES_OPEN <= local.time() < PHONES_CLOSE


def next_opening(moment: datetime | None = None) -> datetime:
    """When the phones next open (UTC): later today, or the next working day (bank holidays skipped)."""
    local = to_local(moment or utcnow())
    day = local.date()
    if not (is_working_day(day) and local.time() < PHONES_OPEN):
        day = next_working_day(day)
    return local_to_utc(day, PHONES_OPEN)


def when_someone_is_there(moment: datetime | None = None, locale: str = "en") -> str:
    """'8:30am tomorrow', '8:30am on Tuesday 29 December 2026'; in Polish and Nepali their own words,
    the 24-hour clock and their dates ('8:30 jutro', 'भोलि 8:30'), as the page around it is."""
    _ = gettext_for(locale)
    now = to_local(moment or utcnow())
    opening = next_opening(now)
    day = to_local(opening).date()
    at = format_time(opening, locale)
    if day == now.date():
        # Translators: only ever after "from" ("Someone will be there from %(when)s"). A language that
        # declines the day may word the whole phrase here and drop "from" there (Polish: "jutro od
        # 8:30", "Ktoś będzie dostępny: %(when)s").
        return _("%(time)s today") % {"time": at}
    if day == now.date() + timedelta(days=1):
        # Translators: see "%(time)s today"
        return _("%(time)s tomorrow") % {"time": at}
    # Translators: see "%(time)s today"; the day is as a heading gives it (Polish: "wtorek, 8 grudnia 2026")
    return _("%(time)s on %(day)s") % {"time": at, "day": format_date(day, locale)}


# The kiosk's end ---------------------------------------------------------------------------------------


def step_label(endpoint: str | None, service_name: str = "") -> str:
    label = STEPS.get(endpoint or "", STEPS["kiosk.start"])
    return (
        f"{label} ({service_name})"
        if service_name and endpoint and endpoint.startswith("booking.")
        else label
    )


def start(device: KioskDevice, mode: str, step: str, locale: str = "en") -> KioskCall:
    """Join the queue, in the language the kiosk is in (the agent sees it). One person at a time uses a
    kiosk, so any call it still had has ended."""
    if not phones_open():
        raise PhonesClosed
    write_first()
    for old in db.session.scalars(live_calls().where(KioskCall.kiosk_id == device.id)):
        _end(old, "left")
    call = KioskCall(
        kiosk=device,
        hub=device.hub,
        mode=mode if mode in MODES else "video",
        step=step[:120],
        locale=supported(locale),
    )
    db.session.add(call)
    db.session.flush()
    audit.record("kiosk_call_requested", "kiosk_call", call.id, hub=device.hub.code)
    call_wakeups.notify("queue")
    return call


def kiosk_call(device: KioskDevice | None, call_id: int) -> KioskCall | None:
    """The call, if it is this kiosk's."""
    call = db.session.get(KioskCall, call_id) if device is not None else None
    return call if call is not None and call.kiosk_id == device.id else None


def position(call: KioskCall) -> int:
    """1 for the next call to be answered; 0 once it is no longer waiting."""
    ids = [c.id for c in waiting_calls()]
    return ids.index(call.id) + 1 if call.id in ids else 0


def request_call_back(
    device: KioskDevice, phone: str, call: KioskCall | None, step: str, locale: str = "en"
) -> KioskCall:
    """Queue an email to the contact centre's list (the outbox sends it once) and log the call as a
    call-back, with the language the kiosk was in when they asked (so the adviser can have an
    interpreter on the line); out of hours, there is no call yet, so the log row is made here."""
    write_first()
    if call is None:
        call = KioskCall(kiosk=device, hub=device.hub, mode="", step=step[:120])
        db.session.add(call)
        db.session.flush()
    asked = utcnow()
    call.call_back_phone = phone  # listed on the agents' console until someone rings it (call_backs.py)
    call.locale = supported(locale)
    waited = f"\nThey waited {_minutes(asked - call.requested_at)} in the queue." if call.mode else ""
    body = (
        f"A resident at the {device.name} kiosk in {device.hub.name} asked to be called back.\n\n"
        f"Phone: {display_phone(phone)}\n"
        f"Language: {language_label(call.locale)}\n"
        f"Asked at: {format_time(asked)}, {format_date(asked)}\n"
        f"They had got to: {call.step or STEPS['kiosk.start']}{waited}\n"
    )
    outbox.queue_staff_email(
        CALL_BACK_EMAIL,
        contact_centre_list(),
        f"Call back a kiosk user at {device.hub.name}",
        body,
        str(call.id),
    )
    _end(call, "call_back")
    audit.record("kiosk_call_back_requested", "kiosk_call", call.id, hub=device.hub.code)
    return call


def language_label(locale: str) -> str:
    """The language the kiosk was in, as the agent reads it: 'Polish', 'Nepali', 'English'; 'Not
    recorded' for calls logged before it was kept."""
    return IN_ENGLISH.get(locale, "Not recorded")


def _minutes(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    return "less than a minute" if minutes < 1 else f"{minutes} minute{'s' if minutes != 1 else ''}"


# Agents ------------------------------------------------------------------------------------------------


def presence(user: User) -> AgentPresence | None:
    return db.session.get(AgentPresence, user.id)


def set_available(user: User, available: bool) -> None:
    write_first()
    row = presence(user)
    if row is None:
        row = AgentPresence(user_id=user.id)
        db.session.add(row)
    row.available, row.changed_at, row.seen_at = available, utcnow(), utcnow()
    audit.record("kiosk_calls_available" if available else "kiosk_calls_busy", "user", user.id)
    call_wakeups.notify("queue")


def touch_agent(user_id: int) -> None:
    """The agent's console is open (its long poll asked just now): its own short unit of work, before
    the long poll's reads."""
    write_first()
    db.session.execute(update(AgentPresence).where(AgentPresence.user_id == user_id).values(seen_at=utcnow()))


def free_agents() -> int:
    """Agents who said they take kiosk calls, whose console is open, and who are not on one."""
    on_a_call = select(KioskCall.agent_id).where(
        KioskCall.status == "connected", KioskCall.agent_id.is_not(None)
    )
    return db.session.scalar(
        select(func.count())
        .select_from(AgentPresence)
        .join(User, User.id == AgentPresence.user_id)
        .where(
            AgentPresence.available.is_(True),
            AgentPresence.seen_at >= utcnow() - SEEN_WITHIN,
            User.active.is_(True),
            AgentPresence.user_id.not_in(on_a_call),
        )
    )


def current_call(user: User) -> KioskCall | None:
    """The kiosk call this agent is on, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(KioskCall)
        .where(KioskCall.agent_id == user.id, KioskCall.status == "connected")
        .order_by(KioskCall.answered_at.desc())
        .limit(1)
    )


def answer(call_id: int, user: User) -> KioskCall | None:
    """Take a waiting call. However many agents press Answer at once, one gets it (a conditional
    update: only a row still waiting changes)."""
    write_first()
    if current_call(user) is not None:
        return None
    now = utcnow()
    taken = db.session.execute(
        update(KioskCall)
        .where(
            KioskCall.id == call_id,
            KioskCall.status == "waiting",
            KioskCall.kiosk_seen_at >= now - SEEN_WITHIN,
        )
        .values(status="connected", agent_id=user.id, answered_at=now, agent_seen_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        return None
    call = db.session.get(KioskCall, call_id)
    db.session.refresh(call)
    audit.record("kiosk_call_answered", "kiosk_call", call.id, user=user)
    call_wakeups.notify(call.id, "queue")
    return call


def booking_channel(user: User) -> str:
    """A booking an agent makes while on a kiosk call came through the kiosk."""
    return "kiosk" if current_call(user) is not None else "phone"


def booked_during_call(user: User, appointment: Appointment) -> None:
    """The agent booked for the resident on their call: the kiosk shows it and prints the ticket."""
    call = current_call(user)
    if call is not None:
        call.appointment = appointment
        audit.record("kiosk_call_booked", "kiosk_call", call.id, reference=appointment.reference)
        call_wakeups.notify(call.id)


# The queue and the log ---------------------------------------------------------------------------------


def live_calls():
    return select(KioskCall).where(KioskCall.status != "ended")


def waiting_calls() -> list[KioskCall]:
    """The queue, first come first served; a kiosk that stopped asking has gone (the sweep ends it)."""
    return list(
        db.session.scalars(
            select(KioskCall)
            .where(KioskCall.status == "waiting", KioskCall.kiosk_seen_at >= utcnow() - SEEN_WITHIN)
            .order_by(KioskCall.requested_at, KioskCall.id)
        )
    )


def end(call: KioskCall, outcome: str = "") -> None:
    """End the call, once: the outcome is booked if the agent booked, else the one given, else helped
    (answered) or left (never answered). Its signalling messages go with it."""
    write_first()
    _end(call, outcome)


def _end(call: KioskCall, outcome: str = "") -> None:
    if call.status == "ended":
        return
    answered = call.answered_at is not None
    call.outcome = "booked" if call.appointment_id else outcome or ("helped" if answered else "left")
    call.status, call.ended_at = "ended", utcnow()
    db.session.execute(delete(KioskCallSignal).where(KioskCallSignal.call_id == call.id))
    audit.record("kiosk_call_ended", "kiosk_call", call.id, outcome=call.outcome)
    call_wakeups.notify(call.id, "queue")


def sweep(now: datetime | None = None) -> int:
    """Scheduler job: end calls whose kiosk or agent has gone quiet (a closed tab, a lost network), and
    remove any signalling messages left by ended calls. Returns the number of calls ended."""
    cutoff = (now or utcnow()) - SEEN_WITHIN
    write_first()
    gone = list(
        db.session.scalars(
            live_calls().where(
                (KioskCall.kiosk_seen_at < cutoff)
                | ((KioskCall.status == "connected") & (KioskCall.agent_seen_at < cutoff))
            )
        )
    )
    for call in gone:
        _end(call, "dropped" if call.status == "connected" else "left")
    ended = select(KioskCall.id).where(KioskCall.status == "ended")
    db.session.execute(delete(KioskCallSignal).where(KioskCallSignal.call_id.in_(ended)))
    return len(gone)


def next_sweep() -> datetime | None:
    """When `sweep` could next end a call or clear an ended call's signals (now, for those), or None."""
    if db.session.scalar(
        select(KioskCallSignal.id).join(KioskCall).where(KioskCall.status == "ended").limit(1)
    ):
        return utcnow()
    seen = db.session.execute(
        live_calls().with_only_columns(func.min(KioskCall.kiosk_seen_at), func.min(KioskCall.agent_seen_at))
    ).one()
    times = [t + SEEN_WITHIN for t in seen if t is not None]
    return min(times, default=None)


def calls_by_hub(first: date, last: date) -> list[list]:
    """Dashboard rows: hub, calls, answered, booked, call-backs, left before an answer."""
    start, end_ = local_to_utc(first, time(0)), local_to_utc(last + timedelta(days=1), time(0))
    rows = db.session.execute(
        select(KioskCall.hub_id, KioskCall.answered_at.is_not(None), KioskCall.outcome).where(
            KioskCall.requested_at >= start, KioskCall.requested_at < end_
        )
    ).all()
    names = {h.id: h.name for h in db.session.scalars(select(Hub))}
    counts: dict[str, Counter] = {}
    for hub_id, answered, outcome in rows:
        c = counts.setdefault(names.get(hub_id, "Unknown hub"), Counter())
        c["calls"] += 1
        c["answered"] += bool(answered)
        c[outcome] += 1
    return [
        [hub, c["calls"], c["answered"], c["booked"], c["call_back"], c["left"]]
        for hub, c in sorted(counts.items(), key=lambda item: (-item[1]["calls"], item[0]))
    ]


def queue_view(user: User) -> dict:
    """The agent console's queue, and the agent's own state, with a token that changes when they do."""
    row = presence(user)
    calls = waiting_calls()
    on_call = current_call(user)
    token = "|".join(
        [str(bool(row and row.available)), str(on_call.id if on_call else 0), str(free_agents())]
        + [f"{c.id}:{c.mode}" for c in calls]
    )
    return {"calls": calls, "available": bool(row and row.available), "on_call": on_call, "token": token}


def wait_for_queue(user: User, known: str, wait_seconds: float) -> dict:
    """A long poll (after `touch_agent` was committed): only reads, each look its own transaction, so no
    connection is held while waiting."""
    deadline = clock.monotonic() + max(0.0, min(wait_seconds, LONGEST_WAIT_SECONDS))
    user_id = user.id
    while True:
        user = db.session.get(User, user_id)  # fresh each time: the account may be switched off meanwhile
        if user is None or not user.active:
            return {"calls": [], "available": False, "on_call": None, "token": ""}
        view = queue_view(user)
        finish_reads()
        if view["token"] != known or clock.monotonic() >= deadline:
            return view
        call_wakeups.wait(("queue",), deadline - clock.monotonic())
