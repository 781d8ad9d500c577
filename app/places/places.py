"""Where a visit happens: postcodes, the address gazetteer, community areas and nearest hubs."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import Address, Hub
from app.officers.roster import roster
from routing.travel import great_circle_m

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
UK_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
UK_SECTOR = re.compile(r"^[0-9][A-Z]?$")  # the start of an inward code: '3' or '3U'
# The postcode areas (the letters that begin a postcode: SN Swindon, BA Bath, SW south-west London...):
# a postcode in one of them is real somewhere in the UK, so one the gazetteer cannot find is outside the
# council's area rather than mistyped (ZZ1 1ZZ is in none).
_AREA_LETTERS = (
    "AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY "
    "E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN "
    "LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP "
    "SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
)
UK_POSTCODE_AREAS = frozenset(_AREA_LETTERS.split())
# The postcode every hint and error message gives as an example: one the demo county's gazetteer
# holds (Devizes), so typing it finds addresses (tests/test_demo_county.py checks).
EXAMPLE_POSTCODE = "SN10 1HJ"


def normalise_postcode(text: str | None) -> str | None:
    """'sn10 1aa' -> 'SN10 1AA'; None when it is not the shape of a UK postcode."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    match = UK_POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


# Royal Mail's street-type abbreviations people type (PAF spells them out): "12 High St" is the door of
# "12 High Street". Only the common ones; a word that is not one is kept as typed.
_STREET_WORDS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "dr": "drive",
    "ct": "court",
    "cres": "crescent",
    "cresc": "crescent",
    "pl": "place",
    "sq": "square",
    "gdns": "gardens",
    "gdn": "garden",
    "terr": "terrace",
    "ter": "terrace",
    "gr": "grove",
    "pk": "park",
    "wy": "way",
    "hse": "house",
    "flt": "flat",
    "apt": "apartment",
}
_APOSTROPHES = re.compile(r"['\u2019]")
_PUNCTUATION = re.compile(r"[^\w\s]")


def same_door(line1: str) -> str:
    """A first address line as a key for "the same front door" within a postcode, however it was typed:
    its street number where it has one, i.e. the LAST number in it, as a number ("12, High St.", "No. 012
    High Street, Devizes", "Flat 2, 12 High Street" and "12a High Street" are all door 12; digits of any
    script count), else its words with case, punctuation, spacing and street-type abbreviations ignored
    ("Rose Cottage"). Flats behind one front door share its key, and so may two doors of one postcode:
    that only makes the letters allowance, which this keys, stricter for them (attacks of 2 December:
    "1 Bath Road, Melksham", then "Flat 1, 3 Springfield" and "03 Springfield" each counted apart)."""
    words = address_words(line1)
    numbers = [_leading_number(word) for word in words]
    numbers = [number for number in numbers if number is not None]
    if numbers:
        return f"#{numbers[-1]}"
    return " ".join(words)


def address_words(text: str) -> list[str]:
    """An address's words with case, punctuation, spacing and street-type abbreviations ignored, numbers
    as numbers: "12, High St." and "12 high street" give the same words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    words = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", text)).split()
    # A number as a number: "012" and "١٢" are "12" (int reads any script's decimal digits).
    return [str(int(word)) if word.isdecimal() else _STREET_WORDS.get(word, word) for word in words]


def _leading_number(word: str) -> int | None:
    """The number a word starts with, in any script's digits ("012" and "١٢" are 12; "12a" is 12)."""
    digits = []
    for character in word:
        value = unicodedata.digit(character, None)
        if value is None:
            break
        digits.append(str(value))
    return int("".join(digits)) if digits else None


def in_a_uk_postcode_area(postcode: str) -> bool:
    """'SN1 1AA' (Swindon) -> True; 'ZZ1 1ZZ' -> False: the letters begin a real UK postcode."""
    letters = re.match(r"[A-Z]*", (postcode or "").upper()).group(0)
    return letters in UK_POSTCODE_AREAS


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

    def address_fields(self) -> dict:
        """The address columns Customer and Appointment share, ready for Model(**...) or setattr."""
        return {
            "address_line1": self.line1,
            "address_line2": self.line2,
            "town": self.town,
            "postcode": self.postcode,
            "uprn": self.uprn,
            "lat": self.lat,
            "lng": self.lng,
        }


