"""Field helpers shared by the forms."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput
from wtforms import DateField, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError

from app.inputs import FIRST_DAY, LAST_DAY, hidden_characters, whole_number
from app.timeutil import parse_clock


class ClockTime:
    """Validator: blank or a time, such as 09:30, 17.30 or 5pm (app.timeutil.parse_clock)."""

    def __init__(self, label: str):
        self.label = label

    def __call__(self, form, field):
        try:
            parse_clock(field.data)
        except ValueError:
            raise ValidationError(f"Enter {self.label} as a 24-hour time, like 09:30") from None


class MultiCheckboxField(SelectMultipleField):
    widget = GovCheckboxesInput()


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year boxes sharing one name) that never fails to render."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, format="%d %m %Y", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        parts = ([str(v).strip() for v in valuelist] + ["", "", ""])[:3]
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        try:
            day, month, year = (whole_number(p) for p in parts)
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from None
        if not FIRST_DAY <= self.data <= LAST_DAY:
            self.data = None
            raise ValueError(f"{self.label.text} must be between {FIRST_DAY:%Y} and {LAST_DAY:%Y}")


class MaxLength:
    """Validator: at most `limit` characters, with a GOV.UK message that names the field
    ("Full name must be 160 characters or less"), not WTForms' generic one."""

    def __init__(self, limit: int):
        self.limit = limit
        self.field_flags = {"maxlength": limit}

    def __call__(self, form, field):
        if field.data and len(field.data) > self.limit:
            name, limit = field_name(field), self.limit
            if name is None:  # a question: its own sentence, so each language says it naturally
                raise ValidationError(
                    gettext("Your answer must be %(limit)s characters or less", limit=limit)
                )
            raise ValidationError(
                gettext("%(name)s must be %(limit)s characters or less", name=name, limit=limit)
            )


class PlainText:
    """Validator on every text field (app.forms.base.Form adds it): nothing the reader cannot see, by
    the one rule for typed text (app.inputs.hidden_characters); a text area may hold line breaks and
    tabs. It runs first and stops the field's other checks: "Enter a UK phone number" would not say
    what is wrong."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        if isinstance(field.data, str) and hidden_characters(field.data, multiline=self.multiline):
            name = field_name(field)
            if name is None and self.multiline:
                raise StopValidation(gettext("Your answer must not include hidden characters"))
            if name is None:
                raise StopValidation(
                    gettext("Your answer must not include tabs, line breaks or hidden characters")
                )
            if self.multiline:
                raise StopValidation(gettext("%(name)s must not include hidden characters", name=name))
            raise StopValidation(
                gettext("%(name)s must not include tabs, line breaks or hidden characters", name=name)
            )


def field_name(field) -> str | None:
    """A field's label as an error message names it: without "(optional)", or its translation. A label
    that is a question ("Do you need an interpreter? If so, which language") cannot start a sentence
    ("... must not include"): None then, and the message is its own sentence about "Your answer" (not
    the label's slot filled with those words, which Polish wrapped as a field's name: Pole „Twoja
    odpowiedź”)."""
    label = re.sub(r"\s*\([^)]*\)\s*$", "", str(field.label.text))
    return None if "?" in label else label
