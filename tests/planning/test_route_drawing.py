"""The route drawn server-side (no tile server): stops at one place are drawn apart, numbered as listed."""

from __future__ import annotations

import math

from app.planning.route_map import APART, draw

AREAS = [("Devizes", 51.35, -1.995), ("Melksham", 51.373, -2.138)]
BASE = (51.35, -1.995)
HOME = (51.351, -1.99)


def test_two_visits_at_one_address_and_the_base_beside_it_are_drawn_apart():
    drawing = draw(AREAS, [], [BASE, HOME, HOME, (51.373, -2.138)], ["1", "3", "4"])
    markers = [drawing.base.at, *(stop.at for stop in drawing.stops)]
    for i, a in enumerate(markers):
        for b in markers[i + 1 :]:
            assert math.dist((a.x, a.y), (b.x, b.y)) >= APART - 0.2  # (rounded to a tenth)
    assert [stop.text for stop in drawing.stops] == ["1", "3", "4"]  # the table's numbers
    assert drawing.stops[2].at == drawing.route[3]  # a stop with room stays where it is


def test_stops_are_numbered_in_order_when_no_numbers_are_given():
    drawing = draw(AREAS, [], [BASE, HOME, (51.373, -2.138)])
    assert [stop.text for stop in drawing.stops] == ["1", "2"] and drawing.base.text == "B"