def addresses_for(postcode: str) -> list[Address]:
    return list(db.session.scalars(select(Address).where(Address.postcode == postcode).order_by(Address.id)))


def nearest_area_id(lat: float, lng: float) -> int | None:
    """The community area whose centre is nearest (from the cached roster: no query of its own)."""
    return roster().nearest_area_id(lat, lng)


def nearest_hubs(lat: float, lng: float, limit: int | None = 5) -> list[tuple[Hub, float]]:
    """Open hubs by straight-line distance, with the distance in miles (every one for limit None)."""
    hubs = db.session.scalars(select(Hub).where(Hub.active.is_(True))).all()
    ranked = sorted(
        ((h, great_circle_m((lat, lng), (h.lat, h.lng)) / 1609.344) for h in hubs), key=lambda x: x[1]
    )
    return ranked[:limit]


def home_place(location_type: str, lat: float, lng: float, **address) -> Place | None:
    area_id = nearest_area_id(lat, lng)
    if area_id is None:
        return None
    return Place(location_type, lat, lng, area_id, **address)


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


class UnknownPostcode(ValueError):
    """We cannot place the address; `field` is what to correct: "postcode", or "lat" for coordinates
    sent with it that are not where the postcode is."""

    def __init__(self, message: str, field: str = "postcode") -> None:
        super().__init__(message)
        self.field = field


# How far (metres) coordinates sent with an address (the API takes lat and lng) may lie from the nearest
# place the gazetteer lists in its postcode (a house, or Code-Point's centre of the postcode), or from its
# district's centre for a postcode the gazetteer only knows by its district. A town postcode's houses lie
# within a few hundred metres of one another; a rural one strings farms along a lane for a kilometre or
# more, and a geocoder may be some tens of metres out: 2 km keeps every genuine address, while a house in
# another town, or a "ZZ99 9ZZ" sent with a marked house's coordinates (attack of 3 December), is refused.
# It does not tie the point to the house: a marked house within 2 km of a neighbouring postcode can still
# be sent with that postcode (the register reads postcode and house, not the point; SECURITY.md).
NEAR_POSTCODE_M = 2000


def postcode_not_found(postcode: str) -> UnknownPostcode:
    """The one answer for a postcode we cannot place: a real one (in a UK postcode area) is outside the
    council's area; one in no postcode area (ZZ9 9ZZ) is not recognised."""
    if in_a_uk_postcode_area(postcode):
        return UnknownPostcode("We cannot find that postcode in the council's area")
    return UnknownPostcode("We do not recognise that postcode")


def check_near_postcode(postcode: str, lat: float, lng: float) -> None:
    """Coordinates sent with an address must be where its postcode is: the postcode one the gazetteer
    knows (as the resident's journey asks: `locate_postcode`) and the point within NEAR_POSTCODE_M of
    it. Raises UnknownPostcode (field "postcode" or "lat")."""
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise UnknownPostcode("Enter the latitude and longitude as numbers", field="lat")
    # As locate_postcode, but from the nearest listed place rather than their centre (a long rural postcode)
    known = [(r.lat, r.lng) for r in addresses_for(postcode)] or [district_centre(postcode.split()[0])]
    if known == [None]:
        raise postcode_not_found(postcode)
    nearest = min(great_circle_m((lat, lng), point) for point in known if point is not None)
    if nearest > NEAR_POSTCODE_M:
        raise UnknownPostcode(
            f"The latitude and longitude are more than {NEAR_POSTCODE_M // 1000} km from {postcode}. "
            "Check both, or send the address without them",
            field="lat",
        )


def locate_postcode(postcode: str) -> tuple[float, float] | None:
    """The centre of a postcode from the gazetteer; for a real postcode the gazetteer does not list
    (a new street, or the example in a hint) the centre of its district ('SN10'), a few miles across,
    which is near enough to rank hubs and plan travel. None when we know neither."""
    rows = addresses_for(postcode)
    if rows:
        return (sum(r.lat for r in rows) / len(rows), sum(r.lng for r in rows) / len(rows))
    return district_centre(postcode.split()[0]) if postcode and postcode.strip() else None


