"""The language a resident's messages come in: texts, emails, letters and calendar files.

Chosen when they book (the page's language), changed by the resident on their booking's page or by an
agent for a caller. The outbox words every message at the moment it writes it, in the customer's
language then, so a change applies to every message written after it."""

from __future__ import annotations

from app.i18n import LANGUAGES
from app.models import Customer
from app.staff import audit


def change_language(customer: Customer, locale: str, *, how: str) -> bool:
    """Write to this customer in `locale` from now on. False (and nothing changes) for a language we
    do not write in, or the one they already have."""
    if locale not in LANGUAGES or locale == customer.locale:
        return False
    audit.record("language_changed", "customer", customer.id, how=how, was=customer.locale, now=locale)
    customer.locale = locale
    return True
