"""Contact details: UK mobile numbers (E.164) and email addresses."""

from __future__ import annotations

import re

import phonenumbers

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def uk_mobile(text: str | None) -> str | None:
    """'07700 900123' or '+44 7700 900123' -> '+447700900123'; None if it is not a UK mobile."""
    if not text or not text.strip():
        return None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44 or not phonenumbers.is_possible_number(number):
        return None
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and not str(number.national_number).startswith("7"):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def valid_email(text: str | None) -> bool:
    return bool(text and EMAIL.match(text.strip()) and len(text) <= 254)


def display_phone(e164: str) -> str:
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164
