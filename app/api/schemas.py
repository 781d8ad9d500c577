"""Every body API v1 takes or gives, as pydantic models: the one description of each, from which
/api/v1/openapi.json is generated (app/api/openapi.py). Request bodies are validated with them: unknown
fields and wrong types are refused (422), messages name the field. Response bodies are built by the
routes and presenters; the tests check every answer against the document made from these."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.i18n import LANGUAGES
from app.inputs import BadInput, one_line, refuse_hidden_characters
from app.places.places import NEAR_POSTCODE_M

PlaceKind = Literal["home", "business", "hub"]
Url = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]


LanguageCode = Literal[tuple(LANGUAGES)]  # type: ignore[valid-type]  # en, pl, ne: app/i18n.py


def _plain_text(multiline: bool) -> AfterValidator:
    """The one rule for typed text (app.inputs.hidden_characters), as the forms use it."""

    def check(value: str) -> str:
        try:
            return refuse_hidden_characters(value, multiline=multiline)
        except BadInput as error:
            raise PydanticCustomError("hidden_characters", str(error)) from None

    return AfterValidator(check)


# Text on one line (a name, an address line): no control, zero-width or text-direction characters; kept
# with each run of spaces (a no-break space too) made one, as the forms keep it (app.inputs.one_line).
Line = Annotated[
    str,
    _plain_text(False),
    AfterValidator(one_line),
    Field(description="No tabs, line breaks or hidden characters; runs of spaces are kept as one"),
]
# Text that may run over several lines (notes): line breaks and tabs, but no other hidden characters.
Text = Annotated[str, _plain_text(True), Field(description="May hold line breaks, no hidden characters")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


# Where an address in the UK can be (degrees): the bounds of a lat/lng the API accepts, in a body or a query.
UK_LAT = (49.8, 60.9)
UK_LNG = (-8.7, 1.8)


# Coordinates sent with an address are checked against its postcode (app.places.places.check_near_postcode).
NEAR = (
    f"With lat and lng together: a point within {NEAR_POSTCODE_M // 1000} km of the postcode's places in the "
    "council's gazetteer (422 on address.lat otherwise); without them the gazetteer places the address"
)


class AddressIn(Strict):
    line1: Line = Field(min_length=1, max_length=200)
    line2: Line = Field(default="", max_length=200)
    town: Line = Field(default="", max_length=80)
    postcode: Line = Field(min_length=5, max_length=10)
    uprn: Line = Field(default="", max_length=20)
    # NaN and infinity (JSON's NaN, Infinity, 1e400) are refused as "a finite number", not as out of range
    lat: float | None = Field(default=None, ge=UK_LAT[0], le=UK_LAT[1], allow_inf_nan=False, description=NEAR)
    lng: float | None = Field(default=None, ge=UK_LNG[0], le=UK_LNG[1], allow_inf_nan=False, description=NEAR)


class CustomerIn(Strict):
    name: Line = Field(min_length=1, max_length=160)
    phone: Line = Field(default="", max_length=30)
    email: Line = Field(default="", max_length=254)
    preferred_channel: Literal["sms", "email", "post", "none"] = "sms"  # post: printed letters
    sms_consent: bool = False
    interpreter_language: Line = Field(default="", max_length=60)
    # A business: its own name and type; a business visit's `address` is its premises (kept apart
    # from the home address on the customer's record).
    business_name: Line = Field(default="", max_length=160)
    business_type: Line = Field(default="", max_length=60)
    # The language of every message to them (texts, emails, calendar files); omitted: what their record has.
    language: LanguageCode | None = None


class AppointmentIn(Strict):
    slot_id: str = Field(min_length=10, max_length=2000)
    service: str = Field(min_length=1, max_length=40)
    location_type: PlaceKind
    address: AddressIn | None = None
    hub: str | None = Field(default=None, max_length=40)
    customer: CustomerIn
    notes: Text = Field(default="", max_length=2000)
    access_needs: Text = Field(default="", max_length=2000)
    # The customer already has an appointment at an overlapping time (409 possible_duplicate): true
    # books this one as well.
    confirm_overlap: bool = False


class CancelIn(Strict):
    reason: Text = Field(default="", max_length=500)


class RescheduleIn(Strict):
    slot_id: str = Field(min_length=10, max_length=2000)


# Responses -------------------------------------------------------------------------------------


class Error(BaseModel):
    """401, 403, 404, 409, 413 and 429: what went wrong, for a program and for a person."""

    error: str
    message: str


class ErrorList(BaseModel):
    """422: bad input, by field name (dotted for nested fields, e.g. customer.phone)."""

    errors: dict[str, list[str]]


END = (
    "UK time with offset. Exact time: when the appointment ends (start + the service's duration_minutes). "
    "Arrival window: the latest arrival (the window is start to end); the visit then lasts duration_minutes"
)


class Appointment(BaseModel):
    reference: str
    reference_display: str
    status: Literal["booked", "cancelled", "rescheduled", "checked_in", "completed", "no_show"]
    service: str
    service_name: str
    location_type: PlaceKind
    place: str
    hub: str | None
    start: datetime = Field(description="UK time with offset: the exact time, or the arrival window's start")
    end: datetime = Field(description=END)
    duration_minutes: int
    officer_first_name: str
    two_officers: bool
    what_to_have_ready: list[str]
    channel: str
    manage_url: Url | None = Field(default=None, description="the resident's page to change or cancel it")
    ics_url: Url | None = Field(default=None, description="its calendar file")


class Conflict(Error):
    """409 for a change to a booking: the booking as it is now, after the change that won."""

    appointment: Appointment


class Slot(BaseModel):
    slot_id: str = Field(description="Opaque; books exactly this slot, once.")
    start: datetime = Field(description="UK time with offset: the exact time, or the arrival window's start")
    end: datetime = Field(description=END)
    kind: Literal["exact", "arrival_window"]
    rank: int = Field(ge=1, description="1 = least added travel")
    added_travel_minutes: int | None = Field(
        default=None, description="only with a booking staff member's token: the travel this slot adds"
    )


class Availability(BaseModel):
    service: str
    location_type: PlaceKind
    hub: str | None = Field(default=None, description="the hub's code, for a hub appointment")
    first_day: date | None
    last_day: date | None
    next_available: date | None = Field(description="when nothing is free: the next day that has a slot")
    hub_possible: bool = Field(description="when nothing is free: a hub is possible")
    slots: list[Slot]


class HubOffered(BaseModel):
    code: str = Field(description="the hub's code: ask for availability with location_type=hub&hub=...")
    name: str
    miles: float = Field(description="straight-line distance from the place asked about")


class NotStaffed(Error):
    """409 from availability: nobody on the roster can ever do the service at that place (no officer
    with the skill covers its community area, or fewer than two for a two-officer service). No time will
    come free there, so there is no waiting list for it: book at one of `hubs`, or phone."""

    error: Literal["not_staffed"]
    errors: dict[str, list[str]] = Field(description="the field that cannot be had: location_type or hub")
    hubs: list[HubOffered] = Field(description="open hubs that can offer the service, nearest first")
    phone: str = Field(description="the contact centre's number")


class Service(BaseModel):
    code: str
    name: str
    summary: str
    duration_minutes: int
    places: list[PlaceKind]
    premises_only: bool
    signpost: str | None
    two_officers: bool
    what_to_have_ready: list[str]
    notice_hours: int
    horizon_days: int


class ServiceList(BaseModel):
    services: list[Service]


class OpeningHours(BaseModel):
    weekday: int = Field(ge=0, le=6, description="Monday = 0")
    opens: str = Field(description="HH:MM, UK time")
    closes: str


class Hub(BaseModel):
    code: str
    name: str
    community_area: str
    address: str
    town: str
    postcode: str
    lat: float
    lng: float
    has_kiosk: bool
    opening_hours: list[OpeningHours]


class HubList(BaseModel):
    hubs: list[Hub]


class MessageOut(BaseModel):
    id: int
    kind: str
    channel: Literal["sms", "email", "webhook", "letter"]
    status: Literal["created", "sending", "sent", "delivered", "failed", "technical_failure", "cancelled"]
    provider_id: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None


class MessageList(BaseModel):
    messages: list[MessageOut]


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """pydantic errors as {"customer.phone": ["..."]}."""
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        name = ".".join(str(p) for p in item["loc"]) or "body"
        message = "This field is not allowed" if item["type"] == "extra_forbidden" else item["msg"]
        errors.setdefault(name, []).append(message)
    return errors