def district_centre(outward: str) -> tuple[float, float] | None:
    """The centre of a postcode district ('SP1') from the gazetteer, or None."""
    if not UK_OUTWARD.match(outward or ""):
        return None
    lat, lng = db.session.execute(
        select(func.avg(Address.lat), func.avg(Address.lng)).where(
            Address.postcode.startswith(f"{outward} ", autoescape=True)
        )
    ).one()
    return None if lat is None else (float(lat), float(lng))


def postcode_prefix(text: str | None) -> str | None:
    """A partial postcode as typed: 'sp1' -> 'SP1 ', 'SP1 3' -> 'SP1 3'; None if it is not one.
    Without a space the letters are read as a district only ('SP13' is a district of its own)."""
    words = (text or "").upper().split()
    if not 1 <= len(words) <= 2 or not UK_OUTWARD.match(words[0]):
        return None
    if len(words) == 2 and not UK_SECTOR.match(words[1]):
        return None
    return f"{words[0]} {words[1] if len(words) == 2 else ''}"


def address_place(
    location_type: str,
    postcode: str,
    line1: str = "",
    line2: str = "",
    town: str = "",
    uprn: str = "",
    lat: float | None = None,
    lng: float | None = None,
) -> Place:
    """A home or business place from what the resident told us; coordinates from the gazetteer when
    not given; coordinates given with a postcode must be near it (check_near_postcode). Raises
    UnknownPostcode when we cannot place it."""
    if (lat is None) != (lng is None):  # one alone was ignored, and the gazetteer's point used
        raise UnknownPostcode("Send the latitude and longitude together, or neither", field="lat")
    normal = normalise_postcode(postcode)
    located = lat is not None and lng is not None
    if normal is None and not (located and not (postcode or "").strip()):
        raise UnknownPostcode(f"Enter a real postcode, like {EXAMPLE_POSTCODE}")
    normal = normal or ""
    if located and normal:
        check_near_postcode(normal, lat, lng)
    if not located:
        rows = addresses_for(normal)
        match = next((r for r in rows if uprn and r.uprn == uprn), None) or next(
            (r for r in rows if line1 and r.line1.lower() == line1.strip().lower()), None
        )
        if match is not None:
            lat, lng, uprn = match.lat, match.lng, match.uprn or uprn
            town = town or match.town
        else:
            centre = locate_postcode(normal)
            if centre is None:
                raise postcode_not_found(normal)
            lat, lng = centre
            town = town or (rows[0].town if rows else "")
    place = home_place(
        location_type,
        lat,
        lng,
        line1=line1.strip(),
        line2=line2.strip(),
        town=town.strip(),
        postcode=normal,
        uprn=uprn,
    )
    if place is None:
        raise UnknownPostcode("We cannot place that address")
    return place


def premises_fields(place: Place) -> dict:
    """A business place as the customer's premises columns (apart from their home address)."""
    return {f"premises_{k.removeprefix('address_')}": v for k, v in place.address_fields().items()}


def customer_place(customer, location_type: str = "home") -> Place | None:
    """The customer's own address as a visit place (a business's premises for a business visit), or
    None when we cannot place it."""
    if location_type == "business" and customer.premises_lat is not None:
        return home_place(
            location_type,
            customer.premises_lat,
            customer.premises_lng,
            line1=customer.premises_line1,
            line2=customer.premises_line2,
            town=customer.premises_town,
            postcode=customer.premises_postcode,
            uprn=customer.premises_uprn,
        )
    if location_type == "business":
        return None  # never the home address: a business visit needs the premises
    if customer.lat is None or customer.lng is None:
        return None
    return home_place(
        location_type,
        customer.lat,
        customer.lng,
        line1=customer.address_line1,
        town=customer.town,
        postcode=customer.postcode,
        uprn=customer.uprn,
    )
