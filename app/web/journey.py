"""The resident's answers, kept in the session until they confirm (check-your-answers pattern): web
state, so it lives with the routes."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from flask import session

from app import records
from app.catalogue.queries import hub_by_code, service_by_code
from app.i18n import _l
from app.places.places import Place, UnknownPostcode, address_place, hub_place

if TYPE_CHECKING:
    from app.models import Service

KEY = "booking"
PLACE_NAMES = {"home": _l("At home"), "business": _l("At business premises"), "hub": _l("At a community hub")}


def draft() -> dict:
    return session.setdefault(KEY, {})


def update(**values) -> None:
    current = dict(session.get(KEY, {}))
    current.update(values)
    session[KEY] = current


def clear_from(*names: str) -> None:
    """Forget answers that depend on one that changed (e.g. a new service invalidates the time)."""
    current = dict(session.get(KEY, {}))
    for name in names:
        current.pop(name, None)
    session[KEY] = current


def reset() -> None:
    session.pop(KEY, None)


def submission_id() -> str:
    """One id per check-your-answers page load series: a double submit books once."""
    current = draft()
    if "submission" not in current:
        update(submission=secrets.token_urlsafe(16))
    return session[KEY]["submission"]


def service() -> Service | None:
    code = draft().get("service")
    return service_by_code(code) if code else None


def place() -> Place | None:
    d = draft()
    if d.get("location_type") == "hub":
        hub = hub_by_code(d.get("hub", ""))
        return hub_place(hub) if hub else None
    if not d.get("postcode") or not d.get("line1"):
        return None
    address = records.address(d["address_id"]) if d.get("address_id") else None
    try:
        if address is not None:
            return address_place(
                d["location_type"],
                address.postcode,
                line1=address.line1,
                line2=address.line2,
                town=address.town,
                uprn=address.uprn,
                lat=address.lat,
                lng=address.lng,
            )
        return address_place(d["location_type"], d["postcode"], line1=d["line1"])
    except UnknownPostcode:
        return None


def first_missing() -> str | None:
    """The first step not yet answered, as an endpoint name, or None when all are."""
    d = draft()
    for key, endpoint in (
        ("service", "booking.choose_service"),
        ("location_type", "booking.where"),
        ("place_done", "booking.postcode"),
        ("slot", "booking.time"),
        ("name", "booking.details"),
    ):
        if not d.get(key):
            return endpoint
    return None
