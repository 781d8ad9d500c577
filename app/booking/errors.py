"""What a booking, a change or a cancellation can be refused with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.appointments.references import format_reference
from app.config import settings
from app.i18n import _l
from app.inputs import BadInput, typed_text
from app.models import Appointment
from app.timeutil import format_date, format_time

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString


class SlotUnavailable(Exception):
    """The slot has gone, or the token is not valid any more."""


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was sent with a different request."""


class BookingRuleError(ValueError):
    """The request breaks a rule (wrong place for the service, appointment already over, ...)."""

    def __init__(self, field_name: str, message: str | LazyString):
        super().__init__(message)
        self.field = field_name
        self._message = message

    @property
    def message(self) -> str:
        """In the language of the page that shows it: the resident's on their pages (the rules residents
        can meet are marked with _l), English for staff and the API."""
        return str(self._message)


# Staff text that no form reads (one box on a busy page): the longest an officer or a supervisor needs.
NOTE_LIMIT = 1000


def checked_text(field: str, text: str | None, what: str, *, limit: int = NOTE_LIMIT, multiline=False) -> str:
    """Typed text by the one rule (app.inputs.typed_text), stripped; else the rule's error at `field`."""
    try:
        return typed_text(text, what, limit=limit, multiline=multiline)
    except BadInput as error:
        raise BookingRuleError(field, str(error)) from None


class PossibleDuplicate(BookingRuleError):
    """The same person already has an appointment at an overlapping time. Almost always a mistake (a
    second call, a second tab), so every channel warns, and books only when asked again with
    `confirmed_overlap`."""

    def __init__(self, existing: Appointment):
        super().__init__(
            "confirm_overlap",
            f"{existing.customer.name} already has an appointment at an overlapping time: "
            f"{existing.service.name}, {format_date(existing.window_start)}, "
            f"{format_time(existing.window_start)} (reference {format_reference(existing.reference)}). "
            "Book this one too only if they need both",
        )
        self.existing = existing


class NotStaffed(BookingRuleError):
    """Nobody can ever staff the service there (app.booking.coverage): no time will come free, so no
    waiting list is joined for it."""

    def __init__(self):
        super().__init__(
            "service",
            _l(
                "None of our officers can do this visit in your area at the moment, so we cannot put you "
                "on a waiting list for it"
            ),
        )


class TooManyBookings(BookingRuleError):
    """A public booking (or online waiting-list join) for a phone number or email address that has had
    its day's allowance: a stranger cannot flood someone's phone with our texts."""

    def __init__(self):
        super().__init__(
            "contact",
            _l(
                "You have made as many bookings online today as we allow for one phone number or email "
                "address. Phone us on %(phone)s to book another",
                phone=settings().contact_centre_phone,
            ),
        )


class TooManyLetters(TooManyBookings):
    """A public booking answered by letter, to an address that has had its day's allowance of them: a
    stranger cannot have the council post letters to someone's door in names of their choosing."""

    def __init__(self):
        BookingRuleError.__init__(
            self,
            "contact",
            _l(
                "You have made as many bookings online today as we allow for one address. Phone us on "
                "%(phone)s to book another",
                phone=settings().contact_centre_phone,
            ),
        )


class BookingChanged(BookingRuleError):
    """Another change to the booking won while this request waited for it; nothing was changed."""

    def __init__(self):
        super().__init__(
            "appointment", _l("Someone changed this appointment a moment ago. Check it and try again")
        )
