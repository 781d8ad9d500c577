"""The one way to build a booking request, whatever the channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.models import Customer, Service, User
from app.places.places import Place

if TYPE_CHECKING:
    from app.staff.tokens import Caller


@dataclass
class CustomerDetails:
    name: str
    phone: str = ""  # E.164
    email: str = ""
    preferred_channel: str = "sms"
    sms_consent: bool = False
    locale: str | None = None  # the language they read (app.i18n.LANGUAGES); None keeps the record's
    interpreter_language: str = ""
    access_needs: str = ""
    kind: str = "resident"
    business_name: str = ""
    business_type: str = ""
    home_postcode: str = ""  # a hub booking: the resident's own postcode (they can find it by it)


@dataclass
class BookingRequest:
    slot_token: str
    service: Service
    place: Place
    customer: CustomerDetails
    channel: str = "web"
    customer_id: int | None = None  # the record chosen (an agent's caller): booked onto it, not matched
    booked_by: User | Caller | None = None  # only its id is written: an API request's caller will do
    notes: str = ""
    # Nobody vouched for who is booking (the public journey and the kiosk): see find_or_create_customer.
    unverified: bool = False
    idempotency_scope: str = ""
    idempotency_key: str = ""
    request_fingerprint: dict = field(default_factory=dict)
    # They were warned that they already have an appointment at an overlapping time, and want both.
    confirmed_overlap: bool = False


RECORD_DETAILS = (
    "name", "phone", "email", "preferred_channel", "sms_consent", "kind", "business_name", "business_type",
)  # fmt: skip


def booking_request(
    slot_token: str,
    service: Service,
    place: Place,
    *,
    channel: str,
    said: Mapping[str, Any] | None = None,
    record: Customer | None = None,
    booked_by: User | Caller | None = None,
    notes: str = "",
    idempotency: tuple[str, str, dict] | None = None,
    unverified: bool = False,
    confirmed_overlap: bool = False,
) -> BookingRequest:
    """The one way to build a booking request, whatever the channel (web, kiosk, agent, API, waitlist,
    demo). The person's details are their record's, if there is one, overlaid with what they said now
    (any CustomerDetails field); a business is one that gave its name; and choosing text reminders is
    consent to texts unless consent was asked for on its own. `idempotency` is (scope, key, what the
    request said): a repeat of the same request books once."""
    details: dict[str, Any] = {name: getattr(record, name) for name in RECORD_DETAILS} if record else {}
    details |= {name: value for name, value in (said or {}).items() if value is not None}
    details.setdefault("sms_consent", details.get("preferred_channel") == "sms")
    if details.get("business_name"):
        details["kind"] = "business"
    scope, key, fingerprint = idempotency or ("", "", {})
    return BookingRequest(
        slot_token=slot_token,
        service=service,
        place=place,
        customer=CustomerDetails(**details),
        channel=channel,
        customer_id=record.id if record is not None else None,
        booked_by=booked_by,
        notes=notes,
        unverified=unverified,
        idempotency_scope=scope,
        idempotency_key=key,
        request_fingerprint=fingerprint,
        confirmed_overlap=confirmed_overlap,
    )
