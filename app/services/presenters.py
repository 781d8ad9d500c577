"""How appointments are described to people and to API clients (UK time, plain English)."""

from __future__ import annotations

from app.models import Appointment
from app.services.references import format_reference
from app.timeutil import format_date, format_time, to_local
from notifications.calendar import CalendarEvent


def when(appointment: Appointment) -> str:
    day = format_date(appointment.window_start)
    if appointment.window_start == appointment.window_end:
        return f"{day} at {format_time(appointment.window_start)}"
    start, end = format_time(appointment.window_start), format_time(appointment.window_end)
    return f"{day}, arriving between {start} and {end}"


def where(appointment: Appointment) -> str:
    if appointment.hub:
        hub = appointment.hub
        return f"{hub.name}, {hub.address_line1}, {hub.town} {hub.postcode}"
    parts = (appointment.address_line1, appointment.address_line2, appointment.town, appointment.postcode)
    return ", ".join(p for p in parts if p)


def officer_first_name(appointment: Appointment) -> str:
    return appointment.officer.first_name if appointment.officer else ""


def as_json(appointment: Appointment, manage_url: str = "", ics_url: str = "") -> dict:
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
        "end": to_local(appointment.window_end).isoformat(),
        "duration_minutes": appointment.duration_minutes,
        "officer_first_name": officer_first_name(appointment),
        "two_officers": appointment.second_officer_id is not None,
        "what_to_have_ready": appointment.service.document_list,
        "channel": appointment.channel,
    }
    if manage_url:
        data["manage_url"] = manage_url
    if ics_url:
        data["ics_url"] = ics_url
    return data


def calendar_event(appointment: Appointment, council: str) -> CalendarEvent:
    from datetime import timedelta

    ready = appointment.service.document_list
    lines = [f"Reference {format_reference(appointment.reference)}.", when(appointment) + "."]
    if ready:
        lines.append("Please have ready: " + "; ".join(ready) + ".")
    return CalendarEvent(
        uid=f"{appointment.reference}@doorstep",
        sequence=appointment.sequence,
        start=appointment.window_start,
        end=appointment.window_end + timedelta(minutes=appointment.duration_minutes),
        summary=f"{council}: {appointment.service.name}",
        location=where(appointment),
        description="\n".join(lines),
        cancelled=appointment.status == "cancelled",
        stamp=appointment.updated_at,
    )
