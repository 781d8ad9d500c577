"""Phone numbers people can tap on a phone: `{{ number|phone_link }}` is the one helper every page uses.

The link's text is the number as the page showed it before (a stored E.164 number as people write it,
07700 900123; a configured number, such as CONTACT_CENTRE_PHONE, as configured) or the text given
(`number|phone_link('Call ' ~ number|phone)`); its href is the number in E.164 (tel:+443004560100), so
it dials from anywhere. The emergency short codes stay as they are (tel:999). A kiosk gets the text
alone: a kiosk cannot dial (its browser is signed in as a kiosk device: `kiosk_device` in the page's
context), and neither does a number we could not call (not a UK one, or one that charges the caller).

`{{ text|phone_links_in }}` does the same for every number inside a longer text (a service's
instructions: "... or phone 0300 003 4569."): each number phone_link would link becomes its link,
everything else is escaped, so the text can hold no markup of its own.
"""

from __future__ import annotations

import phonenumbers
from jinja2 import pass_context
from markupsafe import Markup, escape

from app.messaging.contact import display_phone, uk_phone

SHORT_CODES = frozenset({"999", "112", "111", "101"})


def tel_href(number: str | None) -> str | None:
    """'tel:+443004560100' for '0300 456 0100' (or '+443004560100'); None if it cannot be dialled."""
    text = (number or "").strip()
    if text in SHORT_CODES:
        return f"tel:{text}"
    e164 = uk_phone(text)
    return f"tel:{e164}" if e164 else None


@pass_context
def phone_link(context, number: str | None, text: str | None = None, classes: str = "govuk-link") -> Markup:
    if not number:
        return escape(text or "")
    shown = text if text is not None else (display_phone(number) if number.startswith("+") else number)
    href = tel_href(number)
    if href is None or context.get("kiosk_device") is not None:
        return escape(shown)
    return Markup('<a class="{}" href="{}">{}</a>').format(classes, href, shown)


@pass_context
def phone_links_in(context, text: str | None) -> Markup:
    """The text, escaped, with each UK phone number in it a tap-to-call link (phone_link's rules)."""
    text = str(text or "")
    parts: list[str] = []
    end = 0
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID):
        parts += [escape(text[end : match.start]), phone_link(context, match.raw_string)]
        end = match.end
    parts.append(escape(text[end:]))
    return Markup("").join(parts)
