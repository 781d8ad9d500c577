"""Contact details: UK mobile numbers (E.164) and email addresses."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# phonenumbers compiles its metadata's patterns with re.compile at each use, relying on the re module's
# cache: 512 patterns, dropped oldest first (Python 3.11), and phonenumbers alone fills two thirds of it.
# A process whose other patterns take the rest recompiles them in every parse (the booking workers showed
# re's parser at run time). Kept for good instead: the patterns come from fixed metadata.
phonenumbers.enable_pattern_cache()

# A plain mailbox and nothing else: SMTP reads "x<victim@example.com>" or "victim@example.com,1" as a
# mailbox too (and the second as two), which let one inbox take any number of bookings' emails under
# different allowance keys (attack of 2 December, afternoon). No quotes, brackets, commas, semicolons or
# spaces; letters of any script are allowed.
EMAIL = re.compile(r"^[\w!#$%&'*+/=?^`{|}~.-]+@[\w-]+(?:\.[\w-]+)+$")
# Ofcom keeps 07700 900000 to 900999 for drama: never anyone's phone, so safe in examples and demos.
DRAMA_MOBILES = range(7700900000, 7700901000)


def _parsed(text: str | None) -> phonenumbers.PhoneNumber | None:
    """The number as typed, read as a UK one unless it starts with another country's code; None when it
    is blank, too long or not a number at all."""
    if not text or not text.strip() or len(text) > 30:
        return None
    try:
        return phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None


@lru_cache(maxsize=4096)  # parsing is slow (about 0.3 ms) and the answer never changes
def uk_mobile(text: str | None) -> str | None:
    """'07700 900123' or '+44 7700 900123' -> '+447700900123'; None if it is not a UK mobile.

    Only numbers the numbering plan gives to mobiles (07 with ten digits after the 0, not 070 personal
    numbers nor 076 pagers), including the Channel Islands and the Isle of Man, which share +44."""
    number = _parsed(text)
    if number is None or number.country_code != 44:
        return None
    mobile = (
        phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )
    if not mobile and number.national_number not in DRAMA_MOBILES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def uk_phone(text: str | None) -> str | None:
    """Any UK number we can call, landlines included: '01380 722000' -> '+441380722000'; mobiles as
    uk_mobile. None if it is not one. Texts go only to numbers uk_mobile accepts."""
    if mobile := uk_mobile(text):
        return mobile
    number = _parsed(text)
    if number is None or number.country_code != 44 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) in COSTLY_TO_CALL:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Numbers that charge the caller (09, 084, 087), follow-me personal numbers (070) and pagers: staff ring the
# numbers residents give, so one of these would let anyone bill the council for the call (outsider
# attack of 2 December: a call-back to a premium-rate number).
COSTLY_TO_CALL = frozenset(
    {
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
        phonenumbers.PhoneNumberType.PAGER,
    }
)


@lru_cache(maxsize=1024)
def foreign_phone(text: str | None) -> bool:
    """A real number outside the UK ('+48 601 234 567'), which we can neither text nor call."""
    number = _parsed(text)
    return number is not None and number.country_code != 44 and phonenumbers.is_valid_number(number)


def valid_email(text: str | None) -> bool:
    return bool(text and EMAIL.fullmatch(text.strip()) and len(text) <= 254)


def reminder_gap(channel: str, phone: str | None, email: str | None, address: bool = True) -> str | None:
    """The one contact rule: what the chosen reminder channel still lacks, as the field's name ("phone",
    "email" or "address"), or None. Texts need a UK mobile; emails an email address; letters a postal
    address (`address`: whether there is one; the booking journey and the API offer letters only for a
    visit at an address, so they need not say); "none" needs nothing. The booking forms, the API, the
    agent's caller form and the outbox all ask this."""
    if channel == "sms" and not uk_mobile(phone):
        return "phone"
    if channel == "email" and not (email or "").strip():
        return "email"
    if channel == "post" and not address:
        return "address"
    return None


def display_phone(e164: str) -> str:
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164
