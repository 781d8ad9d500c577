"""How appointments are described to people and to API clients (UK time, plain English)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from app.appointments.queries import outcome_at
from app.appointments.references import format_reference
from app.extensions import HotRead
from app.i18n import _l, gettext_for
from app.models import Appointment, Officer
from app.timeutil import format_date, format_short_date, format_time, to_local
from notifications.calendar import CalendarEvent


def when(appointment: Appointment, locale: str = "en", short: bool = False) -> str:
    """'Monday 7 December 2026, arriving between 9am and 11am', in the resident's language; `short`
    for texts ('Mon 7 Dec 2026, 9am to 11am')."""
    return window_text(appointment.window_start, appointment.window_end, locale, short)


def window_text(start: datetime, end: datetime, locale: str = "en", short: bool = False) -> str:
    _ = gettext_for(locale)
    day = format_short_date(start, locale) if short else format_date(start, locale)
    values = {"day": day, "start": format_time(start, locale), "end": format_time(end, locale)}
    if start == end:
        return _("%(day)s at %(start)s") % values
    if short:
        return _("%(day)s, %(start)s to %(end)s") % values
    return _("%(day)s, arriving between %(start)s and %(end)s") % values


def api_end(window_start: datetime, window_end: datetime, duration_minutes: int) -> datetime:
    """The `end` the API gives a slot or a booking (app/api/schemas.py says so): for an exact time, when
    the appointment ends, start + its length, as in its calendar file (calendar_event); for an arrival
    window, the latest arrival, as every page shows the window ("9am to 11am")."""
    if window_start == window_end:
        return window_end + timedelta(minutes=duration_minutes)
    return window_end


def added_travel(seconds: int) -> str:
    """The agent's travel hint for a slot: "no extra travel" when it rounds to no minutes, whole minutes
    up to 10, then the nearest 5 minutes (the estimate is not that precise)."""
    minutes = round(max(seconds, 0) / 60)
    if minutes == 0:
        return "no extra travel"
    if minutes >= 10:
        minutes = 5 * round(minutes / 5)
    return f"adds about {minutes} minute{'s' if minutes != 1 else ''} of travel"


# Translators: shown as a resident's access needs when they told us of none (not a bare "None").
NONE_TOLD = _l("None told to us")


def access_needs_said(needs: str | None) -> str:
    """What the resident told us of their access needs, as every page shows it (resident, agent,
    officer): their words, or "None told to us" when they told us none, never a blank or a bare "None"."""
    return (needs or "").strip() or str(NONE_TOLD)


# The words of the rating question's answers (1 to 5), for staff: a rating is shown in words first.
RATING_WORDS = {5: "very good", 4: "good", 3: "neither good nor poor", 2: "poor", 1: "very poor"}


def rating_words(average: float | None) -> str:
    """A rating (one answer, or the average of several, 1 to 5) in words, the number after them:
    "Good (4.3 out of 5)". No answers: "No ratings yet"."""
    if average is None:
        return "No ratings yet"
    nearest = min(5, max(1, int(average + 0.5)))  # 4.5 is nearer "very good" in people's eyes: round half up
    shown = f"{average:.1f}".removesuffix(".0")
    return f"{RATING_WORDS[nearest].capitalize()} ({shown} out of 5)"


# A visit's status as staff read it, one word for each everywhere (the officer's day, its buttons and
# answers, the field board, the agent's caller page): "Nobody in", never "No show" beside "No-show".
STATUS_LABELS = {
    "booked": "Booked",
    "checked_in": "Checked in",
    "completed": "Completed",
    "no_show": "Nobody in",
    "cancelled": "Cancelled",
}


def status_label(status: str, at_hub: object = None) -> str:
    """A visit's status as staff read it; pass the visit's hub: at a hub the resident comes to the
    officer, so nobody turning up is "Did not come", not "Nobody in"."""
    if status == "no_show" and at_hub:
        return "Did not come"
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


# How a visit was booked (Appointment.channel), as staff read it on reports.
CHANNEL_LABELS = {
    "web": "Online",
    "phone": "Phone",
    "kiosk": "Hub kiosk",
    "api": "Partner system (API)",
    "counter": "Hub counter",
}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel.capitalize())


# The same, after a verb: "booked online", "cancelled at a hub kiosk".
CHANNEL_HOW = {
    "web": "online",
    "phone": "by phone",
    "kiosk": "at a hub kiosk",
    "api": "through a partner system (API)",
    "counter": "at a hub counter",
}


def channel_how(channel: str) -> str:
    return CHANNEL_HOW.get(channel, f"({channel})")


def place_name(appointment: Appointment) -> str:
    """What every page and text calls the place of a visit: a hub visit by the hub's name (the first line
    of its address is the building's, e.g. "Devizes Library, Sheep Street", not another name for the hub),
    else the first line of the address."""
    return appointment.hub.name if appointment.hub else appointment.address_line1


def where(appointment: Appointment) -> str:
    if appointment.hub:
        hub = appointment.hub
        return f"{hub.name}, {hub.address_line1}, {hub.town} {hub.postcode}"
    parts = (appointment.address_line1, appointment.address_line2, appointment.town, appointment.postcode)
    return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class PlaceWords:
    """What a resident reads about their appointment where it depends on where it is: an officer visits
    a home or business, but at a community hub the resident comes to the officer ("your appointment at
    Devizes community hub"), so nobody "visits" and nobody is "in". Pages and the calendar entry take
    these; the messages (notifications/templates.py) word theirs from the facts' `hub` the same way."""

    called_off: str  # a cancelled booking: nobody comes, no more reminders
    taken_place: str  # a completed one
    missed_tag: str  # the status of a no-show, as a tag
    missed: str  # what happened at a no-show
    question: str  # whom to phone about it: "%(phone)s" left for the page (a tel: link there)
    officer_reads: str  # who reads the access needs and interpreter the resident gives
    calendar: str  # the calendar entry's line on who comes to whom


def place_words(appointment: Appointment, locale: str = "en") -> PlaceWords:
    """The one place that words an appointment by its place, in the resident's language."""
    _ = gettext_for(locale)
    phone = {"phone": "%(phone)s"}  # the page puts the number in, as a link it can dial
    if appointment.hub:
        hub = {"hub": appointment.hub.name}
        start = appointment.window_start
        return PlaceWords(
            called_off=_(
                "Your appointment at %(hub)s will not take place, and we will not send you any more "
                "reminders about it."
            )
            % hub,
            taken_place=_("Your appointment at %(hub)s has taken place.") % hub,
            missed_tag=_("Missed"),
            missed=_(
                "Our officer was at %(place)s for your appointment at %(time)s (%(day)s), but you did not "
                "arrive."
            )
            % {
                "place": appointment.hub.name,
                "time": format_time(start, locale),
                "day": format_date(start, locale),
            },
            question=_("If you have a question about your appointment at %(hub)s, phone %(phone)s.")
            % {"hub": appointment.hub.name.replace("%", "%%"), **phone},
            officer_reads=_("The officer who sees you at %(hub)s reads this before your appointment.") % hub,
            calendar=_("Your appointment at %(hub)s.") % hub,
        )
    called = outcome_at(appointment) or appointment.window_start
    return PlaceWords(
        called_off=_("Nobody will visit, and we will not send you any more reminders about it."),
        taken_place=_("This visit has taken place."),
        missed_tag=_("Nobody was in"),
        missed=_("Our officer called at %(time)s (%(day)s) and nobody was in.")
        % {"time": format_time(called, locale), "day": format_date(called, locale)},
        question=_("If you have a question about this visit, phone %(phone)s.") % phone,
        officer_reads=_("The officer who visits you reads this before your appointment."),
        calendar=_("An officer will visit you at this address."),
    )


def started(appointment: Appointment):
    """Why a booking under way cannot be changed, by its place as place_words says it (lazy: in the
    language of the page or answer that shows it)."""
    if appointment.hub:
        return _l(
            "Your appointment at %(hub)s has started, so you cannot change these details online now. Tell "
            "the officer who is with you.",
            hub=appointment.hub.name,
        )
    return _l(
        "Your visit has started, so you cannot change these details online now. Tell the officer who "
        "is with you."
    )


def already_started(appointment: Appointment):
    """A change refused because the officer has checked in (lazy, as `started`)."""
    if appointment.hub:
        return _l(
            "This appointment at %(hub)s has started: the officer is with you now", hub=appointment.hub.name
        )
    return _l("This visit has started: the officer is there now")


_FIRST_NAME = HotRead(select(Officer.first_name).where(Officer.id == bindparam("officer")))


def officer_first_name(appointment: Appointment) -> str:
    """The first name of the visit's officer: from the officer if loaded, else read alone (loading the
    officer for it was a query of every column per booking answered, bench/README.md section 3)."""
    officer = appointment.__dict__.get("officer")
    if officer is not None and officer.id == appointment.officer_id:
        return officer.first_name
    if appointment.officer_id is None:
        return ""
    found = _FIRST_NAME.rows(officer=appointment.officer_id)
    return found[0][0] if found else ""


def as_json(
    appointment: Appointment, manage_url: str = "", ics_url: str = "", first_name: str | None = None
) -> dict:
    """The booking as the API shows it. `first_name`: the officer's, if the caller knows it already (a
    booking's answer, from the roster read after its lock); else officer_first_name() finds it."""
    data = {
        "reference": appointment.reference,
        "reference_display": format_reference(appointment.reference),
        "status": appointment.status,
        "service": appointment.service.code,
        "service_name": appointment.service.name,
        "location_type": appointment.location_type,
        "place": where(appointment),
        "hub": appointment.hub.code if appointment.hub else None,
        "start": to_local(appointment.window_start).isoformat(),
        "end": to_local(
            api_end(appointment.window_start, appointment.window_end, appointment.duration_minutes)
        ).isoformat(),
        "duration_minutes": appointment.duration_minutes,
        "officer_first_name": officer_first_name(appointment) if first_name is None else first_name,
        "two_officers": appointment.second_officer_id is not None,
        "what_to_have_ready": appointment.service.document_list,
        "channel": appointment.channel,
    }
    if manage_url:
        data["manage_url"] = manage_url
    if ics_url:
        data["ics_url"] = ics_url
    return data


def service_name(appointment: Appointment, locale: str = "en") -> str:
    return translated(appointment.service.name, locale)


def documents(appointment: Appointment, locale: str = "en") -> list[str]:
    return [translated(item, locale) for item in appointment.service.document_list]


def translated(text: str, locale: str) -> str:
    """Catalogue text (a service's name, a document) in this language, if the catalogue has it."""
    return gettext_for(locale)(text) if text else ""


def calendar_event(appointment: Appointment, council: str, locale: str = "en") -> CalendarEvent:
    """The resident's calendar entry, in their language."""
    _ = gettext_for(locale)
    ready = documents(appointment, locale)
    reference = format_reference(appointment.reference)
    lines = [_("Reference %(reference)s.") % {"reference": reference}, when(appointment, locale) + "."]
    if appointment.status != "cancelled":  # who comes to whom: a cancelled entry promises nobody
        lines.append(place_words(appointment, locale).calendar)
    if ready:
        lines.append(_("Please have ready: %(documents)s.") % {"documents": "; ".join(ready)})
    return CalendarEvent(
        uid=f"{appointment.reference}@doorstep",
        sequence=appointment.sequence,
        start=appointment.window_start,
        end=appointment.window_end + timedelta(minutes=appointment.duration_minutes),
        summary=f"{council}: {service_name(appointment, locale)}",
        location=where(appointment),
        description="\n".join(lines),
        cancelled=appointment.status == "cancelled",
        stamp=appointment.updated_at,
    )
