"""Request bodies: unknown fields and wrong types are refused (422), messages name the field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class AddressIn(Strict):
    line1: str = Field(min_length=1, max_length=200)
    line2: str = Field(default="", max_length=200)
    town: str = Field(default="", max_length=80)
    postcode: str = Field(min_length=5, max_length=10)
    uprn: str = Field(default="", max_length=20)
    lat: float | None = Field(default=None, ge=49.8, le=60.9)
    lng: float | None = Field(default=None, ge=-8.7, le=1.8)


class CustomerIn(Strict):
    name: str = Field(min_length=1, max_length=160)
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)
    preferred_channel: Literal["sms", "email", "none"] = "sms"
    sms_consent: bool = False
    interpreter_language: str = Field(default="", max_length=60)


class AppointmentIn(Strict):
    slot_id: str = Field(min_length=10, max_length=2000)
    service: str = Field(min_length=1, max_length=40)
    location_type: Literal["home", "business", "hub"]
    address: AddressIn | None = None
    hub: str | None = Field(default=None, max_length=40)
    customer: CustomerIn
    notes: str = Field(default="", max_length=2000)
    access_needs: str = Field(default="", max_length=2000)


class CancelIn(Strict):
    reason: str = Field(default="", max_length=500)


class RescheduleIn(Strict):
    slot_id: str = Field(min_length=10, max_length=2000)


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """pydantic errors as {"customer.phone": ["..."]}."""
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        name = ".".join(str(p) for p in item["loc"]) or "body"
        message = "This field is not allowed" if item["type"] == "extra_forbidden" else item["msg"]
        errors.setdefault(name, []).append(message)
    return errors
