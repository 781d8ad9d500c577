"""Rules for changing services and hubs (supervisor and admin screens)."""

from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from app.messaging.contact import uk_mobile
from app.models import Hub, HubClosure, HubOpening, Service, Skill
from app.places.places import normalise_postcode
from app.staff import audit
from app.timeutil import parse_clock


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def save_service(service: Service | None, data: dict) -> Service:
    creating = service is None
    if creating:
        service = Service(code=slug(data["name"]))
        db.session.add(service)
    places = set(data.get("places") or [])
    service.name = data["name"].strip()
    service.summary = (data.get("summary") or "").strip()
    service.duration_minutes = data["duration_minutes"]
    service.at_home, service.at_business, service.at_hub = (
        "home" in places,
        "business" in places,
        "hub" in places,
    )
    service.premises_only = bool(data.get("premises_only"))
    service.signpost = (data.get("signpost") or "").strip()
    service.skill = db.session.get(Skill, data["skill_id"]) if data.get("skill_id") else None
    service.documents = (data.get("documents") or "").strip()
    service.keywords = (data.get("keywords") or "").strip()
    service.two_officers = bool(data.get("two_officers"))
    service.exact_times = bool(data.get("exact_times"))
    service.notice_hours = data["notice_hours"]
    service.horizon_days = data["horizon_days"]
    service.active = bool(data.get("active"))
    db.session.flush()
    audit.record("service_created" if creating else "service_updated", "service", service.id)
    return service


def save_hub(hub: Hub, data: dict) -> Hub:
    hub.name = data["name"].strip()
    hub.address_line1 = data["address_line1"].strip()
    hub.town = data["town"].strip()
    hub.postcode = normalise_postcode(data["postcode"]) or data["postcode"].strip().upper()
    hub.lat, hub.lng = data["lat"], data["lng"]
    hub.has_counter = bool(data.get("has_counter"))
    hub.has_kiosk = bool(data.get("has_kiosk"))
    hub.staff_phone = uk_mobile(data.get("staff_phone")) or ""
    hub.active = bool(data.get("active"))
    hub.opening_hours.clear()
    db.session.flush()
    for weekday, hours in enumerate(data["hours"]):
        opens, closes = parse_clock(hours["opens"]), parse_clock(hours["closes"])
        if opens and closes:
            hub.opening_hours.append(HubOpening(weekday=weekday, opens=opens, closes=closes))
    db.session.flush()
    audit.record("hub_updated", "hub", hub.id)
    return hub


def add_closure(hub: Hub, first_day: date, last_day: date, reason: str) -> HubClosure:
    """Appointments already booked on those days stay: staff move them with the resident."""
    closure = HubClosure(first_day=first_day, last_day=last_day, reason=reason.strip())
    hub.closures.append(closure)
    db.session.flush()
    audit.record(
        "hub_closure_added", "hub", hub.id, first_day=first_day.isoformat(), last_day=last_day.isoformat()
    )
    return closure


def remove_closure(closure: HubClosure) -> None:
    audit.record("hub_closure_removed", "hub", closure.hub_id, first_day=closure.first_day.isoformat())
    db.session.delete(closure)
    db.session.flush()
