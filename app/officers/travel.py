"""The travel-time provider the app is configured with (one per process, cached per day)."""

from __future__ import annotations

from flask import current_app

from routing.feasibility import PairTravel, cached_road_estimate, pair_travel_from_matrix
from routing.travel import CachedTravel, travel_from_settings
from routing.types import LatLng, Matrix

_providers: dict[tuple[str, str], CachedTravel] = {}


def provider() -> CachedTravel:
    key = (current_app.config["TRAVEL_PROVIDER"], current_app.config["OSRM_URL"])
    if key not in _providers:
        _providers[key] = CachedTravel(travel_from_settings(*key))
    return _providers[key]


def matrix(points: list[LatLng], day: str = "") -> Matrix:
    return provider().matrix(points, day=day)


def pair_travel(points: list[LatLng], day: str = "") -> PairTravel:
    """A pairwise lookup for feasibility checks over these points."""
    if current_app.config["TRAVEL_PROVIDER"] in ("", "haversine"):
        return cached_road_estimate
    m = matrix(points, day)
    return pair_travel_from_matrix(points, m.durations, m.distances)
