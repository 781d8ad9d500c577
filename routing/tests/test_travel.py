import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from routing.travel import (
    PARKING_SECONDS,
    CachedTravel,
    HaversineTravel,
    OsrmTravel,
    TravelError,
    great_circle_m,
    road_estimate,
    travel_from_settings,
)

DEVIZES, CHIPPENHAM, SALISBURY = (51.350, -1.995), (51.459, -2.116), (51.069, -1.795)


def test_great_circle_matches_known_distance():
    # Devizes to Salisbury is about 35 km as the crow flies.
    assert 33_000 < great_circle_m(DEVIZES, SALISBURY) < 36_000


def test_road_estimate_is_longer_than_straight_line_and_plausible():
    seconds, metres = road_estimate(DEVIZES, CHIPPENHAM)
    assert metres > great_circle_m(DEVIZES, CHIPPENHAM)
    # about 19 km by road: between 20 and 35 minutes in a car
    assert 20 * 60 < seconds < 35 * 60


def test_short_town_trips_are_slower_per_km_than_rural_ones():
    near = (DEVIZES[0] + 0.01, DEVIZES[1])
    town_s, town_m = road_estimate(DEVIZES, near)
    rural_s, rural_m = road_estimate(DEVIZES, SALISBURY)
    assert (town_s - PARKING_SECONDS) / town_m > (rural_s - PARKING_SECONDS) / rural_m


def test_same_place_costs_nothing():
    assert road_estimate(DEVIZES, DEVIZES) == (0, 0)


def test_haversine_matrix_shape_and_diagonal():
    matrix = HaversineTravel().matrix([DEVIZES, CHIPPENHAM, SALISBURY])
    assert len(matrix) == 3
    assert all(matrix.durations[i][i] == 0 for i in range(3))
    assert matrix.durations[0][1] == matrix.durations[1][0] > 0


class _Osrm(BaseHTTPRequestHandler):
    calls: list[str] = []

    def do_GET(self):  # noqa: N802
        _Osrm.calls.append(self.path)
        if not self.path.startswith("/table/v1/driving/"):
            self.send_response(404)
            self.end_headers()
            return
        coords = self.path.split("/table/v1/driving/")[1].split("?")[0].split(";")
        n = len(coords)
        body = {
            "code": "Ok",
            "durations": [[0 if i == j else 600 + i + j for j in range(n)] for i in range(n)],
            "distances": [
                [0 if i == j else None if (i, j) == (0, 2) else 9000.4 for j in range(n)] for i in range(n)
            ],
        }
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm():
    server = HTTPServer(("127.0.0.1", 0), _Osrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Osrm.calls = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_osrm_adapter_reads_the_table_api(osrm):
    matrix = OsrmTravel(osrm).matrix([DEVIZES, CHIPPENHAM, SALISBURY])
    assert _Osrm.calls[0].startswith("/table/v1/driving/-1.995000,51.350000;-2.116000,51.459000;")
    assert "annotations=duration,distance" in _Osrm.calls[0]
    assert matrix.durations[0][1] == 601 and matrix.distances[0][1] == 9000
    assert matrix.distances[0][2] == 10**7  # unreachable pairs are made very far, not a crash


def test_osrm_failure_is_a_clear_error():
    with pytest.raises(TravelError):
        OsrmTravel("http://127.0.0.1:9", timeout=1).matrix([DEVIZES, CHIPPENHAM])


def test_cache_answers_repeat_questions_per_day(osrm):
    cached = CachedTravel(OsrmTravel(osrm))
    first = cached.matrix([DEVIZES, CHIPPENHAM], day="2026-12-01")
    again = cached.matrix([DEVIZES, CHIPPENHAM], day="2026-12-01")
    cached.matrix([DEVIZES, CHIPPENHAM], day="2026-12-02")
    assert first is again and len(_Osrm.calls) == 2
    assert (cached.hits, cached.misses) == (1, 2)


def test_provider_chosen_by_configuration():
    assert isinstance(travel_from_settings("haversine"), HaversineTravel)
    assert isinstance(travel_from_settings("osrm", "http://osrm.local"), OsrmTravel)
    with pytest.raises(ValueError):
        travel_from_settings("osrm")
