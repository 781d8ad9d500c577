"""The address gazetteer, loaded from the files councils hold.

* Ordnance Survey Code-Point Open CSV: postcode centroids in British National Grid eastings and
  northings (no header; postcode in column 1, eastings in 3, northings in 4). Residents at these
  postcodes type their own first address line.
* LLPG / AddressBase-style CSV with a header: UPRN, address lines, town, postcode and either
  easting/northing or lat/lng.

Eastings and northings are converted to WGS84 with pyproj (EPSG:27700 -> EPSG:4326).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyproj import Transformer
from sqlalchemy import select

from app.extensions import db
from app.models import Address
from app.places.places import normalise_postcode

ALIASES = {
    "uprn": ("uprn",),
    "line1": ("line1", "address_line1", "address1", "addr1", "pao_street", "address"),
    "line2": ("line2", "address_line2", "address2", "addr2", "locality"),
    "town": ("town", "post_town", "posttown", "town_name"),
    "postcode": ("postcode", "postcode_locator", "post_code"),
    "easting": ("easting", "x_coordinate", "x", "eastings"),
    "northing": ("northing", "y_coordinate", "y", "northings"),
    "lat": ("lat", "latitude"),
    "lng": ("lng", "lon", "long", "longitude"),
}


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def bng_to_latlng(easting: float, northing: float) -> tuple[float, float]:
    lng, lat = _to_wgs84().transform(easting, northing)
    return round(lat, 6), round(lng, 6)


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # "line 12: no postcode"


def _column(header: list[str], name: str) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for alias in ALIASES[name]:
        if alias in lowered:
            return lowered.index(alias)
    return None


def detect_format(first_row: list[str]) -> str:
    """'llpg' when the first row is a header naming a postcode column, else 'codepoint'."""
    return "llpg" if _column(first_row, "postcode") is not None else "codepoint"


def import_file(path: str | Path, fmt: str = "auto") -> ImportReport:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return ImportReport(skipped=["the file is empty"])
    fmt = detect_format(rows[0]) if fmt == "auto" else fmt
    return import_codepoint(rows) if fmt == "codepoint" else import_llpg(rows[0], rows[1:])


def import_codepoint(rows: Iterable[list[str]]) -> ImportReport:
    report = ImportReport()
    existing = {
        a.postcode: a for a in db.session.scalars(select(Address).where(Address.source == "codepoint"))
    }
    for number, row in enumerate(rows, start=1):
        postcode = normalise_postcode(row[0]) if row else None
        try:
            lat, lng = bng_to_latlng(float(row[2]), float(row[3]))
        except (IndexError, ValueError):
            report.skipped.append(f"line {number}: eastings and northings must be numbers")
            continue
        if postcode is None:
            report.skipped.append(f"line {number}: {row[0] if row else ''!r} is not a postcode")
            continue
        _upsert(existing.get(postcode), report, postcode=postcode, lat=lat, lng=lng, source="codepoint")
    db.session.flush()
    return report


def _rows_as_dicts(header: list[str], rows: Iterable[list[str]]) -> Iterator[tuple[int, dict]]:
    columns = {name: _column(header, name) for name in ALIASES}
    for number, row in enumerate(rows, start=2):
        yield (
            number,
            {name: (row[i].strip() if i is not None and i < len(row) else "") for name, i in columns.items()},
        )


def import_llpg(header: list[str], rows: Iterable[list[str]]) -> ImportReport:
    report = ImportReport()
    by_uprn = {a.uprn: a for a in db.session.scalars(select(Address).where(Address.uprn != ""))}
    for number, data in _rows_as_dicts(header, rows):
        postcode = normalise_postcode(data["postcode"])
        if postcode is None:
            report.skipped.append(f"line {number}: {data['postcode']!r} is not a postcode")
            continue
        if not data["line1"]:
            report.skipped.append(f"line {number}: no address")
            continue
        try:
            if data["lat"] and data["lng"]:
                lat, lng = round(float(data["lat"]), 6), round(float(data["lng"]), 6)
            else:
                lat, lng = bng_to_latlng(float(data["easting"]), float(data["northing"]))
        except ValueError:
            report.skipped.append(f"line {number}: needs easting and northing, or lat and lng, as numbers")
            continue
        if not (49.8 <= lat <= 60.9 and -8.7 <= lng <= 1.8):
            report.skipped.append(f"line {number}: the coordinates are not in the UK")
            continue
        current = by_uprn.get(data["uprn"]) if data["uprn"] else None
        if current is None:
            current = db.session.scalar(
                select(Address).where(Address.postcode == postcode, Address.line1 == data["line1"])
            )
        row = _upsert(
            current,
            report,
            uprn=data["uprn"],
            line1=data["line1"],
            line2=data["line2"],
            town=data["town"].title() if data["town"].isupper() else data["town"],
            postcode=postcode,
            lat=lat,
            lng=lng,
            source="llpg",
        )
        if row.uprn:
            by_uprn[row.uprn] = row
    db.session.flush()
    return report


def _upsert(current: Address | None, report: ImportReport, **values) -> Address:
    if current is None:
        current = Address(**values)
        db.session.add(current)
        report.added += 1
    else:
        for key, value in values.items():
            setattr(current, key, value)
        report.updated += 1
    return current
