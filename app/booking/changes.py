"""Changes to a booking: cancel, reschedule and the outcome of a visit. Each takes the booking's lock
first (app.booking.locks), then reads its state."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.appointments.presenters import already_started, channel_how, status_label, window_text
from app.booking import call_list, interpreters
from app.booking.availability import decode_slot
from app.booking.claims import claim
from app.booking.customers import PUBLIC_CHANNELS, check_change_allowance
from app.booking.errors import BookingChanged, BookingRuleError, SlotUnavailable, TooManyBookings
from app.booking.locks import lock_appointment, lock_officer_days, state_of
from app.booking.recheck import check_precautions, check_token_matches, still_fits
from app.booking.waitlist_offers import offer_freed_time
from app.config import settings
from app.extensions import db
from app.i18n import _l
from app.messaging import outbox
from app.models import Appointment, AppointmentEvent, User
from app.places.places import Place, nearest_area_id
from app.staff import audit
from app.timeutil import at_day_seconds, format_time, to_local, utcnow
from app.unit_of_work import finish_reads


def _officer_days(appointment: Appointment) -> list[tuple[int, date]]:
    day = to_local(appointment.window_start).date()
    return [(o, day) for o in (appointment.officer_id, appointment.second_officer_id) if o]


def _still_changeable(appointment: Appointment) -> None:
    """Booked and not over. A visit the officer has checked in to is under way: it ends as completed or
    no-show, never moved or cancelled from elsewhere (which would also end the officer's safety
    session's visit under them)."""
    if appointment.status != "booked":
        if appointment.status == "checked_in":  # said for its place: at a hub the resident is there too
            raise BookingRuleError("appointment", already_started(appointment))
        raise BookingRuleError("appointment", ALREADY.get(appointment.status, ALREADY["completed"]))
    if appointment.window_end < utcnow():
        raise BookingRuleError("appointment", _l("This appointment is in the past"))


# A resident may move a booking online a few times a day: each move texts, emails or posts the new
# time, so without a cap one link could send a stranger (or one door) a message a second.
MOVES_PER_DAY = 3


def _take_move_allowance(appointment: Appointment) -> None:
    """A move made online sends the new time where the resident is reminded: it uses that number's,
    address's or door's public allowance as a booking does (attack of 2 December: one link's moves, each
    a text, were counted by nobody's allowance)."""
    customer = appointment.customer
    how = customer.preferred_channel
    letters = how == "post" and appointment.hub is None
    door = (appointment.postcode, appointment.address_line1) if letters else None
    try:
        check_change_allowance(
            customer.phone if how == "sms" else "", customer.email if how == "email" else "", door
        )
    except TooManyBookings as refused:
        raise BookingRuleError("slot", _moved_too_often()) from refused


def _moved_too_often():
    return _l(
        "You have moved this appointment several times today. Your appointment has not changed. "
        "To move it again, phone us on %(phone)s",
        phone=settings().contact_centre_phone,
    )


def _check_moves_today(appointment: Appointment) -> None:
    moved = db.session.scalar(
        select(func.count(AppointmentEvent.id)).where(
            AppointmentEvent.appointment_id == appointment.id,
            AppointmentEvent.status == "rescheduled",
            AppointmentEvent.channel.in_(PUBLIC_CHANNELS),
            AppointmentEvent.at >= utcnow() - timedelta(days=1),
        )
    )
    if moved >= MOVES_PER_DAY:
        raise BookingRuleError("slot", _moved_too_often())


ALREADY = {
    "cancelled": _l("This appointment is already cancelled"),
    "completed": _l("This appointment is already completed"),
    "no_show": _l("This appointment is already no show"),
}


def cancel(appointment: Appointment, reason: str, *, actor: User | None = None, channel: str = "web") -> None:
    seen = state_of(appointment)
    lock_appointment(appointment)
    _still_changeable(appointment)
    if state_of(appointment) != seen:
        raise BookingChanged()  # e.g. moved a moment ago: the resident must see the new time first
    lock_officer_days(_officer_days(appointment))  # frees the time for fresh availability answers
    appointment.status = "cancelled"
    appointment.cancel_reason = reason.strip()
    appointment.sequence += 1
    db.session.add(
        AppointmentEvent(
            appointment=appointment, status="cancelled", actor=actor, channel=channel, note=reason.strip()
        )
    )
    audit.record("appointment_cancelled", "appointment", appointment.reference, user=actor, channel=channel)
    call_list.close_for(appointment, actor, f"Cancelled {channel_how(channel)}")
    outbox.appointment_changed(appointment, "cancellation")
    offer_freed_time(appointment)


def place_to_move(appointment: Appointment) -> Place:
    """Where a move looks for times, and asks whether the roster can staff it (coverage.staffed_at): the
    appointment's own place, in its hub's community area or the one nearest the visit, with its address
    (the risk register's markers on it apply to a move as to a booking: recheck.check_precautions)."""
    area_id = (
        appointment.hub.area_id if appointment.hub else nearest_area_id(appointment.lat, appointment.lng)
    )
    return Place(
        appointment.location_type,
        appointment.lat,
        appointment.lng,
        area_id or 0,
        hub=appointment.hub,
        line1=appointment.address_line1 or "",
        line2=appointment.address_line2 or "",
        town=appointment.town or "",
        postcode=appointment.postcode or "",
        uprn=appointment.uprn or "",
    )


def reschedule(
    appointment: Appointment, slot_token: str, *, actor: User | None = None, channel: str = "web"
) -> None:
    """Take the new slot and free the old one in one transaction; on any failure the old one stands."""
    seen = state_of(appointment)
    _still_changeable(appointment)
    token = decode_slot(slot_token)
    if token is None:
        raise SlotUnavailable("token not valid")
    place = place_to_move(appointment)
    check_token_matches(token, appointment.service, place)
    finish_reads()
    if channel in PUBLIC_CHANNELS:
        _take_move_allowance(appointment)  # allowances are locked before the booking (booking.py)
    lock_appointment(appointment)
    _still_changeable(appointment)
    if channel in PUBLIC_CHANNELS:
        _check_moves_today(appointment)
    officers = (appointment.officer_id, appointment.second_officer_id)
    if (
        appointment.window_start == at_day_seconds(token.day, token.window[0])
        and appointment.window_end == at_day_seconds(token.day, token.window[1])
        and tuple(o for o in officers if o) == token.officer_ids
    ):
        return  # already there: the same change sent twice (a double click) changes nothing more
    if state_of(appointment) != seen:
        raise BookingChanged()
    lock_officer_days(_officer_days(appointment) + [(o, token.day) for o in token.officer_ids])
    # The slot may come from any search (an API caller's, for another address): the register decides.
    check_precautions(token.officer_ids, appointment.service, place, appointment.customer)
    arrival = still_fits(token, place, appointment.duration_minutes * 60, exclude=appointment.id)
    claim(token, appointment)
    moved_from = appointment.window_start  # kept on the event: a move close to the visit is avoidable contact
    appointment.window_start = at_day_seconds(token.day, token.window[0])
    appointment.window_end = at_day_seconds(token.day, token.window[1])
    appointment.planned_arrival = at_day_seconds(token.day, arrival)
    appointment.officer_id = token.officer_ids[0]
    appointment.second_officer_id = token.officer_ids[1] if len(token.officer_ids) > 1 else None
    appointment.sequence += 1
    db.session.add(
        AppointmentEvent(
            appointment=appointment,
            status="rescheduled",
            actor=actor,
            channel=channel,
            note=f"{MOVED_FROM}{moved_from.isoformat()}",
        )
    )
    audit.record("appointment_rescheduled", "appointment", appointment.reference, user=actor, channel=channel)
    moved_to = window_text(appointment.window_start, appointment.window_end)  # the window, as promised
    call_list.close_for(appointment, actor, f"Moved to {moved_to} {channel_how(channel)}")
    outbox.appointment_changed(appointment, "reschedule")
    interpreters.flag_if_needed(appointment)


MOVED_FROM = "moved from "

OUTCOMES = {
    "checked_in": ("booked",),
    "completed": ("booked", "checked_in"),
    "no_show": ("booked", "checked_in"),
}


def already_recorded(appointment: Appointment) -> str:
    """Why an officer's tap changes nothing: "This visit is already recorded as nobody in"."""
    return f"This visit is already recorded as {status_label(appointment.status).lower()}"


def no_show_from(appointment: Appointment) -> datetime:
    """When nobody being in can first be recorded: a resident cannot be "not in" before their time starts,
    the arrival window's start (an exact-time visit's time). An officer may check in up to an hour before
    (app.safety.safety.EARLIEST_CHECK_IN), so a tap on "Nobody in" then would wrongly end a visit."""
    return appointment.window_start


def refuse_early_no_show(appointment: Appointment, at: datetime) -> None:
    """Refuses recording nobody in at `at` (the tap's own time: a tap queued on a phone with no signal
    is judged by when it was made) before the visit's time has started."""
    opens = no_show_from(appointment)
    if at >= opens:
        return
    day = "" if to_local(at).date() == to_local(opens).date() else f" on {to_local(opens):%A %-d %B}"
    raise BookingRuleError("appointment", f"You can record nobody in from {format_time(opens)}{day}")


def record_outcome(
    appointment: Appointment,
    status: str,
    *,
    actor: User | None = None,
    note: str = "",
    at: datetime | None = None,
) -> None:
    """Check-in, then completed or no_show (the satisfaction text follows a completed visit). `at` is
    when it happened (a queued tap's own time), now if not given."""
    if status not in OUTCOMES:
        raise BookingRuleError("status", "Unknown outcome")
    seen = state_of(appointment)
    lock_appointment(appointment)
    if appointment.status not in OUTCOMES[status]:
        raise BookingRuleError("appointment", already_recorded(appointment))
    if status == "no_show":
        refuse_early_no_show(appointment, at or utcnow())
    if state_of(appointment) != seen:
        raise BookingChanged()
    appointment.status = status
    db.session.add(
        AppointmentEvent(appointment=appointment, status=status, actor=actor, channel="staff", note=note)
    )
    audit.record(f"appointment_{status}", "appointment", appointment.reference, user=actor)
    if status in ("completed", "no_show"):
        # Nobody need call about a visit that has happened (or that nobody was in for): say which.
        done = "Visit completed" if status == "completed" else "Nobody in when the officer called"
        call_list.close_for(appointment, actor, done)
        outbox.appointment_changed(appointment, status)
