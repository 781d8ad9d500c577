"""Where a visit happens: postcodes, the address gazetteer, community areas and nearest hubs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Address, CommunityArea, Hub
from routing.travel import great_circle_m

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(text: str | None) -> str | None:
    """'sn10 1aa' -> 'SN10 1AA'; None when it is not the shape of a UK postcode."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    match = UK_POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


@dataclass(frozen=True)
class Place:
    """A resolved place for a visit: home or business address, or a hub."""

    location_type: str  # home | business | hub
    lat: float
    lng: float
    area_id: int
    hub: Hub | None = None
    line1: str = ""
    line2: str = ""
    town: str = ""
    postcode: str = ""
    uprn: str = ""

    @property
    def latlng(self) -> tuple[float, float]:
        return (round(self.lat, 6), round(self.lng, 6))


def addresses_for(postcode: str) -> list[Address]:
    return list(db.session.scalars(select(Address).where(Address.postcode == postcode).order_by(Address.id)))


def nearest_area(lat: float, lng: float) -> CommunityArea | None:
    areas = db.session.scalars(select(CommunityArea)).all()
    return min(areas, key=lambda a: great_circle_m((lat, lng), (a.lat, a.lng)), default=None)


def nearest_hubs(lat: float, lng: float, limit: int = 5) -> list[tuple[Hub, float]]:
    """Open hubs by straight-line distance, with the distance in miles."""
    hubs = db.session.scalars(select(Hub).where(Hub.active.is_(True))).all()
    ranked = sorted(
        ((h, great_circle_m((lat, lng), (h.lat, h.lng)) / 1609.344) for h in hubs), key=lambda x: x[1]
    )
    return ranked[:limit]


def home_place(location_type: str, lat: float, lng: float, **address) -> Place | None:
    area = nearest_area(lat, lng)
    if area is None:
        return None
    return Place(location_type, lat, lng, area.id, **address)


def hub_place(hub: Hub) -> Place:
    return Place(
        "hub",
        hub.lat,
        hub.lng,
        hub.area_id,
        hub=hub,
        line1=hub.address_line1,
        town=hub.town,
        postcode=hub.postcode,
    )
