"""Travel times between coordinates: one interface, a no-network default and an OSRM adapter.

The default estimates road travel from straight-line distance:

* road distance = great-circle distance x DETOUR_FACTOR (1.3). Measured circuity of road networks is
  about 1.2 to 1.4 (Ballou et al. 2002, "Selected country circuity factors for road travel distance
  estimation", Transportation Research A 36: UK 1.26 for longer trips; short rural trips are more winding).
* the first and last URBAN_KM of each trip (getting out of one town and into the next) are driven at
  URBAN_KMH (25 km/h, about 15 mph: DfT CGN0501 gives 16 to 20 mph for urban A roads in the weekday
  daytime), the rest at RURAL_KMH (60 km/h, about 37 mph: DfT's average for rural local A and B roads).
* every trip with any distance adds PARKING_SECONDS (3 minutes) to park and walk to the door.

Swap in a real road router with OsrmTravel (OSRM's /table/v1/driving service).
"""

from __future__ import annotations

import json
import math
import urllib.request
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

from routing.types import LatLng, Matrix

EARTH_RADIUS_M = 6_371_000
DETOUR_FACTOR = 1.3
URBAN_KM = 1.5
URBAN_KMH = 25.0
RURAL_KMH = 60.0
PARKING_SECONDS = 180


class TravelTimes(Protocol):
    def matrix(self, points: Sequence[LatLng]) -> Matrix: ...


def great_circle_m(a: LatLng, b: LatLng) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def road_estimate(a: LatLng, b: LatLng) -> tuple[int, int]:
    """(seconds, metres) by road, estimated from coordinates."""
    metres = great_circle_m(a, b) * DETOUR_FACTOR
    if metres < 1:
        return 0, 0
    km = metres / 1000
    urban = min(km, 2 * URBAN_KM)
    hours = urban / URBAN_KMH + (km - urban) / RURAL_KMH
    return round(hours * 3600) + PARKING_SECONDS, round(metres)


class HaversineTravel:
    """No network needed: the estimate above for every pair."""

    def matrix(self, points: Sequence[LatLng]) -> Matrix:
        pairs = [[road_estimate(a, b) for b in points] for a in points]
        return Matrix(
            durations=tuple(tuple(p[0] for p in row) for row in pairs),
            distances=tuple(tuple(p[1] for p in row) for row in pairs),
        )


class TravelError(RuntimeError):
    pass


class OsrmTravel:
    """OSRM table API: GET {base}/table/v1/driving/{lng,lat;...}?annotations=duration,distance."""

    def __init__(self, base_url: str, timeout: float = 10.0, profile: str = "driving"):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.profile = profile

    def matrix(self, points: Sequence[LatLng]) -> Matrix:
        if not points:
            return Matrix((), ())
        coords = ";".join(f"{lng:.6f},{lat:.6f}" for lat, lng in points)
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}?annotations=duration,distance"
        if not url.startswith(("http://", "https://")):
            raise TravelError("OSRM URL must be http or https")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (checked above)
                body = json.load(response)
        except (OSError, ValueError) as error:
            raise TravelError(f"OSRM table request failed: {error}") from error
        if body.get("code") != "Ok":
            raise TravelError(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
        # OSRM gives null for unreachable pairs: treat as very far so the solver avoids them.
        far = 24 * 3600
        return Matrix(
            durations=tuple(tuple(far if v is None else round(v) for v in row) for row in body["durations"]),
            distances=tuple(
                tuple(10**7 if v is None else round(v) for v in row) for row in body["distances"]
            ),
        )


class CachedTravel:
    """Remembers matrices per (day, points): slot searches ask for the same day over and over."""

    def __init__(self, inner: TravelTimes, max_entries: int = 256):
        self.inner = inner
        self.max_entries = max_entries
        self._cache: OrderedDict[tuple, Matrix] = OrderedDict()
        self.hits = self.misses = 0

    def matrix(self, points: Sequence[LatLng], day: str = "") -> Matrix:
        key = (day, tuple((round(lat, 6), round(lng, 6)) for lat, lng in points))
        if key in self._cache:
            self.hits += 1
            self._cache.move_to_end(key)
            return self._cache[key]
        self.misses += 1
        result = self.inner.matrix(points)
        self._cache[key] = result
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return result


def travel_from_settings(provider: str, osrm_url: str = "") -> TravelTimes:
    if provider == "osrm":
        if not osrm_url:
            raise ValueError("TRAVEL_PROVIDER=osrm needs OSRM_URL")
        return OsrmTravel(osrm_url)
    if provider in ("", "haversine"):
        return HaversineTravel()
    raise ValueError(f"unknown travel provider {provider!r}")
